//! Recipes that provide an [`HttpClient`].
//!
//! # Example
//!
//! ```
//! use clanka::http;
//! use clanka_http::{HttpClient, HttpConfig};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let runtime = http::layer_reqwest(HttpConfig::default()).build().await.unwrap();
//! let client: HttpClient = runtime.get().unwrap();
//! # let _ = client;
//! # });
//! ```

pub use clanka_http::*;

use crate::runtime::Layer;

/// A recipe that provides the reqwest-backed [`HttpClient`]: retries of transient
/// failures with backoff, `Retry-After` on 429/503, per-read timeout, tracing.
pub fn layer_reqwest(config: HttpConfig) -> Layer {
    Layer::effect("http::layer_reqwest", move |(): ()| {
        let config = config.clone();
        async move { HttpClient::new(config) }
    })
}
