//! The innermost service: sends a request through the reqwest-middleware client.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use reqwest::{Request, Response};
use reqwest_middleware::ClientWithMiddleware;
use tower::Service;

use crate::HttpError;

/// Tower service over a [`ClientWithMiddleware`] (transient retries + tracing).
#[derive(Debug, Clone)]
pub(crate) struct SendRequest {
    client: ClientWithMiddleware,
}

impl SendRequest {
    pub(crate) fn new(client: ClientWithMiddleware) -> Self {
        Self { client }
    }
}

impl Service<Request> for SendRequest {
    type Response = Response;
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<Response, HttpError>> + Send + 'static>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let client = self.client.clone();
        Box::pin(async move { client.execute(req).await.map_err(HttpError::from) })
    }
}
