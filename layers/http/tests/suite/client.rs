//! The handle: `with_layer`, `from_service`, error conversion.

use std::time::Duration;

use clanka_http::{HttpClient, HttpConfig, HttpError};
use reqwest::Method;
use tower::util::MapRequestLayer;

use super::server::{Reply, TestServer};

#[tokio::test]
async fn with_layer_adds_a_header() {
    let server = TestServer::start(vec![Reply::status(200)]).await;
    let client = HttpClient::new(HttpConfig::default().with_user_agent("clanka-test"))
        .unwrap()
        .with_layer(MapRequestLayer::new(|mut req: reqwest::Request| {
            req.headers_mut()
                .insert("x-clanka-test", "yes".parse().unwrap());
            req
        }));
    let res = client
        .clone()
        .send(client.request(Method::GET, &server.url))
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "ok");
    let head = &server.heads()[0];
    assert!(
        head.starts_with("get /path?token=secret http/1.1"),
        "{head}"
    );
    assert!(head.contains("x-clanka-test: yes"), "{head}");
    assert!(head.contains("user-agent: clanka-test"), "{head}");
}

#[tokio::test]
async fn from_service_wraps_a_fake() {
    let fake = tower::service_fn(|req: reqwest::Request| async move {
        if req.url().path() == "/fail" {
            return Err(tower::BoxError::from("boom"));
        }
        Ok(reqwest::Response::from(http::Response::new("fake")))
    });
    let client = HttpClient::from_service(fake);
    let res = client
        .send(client.request(Method::GET, "http://fake.test/"))
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "fake");
    let err = client
        .send(client.request(Method::GET, "http://fake.test/fail"))
        .await
        .unwrap_err();
    assert!(matches!(err, HttpError::Service(_)), "{err:?}");
}

#[tokio::test]
async fn boxed_http_errors_are_recovered_through_layers() {
    let client = HttpClient::new(HttpConfig::default().with_retries(0, Duration::ZERO))
        .unwrap()
        .with_layer(tower::timeout::TimeoutLayer::new(Duration::from_secs(5)));
    let err = client
        .send(client.request(Method::GET, "http://127.0.0.1:1/"))
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
}

#[test]
fn debug_hides_internals() {
    let client = HttpClient::new(HttpConfig::default()).unwrap();
    assert_eq!(format!("{client:?}"), "HttpClient { .. }");
}
