//! Request headers shared by the HTTP POST and the WebSocket handshake.

use std::sync::OnceLock;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::config::ORIGINATOR;

/// `OpenAI-Beta` value of the WebSocket handshake.
pub(crate) const WEBSOCKET_BETA: &str = "responses_websockets=2026-02-06";

/// Which request the headers are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderSet {
    /// `POST /responses` answered with SSE.
    Http,
    /// The WebSocket upgrade request.
    WebSocket,
}

impl HeaderSet {
    /// The headers for a request of `conversation`.
    pub(crate) fn headers(self, conversation: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let mut put = |name: &'static str, value: &str| {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        };
        put("originator", ORIGINATOR);
        put("user-agent", user_agent());
        for name in ["session-id", "thread-id", "x-client-request-id"] {
            put(name, conversation);
        }
        match self {
            Self::Http => {
                put("accept", "text/event-stream");
                put("content-type", "application/json");
            }
            Self::WebSocket => put("openai-beta", WEBSOCKET_BETA),
        }
        headers
    }
}

/// `clanka/<version> (<os> <os version>; <arch>)`.
pub(super) fn user_agent() -> &'static str {
    static AGENT: OnceLock<String> = OnceLock::new();
    AGENT.get_or_init(|| {
        format!(
            "{ORIGINATOR}/{} ({} {}; {})",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            os_version(),
            std::env::consts::ARCH
        )
    })
}

/// The kernel release on Linux; `unknown` where it cannot be read without FFI.
fn os_version() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && s.is_ascii())
        .unwrap_or_else(|| "unknown".to_owned())
}
