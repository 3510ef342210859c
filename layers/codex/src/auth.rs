//! The `CodexAuth` handle: cached, refreshed or freshly signed-in tokens.

use std::fmt;
use std::sync::Arc;

use clanka_http::HttpClient;
use clanka_kv::KeyValueStore;
use futures_util::future::BoxFuture;
use tokio::sync::Mutex;

#[cfg(feature = "browser-login")]
use crate::browser::browser_login;
use crate::device::device_login;
use crate::oauth::RefreshReason;
use crate::{
    AccessToken, CodexAuthConfig, CodexAuthError, DeviceCodeHandlerService, SignInReason, Token,
    TokenSource, TokenStore, oauth,
};

/// How to sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoginMethod {
    /// Device code: a code entered on any device; works over SSH and in
    /// containers. The default, and what [`CodexAuth::get`] starts on its own.
    #[default]
    Device,
    /// Browser with PKCE: a browser on this machine comes back to a loopback
    /// callback on port 1455 (else 1457). Needs the `browser-login` feature.
    #[cfg(feature = "browser-login")]
    Browser,
}

/// Codex authentication: hands out valid tokens, refreshing or signing in as needed.
///
/// [`get`](Self::get) returns the cached token, else the stored one, refreshing it when
/// less than 300 s remain (as the official client does), else runs a device login
/// (only when interactive). Concurrent
/// calls share one refresh or login (one async mutex); refreshes run under the store's
/// cross-process `refresh` lock and adopt a token another process stored meanwhile.
/// Clones share everything. It uses the HTTP client it was given, undecorated.
///
/// # Example
///
/// ```no_run
/// use clanka_codex::{CodexAuth, CodexAuthConfig, DeviceCodeHandlerService};
/// use clanka_http::{HttpClient, HttpConfig};
/// use clanka_kv::KeyValueStore;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let auth = CodexAuth::new(
///     HttpClient::new(HttpConfig::default())?,
///     &KeyValueStore::file_system("/home/me/.clanka")?,
///     DeviceCodeHandlerService::console(),
///     CodexAuthConfig::from_env(),
/// );
/// let token = auth.get().await?;
/// println!("signed in as {:?}", token.account_id);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct CodexAuth {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    store: TokenStore,
    handler: DeviceCodeHandlerService,
    config: CodexAuthConfig,
    /// The cached token; holding the lock is what makes refresh and login single-flight.
    cached: Mutex<Option<Token>>,
}

impl CodexAuth {
    /// An auth service over `http` (undecorated), keeping tokens in `store` under `codex.auth/`.
    pub fn new(
        http: HttpClient,
        store: &KeyValueStore,
        handler: DeviceCodeHandlerService,
        config: CodexAuthConfig,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                http,
                store: TokenStore::new(store),
                handler,
                config,
                cached: Mutex::new(None),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &CodexAuthConfig {
        &self.inner.config
    }

    /// A valid token: cached, else stored, else refreshed, else a device login
    /// (interactive runs only; otherwise [`CodexAuthError::SignInRequired`]).
    pub async fn get(&self) -> Result<Token, CodexAuthError> {
        let mut cached = self.inner.cached.lock().await;
        let margin = self.inner.config.refresh_margin;
        if let Some(token) = cached.as_ref().filter(|t| t.is_fresh(margin)) {
            return Ok(token.clone());
        }
        let token = match self.inner.store.load().await? {
            Some(stored) if stored.is_fresh(margin) => stored,
            Some(stale) => self.refresh_or_login(&stale).await?,
            None => self.login_if_allowed(SignInReason::SignedOut).await?,
        };
        *cached = Some(token.clone());
        Ok(token)
    }

    /// The token currently stored, without refreshing or signing in (for `status`).
    pub async fn stored(&self) -> Result<Option<Token>, CodexAuthError> {
        Ok(self.inner.store.load().await?)
    }

    /// Runs a device login now, even if a token exists, and stores the result.
    pub async fn authenticate(&self) -> Result<Token, CodexAuthError> {
        self.authenticate_with(LoginMethod::Device).await
    }

    /// Signs in now with `method`, even if a token exists, and stores the result.
    pub async fn authenticate_with(&self, method: LoginMethod) -> Result<Token, CodexAuthError> {
        let mut cached = self.inner.cached.lock().await;
        let token = self.login(method).await?;
        *cached = Some(token.clone());
        Ok(token)
    }

    /// Signs out: clears the stored token and revokes the refresh token (best effort).
    pub async fn logout(&self) -> Result<(), CodexAuthError> {
        let mut cached = self.inner.cached.lock().await;
        let stored = self.inner.store.load().await?;
        self.inner.store.clear().await?;
        let previous = cached.take();
        if let Some(token) = stored.or(previous) {
            oauth::revoke(&self.inner.http, &self.inner.config, &token).await;
        }
        tracing::info!("signed out of codex");
        Ok(())
    }

    /// Runs a login and stores its token.
    async fn login(&self, method: LoginMethod) -> Result<Token, CodexAuthError> {
        let inner = &self.inner;
        let (http, config, handler) = (&inner.http, &inner.config, &inner.handler);
        let token = match method {
            LoginMethod::Device => {
                let token = device_login(http, config, handler).await?;
                inner.store.save(&token).await?;
                token
            }
            // Stored by the callback itself, before the browser is told it worked.
            #[cfg(feature = "browser-login")]
            LoginMethod::Browser => browser_login(http, config, handler, &inner.store).await?,
        };
        tracing::info!(account = token.account_id.as_deref(), "signed in to codex");
        Ok(token)
    }

    async fn login_if_allowed(&self, reason: SignInReason) -> Result<Token, CodexAuthError> {
        if !self.inner.config.interactive {
            return Err(CodexAuthError::SignInRequired { reason });
        }
        self.login(LoginMethod::Device).await
    }

    async fn refresh_or_login(&self, stale: &Token) -> Result<Token, CodexAuthError> {
        match self.refresh_unless_replaced(&stale.access, None).await {
            Err(CodexAuthError::SignInRequired { reason }) => self.login_if_allowed(reason).await,
            other => other,
        }
    }

    /// Under the cross-process lock: re-reads the store and returns its token when it is
    /// fresh and not `rejected` (another process refreshed or signed in); otherwise
    /// refreshes the stored token and stores the result. With `account` (401 recovery),
    /// a stored token of another account is [`CodexAuthError::AccountChanged`].
    async fn refresh_unless_replaced(
        &self,
        rejected: &crate::Secret,
        account: Option<&Option<String>>,
    ) -> Result<Token, CodexAuthError> {
        let inner = &self.inner;
        let guard = inner.store.lock_refresh().await?;
        let Some(current) = inner.store.load().await? else {
            return Err(CodexAuthError::SignInRequired {
                reason: SignInReason::SignedOut,
            });
        };
        if &current.access != rejected && current.is_fresh(inner.config.refresh_margin) {
            if account.is_some_and(|account| *account != current.account_id) {
                return Err(CodexAuthError::AccountChanged);
            }
            tracing::info!("using the codex token another process stored");
            return Ok(current);
        }
        if let Some(reason) = inner.store.rejection(&current).await? {
            // Refused before, by this process or another: never sent again.
            return Err(CodexAuthError::SignInRequired { reason });
        }
        let reason = if account.is_some() {
            RefreshReason::UnauthorizedRecovery
        } else {
            RefreshReason::ProactiveExpiry
        };
        let refreshed = match oauth::refresh(&inner.http, &inner.config, &current, reason).await {
            Ok(refreshed) => refreshed,
            Err(CodexAuthError::SignInRequired { reason }) => {
                inner.store.mark_rejected(&current, reason).await?;
                return Err(CodexAuthError::SignInRequired { reason });
            }
            Err(error) => return Err(error),
        };
        match inner.store.save_under(&refreshed, &guard).await {
            Ok(()) => Ok(refreshed),
            // The lease ran out while this process was refreshing (it was paused, say)
            // and a later holder stored a token: keep that one, write nothing.
            Err(clanka_kv::KvError::Fenced { .. }) => {
                tracing::warn!("the refresh lock was lost; using the token another process stored");
                Ok(inner.store.load().await?.unwrap_or(refreshed))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// 401 recovery: a changed token of the same account in the store, else a refresh;
    /// one store read, under the refresh lock.
    async fn recover(&self, rejected: &AccessToken) -> Result<Token, CodexAuthError> {
        let mut cached = self.inner.cached.lock().await;
        *cached = None;
        let account = Some(&rejected.account_id);
        let token = self
            .refresh_unless_replaced(&rejected.token, account)
            .await?;
        *cached = Some(token.clone());
        Ok(token)
    }
}

fn access_token(token: Token) -> AccessToken {
    AccessToken {
        token: token.access,
        account_id: token.account_id,
    }
}

impl TokenSource for CodexAuth {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, CodexAuthError>> {
        Box::pin(async move {
            if let Some(key) = &self.inner.config.api_key {
                return Ok(AccessToken {
                    token: key.clone(),
                    account_id: None,
                });
            }
            self.get().await.map(access_token)
        })
    }

    fn on_unauthorized<'a>(
        &'a self,
        rejected: &'a AccessToken,
    ) -> BoxFuture<'a, Result<AccessToken, CodexAuthError>> {
        Box::pin(async move {
            if self.inner.config.api_key.is_some() {
                return Err(CodexAuthError::ApiKeyRejected);
            }
            self.recover(rejected).await.map(access_token)
        })
    }
}

impl fmt::Debug for CodexAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodexAuth")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}
