//! What a Codex Responses model is configured with.

use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;

use clanka_http::Backoff;
use clanka_model::{AiError, ProviderOptions, ReasoningEffort, ReasoningSummary};

/// The base URL of the Codex backend for ChatGPT sign-in.
pub const CHATGPT_BASE_URL: &str = "https://chatgpt.com/backend-api/codex";

/// The base URL of the public Responses API, for API keys.
pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";

/// The system prompt sent when a request has none: the backend rejects an empty one.
pub const DEFAULT_INSTRUCTIONS: &str = "You are a helpful assistant.";

/// The `originator` header and user-agent product clanka sends.
pub const ORIGINATOR: &str = "clanka";

/// Configuration of one Codex Responses model.
///
/// # Example
///
/// ```
/// use clanka_model::{ProviderOptions, ReasoningEffort};
/// use clanka_responses::ResponsesConfig;
///
/// let config = ResponsesConfig::new("gpt-5.5")
///     .base_url("http://127.0.0.1:8080/backend-api/codex")
///     .options(ProviderOptions::default().reasoning_effort(ReasoningEffort::High));
/// assert_eq!(config.model, "gpt-5.5");
/// assert_eq!(config.responses_url(), "http://127.0.0.1:8080/backend-api/codex/responses");
/// ```
#[derive(Debug, Clone)]
pub struct ResponsesConfig {
    /// Model slug, e.g. `gpt-5.5`.
    pub model: String,
    /// Defaults merged under each request's options; themselves merged over
    /// `{effort: medium, summary: auto}`.
    pub options: ProviderOptions,
    /// Base URL; `/responses` is appended.
    pub base_url: String,
    /// System prompt used when a request has none.
    pub default_instructions: String,
    /// Longest wait for the next event of a streaming response (default 300 s).
    pub idle_timeout: Duration,
    /// Retries of stream-level failures (a drop, a missing `response.completed`, a
    /// retryable `response.failed`, an undecodable event; over WebSocket also error
    /// frames and handshakes) and the waits between them: the HTTP client's
    /// [`Backoff`] (4 retries from 200 ms, server delays up to 60 s). Failures the HTTP
    /// client already retried are not retried again.
    pub retry: Backoff,
    /// Interval of client pings while a WebSocket response is streaming (default 20 s).
    pub ping_interval: Duration,
    /// A socket older than this is replaced before the next request (default 55 min;
    /// the backend closes sockets after 60 minutes).
    pub max_socket_age: Duration,
    /// Send request bodies zstd-compressed (`content-encoding: zstd`), as the official
    /// client does when signed in with ChatGPT (default off; WebSocket messages are
    /// never compressed).
    pub compress_requests: bool,
    /// Whether the backend compacts a conversation whose input ends with a
    /// `compaction_trigger` item (the ChatGPT backend, default); when not,
    /// [`Compact::Trigger`](clanka_model::Compact::Trigger) requests fail with
    /// [`AiError::Unsupported`] before anything is sent.
    pub compaction_trigger: bool,
    /// How many conversations the model keeps state for (a WebSocket each, and the
    /// encoded input of their last request); the least recently used idle one goes
    /// first (default 256).
    pub max_conversations: usize,
    /// Called with the response headers of every SSE response (e.g. to notice a new
    /// model catalogue through `x-models-etag`).
    pub on_response_headers: Option<HeaderObserver>,
    /// Applied to every error before the retry decision: lets the client that built
    /// this model turn its middleware's failures into typed, fatal errors (the Codex
    /// recipes make "sign-in required" [`AiError::Unauthorized`] instead of a retried
    /// transport error). Default: unchanged.
    pub classify_error: fn(AiError) -> AiError,
}

impl ResponsesConfig {
    /// Defaults for `model` against the ChatGPT Codex backend.
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            options: ProviderOptions::default(),
            base_url: CHATGPT_BASE_URL.to_owned(),
            default_instructions: DEFAULT_INSTRUCTIONS.to_owned(),
            idle_timeout: Duration::from_secs(300),
            retry: Backoff::default(),
            ping_interval: Duration::from_secs(20),
            max_socket_age: Duration::from_secs(55 * 60),
            classify_error: std::convert::identity,
            compress_requests: false,
            compaction_trigger: true,
            max_conversations: 256,
            on_response_headers: None,
        }
    }

    /// Sets [`max_conversations`](Self::max_conversations).
    pub fn max_conversations(mut self, conversations: usize) -> Self {
        self.max_conversations = conversations;
        self
    }

    /// The conversation a request with `options` belongs to, when the options name it.
    pub(crate) fn conversation_of(&self, options: &ProviderOptions) -> Option<String> {
        options
            .conversation_id
            .clone()
            .or_else(|| self.options.conversation_id.clone())
    }

    /// Sets [`compaction_trigger`](Self::compaction_trigger).
    pub fn compaction_trigger(mut self, supported: bool) -> Self {
        self.compaction_trigger = supported;
        self
    }

    /// Sets [`compress_requests`](Self::compress_requests).
    pub fn compress_requests(mut self, compress: bool) -> Self {
        self.compress_requests = compress;
        self
    }

    /// Sets [`on_response_headers`](Self::on_response_headers).
    pub fn on_response_headers(
        mut self,
        observe: impl Fn(&HeaderMap) + Send + Sync + 'static,
    ) -> Self {
        self.on_response_headers = Some(HeaderObserver(Arc::new(observe)));
        self
    }

    /// Sets [`base_url`](Self::base_url); a trailing `/` is dropped.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Sets [`options`](Self::options).
    pub fn options(mut self, options: ProviderOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets [`idle_timeout`](Self::idle_timeout).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Sets the number of retries of [`retry`](Self::retry).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry = self.retry.with_max_retries(retries);
        self
    }

    /// Sets the first backoff delay of [`retry`](Self::retry).
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.retry = self.retry.with_base(delay);
        self
    }

    /// Sets [`retry`](Self::retry).
    pub fn retry(mut self, backoff: Backoff) -> Self {
        self.retry = backoff;
        self
    }

    /// Sets [`max_socket_age`](Self::max_socket_age).
    pub fn max_socket_age(mut self, age: Duration) -> Self {
        self.max_socket_age = age;
        self
    }

    /// Sets [`classify_error`](Self::classify_error).
    pub fn classify_error(mut self, classify: fn(AiError) -> AiError) -> Self {
        self.classify_error = classify;
        self
    }

    /// `{base_url}/responses`.
    pub fn responses_url(&self) -> String {
        format!("{}/responses", self.base_url)
    }

    /// The WebSocket URL: the responses URL with `http` → `ws`, `https` → `wss`.
    pub fn websocket_url(&self) -> String {
        let url = self.responses_url();
        if let Some(rest) = url.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = url.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            url
        }
    }

    /// The options of a request: `request` over the model's, over the backend defaults.
    pub(crate) fn effective_options(&self, request: &ProviderOptions) -> ProviderOptions {
        let base = ProviderOptions::default()
            .reasoning_effort(ReasoningEffort::Medium)
            .reasoning_summary(ReasoningSummary::Auto);
        request.merge_over(&self.options.merge_over(&base))
    }
}

/// A function told the headers of each SSE response; see
/// [`ResponsesConfig::on_response_headers`].
#[derive(Clone)]
pub struct HeaderObserver(Arc<dyn Fn(&HeaderMap) + Send + Sync>);

impl HeaderObserver {
    /// Tells the function.
    pub fn observe(&self, headers: &HeaderMap) {
        (self.0)(headers);
    }
}

impl std::fmt::Debug for HeaderObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HeaderObserver")
    }
}
