//! Writing the auth headers.

use http::HeaderMap;
use http::header::{AUTHORIZATION, HeaderName, HeaderValue};

use crate::{AccessToken, CodexAuthError};

/// The account header, as the TypeScript clanka spells it.
pub(crate) const ACCOUNT_HEADER: HeaderName = HeaderName::from_static("chatgpt-account-id");

/// Sets `Authorization: Bearer …` (marked sensitive) and `ChatGPT-Account-Id`.
pub(crate) fn apply(headers: &mut HeaderMap, token: &AccessToken) -> Result<(), CodexAuthError> {
    let mut bearer = HeaderValue::try_from(format!("Bearer {}", token.token.expose()))
        .map_err(|_| CodexAuthError::InvalidHeader)?;
    bearer.set_sensitive(true);
    headers.insert(AUTHORIZATION, bearer);
    match &token.account_id {
        Some(id) => {
            let value = HeaderValue::try_from(id).map_err(|_| CodexAuthError::InvalidHeader)?;
            headers.insert(ACCOUNT_HEADER, value);
        }
        None => {
            headers.remove(ACCOUNT_HEADER);
        }
    }
    Ok(())
}
