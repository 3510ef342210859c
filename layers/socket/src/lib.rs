//! WebSocket constructor service over tokio-tungstenite: upgrade request in, connected socket out.
//!
//! [`WebSocketConstructor`] is a cloneable tower service from an `http::Request<()>` (the
//! `ws://`/`wss://` URL plus custom handshake headers) to a connected [`WebSocket`]; any such
//! service is a [`MakeWebSocket`]. [`Tungstenite`] is the real one: it fills in the standard
//! handshake headers, bounds connect + TLS + upgrade with a timeout (15 s by default) and
//! reports a refused upgrade as [`SocketError::Handshake`] with the HTTP status (e.g. 426).
//!
//! permessage-deflate is not offered: tokio-tungstenite 0.30 does not implement it, so
//! frames travel uncompressed.
//!
//! # Example
//!
//! ```no_run
//! use clanka_socket::{Message, SocketConfig, WebSocketConstructor};
//! use futures_util::{SinkExt, StreamExt};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let sockets = WebSocketConstructor::tungstenite(SocketConfig::default());
//! let req = WebSocketConstructor::request("wss://example.com/socket")
//!     .header("x-client-request-id", "42")
//!     .body(())?;
//! let mut ws = sockets.connect(req).await?;
//! ws.send(Message::text("hello")).await?;
//! let reply = ws.next().await;
//! # Ok(())
//! # }
//! ```

mod config;
mod connector;
mod constructor;
mod error;
mod make;

pub use config::{MAX_MESSAGE_SIZE, Proxy, READ_BUFFER_SIZE, SocketConfig};
pub use connector::{ResponseFuture, Tungstenite};
pub use constructor::WebSocketConstructor;
pub use error::SocketError;
pub use make::{MakeWebSocket, WebSocket};
pub use tokio_tungstenite::tungstenite::Message;
pub use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
