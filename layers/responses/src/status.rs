//! Errors answered with an HTTP status (or a WebSocket `error` frame carrying one),
//! classified as in §3.4.

use std::time::Duration;

use clanka_model::{AiError, parse_retry_delay};
use http::HeaderMap;
use serde_json::Value;

/// Codes of `response.failed` / error bodies and what they become.
pub(crate) fn from_code(code: Option<&str>, message: String, kind: Option<&str>) -> AiError {
    match code.or(kind) {
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

/// The error for a non-success `status` with JSON `body` and `headers`.
///
/// Deviation from §3.4: a 429 that is neither a usage limit nor "usage not included"
/// is a retryable [`AiError::RateLimited`] (honouring `Retry-After`), where the
/// official client gives up at once; HTTP defines 429 as transient. Other 4xx are
/// fatal [`AiError::InvalidRequest`] rather than retryable "unexpected status".
pub(crate) fn from_status(status: u16, body: &[u8], headers: Option<&HeaderMap>) -> AiError {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let error = json.get("error").unwrap_or(&json);
    let text = |key: &str| error.get(key).and_then(Value::as_str);
    let message = text("message")
        .map(str::to_owned)
        .unwrap_or_else(|| snippet(body));
    let code = text("code");
    let kind = text("type");
    let retry_after = headers.and_then(retry_after_header);
    match status {
        401 | 403 => AiError::Unauthorized { message },
        429 if matches!(kind, Some("usage_limit_reached"))
            || code == Some("usage_limit_reached") =>
        {
            AiError::UsageLimitReached {
                message,
                plan_type: text("plan_type").map(str::to_owned),
                resets_at: error.get("resets_at").and_then(Value::as_i64),
                rate_limits: headers
                    .and_then(crate::rate_limits::from_headers)
                    .map(Box::new),
            }
        }
        429 if kind == Some("usage_not_included") || code == Some("usage_not_included") => {
            AiError::UsageNotIncluded { message }
        }
        429 => AiError::RateLimited {
            retry_after: parse_retry_delay(&message).or(retry_after),
            message,
        },
        400..=499 => match from_code(code, message, None) {
            AiError::ResponseFailed { message, .. } => AiError::InvalidRequest { message },
            other => other,
        },
        503 if matches!(code, Some("server_is_overloaded" | "slow_down")) => {
            AiError::ServerOverloaded { message }
        }
        _ => AiError::Server { status, message },
    }
}

/// A WebSocket `error` frame: `{"type":"error","status":429,"error":{…},"headers":{…}}`.
/// Without a status the frame's code decides.
pub(crate) fn from_error_frame(frame: &Value) -> AiError {
    let status = frame
        .get("status")
        .or_else(|| frame.get("status_code"))
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok());
    let body =
        serde_json::to_vec(&serde_json::json!({"error": frame.get("error")})).unwrap_or_default();
    let mut error = match status {
        Some(status) => from_status(status, &body, None),
        None => {
            let error = frame.get("error").unwrap_or(frame);
            let text = |key: &str| error.get(key).and_then(Value::as_str);
            from_code(
                text("code"),
                text("message").unwrap_or("error event").to_owned(),
                text("type"),
            )
        }
    };
    if let AiError::UsageLimitReached { rate_limits, .. } = &mut error {
        *rate_limits = frame
            .get("headers")
            .and_then(crate::rate_limits::from_json_headers)
            .map(Box::new);
    }
    error
}

fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
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
