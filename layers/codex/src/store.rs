//! Persistence of the token set in a [`KeyValueStore`] under `codex.auth/token`.

use clanka_kv::{KeyValueStore, KvError, LockGuard, TypedStore};
use serde::{Deserialize, Serialize};

use crate::{Secret, SignInReason, Token};

/// The prefix of every key the auth service writes.
pub const STORE_PREFIX: &str = "codex.auth/";
/// The key of the token set, under [`STORE_PREFIX`].
pub const TOKEN_KEY: &str = "token";
/// The name of the cross-process lock held while refreshing.
const REFRESH_LOCK: &str = "refresh";
/// The key recording a refresh token the server refused, under [`STORE_PREFIX`].
const REJECTED_KEY: &str = "rejected";

/// A refresh token the token endpoint refused for good, by hash (never the token).
#[derive(Serialize, Deserialize)]
struct Rejection {
    refresh_sha256: String,
    reason: String,
}

fn fingerprint(refresh: &Secret) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(refresh.expose().as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

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
    rejected: TypedStore<Rejection>,
}

impl TokenStore {
    /// The token store inside `store` (under the `codex.auth/` prefix).
    pub fn new(store: &KeyValueStore) -> Self {
        let scoped = store.prefixed(STORE_PREFIX);
        Self {
            typed: scoped.typed(),
            rejected: scoped.typed(),
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
                tracing::warn!(%key, error = %source, "stored codex token is corrupt; removing it (sign in again)");
                self.typed.remove(TOKEN_KEY).await?;
                Ok(None)
            }
            Err(KvError::NotUtf8 { key, .. }) => {
                tracing::warn!(%key, "stored codex token is not utf-8; removing it (sign in again)");
                self.typed.remove(TOKEN_KEY).await?;
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    /// Stores `token`, replacing any previous token set and forgetting a refused
    /// refresh token.
    pub async fn save(&self, token: &Token) -> Result<(), KvError> {
        self.typed.set(TOKEN_KEY, &stored(token)).await?;
        self.rejected.remove(REJECTED_KEY).await
    }

    /// [`save`](Self::save) under the refresh lock `guard`: on a store whose locks
    /// are leases, a holder that lost its lease (paused, say) cannot overwrite the
    /// token a later holder stored ([`KvError::Fenced`]).
    pub async fn save_under(&self, token: &Token, guard: &LockGuard) -> Result<(), KvError> {
        self.typed
            .set_fenced(TOKEN_KEY, &stored(token), guard)
            .await?;
        self.rejected.remove(REJECTED_KEY).await
    }

    /// Removes the stored token set.
    pub async fn clear(&self) -> Result<(), KvError> {
        self.typed.remove(TOKEN_KEY).await?;
        self.rejected.remove(REJECTED_KEY).await
    }

    /// Records that the token endpoint refused `token`'s refresh token for good, so
    /// that no process of this store sends it again; the next sign-in forgets it.
    pub async fn mark_rejected(&self, token: &Token, reason: SignInReason) -> Result<(), KvError> {
        let rejection = Rejection {
            refresh_sha256: fingerprint(&token.refresh),
            reason: reason.code().to_owned(),
        };
        self.rejected.set(REJECTED_KEY, &rejection).await
    }

    /// Why `token`'s refresh token was refused, if it was (see [`mark_rejected`](Self::mark_rejected)).
    pub async fn rejection(&self, token: &Token) -> Result<Option<SignInReason>, KvError> {
        let stored = match self.rejected.get(REJECTED_KEY).await {
            Ok(stored) => stored,
            // An unreadable record cannot prove a refusal: forget it.
            Err(KvError::Decode { .. } | KvError::NotUtf8 { .. }) => {
                self.rejected.remove(REJECTED_KEY).await?;
                None
            }
            Err(error) => return Err(error),
        };
        Ok(stored
            .filter(|r| r.refresh_sha256 == fingerprint(&token.refresh))
            .map(|r| SignInReason::from_code(&r.reason)))
    }

    /// Takes the refresh lock, which on the file backend also excludes other processes.
    pub async fn lock_refresh(&self) -> Result<LockGuard, KvError> {
        self.typed.store().lock(REFRESH_LOCK).await
    }
}

fn stored(token: &Token) -> StoredToken {
    StoredToken {
        access: token.access.expose().to_owned(),
        refresh: token.refresh.expose().to_owned(),
        expires: token.expires_at_ms,
        account_id: token.account_id.clone(),
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
