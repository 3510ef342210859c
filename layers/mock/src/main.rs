//! `clanka-mock`: runs the mock Codex backend until SIGINT/SIGTERM.

use std::error::Error;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clanka_mock::{MockOptions, MockServer, Scenario};
use clap::Parser;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(
    name = "clanka-mock",
    about = "A mock Codex backend (auth + responses over SSE/WebSocket)"
)]
struct Args {
    /// Address to listen on (loopback recommended).
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Scenario file (JSON); without it every turn gets the default reply.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl: u64,
    /// Answer WebSocket upgrades with 426 (clients fall back to HTTP).
    #[arg(long)]
    no_websocket: bool,
    /// Serve HTTPS and WSS with a CA and a certificate for localhost/127.0.0.1 made at start.
    #[arg(long)]
    tls: bool,
    /// Where `--tls` writes the CA certificate (PEM); default: a file in the temp directory.
    #[arg(long, requires = "tls")]
    ca_file: Option<PathBuf>,
    /// Model catalogue file: `{"models": [...]}` (default: the built-in 0.169.0 catalogue).
    #[arg(long)]
    models: Option<PathBuf>,
    /// Accept any model on the ChatGPT path.
    #[arg(long)]
    accept_any_model: bool,
    /// Send a fresh `x-codex-turn-state` with every responses answer.
    #[arg(long)]
    turn_state: bool,
    /// Send `x-models-etag` with every responses answer.
    #[arg(long)]
    models_etag_header: bool,
}

/// The catalogue file: `{"models": [...]}`.
#[derive(Debug, serde::Deserialize)]
struct ModelsFile {
    models: Vec<serde_json::Value>,
}

fn read_models(path: &Path) -> Result<Vec<serde_json::Value>, Box<dyn Error>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("could not read {}: {e}", path.display()))?;
    let file: ModelsFile = serde_json::from_str(&text)
        .map_err(|e| format!("invalid models file {}: {e}", path.display()))?;
    Ok(file.models)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let mut options = MockOptions::default()
        .with_addr(args.addr)
        .with_token_ttl(Duration::from_secs(args.token_ttl))
        .with_tls(args.tls)
        .with_accept_any_model(args.accept_any_model)
        .with_turn_state(args.turn_state)
        .with_models_etag_header(args.models_etag_header);
    options.websocket_upgrade_refused = args.no_websocket;
    if let Some(path) = &args.scenario {
        options = options.with_scenario(Scenario::from_file(path)?);
    }
    if let Some(path) = &args.models {
        options = options.with_models(read_models(path)?);
    }
    let stopped = shutdown_signal()?;
    let server = MockServer::start(options).await?;
    let ca_file = match server.ca_pem() {
        Some(_) => {
            let path = args.ca_file.clone().unwrap_or_else(|| {
                std::env::temp_dir().join(format!("clanka-mock-ca-{}.pem", server.addr().port()))
            });
            server.write_ca_pem(&path)?;
            Some(path)
        }
        None => None,
    };
    announce(&server.url(), ca_file.as_deref());
    stopped.await;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}

/// Prints the one stdout line scripts wait for: `listening on URL`, followed on the same
/// line by `ca-file PATH` with `--tls`.
#[allow(clippy::print_stdout)] // the binary's contract: exactly one `listening on` line
fn announce(url: &str, ca_file: Option<&Path>) {
    use std::io::Write as _;
    match ca_file {
        Some(path) => println!("listening on {url} ca-file {}", path.display()),
        None => println!("listening on {url}"),
    }
    let _ = std::io::stdout().flush();
}

/// Installs the handlers for Ctrl-C and (on Unix) SIGTERM at once, so a signal sent
/// as soon as the server is announced is caught; the future ends at the first.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
