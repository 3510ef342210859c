//! The retry policy for responses that name their own delay: a 429 or 503 whose
//! `Retry-After` header (or error body, "try again in 1.5s") says when to come back.

use std::time::Duration;

use reqwest::{Request, Response, StatusCode};
use tower::retry::Policy;

use crate::Backoff;

/// Middleware that re-sends a request after the delay a 429/503 response names.
pub type RetryAfter<S> = tower::retry::Retry<RetryAfterPolicy, S>;

/// Layer that applies [`RetryAfter`].
pub type RetryAfterLayer = tower::retry::RetryLayer<RetryAfterPolicy>;

/// The delay a response named, read by the client from
/// its headers or error body and kept in the response's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerDelay(pub Duration);

/// A [`tower::retry::Policy`] that honours the delay of 429 and 503 responses.
///
/// A response is re-sent after the delay it names ([`ServerDelay`]) when that delay is
/// at most the backoff's `max_server_delay` and retries are left; otherwise it is
/// returned as is, so the caller sees the server's answer. A request whose body
/// cannot be cloned (a stream) is sent once.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use clanka_http::{Backoff, RetryAfterPolicy, ServerDelay};
/// use tower::{ServiceBuilder, ServiceExt, service_fn};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tower::BoxError> {
/// let calls = Arc::new(AtomicUsize::new(0));
/// let counter = calls.clone();
/// let svc = ServiceBuilder::new()
///     .layer(RetryAfterPolicy::layer(Backoff::default()))
///     .service(service_fn(move |_req: reqwest::Request| {
///         let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
///         async move {
///             let mut res = http::Response::builder().status(if first { 503 } else { 200 }).body("")?;
///             res.extensions_mut().insert(ServerDelay(std::time::Duration::ZERO));
///             Ok::<_, tower::BoxError>(reqwest::Response::from(res))
///         }
///     }));
/// let req = reqwest::Request::new(reqwest::Method::POST, "http://localhost/".parse()?);
/// assert_eq!(svc.oneshot(req).await?.status(), 200);
/// assert_eq!(calls.load(Ordering::SeqCst), 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RetryAfterPolicy {
    backoff: Backoff,
    retries: u32,
}

impl RetryAfterPolicy {
    /// A policy re-sending at most `backoff.max_retries` times, waiting at most
    /// `backoff.max_server_delay` each time.
    pub fn new(backoff: Backoff) -> Self {
        Self {
            backoff,
            retries: 0,
        }
    }

    /// A [`RetryAfterLayer`] with this policy.
    pub fn layer(backoff: Backoff) -> RetryAfterLayer {
        tower::retry::RetryLayer::new(Self::new(backoff))
    }
}

/// Whether `status` is one whose named delay is honoured here.
pub(crate) fn names_its_delay(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE
}

impl<E> Policy<Request, Response, E> for RetryAfterPolicy {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        _request: &mut Request,
        result: &mut Result<Response, E>,
    ) -> Option<Self::Future> {
        let response = result.as_ref().ok()?;
        if !names_its_delay(response.status()) {
            return None;
        }
        let ServerDelay(asked) = *response.extensions().get::<ServerDelay>()?;
        self.retries += 1;
        let delay = self.backoff.next(self.retries, Some(asked))?;
        tracing::debug!(
            status = response.status().as_u16(),
            delay_ms = delay.as_millis(),
            retry = self.retries,
            "honouring the server's retry delay"
        );
        Some(tokio::time::sleep(delay))
    }

    fn clone_request(&mut self, request: &Request) -> Option<Request> {
        request.try_clone()
    }
}
