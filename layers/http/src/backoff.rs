//! One retry timing for every layer of clanka: exponential backoff with jitter, and
//! the delay a server names (`Retry-After`, or "try again in 1.5s" in an error body),
//! honoured only up to a cap.
//!
//! The HTTP client retries request-level failures with it, the Codex model retries
//! stream-level failures with it, and both read server delays with [`server_delay`].
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use clanka_http::{Backoff, parse_retry_delay};
//!
//! let backoff = Backoff::default();
//! let first = backoff.delay(1).unwrap();
//! assert!(first >= Duration::from_millis(180) && first <= Duration::from_millis(220));
//! assert_eq!(backoff.delay(5), None, "4 retries, then give up");
//!
//! let asked = parse_retry_delay("Rate limit reached. Please try again in 1.898s.");
//! assert_eq!(asked, Some(Duration::from_millis(1898)));
//! assert_eq!(backoff.honour(Duration::from_secs(3600)), None, "longer than the 60 s cap");
//! ```

use std::time::{Duration, SystemTime};

use http::{HeaderMap, header::RETRY_AFTER};

/// The longest server-requested delay honoured by default; a longer one ends the
/// request with the server's answer, which says when to come back.
pub const MAX_SERVER_DELAY: Duration = Duration::from_secs(60);

/// When to retry and how long to wait: `base × 2^(retry-1) × U[0.9, 1.1)`, at most
/// `max_delay`, for `max_retries` retries; a server-named delay wins when it is at
/// most `max_server_delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay (default 200 ms).
    pub base: Duration,
    /// The longest computed delay (default 10 s).
    pub max_delay: Duration,
    /// Retries after the first attempt (default 4: five attempts in all).
    pub max_retries: u32,
    /// The longest delay a server may ask for (default [`MAX_SERVER_DELAY`]).
    pub max_server_delay: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retries: 4,
            max_server_delay: MAX_SERVER_DELAY,
        }
    }
}

impl Backoff {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Sets [`max_retries`](Self::max_retries).
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets [`base`](Self::base).
    pub fn with_base(mut self, base: Duration) -> Self {
        self.base = base;
        self
    }

    /// Sets [`max_server_delay`](Self::max_server_delay).
    pub fn with_max_server_delay(mut self, delay: Duration) -> Self {
        self.max_server_delay = delay;
        self
    }

    /// The wait before retry number `retry` (1-based), or `None` when the retries are spent.
    pub fn delay(&self, retry: u32) -> Option<Duration> {
        if retry == 0 || retry > self.max_retries {
            return None;
        }
        let exponent = (retry - 1).min(16);
        let delay = self
            .base
            .saturating_mul(1 << exponent)
            .mul_f64(0.9 + fastrand::f64() * 0.2);
        Some(delay.min(self.max_delay.max(self.base)))
    }

    /// `server` when it may be honoured (at most [`max_server_delay`](Self::max_server_delay)).
    pub fn honour(&self, server: Duration) -> Option<Duration> {
        (server <= self.max_server_delay).then_some(server)
    }

    /// The wait before retry number `retry` after a failure whose server named
    /// `server` (if any): the server's delay when honoured, else the backoff. `None`
    /// when the retries are spent or the server asked for longer than the cap.
    pub fn next(&self, retry: u32, server: Option<Duration>) -> Option<Duration> {
        let backoff = self.delay(retry)?;
        match server {
            Some(server) => self.honour(server),
            None => Some(backoff),
        }
    }
}

/// reqwest-retry asks this policy after each transient failure.
impl reqwest_retry::RetryPolicy for Backoff {
    fn should_retry(
        &self,
        _request_start_time: SystemTime,
        n_past_retries: u32,
    ) -> reqwest_retry::RetryDecision {
        match self.delay(n_past_retries.saturating_add(1)) {
            Some(delay) => reqwest_retry::RetryDecision::Retry {
                execute_after: SystemTime::now() + delay,
            },
            None => reqwest_retry::RetryDecision::DoNotRetry,
        }
    }
}

/// The delay a response names: its `Retry-After` header (seconds, fractions allowed,
/// or an HTTP date), else its `retry-after-ms` header, else "try again in …" in `body`.
pub fn server_delay(headers: &HeaderMap, body: &[u8]) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    header(RETRY_AFTER.as_str())
        .and_then(|value| parse_retry_after(value, SystemTime::now()))
        .or_else(|| {
            header("retry-after-ms")
                .and_then(|ms| ms.trim().parse::<f64>().ok())
                .and_then(|ms| seconds(ms / 1000.0))
        })
        .or_else(|| parse_retry_delay(&String::from_utf8_lossy(body)))
}

/// Parses a `Retry-After` value: delay-seconds (fractions accepted) or an HTTP date
/// relative to `now` (a date in the past is no delay).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return seconds(secs);
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or_default())
}

fn seconds(secs: f64) -> Option<Duration> {
    (secs.is_finite() && secs >= 0.0)
        .then(|| Duration::try_from_secs_f64(secs).ok())
        .flatten()
}

const NEEDLE: &str = "try again in";

/// The delay in a message like "Please try again in 11.054s", if there is one.
///
/// Case-insensitive; decimals allowed; units `s`, `ms`, `second` or `seconds`, as the
/// Codex client reads them. The first phrase that parses wins.
pub fn parse_retry_delay(message: &str) -> Option<Duration> {
    // ASCII lowercasing keeps byte offsets, so slices of `lower` line up with `message`.
    let lower = message.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(NEEDLE) {
        let after = from + found + NEEDLE.len();
        if let Some(delay) = parse_amount(&lower[after..]) {
            return Some(delay);
        }
        from = after;
    }
    None
}

/// Parses `\s*(\d+(?:\.\d+)?)\s*(s|ms|seconds?)` at the start of `text`.
fn parse_amount(text: &str) -> Option<Duration> {
    let text = text.trim_start();
    let integer = leading_digits(text);
    if integer == 0 {
        return None;
    }
    let mut end = integer;
    if let Some(rest) = text[end..].strip_prefix('.') {
        let fraction = leading_digits(rest);
        if fraction > 0 {
            end += 1 + fraction;
        }
    }
    let value: f64 = text[..end].parse().ok()?;
    let unit = text[end..].trim_start();
    if unit.starts_with("ms") {
        seconds(value / 1000.0)
    } else if unit.starts_with('s') {
        seconds(value)
    } else {
        None
    }
}

fn leading_digits(text: &str) -> usize {
    text.bytes().take_while(u8::is_ascii_digit).count()
}

#[cfg(test)]
#[path = "backoff_tests.rs"]
mod tests;
