//! Model errors that only a new sign-in or another API key can fix, made fatal.

use std::task::{Context, Poll};

use clanka_codex::CodexAuthError;
use clanka_model::{AiError, LanguageModel, PartStream, Prompt};
use futures_util::StreamExt as _;
use futures_util::future::BoxFuture;
use tower_service::Service;

/// Wraps `model` so that an auth failure the user must fix (no sign-in, a rejected API
/// key, another account) surfaces as the fatal [`AiError::Unauthorized`] instead of a
/// retryable [`AiError::Transport`]: the agent then stops at once rather than retrying.
pub(super) fn fatal_sign_in_errors(model: LanguageModel) -> LanguageModel {
    LanguageModel::new(FatalSignIn { inner: model })
}

#[derive(Clone)]
struct FatalSignIn {
    inner: LanguageModel,
}

impl Service<Prompt> for FatalSignIn {
    type Response = PartStream;
    type Error = AiError;
    type Future = BoxFuture<'static, Result<PartStream, AiError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), AiError>> {
        self.inner.poll_ready(cx).map_err(reclassify)
    }

    fn call(&mut self, prompt: Prompt) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let parts = inner.call(prompt).await.map_err(reclassify)?;
            Ok(PartStream::new(parts.map(|part| part.map_err(reclassify))))
        })
    }
}

fn reclassify(error: AiError) -> AiError {
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
