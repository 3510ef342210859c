//! Errors answered with an HTTP status (or a WebSocket `error` frame carrying one),
//! classified as the backend means them.

use std::time::Duration;

use clanka_http::parse_retry_delay;
use clanka_model::{AiError, RateLimitSnapshot};
use http::HeaderMap;
use serde_json::Value;

/// The error object's code and type: `code`, else `type`.
fn code_of(error: &Value) -> Option<&str> {
    let text = |key: &str| error.get(key).and_then(Value::as_str);
    text("code").or(text("type"))
}

/// Codes of `response.failed` / error bodies and what they become; anything else is
/// a retryable [`AiError::ResponseFailed`] carrying the code.
fn from_code(code: Option<&str>, message: String) -> AiError {
    match code {
        Some("context_length_exceeded") => AiError::ContextWindowExceeded { message },
        Some("insufficient_quota") => AiError::QuotaExceeded { message },
        Some("usage_not_included") => AiError::UsageNotIncluded { message },
        Some("cyber_policy") => AiError::ContentPolicy {
            message: non_empty(message, "the request was flagged by a safety policy"),
        },
        Some("invalid_prompt") => AiError::InvalidRequest { message },
        Some("server_is_overloaded" | "slow_down") => AiError::ServerOverloaded { message },
        Some("rate_limit_exceeded") => AiError::RateLimited {
            retry_after: parse_retry_delay(&message),
            message,
        },
        _ => AiError::ResponseFailed {
            code: code.map(str::to_owned),
            message,
        },
    }
}

/// The error of a `response.failed` event or a status-less WebSocket `error` frame:
/// decided by its code; a usage limit is classified as if answered 429.
pub(crate) fn from_failure(error: &Value, rate_limits: Option<RateLimitSnapshot>) -> AiError {
    if code_of(error) == Some("usage_limit_reached") {
        return classify(429, error, "usage limit reached", None, rate_limits);
    }
    let message = error.get("message").and_then(Value::as_str);
    from_code(
        code_of(error),
        message.unwrap_or("the response failed").to_owned(),
    )
}

/// The error for a non-success `status` with JSON `body` and `headers`.
pub(crate) fn from_status(status: u16, body: &[u8], headers: Option<&HeaderMap>) -> AiError {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    classify(
        status,
        json.get("error").unwrap_or(&json),
        &snippet(body),
        headers.and_then(|headers| clanka_http::server_delay(headers, body)),
        headers.and_then(crate::rate_limits::from_headers),
    )
}

/// A WebSocket `error` frame: `{"type":"error","status":429,"error":{…},"headers":{…}}`,
/// treated like an HTTP error with that status; without a status its code decides.
pub(crate) fn from_error_frame(frame: &Value) -> AiError {
    let status = frame
        .get("status")
        .or_else(|| frame.get("status_code"))
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok());
    let error = frame.get("error").unwrap_or(&Value::Null);
    let rate_limits = frame
        .get("headers")
        .and_then(crate::rate_limits::from_json_headers);
    match status {
        Some(status) => classify(status, error, "error event", None, rate_limits),
        None => from_failure(error, rate_limits),
    }
}

/// Classifies the error object `error` answered with `status`.
///
/// Deviation from the official client: a 429 that is neither a usage limit nor "usage not included"
/// is a retryable [`AiError::RateLimited`] (honouring `Retry-After`), where the
/// official client gives up at once; HTTP defines 429 as transient. Other 4xx are
/// fatal [`AiError::InvalidRequest`] rather than retryable "unexpected status".
fn classify(
    status: u16,
    error: &Value,
    fallback: &str,
    retry_after: Option<Duration>,
    rate_limits: Option<RateLimitSnapshot>,
) -> AiError {
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or(fallback)
        .to_owned();
    let code = code_of(error);
    match (status, code) {
        (401 | 403, _) => AiError::Unauthorized { message },
        (429, Some("usage_limit_reached")) => AiError::UsageLimitReached {
            message,
            plan_type: error
                .get("plan_type")
                .and_then(Value::as_str)
                .map(str::to_owned),
            resets_at: error.get("resets_at").and_then(Value::as_i64),
            rate_limits: rate_limits.map(Box::new),
        },
        (429, Some("usage_not_included")) => AiError::UsageNotIncluded { message },
        (429, _) => AiError::RateLimited {
            // The delay the response named (headers first, as the HTTP client
            // reads it), else one the message names (a WebSocket error frame).
            retry_after: retry_after.or_else(|| parse_retry_delay(&message)),
            message,
        },
        (400..=499, _) => match from_code(code, message) {
            AiError::ResponseFailed { message, .. } => AiError::InvalidRequest { message },
            other => other,
        },
        (503, Some("server_is_overloaded" | "slow_down")) => AiError::ServerOverloaded { message },
        _ => AiError::Server { status, message },
    }
}

fn non_empty(message: String, fallback: &str) -> String {
    if message.trim().is_empty() {
        fallback.to_owned()
    } else {
        message
    }
}

/// The start of a non-JSON body, for the error message.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None if text.is_empty() => "no error body".to_owned(),
        None => text.to_owned(),
    }
}
