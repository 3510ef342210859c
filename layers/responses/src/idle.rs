//! The idle deadline of a streaming response, armed once: events only note the time,
//! and the timer is moved forward only when it fires early, so a stream of events
//! costs a clock read each instead of a timer each.

use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

/// Fires when nothing happened for `limit`.
#[derive(Debug)]
pub(crate) struct IdleTimer {
    pub(crate) limit: Duration,
    last: Instant,
    sleep: Pin<Box<Sleep>>,
}

impl IdleTimer {
    pub(crate) fn new(limit: Duration) -> Self {
        let now = Instant::now();
        Self {
            limit,
            last: now,
            sleep: Box::pin(tokio::time::sleep_until(now + limit)),
        }
    }

    /// Something happened now.
    pub(crate) fn touch(&mut self) {
        self.last = Instant::now();
    }

    /// Ready once `limit` passed since the last [`touch`](Self::touch).
    pub(crate) fn poll_expired(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            ready!(self.sleep.as_mut().poll(cx));
            let deadline = self.last + self.limit;
            if Instant::now() >= deadline {
                return Poll::Ready(());
            }
            self.sleep.as_mut().reset(deadline);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn fires_only_after_a_quiet_limit() {
        let mut timer = IdleTimer::new(Duration::from_secs(10));
        tokio::time::sleep(Duration::from_secs(8)).await;
        timer.touch();
        tokio::time::sleep(Duration::from_secs(8)).await;
        let early = std::future::poll_fn(|cx| Poll::Ready(timer.poll_expired(cx))).await;
        assert!(early.is_pending(), "touched 8 s ago");
        let started = Instant::now();
        std::future::poll_fn(|cx| timer.poll_expired(cx)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(2));
    }
}
