use std::time::Duration;

use tower::Layer;

use super::RetryAfter;

/// Layer that applies [`RetryAfter`], which honours `Retry-After` on 429 and 503 responses.
///
/// See [`RetryAfter`] for an example.
#[derive(Debug, Clone, Copy)]
pub struct RetryAfterLayer {
    max_delay: Duration,
    max_attempts: u32,
}

impl RetryAfterLayer {
    /// Waits at most `max_delay` per response and re-sends at most `max_attempts` times.
    pub fn new(max_delay: Duration, max_attempts: u32) -> Self {
        Self {
            max_delay,
            max_attempts,
        }
    }
}

impl<S> Layer<S> for RetryAfterLayer {
    type Service = RetryAfter<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RetryAfter::new(inner, self.max_delay, self.max_attempts)
    }
}
