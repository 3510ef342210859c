//! Transient retries and `Retry-After`.

use std::time::{Duration, Instant};

use clanka_http::{Backoff, HttpClient, HttpConfig};
use reqwest::Method;

use super::server::{Body, Reply, TestServer};

fn client() -> HttpClient {
    let backoff = Backoff::default()
        .with_base(Duration::from_millis(10))
        .with_max_server_delay(Duration::from_secs(5));
    let config = HttpConfig::default().with_backoff(backoff);
    HttpClient::new(config).unwrap()
}

async fn get(client: &HttpClient, server: &TestServer) -> reqwest::Response {
    let req = client.request(Method::GET, &server.url);
    client.send(req).await.unwrap()
}

#[tokio::test]
async fn retries_5xx_until_success() {
    let server = TestServer::start(vec![
        Reply::status(503),
        Reply::status(503),
        Reply::status(200),
    ])
    .await;
    let res = get(&client(), &server).await;
    assert_eq!(res.status(), 200);
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn gives_up_after_max_retries() {
    let server = TestServer::start(vec![Reply::status(500)]).await;
    let res = get(&client(), &server).await;
    assert_eq!(res.status(), 500);
    assert_eq!(server.count(), 5);
}

#[tokio::test]
async fn honours_retry_after_on_429() {
    let server = TestServer::start(vec![
        Reply::status(429).header("retry-after", "1"),
        Reply::status(200),
    ])
    .await;
    let start = Instant::now();
    let res = get(&client(), &server).await;
    assert_eq!(res.status(), 200);
    assert_eq!(server.count(), 2);
    assert!(start.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn honours_retry_after_on_503_instead_of_backoff() {
    let server = TestServer::start(vec![
        Reply::status(503).header("retry-after", "0"),
        Reply::status(200),
    ])
    .await;
    let res = get(&client(), &server).await;
    assert_eq!(res.status(), 200);
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn retry_after_attempts_are_capped() {
    let server = TestServer::start(vec![Reply::status(429).header("retry-after", "0")]).await;
    let res = get(&client(), &server).await;
    assert_eq!(res.status(), 429);
    assert_eq!(server.count(), 5, "the first request and 4 retries");
}

#[tokio::test]
async fn a_persistent_503_naming_its_delay_costs_five_requests() {
    let server = TestServer::start(vec![Reply::status(503).header("retry-after", "0.01")]).await;
    let res = get(&client(), &server).await;
    assert_eq!(res.status(), 503);
    assert_eq!(server.count(), 5);
}

#[tokio::test]
async fn honours_a_delay_written_in_the_error_body() {
    let server = TestServer::start(vec![
        Reply::status(429).body(Body::Full(
            r#"{"error":{"code":"rate_limit_exceeded","message":"Please try again in 300ms."}}"#,
        )),
        Reply::status(200),
    ])
    .await;
    let start = Instant::now();
    let res = get(&client(), &server).await;
    assert_eq!(res.status(), 200);
    assert_eq!(server.count(), 2);
    assert!(start.elapsed() >= Duration::from_millis(290));
}

#[tokio::test]
async fn the_error_body_still_reaches_the_caller() {
    let body =
        r#"{"error":{"code":"usage_limit_reached","message":"The usage limit has been reached"}}"#;
    let server = TestServer::start(vec![Reply::status(429).body(Body::Full(body))]).await;
    let res = get(&client(), &server).await;
    assert_eq!(res.status(), 429);
    assert_eq!(
        server.count(),
        1,
        "a 429 that names no delay is not retried"
    );
    assert!(res.url().as_str().starts_with(&server.url[..20]));
    assert_eq!(res.text().await.unwrap(), body);
}

#[tokio::test]
async fn does_not_retry_429_without_retry_after() {
    let server = TestServer::start(vec![Reply::status(429), Reply::status(200)]).await;
    let res = get(&client(), &server).await;
    assert_eq!(res.status(), 429);
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn does_not_retry_400() {
    let server = TestServer::start(vec![Reply::status(400), Reply::status(200)]).await;
    let res = get(&client(), &server).await;
    assert_eq!(res.status(), 400);
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn returns_retry_after_above_cap_at_once() {
    let server = TestServer::start(vec![
        Reply::status(503).header("retry-after", "120"),
        Reply::status(200),
    ])
    .await;
    let start = Instant::now();
    let res = get(&client(), &server).await;
    assert_eq!(res.status(), 503);
    assert_eq!(server.count(), 1);
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn sends_a_streaming_body_once() {
    let server = TestServer::start(vec![Reply::status(503), Reply::status(200)]).await;
    let client = client();
    let chunks: Vec<Result<bytes::Bytes, std::io::Error>> =
        vec![Ok("hello ".into()), Ok("world".into())];
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let req = client.request(Method::POST, &server.url).body(body);
    let res = client.send(req).await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn retries_a_buffered_post() {
    let server = TestServer::start(vec![Reply::status(502), Reply::status(200)]).await;
    let client = client();
    let req = client.request(Method::POST, &server.url).body("hello");
    let res = client.send(req).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(server.count(), 2);
    assert!(server.heads()[1].contains("content-length: 5"));
}
