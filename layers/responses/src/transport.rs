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
    /// Send request bodies zstd-compressed (`content-encoding: zstd`).
    compress: bool,
}

impl ClientTransport {
    pub(crate) fn new(http: HttpClient, compress: bool) -> Self {
        Self { http, compress }
    }
}

/// zstd level of compressed request bodies: fast, and a JSON history shrinks 5–10×.
const ZSTD_LEVEL: i32 = 3;

impl HttpTransport for ClientTransport {
    fn request(&self, request: http::Request<Option<bytes::Bytes>>) -> ResponseFuture {
        let http = self.http.clone();
        let compress = self.compress;
        Box::pin(SyncFuture::new(async move {
            let (head, body) = request.into_parts();
            let url = reqwest::Url::from_str(&head.uri.to_string()).map_err(TransportError::new)?;
            let mut outgoing = reqwest::Request::new(head.method, url);
            *outgoing.headers_mut() = head.headers;
            if let Some(body) = body {
                let body = if compress {
                    let packed =
                        zstd::bulk::compress(&body, ZSTD_LEVEL).map_err(TransportError::new)?;
                    outgoing.headers_mut().insert(
                        http::header::CONTENT_ENCODING,
                        http::HeaderValue::from_static("zstd"),
                    );
                    bytes::Bytes::from(packed)
                } else {
                    body
                };
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
            builder.body(limit_lines(body)).map_err(TransportError::new)
        }))
    }
}

/// The longest SSE line accepted (16 MiB): a longer one fails the stream as a
/// disconnect instead of growing eventsource-client's line buffer without bound.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// `body`, failing once a line runs past [`MAX_LINE_BYTES`].
pub(crate) fn limit_lines(body: ByteStream) -> ByteStream {
    let mut since_newline = 0usize;
    Box::pin(body.map(move |chunk| {
        let chunk = chunk?;
        since_newline = match chunk.iter().rposition(|b| matches!(b, b'\n' | b'\r')) {
            Some(at) => chunk.len() - at - 1,
            None => since_newline.saturating_add(chunk.len()),
        };
        if since_newline > MAX_LINE_BYTES {
            return Err(TransportError::new(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("an event line is longer than {} MiB", MAX_LINE_BYTES >> 20),
            )));
        }
        Ok(chunk)
    }))
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use futures_util::{StreamExt as _, stream};

    use super::*;

    async fn through(chunks: Vec<Bytes>) -> Result<usize, String> {
        let body: ByteStream = Box::pin(stream::iter(chunks.into_iter().map(Ok)));
        let mut limited = limit_lines(body);
        let mut bytes = 0;
        while let Some(chunk) = limited.next().await {
            bytes += chunk.map_err(|e| e.to_string())?.len();
        }
        Ok(bytes)
    }

    #[tokio::test]
    async fn lines_up_to_the_limit_pass_and_longer_ones_fail() {
        let mib = Bytes::from(vec![b'x'; 1 << 20]);
        let mut chunks = vec![Bytes::from_static(b"data: ")];
        chunks.extend(std::iter::repeat_n(mib.clone(), 15));
        chunks.push(Bytes::from_static(b"\n\n"));
        chunks.extend(std::iter::repeat_n(mib.clone(), 15));
        assert!(through(chunks).await.is_ok(), "two lines of 15 MiB each");

        let error = through(std::iter::repeat_n(mib, 17).collect())
            .await
            .unwrap_err();
        assert!(error.contains("longer than 16 MiB"), "{error}");
    }
}
