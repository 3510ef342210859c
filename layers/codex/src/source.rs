//! The capability the auth layers need: a bearer token, and recovery from a 401.

use futures_util::future::BoxFuture;

use crate::{CodexAuthError, Secret};

/// A bearer token and the account it belongs to, as sent on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// Sent as `Authorization: Bearer …`.
    pub token: Secret,
    /// Sent as `ChatGPT-Account-Id` when known (never in API-key mode).
    pub account_id: Option<String>,
}

/// Where the auth layers get tokens: implemented by [`CodexAuth`](crate::CodexAuth).
///
/// Used as `Arc<dyn TokenSource>`.
pub trait TokenSource: Send + Sync + 'static {
    /// A valid token for the next request.
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, CodexAuthError>>;

    /// The server answered 401 to a request sent with `rejected`: return the token to
    /// retry with once, or an error when there is none.
    fn on_unauthorized<'a>(
        &'a self,
        rejected: &'a AccessToken,
    ) -> BoxFuture<'a, Result<AccessToken, CodexAuthError>>;
}
