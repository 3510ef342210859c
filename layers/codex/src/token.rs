//! The token set kept for a signed-in account, and how a token response becomes one.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;

use crate::{Secret, jwt};

/// Access-token lifetime assumed when neither `expires_in` nor the JWT `exp` says.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// A ChatGPT token set: access token, refresh token, expiry and account id.
///
/// `Debug` redacts both tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The bearer token sent to the model endpoint.
    pub access: Secret,
    /// The refresh token; it rotates on every refresh.
    pub refresh: Secret,
    /// When the access token expires, in milliseconds since the Unix epoch.
    pub expires_at_ms: u64,
    /// The ChatGPT account id sent as `ChatGPT-Account-Id`, when known.
    pub account_id: Option<String>,
}

impl Token {
    /// Whether the access token is still valid for more than `margin`.
    pub fn is_fresh(&self, margin: Duration) -> bool {
        self.expires_at_ms > now_ms().saturating_add(millis(margin))
    }

    /// The time left before the access token expires (zero when expired).
    pub fn expires_in(&self) -> Duration {
        Duration::from_millis(self.expires_at_ms.saturating_sub(now_ms()))
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(millis)
        .unwrap_or(0)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The body of a successful `POST /oauth/token` (every field optional, as in a refresh).
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub(crate) id_token: Option<String>,
    pub(crate) access_token: Option<String>,
    pub(crate) refresh_token: Option<String>,
    pub(crate) expires_in: Option<u64>,
}

impl TokenResponse {
    /// The token set after this response: present fields replace `previous`'s, and an
    /// account id the response does not carry is kept from `previous`.
    pub(crate) fn into_token(self, previous: Option<&Token>) -> Option<Token> {
        let access = self
            .access_token
            .map(Secret::from)
            .or_else(|| previous.map(|p| p.access.clone()))?;
        let refresh = self
            .refresh_token
            .map(Secret::from)
            .or_else(|| previous.map(|p| p.refresh.clone()))?;
        let expires_at_ms = match (self.expires_in, jwt::expiry_secs(access.expose())) {
            (Some(secs), _) => now_ms().saturating_add(secs.saturating_mul(1000)),
            (None, Some(exp)) => exp.saturating_mul(1000),
            (None, None) => now_ms().saturating_add(millis(DEFAULT_LIFETIME)),
        };
        let account_id = jwt::account_id(self.id_token.as_deref(), access.expose())
            .or_else(|| previous.and_then(|p| p.account_id.clone()));
        Some(Token {
            access,
            refresh,
            expires_at_ms,
            account_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(access: Option<String>, expires_in: Option<u64>) -> TokenResponse {
        TokenResponse {
            id_token: None,
            access_token: access,
            refresh_token: Some("rt".into()),
            expires_in,
        }
    }

    #[test]
    fn expiry_from_expires_in_then_jwt_then_one_hour() {
        let jwt = jwt::encode(&json!({"exp": 2_000_000_000u64}));
        let now = now_ms();
        let t = response(Some(jwt.clone()), Some(60))
            .into_token(None)
            .unwrap();
        assert!((now + 59_000..=now_ms() + 60_000).contains(&t.expires_at_ms));
        let t = response(Some(jwt), None).into_token(None).unwrap();
        assert_eq!(t.expires_at_ms, 2_000_000_000_000);
        let t = response(Some("opaque".into()), None)
            .into_token(None)
            .unwrap();
        assert!(t.expires_at_ms >= now + 3_599_000);
        assert!(t.is_fresh(Duration::from_secs(30)));
    }

    #[test]
    fn refresh_without_account_keeps_the_old_one() {
        let old = Token {
            access: "a".into(),
            refresh: "r".into(),
            expires_at_ms: 0,
            account_id: Some("acct_old".into()),
        };
        let t = response(Some("opaque".into()), Some(60))
            .into_token(Some(&old))
            .unwrap();
        assert_eq!(t.account_id.as_deref(), Some("acct_old"));
        let jwt = jwt::encode(&json!({"chatgpt_account_id": "acct_new"}));
        let t = response(Some(jwt), Some(60))
            .into_token(Some(&old))
            .unwrap();
        assert_eq!(t.account_id.as_deref(), Some("acct_new"));
        let kept = TokenResponse {
            id_token: None,
            access_token: None,
            refresh_token: None,
            expires_in: Some(60),
        };
        let t = kept.into_token(Some(&old)).unwrap();
        assert_eq!((t.access.expose(), t.refresh.expose()), ("a", "r"));
    }

    #[test]
    fn freshness_uses_the_margin() {
        let mut t = Token {
            access: "a".into(),
            refresh: "r".into(),
            expires_at_ms: now_ms() + 20_000,
            account_id: None,
        };
        assert!(!t.is_fresh(Duration::from_secs(30)));
        assert!(t.is_fresh(Duration::from_secs(10)));
        t.expires_at_ms = 0;
        assert_eq!(t.expires_in(), Duration::ZERO);
    }
}
