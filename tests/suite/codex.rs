//! `codex::layer_client` against clanka-mock: shared auth, reuse across builds.

use std::time::Duration;

use clanka::codex;
use clanka::runtime::{BuildError, Layer};
use clanka::{http, kv, socket};
use clanka_codex::{
    CodexAuth, CodexAuthConfig, CodexClient, DeviceCodeHandlerService, RecordingDeviceCodeHandler,
};
use clanka_http::{HttpClient, HttpConfig};
use clanka_mock::{MockOptions, MockServer};
use clanka_socket::SocketConfig;

/// Stand-ins for two models, each taking the Codex client.
#[derive(Clone)]
struct ModelA(CodexClient);
#[derive(Clone)]
struct ModelB(CodexClient);

fn config(server: &MockServer) -> CodexAuthConfig {
    CodexAuthConfig::new()
        .with_issuer(server.issuer_url())
        .with_interactive(true)
        .with_poll_safety_margin(Duration::ZERO)
}

fn deps(store: &std::path::Path, prompts: &RecordingDeviceCodeHandler) -> Layer {
    Layer::merge_all([
        http::layer_reqwest(HttpConfig::default()),
        socket::layer_tungstenite(SocketConfig::default()),
        kv::layer_file_system(store),
        codex::layer_prompt(DeviceCodeHandlerService::new(prompts.clone())),
    ])
}

async fn post(server: &MockServer, client: &HttpClient) -> anyhow::Result<u16> {
    let body = r#"{
        "model": "gpt-5.5", "instructions": "be brief", "tools": [],
        "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
        "tool_choice": "auto", "parallel_tool_calls": false, "store": false, "stream": true,
        "include": ["reasoning.encrypted_content"], "prompt_cache_key": "conv-1"
    }"#;
    let url = format!("{}/responses", server.codex_base_url());
    let request = client
        .request("POST".parse()?, url)
        .header("content-type", "application/json")
        .body(body);
    let response = client.send(request).await?;
    Ok(response.status().as_u16())
}

fn logins(server: &MockServer) -> usize {
    let requests = server.requests();
    requests
        .iter()
        .filter(|r| r.path == "/api/accounts/deviceauth/usercode")
        .count()
}

#[tokio::test]
async fn models_given_one_client_recipe_share_one_login() {
    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let prompts = RecordingDeviceCodeHandler::default();
    let client = codex::layer_client(config(&server)).provide(&deps(dir.path(), &prompts));
    let model_a = Layer::effect("a", |(c,): (CodexClient,)| async move {
        Ok::<_, BuildError>(ModelA(c))
    });
    let model_b = Layer::effect("b", |(c,): (CodexClient,)| async move {
        Ok::<_, BuildError>(ModelB(c))
    });
    let graph = model_a
        .provide(&client)
        .merge(&model_b.provide(&client))
        .merge(&client);
    let runtime = graph.build().await.unwrap();
    let (ModelA(a), ModelB(b)) = (runtime.get().unwrap(), runtime.get().unwrap());
    let (sa, sb) = tokio::join!(post(&server, a.http()), post(&server, b.http()));
    assert_eq!((sa.unwrap(), sb.unwrap()), (200, 200));
    assert_eq!(logins(&server), 1);
    assert_eq!(prompts.prompts().len(), 1);
    let auth: CodexAuth = runtime.get().unwrap();
    assert!(auth.stored().await.unwrap().is_some());
    let sent = server.response_requests();
    assert!(
        sent.iter()
            .all(|r| r.header("chatgpt-account-id") == Some("acct_mock"))
    );

    // A second build over the same directory reuses the stored token: no new login.
    let again = codex::layer_client(config(&server).with_interactive(false))
        .provide(&deps(dir.path(), &prompts));
    let runtime = again.build().await.unwrap();
    let client: CodexClient = runtime.get().unwrap();
    assert_eq!(post(&server, client.http()).await.unwrap(), 200);
    assert_eq!(logins(&server), 1);
}
