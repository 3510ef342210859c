//! HTTP client service over reqwest and reqwest-middleware: retries, `Retry-After`, tracing.
//!
//! [`HttpClient`] is a cloneable tower service from [`reqwest::Request`] to
//! [`reqwest::Response`]. It owns request-level retries: transient failures (connect
//! errors, timeouts, resets, 5xx) are retried with exponential backoff and jitter; 429
//! and 503 responses that name a delay (`Retry-After`, or "try again in 1.5s" in the
//! error body) are re-sent after that delay by [`RetryAfter`] when it is at most 60 s;
//! other 4xx (a 429 that names no delay included) are returned as they are. Both use
//! one [`Backoff`], whose timing the rest of clanka shares. A request whose body is a
//! stream is sent once and never retried. Each attempt runs in an `http.request`
//! tracing span (method, url without query, attempt, status); headers are never logged.
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use clanka_http::{HttpClient, HttpConfig};
//!
//! # async fn run() -> Result<(), clanka_http::HttpError> {
//! let config = HttpConfig::default().with_read_timeout(Duration::from_secs(60));
//! let client = HttpClient::new(config)?;
//! let res = client.send(client.request(reqwest::Method::GET, "https://example.com/")).await?;
//! assert!(res.status().is_success());
//! # Ok(())
//! # }
//! ```

mod backoff;
mod client;
mod config;
mod error;
mod error_body;
mod retry_after;
mod send;
mod trace;
mod transient;

pub use backoff::{Backoff, MAX_SERVER_DELAY, parse_retry_after, parse_retry_delay, server_delay};
pub use client::HttpClient;
pub use config::HttpConfig;
pub use error::HttpError;
pub use retry_after::{RetryAfter, RetryAfterLayer, RetryAfterPolicy, ServerDelay};
