//! The model catalogue, its ETag, and the refusal of models it does not list.

use clanka_mock::{MockOptions, MockServer, Scenario, builtin_models};
use serde_json::{Value, json};

use super::common::{
    body, connect, create, events, next_json, post, send, server, server_with, user,
};

async fn models(server: &MockServer, etag: Option<&str>) -> reqwest::Response {
    let url = format!("{}/models?client_version=0.169.0", server.codex_base_url());
    let mut request = reqwest::Client::new().get(url).bearer_auth("sk-mock");
    if let Some(etag) = etag {
        request = request.header("if-none-match", etag);
    }
    request.send().await.unwrap()
}

fn slugs(body: &Value) -> Vec<&str> {
    body["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["slug"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_builtin_catalogue_with_etag_and_304() {
    let server = server().await;
    let response = models(&server, None).await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, server.models_etag());
    let body: Value = response.json().await.unwrap();
    assert!(slugs(&body).contains(&"gpt-5.5") && slugs(&body).contains(&"gpt-6.1-sol"));
    assert_eq!(
        body["models"].as_array().unwrap().len(),
        builtin_models().len()
    );
    assert!(body["models"][0]["base_instructions"].is_string());

    let again = models(&server, Some(&etag)).await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.unwrap().is_empty());

    let unauthenticated = reqwest::get(format!("{}/models", server.codex_base_url()))
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
}

#[tokio::test]
async fn replaced_by_option_at_runtime_and_by_scenario() {
    let mine = vec![json!({"slug": "mock-model", "display_name": "Mock"})];
    let server = server_with(MockOptions::default().with_models(mine.clone())).await;
    let first = models(&server, None).await;
    let first_etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(slugs(&first.json().await.unwrap()), ["mock-model"]);
    assert_eq!(server.models(), mine);

    server.set_models(builtin_models());
    assert_ne!(server.models_etag(), first_etag);
    assert_eq!(models(&server, Some(&first_etag)).await.status(), 200);

    server.set_scenario(Scenario::new().with_catalog(mine));
    assert_eq!(server.models_etag(), first_etag);
    let control = reqwest::Client::new()
        .post(format!("{}/__mock/models", server.url()))
        .json(&json!({"models": [{"slug": "other"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(control.status(), 204);
    assert_eq!(
        slugs(&models(&server, None).await.json().await.unwrap()),
        ["other"]
    );
}

#[tokio::test]
async fn responses_carry_x_models_etag_when_asked() {
    let server = server_with(MockOptions::default().with_models_etag_header(true)).await;
    let response = post(&server, &body(vec![user("x")])).await;
    assert_eq!(
        response.headers()["x-models-etag"],
        server.models_etag().as_str()
    );
    server.set_models(vec![json!({"slug": "gpt-5.5"})]);
    let response = post(&server, &body(vec![user("x")])).await;
    assert_eq!(
        response.headers()["x-models-etag"],
        server.models_etag().as_str()
    );
    let plain = server_with(MockOptions::default()).await;
    let response = post(&plain, &body(vec![user("x")])).await;
    assert!(!response.headers().contains_key("x-models-etag"));
}

fn with_model(model: &str) -> Value {
    let mut request = body(vec![user("x")]);
    request["model"] = json!(model);
    request
}

fn retired(model: &str) -> Value {
    let message =
        format!("The '{model}' model is not supported when using Codex with a ChatGPT account.");
    json!({"error": {"type": "invalid_request_error", "message": message}})
}

#[tokio::test]
async fn retired_and_unknown_models_are_refused_on_the_chatgpt_path() {
    let server = server().await;
    for model in ["gpt-5.3-codex", "gpt-5.4", "no-such-model"] {
        let response = post(&server, &with_model(model)).await;
        assert_eq!(response.status(), 400);
        assert_eq!(response.json::<Value>().await.unwrap(), retired(model));
    }
    let mut ws = connect(&server, "sk-mock").await;
    let mut request = create(vec![user("x")]);
    request["model"] = json!("gpt-5.4");
    send(&mut ws, &request).await;
    let frame = next_json(&mut ws).await.unwrap();
    let mut expected = retired("gpt-5.4");
    expected["type"] = json!("error");
    expected["status"] = json!(400);
    assert_eq!(frame, expected);
}

#[tokio::test]
async fn the_api_key_path_and_accept_any_model_take_any_model() {
    let server = server().await;
    let response = reqwest::Client::new()
        .post(format!("{}/responses", server.api_base_url()))
        .bearer_auth("sk-mock")
        .json(&with_model("gpt-5.3-codex"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    events(response).await;
    let lenient = server_with(MockOptions::default().with_accept_any_model(true)).await;
    assert_eq!(
        post(&lenient, &with_model("gpt-5.3-codex")).await.status(),
        200
    );
}
