//! The way out: a loopback `CONNECT` proxy (with and without credentials, skipped for
//! `no_proxy` hosts) and TLS trust (the platform's store plus configured roots).

use clanka_mock::{ConnectProxy, MockOptions, MockServer};
use clanka_socket::{Message, Proxy, SocketConfig, SocketError, WebSocketConstructor};
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;

use super::server;

fn through(proxy: Proxy) -> WebSocketConstructor {
    WebSocketConstructor::tungstenite(SocketConfig::default().with_proxy(proxy))
}

fn request(url: &str) -> http::Request<()> {
    WebSocketConstructor::request(url).body(()).unwrap()
}

/// `host:port` of a `ws://host:port/path` URL.
fn authority(url: &str) -> String {
    url.split('/').nth(2).unwrap().to_owned()
}

#[tokio::test]
async fn a_socket_goes_through_the_proxy_tunnel() {
    let (url, _headers) = server::echo().await;
    let proxy = ConnectProxy::start().await.unwrap();
    let mut ws = through(Proxy::url(proxy.url()))
        .connect(request(&url))
        .await
        .unwrap();
    ws.send(Message::text("via proxy")).await.unwrap();
    assert_eq!(
        ws.next().await.unwrap().unwrap(),
        Message::text("via proxy")
    );

    let tunnels = proxy.tunnels();
    assert_eq!(tunnels.len(), 1);
    assert_eq!(tunnels[0].target, authority(&url));
    assert_eq!(tunnels[0].authorization, None);
    assert!(tunnels[0].opened);
}

#[tokio::test]
async fn proxy_credentials_are_sent_and_a_refusal_is_a_proxy_error() {
    let (url, _headers) = server::echo().await;
    let proxy = ConnectProxy::start().await.unwrap();
    // "user:secret" in Basic form.
    proxy.require_authorization("Basic dXNlcjpzZWNyZXQ=");
    let with_credentials = proxy.url().replace("http://", "http://user:secret@");
    let proxied = Proxy::url(with_credentials);
    assert!(!format!("{proxied:?}").contains("secret"), "{proxied:?}");

    let ws = through(proxied).connect(request(&url)).await;
    assert!(ws.is_ok(), "{ws:?}");
    let refused = through(Proxy::url(proxy.url()))
        .connect(request(&url))
        .await
        .unwrap_err();
    assert!(matches!(refused, SocketError::Proxy(_)), "{refused:?}");
    let opened: Vec<bool> = proxy.tunnels().iter().map(|t| t.opened).collect();
    assert_eq!(opened, [true, false]);
}

#[tokio::test]
async fn no_proxy_hosts_and_direct_connect_skip_the_proxy() {
    let (url, _headers) = server::echo().await;
    let proxy = ConnectProxy::start().await.unwrap();
    let skipping = Proxy::Url {
        url: proxy.url(),
        no_proxy: "example.com, 127.0.0.1".to_owned(),
    };
    through(skipping).connect(request(&url)).await.unwrap();
    through(Proxy::Direct).connect(request(&url)).await.unwrap();
    assert!(proxy.tunnels().is_empty());
}

#[tokio::test]
async fn a_proxy_url_that_does_not_parse_fails_the_connect_without_showing_it() {
    let (url, _headers) = server::echo().await;
    let error = through(Proxy::url("http://user:secret@[bad"))
        .connect(request(&url))
        .await
        .unwrap_err();
    assert!(matches!(error, SocketError::Proxy(_)), "{error:?}");
    let shown = format!("{error:?} {}", chain(&error));
    assert!(shown.contains("does not parse"), "{shown}");
    assert!(!shown.contains("secret"), "{shown}");
}

/// `error` and its sources, one after another.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// The mock's CA certificate, DER.
fn ca(server: &MockServer) -> Vec<u8> {
    let pem = server.ca_pem().unwrap();
    CertificateDer::from_pem_slice(pem.as_bytes())
        .unwrap()
        .to_vec()
}

/// A `wss://` URL of the TLS mock's Responses socket.
fn wss(server: &MockServer) -> String {
    format!("{}/responses", server.codex_base_url()).replacen("https://", "wss://", 1)
}

#[tokio::test]
async fn tls_trusts_configured_roots_and_refuses_unknown_ones_through_the_proxy_too() {
    let server = MockServer::start(MockOptions::default().with_tls(true))
        .await
        .unwrap();
    let unknown = through(Proxy::Direct)
        .connect(request(&wss(&server)))
        .await
        .unwrap_err();
    assert!(matches!(unknown, SocketError::Tls(_)), "{unknown:?}");

    let proxy = ConnectProxy::start().await.unwrap();
    let trusted = SocketConfig::default()
        .with_proxy(Proxy::url(proxy.url()))
        .with_root_certificate(ca(&server));
    let answer = WebSocketConstructor::tungstenite(trusted)
        .connect(request(&wss(&server)))
        .await;
    // Past TLS, the mock refuses a socket that is not signed in: an HTTP answer.
    match answer {
        Err(SocketError::Handshake { status, .. }) => assert_eq!(status, 401),
        other => panic!("expected the mock's 401, got {other:?}"),
    }
    assert_eq!(proxy.tunnels().len(), 1);
    server.shutdown().await;
}
