//! Persistence of the token set in a [`KeyValueStore`] under `codex.auth/token`.

use clanka_kv::{KeyValueStore, KvError, LockGuard, TypedStore};
use serde::{Deserialize, Serialize};

use crate::{Secret, Token};

/// The prefix of every key the auth service writes.
pub const STORE_PREFIX: &str = "codex.auth/";
/// The key of the token set, under [`STORE_PREFIX`].
pub const TOKEN_KEY: &str = "token";
/// The name of the cross-process lock held while refreshing.
const REFRESH_LOCK: &str = "refresh";

/// The stored JSON shape, as the TypeScript clanka writes it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredToken {
    access: String,
    refresh: String,
    /// Milliseconds since the Unix epoch.
    expires: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
}

/// The token set in a key-value store: `codex.auth/token` as JSON
/// `{access, refresh, expires, accountId}`.
///
/// A value that fails to decode is removed and read as signed out.
#[derive(Debug, Clone)]
pub struct TokenStore {
    typed: TypedStore<StoredToken>,
}

impl TokenStore {
    /// The token store inside `store` (under the `codex.auth/` prefix).
    pub fn new(store: &KeyValueStore) -> Self {
        Self {
            typed: store.prefixed(STORE_PREFIX).typed(),
        }
    }

    /// The stored token set; `None` when signed out or when the stored value was corrupt
    /// (it is then removed).
    pub async fn load(&self) -> Result<Option<Token>, KvError> {
        match self.typed.get(TOKEN_KEY).await {
            Ok(stored) => Ok(stored.map(|s| Token {
                access: Secret::new(s.access),
                refresh: Secret::new(s.refresh),
                expires_at_ms: s.expires,
                account_id: s.account_id,
            })),
            Err(KvError::Decode { key, source }) => {
                // JsonError prints category and position only, never the value.
                tracing::warn!(%key, error = %source, "stored codex token is corrupt; removing it");
                self.typed.remove(TOKEN_KEY).await?;
                Ok(None)
            }
            Err(KvError::NotUtf8 { key, .. }) => {
                tracing::warn!(%key, "stored codex token is not utf-8; removing it");
                self.typed.remove(TOKEN_KEY).await?;
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    /// Stores `token`, replacing any previous token set.
    pub async fn save(&self, token: &Token) -> Result<(), KvError> {
        let stored = StoredToken {
            access: token.access.expose().to_owned(),
            refresh: token.refresh.expose().to_owned(),
            expires: token.expires_at_ms,
            account_id: token.account_id.clone(),
        };
        self.typed.set(TOKEN_KEY, &stored).await
    }

    /// Removes the stored token set.
    pub async fn clear(&self) -> Result<(), KvError> {
        self.typed.remove(TOKEN_KEY).await
    }

    /// Takes the refresh lock, which on the file backend also excludes other processes.
    pub async fn lock_refresh(&self) -> Result<LockGuard, KvError> {
        self.typed.store().lock(REFRESH_LOCK).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn round_trips_in_the_seed_format() {
        let kv = KeyValueStore::memory();
        let store = TokenStore::new(&kv);
        assert_eq!(store.load().await.unwrap(), None);
        let token = Token {
            access: "at".into(),
            refresh: "rt".into(),
            expires_at_ms: 42,
            account_id: Some("acct".into()),
        };
        store.save(&token).await.unwrap();
        let raw = kv.get_string("codex.auth/token").await.unwrap().unwrap();
        let json: serde_json::Value = serde_json::from_str(&raw).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"access": "at", "refresh": "rt", "expires": 42, "accountId": "acct"})
        );
        assert_eq!(store.load().await.unwrap(), Some(token));
    }

    #[tokio::test]
    async fn corrupt_value_is_removed() {
        let kv = KeyValueStore::memory();
        kv.set("codex.auth/token", "{\"access\": 1").await.unwrap();
        let store = TokenStore::new(&kv);
        assert_eq!(store.load().await.unwrap(), None);
        assert!(!kv.has("codex.auth/token").await.unwrap());
    }
}
