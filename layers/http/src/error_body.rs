//! Middleware that reads the (small) body of a 429 or 503 response, the statuses
//! that name their delay, before retries decide, so a delay the server wrote in its error message counts like a
//! `Retry-After` header. The body is kept and handed on unchanged.

use std::future::Future;
use std::pin::Pin;

use http::Extensions;
use reqwest::{Request, Response, ResponseBuilderExt as _};
use reqwest_middleware::{Middleware, Next};

use crate::backoff::server_delay;
use crate::retry_after::{ServerDelay, names_its_delay};

/// The most of an error body that is read; the rest is dropped.
pub(crate) const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Buffers error bodies and records the delay they name as [`ServerDelay`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorBody;

impl Middleware for ErrorBody {
    fn handle<'life0, 'life1, 'life2, 'async_trait>(
        &'life0 self,
        req: Request,
        extensions: &'life1 mut Extensions,
        next: Next<'life2>,
    ) -> Pin<Box<dyn Future<Output = reqwest_middleware::Result<Response>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        'life2: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let response = next.run(req, extensions).await?;
            // Only a status that names its delay is read here: the retry waits for it.
            if !names_its_delay(response.status()) {
                return Ok(response);
            }
            Ok(buffered(response).await)
        })
    }
}

/// `response` with its body read (up to [`ERROR_BODY_LIMIT`]) and its named delay
/// recorded. A body that fails midway keeps what was read.
async fn buffered(mut response: Response) -> Response {
    let mut body = Vec::new();
    while body.len() < ERROR_BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) | Err(_) => break,
        }
    }
    body.truncate(ERROR_BODY_LIMIT);
    let delay = server_delay(response.headers(), &body);
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone());
    if let Some(headers) = builder.headers_mut() {
        headers.clone_from(response.headers());
    }
    let Ok(mut rebuilt) = builder.body(body) else {
        return response;
    };
    if let Some(delay) = delay {
        rebuilt.extensions_mut().insert(ServerDelay(delay));
    }
    Response::from(rebuilt)
}
