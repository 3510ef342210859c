//! Tower middleware that authenticates HTTP requests and WebSocket handshakes.

mod future;
mod handshake;
mod headers;
mod http;

pub use future::ResponseFuture;
pub use handshake::{AuthHandshake, AuthHandshakeLayer};
pub use http::{Auth, AuthLayer};
