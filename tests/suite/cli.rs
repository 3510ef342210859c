//! examples/cli.rs as a real process: the demo, JSON output, login/status/logout
//! against clanka-mock, API-key mode, exit codes.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use clanka_mock::{MockOptions, MockServer};

use super::common::{cli, cli_at, output, text};

#[tokio::test]
async fn the_demo_runs_the_whole_system_and_leaves_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = cli();
    command
        .args(["--demo", "-C"])
        .arg(dir.path())
        .arg("create hello.txt saying hi");
    let result = output(command).await;

    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("hello.txt")).unwrap(),
        "hi\n"
    );
    insta::assert_snapshot!("demo_plain", text(&result.stdout));
    assert!(
        text(&result.stderr).contains("Enter the code"),
        "the device login prompt is shown"
    );
}

#[tokio::test]
async fn json_mode_prints_one_event_per_line_for_primary_and_subagent() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = cli();
    command
        .args(["--demo", "--json", "-C"])
        .arg(dir.path())
        .arg("create hello.txt saying hi");
    let result = output(command).await;

    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let events: Vec<serde_json::Value> = text(&result.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert!(types.contains(&"subagent_part") && types.contains(&"subagent_complete"));
    assert_eq!(types.last(), Some(&"agent_finished"));
    insta::assert_json_snapshot!("demo_json", events, {
        "[].id" => "[id]",
        "[].part.id" => "[id]",
    });
}

#[tokio::test]
async fn login_status_and_logout_against_the_mock() {
    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let store = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut command = cli_at(&server, store.path());
        command.args(args);
        output(command)
    };

    let status = run(&["status"]).await;
    assert_eq!(status.status.code(), Some(3), "not signed in yet");
    let login = run(&["login"]).await;
    assert_eq!(login.status.code(), Some(0), "{}", text(&login.stderr));
    assert!(text(&login.stdout).contains("signed in as acct_mock"));
    assert!(
        std::fs::read_dir(store.path()).unwrap().count() > 0,
        "the token was persisted"
    );
    let status = run(&["status"]).await;
    assert_eq!(status.status.code(), Some(0));
    assert!(text(&status.stdout).contains("signed in as acct_mock"));
    assert!(text(&status.stdout).contains("expires in"));
    let logout = run(&["logout"]).await;
    assert_eq!(logout.status.code(), Some(0));
    assert_eq!(run(&["status"]).await.status.code(), Some(3));
    server.shutdown().await;
}

/// A mock accepting exactly `KEY` as an API key.
const KEY: &str = "sk-e2e-accepted-7f3a";

async fn api_key_server() -> MockServer {
    let options = MockOptions {
        api_keys: vec![KEY.to_owned()],
        ..MockOptions::default()
    };
    MockServer::start(options).await.unwrap()
}

/// One agent turn in a fresh directory and store, with `env` on top of the mock's issuer.
async fn api_key_run(server: &MockServer, store: &Path, env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut command = cli();
    command
        .arg("-C")
        .arg(dir.path())
        .arg("hello")
        .env("CLANKA_AUTH__ISSUER", server.issuer_url())
        .env("CLANKA_STORE__DIR", store)
        .envs(env.iter().copied());
    output(command).await
}

/// No OAuth endpoint was called, and every authenticated request carried `Bearer <key>`.
fn assert_only_api_key_requests(server: &MockServer, key: &str) {
    let requests = server.requests();
    assert!(requests.iter().any(|r| r.path.ends_with("/responses")));
    for request in &requests {
        assert!(
            !request.path.starts_with("/api/accounts") && !request.path.starts_with("/oauth"),
            "no OAuth in API-key mode: {}",
            request.path
        );
        if let Some(authorization) = request.header("authorization") {
            assert_eq!(authorization, format!("Bearer {key}"));
        }
        assert_eq!(request.header("chatgpt-account-id"), None);
    }
}

#[tokio::test]
async fn api_key_mode_runs_without_signing_in() {
    let server = api_key_server().await;
    let store = tempfile::tempdir().unwrap();
    let base_url = server.api_base_url();
    let env = [
        ("CLANKA_AUTH__API_KEY", KEY),
        ("CLANKA_CODEX__BASE_URL", base_url.as_str()),
    ];
    let result = api_key_run(&server, store.path(), &env).await;

    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert!(
        text(&result.stdout).contains("You said"),
        "{}",
        text(&result.stdout)
    );
    assert_only_api_key_requests(&server, KEY);
    assert!(server.response_requests()[0].path.starts_with("/v1/"));
    let stored: Vec<String> = std::fs::read_dir(store.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        stored.iter().all(
            |name| name.starts_with("k-sessions%2F") || name.starts_with("k-codex.rate_limits")
        ),
        "no token file, only the session and the rate limits: {stored:?}"
    );

    let mut command = cli();
    command
        .arg("status")
        .env("CLANKA_STORE__DIR", store.path())
        .envs(env);
    let status = output(command).await;
    assert_eq!(status.status.code(), Some(0), "{}", text(&status.stderr));
    let shown = text(&status.stdout);
    assert!(
        shown.contains("using an API key (from auth.api_key)"),
        "{shown}"
    );
    assert!(shown.contains(&base_url), "{shown}");
    assert!(!shown.contains(KEY), "{shown}");
    server.shutdown().await;
}

#[tokio::test]
async fn the_configured_api_key_wins_over_openai_api_key() {
    let server = api_key_server().await;
    let store = tempfile::tempdir().unwrap();
    let base_url = server.api_base_url();
    let env = [
        ("OPENAI_API_KEY", "sk-e2e-ignored-env-key"),
        ("OPENAI_BASE_URL", base_url.as_str()),
        ("CLANKA_AUTH__API_KEY", KEY),
    ];
    let result = api_key_run(&server, store.path(), &env).await;

    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert_only_api_key_requests(&server, KEY);
    assert!(server.response_requests()[0].path.starts_with("/v1/"));
    server.shutdown().await;
}

#[tokio::test]
async fn a_rejected_api_key_fails_clearly_without_showing_it() {
    let server = api_key_server().await;
    let store = tempfile::tempdir().unwrap();
    let wrong = "sk-e2e-wrong-key-91c2";
    let base_url = server.api_base_url();
    let env = [
        ("CLANKA_AUTH__API_KEY", wrong),
        ("CLANKA_CODEX__BASE_URL", base_url.as_str()),
    ];
    let result = api_key_run(&server, store.path(), &env).await;

    let (stdout, stderr) = (text(&result.stdout), text(&result.stderr));
    assert_eq!(result.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stderr.contains("rejected the api key"), "{stderr}");
    assert!(
        !stdout.contains(wrong) && !stderr.contains(wrong),
        "{stdout}{stderr}"
    );
    assert_only_api_key_requests(&server, wrong);
    let attempts = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/responses"))
        .count();
    assert_eq!(attempts, 1, "a rejected key is not retried");
    server.shutdown().await;
}

#[tokio::test]
async fn usage_errors_exit_with_2() {
    let result = output({
        let mut command = cli();
        command.arg("--no-such-flag");
        command
    })
    .await;
    assert_eq!(result.status.code(), Some(2));
    let empty = output({
        let mut command = cli();
        command.arg("--demo");
        command
    })
    .await;
    assert_eq!(empty.status.code(), Some(2), "no prompt");
}

/// `login --browser`: the CLI prints the authorize URL on stderr, a "browser" (an HTTP
/// client following redirects) opens it, and the CLI exits signed in.
#[tokio::test]
async fn browser_login_against_the_mock() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let store = tempfile::tempdir().unwrap();
    let mut command = cli();
    command
        .args(["login", "--browser", "--callback-port", "0"])
        .env("CLANKA_AUTH__ISSUER", server.issuer_url())
        .env("CLANKA_STORE__DIR", store.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let read_url = tokio::task::spawn_blocking(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                let line = line.trim();
                line.contains("/oauth/authorize?").then(|| line.to_owned())
            })
    });
    let Ok(url) = tokio::time::timeout(Duration::from_secs(60), read_url).await else {
        let _ = child.kill();
        panic!("no authorize URL within 60 s");
    };
    let url = url.unwrap().expect("the authorize URL is printed");
    assert!(url.starts_with(&server.issuer_url()), "{url}");

    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.url().path(), "/success");
    assert!(page.text().await.unwrap().contains("Signed in"));

    let login = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(login.status.code(), Some(0));
    assert!(text(&login.stdout).contains("signed in as acct_mock"));
    let mut status = cli();
    status
        .arg("status")
        .env("CLANKA_AUTH__ISSUER", server.issuer_url())
        .env("CLANKA_STORE__DIR", store.path());
    assert_eq!(output(status).await.status.code(), Some(0));
    server.shutdown().await;
}

/// Ctrl-C ends a run within a second, whatever the model is doing (here: streaming
/// one event every 20 s).
#[tokio::test]
async fn ctrl_c_ends_a_run_within_a_second() {
    use clanka_mock::{Scenario, ScriptedResponse};

    let slow = ScriptedResponse::new()
        .message("slow")
        .delay(Duration::from_secs(20));
    let server =
        MockServer::start(MockOptions::default().with_scenario(Scenario::new().respond(slow)))
            .await
            .unwrap();
    let (dir, store) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut command = cli();
    command
        .args(["--http", "-C"])
        .arg(dir.path())
        .arg("hello")
        .env("CLANKA_AUTH__API_KEY", "sk-mock")
        .env("CLANKA_CODEX__BASE_URL", server.codex_base_url())
        .env("CLANKA_STORE__DIR", store.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while server.response_requests().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "no request reached the mock"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    let interrupted = std::time::Instant::now();
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    let took = interrupted.elapsed();
    assert_eq!(status.code(), Some(130));
    // The model would stream for 20 s more; a second of teardown, with room for a
    // loaded machine.
    assert!(took < Duration::from_secs(5), "{took:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn status_shows_the_store_and_the_rate_limits_of_the_last_run() {
    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let store = tempfile::tempdir().unwrap();
    let store_dir = store.path().join("store");
    super::common::token_store(&server, &store_dir, false).await;
    let run = |args: &[&str]| {
        let mut command = cli_at(&server, &store_dir);
        command.args(args);
        output(command)
    };

    let before = text(&run(&["status"]).await.stdout);
    assert!(
        before.contains("rate limits: none reported yet"),
        "{before}"
    );
    let workspace = tempfile::tempdir().unwrap();
    let dir = workspace.path().display().to_string();
    let turn = run(&["-C", &dir, "say hello"]).await;
    assert_eq!(turn.status.code(), Some(0), "{}", text(&turn.stderr));

    let status = text(&run(&["status"]).await.stdout);
    assert!(status.contains(&format!("store: {}", store_dir.display())));
    // The mock's figures: 12.5 % of a 5-hour window, 3 % of a weekly one.
    assert!(
        status.contains("codex 5 h window: 12 % used, resets in"),
        "{status}"
    );
    assert!(
        status.contains("codex 7 d window: 3 % used, resets in"),
        "{status}"
    );
    server.shutdown().await;
}
