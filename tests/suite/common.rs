//! The client part of the CLI's graph, pointed at a mock: file store, HTTP client,
//! sockets, a recording device-code prompt, and `codex::layer_client`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use clanka::codex;
use clanka::runtime::Layer;
use clanka::{http, kv, socket};
use clanka_codex::{CodexAuthConfig, DeviceCodeHandlerService, RecordingDeviceCodeHandler};
use clanka_http::HttpConfig;
use clanka_mock::MockServer;
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
        .env("XDG_CONFIG_HOME", "/nonexistent/clanka-tests");
    for (name, _) in std::env::vars() {
        if name.starts_with("CLANKA_") || name.starts_with("OPENAI_") {
            command.env_remove(name);
        }
    }
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
