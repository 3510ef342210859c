//! Connect errors and the per-read timeout.

use std::time::Duration;

use clanka_http::{HttpClient, HttpConfig, HttpError};
use reqwest::Method;

use super::server::{Body, Reply, TestServer};

fn client(read_timeout: Duration) -> HttpClient {
    let config = HttpConfig::default()
        .with_read_timeout(read_timeout)
        .with_retries(1, Duration::from_millis(10));
    HttpClient::new(config).unwrap()
}

#[tokio::test]
async fn read_timeout_fires_when_the_body_stalls() {
    let body = Body::Stall { sent: 5, len: 10 };
    let server = TestServer::start(vec![Reply::status(200).body(body)]).await;
    let client = client(Duration::from_millis(300));
    let res = client
        .send(client.request(Method::GET, &server.url))
        .await
        .unwrap();
    let err = res.bytes().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn slow_steady_stream_outlives_the_read_timeout() {
    let every = Duration::from_millis(100);
    let body = Body::Drip { len: 30, every };
    let server = TestServer::start(vec![Reply::status(200).body(body)]).await;
    // Each gap is 100 ms and the whole body 3 s: a read timeout of 1 s leaves room
    // for a stalled scheduler and still fails a timeout on the whole body.
    let client = client(Duration::from_secs(1));
    let res = client
        .send(client.request(Method::GET, &server.url))
        .await
        .unwrap();
    assert_eq!(res.bytes().await.unwrap().len(), 30);
}

#[tokio::test]
async fn connect_error_is_typed() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let client = client(Duration::from_secs(1));
    let err = client
        .send(client.request(Method::GET, url))
        .await
        .unwrap_err();
    assert!(matches!(err, HttpError::Connect(_)), "{err:?}");
    assert!(err.is_connect());
}
