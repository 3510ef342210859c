//! Token registry: device codes, authorization codes, access and rotating refresh tokens.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::common::now_secs;
use crate::jwt;

/// A token set minted by the mock, as `POST /oauth/token` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedTokens {
    /// The id token (unsigned JWT).
    pub id_token: String,
    /// The access token (unsigned JWT with `exp`).
    pub access_token: String,
    /// The opaque refresh token; it rotates on every refresh.
    pub refresh_token: String,
    /// The ChatGPT account id carried in both JWTs.
    pub account_id: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
    /// Unix time (seconds) at which the access token expires.
    pub expires_at: u64,
}

/// Why a refresh token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshRefusal {
    /// The token was already used once (rotation).
    Reused,
    /// The token was never issued or has been revoked.
    Invalidated,
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BearerRefusal {
    /// No `Authorization: Bearer` header.
    Missing,
    /// A token the mock never issued (or revoked).
    Unknown,
    /// An issued access token past its lifetime.
    Expired,
}

#[derive(Debug)]
pub(crate) struct DeviceCode {
    pub(crate) user_code: String,
    pub(crate) polls: u32,
    pub(crate) approved: bool,
}

/// An authorization code waiting to be exchanged.
#[derive(Debug)]
struct PendingCode {
    /// `base64url(SHA-256(code_verifier))`.
    challenge: String,
    /// The loopback redirect URI of a browser login; `None` for a device login.
    redirect_uri: Option<String>,
}

/// The PKCE S256 transform: `base64url-nopad(SHA-256(verifier))`.
pub(crate) fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[derive(Debug, PartialEq, Eq)]
enum RefreshState {
    Active,
    Used,
    Revoked,
}

/// Mutable auth state of one mock server.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    counter: u64,
    pub(crate) devices: HashMap<String, DeviceCode>,
    auth_codes: HashMap<String, PendingCode>,
    access: HashMap<String, u64>,
    refresh: HashMap<String, RefreshState>,
}

impl Registry {
    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// Starts a device authorization and returns `(device_auth_id, user_code)`.
    pub(crate) fn start_device(&mut self) -> (String, String) {
        let n = self.next();
        let id = format!("deviceauth_mock_{n}");
        let user_code = format!("MOCK-{n:04}");
        let code = DeviceCode {
            user_code: user_code.clone(),
            polls: 0,
            approved: false,
        };
        self.devices.insert(id.clone(), code);
        (id, user_code)
    }

    /// Approves pending device codes (all of them, or the one with `user_code`).
    pub(crate) fn approve(&mut self, user_code: Option<&str>) -> usize {
        let mut n = 0;
        for code in self.devices.values_mut() {
            if user_code.is_none_or(|u| u == code.user_code) && !code.approved {
                code.approved = true;
                n += 1;
            }
        }
        n
    }

    /// Mints an authorization code for an approved device and returns
    /// `(authorization_code, code_challenge, code_verifier)`: the server makes the PKCE
    /// pair itself in the device flow.
    pub(crate) fn mint_device_code(&mut self) -> (String, String, String) {
        let n = self.next();
        let verifier = format!("verifier_mock_{n}_{}", "v".repeat(32));
        let challenge = s256(&verifier);
        let code = self.mint_code(challenge.clone(), None);
        (code, challenge, verifier)
    }

    /// Mints an authorization code bound to a PKCE `challenge` (S256) and, for the
    /// browser flow, to the `redirect_uri` it was issued for.
    pub(crate) fn mint_code(&mut self, challenge: String, redirect_uri: Option<String>) -> String {
        let n = self.next();
        let code = format!("ac_mock_{n}");
        let pending = PendingCode {
            challenge,
            redirect_uri,
        };
        self.auth_codes.insert(code.clone(), pending);
        code
    }

    /// Consumes an authorization code. `None` when it is unknown or `S256(verifier)`
    /// does not match its challenge; otherwise the redirect URI it is bound to, if any.
    pub(crate) fn redeem_auth_code(
        &mut self,
        code: &str,
        verifier: &str,
    ) -> Option<Option<String>> {
        let pending = self.auth_codes.remove(code)?;
        (s256(verifier) == pending.challenge).then_some(pending.redirect_uri)
    }

    /// Mints a fresh token set.
    pub(crate) fn issue(&mut self, account_id: &str, ttl: Duration) -> IssuedTokens {
        let n = self.next();
        let now = now_secs();
        let exp = now + ttl.as_secs();
        let auth = json!({
            "chatgpt_account_id": account_id,
            "chatgpt_plan_type": "pro",
            "chatgpt_user_id": format!("user_{account_id}"),
        });
        let email = "mock@example.com";
        let id_claims = json!({
            "iss": "clanka-mock", "aud": ["app_EMoamEEZ73f0CkXaXp7hrann"], "sub": "user_mock",
            "iat": now, "exp": exp, "jti": format!("id_{n}"), "email": email,
            "https://api.openai.com/auth": auth,
            "https://api.openai.com/profile": {"email": email},
        });
        let access_claims = json!({
            "iss": "clanka-mock", "sub": "user_mock", "iat": now, "exp": exp,
            "jti": format!("at_{n}"), "https://api.openai.com/auth": auth,
            "https://api.openai.com/profile": {"email": email},
        });
        let access_token = jwt::encode(&access_claims);
        let refresh_token = format!("rt_mock_{n}");
        self.access.insert(access_token.clone(), exp);
        self.refresh
            .insert(refresh_token.clone(), RefreshState::Active);
        IssuedTokens {
            id_token: jwt::encode(&id_claims),
            access_token,
            refresh_token,
            account_id: account_id.to_owned(),
            expires_in: ttl.as_secs(),
            expires_at: exp,
        }
    }

    /// Rotates a refresh token: the old one becomes used, a new set is issued.
    pub(crate) fn refresh(
        &mut self,
        token: &str,
        account_id: &str,
        ttl: Duration,
    ) -> Result<IssuedTokens, RefreshRefusal> {
        match self.refresh.get_mut(token) {
            Some(state @ RefreshState::Active) => *state = RefreshState::Used,
            Some(RefreshState::Used) => return Err(RefreshRefusal::Reused),
            Some(RefreshState::Revoked) | None => return Err(RefreshRefusal::Invalidated),
        }
        Ok(self.issue(account_id, ttl))
    }

    /// Revokes a refresh or access token; unknown tokens are ignored.
    pub(crate) fn revoke(&mut self, token: &str) {
        if let Some(state) = self.refresh.get_mut(token) {
            *state = RefreshState::Revoked;
        }
        self.access.remove(token);
    }

    /// Checks a bearer token: issued and unexpired access token, or a configured API key.
    pub(crate) fn check_bearer(
        &self,
        header: Option<&str>,
        api_keys: &[String],
    ) -> Result<(), BearerRefusal> {
        let token = header
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(BearerRefusal::Missing)?;
        if api_keys.iter().any(|k| k == token) {
            return Ok(());
        }
        match self.access.get(token) {
            Some(exp) if *exp > now_secs() => Ok(()),
            Some(_) => Err(BearerRefusal::Expired),
            None => Err(BearerRefusal::Unknown),
        }
    }

    /// Marks every issued access token as expired.
    pub(crate) fn expire_all(&mut self) {
        for exp in self.access.values_mut() {
            *exp = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_rotates_and_detects_reuse() {
        let mut reg = Registry::default();
        let first = reg.issue("acct", Duration::from_secs(60));
        let second = reg
            .refresh(&first.refresh_token, "acct", Duration::from_secs(60))
            .unwrap();
        assert_ne!(first.refresh_token, second.refresh_token);
        let again = reg.refresh(&first.refresh_token, "acct", Duration::from_secs(60));
        assert_eq!(again, Err(RefreshRefusal::Reused));
        let unknown = reg.refresh("rt_nope", "acct", Duration::from_secs(60));
        assert_eq!(unknown, Err(RefreshRefusal::Invalidated));
    }

    #[test]
    fn auth_codes_need_the_matching_verifier_once() {
        let mut reg = Registry::default();
        let (code, challenge, verifier) = reg.mint_device_code();
        assert_eq!(challenge, s256(&verifier));
        assert_eq!(reg.redeem_auth_code(&code, "wrong"), None);
        // A failed attempt burns the code, as a real server does.
        assert_eq!(reg.redeem_auth_code(&code, &verifier), None);
        let redirect = Some("http://localhost:1455/auth/callback".to_owned());
        let code = reg.mint_code(s256("v"), redirect.clone());
        assert_eq!(reg.redeem_auth_code(&code, "v"), Some(redirect));
        // `printf abc | sha256sum | xxd -r -p | base64 | tr '+/' '-_' | tr -d =`
        assert_eq!(s256("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    }

    #[test]
    fn bearer_checks() {
        let mut reg = Registry::default();
        let set = reg.issue("acct", Duration::from_secs(60));
        let keys = vec!["sk-mock".to_owned()];
        let bearer = format!("Bearer {}", set.access_token);
        assert_eq!(reg.check_bearer(Some(&bearer), &keys), Ok(()));
        assert_eq!(reg.check_bearer(Some("Bearer sk-mock"), &keys), Ok(()));
        assert_eq!(reg.check_bearer(None, &keys), Err(BearerRefusal::Missing));
        assert_eq!(
            reg.check_bearer(Some("Bearer x"), &keys),
            Err(BearerRefusal::Unknown)
        );
        reg.expire_all();
        assert_eq!(
            reg.check_bearer(Some(&bearer), &keys),
            Err(BearerRefusal::Expired)
        );
    }
}
