//! The cloneable [`WebSocketConstructor`] handle over an erased tower service stack.

use std::fmt;
use std::task::{Context, Poll};

use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceExt};

use crate::{SocketConfig, SocketError, Tungstenite, WebSocket};

type Erased = BoxCloneSyncService<http::Request<()>, WebSocket, SocketError>;

/// Cloneable WebSocket constructor: a tower service from an upgrade request to a [`WebSocket`].
///
/// # Example
///
/// ```no_run
/// use clanka_socket::{SocketConfig, WebSocketConstructor};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let sockets = WebSocketConstructor::tungstenite(SocketConfig::default());
/// let req = WebSocketConstructor::request("wss://example.com/socket")
///     .header("openai-beta", "responses_websockets=2026-02-06")
///     .body(())?;
/// let ws = sockets.connect(req).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct WebSocketConstructor {
    service: Erased,
}

impl WebSocketConstructor {
    /// The real constructor: [`Tungstenite`] with `config`.
    pub fn tungstenite(config: SocketConfig) -> Self {
        Self::from_service(Tungstenite::new(config))
    }

    /// Wraps any service, e.g. a fake in tests; its errors are converted into [`SocketError`]
    /// (a [`tower::BoxError`] becomes [`SocketError::Service`] unless it holds a
    /// [`SocketError`] or a tungstenite error).
    pub fn from_service<S>(service: S) -> Self
    where
        S: Service<http::Request<()>, Response = WebSocket> + Clone + Send + Sync + 'static,
        S::Error: Into<SocketError>,
        S::Future: Send + 'static,
    {
        Self {
            service: erase(service),
        }
    }

    /// Applies a tower layer (e.g. an auth layer adding handshake headers) over this
    /// constructor's stack and erases it again.
    pub fn with_layer<L>(self, layer: L) -> Self
    where
        L: Layer<Erased>,
        L::Service:
            Service<http::Request<()>, Response = WebSocket> + Clone + Send + Sync + 'static,
        <L::Service as Service<http::Request<()>>>::Error: Into<SocketError>,
        <L::Service as Service<http::Request<()>>>::Future: Send + 'static,
    {
        Self {
            service: erase(layer.layer(self.service)),
        }
    }

    /// Starts an upgrade request for `uri` (`ws://` or `wss://`); add headers, then `body(())`.
    pub fn request<T>(uri: T) -> http::request::Builder
    where
        http::Uri: TryFrom<T>,
        <http::Uri as TryFrom<T>>::Error: Into<http::Error>,
    {
        http::Request::get(uri)
    }

    /// Opens a socket for `req` through the stack.
    pub async fn connect(&self, req: http::Request<()>) -> Result<WebSocket, SocketError> {
        self.service.clone().oneshot(req).await
    }
}

fn erase<S>(service: S) -> Erased
where
    S: Service<http::Request<()>, Response = WebSocket> + Clone + Send + Sync + 'static,
    S::Error: Into<SocketError>,
    S::Future: Send + 'static,
{
    BoxCloneSyncService::new(service.map_err(Into::into))
}

impl Service<http::Request<()>> for WebSocketConstructor {
    type Response = WebSocket;
    type Error = SocketError;
    type Future = <Erased as Service<http::Request<()>>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.service.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<()>) -> Self::Future {
        self.service.call(req)
    }
}

impl fmt::Debug for WebSocketConstructor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebSocketConstructor")
            .finish_non_exhaustive()
    }
}
