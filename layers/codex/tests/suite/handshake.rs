//! WebSocket handshakes carry the auth headers.

use clanka_socket::{SocketConfig, WebSocketConstructor};
use pretty_assertions::assert_eq;

use super::common::Harness;

#[tokio::test]
async fn handshake_carries_bearer_and_account() {
    let h = Harness::start().await;
    let auth = h.auth(true);
    let sockets =
        auth.authenticate_sockets(WebSocketConstructor::tungstenite(SocketConfig::default()));
    let token = auth.get().await.unwrap();
    let url = format!("{}/responses", h.server.codex_base_url()).replacen("http", "ws", 1);
    let request = WebSocketConstructor::request(url.as_str())
        .body(())
        .unwrap();
    let socket = sockets.connect(request).await.unwrap();
    drop(socket);
    let handshake = h
        .server
        .requests()
        .into_iter()
        .find(|r| r.kind == clanka_mock::RecordKind::WebSocketHandshake)
        .unwrap();
    let bearer = format!("Bearer {}", token.access.expose());
    assert_eq!(handshake.header("authorization"), Some(bearer.as_str()));
    assert_eq!(handshake.header("chatgpt-account-id"), Some("acct_mock"));
}
