//! A fleet of CLI processes on one Redis store (CI's server, or one this test process starts): one
//! sign-in, refreshed exactly once for all of them; a holder killed mid-refresh loses
//! the lock with its lease and exactly one more refresh follows; a session started by
//! one process resumes in another; a store that does not answer is named.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clanka_kv::{KeyValueStore, RedisOptions, RedisStore};
use clanka_mock::{MockOptions, MockServer, Scenario};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::common::{cli, output, text};

fn redis_url() -> String {
    clanka_kv::test_redis::url().unwrap_or_else(|error| panic!("{error}"))
}

/// Stores an expired token of `server`'s in the Redis `namespace`.
async fn expired_token(server: &MockServer, namespace: &str) {
    let options = RedisOptions {
        namespace: namespace.to_owned(),
        ..RedisOptions::default()
    };
    let kv = KeyValueStore::new(
        RedisStore::connect_with(&redis_url(), options)
            .await
            .unwrap(),
    );
    let issued = server.issue_tokens();
    let token = clanka_codex::Token {
        access: issued.access_token.as_str().into(),
        refresh: issued.refresh_token.as_str().into(),
        expires_at_ms: 1_000,
        account_id: Some(issued.account_id),
    };
    clanka_codex::TokenStore::new(&kv)
        .save(&token)
        .await
        .unwrap();
}

/// A CLI process on `server` in ChatGPT mode, its state in Redis `namespace` with
/// locks leased for `lease_sec`, with a HOME and store directory of its own (empty).
fn member(
    server: &MockServer,
    namespace: &str,
    lease_sec: &str,
    dir: &Path,
    args: &[&str],
) -> (Command, tempfile::TempDir) {
    let own = tempfile::tempdir().unwrap();
    let mut command = cli();
    command
        .args(args)
        .args(["--http", "-C"])
        .arg(dir)
        .env("CLANKA_AUTH__ISSUER", server.issuer_url())
        .env("CLANKA_CODEX__BASE_URL", server.codex_base_url())
        .env("CLANKA_STORE__URL", redis_url())
        .env("CLANKA_STORE__NAMESPACE", namespace)
        .env("CLANKA_STORE__LEASE_SEC", lease_sec)
        .env("CLANKA_STORE__DIR", own.path().join("store"))
        .env("HOME", own.path())
        .stdin(Stdio::null());
    (command, own)
}

async fn mock() -> MockServer {
    MockServer::start(MockOptions::default().with_scenario(Scenario::new()))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_fleet_refreshes_once_and_survives_a_holder_killed_mid_refresh() {
    let server = mock().await;
    let namespace = format!("fleet-{}", fastrand::u64(..));
    let dir = tempfile::tempdir().unwrap();
    expired_token(&server, &namespace).await;

    // A lease long enough that no live holder starved of CPU loses it.
    let runs = (0..20).map(|n| {
        let (command, own) = member(
            &server,
            &namespace,
            "10",
            dir.path(),
            &[&format!("task {n}")],
        );
        async move { (output(command).await, own) }
    });
    let results = futures_util::future::join_all(runs).await;
    for (result, _) in &results {
        assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    }
    assert_eq!(server.refreshes(), 1, "20 processes, one refresh");

    // A holder killed while its refresh is in flight (the mock holds the refresh for
    // 3 s before it decides anything): the others wait for its 2 s lease, then one of
    // them refreshes.
    expired_token(&server, &namespace).await;
    let before = server.refreshes();
    server.set_refresh_delay(Some(Duration::from_secs(3)));
    server.clear_requests();
    let (mut holder, _own) = member(&server, &namespace, "2", dir.path(), &["the holder"]);
    let mut holder = holder
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !server
        .requests()
        .iter()
        .any(|r| r.path.ends_with("/oauth/token") && r.body.to_string().contains("refresh_token"))
    {
        assert!(Instant::now() < deadline, "the holder never refreshed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let killed = Instant::now();
    kill(
        Pid::from_raw(i32::try_from(holder.id()).unwrap()),
        Signal::SIGKILL,
    )
    .unwrap();
    tokio::task::spawn_blocking(move || holder.wait().unwrap())
        .await
        .unwrap();
    server.set_refresh_delay(None);
    let runs = (0..5).map(|n| {
        let (command, own) = member(
            &server,
            &namespace,
            "2",
            dir.path(),
            &[&format!("after {n}")],
        );
        async move { (output(command).await, own) }
    });
    for (result, _) in futures_util::future::join_all(runs).await {
        assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    }
    // The lease is renewed every third of its 2 s, so at least 1.33 s of it was left.
    assert!(
        killed.elapsed() >= Duration::from_millis(1300),
        "the others waited for the dead holder's lease: {:?}",
        killed.elapsed()
    );
    // Give the killed holder's abandoned refresh time to have been processed, had
    // it been: it must not have been.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(server.refreshes(), before + 1, "exactly one more refresh");
}

#[tokio::test]
async fn a_session_started_by_one_process_resumes_in_another() {
    let server = mock().await;
    let namespace = format!("session-{}", fastrand::u64(..));
    let dir = tempfile::tempdir().unwrap();
    expired_token(&server, &namespace).await;
    let (first, _a) = member(
        &server,
        &namespace,
        "10",
        dir.path(),
        &["remember the number 7"],
    );
    let result = output(first).await;
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let (second, _b) = member(
        &server,
        &namespace,
        "10",
        dir.path(),
        &["resume", "--last", "which number?"],
    );
    let result = output(second).await;
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let last = server.response_requests().pop().unwrap();
    let said = last.body["input"].to_string();
    assert!(
        said.contains("remember the number 7") && said.contains("which number?"),
        "{said}"
    );
}

#[tokio::test]
async fn a_store_that_does_not_answer_is_named() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = cli();
    command
        .args(["hello", "-C", "."])
        .env("CLANKA_AUTH__API_KEY", "sk-mock")
        .env(
            "CLANKA_STORE__URL",
            format!("redis://:secret-pass@127.0.0.1:{port}"),
        )
        .stdin(Stdio::null());
    let result = output(command).await;
    let stderr = text(&result.stderr);
    assert_ne!(result.status.code(), Some(0));
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(!stderr.contains("secret-pass"), "{stderr}");
}
