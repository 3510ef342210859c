//! The client side of the benchmarks: an HTTP client and a socket constructor that
//! authenticate to clanka-mock with a fixed key.

use clanka_http::{HttpClient, HttpConfig};
use clanka_socket::{SocketConfig, WebSocketConstructor};
use http::HeaderValue;
use tower::util::MapRequestLayer;

fn bearer() -> HeaderValue {
    HeaderValue::from_static("Bearer sk-mock")
}

pub(crate) fn http() -> HttpClient {
    HttpClient::new(HttpConfig::default())
        .unwrap()
        .with_layer(MapRequestLayer::new(|mut request: reqwest::Request| {
            request.headers_mut().insert("authorization", bearer());
            request
        }))
}

pub(crate) fn sockets() -> WebSocketConstructor {
    WebSocketConstructor::tungstenite(SocketConfig::default()).with_layer(MapRequestLayer::new(
        |mut request: http::Request<()>| {
            request.headers_mut().insert("authorization", bearer());
            request
        },
    ))
}
