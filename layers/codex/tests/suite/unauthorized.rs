//! 401 recovery through the auth layer: reload, refresh, one retry, then a typed error.

use clanka_codex::{CodexAuthError, SignInReason};
use clanka_mock::{HttpError, ScriptedResponse};
use pretty_assertions::assert_eq;
use serde_json::json;

use super::common::{Harness, is_refresh, is_responses};

#[tokio::test]
async fn one_401_refreshes_and_retries() {
    let h = Harness::start().await;
    h.server.issue_tokens();
    let auth = h.auth(true);
    let client = auth.authenticate_http(h.http.clone());
    let before = auth.get().await.unwrap();

    h.server.expire_all_access_tokens();
    let response = h.post_responses(&client).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(h.count(is_refresh), 1);
    assert_eq!(h.count(is_responses), 2);
    let sent: Vec<_> = h
        .server
        .response_requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    let after = h.tokens().load().await.unwrap().unwrap();
    assert_eq!(
        sent,
        [
            format!("Bearer {}", before.access.expose()),
            format!("Bearer {}", after.access.expose())
        ]
    );
    let last = h.server.response_requests().pop().unwrap();
    assert_eq!(last.header("chatgpt-account-id"), Some("acct_mock"));
    let refresh = h.server.requests().into_iter().find(is_refresh).unwrap();
    assert_eq!(
        refresh.field("refresh_reason"),
        Some(&serde_json::json!("unauthorized_recovery"))
    );
}

#[tokio::test]
async fn a_token_changed_in_the_store_is_used_without_refreshing() {
    let h = Harness::start().await;
    let auth = h.auth(true);
    let client = auth.authenticate_http(h.http.clone());
    let old = auth.get().await.unwrap();
    // Another process signed in again: a new token in the store, the old one revoked.
    let issued = h.server.issue_tokens();
    let mut newer = super::common::expired(&issued);
    newer.expires_at_ms = old.expires_at_ms;
    h.tokens().save(&newer).await.unwrap();
    let revoke = h
        .http
        .request(
            reqwest::Method::POST,
            format!("{}/oauth/revoke", h.server.issuer_url()),
        )
        .json(&json!({"token": old.access.expose()}));
    h.http.send(revoke).await.unwrap();

    let response = h.post_responses(&client).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(h.count(is_refresh), 0);
    let last = h.server.response_requests().pop().unwrap();
    assert_eq!(
        last.header("authorization"),
        Some(format!("Bearer {}", issued.access_token).as_str())
    );
}

#[tokio::test]
async fn a_token_of_another_account_in_the_store_is_refused() {
    let h = Harness::start().await;
    let auth = h.auth(true);
    let client = auth.authenticate_http(h.http.clone());
    let old = auth.get().await.unwrap();
    // Another process signed in to another account; the old access token expired.
    let issued = h.server.issue_tokens();
    let mut other = super::common::expired(&issued);
    other.expires_at_ms = old.expires_at_ms;
    other.account_id = Some("acct_other".into());
    h.tokens().save(&other).await.unwrap();
    h.server.expire_all_access_tokens();

    let error = h.post_responses(&client).await.unwrap_err();
    let found = CodexAuthError::find(&error);
    assert!(
        matches!(found, Some(CodexAuthError::AccountChanged)),
        "{error:?}"
    );
    assert_eq!(h.count(is_refresh), 0);
    assert_eq!(h.count(is_responses), 1, "no retry with the other account");
}

#[tokio::test]
async fn a_401_after_refresh_is_a_typed_error_without_a_loop() {
    let h = Harness::start().await;
    let auth = h.auth(true);
    let client = auth.authenticate_http(h.http.clone());
    auth.get().await.unwrap();
    let unauthorized = || {
        ScriptedResponse::new().http_error(HttpError::Custom {
            status: 401,
            body: json!({"error": {"code": "token_expired", "message": "expired"}}),
        })
    };
    for _ in 0..2 {
        h.server.push_response(unauthorized());
    }

    let err = h.post_responses(&client).await.unwrap_err();
    let auth_err = CodexAuthError::find(&err).unwrap();
    assert!(matches!(
        auth_err,
        CodexAuthError::SignInRequired {
            reason: SignInReason::TokenRejected
        }
    ));
    assert_eq!(h.count(is_responses), 2);
    assert_eq!(h.count(is_refresh), 1);
}
