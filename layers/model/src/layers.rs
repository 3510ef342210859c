//! Tower middleware that governs a whole streamed response, not just its start:
//! [`StreamTimeoutLayer`] ends a response that runs past its time, and
//! [`StreamConcurrencyLimitLayer`] holds its permit until the stream ends or is
//! dropped. Plain `tower::timeout` and `tower::limit` around a [`LanguageModel`] see
//! only the call that opens the stream.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use clanka_model::layers::{StreamConcurrencyLimitLayer, StreamTimeoutLayer};
//! use clanka_model::{LanguageModel, PartStream, Prompt};
//! use tower::ServiceBuilder;
//!
//! let echo = LanguageModel::new(tower::service_fn(|_: Prompt| async { Ok(PartStream::from_parts([])) }));
//! let governed = echo.layer(
//!     ServiceBuilder::new()
//!         .layer(StreamConcurrencyLimitLayer::new(4))
//!         .layer(StreamTimeoutLayer::new(Duration::from_secs(600))),
//! );
//! # let _ = governed;
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{Stream, StreamExt as _};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::{BoxError, Layer, Service};

use crate::{AiError, LanguageModel, PartStream, Prompt};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Ends a response that is not over `after` from its request: the stream's last item
/// is then [`AiError::Timeout`].
#[derive(Debug, Clone, Copy)]
pub struct StreamTimeoutLayer {
    after: Duration,
}

impl StreamTimeoutLayer {
    /// Responses may take `after`, from the request to their last part.
    pub fn new(after: Duration) -> Self {
        Self { after }
    }
}

impl<S> Layer<S> for StreamTimeoutLayer {
    type Service = StreamTimeout<S>;

    fn layer(&self, inner: S) -> Self::Service {
        StreamTimeout {
            inner,
            after: self.after,
        }
    }
}

/// The service of [`StreamTimeoutLayer`].
#[derive(Debug, Clone)]
pub struct StreamTimeout<S> {
    inner: S,
    after: Duration,
}

impl<S> Service<Prompt> for StreamTimeout<S>
where
    S: Service<Prompt, Response = PartStream, Error = AiError>,
    S::Future: Send + 'static,
{
    type Response = PartStream;
    type Error = AiError;
    type Future = BoxFuture<Result<PartStream, AiError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), AiError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, prompt: Prompt) -> Self::Future {
        let after = self.after;
        let deadline = tokio::time::Instant::now() + after;
        let opening = self.inner.call(prompt);
        Box::pin(async move {
            let stream = tokio::time::timeout_at(deadline, opening)
                .await
                .map_err(|_| AiError::Timeout { after: Some(after) })??;
            Ok(PartStream::new(Deadline {
                stream,
                sleep: Box::pin(tokio::time::sleep_until(deadline)),
                after,
                done: false,
            }))
        })
    }
}

/// A stream that ends with [`AiError::Timeout`] at its deadline.
struct Deadline {
    stream: PartStream,
    sleep: Pin<Box<tokio::time::Sleep>>,
    after: Duration,
    done: bool,
}

impl Stream for Deadline {
    type Item = Result<crate::StreamPart, AiError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = self.stream.poll_next_unpin(cx) {
            return Poll::Ready(item);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.done = true;
            return Poll::Ready(Some(Err(AiError::Timeout {
                after: Some(self.after),
            })));
        }
        Poll::Pending
    }
}

/// Lets at most `max` responses stream at once: a permit is taken before the request
/// and held until its stream ends or is dropped.
#[derive(Debug, Clone)]
pub struct StreamConcurrencyLimitLayer {
    permits: Arc<Semaphore>,
}

impl StreamConcurrencyLimitLayer {
    /// At most `max` responses at once.
    pub fn new(max: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max)),
        }
    }
}

impl<S> Layer<S> for StreamConcurrencyLimitLayer {
    type Service = StreamConcurrencyLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        StreamConcurrencyLimit {
            inner,
            permits: Arc::clone(&self.permits),
        }
    }
}

/// The service of [`StreamConcurrencyLimitLayer`].
#[derive(Debug, Clone)]
pub struct StreamConcurrencyLimit<S> {
    inner: S,
    permits: Arc<Semaphore>,
}

impl<S> Service<Prompt> for StreamConcurrencyLimit<S>
where
    S: Service<Prompt, Response = PartStream, Error = AiError> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = PartStream;
    type Error = AiError;
    type Future = BoxFuture<Result<PartStream, AiError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), AiError>> {
        // Readiness is the permit's, taken in `call`.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, prompt: Prompt) -> Self::Future {
        let permits = Arc::clone(&self.permits);
        let mut inner = self.inner.clone();
        Box::pin(async move {
            let permit = permits
                .acquire_owned()
                .await
                .map_err(|e| AiError::Local(Box::new(e)))?;
            let stream = tower::ServiceExt::ready(&mut inner)
                .await?
                .call(prompt)
                .await?;
            Ok(PartStream::new(Held {
                stream,
                _permit: permit,
            }))
        })
    }
}

/// A stream that holds its permit until it is dropped.
struct Held {
    stream: PartStream,
    _permit: OwnedSemaphorePermit,
}

impl Stream for Held {
    type Item = Result<crate::StreamPart, AiError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.poll_next_unpin(cx)
    }
}

impl LanguageModel {
    /// This model wrapped in `layer` (a tower layer or a `ServiceBuilder` stack),
    /// back behind a [`LanguageModel`]: errors the layers raise convert through
    /// [`AiError::from_box`] (an `AiError` stays itself).
    pub fn layer<L>(self, layer: L) -> LanguageModel
    where
        L: Layer<LanguageModel>,
        L::Service: Service<Prompt, Response = PartStream> + Clone + Send + Sync + 'static,
        <L::Service as Service<Prompt>>::Error: Into<BoxError>,
        <L::Service as Service<Prompt>>::Future: Send + 'static,
    {
        use tower::ServiceExt as _;
        LanguageModel::new(layer.layer(self).map_err(|e| AiError::from_box(e.into())))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures_util::stream;

    use super::*;
    use crate::{FinishReason, StreamPart};

    /// A model whose responses stream three parts 100 ms apart, counting how many
    /// stream at once (the most seen goes in `peak`).
    fn slow(open: Arc<AtomicUsize>, peak: Arc<AtomicUsize>) -> LanguageModel {
        LanguageModel::new(tower::service_fn(move |_: Prompt| {
            let (open, peak) = (open.clone(), peak.clone());
            async move {
                let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                let parts = stream::unfold(0, move |n| {
                    let open = open.clone();
                    async move {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        match n {
                            0..=1 => Some((
                                Ok(StreamPart::TextDelta {
                                    id: "m".into(),
                                    delta: "x".into(),
                                }),
                                n + 1,
                            )),
                            2 => {
                                open.fetch_sub(1, Ordering::SeqCst);
                                Some((
                                    Ok(StreamPart::Finish {
                                        reason: FinishReason::Stop,
                                        response_id: None,
                                    }),
                                    n + 1,
                                ))
                            }
                            _ => None,
                        }
                    }
                });
                Ok::<_, AiError>(PartStream::new(parts))
            }
        }))
    }

    #[tokio::test(start_paused = true)]
    async fn a_limit_of_one_holds_across_whole_streams() {
        let (open, peak) = (Arc::default(), Arc::default());
        let model =
            slow(Arc::clone(&open), Arc::clone(&peak)).layer(StreamConcurrencyLimitLayer::new(1));
        let (a, b) = tokio::join!(model.generate(Prompt::new()), model.generate(Prompt::new()));
        assert!(a.is_ok() && b.is_ok());
        assert_eq!(
            peak.load(Ordering::SeqCst),
            1,
            "the second stream waited for the first to end"
        );
        let (open, peak) = (Arc::default(), Arc::default());
        let unlimited = slow(open, Arc::clone(&peak));
        let _ = tokio::join!(
            unlimited.generate(Prompt::new()),
            unlimited.generate(Prompt::new())
        );
        assert_eq!(
            peak.load(Ordering::SeqCst),
            2,
            "without the layer both stream at once"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_ends_a_slow_stream() {
        let model = slow(Arc::default(), Arc::default())
            .layer(StreamTimeoutLayer::new(Duration::from_millis(150)));
        let error = model.generate(Prompt::new()).await.unwrap_err();
        assert!(
            matches!(error, AiError::Timeout { after } if after == Some(Duration::from_millis(150))),
            "{error:?}"
        );
        let roomy = slow(Arc::default(), Arc::default())
            .layer(StreamTimeoutLayer::new(Duration::from_secs(5)));
        assert!(roomy.generate(Prompt::new()).await.is_ok());
    }

    #[tokio::test]
    async fn a_stack_with_boxed_errors_converts_back_keeping_the_error() {
        use tower::ServiceExt as _;
        let refusing = LanguageModel::new(tower::service_fn(|_: Prompt| async {
            Err::<PartStream, _>(AiError::Unsupported { option: "x".into() })
        }));
        // A layer whose errors are `BoxError`, as most tower middleware's are.
        let boxing = tower::layer::layer_fn(|inner: LanguageModel| {
            inner.map_err(|e: AiError| -> BoxError { Box::new(e) })
        });
        let error = refusing
            .layer(boxing)
            .generate(Prompt::new())
            .await
            .unwrap_err();
        assert!(matches!(error, AiError::Unsupported { .. }), "{error:?}");
    }
}
