//! The future returned by the store services in this crate.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use crate::{KvError, KvResponse};

type BoxFuture = Pin<Box<dyn Future<Output = Result<KvResponse, KvError>> + Send>>;

/// Response future of the store services ([`MemoryStore`](crate::MemoryStore),
/// [`FileStore`](crate::FileStore), [`Prefix`](crate::Prefix), the Redis store), and of
/// backends of your own.
pub struct ResponseFuture {
    inner: BoxFuture,
}

impl ResponseFuture {
    /// The future of `future`: what a backend of your own returns from `call`.
    pub fn new(future: impl Future<Output = Result<KvResponse, KvError>> + Send + 'static) -> Self {
        Self {
            inner: Box::pin(future),
        }
    }

    /// A future already resolved to `result`.
    pub fn ready(result: Result<KvResponse, KvError>) -> Self {
        Self::new(std::future::ready(result))
    }
}

impl Future for ResponseFuture {
    type Output = Result<KvResponse, KvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
