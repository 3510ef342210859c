//! WebSocket handshakes carry the auth headers.

use clanka_socket::{SocketConfig, WebSocketConstructor};
use pretty_assertions::assert_eq;

use super::common::{Harness, is_refresh};

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

#[tokio::test]
async fn a_handshake_refused_with_401_refreshes_and_reconnects_once() {
    let h = Harness::start().await;
    let auth = h.auth(true);
    let sockets =
        auth.authenticate_sockets(WebSocketConstructor::tungstenite(SocketConfig::default()));
    let before = auth.get().await.unwrap();
    h.server.expire_all_access_tokens();

    let url = format!("{}/responses", h.server.codex_base_url()).replacen("http", "ws", 1);
    let request = WebSocketConstructor::request(url.as_str())
        .body(())
        .unwrap();
    drop(sockets.connect(request).await.unwrap());

    assert_eq!(h.count(is_refresh), 1);
    let bearers: Vec<_> = h
        .server
        .requests()
        .into_iter()
        .filter(|r| r.kind == clanka_mock::RecordKind::WebSocketHandshake)
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    let after = h.tokens().load().await.unwrap().unwrap();
    assert_eq!(
        bearers,
        [
            format!("Bearer {}", before.access.expose()),
            format!("Bearer {}", after.access.expose())
        ]
    );
}
