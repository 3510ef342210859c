//! `codex::model` and `codex::model_websocket` built from recipes, streaming from clanka-mock.

use clanka::codex;
use clanka::runtime::Layer;
use clanka_mock::{MockOptions, MockServer, RecordKind};
use clanka_model::{
    LanguageModel, ModelName, Prompt, ProviderName, ProviderOptions, ReasoningEffort,
};

async fn graph(
    server: &MockServer,
    store: &std::path::Path,
    model: Layer,
) -> clanka::runtime::Runtime {
    let client = super::common::client(server, store);
    model.provide(&client).build().await.unwrap()
}

#[tokio::test]
async fn model_websocket_streams_a_reply_after_one_login() {
    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = ProviderOptions::default().reasoning_effort(ReasoningEffort::High);
    let runtime = graph(
        &server,
        dir.path(),
        codex::model_websocket("gpt-6.1-sol", options),
    )
    .await;

    let model: LanguageModel = runtime.get().unwrap();
    let reply = model.generate(Prompt::new().user("hello")).await.unwrap();

    assert_eq!(reply.text(), "You said: \"hello\"");
    assert_eq!(runtime.get::<ProviderName>().unwrap().as_str(), "openai");
    assert_eq!(runtime.get::<ModelName>().unwrap().as_str(), "gpt-6.1-sol");
    let requests = server.requests();
    let handshake = requests
        .iter()
        .find(|r| r.kind == RecordKind::WebSocketHandshake)
        .unwrap();
    assert!(
        handshake
            .header("authorization")
            .is_some_and(|h| h.starts_with("Bearer "))
    );
    assert_eq!(handshake.header("chatgpt-account-id"), Some("acct_mock"));
    let create = requests
        .iter()
        .find(|r| r.kind == RecordKind::WebSocketMessage)
        .unwrap();
    assert_eq!(create.body["model"], "gpt-6.1-sol");
    assert_eq!(create.body["reasoning"]["effort"], "high");
    let logins = requests
        .iter()
        .filter(|r| r.path == "/api/accounts/deviceauth/usercode")
        .count();
    assert_eq!(logins, 1);
    runtime.shutdown().await;
}

#[tokio::test]
async fn model_over_sse_posts_once_per_turn() {
    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let runtime = graph(
        &server,
        dir.path(),
        codex::model("gpt-5.5", ProviderOptions::default()),
    )
    .await;
    let model: LanguageModel = runtime.get().unwrap();

    let reply = model.generate(Prompt::new().user("ping")).await.unwrap();

    assert_eq!(reply.text(), "You said: \"ping\"");
    let posts = server.response_requests();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].kind, RecordKind::Http);
    assert_eq!(posts[0].body["model"], "gpt-5.5");
}
