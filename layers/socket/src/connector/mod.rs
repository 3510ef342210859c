//! Service that opens a WebSocket with tokio-tungstenite (`ws://`, or `wss://` over rustls
//! with the webpki roots).

mod future;
mod handshake;

use std::task::{Context, Poll};

use tokio_tungstenite::connect_async_tls_with_config;
use tower::Service;
use tracing::Instrument;

pub use self::future::ResponseFuture;
use crate::{SocketConfig, SocketError, WebSocket};

/// Service that connects a [`WebSocket`] for an `http::Request<()>` (URL + headers).
///
/// Handshake headers the request lacks (`Host`, `Connection`, `Upgrade`,
/// `Sec-WebSocket-Version`, `Sec-WebSocket-Key`) are filled in; custom ones are sent as
/// they are. The connect timeout covers TCP, TLS and the upgrade. The `101` response is
/// dropped. No permessage-deflate: tungstenite 0.30 does not implement it.
///
/// # Example
///
/// ```no_run
/// use clanka_socket::{SocketConfig, Tungstenite};
/// use tower::ServiceExt;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let req = http::Request::get("wss://example.com/socket").body(())?;
/// let ws = Tungstenite::new(SocketConfig::default()).oneshot(req).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Tungstenite {
    config: SocketConfig,
}

impl Tungstenite {
    /// Creates the service.
    pub fn new(config: SocketConfig) -> Self {
        Self { config }
    }

    /// The configuration in use.
    pub fn config(&self) -> &SocketConfig {
        &self.config
    }
}

impl Service<http::Request<()>> for Tungstenite {
    type Response = WebSocket;
    type Error = SocketError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<()>) -> Self::Future {
        let span = tracing::debug_span!(
            "websocket.connect",
            scheme = req.uri().scheme_str().unwrap_or_default(),
            host = req.uri().host().unwrap_or_default(),
            path = req.uri().path(),
        );
        ResponseFuture::new(connect(self.config.clone(), req).instrument(span))
    }
}

async fn connect(config: SocketConfig, req: http::Request<()>) -> Result<WebSocket, SocketError> {
    let req = handshake::complete(req).map_err(SocketError::InvalidRequest)?;
    let connect =
        connect_async_tls_with_config(req, Some(config.websocket), config.disable_nagle, None);
    match tokio::time::timeout(config.connect_timeout, connect).await {
        Ok(Ok((socket, _response))) => {
            tracing::debug!("websocket connected");
            Ok(socket)
        }
        Ok(Err(err)) => {
            let err = SocketError::from(err);
            tracing::debug!(error = %err, "websocket connect failed");
            Err(err)
        }
        Err(_) => Err(SocketError::Timeout(config.connect_timeout)),
    }
}
