//! Refresh: single flight, rotation, permanent failures.

use std::time::Duration;

use clanka_codex::{CodexAuthError, SignInReason, Token};
use futures_util::future::join_all;
use pretty_assertions::assert_eq;
use serde_json::json;

use super::common::{Harness, is_refresh, is_usercode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_gets_refresh_once() {
    let h = Harness::start().await;
    let issued = h.seed_expired().await;
    let auth = h.auth(false);
    let gets = (0..100).map(|_| {
        let auth = auth.clone();
        tokio::spawn(async move { auth.get().await })
    });
    let tokens: Vec<_> = join_all(gets)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    assert_eq!(h.count(is_refresh), 1);
    assert!(tokens.iter().all(|t| t == &tokens[0]));
    assert_ne!(tokens[0].refresh.expose(), issued.refresh_token);
    let refresh = h.server.requests().into_iter().find(is_refresh).unwrap();
    assert!(
        refresh
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(
        refresh.body,
        json!({"client_id": "app_EMoamEEZ73f0CkXaXp7hrann", "grant_type": "refresh_token",
               "refresh_reason": "proactive_expiry", "refresh_token": issued.refresh_token})
    );
    let stored = h.tokens().load().await.unwrap().unwrap();
    assert_eq!(stored, tokens[0]);
    assert_eq!(stored.account_id.as_deref(), Some("acct_mock"));
}

#[tokio::test]
async fn a_token_is_refreshed_within_the_margin_and_not_before() {
    let h = Harness::start().await;
    let issued = h.server.issue_tokens();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let left = |seconds: u64| Token {
        expires_at_ms: now_ms + seconds * 1000,
        ..super::common::expired(&issued)
    };
    h.tokens().save(&left(400)).await.unwrap();
    h.auth(false).get().await.unwrap();
    assert_eq!(h.count(is_refresh), 0, "400 s left: used as it is");

    h.tokens().save(&left(200)).await.unwrap();
    let margin = h
        .config(false)
        .with_refresh_margin(Duration::from_secs(100));
    h.auth_with(margin).get().await.unwrap();
    assert_eq!(h.count(is_refresh), 0, "200 s left, a 100 s margin: used");

    h.auth(false).get().await.unwrap();
    assert_eq!(
        h.count(is_refresh),
        1,
        "200 s left, the default 300 s margin: refreshed first"
    );
}

/// Stores an expired token whose refresh token the mock has already rotated.
async fn seed_reused(h: &Harness) {
    let issued = h.seed_expired().await;
    let body = json!({"client_id": "app_EMoamEEZ73f0CkXaXp7hrann",
        "grant_type": "refresh_token", "refresh_token": issued.refresh_token});
    let url = format!("{}/oauth/token", h.server.issuer_url());
    let rotated = h
        .http
        .send(h.http.request(reqwest::Method::POST, url).json(&body));
    assert_eq!(rotated.await.unwrap().status(), 200);
    h.server.clear_requests();
}

#[tokio::test]
async fn reused_refresh_token_is_a_typed_error_when_not_interactive() {
    let h = Harness::start().await;
    seed_reused(&h).await;
    let err = h.auth(false).get().await.unwrap_err();
    assert!(
        matches!(
            err,
            CodexAuthError::SignInRequired {
                reason: SignInReason::RefreshTokenReused
            }
        ),
        "{err:?}"
    );
    assert_eq!(h.count(is_refresh), 1);
    assert_eq!(h.count(is_usercode), 0);
}

#[tokio::test]
async fn reused_refresh_token_falls_back_to_device_login_when_interactive() {
    let h = Harness::start().await;
    seed_reused(&h).await;
    let token = h.auth(true).get().await.unwrap();
    assert_eq!(h.count(is_refresh), 1);
    assert_eq!(h.count(is_usercode), 1);
    assert_eq!(h.tokens().load().await.unwrap(), Some(token));
}

#[tokio::test]
async fn a_refused_refresh_token_is_never_sent_again_by_any_process() {
    let h = Harness::start().await;
    seed_reused(&h).await;
    let first = h.auth(false).get().await.unwrap_err();
    assert!(first.is_sign_in_required(), "{first:?}");
    assert_eq!(h.count(is_refresh), 1);

    // The same process, and another one sharing the store (a new auth service).
    for auth in [h.auth(false), h.auth(false)] {
        let again = auth.get().await.unwrap_err();
        assert!(
            matches!(
                again,
                CodexAuthError::SignInRequired {
                    reason: SignInReason::RefreshTokenReused
                }
            ),
            "{again:?}"
        );
    }
    assert_eq!(
        h.count(is_refresh),
        1,
        "the dead refresh token was not sent again"
    );
    let keys = h.store.keys().await.unwrap();
    assert!(keys.contains(&"codex.auth/rejected".to_owned()), "{keys:?}");
    let raw = h
        .store
        .get_string("codex.auth/rejected")
        .await
        .unwrap()
        .unwrap();
    assert!(
        !raw.contains("rt_"),
        "only a hash of the token is kept: {raw}"
    );

    // A new sign-in forgets the refusal.
    h.auth(true).get().await.unwrap();
    assert!(
        !h.store
            .keys()
            .await
            .unwrap()
            .contains(&"codex.auth/rejected".to_owned())
    );
}
