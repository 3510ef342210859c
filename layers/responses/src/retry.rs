//! Model-level retries (§5.2): a failed attempt is retried only while no part of the
//! response has reached the consumer, so a retry never duplicates output (§9.7).

use std::collections::VecDeque;
use std::pin::Pin;
use std::time::Duration;

use clanka_model::{AiError, PartStream, StreamPart};
use futures_util::future::BoxFuture;
use futures_util::{Stream, StreamExt as _, stream};

use crate::ResponsesConfig;

/// The parts of one attempt.
pub(crate) type Attempt = Pin<Box<dyn Stream<Item = Result<StreamPart, AiError>> + Send>>;

/// Starts one attempt.
pub(crate) type Open = Box<dyn FnMut() -> BoxFuture<'static, Result<Attempt, AiError>> + Send>;

/// When to retry and how long to wait.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    max_retry_after: Duration,
    classify: fn(AiError) -> AiError,
}

impl RetryPolicy {
    pub(crate) fn new(config: &ResponsesConfig) -> Self {
        Self {
            max_retries: config.max_retries,
            base_delay: config.retry_base_delay,
            max_retry_after: config.max_retry_after,
            classify: config.classify_error,
        }
    }

    /// The wait before retry number `retry` (1-based) after `error`, or `None` to give up:
    /// the server's delay when it asked for one, else `base × 2^(retry-1) × U[0.9, 1.1)`.
    pub(crate) fn delay(&self, error: &AiError, retry: u32) -> Option<Duration> {
        if !error.is_retryable() || retry > self.max_retries {
            return None;
        }
        if let Some(after) = error.retry_after() {
            return (after <= self.max_retry_after).then_some(after);
        }
        let exponent = retry.saturating_sub(1).min(16);
        Some(
            self.base_delay
                .saturating_mul(1 << exponent)
                .mul_f64(0.9 + fastrand::f64() * 0.2),
        )
    }
}

/// A stream that opens attempts with `open` and retries as the policy allows.
pub(crate) fn retrying(policy: RetryPolicy, open: Open) -> PartStream {
    let state = State {
        policy,
        open,
        current: None,
        held: VecDeque::new(),
        delivered: false,
        retries: 0,
        finished: false,
    };
    PartStream::new(stream::unfold(state, |mut state| async move {
        let item = state.next().await?;
        Some((item, state))
    }))
}

struct State {
    policy: RetryPolicy,
    open: Open,
    current: Option<Attempt>,
    /// Parts that carry no output (response start, rate limits), held until the
    /// first output part so that a retried attempt does not repeat them.
    held: VecDeque<StreamPart>,
    delivered: bool,
    retries: u32,
    finished: bool,
}

impl State {
    async fn next(&mut self) -> Option<Result<StreamPart, AiError>> {
        loop {
            if self.delivered
                && let Some(part) = self.held.pop_front()
            {
                return Some(Ok(part));
            }
            if self.finished {
                return None;
            }
            let attempt = match &mut self.current {
                Some(attempt) => attempt,
                None => match (self.open)().await {
                    Ok(attempt) => self.current.insert(attempt),
                    Err(error) => match self.give_up_or_wait((self.policy.classify)(error)).await {
                        Some(error) => return Some(Err(error)),
                        None => continue,
                    },
                },
            };
            match attempt.next().await {
                Some(Ok(part)) if self.delivered => return Some(Ok(part)),
                Some(Ok(part)) => {
                    self.delivered = carries_output(&part);
                    self.held.push_back(part);
                }
                Some(Err(error)) => {
                    self.current = None;
                    let error = (self.policy.classify)(error);
                    if self.delivered {
                        self.finished = true;
                        return Some(Err(error));
                    }
                    if let Some(error) = self.give_up_or_wait(error).await {
                        return Some(Err(error));
                    }
                }
                None => {
                    self.current = None;
                    self.delivered = true;
                    self.finished = true;
                }
            }
        }
    }

    /// Waits before the next attempt, or returns the error to deliver.
    async fn give_up_or_wait(&mut self, error: AiError) -> Option<AiError> {
        self.retries += 1;
        self.held.clear();
        match self.policy.delay(&error, self.retries) {
            Some(delay) => {
                tracing::warn!(%error, retry = self.retries, ?delay, "retrying the model request");
                tokio::time::sleep(delay).await;
                None
            }
            None => {
                self.finished = true;
                Some(error)
            }
        }
    }
}

fn carries_output(part: &StreamPart) -> bool {
    !matches!(
        part,
        StreamPart::ResponseStarted { .. } | StreamPart::RateLimits(_)
    )
}

#[cfg(test)]
mod tests;
