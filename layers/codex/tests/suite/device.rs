//! Device login end to end, persistence, reuse, non-interactive refusal.

use std::os::unix::fs::PermissionsExt;

use clanka_codex::{CodexAuthError, SignInReason};
use pretty_assertions::assert_eq;
use serde_json::json;

use super::common::{Harness, is_usercode};

#[tokio::test]
async fn device_login_persists_and_a_second_instance_reuses_it() {
    let h = Harness::start().await;
    let token = h.auth(true).get().await.unwrap();
    assert_eq!(token.account_id.as_deref(), Some("acct_mock"));

    let prompts = h.prompts.prompts();
    assert_eq!(prompts.len(), 1);
    assert_eq!(
        prompts[0].verification_url,
        format!("{}/codex/device", h.server.issuer_url())
    );
    assert!(prompts[0].user_code.starts_with("MOCK-"));
    assert_eq!(h.prompts.outcomes(), [true]);

    let requests = h.server.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/api/accounts/deviceauth/usercode",
            "/api/accounts/deviceauth/token",
            "/api/accounts/deviceauth/token",
            "/oauth/token"
        ]
    );
    let exchange = &requests[3];
    assert!(
        exchange
            .header("content-type")
            .unwrap()
            .starts_with("application/x-www-form-urlencoded")
    );
    assert_eq!(
        exchange.field("grant_type"),
        Some(&json!("authorization_code"))
    );
    let redirect = format!("{}/deviceauth/callback", h.server.issuer_url());
    assert_eq!(exchange.field("redirect_uri"), Some(&json!(redirect)));

    // Persisted as 0600 in a 0700 directory.
    let dir = h.dir.path().join("store");
    let file = dir.join("k-codex.auth%2Ftoken");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(&dir), mode(&file)), (0o700, 0o600));

    // A second instance (a new graph) over the same directory signs in without a login.
    let again = h.auth(false).get().await.unwrap();
    assert_eq!(again, token);
    assert_eq!(h.count(is_usercode), 1);
}

#[tokio::test]
async fn authenticate_forces_a_new_login_and_logout_clears() {
    let h = Harness::start().await;
    let auth = h.auth(true);
    let first = auth.get().await.unwrap();
    let second = auth.authenticate().await.unwrap();
    assert_ne!(first.access, second.access);
    assert_eq!(h.count(is_usercode), 2);

    auth.logout().await.unwrap();
    assert_eq!(auth.stored().await.unwrap(), None);
    assert!(
        h.server.requests().iter().any(|r| r.path == "/oauth/revoke"
            && r.field("token") == Some(&json!(second.refresh.expose())))
    );
    let err = h.auth(false).get().await.unwrap_err();
    assert!(matches!(
        err,
        CodexAuthError::SignInRequired {
            reason: SignInReason::SignedOut
        }
    ));
}

#[tokio::test]
async fn non_interactive_never_starts_a_login() {
    let h = Harness::start().await;
    let err = h.auth(false).get().await.unwrap_err();
    assert!(matches!(
        err,
        CodexAuthError::SignInRequired {
            reason: SignInReason::SignedOut
        }
    ));
    assert!(err.to_string().contains("clanka login"), "{err}");
    assert!(h.server.requests().is_empty());
    assert!(h.prompts.prompts().is_empty());
}
