//! What a [`CodexClient`](super::CodexClient) is configured with, and how a model is
//! chosen.

use std::time::Duration;

use crate::catalog::CLIENT_VERSION;

/// How requests are signed in, which decides the base URL and what the backend
/// expects of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMode {
    /// A ChatGPT account (`chatgpt.com/backend-api/codex`): the catalogue is fetched
    /// and enforced, the system prompt goes as developer messages, bodies are zstd.
    ChatGpt,
    /// An OpenAI API key (`api.openai.com/v1`): top-level `instructions`, no catalogue
    /// check (the public API has its own list).
    ApiKey,
}

/// Settings of a [`CodexClient`](super::CodexClient).
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use clanka_codex::ClientSettings;
///
/// let settings = ClientSettings::default().with_catalog_ttl(Duration::from_secs(3600));
/// assert_eq!(settings.client_version, "0.169.0");
/// assert_eq!(settings.compress_requests, None, "by sign-in mode");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    /// How long a fetched catalogue is used before it is asked for again (24 h).
    pub catalog_ttl: Duration,
    /// The `client_version` the catalogue is asked for (the official client's whose
    /// protocol clanka follows, [`CLIENT_VERSION`]).
    pub client_version: String,
    /// Whether request bodies are zstd-compressed; `None` decides by the sign-in mode
    /// (on with ChatGPT, off with an API key).
    pub compress_requests: Option<bool>,
    /// How many conversations each model keeps state for (a WebSocket model's open
    /// sockets, and every model's encoded last input; the least recently used idle
    /// one goes first); `None` keeps the Responses default (256).
    pub max_conversations: Option<usize>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            catalog_ttl: Duration::from_secs(24 * 3600),
            client_version: CLIENT_VERSION.to_owned(),
            compress_requests: None,
            max_conversations: None,
        }
    }
}

impl ClientSettings {
    /// Sets [`catalog_ttl`](Self::catalog_ttl).
    pub fn with_catalog_ttl(mut self, ttl: Duration) -> Self {
        self.catalog_ttl = ttl;
        self
    }

    /// Sets [`compress_requests`](Self::compress_requests).
    pub fn with_compress_requests(mut self, compress: bool) -> Self {
        self.compress_requests = Some(compress);
        self
    }

    /// Sets [`max_conversations`](Self::max_conversations).
    pub fn with_max_conversations(mut self, conversations: usize) -> Self {
        self.max_conversations = Some(conversations);
        self
    }
}

/// Which model to run: a named one, or the catalogue's choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelChoice {
    /// This slug.
    Named(String),
    /// The catalogue's default: its first listed model (with an API key,
    /// [`API_KEY_DEFAULT_MODEL`](crate::API_KEY_DEFAULT_MODEL)).
    Primary,
    /// The sub-agents' default: the first listed model that takes `low` effort, run at
    /// `low` (with an API key, [`API_KEY_DEFAULT_MODEL`](crate::API_KEY_DEFAULT_MODEL)).
    Subagent,
}

impl From<&str> for ModelChoice {
    fn from(slug: &str) -> Self {
        Self::Named(slug.to_owned())
    }
}

impl From<String> for ModelChoice {
    fn from(slug: String) -> Self {
        Self::Named(slug)
    }
}

impl From<Option<String>> for ModelChoice {
    /// A configured slug, or the catalogue's default primary model.
    fn from(slug: Option<String>) -> Self {
        slug.map_or(Self::Primary, Self::Named)
    }
}
