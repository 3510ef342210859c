//! The one error type of language-model calls, classified for retries.

use std::time::Duration;

use tower::BoxError;

use crate::RateLimitSnapshot;

/// Why a model request or its stream failed: one variant per reason.
///
/// Providers map their wire errors onto these; callers
/// decides with [`is_retryable`](Self::is_retryable) and
/// [`retry_after`](Self::retry_after). Messages come from the provider's error
/// bodies and never hold credentials.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use clanka_model::AiError;
///
/// let err = AiError::RateLimited {
///     message: "Rate limit reached. Please try again in 1.5s.".into(),
///     retry_after: Some(Duration::from_millis(1500)),
/// };
/// assert!(err.is_retryable());
/// assert_eq!(err.retry_after(), Some(Duration::from_millis(1500)));
/// assert_eq!(err.to_string(), "rate limited (retry in 1.5 s): Rate limit reached. Please try again in 1.5s.");
///
/// let err = AiError::ContextWindowExceeded { message: "too long".into() };
/// assert!(!err.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AiError {
    /// The prompt does not fit the model's context window; compact or trim history.
    #[error("context window exceeded: {message}")]
    ContextWindowExceeded {
        /// Provider message.
        message: String,
    },
    /// The account has no quota left (billing).
    #[error("quota exceeded: {message}")]
    QuotaExceeded {
        /// Provider message.
        message: String,
    },
    /// The plan's usage limit is reached until `resets_at`.
    #[error("usage limit reached: {message}")]
    UsageLimitReached {
        /// Provider message.
        message: String,
        /// The account's plan (`plus`, `pro`, …).
        plan_type: Option<String>,
        /// When the limit resets, in Unix seconds.
        resets_at: Option<i64>,
        /// The limit that was hit, when the provider reported it.
        rate_limits: Option<Box<RateLimitSnapshot>>,
    },
    /// The account's plan does not include this model or product.
    #[error("usage not included in the plan: {message}")]
    UsageNotIncluded {
        /// Provider message.
        message: String,
    },
    /// Too many requests; try again, after `retry_after` when the provider said.
    ///
    /// Retryable: the caller's retry budget bounds the attempts. A provider that
    /// gives up because the delay is longer than it waits returns this error, whose
    /// message says when to come back.
    #[error("rate limited{}: {message}", retry_in(*.retry_after))]
    RateLimited {
        /// Provider message.
        message: String,
        /// The delay the provider asked for.
        retry_after: Option<Duration>,
    },
    /// The provider is overloaded and asks clients to back off.
    #[error("server overloaded: {message}")]
    ServerOverloaded {
        /// Provider message.
        message: String,
    },
    /// The provider refused the content for policy reasons (Codex `cyber_policy`).
    #[error("content policy violation: {message}")]
    ContentPolicy {
        /// Provider message.
        message: String,
    },
    /// The request is malformed (bad schema, invalid image, unpaired tool call, …).
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// Provider message.
        message: String,
    },
    /// The provider rejected the credentials after the provider's own recovery
    /// (token reload and refresh); the user must sign in again.
    #[error("unauthorized: {message}")]
    Unauthorized {
        /// Provider message.
        message: String,
    },
    /// The provider rejects an option of the request (e.g. `temperature`).
    #[error("unsupported option `{option}`")]
    Unsupported {
        /// The option's name.
        option: String,
    },
    /// The stream ended or broke before the response was complete.
    #[error("stream disconnected: {message}")]
    StreamDisconnected {
        /// What happened.
        message: String,
    },
    /// No event arrived for `after`.
    #[error("idle timeout: no event for {after:?}")]
    IdleTimeout {
        /// The idle time allowed.
        after: Duration,
    },
    /// The response ran past the time a [`StreamTimeoutLayer`](crate::layers::StreamTimeoutLayer)
    /// gives it.
    #[error("the response took longer than {}", match .after {
        Some(after) => format!("{} s", after.as_secs_f64()),
        None => "its time limit".to_owned(),
    })]
    Timeout {
        /// The limit, when the layer that enforced it said (tower's own timeout does
        /// not).
        after: Option<Duration>,
    },
    /// An unexpected HTTP status, 5xx included.
    #[error("server returned status {status}: {message}")]
    Server {
        /// HTTP status code.
        status: u16,
        /// Response body or summary.
        message: String,
    },
    /// The provider reported a failure with no more specific variant.
    #[error("response failed: {message}")]
    ResponseFailed {
        /// Provider error code, if any.
        code: Option<String>,
        /// Provider message.
        message: String,
    },
    /// The provider sent something the client could not decode.
    #[error("invalid response: {message}")]
    InvalidResponse {
        /// What could not be decoded (never the raw payload).
        message: String,
    },
    /// The request could not be sent or the connection failed.
    #[error("transport failed")]
    Transport(#[source] BoxError),
    /// Something on this machine failed that retrying will not fix: the credential
    /// store is read-only, full or not a directory, a lock could not be taken in time.
    /// The source names the path and the operating system's message.
    #[error("local failure")]
    Local(#[source] BoxError),
}

impl AiError {
    /// The error a tower layer raised: an [`AiError`] stays itself, a
    /// `tower::timeout::error::Elapsed` is [`Timeout`](Self::Timeout) (of unknown
    /// length), anything else is [`Local`](Self::Local).
    pub fn from_box(error: BoxError) -> Self {
        match error.downcast::<Self>() {
            Ok(error) => *error,
            Err(other) if other.is::<tower::timeout::error::Elapsed>() => {
                Self::Timeout { after: None }
            }
            Err(other) => Self::Local(other),
        }
    }

    /// The rate-limit snapshot the provider sent with this error (a reached usage
    /// limit), if any.
    pub fn rate_limits(&self) -> Option<&RateLimitSnapshot> {
        match self {
            Self::UsageLimitReached { rate_limits, .. } => rate_limits.as_deref(),
            _ => None,
        }
    }

    /// Wraps a transport error.
    pub fn transport(error: impl Into<BoxError>) -> Self {
        Self::Transport(error.into())
    }

    /// Whether trying the same request again may succeed.
    ///
    /// Fatal: context window, quota, usage limit, usage not included, content policy,
    /// invalid request, unauthorized, unsupported option, and local failures.
    /// Everything else (rate limited, server overloaded, disconnects, idle timeouts,
    /// unexpected statuses, other failures, undecodable responses, transport) is
    /// retryable. Deviation from the official client, which gives up on "overloaded":
    /// a 503 is retried like any other 5xx, within the same budget.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::ContextWindowExceeded { .. }
            | Self::QuotaExceeded { .. }
            | Self::UsageLimitReached { .. }
            | Self::UsageNotIncluded { .. }
            | Self::ContentPolicy { .. }
            | Self::InvalidRequest { .. }
            | Self::Unauthorized { .. }
            | Self::Unsupported { .. }
            | Self::Timeout { .. }
            | Self::Local(_) => false,
            Self::RateLimited { .. }
            | Self::ServerOverloaded { .. }
            | Self::StreamDisconnected { .. }
            | Self::IdleTimeout { .. }
            | Self::Server { .. }
            | Self::ResponseFailed { .. }
            | Self::InvalidResponse { .. }
            | Self::Transport(_) => true,
        }
    }

    /// The delay the provider asked for before a retry, if any.
    ///
    /// `None` means "use your own backoff" (retryable) or "do not retry" (fatal).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// ` (retry in N s)` for a known delay.
fn retry_in(after: Option<Duration>) -> String {
    after
        .map(|after| format!(" (retry in {:.1} s)", after.as_secs_f64()))
        .unwrap_or_default()
}

/// A string that names no variant of a provider option enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`")]
pub struct ParseOptionError {
    /// Which option was parsed (`reasoning effort`, `verbosity`, …).
    pub kind: &'static str,
    /// The string that did not parse.
    pub value: String,
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;

/// An error with its sources, `outer: inner: root cause`, for one-line reports.
///
/// # Example
///
/// ```
/// let error = clanka_model::AiError::transport(std::io::Error::other("connection reset"));
/// assert_eq!(clanka_model::error_chain(&error), "transport failed: connection reset");
/// ```
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
