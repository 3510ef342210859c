//! `clanka-mock`: runs the mock Codex backend until SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clanka_mock::{MockError, MockOptions, MockServer, Scenario};
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
}

#[tokio::main]
async fn main() -> Result<(), MockError> {
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
        .with_token_ttl(Duration::from_secs(args.token_ttl));
    options.websocket_upgrade_refused = args.no_websocket;
    if let Some(path) = &args.scenario {
        options = options.with_scenario(Scenario::from_file(path)?);
    }
    let server = MockServer::start(options).await?;
    announce(&server.url());
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}

/// Prints the one stdout line scripts wait for.
#[allow(clippy::print_stdout)] // the binary's contract: exactly one `listening on` line
fn announce(url: &str) {
    use std::io::Write as _;
    println!("listening on {url}");
    let _ = std::io::stdout().flush();
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
