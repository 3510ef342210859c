//! Middleware that honours `Retry-After` on 429 and 503 responses by sleeping the delay the
//! server asks for (integer seconds or an HTTP date) and re-sending the request.

mod future;
mod header;
mod layer;

use std::task::{Context, Poll};
use std::time::Duration;

use tower::{Service, ServiceExt};

pub use self::future::ResponseFuture;
pub(crate) use self::header::retry_after;
pub use self::layer::RetryAfterLayer;

/// Middleware that re-sends a request after the delay of a 429/503 `Retry-After` header.
///
/// A delay above the cap, a request whose body cannot be cloned (a stream) or an exhausted
/// attempt budget returns the response as is.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::time::Duration;
/// use clanka_http::RetryAfterLayer;
/// use tower::{ServiceBuilder, ServiceExt, service_fn};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), tower::BoxError> {
/// let calls = Arc::new(AtomicUsize::new(0));
/// let counter = calls.clone();
/// let svc = ServiceBuilder::new()
///     .layer(RetryAfterLayer::new(Duration::from_secs(60), 2))
///     .service(service_fn(move |_req: reqwest::Request| {
///         let first = counter.fetch_add(1, Ordering::SeqCst) == 0;
///         async move {
///             let res = http::Response::builder()
///                 .status(if first { 503 } else { 200 })
///                 .header("retry-after", "0")
///                 .body("")?;
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
pub struct RetryAfter<S> {
    inner: S,
    max_delay: Duration,
    max_attempts: u32,
}

impl<S> RetryAfter<S> {
    /// Wraps `inner`, waiting at most `max_delay` and re-sending at most `max_attempts` times.
    pub fn new(inner: S, max_delay: Duration, max_attempts: u32) -> Self {
        Self {
            inner,
            max_delay,
            max_attempts,
        }
    }

    /// Returns a new [`RetryAfterLayer`] wrapping services with this middleware.
    pub fn layer(max_delay: Duration, max_attempts: u32) -> RetryAfterLayer {
        RetryAfterLayer::new(max_delay, max_attempts)
    }

    /// Gets a reference to the inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Gets a mutable reference to the inner service.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Consumes `self`, returning the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S> Service<reqwest::Request> for RetryAfter<S>
where
    S: Service<reqwest::Request, Response = reqwest::Response> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Send,
{
    type Response = reqwest::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: reqwest::Request) -> Self::Future {
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        ResponseFuture::new(send(inner, req, self.max_delay, self.max_attempts))
    }
}

/// Sends `req` on the readied `inner`, re-sending while the response asks for a usable delay.
async fn send<S>(
    mut inner: S,
    mut req: reqwest::Request,
    max_delay: Duration,
    max_attempts: u32,
) -> Result<reqwest::Response, S::Error>
where
    S: Service<reqwest::Request, Response = reqwest::Response>,
{
    let mut attempt = 0;
    loop {
        let backup = (attempt < max_attempts).then(|| req.try_clone()).flatten();
        let res = inner.call(req).await?;
        let Some(backup) = backup else {
            return Ok(res);
        };
        match retry_after(res.status(), res.headers()) {
            Some(delay) if delay <= max_delay => {
                attempt += 1;
                tracing::debug!(
                    status = res.status().as_u16(),
                    delay_ms = delay.as_millis(),
                    attempt,
                    "honouring retry-after"
                );
                drop(res);
                tokio::time::sleep(delay).await;
                req = backup;
                inner.ready().await?;
            }
            _ => return Ok(res),
        }
    }
}
