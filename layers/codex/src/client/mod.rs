//! [`CodexClient`]: everything a Codex model is built from — the authenticated HTTP
//! client and socket constructor, the base URL of the sign-in mode, the request
//! settings of that mode, and the model catalogue.

mod classify;
mod limits;
mod settings;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clanka_http::HttpClient;
use clanka_kv::KeyValueStore;
use clanka_model::{LanguageModel, ModelProfile, ProviderOptions, SystemPlacement};
use clanka_responses::{ResponsesConfig, ResponsesModel};
use clanka_socket::WebSocketConstructor;
use tokio::sync::OnceCell;

use crate::catalog::{
    API_KEY_DEFAULT_MODEL, CatalogCache, CatalogError, ETAG_HEADER, ModelCatalog,
};
use crate::{CodexAuth, CodexAuthError};

pub(crate) use classify::reclassify;
pub use limits::RateLimits;
pub use settings::{ClientSettings, ModelChoice, SignInMode};

/// The Codex backend as one service, after the TypeScript `OpenAiClient`: models are
/// made from it and from nothing else. Cheap to clone; clones share the catalogue.
///
/// # Example
///
/// ```no_run
/// use clanka_codex::{ClientSettings, CodexAuth, CodexAuthConfig, CodexClient, DeviceCodeHandlerService, ModelChoice};
/// use clanka_http::{HttpClient, HttpConfig};
/// use clanka_kv::KeyValueStore;
/// use clanka_model::ProviderOptions;
/// use clanka_socket::{SocketConfig, WebSocketConstructor};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let http = HttpClient::new(HttpConfig::default())?;
/// let store = KeyValueStore::file_system("/home/me/.clanka")?;
/// let auth = CodexAuth::new(http.clone(), &store, DeviceCodeHandlerService::console(),
///     CodexAuthConfig::from_env());
/// let sockets = WebSocketConstructor::tungstenite(SocketConfig::default());
/// let client = CodexClient::new(&auth, http, sockets, &store, ClientSettings::default());
/// let (model, profile) = client.model(ModelChoice::Primary, ProviderOptions::default(), false).await?;
/// println!("{} has a {:?}-token window", profile.slug, profile.context_window);
/// # let _ = model;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct CodexClient {
    inner: Arc<Inner>,
}

struct Inner {
    auth: CodexAuth,
    http: HttpClient,
    sockets: WebSocketConstructor,
    base_url: String,
    mode: SignInMode,
    settings: ClientSettings,
    cache: CatalogCache,
    catalog: OnceCell<ModelCatalog>,
    /// Whether a response already said the catalogue changed (it is marked stale
    /// once, not at every later response).
    catalog_changed: AtomicBool,
    limits: limits::RateLimitLog,
}

impl CodexClient {
    /// A client signed in through `auth`: `http` and `sockets` (undecorated) get its
    /// credentials, and the catalogue is cached in `store`.
    pub fn new(
        auth: &CodexAuth,
        http: HttpClient,
        sockets: WebSocketConstructor,
        store: &KeyValueStore,
        settings: ClientSettings,
    ) -> Self {
        let config = auth.config();
        let mode = if config.api_key.is_some() {
            SignInMode::ApiKey
        } else {
            SignInMode::ChatGpt
        };
        let base_url = config.base_url();
        let http = auth.authenticate_http(http);
        let cache = CatalogCache::new(
            http.clone(),
            store,
            base_url.clone(),
            settings.client_version.clone(),
            settings.catalog_ttl,
        );
        Self {
            inner: Arc::new(Inner {
                auth: auth.clone(),
                sockets: auth.authenticate_sockets(sockets),
                http,
                base_url,
                mode,
                settings,
                cache,
                catalog: OnceCell::new(),
                catalog_changed: AtomicBool::new(false),
                limits: limits::RateLimitLog::new(store),
            }),
        }
    }

    /// `model` (one of this client's), with the rate limits of its responses kept in
    /// the store for [`rate_limits`](Self::rate_limits). The `codex::model` recipes
    /// do this.
    pub fn record_rate_limits(&self, model: LanguageModel) -> LanguageModel {
        self.inner.limits.watch(model)
    }

    /// The rate limits the backend reported last (by any model recording them, in
    /// this process or an earlier one sharing the store).
    pub async fn rate_limits(&self) -> Option<RateLimits> {
        self.inner.limits.last().await
    }

    /// The authenticated HTTP client.
    pub fn http(&self) -> &HttpClient {
        &self.inner.http
    }

    /// The authenticated WebSocket constructor.
    pub fn sockets(&self) -> &WebSocketConstructor {
        &self.inner.sockets
    }

    /// The Responses base URL of this sign-in.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// How requests are signed in.
    pub fn mode(&self) -> SignInMode {
        self.inner.mode
    }

    /// The model catalogue: fetched once per client when signed in with ChatGPT (or
    /// read from the store's cache), built in with an API key or when the backend
    /// does not answer.
    ///
    /// Signed in with ChatGPT this first makes sure of a token (signing in when the
    /// client may, see [`CodexAuth::get`]): a sign-in or token-store failure is an
    /// error here, not a silent fallback.
    pub async fn catalog(&self) -> Result<&ModelCatalog, CodexAuthError> {
        self.inner
            .catalog
            .get_or_try_init(|| async {
                match self.inner.mode {
                    SignInMode::ChatGpt => {
                        self.inner.auth.get().await?;
                        Ok(self.inner.cache.load().await)
                    }
                    SignInMode::ApiKey => Ok(ModelCatalog::built_in()),
                }
            })
            .await
    }

    /// The slug `choice` names in this sign-in's catalogue.
    pub async fn resolve(&self, choice: &ModelChoice) -> Result<String, CodexAuthError> {
        let catalog = self.catalog().await?;
        let default = || match self.inner.mode {
            SignInMode::ApiKey => Some(API_KEY_DEFAULT_MODEL.to_owned()),
            SignInMode::ChatGpt => None,
        };
        Ok(match choice {
            ModelChoice::Named(slug) => slug.clone(),
            ModelChoice::Primary => default()
                .or_else(|| catalog.default_model().map(|m| m.slug.clone()))
                .unwrap_or_else(|| API_KEY_DEFAULT_MODEL.to_owned()),
            ModelChoice::Subagent => default()
                .or_else(|| catalog.subagent_model().map(|m| m.slug.clone()))
                .unwrap_or_else(|| API_KEY_DEFAULT_MODEL.to_owned()),
        })
    }

    /// A Codex model for `choice`, checked against the catalogue before any request
    /// (signed in with ChatGPT; with an API key the public API keeps its own list), with
    /// its profile. `options` are the model's defaults; without an effort, the
    /// catalogue's default effort is used (`low` for [`ModelChoice::Subagent`]).
    pub async fn model(
        &self,
        choice: ModelChoice,
        options: ProviderOptions,
        websocket: bool,
    ) -> Result<(ResponsesModel, ModelProfile), ModelError> {
        let slug = self.resolve(&choice).await?;
        let catalog = self.catalog().await?;
        let profile = match self.inner.mode {
            SignInMode::ChatGpt => catalog.check(&slug, options.reasoning_effort)?.clone(),
            SignInMode::ApiKey => catalog
                .get(&slug)
                .cloned()
                .unwrap_or_else(|| ModelProfile::new(&slug)),
        };
        let mut options = options;
        if options.reasoning_effort.is_none() {
            options.reasoning_effort = match choice {
                ModelChoice::Subagent => Some(clanka_model::ReasoningEffort::Low),
                _ => profile.default_effort,
            };
        }
        let config = self.responses_config(&profile.slug, &options);
        let model = if websocket {
            ResponsesModel::websocket(self.inner.http.clone(), self.inner.sockets.clone(), config)
        } else {
            ResponsesModel::sse(self.inner.http.clone(), config)
        };
        Ok((model, profile))
    }

    /// The Responses settings of this sign-in for `model`: its base URL; with ChatGPT
    /// the system prompt as developer messages and zstd request bodies (as the
    /// official client sends them), with an API key top-level `instructions`; errors
    /// only the user can fix made fatal; and a changed catalogue noticed.
    pub fn responses_config(&self, model: &str, options: &ProviderOptions) -> ResponsesConfig {
        let chatgpt = self.inner.mode == SignInMode::ChatGpt;
        let placement = if chatgpt {
            SystemPlacement::Developer
        } else {
            SystemPlacement::Instructions
        };
        let defaults = ProviderOptions::default().system_placement(placement);
        let compress = self.inner.settings.compress_requests.unwrap_or(chatgpt);
        let inner = self.inner.clone();
        let mut config = ResponsesConfig::new(model);
        if let Some(conversations) = self.inner.settings.max_conversations {
            config = config.max_conversations(conversations);
        }
        config
            .base_url(self.inner.base_url.clone())
            .options(options.merge_over(&defaults))
            .compress_requests(compress)
            // The public API compacts through `/responses/compact` only.
            .compaction_trigger(chatgpt)
            .classify_error(reclassify)
            .on_response_headers(move |headers| {
                let announced = headers.get(ETAG_HEADER).and_then(|v| v.to_str().ok());
                let known = inner.catalog.get().and_then(ModelCatalog::etag);
                if let Some(announced) = announced
                    && known.is_some_and(|known| known != announced)
                    && !inner.catalog_changed.swap(true, Ordering::Relaxed)
                {
                    tracing::info!("the model catalogue changed; the next run fetches it");
                    let cache = inner.cache.clone();
                    tokio::spawn(async move { cache.invalidate().await });
                }
            })
    }
}

/// Why a model could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The catalogue does not offer the model or its effort.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// Signing in (or reading the token store) failed before the catalogue could be read.
    #[error(transparent)]
    Auth(#[from] CodexAuthError),
}

impl fmt::Debug for CodexClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodexClient")
            .field("base_url", &self.inner.base_url)
            .field("mode", &self.inner.mode)
            .finish_non_exhaustive()
    }
}
