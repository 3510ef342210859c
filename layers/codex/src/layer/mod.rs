//! Tower middleware that authenticates HTTP requests and WebSocket handshakes.

mod future;
mod headers;
mod request;
mod service;

pub use future::ResponseFuture;
pub use request::{AuthRequest, AuthResponse};
pub use service::{Auth, AuthLayer};
