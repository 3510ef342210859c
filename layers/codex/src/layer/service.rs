//! Middleware that authenticates requests and recovers from one 401.

use std::mem;
use std::sync::Arc;
use std::task::{Context, Poll};

use tower::{BoxError, Layer, Service, ServiceExt};

use super::future::ResponseFuture;
use super::headers::apply;
use super::request::{AuthRequest, AuthResponse, is_unauthorized};
use crate::{CodexAuthError, SignInReason, TokenSource};

/// Layer that applies [`Auth`]: bearer token and account id on every request or handshake.
#[derive(Clone)]
pub struct AuthLayer {
    source: Arc<dyn TokenSource>,
}

impl AuthLayer {
    /// A layer taking tokens from `source`.
    pub fn new(source: Arc<dyn TokenSource>) -> Self {
        Self { source }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = Auth<S>;

    fn layer(&self, inner: S) -> Auth<S> {
        Auth::new(inner, Arc::clone(&self.source))
    }
}

impl std::fmt::Debug for AuthLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthLayer").finish_non_exhaustive()
    }
}

/// Middleware that adds `Authorization: Bearer …` and `ChatGPT-Account-Id` to each
/// HTTP request or WebSocket handshake ([`AuthRequest`]).
///
/// On a 401 (a response, or a refused handshake) it asks the [`TokenSource`] to
/// recover (reload or refresh) and retries once if the request can be copied; a
/// second 401 fails with [`CodexAuthError::SignInRequired`].
#[derive(Clone)]
pub struct Auth<S> {
    inner: S,
    source: Arc<dyn TokenSource>,
}

impl<S> Auth<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, source: Arc<dyn TokenSource>) -> Self {
        Self { inner, source }
    }

    /// A layer that wraps services with [`Auth`].
    pub fn layer(source: Arc<dyn TokenSource>) -> AuthLayer {
        AuthLayer::new(source)
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

impl<S> std::fmt::Debug for Auth<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth").finish_non_exhaustive()
    }
}

impl<S, R> Service<R> for Auth<S>
where
    R: AuthRequest,
    S: Service<R> + Clone + Send + 'static,
    S::Response: AuthResponse,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = ResponseFuture<S::Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut req: R) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = mem::replace(&mut self.inner, clone);
        let source = Arc::clone(&self.source);
        ResponseFuture::new(async move {
            let token = source.token().await?;
            let retry = req.try_copy();
            apply(req.headers_mut(), &token)?;
            let first = inner.call(req).await.map_err(Into::into);
            if !is_unauthorized(&first) {
                return first;
            }
            tracing::info!("codex answered 401; recovering");
            let fresh = source.on_unauthorized(&token).await?;
            let Some(mut retry) = retry else {
                return first;
            };
            drop(first);
            apply(retry.headers_mut(), &fresh)?;
            let ready = inner.ready().await.map_err(Into::into)?;
            let second = ready.call(retry).await.map_err(Into::into);
            if is_unauthorized(&second) {
                return Err(CodexAuthError::SignInRequired {
                    reason: SignInReason::TokenRejected,
                }
                .into());
            }
            second
        })
    }
}
