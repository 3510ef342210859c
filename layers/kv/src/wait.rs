//! Waiting for a lock held elsewhere, for the backends that poll (files, Redis):
//! a pause with jitter between tries, doubling up to a cap, cut at the deadline.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// The pauses of one wait.
pub(crate) struct Pauses {
    next: Duration,
    longest: Duration,
    deadline: Instant,
}

impl Pauses {
    /// Pauses from `first` up to `longest`, for at most `timeout` from now.
    pub(crate) fn new(first: Duration, longest: Duration, timeout: Duration) -> Self {
        Self {
            next: first,
            longest,
            deadline: Instant::now() + timeout,
        }
    }

    /// Sleeps the next pause, or less when `wake` fires first (a release in this
    /// process); `false`, without sleeping, once the deadline has passed.
    pub(crate) async fn pause(&mut self, wake: impl Future<Output = ()>) -> bool {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        let jittered = self.next.mul_f64(0.5 + fastrand::f64());
        tokio::select! {
            () = tokio::time::sleep(jittered.min(left)) => {}
            () = wake => {}
        }
        self.next = (self.next * 2).min(self.longest);
        true
    }
}
