use std::time::Duration;

use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// The default read buffer: tungstenite's 128 KiB buffer is zero-filled on every read
/// attempt, about a fifth of the client's CPU on a stream of small Responses events
/// (BENCHMARKS.md). Larger messages still arrive whole; the buffer only sizes reads.
pub const READ_BUFFER_SIZE: usize = 16 * 1024;

/// The largest message accepted (16 MiB, tungstenite's default is 64 MiB): a longer
/// one fails the socket instead of being buffered.
pub const MAX_MESSAGE_SIZE: usize = 16 * 1024 * 1024;

/// Configuration of [`Tungstenite`](crate::Tungstenite).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SocketConfig {
    /// Limit for TCP connect, TLS and the upgrade handshake together (default 15 s).
    pub connect_timeout: Duration,
    /// Buffer and message size limits, passed to tungstenite as is. The default is
    /// tungstenite's, with a 16 KiB read buffer ([`READ_BUFFER_SIZE`]) and messages of
    /// at most 16 MiB ([`MAX_MESSAGE_SIZE`]).
    pub websocket: WebSocketConfig,
    /// Sets `TCP_NODELAY` (default true: frames are small and latency matters).
    pub disable_nagle: bool,
}

impl Default for SocketConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(15),
            websocket: WebSocketConfig::default()
                .read_buffer_size(READ_BUFFER_SIZE)
                .max_message_size(Some(MAX_MESSAGE_SIZE))
                .max_frame_size(Some(MAX_MESSAGE_SIZE)),
            disable_nagle: true,
        }
    }
}

impl SocketConfig {
    /// Sets [`connect_timeout`](Self::connect_timeout).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets [`websocket`](Self::websocket).
    pub fn with_websocket_config(mut self, websocket: WebSocketConfig) -> Self {
        self.websocket = websocket;
        self
    }

    /// Sets [`disable_nagle`](Self::disable_nagle).
    pub fn with_disable_nagle(mut self, disable_nagle: bool) -> Self {
        self.disable_nagle = disable_nagle;
        self
    }
}
