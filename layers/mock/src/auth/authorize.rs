//! `GET /oauth/authorize`: the browser (PKCE) login, approved at once.
//!
//! The real page asks the user to sign in; the mock checks the query the way the
//! server would and redirects straight back to the loopback callback with an
//! authorization code bound to the `code_challenge` and the `redirect_uri`. With
//! [`MockOptions::authorize_denial`](crate::MockOptions::authorize_denial) set it
//! redirects with `error=access_denied` instead.
//!
//! Deviation: the real server only accepts the registered ports 1455 and 1457; the
//! mock accepts any loopback port so that parallel tests can use ephemeral ones.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::oauth_error;
use crate::common::lock;
use crate::state::AppState;

/// `GET /oauth/authorize?response_type=code&client_id=…&redirect_uri=…&scope=…&code_challenge=…`.
pub(crate) async fn authorize(
    State(state): State<Arc<AppState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let request = match AuthorizeRequest::parse(&query) {
        Ok(request) => request,
        Err(problem) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", problem),
    };
    let params = match &state.options.authorize_denial {
        Some(description) => vec![
            ("error", "access_denied".to_owned()),
            ("error_description", description.clone()),
            ("state", request.state.to_owned()),
        ],
        None => {
            let code = lock(&state.registry).mint_code(
                request.challenge.to_owned(),
                Some(request.redirect_uri.to_owned()),
            );
            vec![("code", code), ("state", request.state.to_owned())]
        }
    };
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let location = format!("{}?{query}", request.redirect_uri);
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// The parts of a valid authorize query the mock uses.
struct AuthorizeRequest<'a> {
    redirect_uri: &'a str,
    challenge: &'a str,
    state: &'a str,
}

impl<'a> AuthorizeRequest<'a> {
    fn parse(query: &'a HashMap<String, String>) -> Result<Self, &'static str> {
        let field = |name: &str| {
            query
                .get(name)
                .map(String::as_str)
                .filter(|v| !v.is_empty())
        };
        if field("response_type") != Some("code") {
            return Err("response_type must be code");
        }
        if field("client_id").is_none() {
            return Err("client_id is required");
        }
        let redirect_uri = field("redirect_uri")
            .filter(|uri| is_loopback_callback(uri))
            .ok_or("redirect_uri must be http://localhost:<port>/auth/callback")?;
        let scope = field("scope").unwrap_or_default();
        let scopes: Vec<&str> = scope.split(' ').collect();
        if !["openid", "offline_access"]
            .iter()
            .all(|s| scopes.contains(s))
        {
            return Err("scope must include openid and offline_access");
        }
        if field("code_challenge_method") != Some("S256") {
            return Err("code_challenge_method must be S256");
        }
        let challenge = field("code_challenge")
            .filter(|c| is_s256_challenge(c))
            .ok_or("code_challenge must be 43 base64url characters")?;
        let state = field("state").ok_or("state is required")?;
        for (name, value) in [
            ("id_token_add_organizations", "true"),
            ("codex_cli_simplified_flow", "true"),
        ] {
            if field(name) != Some(value) {
                return Err(
                    "id_token_add_organizations and codex_cli_simplified_flow must be true",
                );
            }
        }
        if field("originator").is_none() {
            return Err("originator is required");
        }
        Ok(Self {
            redirect_uri,
            challenge,
            state,
        })
    }
}

/// `http://localhost:<port>/auth/callback` (or `127.0.0.1`), nothing else.
fn is_loopback_callback(uri: &str) -> bool {
    let Some(rest) = uri
        .strip_prefix("http://localhost:")
        .or_else(|| uri.strip_prefix("http://127.0.0.1:"))
    else {
        return false;
    };
    rest.strip_suffix("/auth/callback")
        .is_some_and(|port| port.parse::<u16>().is_ok_and(|p| p != 0))
}

/// A base64url (no padding) SHA-256 digest: 43 characters.
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(overrides: &[(&str, &str)]) -> HashMap<String, String> {
        let mut query: HashMap<String, String> = [
            ("response_type", "code"),
            ("client_id", "app_x"),
            ("redirect_uri", "http://localhost:1455/auth/callback"),
            ("scope", "openid profile email offline_access"),
            (
                "code_challenge",
                "E9Melhoofw1ptgGIJL_ft1VhMqhFFbtVZCedbbwGmSM",
            ),
            ("code_challenge_method", "S256"),
            ("id_token_add_organizations", "true"),
            ("codex_cli_simplified_flow", "true"),
            ("state", "s"),
            ("originator", "clanka"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in overrides {
            query.insert((*k).to_owned(), (*v).to_owned());
        }
        query
    }

    #[test]
    fn accepts_the_codex_query_and_refuses_each_broken_field() {
        assert!(AuthorizeRequest::parse(&query(&[])).is_ok());
        for broken in [
            ("response_type", "token"),
            ("redirect_uri", "https://evil.example/auth/callback"),
            ("redirect_uri", "http://localhost:0/auth/callback"),
            ("scope", "openid"),
            ("code_challenge_method", "plain"),
            ("code_challenge", "short"),
            ("state", ""),
            ("codex_cli_simplified_flow", "false"),
            ("originator", ""),
        ] {
            assert!(
                AuthorizeRequest::parse(&query(&[broken])).is_err(),
                "{broken:?} accepted"
            );
        }
    }
}
