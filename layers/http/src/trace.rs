//! A tracing span per attempt: method, url without query, attempt, status. Never headers.

use std::future::Future;
use std::pin::Pin;

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};
use tracing::Instrument;

/// Attempt counter kept in the middleware extensions, shared by the retries of one send.
#[derive(Debug, Clone, Copy)]
struct Attempt(u32);

/// Middleware that wraps each attempt in an `http.request` span.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TraceAttempts;

impl Middleware for TraceAttempts {
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
        let attempt = extensions.get::<Attempt>().map_or(1, |a| a.0 + 1);
        extensions.insert(Attempt(attempt));
        let mut url = req.url().clone();
        url.set_query(None);
        url.set_fragment(None);
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let span = tracing::debug_span!(
            "http.request",
            method = %req.method(),
            url = %url,
            attempt,
            status = tracing::field::Empty,
        );
        let fut = next.run(req, extensions);
        Box::pin(
            async move {
                let res = fut.await;
                match &res {
                    Ok(res) => {
                        tracing::Span::current().record("status", res.status().as_u16());
                    }
                    // The error's message quotes the full url (query included): log its kind.
                    Err(err) => tracing::debug!(
                        timeout = err.is_timeout(),
                        connect = err.is_connect(),
                        "http attempt failed"
                    ),
                }
                res
            }
            .instrument(span),
        )
    }
}
