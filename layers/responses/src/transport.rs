//! The project's [`HttpClient`] as eventsource-client's HTTP transport, so the SSE
//! POST goes through the same stack as every other request (auth, retries, tracing).

use std::str::FromStr;

use clanka_http::HttpClient;
use futures_util::{StreamExt as _, TryStreamExt as _};
use launchdarkly_sdk_transport::{ByteStream, HttpTransport, ResponseFuture, TransportError};
use sync_wrapper::{SyncFuture, SyncStream};

/// [`HttpTransport`] over an [`HttpClient`].
#[derive(Debug, Clone)]
pub(crate) struct ClientTransport {
    http: HttpClient,
}

impl ClientTransport {
    pub(crate) fn new(http: HttpClient) -> Self {
        Self { http }
    }
}

impl HttpTransport for ClientTransport {
    fn request(&self, request: http::Request<Option<bytes::Bytes>>) -> ResponseFuture {
        let http = self.http.clone();
        Box::pin(SyncFuture::new(async move {
            let (head, body) = request.into_parts();
            let url = reqwest::Url::from_str(&head.uri.to_string()).map_err(TransportError::new)?;
            let mut outgoing = reqwest::Request::new(head.method, url);
            *outgoing.headers_mut() = head.headers;
            if let Some(body) = body {
                *outgoing.body_mut() = Some(body.into());
            }
            let response = http.execute(outgoing).await.map_err(TransportError::new)?;
            let mut builder = http::Response::builder().status(response.status());
            if let Some(headers) = builder.headers_mut() {
                *headers = response.headers().clone();
            }
            let body: ByteStream = Box::pin(SyncStream::new(
                response.bytes_stream().map_err(TransportError::new).boxed(),
            ));
            builder.body(body).map_err(TransportError::new)
        }))
    }
}
