//! A mock server and models pointed at it, authenticated with the mock's API key.

use std::time::Duration;

use clanka_http::{Backoff, HttpClient, HttpConfig};
use clanka_mock::{MockOptions, MockServer, Scenario};
use clanka_model::{LanguageModel, Prompt, Response, ResponseCollector, StreamPart};
use clanka_responses::{ResponsesConfig, ResponsesModel};
use clanka_socket::{SocketConfig, WebSocketConstructor};
use futures_util::StreamExt as _;
use http::HeaderValue;
use tower::util::MapRequestLayer;

pub(super) async fn server(scenario: Scenario) -> MockServer {
    MockServer::start(MockOptions::default().with_scenario(scenario))
        .await
        .unwrap()
}

pub(super) fn config(server: &MockServer) -> ResponsesConfig {
    ResponsesConfig::new("gpt-5.5")
        .base_url(server.codex_base_url())
        .retry_base_delay(Duration::from_millis(10))
}

fn bearer() -> HeaderValue {
    HeaderValue::from_static("Bearer sk-mock")
}

pub(super) fn http() -> HttpClient {
    http_with(HttpConfig::default().with_retries(4, Duration::from_millis(10)))
}

/// A client that never retries, so the model's own retries are what a test sees.
pub(super) fn http_without_retries() -> HttpClient {
    http_with(HttpConfig::default().with_backoff(Backoff::none()))
}

fn http_with(config: HttpConfig) -> HttpClient {
    HttpClient::new(config)
        .unwrap()
        .with_layer(MapRequestLayer::new(|mut request: reqwest::Request| {
            request.headers_mut().insert("authorization", bearer());
            request
        }))
}

pub(super) fn sockets() -> WebSocketConstructor {
    WebSocketConstructor::tungstenite(SocketConfig::default()).with_layer(MapRequestLayer::new(
        |mut request: http::Request<()>| {
            request.headers_mut().insert("authorization", bearer());
            request
        },
    ))
}

pub(super) fn sse_model(config: ResponsesConfig) -> ResponsesModel {
    ResponsesModel::sse(http(), config)
}

pub(super) fn ws_model(config: ResponsesConfig) -> ResponsesModel {
    ResponsesModel::websocket(http(), sockets(), config)
}

/// Every part (or the error ending the stream).
pub(super) async fn parts(
    model: &LanguageModel,
    prompt: Prompt,
) -> (Vec<StreamPart>, Option<clanka_model::AiError>) {
    let mut stream = model.stream(prompt).await.unwrap();
    let mut parts = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(part) => parts.push(part),
            Err(error) => return (parts, Some(error)),
        }
    }
    (parts, None)
}

pub(super) async fn generate(model: &ResponsesModel, prompt: Prompt) -> Response {
    model
        .clone()
        .language_model()
        .generate(prompt)
        .await
        .unwrap()
}

/// The text deltas of `parts`, concatenated.
pub(super) fn text(parts: &[StreamPart]) -> String {
    parts
        .iter()
        .filter_map(|part| match part {
            StreamPart::TextDelta { delta, .. } => Some(delta.as_str()),
            _ => None,
        })
        .collect()
}

/// The response a consumer keeps from `parts`: retried attempts are discarded.
pub(super) fn kept(parts: &[StreamPart]) -> Response {
    let mut collector = ResponseCollector::new();
    for part in parts {
        collector.push(part);
    }
    collector.response().clone()
}

/// The `discard` lists of the retry notices among `parts`.
pub(super) fn retries(parts: &[StreamPart]) -> Vec<Vec<String>> {
    parts
        .iter()
        .filter_map(|part| match part {
            StreamPart::Retry { discard, .. } => Some(discard.clone()),
            _ => None,
        })
        .collect()
}
