//! Decoding a recorded SSE body through the same path as a live response: useful to
//! replay captured streams in tests, and what the decoding benchmark measures.

use bytes::Bytes;
use clanka_model::{AiError, PartStream};

use crate::ResponsesConfig;
use eventsource_client::{self as es, Client as _, ReconnectOptions};
use futures_util::{StreamExt as _, stream};
use launchdarkly_sdk_transport::{ByteStream, HttpTransport, ResponseFuture, TransportError};

/// Serves one recorded body, split into the given chunks, as a 200 response.
#[derive(Debug, Clone)]
struct Replay {
    chunks: Vec<Bytes>,
}

impl HttpTransport for Replay {
    fn request(&self, _request: http::Request<Option<Bytes>>) -> ResponseFuture {
        let chunks = self.chunks.clone();
        Box::pin(async move {
            let body: ByteStream = Box::pin(stream::iter(
                chunks.into_iter().map(Ok::<_, TransportError>),
            ));
            http::Response::builder()
                .status(200)
                .header("content-type", "text/event-stream")
                .body(crate::transport::limit_lines(body))
                .map_err(TransportError::new)
        })
    }
}

/// The parts of a recorded SSE response body arriving in `chunks`.
///
/// # Example
///
/// ```
/// use clanka_model::StreamPart;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), clanka_model::AiError> {
/// let body = "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\"}}\n\n\
///             data: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\"}}\n\n";
/// let response = clanka_responses::replay_sse([body.into()]).collect_response().await?;
/// assert_eq!(response.id.as_deref(), Some("resp_1"));
/// # Ok(())
/// # }
/// ```
pub fn replay_sse(chunks: impl IntoIterator<Item = Bytes>) -> PartStream {
    let chunks: Vec<Bytes> = chunks.into_iter().collect();
    let built = es::ClientBuilder::for_url("http://replay.invalid/responses").map(|builder| {
        builder
            .reconnect(
                ReconnectOptions::reconnect(false)
                    .retry_initial(false)
                    .build(),
            )
            .build_with_transport(Replay { chunks })
            .stream()
    });
    match built {
        Ok(events) => PartStream::new(
            crate::sse::parts(events, &ResponsesConfig::new("replay"), None)
                .map(|item| item.map_err(|f| f.error)),
        ),
        Err(error) => PartStream::from_parts([Err(AiError::InvalidRequest {
            message: error.to_string(),
        })]),
    }
}
