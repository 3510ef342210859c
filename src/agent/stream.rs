//! [`AgentStream`]: the events of one `send`, driven by polling. Nothing runs in the
//! background: dropping the stream drops the run, which stops the model request and
//! kills running commands.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use tokio::sync::mpsc;

use super::{AgentError, Output};

type Driver = Pin<Box<dyn Future<Output = Result<(), AgentError>> + Send>>;

/// The events of one [`Agent::send`](super::Agent::send), ending after
/// [`Output::AgentFinished`] or with an [`AgentError`].
pub struct AgentStream {
    driver: Option<Driver>,
    events: mpsc::UnboundedReceiver<Output>,
    error: Option<AgentError>,
}

impl AgentStream {
    pub(crate) fn new(driver: Driver, events: mpsc::UnboundedReceiver<Output>) -> Self {
        Self {
            driver: Some(driver),
            events,
            error: None,
        }
    }

    pub(crate) fn failed(error: AgentError) -> Self {
        let (_, events) = mpsc::unbounded_channel();
        Self {
            driver: None,
            events,
            error: Some(error),
        }
    }
}

impl Stream for AgentStream {
    type Item = Result<Output, AgentError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Ok(event) = this.events.try_recv() {
                return Poll::Ready(Some(Ok(event)));
            }
            let Some(driver) = this.driver.as_mut() else {
                return Poll::Ready(this.error.take().map(Err));
            };
            match driver.as_mut().poll(cx) {
                Poll::Ready(result) => {
                    this.driver = None;
                    this.error = result.err();
                }
                Poll::Pending => {
                    return match this.events.poll_recv(cx) {
                        Poll::Ready(Some(event)) => Poll::Ready(Some(Ok(event))),
                        _ => Poll::Pending,
                    };
                }
            }
        }
    }
}

impl fmt::Debug for AgentStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentStream")
            .field("running", &self.driver.is_some())
            .finish_non_exhaustive()
    }
}
