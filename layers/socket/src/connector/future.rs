use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::{SocketError, WebSocket};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Response future of [`Tungstenite`](super::Tungstenite).
pub struct ResponseFuture {
    inner: BoxFuture<Result<WebSocket, SocketError>>,
}

impl ResponseFuture {
    pub(super) fn new(
        inner: impl Future<Output = Result<WebSocket, SocketError>> + Send + 'static,
    ) -> Self {
        Self {
            inner: Box::pin(inner),
        }
    }
}

impl Future for ResponseFuture {
    type Output = Result<WebSocket, SocketError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
