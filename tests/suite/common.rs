//! The client part of the CLI's graph, pointed at a mock: file store, HTTP client,
//! sockets, a recording device-code prompt, and `codex::layer_client`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use clanka::codex;
use clanka::runtime::Layer;
use clanka::{http, kv, socket};
use clanka_codex::{CodexAuthConfig, DeviceCodeHandlerService, RecordingDeviceCodeHandler};
use clanka_http::HttpConfig;
use clanka_mock::{MockOptions, MockServer, Scenario};
use clanka_socket::SocketConfig;

pub(super) fn client(server: &MockServer, store: &Path) -> Layer {
    let base = Layer::merge_all([
        http::layer_reqwest(HttpConfig::default()),
        socket::layer_tungstenite(SocketConfig::default()),
        kv::layer_file_system(store),
        codex::layer_prompt(DeviceCodeHandlerService::new(
            RecordingDeviceCodeHandler::default(),
        )),
    ]);
    let auth = CodexAuthConfig::new()
        .with_issuer(server.issuer_url())
        .with_base_url(server.codex_base_url())
        .with_interactive(true)
        .with_poll_safety_margin(Duration::ZERO);
    codex::layer_client(auth).provide(&base)
}

/// The example binary `cargo test` built next to this test binary.
pub(super) fn cli() -> Command {
    let exe = std::env::current_exe().unwrap();
    let target = exe.parent().and_then(Path::parent).unwrap();
    let path: PathBuf = target.join("examples").join("cli");
    assert!(
        path.exists(),
        "build the example first: cargo build --example cli"
    );
    let mut command = Command::new(path);
    command
        .env_remove("NO_COLOR")
        .env_remove("RUST_LOG")
        .env("XDG_CONFIG_HOME", "/nonexistent/clanka-tests")
        // A login shell of the agent's commands reads no profile of this machine's user.
        .env("HOME", "/nonexistent/clanka-tests-home");
    for (name, _) in std::env::vars() {
        let proxy = name.to_ascii_uppercase().ends_with("_PROXY");
        if name.starts_with("CLANKA_") || name.starts_with("OPENAI_") || proxy {
            command.env_remove(name);
        }
    }
    command
}

/// The CLI signed in to `server` (ChatGPT mode) with its store in `store`.
pub(super) fn cli_at(server: &MockServer, store: &Path) -> Command {
    let mut command = cli();
    command
        .env("CLANKA_AUTH__ISSUER", server.issuer_url())
        .env("CLANKA_CODEX__BASE_URL", server.codex_base_url())
        .env("CLANKA_STORE__DIR", store);
    command
}

pub(super) async fn output(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

pub(super) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Signs the store in `dir` in with a token of `server`'s (expired, so the next run
/// must refresh, or valid for an hour).
pub(super) async fn token_store(server: &MockServer, dir: &Path, expired: bool) {
    let issued = server.issue_tokens();
    let expires_at_ms = if expired {
        1_000
    } else {
        issued.expires_at * 1000
    };
    let token = clanka_codex::Token {
        access: issued.access_token.as_str().into(),
        refresh: issued.refresh_token.as_str().into(),
        expires_at_ms,
        account_id: Some(issued.account_id),
    };
    let store = clanka_kv::KeyValueStore::file_system(dir).unwrap();
    clanka_codex::TokenStore::new(&store)
        .save(&token)
        .await
        .unwrap();
}

/// Commands without a login shell and with `home` as HOME: the machine's profile
/// (which may print or stall) is never read.
pub(super) fn quiet_exec(home: &Path) -> clanka_tools::ExecPolicy {
    let env = clanka_tools::EnvPolicy::default().set("HOME", home.display().to_string());
    clanka_tools::ExecPolicy::default()
        .with_env(env)
        .with_login_shell(false)
}

/// A word no other process on the machine has in its command line, usable as a
/// `sleep` duration (`600.<digits>`): processes a test starts are found by it, as
/// their pids inside a command's PID namespace mean nothing outside.
pub(super) fn marker() -> String {
    format!("600.{}", fastrand::u64(1_000_000_000..10_000_000_000))
}

/// The live processes (zombies are dead) whose command line holds `marker`.
pub(super) fn running(marker: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let state = stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .chars()
                .next();
            String::from_utf8_lossy(&cmdline).contains(marker)
                && !matches!(state, Some('Z' | 'X') | None)
        })
        .collect()
}

/// Waits up to 10 s for every process holding `marker` to be gone.
pub(super) async fn assert_gone(marker: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !running(marker).is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let left = running(marker);
    assert!(left.is_empty(), "processes {left:?} ({marker}) still run");
}

/// Waits up to 30 s until at least `count` processes hold `marker`.
pub(super) async fn wait_running(marker: &str, count: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while running(marker).len() < count {
        assert!(
            std::time::Instant::now() < deadline,
            "{marker}: {:?} of {count} processes started",
            running(marker)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The events of a `--json` run's stdout, one per line.
pub(super) fn json_lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    text(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The CLI on a mock playing `scenario`, in API-key mode, with a workspace, a store
/// and a HOME of its own (`dirs`, in that order): a login shell reads no profile of
/// this machine's user.
pub(super) struct Run {
    pub(super) server: MockServer,
    pub(super) dirs: [tempfile::TempDir; 3],
    pub(super) command: std::process::Command,
}

pub(super) async fn cli_on(scenario: Scenario) -> Run {
    let server = MockServer::start(MockOptions::default().with_scenario(scenario))
        .await
        .unwrap();
    let dirs = [
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    ];
    let mut command = cli();
    command
        .args(["--http", "-C"])
        .arg(dirs[0].path())
        .arg("go")
        .env("CLANKA_AUTH__API_KEY", "sk-mock")
        .env("CLANKA_CODEX__BASE_URL", server.codex_base_url())
        .env("CLANKA_STORE__DIR", dirs[1].path().join("store"))
        .env("HOME", dirs[2].path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    Run {
        server,
        dirs,
        command,
    }
}
