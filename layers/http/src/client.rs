//! The cloneable [`HttpClient`] handle over an erased tower service stack.

use std::fmt;
use std::task::{Context, Poll};

use reqwest::{IntoUrl, Method, Request, RequestBuilder, Response};
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceBuilder, ServiceExt};

use crate::error_body::ErrorBody;
use crate::send::SendRequest;
use crate::trace::TraceAttempts;
use crate::transient::RetryCloneable;
use crate::{HttpConfig, HttpError, RetryAfterPolicy};

type Erased = BoxCloneSyncService<Request, Response, HttpError>;

/// Cloneable HTTP client: a tower service from [`reqwest::Request`] to [`reqwest::Response`].
///
/// [`HttpClient::new`] builds the real stack, outermost first:
/// [`RetryAfter`](crate::RetryAfter) (a 429/503 that names its delay, in `Retry-After` or
/// its error body), transient retries with exponential backoff and jitter (connect
/// errors, timeouts, resets, other 5xx; never a request whose body is a stream), the
/// reading of error bodies, a tracing span per attempt, and reqwest with a connect
/// timeout and a per-read timeout. Both retries share one [`Backoff`](crate::Backoff):
/// a persistent failure costs at most `max_retries + 1` requests of each kind.
/// Clones share the connection pool.
///
/// # Example
///
/// ```no_run
/// use clanka_http::{HttpClient, HttpConfig};
///
/// # async fn run() -> Result<(), clanka_http::HttpError> {
/// let client = HttpClient::new(HttpConfig::default())?;
/// let req = client.request(reqwest::Method::GET, "https://example.com/").build()?;
/// let res = client.execute(req).await?;
/// println!("{}", res.status());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct HttpClient {
    service: Erased,
    builder: reqwest::Client,
}

impl HttpClient {
    /// Builds the reqwest + reqwest-middleware stack described in the [type docs](Self).
    pub fn new(mut config: HttpConfig) -> Result<Self, HttpError> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout);
        if let Some(user_agent) = config.user_agent.take() {
            builder = builder.user_agent(user_agent);
        }
        let client = builder.build().map_err(HttpError::Build)?;
        let middleware = reqwest_middleware::ClientBuilder::new(client.clone())
            .with(RetryCloneable::new(config.retry))
            .with(ErrorBody)
            .with(TraceAttempts)
            .build();
        let service = ServiceBuilder::new()
            .layer(RetryAfterPolicy::layer(config.retry))
            .service(SendRequest::new(middleware));
        Ok(Self {
            service: BoxCloneSyncService::new(service),
            builder: client,
        })
    }

    /// Wraps any service, e.g. a fake in tests; its errors are converted into [`HttpError`]
    /// (a [`tower::BoxError`] becomes [`HttpError::Service`] unless it holds an
    /// [`HttpError`] or a [`reqwest::Error`]).
    ///
    /// [`request`](Self::request) then uses a default [`reqwest::Client`] as builder; like
    /// [`reqwest::Client::new`], this panics only if the TLS backend cannot be initialised.
    pub fn from_service<S>(service: S) -> Self
    where
        S: Service<Request, Response = Response> + Clone + Send + Sync + 'static,
        S::Error: Into<HttpError>,
        S::Future: Send + 'static,
    {
        Self {
            service: erase(service),
            builder: reqwest::Client::new(),
        }
    }

    /// Applies a tower layer (e.g. an auth layer) over this client's stack and erases it again.
    pub fn with_layer<L>(self, layer: L) -> Self
    where
        L: Layer<Erased>,
        L::Service: Service<Request, Response = Response> + Clone + Send + Sync + 'static,
        <L::Service as Service<Request>>::Error: Into<HttpError>,
        <L::Service as Service<Request>>::Future: Send + 'static,
    {
        Self {
            service: erase(layer.layer(self.service)),
            builder: self.builder,
        }
    }

    /// Starts a request. Build it and send it with [`execute`](Self::execute) or
    /// [`send`](Self::send): `RequestBuilder::send` would bypass this client's stack.
    pub fn request<U: IntoUrl>(&self, method: Method, url: U) -> RequestBuilder {
        self.builder.request(method, url)
    }

    /// Sends a request through the stack.
    pub async fn execute(&self, req: Request) -> Result<Response, HttpError> {
        self.service.clone().oneshot(req).await
    }

    /// Builds a request started with [`request`](Self::request) and sends it through the stack.
    pub async fn send(&self, builder: RequestBuilder) -> Result<Response, HttpError> {
        self.execute(builder.build()?).await
    }
}

fn erase<S>(service: S) -> Erased
where
    S: Service<Request, Response = Response> + Clone + Send + Sync + 'static,
    S::Error: Into<HttpError>,
    S::Future: Send + 'static,
{
    BoxCloneSyncService::new(service.map_err(Into::into))
}

impl Service<Request> for HttpClient {
    type Response = Response;
    type Error = HttpError;
    type Future = <Erased as Service<Request>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.service.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        self.service.call(req)
    }
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient").finish_non_exhaustive()
    }
}
