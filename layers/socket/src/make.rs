//! The [`WebSocket`] type and the [`MakeWebSocket`] alias for services that open one.

use std::future::Future;
use std::task::{Context, Poll};

use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tower::Service;

/// A connected WebSocket, plain (`ws://`) or over rustls (`wss://`).
pub type WebSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Any service that turns an upgrade request (URL + headers) into a connected [`WebSocket`].
///
/// Blanket-implemented for every `Service<http::Request<()>, Response = WebSocket>`, like
/// tower's `MakeConnection`; use it as a bound instead of spelling out the service.
pub trait MakeWebSocket: sealed::Sealed {
    /// Error of a failed connect.
    type Error;
    /// Future of the connected socket.
    type Future: Future<Output = Result<WebSocket, Self::Error>>;

    /// Returns `Ready` when the constructor can open a socket.
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>>;

    /// Opens a socket for `req`.
    fn make_websocket(&mut self, req: http::Request<()>) -> Self::Future;
}

mod sealed {
    pub trait Sealed {}
}

impl<S> sealed::Sealed for S where S: Service<http::Request<()>, Response = WebSocket> {}

impl<S> MakeWebSocket for S
where
    S: Service<http::Request<()>, Response = WebSocket>,
{
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Service::poll_ready(self, cx)
    }

    fn make_websocket(&mut self, req: http::Request<()>) -> Self::Future {
        Service::call(self, req)
    }
}
