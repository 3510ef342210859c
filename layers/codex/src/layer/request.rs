//! What the auth middleware needs of a request and of its outcome.

use clanka_socket::{SocketError, WebSocket};
use http::{HeaderMap, StatusCode};
use tower::BoxError;

/// A request the auth middleware can decorate and send a second time.
///
/// Implemented for HTTP requests (`reqwest::Request`) and WebSocket handshakes
/// (`http::Request<()>`).
pub trait AuthRequest: Sized + Send + 'static {
    /// The headers to put the bearer token and account id in.
    fn headers_mut(&mut self) -> &mut HeaderMap;

    /// A copy to retry with after a 401, or `None` when the request cannot be sent
    /// twice (a streaming body).
    fn try_copy(&self) -> Option<Self>;
}

/// A successful outcome that may still say "unauthorized" (an HTTP response with 401).
pub trait AuthResponse: Send + 'static {
    /// Whether the server rejected the credentials.
    fn is_unauthorized(&self) -> bool;
}

impl AuthRequest for reqwest::Request {
    fn headers_mut(&mut self) -> &mut HeaderMap {
        reqwest::Request::headers_mut(self)
    }

    fn try_copy(&self) -> Option<Self> {
        self.try_clone()
    }
}

impl AuthResponse for reqwest::Response {
    fn is_unauthorized(&self) -> bool {
        self.status() == StatusCode::UNAUTHORIZED
    }
}

impl AuthRequest for http::Request<()> {
    fn headers_mut(&mut self) -> &mut HeaderMap {
        http::Request::headers_mut(self)
    }

    fn try_copy(&self) -> Option<Self> {
        let mut copy = http::Request::new(());
        *copy.method_mut() = self.method().clone();
        *copy.uri_mut() = self.uri().clone();
        *copy.version_mut() = self.version();
        *copy.headers_mut() = self.headers().clone();
        Some(copy)
    }
}

/// A connected socket: a refused handshake arrives as an error instead.
impl AuthResponse for WebSocket {
    fn is_unauthorized(&self) -> bool {
        false
    }
}

/// Whether an outcome is a 401: a response saying so, or a handshake refused with it.
pub(crate) fn is_unauthorized<T: AuthResponse>(outcome: &Result<T, BoxError>) -> bool {
    match outcome {
        Ok(response) => response.is_unauthorized(),
        Err(error) => {
            error
                .downcast_ref::<SocketError>()
                .and_then(SocketError::status)
                == Some(StatusCode::UNAUTHORIZED)
        }
    }
}
