//! Recipes that provide a [`WebSocketConstructor`].
//!
//! # Example
//!
//! ```
//! use clanka::socket;
//! use clanka_socket::{SocketConfig, WebSocketConstructor};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let runtime = socket::layer_tungstenite(SocketConfig::default()).build().await.unwrap();
//! let sockets: WebSocketConstructor = runtime.get().unwrap();
//! # let _ = sockets;
//! # });
//! ```

pub use clanka_socket::*;

use crate::runtime::Layer;

/// A recipe that provides the tokio-tungstenite [`WebSocketConstructor`].
pub fn layer_tungstenite(config: SocketConfig) -> Layer {
    Layer::effect("socket::layer_tungstenite", move |(): ()| {
        let config = config.clone();
        async move { Ok::<_, std::convert::Infallible>(WebSocketConstructor::tungstenite(config)) }
    })
}
