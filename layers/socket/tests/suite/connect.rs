//! Connecting: headers, echo, handshake failures, timeout, layers.

use std::time::{Duration, Instant};

use clanka_socket::{Message, SocketConfig, SocketError, WebSocketConstructor};
use futures_util::{SinkExt, StreamExt};
use tower::util::MapRequestLayer;

use super::server;

fn sockets() -> WebSocketConstructor {
    WebSocketConstructor::tungstenite(SocketConfig::default())
}

#[tokio::test]
async fn custom_headers_arrive_and_echo_works() {
    let (url, mut headers) = server::echo().await;
    let req = WebSocketConstructor::request(url.as_str())
        .header("openai-beta", "responses_websockets=2026-02-06")
        .header("x-client-request-id", "thread-1")
        .body(())
        .unwrap();
    let mut ws = sockets().connect(req).await.unwrap();
    let seen = headers.recv().await.unwrap();
    assert_eq!(seen["openai-beta"], "responses_websockets=2026-02-06");
    assert_eq!(seen["x-client-request-id"], "thread-1");
    assert_eq!(seen["upgrade"], "websocket");
    assert_eq!(
        seen["host"],
        url.trim_start_matches("ws://").trim_end_matches("/socket")
    );

    ws.send(Message::text("hello")).await.unwrap();
    let reply = ws.next().await.unwrap().unwrap();
    assert_eq!(reply, Message::text("hello"));
    ws.close(None).await.unwrap();
}

/// Messages far larger than the 16 KiB read buffer arrive whole.
#[tokio::test]
async fn messages_larger_than_the_read_buffer_arrive_whole() {
    let (url, _headers) = server::echo().await;
    let req = WebSocketConstructor::request(url.as_str())
        .body(())
        .unwrap();
    let mut ws = sockets().connect(req).await.unwrap();
    let big: String = (0..1_000_000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    assert!(big.len() > 60 * clanka_socket::READ_BUFFER_SIZE);
    ws.send(Message::text(big.clone())).await.unwrap();
    let reply = ws.next().await.unwrap().unwrap();
    assert_eq!(reply, Message::text(big));
    ws.close(None).await.unwrap();
}

#[tokio::test]
async fn refused_upgrade_carries_the_status() {
    let url = server::http_reply(
        "HTTP/1.1 426 Upgrade Required\r\ncontent-length: 8\r\nconnection: close\r\n\r\nuse http",
    )
    .await;
    let req = WebSocketConstructor::request(url.as_str())
        .body(())
        .unwrap();
    let err = sockets().connect(req).await.unwrap_err();
    assert_eq!(
        err.status(),
        Some(http::StatusCode::UPGRADE_REQUIRED),
        "{err:?}"
    );
    match err {
        SocketError::Handshake { body, .. } => assert_eq!(body.as_deref(), Some("use http")),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn silent_server_times_out() {
    let url = server::silent().await;
    let config = SocketConfig::default().with_connect_timeout(Duration::from_millis(200));
    let sockets = WebSocketConstructor::tungstenite(config);
    let req = WebSocketConstructor::request(url.as_str())
        .body(())
        .unwrap();
    let start = Instant::now();
    let err = sockets.connect(req).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn bad_scheme_is_an_invalid_request() {
    let req = WebSocketConstructor::request("http://127.0.0.1:1/")
        .body(())
        .unwrap();
    let err = sockets().connect(req).await.unwrap_err();
    assert!(matches!(err, SocketError::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn refused_connection_is_io() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    drop(listener);
    let req = WebSocketConstructor::request(url.as_str())
        .body(())
        .unwrap();
    let err = sockets().connect(req).await.unwrap_err();
    assert!(matches!(err, SocketError::Io(_)), "{err:?}");
}

#[tokio::test]
async fn with_layer_adds_a_handshake_header() {
    let (url, mut headers) = server::echo().await;
    let sockets = sockets().with_layer(MapRequestLayer::new(|mut req: http::Request<()>| {
        req.headers_mut()
            .insert("authorization", "Bearer token".parse().unwrap());
        req
    }));
    let req = WebSocketConstructor::request(url.as_str())
        .body(())
        .unwrap();
    let _ws = sockets.connect(req).await.unwrap();
    assert_eq!(
        headers.recv().await.unwrap()["authorization"],
        "Bearer token"
    );
}

#[test]
fn debug_hides_internals() {
    assert_eq!(format!("{:?}", sockets()), "WebSocketConstructor { .. }");
}
