//! The errors of Codex authentication; no message ever contains a token.

use clanka_http::HttpError;
use clanka_kv::KvError;
use http::StatusCode;

/// Why the user has to sign in again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInReason {
    /// No token is stored.
    SignedOut,
    /// The refresh token expired (`refresh_token_expired`).
    RefreshTokenExpired,
    /// The refresh token was already used (`refresh_token_reused`).
    RefreshTokenReused,
    /// The refresh token was revoked (`refresh_token_invalidated`).
    RefreshTokenInvalidated,
    /// The token endpoint answered a refresh with 401.
    RefreshUnauthorized,
    /// The model endpoint still answered 401 after a reload or refresh.
    TokenRejected,
}

impl SignInReason {
    /// A stable code for the reason, as stored (`refresh_token_reused`, …).
    pub fn code(self) -> &'static str {
        match self {
            Self::SignedOut => "signed_out",
            Self::RefreshTokenExpired => "refresh_token_expired",
            Self::RefreshTokenReused => "refresh_token_reused",
            Self::RefreshTokenInvalidated => "refresh_token_invalidated",
            Self::RefreshUnauthorized => "refresh_unauthorized",
            Self::TokenRejected => "token_rejected",
        }
    }

    /// The reason of a [`code`](Self::code); unknown codes read as a refused refresh.
    pub fn from_code(code: &str) -> Self {
        [
            Self::SignedOut,
            Self::RefreshTokenExpired,
            Self::RefreshTokenReused,
            Self::RefreshTokenInvalidated,
            Self::TokenRejected,
        ]
        .into_iter()
        .find(|reason| reason.code() == code)
        .unwrap_or(Self::RefreshUnauthorized)
    }

    fn describe(self) -> &'static str {
        match self {
            Self::SignedOut => "not signed in",
            Self::RefreshTokenExpired => "the refresh token has expired",
            Self::RefreshTokenReused => "the refresh token was already used",
            Self::RefreshTokenInvalidated => "the refresh token was revoked",
            Self::RefreshUnauthorized => "the token endpoint refused the refresh token",
            Self::TokenRejected => "the server rejected the refreshed access token",
        }
    }
}

impl std::fmt::Display for SignInReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// Why Codex authentication failed.
///
/// Messages never include tokens, codes or API keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodexAuthError {
    /// A sign-in is needed and this run may not start one (no terminal, or `CI` is set).
    #[error("sign-in required ({reason}): sign in again")]
    SignInRequired {
        /// What made the sign-in necessary.
        reason: SignInReason,
    },
    /// A refresh failed for a reason that may pass (network, 5xx, unexpected answer).
    #[error("token refresh failed{}", status_suffix(*.status, .code.as_deref()))]
    RefreshFailed {
        /// The token endpoint's status, when it answered.
        status: Option<StatusCode>,
        /// The OAuth error code, when the body carried one.
        code: Option<String>,
    },
    /// The device-code login failed.
    #[error("device login failed{}", status_suffix(*.status, None))]
    DeviceFlowFailed {
        /// The status of the failing step, when the server answered.
        status: Option<StatusCode>,
    },
    /// The server does not offer device-code login (404 on the user-code endpoint).
    #[error(
        "device code login is not enabled for this codex server: \
         sign in in a browser instead, or check the issuer url"
    )]
    DeviceFlowNotEnabled,
    /// Nobody approved the device code in time.
    #[error("device login timed out after {0:?}")]
    DeviceFlowTimedOut(std::time::Duration),
    /// Exchanging the authorization code for tokens failed.
    #[error("authorization code exchange failed{}", status_suffix(*.status, .code.as_deref()))]
    ExchangeFailed {
        /// The token endpoint's status.
        status: Option<StatusCode>,
        /// The OAuth error code, when the body carried one.
        code: Option<String>,
    },
    /// The browser login failed.
    #[error("browser login failed: {0}")]
    BrowserLoginFailed(String),
    /// The sign-in page refused (`error` and `error_description` of the callback).
    #[error("sign-in was refused: {error}{}", .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    LoginDenied {
        /// The OAuth error code, e.g. `access_denied`.
        error: String,
        /// The server's description, if any.
        description: Option<String>,
    },
    /// The account's workspace does not have Codex (`missing_codex_entitlement`).
    #[error(
        "Codex is not enabled for your workspace; ask its admin, or sign in with another account"
    )]
    CodexNotEnabled,
    /// The browser login was cancelled (`/cancel`, e.g. by a newer login on the same port).
    #[error("browser login cancelled")]
    LoginCancelled,
    /// Nobody completed the browser sign-in in time.
    #[error("browser login timed out after {0:?}")]
    BrowserLoginTimedOut(std::time::Duration),
    /// None of the loopback callback ports could be bound.
    #[error("cannot listen for the sign-in callback on 127.0.0.1 port {}: busy; close the other login, or sign in with a device code", .ports.iter().map(u16::to_string).collect::<Vec<_>>().join(" or "))]
    CallbackPortsBusy {
        /// The ports tried, in order.
        ports: Vec<u16>,
    },
    /// The stored token now belongs to another account than the rejected one.
    #[error("the stored credentials belong to another account; sign in again")]
    AccountChanged,
    /// The model endpoint rejected the configured API key.
    #[error("the server rejected the api key")]
    ApiKeyRejected,
    /// A server answer could not be read.
    #[error("unexpected answer from the {endpoint} endpoint")]
    InvalidResponse {
        /// Which endpoint answered.
        endpoint: &'static str,
    },
    /// A token could not be put in a header (it held characters headers cannot carry).
    #[error("the token cannot be sent in a header")]
    InvalidHeader,
    /// The token store failed.
    #[error(transparent)]
    Store(#[from] KvError),
    /// The HTTP client failed.
    #[error(transparent)]
    Http(#[from] HttpError),
}

impl CodexAuthError {
    /// Whether the user has to sign in again for this to go away.
    pub fn is_sign_in_required(&self) -> bool {
        matches!(
            self,
            Self::SignInRequired { .. } | Self::AccountChanged | Self::ApiKeyRejected
        )
    }

    /// The auth error inside an error returned by a client wrapped with the auth layers
    /// (e.g. [`HttpError::Service`]).
    pub fn find<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a CodexAuthError> {
        let mut current = Some(error);
        while let Some(error) = current {
            if let Some(found) = error.downcast_ref::<CodexAuthError>() {
                return Some(found);
            }
            current = error.source();
        }
        None
    }
}

fn status_suffix(status: Option<StatusCode>, code: Option<&str>) -> String {
    match (status, code) {
        (Some(s), Some(c)) => format!(" with status {s} ({c})"),
        (Some(s), None) => format!(" with status {s}"),
        (None, Some(c)) => format!(" ({c})"),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        let e = CodexAuthError::SignInRequired {
            reason: SignInReason::RefreshTokenReused,
        };
        assert_eq!(
            e.to_string(),
            "sign-in required (the refresh token was already used): sign in again"
        );
        let e = CodexAuthError::RefreshFailed {
            status: Some(StatusCode::BAD_GATEWAY),
            code: None,
        };
        assert_eq!(
            e.to_string(),
            "token refresh failed with status 502 Bad Gateway"
        );
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
        let http = HttpError::Service(boxed);
        assert!(CodexAuthError::find(&http).is_some());
    }
}
