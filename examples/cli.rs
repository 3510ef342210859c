//! clanka's command-line agent, and the reference composition of its services.
//!
//! ```text
//! cargo run --example cli -- --demo "create hello.txt saying hi"   # no account, no network
//! cargo run --example cli -- login                                 # device-code sign-in
//! cargo run --example cli -- "fix the failing test"                # the agent in this directory
//! ```
//!
//! The graph (see `agent_graph`): a file key-value store, the reqwest HTTP client and
//! the tungstenite socket constructor feed `codex::layer_client`, which authenticates
//! both. The primary model (WebSocket) and the sub-agent model (SSE) are built from
//! that one client recipe, so they share one login and one token refresh.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line program prints

use std::io::{IsTerminal as _, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use clanka::agent::{self, Agent, AgentError, Output, SendOptions};
use clanka::config::{Config, ConfigLoader};
use clanka::render::{Renderer, Style, error_chain};
use clanka::runtime::Layer;
use clanka::{approval, codex, http, kv, mcp, session, socket};

#[path = "cli/schema.rs"]
mod schema;
#[path = "cli/sessions.rs"]
mod sessions;
#[path = "cli/term.rs"]
mod term;
use clanka_codex::{
    CatalogSource, ClientSettings, CodexAuth, CodexAuthConfig, CodexAuthError, CodexClient,
    LoginMethod, ModelChoice,
};
use clanka_http::HttpConfig;
use clanka_mock::{MockOptions, MockServer, Scenario};
use clanka_model::{ProviderOptions, ReasoningEffort, ReasoningSummary};
use clanka_socket::SocketConfig;
use clap::{Parser, Subcommand};
use futures_util::StreamExt as _;
use tokio::sync::mpsc;

/// Exit codes.
const DONE: u8 = 0;
const FAILED: u8 = 1;
const USAGE: u8 = 2;
const SIGN_IN_REQUIRED: u8 = 3;
const INTERRUPTED: u8 = 130;

/// 128 + the signal (SIGTERM, SIGHUP) that ended the run, when one did.
static SIGNALLED: AtomicU8 = AtomicU8::new(0);

/// A coding agent on OpenAI's Codex backend.
#[derive(Debug, Parser)]
#[command(name = "cli", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The task (words are joined with spaces; `-` reads it from stdin).
    prompt: Vec<String>,
    /// Read the task from this file.
    #[arg(long, value_name = "FILE", global = true)]
    prompt_file: Option<PathBuf>,
    /// Directory the agent works in.
    #[arg(long, short = 'C', default_value = ".", global = true)]
    directory: PathBuf,
    /// Primary model (config `model.primary`).
    #[arg(long, global = true)]
    model: Option<String>,
    /// Sub-agent model (config `model.subagent`).
    #[arg(long, global = true)]
    subagent_model: Option<String>,
    /// Reasoning effort of the primary model: minimal, low, medium, high, xhigh.
    #[arg(long, global = true)]
    effort: Option<String>,
    /// Stream the primary model over HTTPS (SSE) instead of a WebSocket.
    #[arg(long, global = true)]
    http: bool,
    /// Print one JSON event per line on stdout.
    #[arg(long, global = true)]
    json: bool,
    /// Colours: auto (on a terminal, unless TERM=dumb or NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t, value_name = "WHEN", global = true)]
    color: term::ColorChoice,
    /// Log more on stderr: -v info, -vv debug, -vvv trace (RUST_LOG wins when set).
    #[arg(long, short = 'v', action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Log only errors.
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Run against a mock backend inside this process: no account, no network.
    #[arg(long, global = true)]
    demo: bool,
    /// Sandbox of commands: read-only, workspace-write (default) or danger-full-access
    /// (config `sandbox.mode`).
    #[arg(long, value_name = "MODE", global = true)]
    sandbox: Option<String>,
    /// When to ask before acting: untrusted, on-request (default), on-failure or never
    /// (config `approval.policy`). Without a terminal, what would be asked is denied.
    #[arg(long, value_name = "POLICY", global = true)]
    approval_policy: Option<String>,
    /// Print only the final answer, as a JSON object valid against this JSON schema
    /// (the run's events go to stderr); exit 1 when the answer does not validate.
    #[arg(long, value_name = "FILE", global = true)]
    output_schema: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign in with your ChatGPT account (device code).
    Login {
        /// Sign in in a browser on this machine instead (PKCE, callback on localhost).
        #[arg(long)]
        browser: bool,
        /// Port of the browser login's callback (default 1455, then 1457, the ports the
        /// issuer accepts; 0 picks a free one, for mock backends).
        #[arg(long, requires = "browser")]
        callback_port: Option<u16>,
    },
    /// Sign out and forget the stored token.
    Logout,
    /// Show who is signed in and until when (or that an API key is in use).
    Status,
    /// List the models this sign-in may use, with their context windows and efforts.
    Models,
    /// List the recorded sessions, newest first (`sessions rm ID` removes one).
    Sessions {
        #[command(subcommand)]
        action: Option<SessionsAction>,
    },
    /// MCP servers: `mcp list` starts the configured servers and shows their state
    /// and tools.
    Mcp {
        #[command(subcommand)]
        action: McpAction,
    },
    /// Continue a session: `resume --last "prompt"` (the newest in this directory)
    /// or `resume ID "prompt"`.
    Resume {
        /// The newest session recorded in this directory.
        #[arg(long)]
        last: bool,
        /// The session id (unless `--last`), then the prompt.
        words: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum McpAction {
    /// Start the configured servers, list their state and tools, stop them.
    List,
}

#[derive(Debug, Subcommand)]
enum SessionsAction {
    /// Remove a session and everything kept with it.
    Rm {
        /// The session id.
        id: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse(); // usage errors exit with 2
    let progress = term::Progress::new(!cli.json);
    let log_color = cli.color.paints(std::io::stderr().is_terminal());
    term::init_logging(cli.verbose, cli.quiet, log_color, progress.clone());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(FAILED);
        }
    };
    let (interrupt, interrupts) = mpsc::unbounded_channel();
    let terminate = interrupt.clone();
    runtime.spawn(async move {
        // The first Ctrl-C cancels the run (or a login); the second exits at once.
        for presses in 1.. {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            if presses > 1 {
                std::process::exit(i32::from(INTERRUPTED));
            }
            let _ = interrupt.send(());
        }
    });
    runtime.spawn(async move {
        // SIGTERM and SIGHUP cancel the run like Ctrl-C, and exit within two seconds
        // whatever happens; the commands' processes die with this one either way.
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hangup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return;
        };
        let code = tokio::select! {
            _ = term.recv() => 128 + 15,
            _ = hangup.recv() => 128 + 1,
        };
        SIGNALLED.store(code, Ordering::SeqCst);
        let _ = terminate.send(());
        tokio::time::sleep(Duration::from_secs(2)).await;
        std::process::exit(i32::from(code));
    });
    let code = runtime.block_on(run(cli, std::io::stdout(), interrupts, progress));
    // A blocking task that cannot be interrupted (a read stuck in the kernel) must
    // not keep the process alive after the run ended.
    runtime.shutdown_timeout(Duration::from_millis(500));
    match SIGNALLED.load(Ordering::SeqCst) {
        0 => ExitCode::from(code),
        signalled => ExitCode::from(signalled),
    }
}

/// Runs the command line; returns the exit code.
async fn run(
    cli: Cli,
    out: impl Write,
    interrupts: mpsc::UnboundedReceiver<()>,
    progress: term::Progress,
) -> u8 {
    let mut demo_server = None;
    let config = match settings(&cli, &mut demo_server).await {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            return USAGE;
        }
    };
    let code = match &cli.command {
        Some(Command::Sessions { action: None }) => sessions::list(&config).await,
        Some(Command::Sessions {
            action: Some(SessionsAction::Rm { id }),
        }) => sessions::remove(&config, id).await,
        Some(Command::Mcp {
            action: McpAction::List,
        }) => mcp_list(&cli, &config).await,
        Some(Command::Resume { last, words }) => {
            let (id, prompt) = match (last, words.split_first()) {
                (true, _) => (None, words.join(" ")),
                (false, Some((id, rest))) => (Some(id.clone()), rest.join(" ")),
                (false, None) => {
                    eprintln!(
                        "error: resume what? `resume --last \"prompt\"` or `resume ID \"prompt\"`"
                    );
                    return USAGE;
                }
            };
            let resume = Resume { last: *last, id };
            let run = Run {
                out,
                interrupts,
                progress,
            };
            agent_run(&cli, &config, prompt, Some(resume), run).await
        }
        Some(command) => account(command, &config, cli.demo, interrupts).await,
        None => {
            let run = Run {
                out,
                interrupts,
                progress,
            };
            agent_run(&cli, &config, cli.prompt.join(" "), None, run).await
        }
    };
    if let Some((server, _store)) = demo_server {
        server.shutdown().await;
    }
    code
}

/// The configuration (file < `CLANKA_*` environment < flags).
/// With `--demo`, a mock backend starts here and the store is a temporary directory.
async fn settings(
    cli: &Cli,
    demo: &mut Option<(MockServer, tempfile::TempDir)>,
) -> Result<Config, String> {
    let mut loader = ConfigLoader::new();
    for (key, value) in [
        ("model.primary", &cli.model),
        ("model.subagent", &cli.subagent_model),
        ("model.primary_effort", &cli.effort),
        ("sandbox.mode", &cli.sandbox),
        ("approval.policy", &cli.approval_policy),
    ] {
        if let Some(value) = value {
            loader = loader.set(key, value.clone());
        }
    }
    if cli.demo {
        // The mock serves the built-in catalogue: its default model is the primary,
        // and the sub-agent runs on an older model, so the demo shows two.
        let catalog = clanka_codex::ModelCatalog::built_in();
        let primary = catalog
            .default_model()
            .map(|m| m.slug.clone())
            .unwrap_or_default();
        let subagent = clanka_codex::API_KEY_DEFAULT_MODEL.to_owned();
        let scenario = Scenario::demo(&primary, &subagent);
        let server = MockServer::start(MockOptions::default().with_scenario(scenario))
            .await
            .map_err(|e| format!("the demo backend did not start: {e}"))?;
        let store = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
        loader = loader
            .without_file()
            .set("auth.issuer", server.issuer_url())
            .set("codex.base_url", server.codex_base_url())
            .set(
                "store.dir",
                store.path().join("store").display().to_string(),
            )
            .set("model.primary", primary)
            .set("model.subagent", subagent);
        *demo = Some((server, store));
    }
    match loader.unknown_keys() {
        Ok(Some((file, keys))) => {
            for key in keys {
                tracing::warn!("unknown key `{key}` in {} is ignored", file.display());
            }
        }
        Ok(None) => {}
        Err(error) => return Err(error.to_string()),
    }
    loader.load().map_err(|e| e.to_string())
}

/// The task: the words (`-` alone reads stdin), or `--prompt-file`.
fn prompt_text(cli: &Cli, words: String) -> Result<String, String> {
    match &cli.prompt_file {
        Some(_) if !words.trim().is_empty() => {
            Err("give the prompt as words or with --prompt-file, not both".to_owned())
        }
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the prompt file {}: {e}", path.display())),
        None if words == "-" => {
            let mut prompt = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut prompt)
                .map_err(|e| format!("cannot read the prompt from stdin: {e}"))?;
            Ok(prompt)
        }
        None => Ok(words),
    }
}

/// `-C`: an existing directory, or a usage error naming the path.
fn work_directory(cli: &Cli) -> Result<(), String> {
    match std::fs::metadata(&cli.directory) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(format!(
            "{} is not a directory (-C)",
            cli.directory.display()
        )),
        Err(e) => Err(format!(
            "the directory {} (-C): {e}",
            cli.directory.display()
        )),
    }
}

/// Sign-in settings. API-key mode when `auth.api_key` (which wins) or `OPENAI_API_KEY`
/// is set; `codex.base_url`, when set, overrides the mode's base URL (in API-key mode
/// `OPENAI_BASE_URL`, else `https://api.openai.com/v1`; with ChatGPT, the Codex backend).
fn auth_config(config: &Config, interactive: bool, demo: bool) -> CodexAuthConfig {
    let mut auth = CodexAuthConfig::from_env()
        .with_issuer(config.auth.issuer.clone())
        .with_interactive(interactive);
    if let Some(key) = &config.auth.api_key {
        auth = auth.with_api_key(key.clone());
    }
    if let Some(url) = &config.codex.base_url {
        auth = auth.with_base_url(url.clone());
    }
    if let Some(seconds) = config.auth.refresh_margin_sec {
        auth = auth.with_refresh_margin(Duration::from_secs(seconds));
    }
    if demo {
        // The demo backend signs in with a device code, approved at once: no API key,
        // and polling without the usual margin.
        auth.api_key = None;
        auth.with_poll_safety_margin(Duration::ZERO)
    } else {
        auth
    }
}

/// Which session a run continues.
struct Resume {
    last: bool,
    id: Option<String>,
}

/// The store of every command (one recipe value, so one store per build): Redis
/// when `store.url` is set, else the file store in `store.dir`.
fn store_layer(config: &Config) -> Layer {
    match &config.store.url {
        Some(url) => kv::layer_redis_with(url.expose(), config.redis_options()),
        None => kv::layer_file_system(&config.store.dir),
    }
}

/// What `status` says of the store.
fn store_name(config: &Config) -> String {
    match &config.store.url {
        Some(url) => {
            let address = url
                .expose()
                .rsplit('@')
                .next()
                .unwrap_or_default()
                .trim_start_matches("redis://")
                .trim_start_matches("rediss://");
            format!("redis at {address}")
        }
        None => config.store.dir.display().to_string(),
    }
}

/// The Codex client's settings from `codex.*`.
fn client_settings(config: &Config) -> ClientSettings {
    ClientSettings {
        compress_requests: config.codex.compress_requests,
        max_conversations: config.codex.max_conversations,
        ..ClientSettings::default()
    }
}

/// The services every command needs: store, HTTP client, sockets, and the Codex
/// client recipe that authenticates the last two.
fn client_graph(store: &Layer, auth: CodexAuthConfig, settings: ClientSettings) -> Layer {
    let base = Layer::merge_all([
        store.clone(),
        http::layer_reqwest(HttpConfig::default()),
        socket::layer_tungstenite(SocketConfig::default()),
        codex::layer_console_prompt(),
    ]);
    codex::layer_client_with(auth, settings).provide(&base)
}

/// The agent: primary model over WebSocket (or SSE with `--http`) and the sub-agent
/// model over SSE, both on the same client recipe value, so one login serves both.
/// Unset models are the catalogue's choice.
fn agent_graph(
    cli: &Cli,
    config: &Config,
    store: &Layer,
    client: &Layer,
    progress: &term::Progress,
) -> Layer {
    let primary_options = ProviderOptions {
        reasoning_effort: config.model.primary_effort,
        ..ProviderOptions::default()
    };
    let subagent_options = ProviderOptions::default()
        .reasoning_effort(config.model.subagent_effort.unwrap_or(ReasoningEffort::Low))
        .reasoning_summary(ReasoningSummary::Auto);
    let primary_choice = ModelChoice::from(config.model.primary.clone());
    let primary = if cli.http {
        codex::model(primary_choice, primary_options)
    } else {
        codex::model_websocket(primary_choice, primary_options)
    };
    let subagent_choice = config
        .model
        .subagent
        .clone()
        .map_or(ModelChoice::Subagent, ModelChoice::Named);
    let subagent = agent::layer_subagent_model(codex::model(subagent_choice, subagent_options));
    let models = primary.provide(client).merge(&subagent.provide(client));
    let approver = if std::io::stdin().is_terminal() {
        // The question is asked with the spinner stopped.
        let console = approval::console();
        let progress = progress.clone();
        approval::layer(approval::Approver::from_fn(move |request| {
            let (console, progress) = (console.clone(), progress.clone());
            async move { progress.paused(console.ask(request)).await }
        }))
    } else {
        approval::layer_deny(
            "no one can approve it: the CLI's input is not a terminal (see --approval-policy and --sandbox)",
        )
    };
    let exec = Layer::succeed(config.exec_policy());
    let services = Layer::merge_all([
        models,
        mcp::layer(config.mcp_servers(), cli.directory.clone()).provide(&exec),
        exec,
        Layer::succeed(config.agent_config()),
        session::layer_kv().provide(store),
        approver,
    ]);
    Agent::layer_local(cli.directory.clone()).provide(&services)
}

/// Where a run's output goes, and what interrupts it.
struct Run<W> {
    out: W,
    interrupts: mpsc::UnboundedReceiver<()>,
    progress: term::Progress,
}

async fn agent_run<W: Write>(
    cli: &Cli,
    config: &Config,
    words: String,
    resume: Option<Resume>,
    run: Run<W>,
) -> u8 {
    let Run {
        mut out,
        mut interrupts,
        progress,
    } = run;
    let prompt = match prompt_text(cli, words).and_then(|p| work_directory(cli).map(|()| p)) {
        Ok(prompt) => prompt,
        Err(message) => {
            eprintln!("error: {message}");
            return USAGE;
        }
    };
    if prompt.trim().is_empty() {
        eprintln!("error: what should the agent do? Give a prompt, e.g. `cli \"fix the tests\"`");
        return USAGE;
    }
    let schema = match cli.output_schema.as_deref().map(schema::OutputSchema::load) {
        Some(Ok(schema)) => Some(schema),
        Some(Err(message)) => {
            eprintln!("error: {message}");
            return USAGE;
        }
        None => None,
    };
    let terminal = std::io::stdout().is_terminal();
    let interactive = cli.demo || std::io::stderr().is_terminal();
    let store = store_layer(config);
    let client = client_graph(
        &store,
        auth_config(config, interactive, cli.demo),
        client_settings(config),
    );
    let graph = agent_graph(cli, config, &store, &client, &progress);
    let runtime = match graph.build().await {
        Ok(runtime) => runtime,
        Err(error) => return build_failed(&error),
    };
    let agent = match runtime.get::<Agent>() {
        Ok(agent) => agent,
        Err(error) => {
            eprintln!("error: {error}");
            return FAILED;
        }
    };
    let agent = match resume {
        None => agent,
        Some(resume) => match resumed(agent, cli, &resume).await {
            Ok(agent) => agent,
            Err(message) => {
                eprintln!("error: {message}");
                runtime.shutdown().await;
                return FAILED;
            }
        },
    };
    let style = if cli.json {
        Style::json()
    } else if schema.is_none() && cli.color.paints(terminal) {
        Style::color()
    } else {
        Style::plain()
    };
    // With an output schema stdout holds the answer alone: the run goes to stderr.
    let sink: Box<dyn Write + '_> = if schema.is_some() {
        Box::new(std::io::stderr())
    } else {
        Box::new(&mut out)
    };
    let mut renderer = Renderer::new(sink, style);
    if cli.demo {
        let _ = renderer.notice(
            "clanka demo: a mock Codex backend runs inside this process (no account, no network).",
        );
    }
    let options = SendOptions {
        output_schema: schema.as_ref().map(|s| s.schema.clone()),
        ..SendOptions::default()
    };
    let mut finished = None;
    let mut code = drive(
        &agent,
        &prompt,
        options,
        Screen {
            renderer: &mut renderer,
            progress: &progress,
        },
        &mut interrupts,
        &mut finished,
    )
    .await;
    drop(renderer);
    if let (Some(schema), DONE) = (&schema, code) {
        let (summary, result) = finished.unwrap_or_default();
        match schema.output(result.as_ref(), &summary) {
            Ok(json) => {
                if writeln!(out, "{json}").is_err() {
                    code = FAILED;
                }
            }
            Err(message) => {
                eprintln!("error: {message}");
                code = FAILED;
            }
        }
    }
    runtime.shutdown().await;
    code
}

/// `mcp list`: starts the configured servers, shows each with its state and tools,
/// and stops them.
async fn mcp_list(cli: &Cli, config: &Config) -> u8 {
    let servers = config.mcp_servers();
    if servers.is_empty() {
        println!("no MCP servers configured (see [mcp_servers.NAME] in the README)");
        return DONE;
    }
    let exec = Layer::succeed(config.exec_policy());
    let runtime = match mcp::layer(servers, cli.directory.clone())
        .provide(&exec)
        .build()
        .await
    {
        Ok(runtime) => runtime,
        Err(error) => return build_failed(&error),
    };
    if let Ok(started) = runtime.get::<clanka_mcp::McpServers>() {
        for server in started.servers() {
            let tools: Vec<String> = server.tools().iter().map(|t| t.name().to_owned()).collect();
            println!(
                "{}: {:?}, {} tools",
                server.name(),
                server.state(),
                tools.len()
            );
            for tool in tools {
                println!("  {tool}");
            }
        }
        for (name, why) in started.failed() {
            println!("{name}: not started: {why}");
        }
    }
    runtime.shutdown().await;
    DONE
}

/// `agent` continuing the session `resume` names, from the store it records in.
async fn resumed(agent: Agent, cli: &Cli, resume: &Resume) -> Result<Agent, String> {
    let store = agent
        .sessions()
        .cloned()
        .ok_or("this agent records no sessions")?;
    let id = sessions::target(&store, resume.last, resume.id.as_deref(), &cli.directory).await?;
    agent.resume(&id).await.map_err(|error| error_chain(&error))
}

/// The run's screen: the renderer, and the spinner kept off its lines.
struct Screen<'a, W> {
    renderer: &'a mut Renderer<W>,
    progress: &'a term::Progress,
}

/// Streams the agent's events to the screen; Ctrl-C cancels. `finished` gets the
/// final summary and object.
async fn drive<W: Write>(
    agent: &Agent,
    prompt: &str,
    options: SendOptions,
    screen: Screen<'_, W>,
    interrupts: &mut mpsc::UnboundedReceiver<()>,
    finished: &mut Option<(String, Option<serde_json::Value>)>,
) -> u8 {
    let Screen { renderer, progress } = screen;
    let mut events = agent.send_with(prompt, options);
    let mut usage = None;
    progress.show("thinking");
    loop {
        let event = tokio::select! {
            event = events.next() => event,
            Some(()) = interrupts.recv() => {
                agent.cancel();
                continue;
            }
        };
        progress.clear();
        match event {
            Some(Ok(event)) => {
                if matches!(event, Output::Usage { .. }) {
                    usage = Some(event.clone());
                }
                if let Output::AgentFinished { summary, result } = &event {
                    *finished = Some((summary.clone(), result.clone()));
                }
                if renderer.render(&event).is_err() {
                    return FAILED; // stdout closed
                }
                progress.after(&event, renderer.mid_line());
            }
            Some(Err(AgentError::Cancelled)) => {
                renderer.discard_unfinished();
                let _ = renderer.finish(usage.as_ref());
                let _ = renderer.error("cancelled");
                eprintln!("cancelled");
                return INTERRUPTED;
            }
            Some(Err(error)) => {
                renderer.discard_unfinished();
                let _ = renderer.finish(usage.as_ref());
                let _ = renderer.error(&error_chain(&error));
                return report(&error);
            }
            None => {
                let _ = renderer.finish(usage.as_ref());
                return DONE;
            }
        }
    }
}

/// `login [--browser]`: signs in and stores the token; Ctrl-C stops waiting (and frees
/// the callback port).
async fn login(auth: &CodexAuth, browser: bool, mut interrupts: mpsc::UnboundedReceiver<()>) -> u8 {
    if auth.config().api_key.is_some() {
        eprintln!(
            "note: an API key is configured (auth.api_key or OPENAI_API_KEY), so requests \
             use the key, not this sign-in"
        );
    }
    let method = if browser {
        LoginMethod::Browser
    } else {
        LoginMethod::Device
    };
    tokio::select! {
        result = auth.authenticate_with(method) => match result {
            Ok(token) => {
                println!(
                    "signed in as {}",
                    token.account_id.as_deref().unwrap_or("(unknown account)")
                );
                DONE
            }
            Err(error) => report(&error),
        },
        Some(()) = interrupts.recv() => {
            eprintln!("sign-in cancelled");
            INTERRUPTED
        }
    }
}

/// `login`, `logout`, `status`.
async fn account(
    command: &Command,
    config: &Config,
    demo: bool,
    interrupts: mpsc::UnboundedReceiver<()>,
) -> u8 {
    let mut auth = auth_config(config, true, demo);
    if let Command::Login {
        callback_port: Some(port),
        ..
    } = command
    {
        auth = auth.with_callback_ports([*port]);
    }
    let runtime = match client_graph(&store_layer(config), auth, client_settings(config))
        .build()
        .await
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: {}", error_chain(&error));
            return FAILED;
        }
    };
    let code = match runtime.get::<CodexAuth>() {
        Ok(auth) => match command {
            Command::Login { browser, .. } => login(&auth, *browser, interrupts).await,
            Command::Logout => match auth.logout().await {
                Ok(()) => {
                    println!("signed out");
                    DONE
                }
                Err(error) => report(&error),
            },
            Command::Models => match runtime.get::<CodexClient>() {
                Ok(client) => models(&client).await,
                Err(error) => {
                    eprintln!("error: {error}");
                    FAILED
                }
            },
            Command::Status if auth.config().api_key.is_some() => api_key_status(config, &auth),
            Command::Status => match auth.stored().await {
                Ok(Some(token)) => {
                    let account = token.account_id.as_deref().unwrap_or("(unknown account)");
                    let left = token.expires_in();
                    println!("signed in as {account}");
                    println!("access token expires in {}", duration(left));
                    println!("store: {}", store_name(config));
                    println!("(it is refreshed automatically while the refresh token is valid)");
                    if let Ok(client) = runtime.get::<CodexClient>() {
                        rate_limits(&client).await;
                    }
                    DONE
                }
                Ok(None) => {
                    println!(
                        "not signed in: run `cli login` (store: {})",
                        store_name(config)
                    );
                    SIGN_IN_REQUIRED
                }
                Err(error) => report(&error),
            },
            // Dispatched before an account command is.
            Command::Sessions { .. } | Command::Resume { .. } | Command::Mcp { .. } => USAGE,
        },
        Err(error) => {
            eprintln!("error: {error}");
            FAILED
        }
    };
    runtime.shutdown().await;
    code
}

/// `models`: the catalogue of this sign-in, defaults marked.
async fn models(client: &CodexClient) -> u8 {
    let chosen = async {
        let catalog = client.catalog().await?;
        let primary = client.resolve(&ModelChoice::Primary).await?;
        let subagent = client.resolve(&ModelChoice::Subagent).await?;
        Ok::<_, CodexAuthError>((catalog, primary, subagent))
    };
    let (catalog, primary, subagent) = match chosen.await {
        Ok(chosen) => chosen,
        Err(error) => return report(&error),
    };
    println!(
        "{:<26} {:<26} {:>9}  {:<8} efforts",
        "model", "name", "context", "default"
    );
    for model in catalog.models().iter().filter(|m| m.listed) {
        let mark = match (model.slug == primary, model.slug == subagent) {
            (true, true) => "  (default; sub-agents at low)",
            (true, false) => "  (default)",
            (false, true) => "  (sub-agents, at low)",
            (false, false) => "",
        };
        let efforts: Vec<&str> = model.supported_efforts.iter().map(|e| e.as_str()).collect();
        println!(
            "{:<26} {:<26} {:>9}  {:<8} {}{mark}",
            model.slug,
            model.display_name,
            model
                .context_window
                .map_or("?".to_owned(), |w| w.to_string()),
            model.default_effort.map_or("-", |e| e.as_str()),
            efforts.join(" "),
        );
    }
    let source = match catalog.source() {
        CatalogSource::Fetched => "fetched from the backend",
        CatalogSource::Cached => "cached from the backend",
        CatalogSource::BuiltIn => "built in (the backend's list was not available)",
    };
    println!("catalogue: {source}");
    DONE
}

/// `status`: the rate limits the backend reported last, if a run recorded them.
async fn rate_limits(client: &CodexClient) {
    let Some(limits) = client.rate_limits().await else {
        println!("rate limits: none reported yet (a run records them)");
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let age = now.saturating_sub(Duration::from_millis(limits.observed_at_ms));
    println!("rate limits, as of {} ago:", duration(age));
    for snapshot in &limits.snapshots {
        let name = snapshot.limit_id.as_deref().unwrap_or("codex");
        let windows = [&snapshot.primary, &snapshot.secondary];
        for window in windows.into_iter().flatten() {
            let length = window
                .window_minutes
                .map_or("window".to_owned(), |m| format!("{} window", span(m * 60)));
            let resets = window.resets_at.map_or(String::new(), |at| {
                let left = u64::try_from(at).unwrap_or(0).saturating_sub(now.as_secs());
                format!(", resets in {}", span(left))
            });
            println!(
                "  {name} {length}: {:.0} % used{resets}",
                window.used_percent
            );
        }
    }
}

/// `secs` in the largest unit that fits: `5 h`, `7 d`, `12 min`.
fn span(secs: u64) -> String {
    match secs {
        s if s >= 86_400 && s.is_multiple_of(86_400) => format!("{} d", s / 86_400),
        s if s >= 86_400 => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
        s => duration(Duration::from_secs(s)),
    }
}

/// `status` in API-key mode: where the key comes from, never the key itself.
fn api_key_status(config: &Config, auth: &CodexAuth) -> u8 {
    let source = if config.auth.api_key.is_some() {
        "auth.api_key"
    } else {
        "OPENAI_API_KEY"
    };
    println!("using an API key (from {source}); no sign-in needed");
    println!("requests go to {}", auth.config().base_url());
    DONE
}

/// A graph that did not build: a model or effort the catalogue does not offer, or a
/// directory that is not there, is a usage error (2); otherwise as [`report`].
fn build_failed(error: &(dyn std::error::Error + 'static)) -> u8 {
    let mut current = Some(error);
    while let Some(cause) = current {
        let catalog = matches!(
            cause.downcast_ref::<clanka_codex::ModelError>(),
            Some(clanka_codex::ModelError::Catalog(_))
        );
        let usage = catalog
            || cause.downcast_ref::<std::io::Error>().is_some_and(|io| {
                io.kind() == std::io::ErrorKind::NotFound
                    || io.kind() == std::io::ErrorKind::NotADirectory
            });
        if usage {
            eprintln!("error: {}", error_chain(error));
            return USAGE;
        }
        current = cause.source();
    }
    report(error)
}

/// Prints `error` with its causes; sign-in problems exit with 3 and say what to do.
fn report(error: &(dyn std::error::Error + 'static)) -> u8 {
    eprintln!("error: {}", error_chain(error));
    if needs_sign_in(error) {
        eprintln!("hint: `cli login` (or `cli login --browser`), or check auth.api_key");
        SIGN_IN_REQUIRED
    } else {
        FAILED
    }
}

/// Whether `error` or one of its sources is a sign-in problem the user must fix.
fn needs_sign_in(error: &(dyn std::error::Error + 'static)) -> bool {
    if CodexAuthError::find(error).is_some_and(CodexAuthError::is_sign_in_required) {
        return true;
    }
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(clanka_model::AiError::Unauthorized { .. }) = error.downcast_ref() {
            return true;
        }
        current = error.source();
    }
    false
}

fn duration(d: Duration) -> String {
    let minutes = d.as_secs() / 60;
    if minutes >= 60 && minutes.is_multiple_of(60) {
        format!("{} h", minutes / 60)
    } else if minutes >= 60 {
        format!("{} h {} min", minutes / 60, minutes % 60)
    } else {
        format!("{minutes} min")
    }
}
