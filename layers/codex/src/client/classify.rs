//! Model errors that only a new sign-in or another API key can fix, made fatal.

use crate::CodexAuthError;
use clanka_model::AiError;

/// The [`ResponsesConfig::classify_error`](clanka_responses::ResponsesConfig::classify_error)
/// of Codex models: an auth failure the user must fix (no sign-in, a rejected API
/// key, another account) becomes the fatal [`AiError::Unauthorized`], and a failure of
/// the token store (read-only, full, not a directory, a lock held too long) the fatal
/// [`AiError::Local`], instead of a retryable [`AiError::Transport`], so nothing
/// retries them.
pub(crate) fn reclassify(error: AiError) -> AiError {
    let AiError::Transport(source) = error else {
        return error;
    };
    match CodexAuthError::find(source.as_ref()) {
        Some(auth) if auth.is_sign_in_required() => AiError::Unauthorized {
            message: auth.to_string(),
        },
        Some(CodexAuthError::Store(_)) => AiError::Local(source),
        _ => AiError::Transport(source),
    }
}

#[cfg(test)]
mod tests {
    use crate::SignInReason;
    use clanka_http::HttpError;

    use super::*;

    #[test]
    fn only_auth_errors_the_user_must_fix_become_fatal() {
        let wrapped = |auth: CodexAuthError| AiError::transport(HttpError::Service(Box::new(auth)));
        let rejected = reclassify(wrapped(CodexAuthError::ApiKeyRejected));
        assert!(!rejected.is_retryable());
        assert_eq!(
            rejected.to_string(),
            "unauthorized: the server rejected the api key"
        );
        let signed_out = reclassify(wrapped(CodexAuthError::SignInRequired {
            reason: SignInReason::SignedOut,
        }));
        assert!(matches!(signed_out, AiError::Unauthorized { .. }));

        let passing = reclassify(wrapped(CodexAuthError::RefreshFailed {
            status: None,
            code: None,
        }));
        assert!(matches!(passing, AiError::Transport(_)), "{passing:?}");

        let full = std::io::Error::from_raw_os_error(28);
        let store = reclassify(wrapped(CodexAuthError::Store(clanka_kv::KvError::Io {
            key: "codex.auth/token".into(),
            path: "/store/k-codex.auth%2Ftoken".into(),
            source: full,
        })));
        assert!(matches!(store, AiError::Local(_)), "{store:?}");
        let shown = clanka_model::error_chain(&store);
        assert!(shown.contains("/store/k-codex.auth%2Ftoken"), "{shown}");
        assert!(shown.contains("No space left on device"), "{shown}");
    }
}
