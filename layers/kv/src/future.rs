//! The future returned by the store services in this crate.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use crate::{KvError, KvResponse};

type BoxFuture = Pin<Box<dyn Future<Output = Result<KvResponse, KvError>> + Send>>;

/// Response future of [`MemoryStore`](crate::MemoryStore), [`FileStore`](crate::FileStore)
/// and [`Prefix`](crate::Prefix).
pub struct ResponseFuture {
    inner: BoxFuture,
}

impl ResponseFuture {
    pub(crate) fn new(
        future: impl Future<Output = Result<KvResponse, KvError>> + Send + 'static,
    ) -> Self {
        Self {
            inner: Box::pin(future),
        }
    }

    pub(crate) fn ready(result: Result<KvResponse, KvError>) -> Self {
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
