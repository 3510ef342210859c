//! Helpers: start a server, post a responses request, parse SSE, open a WebSocket.

use clanka_mock::{MockOptions, MockServer};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub(super) type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(super) async fn server() -> MockServer {
    MockServer::start(MockOptions::default()).await.unwrap()
}

pub(super) async fn server_with(options: MockOptions) -> MockServer {
    MockServer::start(options).await.unwrap()
}

pub(super) fn user(text: &str) -> Value {
    json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]})
}

/// A valid request body for `input`.
pub(super) fn body(input: Vec<Value>) -> Value {
    json!({
        "model": "gpt-5.5", "instructions": "be brief", "input": input, "tools": [],
        "tool_choice": "auto", "parallel_tool_calls": false, "store": false, "stream": true,
        "include": ["reasoning.encrypted_content"], "prompt_cache_key": "conv-1",
    })
}

pub(super) async fn post(server: &MockServer, body: &Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/responses", server.codex_base_url()))
        .bearer_auth("sk-mock")
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Parsed SSE frames: (event name, data text).
pub(super) fn parse_sse(text: &str) -> Vec<(String, String)> {
    text.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut event = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    event = v.to_owned();
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = v.to_owned();
                }
            }
            (event, data)
        })
        .collect()
}

/// The JSON events of an SSE body (all must parse).
pub(super) async fn events(response: reqwest::Response) -> Vec<Value> {
    let text = response.text().await.unwrap();
    parse_sse(&text)
        .into_iter()
        .map(|(event, data)| {
            let value: Value = serde_json::from_str(&data).unwrap();
            assert_eq!(value["type"], event.as_str());
            value
        })
        .collect()
}

pub(super) fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

pub(super) async fn connect(server: &MockServer, token: &str) -> Ws {
    let url = format!(
        "{}/responses",
        server.codex_base_url().replace("http://", "ws://")
    );
    let mut request = url.into_client_request().unwrap();
    let headers = request.headers_mut();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    headers.insert(
        "openai-beta",
        "responses_websockets=2026-02-06".parse().unwrap(),
    );
    headers.insert("session-id", "ws-session".parse().unwrap());
    let (ws, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(response.status(), 101);
    ws
}

pub(super) async fn send(ws: &mut Ws, value: &Value) {
    use futures_util::SinkExt as _;
    ws.send(Message::text(value.to_string())).await.unwrap();
}

/// The next text frame as JSON (skipping pings); `None` on close or end.
pub(super) async fn next_json(ws: &mut Ws) -> Option<Value> {
    use futures_util::StreamExt as _;
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("timed out waiting for a frame")?;
        match message {
            Ok(Message::Text(text)) => return Some(serde_json::from_str(text.as_str()).unwrap()),
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            Ok(_) | Err(_) => return None,
        }
    }
}

/// Frames up to and including `response.completed` / `response.failed` / `error`.
pub(super) async fn response_frames(ws: &mut Ws) -> Vec<Value> {
    let mut frames = Vec::new();
    while let Some(frame) = next_json(ws).await {
        let kind = frame["type"].as_str().unwrap_or_default().to_owned();
        frames.push(frame);
        if matches!(
            kind.as_str(),
            "response.completed" | "response.failed" | "error"
        ) {
            break;
        }
    }
    frames
}

pub(super) fn create(input: Vec<Value>) -> Value {
    let mut value = body(input);
    value["type"] = json!("response.create");
    value
}
