//! Device login end to end, persistence, reuse, non-interactive refusal,
//! the polling interval and margin, the deadline, servers without device login.

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use clanka_codex::{CLIENT_ID, CodexAuthConfig, CodexAuthError, SignInReason};
use clanka_mock::MockOptions;
use pretty_assertions::assert_eq;
use serde_json::json;

use super::common::{Harness, is_form, is_usercode};

fn is_poll(r: &clanka_mock::RecordedRequest) -> bool {
    r.path == "/api/accounts/deviceauth/token"
}

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
    assert!(is_form(exchange));
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
    assert!(err.to_string().contains("sign in again"), "{err}");
    assert!(h.server.requests().is_empty());
    assert!(h.prompts.prompts().is_empty());
}

#[tokio::test]
async fn requests_follow_the_protocol() {
    let h = Harness::start().await;
    h.auth(true).get().await.unwrap();
    let requests = h.server.requests();
    let json_body = |i: usize| {
        let content_type = requests[i].header("content-type").unwrap();
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
        &requests[i].body
    };

    assert_eq!(json_body(0), &json!({"client_id": CLIENT_ID}));
    let user_code = &h.prompts.prompts()[0].user_code;
    for poll in [1, 2] {
        let body = json_body(poll);
        assert_eq!(body["user_code"], json!(user_code));
        assert!(
            body["device_auth_id"]
                .as_str()
                .is_some_and(|id| !id.is_empty())
        );
    }
    let exchange = &requests[3];
    assert_eq!(exchange.field("client_id"), Some(&json!(CLIENT_ID)));
    for field in ["code", "code_verifier"] {
        let value = exchange.field(field).and_then(|v| v.as_str());
        assert!(value.is_some_and(|v| !v.is_empty()), "{field}");
    }
}

#[tokio::test]
async fn polling_waits_the_interval_plus_the_safety_margin() {
    let options = MockOptions {
        device_interval_secs: 1,
        ..MockOptions::default() // approved after one pending poll
    };
    let h = Harness::with(options).await;
    let margin = Duration::from_millis(200);
    let config = h.config(true).with_poll_safety_margin(margin);
    let started = Instant::now();
    h.auth_with(config).get().await.unwrap();
    let elapsed = started.elapsed();

    assert_eq!(h.count(is_poll), 2);
    assert!(
        elapsed >= Duration::from_secs(1) + margin,
        "one wait of interval + margin between the polls: {elapsed:?}"
    );
}

#[tokio::test]
async fn device_login_times_out_when_nobody_approves() {
    let options = MockOptions::default().with_device_auto_approve_after(None);
    let h = Harness::with(options).await;
    let timeout = Duration::from_millis(300);
    let config = h.config(true).with_device_timeout(timeout);
    let started = Instant::now();
    let err = h.auth_with(config).get().await.unwrap_err();
    let elapsed = started.elapsed();

    assert!(
        matches!(err, CodexAuthError::DeviceFlowTimedOut(t) if t == timeout),
        "{err:?}"
    );
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(
        elapsed >= timeout && elapsed < Duration::from_secs(10),
        "{elapsed:?}"
    );
    assert_eq!(h.prompts.prompts()[0].expires_in, timeout);
    assert_eq!(h.prompts.outcomes(), [false]);
    assert!(h.count(is_poll) >= 1);
    assert_eq!(h.count(|r| r.path == "/oauth/token"), 0);
    assert_eq!(h.tokens().load().await.unwrap(), None, "nothing stored");
}

#[tokio::test]
async fn the_deadline_cuts_the_last_wait_short() {
    let options = MockOptions {
        device_interval_secs: 30,
        device_auto_approve_after: None,
        ..MockOptions::default()
    };
    let h = Harness::with(options).await;
    // Longer than a first poll's round trip on a loaded machine, far shorter than
    // the interval.
    let timeout = Duration::from_secs(2);
    let config = h.config(true).with_device_timeout(timeout);
    let started = Instant::now();
    let err = h.auth_with(config).get().await.unwrap_err();

    assert!(
        matches!(err, CodexAuthError::DeviceFlowTimedOut(_)),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "not the 30 s interval"
    );
    assert_eq!(
        h.count(is_poll),
        2,
        "one poll at the start, one at the deadline"
    );
}

#[tokio::test]
async fn a_server_without_device_login_says_what_to_do() {
    let h = Harness::with(MockOptions::default().with_device_flow_disabled(true)).await;
    let err = h.auth(true).get().await.unwrap_err();

    assert!(
        matches!(err, CodexAuthError::DeviceFlowNotEnabled),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("not enabled"), "{message}");
    assert!(message.contains("in a browser"), "{message}");
    assert_eq!(h.count(is_usercode), 1);
    assert_eq!(h.count(is_poll), 0, "no polling without a user code");
    assert!(h.prompts.prompts().is_empty(), "no code to show");
    assert_eq!(h.tokens().load().await.unwrap(), None);
}

#[tokio::test]
async fn a_poll_answered_404_is_still_pending() {
    let options = MockOptions::default()
        .with_device_pending_status(404)
        .with_device_auto_approve_after(Some(2));
    let h = Harness::with(options).await;
    let token = h.auth(true).get().await.unwrap();
    assert_eq!(token.account_id.as_deref(), Some("acct_mock"));
    assert_eq!(h.count(is_poll), 3, "two 404s, then the approval");
    assert_eq!(h.prompts.outcomes(), [true]);
}

#[test]
fn the_deadline_is_15_minutes_and_the_margin_3_seconds() {
    let config = CodexAuthConfig::new();
    assert_eq!(config.device_timeout, Duration::from_secs(15 * 60));
    assert_eq!(config.poll_safety_margin, Duration::from_secs(3));
}
