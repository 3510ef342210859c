//! Model errors that only a new sign-in or another API key can fix, made fatal.

use clanka_codex::CodexAuthError;
use clanka_model::AiError;

/// The [`ResponsesConfig::classify_error`](clanka_responses::ResponsesConfig::classify_error)
/// of the Codex recipes: an auth failure the user must fix (no sign-in, a rejected API
/// key, another account) becomes the fatal [`AiError::Unauthorized`] instead of a
/// retryable [`AiError::Transport`], so neither the model nor the agent retries it.
pub(super) fn reclassify(error: AiError) -> AiError {
    let message = match &error {
        AiError::Transport(source) => CodexAuthError::find(source.as_ref())
            .filter(|auth| auth.is_sign_in_required())
            .map(ToString::to_string),
        _ => None,
    };
    match message {
        Some(message) => AiError::Unauthorized { message },
        None => error,
    }
}

#[cfg(test)]
mod tests {
    use clanka_codex::SignInReason;
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
    }
}
