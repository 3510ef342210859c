//! Stream-level retries: a failed attempt is sent again, with the shared
//! [`Backoff`], and the consumer is told with a [`StreamPart::Retry`] that names the
//! output the failed attempt had delivered, so nothing is shown or kept twice.
//!
//! Failures the request layer already retried (a final HTTP status, a connection the
//! HTTP client gave up on) are passed on at once: one owner per failure class.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use clanka_http::Backoff;
use clanka_model::{AiError, PartStream, StreamPart};
use futures_util::future::BoxFuture;
use futures_util::{Stream, StreamExt as _};

/// Why an attempt failed, and whether this layer may still retry it.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: AiError,
    /// The request layer (the HTTP client) already spent its retries on it.
    pub(crate) spent: bool,
}

impl Failure {
    /// A failure of the stream or of a transport without retries of its own
    /// (WebSocket): this layer's to retry.
    pub(crate) fn stream(error: AiError) -> Self {
        Self {
            error,
            spent: false,
        }
    }

    /// A failure the HTTP client already retried: passed on as it is.
    pub(crate) fn spent(error: AiError) -> Self {
        Self { error, spent: true }
    }
}

impl From<AiError> for Failure {
    fn from(error: AiError) -> Self {
        Self::stream(error)
    }
}

/// The parts of one attempt.
pub(crate) type Attempt = Pin<Box<dyn Stream<Item = Result<StreamPart, Failure>> + Send>>;

/// Starts one attempt.
pub(crate) type Open = Box<dyn FnMut() -> BoxFuture<'static, Result<Attempt, Failure>> + Send>;

/// When to retry: the backoff, and the client's reclassification of errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    pub(crate) backoff: Backoff,
    pub(crate) classify: fn(AiError) -> AiError,
}

/// A stream that opens attempts with `open` and retries them as `policy` allows.
pub(crate) fn retrying(policy: RetryPolicy, mut open: Open) -> PartStream {
    let phase = Phase::Opening(open());
    PartStream::new(Retrying {
        policy,
        open,
        phase,
        retries: 0,
        delivered: Vec::new(),
    })
}

struct Retrying {
    policy: RetryPolicy,
    open: Open,
    phase: Phase,
    retries: u32,
    /// Sections and tool calls the current attempt delivered.
    delivered: Vec<String>,
}

enum Phase {
    Opening(BoxFuture<'static, Result<Attempt, Failure>>),
    Streaming(Attempt),
    Waiting(Pin<Box<tokio::time::Sleep>>),
    Done,
}

impl Stream for Retrying {
    type Item = Result<StreamPart, AiError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            let failure = match &mut this.phase {
                Phase::Opening(opening) => match ready!(opening.as_mut().poll(cx)) {
                    Ok(attempt) => {
                        this.phase = Phase::Streaming(attempt);
                        continue;
                    }
                    Err(failure) => failure,
                },
                Phase::Streaming(attempt) => match ready!(attempt.poll_next_unpin(cx)) {
                    Some(Ok(part)) => {
                        this.note(&part);
                        return Poll::Ready(Some(Ok(part)));
                    }
                    Some(Err(failure)) => failure,
                    None => {
                        this.phase = Phase::Done;
                        return Poll::Ready(None);
                    }
                },
                Phase::Waiting(sleep) => {
                    ready!(sleep.as_mut().poll(cx));
                    this.phase = Phase::Opening((this.open)());
                    continue;
                }
                Phase::Done => return Poll::Ready(None),
            };
            return Poll::Ready(Some(this.fail(failure)));
        }
    }
}

impl Retrying {
    /// Remembers what a delivered part showed the consumer.
    fn note(&mut self, part: &StreamPart) {
        match part {
            StreamPart::TextStart { id } | StreamPart::ReasoningStart { id } => {
                self.delivered.push(id.clone());
            }
            StreamPart::ToolCall(call) => self.delivered.push(call.id.clone()),
            _ => {}
        }
    }

    /// The item that reports `failure`: a retry notice (the next attempt waits), or
    /// the error that ends the stream.
    fn fail(&mut self, failure: Failure) -> Result<StreamPart, AiError> {
        let error = (self.policy.classify)(failure.error);
        let delay = if failure.spent || !error.is_retryable() {
            None
        } else {
            self.retries += 1;
            self.policy.backoff.next(self.retries, error.retry_after())
        };
        let Some(delay) = delay else {
            self.phase = Phase::Done;
            return Err(error);
        };
        let message = clanka_model::error_chain(&error);
        tracing::warn!(error = %message, retry = self.retries, ?delay, "retrying the model request");
        self.phase = Phase::Waiting(Box::pin(tokio::time::sleep(delay)));
        Ok(StreamPart::Retry {
            attempt: self.retries,
            error: message,
            delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            discard: std::mem::take(&mut self.delivered),
        })
    }
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;
