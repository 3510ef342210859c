//! examples/cli.rs as a real process: the demo, JSON output, login/status/logout
//! against clanka-mock, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use clanka_mock::{MockOptions, MockServer};

/// The example binary `cargo test` built next to this test binary.
fn cli() -> Command {
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

async fn output(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

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
        let mut command = cli();
        command
            .args(args)
            .env("CLANKA_AUTH__ISSUER", server.issuer_url())
            .env("CLANKA_CODEX__BASE_URL", server.codex_base_url())
            .env("CLANKA_STORE__DIR", store.path());
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
