//! The stream of parts a language model returns for one request.

use std::{
    fmt,
    pin::Pin,
    task::{Context, Poll},
};

use futures_util::{Stream, StreamExt, stream};
use tokio::sync::mpsc;

use crate::{AiError, Response, ResponseCollector, StreamPart};

type BoxPartStream = Pin<Box<dyn Stream<Item = Result<StreamPart, AiError>> + Send>>;

/// A streamed model response: [`StreamPart`]s, or an [`AiError`] that ends it.
///
/// An error item is terminal: providers yield nothing after it. Dropping the stream
/// cancels the request.
///
/// # Example
///
/// ```
/// use clanka_model::{FinishReason, PartStream, StreamPart};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), clanka_model::AiError> {
/// let (tx, rx) = tokio::sync::mpsc::channel(8);
/// tokio::spawn(async move {
///     let _ = tx.send(Ok(StreamPart::TextDelta { id: "msg_1".into(), delta: "hi".into() })).await;
///     let _ = tx.send(Ok(StreamPart::Finish { reason: FinishReason::Stop, response_id: None })).await;
/// });
/// let response = PartStream::from_receiver(rx).collect_response().await?;
/// assert_eq!(response.text(), "hi");
/// # Ok(())
/// # }
/// ```
pub struct PartStream {
    inner: BoxPartStream,
}

impl PartStream {
    /// Wraps any stream of parts.
    pub fn new<S>(stream: S) -> Self
    where
        S: Stream<Item = Result<StreamPart, AiError>> + Send + 'static,
    {
        Self {
            inner: Box::pin(stream),
        }
    }

    /// A stream fed by a channel; it ends when every sender is dropped.
    pub fn from_receiver(mut receiver: mpsc::Receiver<Result<StreamPart, AiError>>) -> Self {
        Self::new(stream::poll_fn(move |cx| receiver.poll_recv(cx)))
    }

    /// A stream of the given items, e.g. a scripted response in tests.
    pub fn from_parts<I>(items: I) -> Self
    where
        I: IntoIterator<Item = Result<StreamPart, AiError>>,
        I::IntoIter: Send + 'static,
    {
        Self::new(stream::iter(items))
    }

    /// Reads the whole stream into a [`Response`].
    ///
    /// Fails with the first error item, or with [`AiError::StreamDisconnected`] if the
    /// stream ends before [`StreamPart::Finish`].
    pub async fn collect_response(mut self) -> Result<Response, AiError> {
        let mut collector = ResponseCollector::new();
        while let Some(part) = self.next().await {
            collector.push(&part?);
        }
        collector.finish()
    }
}

impl Stream for PartStream {
    type Item = Result<StreamPart, AiError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl fmt::Debug for PartStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartStream").finish_non_exhaustive()
    }
}
