//! API-key mode: `Bearer <key>`, no OAuth, no account header.

use clanka_codex::{CodexAuth, DeviceCodeHandlerService};
use pretty_assertions::assert_eq;

use super::common::Harness;

#[tokio::test]
async fn api_key_mode_sends_the_key_and_no_oauth() {
    let h = Harness::start().await;
    let config = h
        .config(false)
        .with_api_key("sk-mock")
        .with_base_url(h.server.api_base_url());
    assert_eq!(config.base_url(), h.server.api_base_url());
    let auth = CodexAuth::new(
        h.http.clone(),
        &h.store,
        DeviceCodeHandlerService::new(h.prompts.clone()),
        config,
    );
    let client = auth.authenticate_http(h.http.clone());
    let url = format!("{}/responses", auth.config().base_url());
    let request = client
        .request(reqwest::Method::POST, url)
        .json(&super::common::responses_body());
    let response = client.send(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let requests = h.server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/v1/responses");
    assert_eq!(requests[0].header("authorization"), Some("Bearer sk-mock"));
    assert_eq!(requests[0].header("chatgpt-account-id"), None);
}
