//! Faults a scripted response can inject.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Faults of one scripted response; all optional and combinable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    /// Answer with this HTTP error instead of a stream (a wrapped error frame over WebSocket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_error: Option<HttpError>,
    /// Milliseconds to wait before each event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Drop the connection (no clean end) after this many events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop_after: Option<usize>,
    /// End with `response.failed` instead of `response.completed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<Failure>,
    /// Send the event with this 0-based index as malformed JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malformed_event: Option<usize>,
    /// End the stream without `response.completed`; over WebSocket a Close frame
    /// follows, as the backend closes the socket instead of leaving it silent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_completed: bool,
    /// WebSocket only: send a Close frame after this many events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ws_close_after: Option<usize>,
}

impl Faults {
    /// True when no fault is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The error carried by a `response.failed` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    /// Error code, e.g. `rate_limit_exceeded` or `context_length_exceeded`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
}

/// An HTTP-level error answered instead of a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum HttpError {
    /// 429 `rate_limit_exceeded` with "Please try again in {retry_after_secs}s".
    RateLimited {
        /// Delay quoted in the message, in seconds.
        retry_after_secs: f64,
    },
    /// 429 `usage_limit_reached` with `resets_at` and `plan_type`.
    UsageLimit {
        /// Unix seconds when the limit resets.
        resets_at: i64,
    },
    /// 500 `server_error`.
    ServerError,
    /// 503 `server_is_overloaded`.
    Overloaded,
    /// Any status with any JSON body.
    Custom {
        /// HTTP status.
        status: u16,
        /// JSON body.
        body: Value,
    },
}

impl HttpError {
    /// 429 `rate_limit_exceeded` asking to retry after `secs` seconds.
    pub fn rate_limited(secs: f64) -> Self {
        Self::RateLimited {
            retry_after_secs: secs,
        }
    }

    /// 429 `usage_limit_reached` resetting at `resets_at` (unix seconds).
    pub fn usage_limit(resets_at: i64) -> Self {
        Self::UsageLimit { resets_at }
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            Self::RateLimited { .. } | Self::UsageLimit { .. } => 429,
            Self::ServerError => 500,
            Self::Overloaded => 503,
            Self::Custom { status, .. } => *status,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        match self {
            Self::RateLimited { retry_after_secs } => error_body(
                "rate_limit_exceeded",
                "rate_limit_exceeded",
                &format!(
                    "Rate limit reached for requests. Please try again in {retry_after_secs}s."
                ),
            ),
            Self::UsageLimit { resets_at } => json!({"error": {
                "type": "usage_limit_reached",
                "code": "usage_limit_reached",
                "message": "The usage limit has been reached",
                "plan_type": "pro",
                "resets_at": resets_at,
                "resets_in_seconds": resets_at - i64::try_from(crate::common::now_secs()).unwrap_or(0),
            }}),
            Self::ServerError => error_body(
                "server_error",
                "server_error",
                "The server had an error while processing your request. Sorry about that!",
            ),
            Self::Overloaded => error_body(
                "server_error",
                "server_is_overloaded",
                "Our servers are currently overloaded. Please try again later.",
            ),
            Self::Custom { body, .. } => body.clone(),
        }
    }

    /// Extra response headers (rate-limit snapshot for usage limits).
    pub fn headers(&self) -> BTreeMap<String, String> {
        let mut headers = BTreeMap::new();
        if let Self::UsageLimit { resets_at } = self {
            headers.insert("x-codex-primary-used-percent".into(), "100.0".into());
            headers.insert("x-codex-primary-window-minutes".into(), "300".into());
            headers.insert("x-codex-primary-reset-at".into(), resets_at.to_string());
            headers.insert("x-codex-active-limit".into(), "codex".into());
        }
        if let Self::RateLimited { retry_after_secs } = self {
            headers.insert("retry-after".into(), retry_after_secs.ceil().to_string());
        }
        headers
    }
}

/// How the mock fails a compaction request (remote compaction v2, and `POST …/responses/compact`),
/// so clients can test their fallback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CompactionFault {
    /// Answer with this HTTP error (a wrapped error frame over WebSocket).
    HttpError(HttpError),
    /// Answer without the compaction item: an assistant message instead (v1: only the kept
    /// user messages).
    NoItem,
    /// Answer with two compaction items.
    TwoItems,
}

/// An OpenAI-style error body.
pub(crate) fn error_body(kind: &str, code: &str, message: &str) -> Value {
    json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
}
