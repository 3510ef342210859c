use std::fmt;
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
    /// The proxy connections go through (default: the environment's, as reqwest
    /// reads it, so both transports take the same way out).
    pub proxy: Proxy,
    /// Certificates (DER) trusted as roots besides the platform's trust store, e.g.
    /// a company's or a test server's certificate authority.
    pub root_certificates: Vec<Vec<u8>>,
}

/// Which proxy a WebSocket goes through: a `CONNECT` tunnel through an HTTP proxy,
/// chosen the way reqwest chooses one for the same URL.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Proxy {
    /// `HTTPS_PROXY` for `wss://`, `HTTP_PROXY` for `ws://`, `ALL_PROXY` for both
    /// (or their lowercase forms), except the hosts `NO_PROXY` lists.
    #[default]
    FromEnv,
    /// Always connect directly.
    Direct,
    /// Every connection through the proxy at `url` (`http://[user:password@]host:port`),
    /// except the hosts `no_proxy` lists (comma-separated, as `NO_PROXY`).
    Url {
        /// The proxy.
        url: String,
        /// Hosts reached directly.
        no_proxy: String,
    },
}

impl Proxy {
    /// Every connection through the proxy at `url`.
    pub fn url(url: impl Into<String>) -> Self {
        Self::Url {
            url: url.into(),
            no_proxy: String::new(),
        }
    }
}

impl fmt::Debug for Proxy {
    /// The proxy's host, never its credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FromEnv => f.write_str("FromEnv"),
            Self::Direct => f.write_str("Direct"),
            Self::Url { url, no_proxy } => {
                let host = url.rsplit('@').next().unwrap_or_default();
                let host = host
                    .trim_start_matches("http://")
                    .trim_start_matches("https://");
                f.debug_struct("Url")
                    .field("host", &host)
                    .field("no_proxy", no_proxy)
                    .finish()
            }
        }
    }
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
            proxy: Proxy::FromEnv,
            root_certificates: Vec::new(),
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

    /// Sets [`proxy`](Self::proxy).
    pub fn with_proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = proxy;
        self
    }

    /// Adds a root certificate (DER) to [`root_certificates`](Self::root_certificates).
    pub fn with_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(der.into());
        self
    }
}
