//! Two OS processes sharing one file store refresh once between them.
//!
//! The parent re-runs this test binary twice with `--exact … --ignored`; each child
//! runs `child_refreshes_from_the_shared_store` against the store and mock named in
//! the environment.

use std::process::{Command, Stdio};

use clanka_codex::{CodexAuth, DeviceCodeHandlerService, RecordingDeviceCodeHandler};
use clanka_http::{HttpClient, HttpConfig};
use clanka_kv::KeyValueStore;
use pretty_assertions::assert_eq;

use super::common::{Harness, config, is_refresh};

const DIR_VAR: &str = "CLANKA_CODEX_TEST_STORE";
const ISSUER_VAR: &str = "CLANKA_CODEX_TEST_ISSUER";
const CHILD: &str = "suite::process::child_refreshes_from_the_shared_store";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_refresh_once() {
    let h = Harness::start().await;
    let issued = h.seed_expired().await;
    let exe = std::env::current_exe().unwrap();
    let spawn = || {
        Command::new(&exe)
            .args([
                "--exact",
                CHILD,
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DIR_VAR, h.dir.path().join("store"))
            .env(ISSUER_VAR, h.server.issuer_url())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children = [spawn(), spawn()];
    let outputs = tokio::task::spawn_blocking(move || {
        children.map(|child| child.wait_with_output().unwrap())
    })
    .await
    .unwrap();
    for output in &outputs {
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("1 passed"), "{stdout}");
    }
    assert_eq!(h.count(is_refresh), 1);
    let stored = h.tokens().load().await.unwrap().unwrap();
    assert_ne!(stored.refresh.expose(), issued.refresh_token);
    assert!(stored.is_fresh(std::time::Duration::from_secs(60)));
}

#[tokio::test]
#[ignore = "run by two_processes_refresh_once in a child process"]
async fn child_refreshes_from_the_shared_store() {
    let (Ok(dir), Ok(issuer)) = (std::env::var(DIR_VAR), std::env::var(ISSUER_VAR)) else {
        return;
    };
    let auth = CodexAuth::new(
        HttpClient::new(HttpConfig::default()).unwrap(),
        &KeyValueStore::file_system(dir).unwrap(),
        DeviceCodeHandlerService::new(RecordingDeviceCodeHandler::default()),
        config(&issuer, false),
    );
    let token = auth.get().await.unwrap();
    assert!(token.is_fresh(std::time::Duration::from_secs(60)));
}
