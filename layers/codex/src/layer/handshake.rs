//! Middleware that authenticates WebSocket handshakes and recovers from one 401.

use std::mem;
use std::sync::Arc;
use std::task::{Context, Poll};

use clanka_socket::SocketError;
use http::StatusCode;
use tower::{BoxError, Layer, Service, ServiceExt};

use super::future::ResponseFuture;
use super::headers::apply;
use crate::{CodexAuthError, SignInReason, TokenSource};

/// Layer that applies [`AuthHandshake`] to a WebSocket constructor.
#[derive(Clone)]
pub struct AuthHandshakeLayer {
    source: Arc<dyn TokenSource>,
}

impl AuthHandshakeLayer {
    /// A layer taking tokens from `source`.
    pub fn new(source: Arc<dyn TokenSource>) -> Self {
        Self { source }
    }
}

impl<S> Layer<S> for AuthHandshakeLayer {
    type Service = AuthHandshake<S>;

    fn layer(&self, inner: S) -> AuthHandshake<S> {
        AuthHandshake::new(inner, Arc::clone(&self.source))
    }
}

impl std::fmt::Debug for AuthHandshakeLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthHandshakeLayer").finish_non_exhaustive()
    }
}

/// Middleware that adds the auth headers to a WebSocket upgrade request; a handshake
/// refused with 401 is recovered from and retried once, like [`Auth`](crate::Auth).
#[derive(Clone)]
pub struct AuthHandshake<S> {
    inner: S,
    source: Arc<dyn TokenSource>,
}

impl<S> AuthHandshake<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, source: Arc<dyn TokenSource>) -> Self {
        Self { inner, source }
    }

    /// A layer that wraps services with [`AuthHandshake`].
    pub fn layer(source: Arc<dyn TokenSource>) -> AuthHandshakeLayer {
        AuthHandshakeLayer::new(source)
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The inner service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S> std::fmt::Debug for AuthHandshake<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthHandshake").finish_non_exhaustive()
    }
}

fn copy(req: &http::Request<()>) -> http::Request<()> {
    let mut copy = http::Request::new(());
    *copy.method_mut() = req.method().clone();
    *copy.uri_mut() = req.uri().clone();
    *copy.version_mut() = req.version();
    *copy.headers_mut() = req.headers().clone();
    copy
}

fn is_unauthorized(error: &BoxError) -> bool {
    error
        .downcast_ref::<SocketError>()
        .and_then(SocketError::status)
        == Some(StatusCode::UNAUTHORIZED)
}

impl<S, W> Service<http::Request<()>> for AuthHandshake<S>
where
    S: Service<http::Request<()>, Response = W> + Clone + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    W: Send + 'static,
{
    type Response = W;
    type Error = BoxError;
    type Future = ResponseFuture<W>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut req: http::Request<()>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = mem::replace(&mut self.inner, clone);
        let source = Arc::clone(&self.source);
        ResponseFuture::new(async move {
            let token = source.token().await?;
            let mut retry = copy(&req);
            apply(req.headers_mut(), &token)?;
            let error = match inner.call(req).await.map_err(Into::into) {
                Err(error) if is_unauthorized(&error) => error,
                other => return other,
            };
            tracing::info!("websocket handshake answered 401; recovering");
            drop(error);
            let fresh = source.on_unauthorized(&token).await?;
            apply(retry.headers_mut(), &fresh)?;
            let ready = inner.ready().await.map_err(Into::into)?;
            match ready.call(retry).await.map_err(Into::into) {
                Err(error) if is_unauthorized(&error) => Err(CodexAuthError::SignInRequired {
                    reason: SignInReason::TokenRejected,
                }
                .into()),
                other => other,
            }
        })
    }
}
