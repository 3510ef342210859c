use std::time::Duration;

use http::StatusCode;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::error::{ProtocolError, TlsError};
use tower::BoxError;

/// Error returned by [`WebSocketConstructor`](crate::WebSocketConstructor) and
/// [`Tungstenite`](crate::Tungstenite).
///
/// Messages never include header values (they may carry bearer tokens).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SocketError {
    /// The server answered the upgrade with an HTTP response instead of `101`.
    #[error("websocket handshake rejected with http status {status}")]
    Handshake {
        /// The HTTP status of the server's answer, e.g. `426 Upgrade Required`.
        status: StatusCode,
        /// The response body, if any (lossy UTF-8).
        body: Option<String>,
    },
    /// Connecting and completing the handshake took longer than the connect timeout.
    #[error("websocket connect timed out after {0:?}")]
    Timeout(Duration),
    /// The request cannot be sent: bad URL or scheme, missing host, invalid header.
    #[error("invalid websocket request")]
    InvalidRequest(#[source] tungstenite::Error),
    /// The TCP connection failed.
    #[error("websocket connection failed")]
    Io(#[source] std::io::Error),
    /// The TLS session could not be set up.
    #[error("websocket tls failed")]
    Tls(#[source] TlsError),
    /// The proxy did not open a tunnel to the server (refused, needs credentials,
    /// unreachable).
    #[error("websocket proxy tunnel failed")]
    Proxy(#[source] BoxError),
    /// The server broke the WebSocket protocol during the handshake.
    #[error("websocket protocol error")]
    Protocol(#[source] ProtocolError),
    /// Any other tungstenite failure.
    #[error("websocket failed")]
    Other(#[source] tungstenite::Error),
    /// A tower layer wrapped around the constructor failed.
    #[error("websocket service failed")]
    Service(#[source] BoxError),
}

impl SocketError {
    /// The HTTP status of a rejected handshake.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Handshake { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Returns true if the connect timeout elapsed.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout(_))
    }
}

impl From<tungstenite::Error> for SocketError {
    fn from(err: tungstenite::Error) -> Self {
        use tungstenite::Error as E;
        match err {
            E::Http(res) => Self::Handshake {
                status: res.status(),
                body: res
                    .into_body()
                    .map(|body| String::from_utf8_lossy(&body).into_owned()),
            },
            // tokio-rustls reports a refused certificate as an I/O error.
            E::Io(err) => match err
                .get_ref()
                .and_then(|e| e.downcast_ref::<rustls::Error>())
            {
                Some(tls) => Self::Tls(TlsError::Rustls(Box::new(tls.clone()))),
                None => Self::Io(err),
            },
            E::Tls(err) => Self::Tls(err),
            E::Protocol(err) => Self::Protocol(err),
            // tungstenite's message quotes the header value: drop it.
            E::Utf8(_) => Self::InvalidRequest(E::Utf8("header value is not utf-8".into())),
            err @ (E::Url(_) | E::HttpFormat(_)) => Self::InvalidRequest(err),
            err => Self::Other(err),
        }
    }
}

impl From<BoxError> for SocketError {
    /// Recovers a [`SocketError`] or a tungstenite error boxed by a tower layer; anything
    /// else becomes [`SocketError::Service`].
    fn from(err: BoxError) -> Self {
        let err = match err.downcast::<SocketError>() {
            Ok(err) => return *err,
            Err(err) => err,
        };
        match err.downcast::<tungstenite::Error>() {
            Ok(err) => (*err).into(),
            Err(err) => Self::Service(err),
        }
    }
}
