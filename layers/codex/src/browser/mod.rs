//! Browser login with PKCE: authorize URL, loopback callback, exchange.
//!
//! The token is stored before the browser is sent to `/success`, so a page saying
//! "signed in" always means a stored token.
//!
//! Known limit, as in the Codex CLI: `/cancel` is an unauthenticated GET (the logins of
//! both programs use it to replace each other), so any local page can cancel a login
//! that is still waiting for its browser.
//!
//! Deviations from the Codex CLI, on purpose:
//! - `originator=clanka`, the same originator the model requests send.
//! - No API-key token exchange after sign-in: clanka uses the ChatGPT tokens.
//! - `/success` carries no query: the Codex CLI puts the id token in that URL, which
//!   leaves a credential in the browser's history.

mod pkce;
mod server;

use clanka_http::HttpClient;
use reqwest::Url;

use crate::device::DeviceCodeHandler;
use crate::{CodexAuthConfig, CodexAuthError, ORIGINATOR, Token, TokenStore};
use pkce::{Pkce, random_token};
use server::{Callback, bind};

/// The scopes the Codex CLI asks for.
const SCOPE: &str = "openid profile email offline_access api.connectors.read api.connectors.invoke";
/// Runs a browser login: binds the callback, shows the authorize URL, and waits for the
/// browser to come back with a code, which is exchanged for a token set and stored.
pub(crate) async fn browser_login(
    http: &HttpClient,
    config: &CodexAuthConfig,
    handler: &dyn DeviceCodeHandler,
    store: &TokenStore,
) -> Result<Token, CodexAuthError> {
    let pkce = Pkce::new()?;
    let state = random_token(32)?;
    let (listener, port) = bind(&config.callback_ports).await?;
    let redirect_uri = format!("http://127.0.0.1:{port}/auth/callback");
    let url = authorize_url(config, &redirect_uri, &pkce.challenge, &state)?;
    let callback = Callback::new(
        http.clone(),
        config.clone(),
        store.clone(),
        pkce.verifier,
        state,
        redirect_uri,
    );
    tracing::info!(port, "waiting for the browser login callback");
    handler.open_browser(url.as_str());
    let result = callback
        .serve(listener, config.browser_timeout, handler)
        .await;
    handler.finished(result.is_ok());
    result
}

/// `{issuer}/oauth/authorize?…` with the parameters in the Codex CLI's order.
fn authorize_url(
    config: &CodexAuthConfig,
    redirect_uri: &str,
    challenge: &str,
    state: &str,
) -> Result<Url, CodexAuthError> {
    let params = [
        ("response_type", "code"),
        ("client_id", config.client_id.as_str()),
        ("redirect_uri", redirect_uri),
        ("scope", SCOPE),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("id_token_add_organizations", "true"),
        ("codex_cli_simplified_flow", "true"),
        ("state", state),
        ("originator", ORIGINATOR),
    ];
    Url::parse_with_params(&config.url("/oauth/authorize"), params)
        .map_err(|_| CodexAuthError::BrowserLoginFailed("the issuer is not a valid URL".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_url_carries_the_pkce_query_in_order() {
        let config = CodexAuthConfig::new().with_issuer("https://auth.example/");
        let url = authorize_url(
            &config,
            "http://127.0.0.1:1455/auth/callback",
            "challenge",
            "st",
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://auth.example/oauth/authorize?response_type=code\
             &client_id=app_EMoamEEZ73f0CkXaXp7hrann\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A1455%2Fauth%2Fcallback\
             &scope=openid+profile+email+offline_access+api.connectors.read+api.connectors.invoke\
             &code_challenge=challenge&code_challenge_method=S256\
             &id_token_add_organizations=true&codex_cli_simplified_flow=true\
             &state=st&originator=clanka"
        );
    }
}
