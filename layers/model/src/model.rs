//! The `LanguageModel` handle and the provider and model name services.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

use serde::{Deserialize, Serialize};
use tower::{Service, ServiceExt, util::BoxCloneSyncService};

use crate::{AiError, PartStream, Prompt, Response};

/// A cloneable handle to a language model: a tower service from [`Prompt`] to [`PartStream`].
///
/// Providers (the Codex client over SSE or WebSocket, a fake in tests) build a service
/// stack and hide it here behind a [`BoxCloneSyncService`]; the agent codes against this
/// type only. The handle is itself a `Service`, so tower layers (retries, timeouts,
/// tracing) can wrap it and [`LanguageModel::new`] can erase the result again.
///
/// # Example
///
/// ```
/// use clanka_model::{FinishReason, LanguageModel, PartStream, Prompt, StreamPart};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), clanka_model::AiError> {
/// let model = LanguageModel::new(tower::service_fn(|prompt: Prompt| async move {
///     let echo = format!("{} messages", prompt.messages.len());
///     Ok(PartStream::from_parts([
///         Ok(StreamPart::TextDelta { id: "msg_1".into(), delta: echo }),
///         Ok(StreamPart::Finish { reason: FinishReason::Stop, response_id: None }),
///     ]))
/// }));
/// let response = model.generate(Prompt::new().user("hi")).await?;
/// assert_eq!(response.text(), "1 messages");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct LanguageModel {
    inner: BoxCloneSyncService<Prompt, PartStream, AiError>,
}

impl LanguageModel {
    /// Wraps a model service (a provider's client, possibly with tower layers on top).
    pub fn new<S>(service: S) -> Self
    where
        S: Service<Prompt, Response = PartStream, Error = AiError> + Clone + Send + Sync + 'static,
        S::Future: Send + 'static,
    {
        Self {
            inner: BoxCloneSyncService::new(service),
        }
    }

    /// Sends `prompt` and returns the response as it streams.
    ///
    /// Errors before the first part (connection, HTTP status) come back here; later
    /// ones arrive as the stream's last item.
    pub async fn stream(&self, prompt: Prompt) -> Result<PartStream, AiError> {
        self.inner.clone().oneshot(prompt).await
    }

    /// Sends `prompt` and waits for the complete response
    /// ([`PartStream::collect_response`]).
    pub async fn generate(&self, prompt: Prompt) -> Result<Response, AiError> {
        self.stream(prompt).await?.collect_response().await
    }
}

impl fmt::Debug for LanguageModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LanguageModel").finish_non_exhaustive()
    }
}

impl Service<Prompt> for LanguageModel {
    type Response = PartStream;
    type Error = AiError;
    type Future = Pin<Box<dyn Future<Output = Result<PartStream, AiError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), AiError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, prompt: Prompt) -> Self::Future {
        self.inner.call(prompt)
    }
}

/// Declares a string newtype naming something, with `Display`, `as_str` and conversions.
macro_rules! name_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// Wraps a name.
            pub fn new(name: impl Into<String>) -> Self {
                Self(name.into())
            }

            /// The name.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(name: &str) -> Self {
                Self(name.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(name: String) -> Self {
                Self(name)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

name_newtype! {
    /// The provider behind a [`LanguageModel`] (e.g. `openai`), a service placed in the
    /// runtime context next to it.
    ///
    /// # Example
    ///
    /// ```
    /// use clanka_model::{ModelName, ProviderName};
    ///
    /// let provider = ProviderName::new("openai");
    /// let model = ModelName::from("gpt-5-codex");
    /// assert_eq!(format!("{provider}/{model}"), "openai/gpt-5-codex");
    /// ```
    ProviderName
}

name_newtype! {
    /// The model a [`LanguageModel`] asks for (e.g. `gpt-5-codex`), a service placed in
    /// the runtime context next to it.
    ModelName
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
