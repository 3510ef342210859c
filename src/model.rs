//! The language model contract ([`LanguageModel`], [`Prompt`], [`PartStream`], …), the
//! Codex Responses provider ([`responses`]), and tower middleware that governs whole
//! streamed responses ([`timeout`], [`concurrency_limit`]).
//!
//! `tower::timeout` or `tower::limit` around a model cover only the call that opens
//! its stream; these cover the stream to its end. Any tower stack goes back behind a
//! [`LanguageModel`] with [`LanguageModel::layer`].
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use clanka::model::{self, LanguageModel, PartStream, Prompt};
//! use tower::ServiceBuilder;
//!
//! let echo = LanguageModel::new(tower::service_fn(|_: Prompt| async { Ok(PartStream::from_parts([])) }));
//! let governed = echo.layer(
//!     ServiceBuilder::new()
//!         .layer(model::concurrency_limit(2))
//!         .layer(model::timeout(Duration::from_secs(600))),
//! );
//! # let _ = governed;
//! ```

use std::time::Duration;

pub use clanka_model::layers::{StreamConcurrencyLimitLayer, StreamTimeoutLayer};
pub use clanka_model::*;
/// The Codex Responses provider: [`ResponsesModel`](responses::ResponsesModel) and its
/// configuration.
pub use clanka_responses as responses;

/// A layer ending a response that runs past `after`, from its request to its last
/// part ([`AiError::Timeout`]).
pub fn timeout(after: Duration) -> StreamTimeoutLayer {
    StreamTimeoutLayer::new(after)
}

/// A layer letting at most `max` responses stream at once, each holding its permit
/// until its stream ends or is dropped.
pub fn concurrency_limit(max: usize) -> StreamConcurrencyLimitLayer {
    StreamConcurrencyLimitLayer::new(max)
}
