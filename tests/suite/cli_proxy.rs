//! One trust store and one proxy for both transports: the CLI reaches a TLS mock only
//! through `HTTPS_PROXY` (the backend's address answers nothing directly), trusting
//! its CA through `SSL_CERT_FILE`, over HTTPS and over the WebSocket alike.

use clanka_mock::{ConnectProxy, MockOptions, MockServer, RecordKind};

use super::common::{cli, output, text, token_store};

#[tokio::test]
async fn http_and_websocket_go_through_the_environments_proxy_and_trust_store() {
    let server = MockServer::start(MockOptions::default().with_tls(true))
        .await
        .unwrap();
    let dirs = [(); 3].map(|()| tempfile::tempdir().unwrap());
    let ca = dirs[2].path().join("ca.pem");
    server.write_ca_pem(&ca).unwrap();
    // A port nothing listens on: only the proxy, which routes it to the mock, gets
    // through.
    let unreachable = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let origin = format!("localhost:{unreachable}");
    let proxy = ConnectProxy::start().await.unwrap();
    proxy.route(&origin, server.addr());
    let base = server.url().replace(&server.addr().to_string(), &origin);
    let store = dirs[1].path().join("store");
    token_store(&server, &store, false).await;

    let mut command = cli();
    command
        .arg("-C")
        .arg(dirs[0].path())
        .arg("say hello")
        .env("HTTPS_PROXY", proxy.url())
        .env("SSL_CERT_FILE", &ca)
        .env("CLANKA_AUTH__ISSUER", &base)
        .env(
            "CLANKA_CODEX__BASE_URL",
            format!("{base}/backend-api/codex"),
        )
        .env("CLANKA_STORE__DIR", &store)
        .env("HOME", dirs[2].path());
    let result = output(command).await;

    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let kinds: Vec<RecordKind> = server.requests().iter().map(|r| r.kind).collect();
    assert!(
        kinds.contains(&RecordKind::Http),
        "the catalogue over HTTPS"
    );
    assert!(
        kinds.contains(&RecordKind::WebSocketHandshake),
        "the turn over the WebSocket: {kinds:?}"
    );
    let tunnels = proxy.tunnels();
    assert!(
        tunnels.len() >= 2,
        "one tunnel per transport at least: {tunnels:?}"
    );
    assert!(tunnels.iter().all(|t| t.target == origin && t.opened));
    server.shutdown().await;
}
