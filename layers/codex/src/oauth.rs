//! Calls to the token endpoint: code exchange, refresh and revoke.

use std::time::Duration;

use clanka_http::HttpClient;
use http::StatusCode;
use reqwest::Method;
use serde_json::{Value, json};

use crate::token::TokenResponse;
use crate::{CodexAuthConfig, CodexAuthError, SignInReason, Token};

/// Why a refresh is asked for; sent as `refresh_reason`, as the official client does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshReason {
    /// The access token expires soon.
    ProactiveExpiry,
    /// The backend refused the access token (401).
    UnauthorizedRecovery,
}

impl RefreshReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::ProactiveExpiry => "proactive_expiry",
            Self::UnauthorizedRecovery => "unauthorized_recovery",
        }
    }
}

/// Refreshes `token` with a JSON body (`client_id`, `grant_type`, `refresh_reason`,
/// `refresh_token`).
///
/// 401 and `refresh_token_expired|reused|invalidated` are permanent
/// ([`CodexAuthError::SignInRequired`]); anything else is [`CodexAuthError::RefreshFailed`].
pub(crate) async fn refresh(
    http: &HttpClient,
    config: &CodexAuthConfig,
    token: &Token,
    reason: RefreshReason,
) -> Result<Token, CodexAuthError> {
    let body = json!({
        "client_id": config.client_id,
        "grant_type": "refresh_token",
        "refresh_reason": reason.as_str(),
        "refresh_token": token.refresh.expose(),
    });
    let request = http
        .request(Method::POST, config.url("/oauth/token"))
        .json(&body);
    let response = http.send(request).await?;
    let status = response.status();
    if !status.is_success() {
        let code = error_code(&response.bytes().await.unwrap_or_default());
        tracing::warn!(%status, code = code.as_deref(), "codex token refresh refused");
        return Err(classify_refresh(status, code));
    }
    let parsed: TokenResponse = read_json(response, "token").await?;
    let refreshed = parsed
        .into_token(Some(token))
        .ok_or(CodexAuthError::InvalidResponse { endpoint: "token" })?;
    tracing::info!(
        account = refreshed.account_id.as_deref(),
        "codex token refreshed"
    );
    Ok(refreshed)
}

/// Permanent failures ask for a new sign-in; the rest may pass.
pub(crate) fn classify_refresh(status: StatusCode, code: Option<String>) -> CodexAuthError {
    let reason = match code.as_deref() {
        Some("refresh_token_expired") => Some(SignInReason::RefreshTokenExpired),
        Some("refresh_token_reused") => Some(SignInReason::RefreshTokenReused),
        Some("refresh_token_invalidated") => Some(SignInReason::RefreshTokenInvalidated),
        _ if status == StatusCode::UNAUTHORIZED => Some(SignInReason::RefreshUnauthorized),
        _ => None,
    };
    match reason {
        Some(reason) => CodexAuthError::SignInRequired { reason },
        None => CodexAuthError::RefreshFailed {
            status: Some(status),
            code,
        },
    }
}

/// Exchanges an authorization code (form-encoded) for a token set.
pub(crate) async fn exchange_code(
    http: &HttpClient,
    config: &CodexAuthConfig,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> Result<Token, CodexAuthError> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", config.client_id.as_str()),
        ("code_verifier", verifier),
    ];
    let request = http
        .request(Method::POST, config.url("/oauth/token"))
        .form(&form);
    let response = http.send(request).await?;
    let status = response.status();
    if !status.is_success() {
        let code = error_code(&response.bytes().await.unwrap_or_default());
        return Err(CodexAuthError::ExchangeFailed {
            status: Some(status),
            code,
        });
    }
    let parsed: TokenResponse = read_json(response, "token").await?;
    if parsed.id_token.is_none() {
        return Err(CodexAuthError::InvalidResponse { endpoint: "token" });
    }
    parsed
        .into_token(None)
        .ok_or(CodexAuthError::InvalidResponse { endpoint: "token" })
}

/// Revokes the refresh token, best effort (errors are logged, 10 s timeout).
pub(crate) async fn revoke(http: &HttpClient, config: &CodexAuthConfig, token: &Token) {
    let body = json!({
        "token": token.refresh.expose(),
        "token_type_hint": "refresh_token",
        "client_id": config.client_id,
    });
    let request = http
        .request(Method::POST, config.url("/oauth/revoke"))
        .timeout(Duration::from_secs(10))
        .json(&body);
    match http.send(request).await {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => tracing::warn!(status = %response.status(), "token revoke refused"),
        Err(error) => tracing::warn!(%error, "token revoke failed"),
    }
}

/// Reads a JSON body; failures name the endpoint only.
pub(crate) async fn read_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    endpoint: &'static str,
) -> Result<T, CodexAuthError> {
    let bytes = response
        .bytes()
        .await
        .map_err(|e| CodexAuthError::Http(e.into()))?;
    serde_json::from_slice(&bytes).map_err(|_| CodexAuthError::InvalidResponse { endpoint })
}

/// The OAuth error code of a body: `{"error":{"code":X}}`, `{"error":"X"}` or `{"code":X}`.
pub(crate) fn error_code(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let code = match value.get("error") {
        Some(Value::String(code)) => Some(code.as_str()),
        Some(error) => error.get("code").and_then(Value::as_str),
        None => value.get("code").and_then(Value::as_str),
    };
    code.map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_code_shapes() {
        assert_eq!(
            error_code(br#"{"error":{"code":"refresh_token_reused"}}"#).as_deref(),
            Some("refresh_token_reused")
        );
        assert_eq!(
            error_code(br#"{"error":"invalid_grant"}"#).as_deref(),
            Some("invalid_grant")
        );
        assert_eq!(error_code(br#"{"code":"x"}"#).as_deref(), Some("x"));
        assert_eq!(error_code(b"<html>"), None);
    }

    #[test]
    fn classification() {
        let permanent = |s: u16, c: Option<&str>| {
            classify_refresh(StatusCode::from_u16(s).unwrap(), c.map(str::to_owned))
                .is_sign_in_required()
        };
        assert!(permanent(401, None));
        assert!(permanent(400, Some("refresh_token_expired")));
        assert!(permanent(400, Some("refresh_token_reused")));
        assert!(permanent(400, Some("refresh_token_invalidated")));
        assert!(!permanent(400, Some("invalid_request")));
        assert!(!permanent(500, None));
        assert!(!permanent(429, None));
    }
}
