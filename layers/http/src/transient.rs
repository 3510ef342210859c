//! Request-level retries of transient failures (connect errors, timeouts, resets, 5xx)
//! with reqwest-retry, timed by the shared [`Backoff`].

use std::future::Future;
use std::pin::Pin;

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};
use reqwest_retry::{
    RetryTransientMiddleware, Retryable, RetryableStrategy, default_on_request_failure,
};

use crate::Backoff;
use crate::retry_after::{ServerDelay, names_its_delay};

/// Retries connect errors, timeouts, resets and 5xx.
///
/// 4xx (429 included) is never retried here, and neither is a 429 or 503 that names
/// its delay: [`RetryAfterPolicy`](crate::RetryAfterPolicy) decides about those.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TransientStrategy;

impl RetryableStrategy for TransientStrategy {
    fn handle(&self, res: &reqwest_middleware::Result<Response>) -> Option<Retryable> {
        match res {
            Ok(res) => classify(res),
            Err(err) => default_on_request_failure(err),
        }
    }
}

fn classify(res: &Response) -> Option<Retryable> {
    let status = res.status();
    let named = names_its_delay(status) && res.extensions().get::<ServerDelay>().is_some();
    if status.is_server_error() && !named {
        Some(Retryable::Transient)
    } else if status.is_client_error() || named {
        Some(Retryable::Fatal)
    } else {
        None
    }
}

/// Retry middleware that sends requests with a streaming (non-cloneable) body once,
/// instead of failing them as reqwest-retry does.
pub(crate) struct RetryCloneable {
    retry: RetryTransientMiddleware<Backoff, TransientStrategy>,
}

impl RetryCloneable {
    pub(crate) fn new(backoff: Backoff) -> Self {
        Self {
            retry: RetryTransientMiddleware::new_with_policy_and_strategy(
                backoff,
                TransientStrategy,
            ),
        }
    }
}

// Written out instead of `#[async_trait]`: the method only picks which future to return.
impl Middleware for RetryCloneable {
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
        let cloneable = req.body().is_none_or(|body| body.as_bytes().is_some());
        if cloneable {
            self.retry.handle(req, extensions, next)
        } else {
            next.run(req, extensions)
        }
    }
}
