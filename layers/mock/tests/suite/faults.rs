//! Every fault over HTTP.

use std::time::{Duration, Instant};

use clanka_mock::{HttpError, MockOptions, MockServer, Scenario, ScriptedResponse};
use serde_json::{Value, json};

use super::common::{body, parse_sse, post, server_with, user};

async fn with(script: ScriptedResponse) -> MockServer {
    server_with(MockOptions::default().with_scenario(Scenario::new().respond(script))).await
}

#[tokio::test]
async fn rate_limited_429() {
    let server = with(ScriptedResponse::new().http_error(HttpError::rate_limited(0.2))).await;
    let response = post(&server, &body(vec![user("x")])).await;
    assert_eq!(response.status(), 429);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "rate_limit_exceeded");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("try again in 0.2s")
    );
    // the next request of the conversation gets the default behaviour
    assert_eq!(post(&server, &body(vec![user("x")])).await.status(), 200);
}

#[tokio::test]
async fn usage_limit_429() {
    let server =
        with(ScriptedResponse::new().http_error(HttpError::usage_limit(1_900_000_000))).await;
    let response = post(&server, &body(vec![user("x")])).await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["x-codex-primary-used-percent"], "100.0");
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["type"], "usage_limit_reached");
    assert_eq!(error["error"]["resets_at"], 1_900_000_000);
    assert_eq!(error["error"]["plan_type"], "pro");
}

#[tokio::test]
async fn server_errors_500_503_and_custom() {
    for (error, status, code) in [
        (HttpError::ServerError, 500, "server_error"),
        (HttpError::Overloaded, 503, "server_is_overloaded"),
        (
            HttpError::Custom {
                status: 418,
                body: json!({"error": {"code": "teapot"}}),
            },
            418,
            "teapot",
        ),
    ] {
        let server = with(ScriptedResponse::new().http_error(error)).await;
        let response = post(&server, &body(vec![user("x")])).await;
        assert_eq!(response.status(), status);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code);
    }
}

#[tokio::test]
async fn delay_between_events() {
    let server = with(
        ScriptedResponse::new()
            .message("a b c")
            .delay(Duration::from_millis(20)),
    )
    .await;
    let started = Instant::now();
    let text = post(&server, &body(vec![user("x")]))
        .await
        .text()
        .await
        .unwrap();
    let frames = parse_sse(&text);
    assert!(started.elapsed() >= Duration::from_millis(20) * frames.len() as u32);
}

#[tokio::test]
async fn drop_after_n_events() {
    let server = with(ScriptedResponse::new().message("a b c").drop_after(3)).await;
    let response = post(&server, &body(vec![user("x")])).await;
    assert_eq!(response.status(), 200);
    let mut response = response;
    let mut received = Vec::new();
    let error = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => received.extend_from_slice(&chunk),
            Ok(None) => panic!("body ended cleanly"),
            Err(error) => break error,
        }
    };
    assert!(error.is_body() || error.is_decode(), "{error:?}");
    let frames = parse_sse(&String::from_utf8(received).unwrap());
    assert_eq!(frames.len(), 3);
}

#[tokio::test]
async fn response_failed_then_close() {
    let script = ScriptedResponse::new()
        .message("partial")
        .failed("rate_limit_exceeded", "Please try again in 1.5s");
    let server = with(script).await;
    let text = post(&server, &body(vec![user("x")]))
        .await
        .text()
        .await
        .unwrap();
    let frames = parse_sse(&text);
    let (kind, data) = frames.last().unwrap();
    assert_eq!(kind, "response.failed");
    let failed: Value = serde_json::from_str(data).unwrap();
    assert_eq!(failed["response"]["error"]["code"], "rate_limit_exceeded");
    assert!(frames.iter().all(|(k, _)| k != "response.completed"));
}

#[tokio::test]
async fn malformed_event() {
    let server = with(ScriptedResponse::new().message("x").malformed_event(2)).await;
    let text = post(&server, &body(vec![user("x")]))
        .await
        .text()
        .await
        .unwrap();
    let frames = parse_sse(&text);
    let bad: Vec<usize> = frames
        .iter()
        .enumerate()
        .filter(|(_, (_, data))| serde_json::from_str::<Value>(data).is_err())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(bad, [2]);
    assert_eq!(frames.last().unwrap().0, "response.completed");
}

#[tokio::test]
async fn end_without_completed() {
    let server = with(ScriptedResponse::new().message("x").no_completed()).await;
    let text = post(&server, &body(vec![user("x")]))
        .await
        .text()
        .await
        .unwrap();
    let frames = parse_sse(&text);
    assert_eq!(frames.last().unwrap().0, "response.output_item.done");
    assert!(frames.iter().all(|(k, _)| k != "response.completed"));
}
