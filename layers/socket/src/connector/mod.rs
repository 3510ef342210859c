//! Service that opens a WebSocket with tokio-tungstenite (`ws://`, or `wss://` over rustls
//! with the platform's trust store), directly or through a proxy.

mod future;
mod handshake;
mod transport;

use std::sync::Arc;
use std::task::{Context, Poll};

use tokio_tungstenite::{Connector, client_async_tls_with_config};
use tower::Service;
use tracing::Instrument;

pub use self::future::ResponseFuture;
use crate::{SocketConfig, SocketError, WebSocket};

/// Service that connects a [`WebSocket`] for an `http::Request<()>` (URL + headers).
///
/// Handshake headers the request lacks (`Host`, `Connection`, `Upgrade`,
/// `Sec-WebSocket-Version`, `Sec-WebSocket-Key`) are filled in; custom ones are sent as
/// they are. The connect timeout covers TCP, the proxy tunnel, TLS and the upgrade. The
/// `101` response is dropped. No permessage-deflate: tungstenite 0.30 does not
/// implement it.
///
/// The way out is the one reqwest takes (so HTTP and WebSocket agree behind a
/// corporate proxy): the proxy of [`SocketConfig::proxy`] (by default `HTTPS_PROXY`,
/// `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`) through a `CONNECT` tunnel, and
/// certificates checked against the operating system's trust store (on Linux, which
/// honours `SSL_CERT_FILE` and `SSL_CERT_DIR`) plus [`SocketConfig::root_certificates`].
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
#[derive(Debug, Clone)]
pub struct Tungstenite {
    config: Arc<SocketConfig>,
    transport: Arc<transport::Transport>,
}

impl Default for Tungstenite {
    fn default() -> Self {
        Self::new(SocketConfig::default())
    }
}

impl Tungstenite {
    /// Creates the service; the proxy variables are read here, once.
    pub fn new(config: SocketConfig) -> Self {
        let transport = Arc::new(transport::Transport::new(&config));
        Self {
            config: Arc::new(config),
            transport,
        }
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
        let transport = Arc::clone(&self.transport);
        let config = Arc::clone(&self.config);
        ResponseFuture::new(connect(config, transport, req).instrument(span))
    }
}

async fn connect(
    config: Arc<SocketConfig>,
    transport: Arc<transport::Transport>,
    req: http::Request<()>,
) -> Result<WebSocket, SocketError> {
    let req = handshake::complete(req).map_err(SocketError::InvalidRequest)?;
    let connect = async {
        let secure = req
            .uri()
            .scheme_str()
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("wss"));
        // A broken TLS setup fails before any connection is opened.
        let connector = if secure {
            transport.tls()?
        } else {
            Connector::Plain
        };
        let stream = transport.open(req.uri(), secure).await?;
        stream
            .set_nodelay(config.disable_nagle)
            .map_err(SocketError::Io)?;
        let (socket, _response) =
            client_async_tls_with_config(req, stream, Some(config.websocket), Some(connector))
                .await?;
        Ok(socket)
    };
    match tokio::time::timeout(config.connect_timeout, connect).await {
        Ok(Ok(socket)) => {
            tracing::debug!("websocket connected");
            Ok(socket)
        }
        Ok(Err(err)) => {
            tracing::debug!(error = %err, "websocket connect failed");
            Err(err)
        }
        Err(_) => Err(SocketError::Timeout(config.connect_timeout)),
    }
}
