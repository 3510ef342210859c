//! Today's backend through the CLI: the catalogue chooses the model and refuses
//! retired ones before any request, and ChatGPT-mode requests look like the official
//! client's (no top-level instructions, the prompt as developer messages, zstd
//! bodies, the turn's routing token echoed on its follow-up requests).

use clanka_mock::{MockOptions, MockServer, Scenario, ScriptedResponse};
use serde_json::json;

use super::common::{cli, output, text, token_store};

/// The CLI signed in with ChatGPT to `server`, in a fresh directory and store.
async fn signed_in_cli(server: &MockServer, args: &[&str]) -> std::process::Output {
    let (dir, store) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    token_store(server, store.path(), false).await;
    let mut command = cli();
    command
        .args(args)
        .arg("-C")
        .arg(dir.path())
        .arg("say hi")
        .env("CLANKA_AUTH__ISSUER", server.issuer_url())
        .env("CLANKA_CODEX__BASE_URL", server.codex_base_url())
        .env("CLANKA_STORE__DIR", store.path());
    output(command).await
}

#[tokio::test]
async fn the_catalogue_picks_the_model_and_a_retired_one_is_refused_before_any_request() {
    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let result = signed_in_cli(&server, &["--http"]).await;
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let sent = server.response_requests();
    assert_eq!(sent[0].field("model"), Some(&json!("gpt-6.1-sol")));
    // The catalogue's default effort for it.
    assert_eq!(sent[0].body["reasoning"]["effort"], "low");

    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let result = signed_in_cli(&server, &["--model", "gpt-5.3-codex"]).await;
    let stderr = text(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`gpt-5.3-codex` is not available"),
        "{stderr}"
    );
    assert!(stderr.contains("gpt-6.1-sol, gpt-6-astra"), "{stderr}");
    assert!(
        server.response_requests().is_empty(),
        "refused before any request"
    );

    let result = signed_in_cli(&server, &["--model", "gpt-5.5", "--effort", "ultra"]).await;
    let stderr = text(&result.stderr);
    assert_eq!(result.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("does not support reasoning effort `ultra`"),
        "{stderr}"
    );
    server.shutdown().await;
}

/// A tool round: a command, then the answer.
fn tool_round() -> Scenario {
    Scenario::new()
        .respond(ScriptedResponse::new().function_call("exec_command", json!({"cmd": "true"})))
        .respond(ScriptedResponse::new().message("done"))
}

#[tokio::test]
async fn chatgpt_requests_follow_the_official_client() {
    for transport in [&["--http"][..], &[][..]] {
        let options = MockOptions::default()
            .with_scenario(tool_round())
            .with_turn_state(true);
        let server = MockServer::start(options).await.unwrap();
        let result = signed_in_cli(&server, transport).await;
        assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
        let sent = server.response_requests();
        assert_eq!(sent.len(), 2, "{transport:?}");
        let first = &sent[0];
        assert!(
            !first.sent_instructions(),
            "no top-level instructions: {}",
            first.body
        );
        let head = &first.input().unwrap()[0];
        assert_eq!(head["role"], "developer");
        assert!(
            head["content"][0]["text"]
                .as_str()
                .unwrap()
                .starts_with("You are clanka, a coding agent"),
            "{head}"
        );
        assert_eq!(first.turn_state(), None, "a turn starts without a token");
        let echoed = sent[1].turn_state();
        assert!(
            echoed.is_some_and(|t| t.starts_with("ts-")),
            "{transport:?}: {echoed:?}"
        );
        if transport.is_empty() {
            continue; // WebSocket messages are never compressed
        }
        assert_eq!(first.header("content-encoding"), Some("zstd"));
        server.shutdown().await;
    }
}

#[tokio::test]
async fn models_lists_the_catalogue_and_marks_the_defaults() {
    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let store = tempfile::tempdir().unwrap();
    token_store(&server, store.path(), false).await;
    let mut command = cli();
    command
        .arg("models")
        .env("CLANKA_AUTH__ISSUER", server.issuer_url())
        .env("CLANKA_CODEX__BASE_URL", server.codex_base_url())
        .env("CLANKA_STORE__DIR", store.path());
    let result = output(command).await;
    let shown = text(&result.stdout);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let default = shown
        .lines()
        .find(|line| line.starts_with("gpt-6.1-sol "))
        .unwrap();
    assert!(default.contains("258400"), "{default}");
    assert!(
        default.contains("low medium high xhigh max ultra"),
        "{default}"
    );
    assert!(
        default.contains("(default; sub-agents at low)"),
        "{default}"
    );
    assert!(
        !shown.contains("codex-auto-review"),
        "hidden models are not listed"
    );
    assert!(
        shown.contains("catalogue: fetched from the backend"),
        "{shown}"
    );
    server.shutdown().await;
}
