//! Device flow, code exchange, rotating refresh, revoke and bearer checks.

use std::time::Duration;

use base64::Engine as _;
use clanka_mock::{MockOptions, MockServer};
use serde_json::{Value, json};

use super::common::{body, post, server, server_with, user};

const CLIENT_ID: &str = "app_EMoamEEZ73f0CkXaXp7hrann";

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

fn claims(jwt: &str) -> Value {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert!(parts.iter().all(|p| !p.is_empty()));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[1])
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

async fn usercode(server: &MockServer) -> Value {
    let response = client()
        .post(format!(
            "{}/api/accounts/deviceauth/usercode",
            server.issuer_url()
        ))
        .json(&json!({"client_id": CLIENT_ID}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn poll(server: &MockServer, code: &Value) -> reqwest::Response {
    client()
        .post(format!(
            "{}/api/accounts/deviceauth/token",
            server.issuer_url()
        ))
        .json(&json!({"device_auth_id": code["device_auth_id"], "user_code": code["user_code"]}))
        .send()
        .await
        .unwrap()
}

async fn exchange(
    server: &MockServer,
    code: &str,
    verifier: &str,
    redirect: &str,
) -> reqwest::Response {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect),
        ("client_id", CLIENT_ID),
        ("code_verifier", verifier),
    ];
    client()
        .post(format!("{}/oauth/token", server.issuer_url()))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn refresh_json(server: &MockServer, token: &str) -> reqwest::Response {
    let body =
        json!({"client_id": CLIENT_ID, "grant_type": "refresh_token", "refresh_token": token});
    client()
        .post(format!("{}/oauth/token", server.issuer_url()))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn device_flow_auto_approves_after_one_pending_poll() {
    let server = server().await;
    let code = usercode(&server).await;
    assert_eq!(code["interval"], "0", "interval must be a JSON string");
    assert!(code["user_code"].as_str().unwrap().starts_with("MOCK-"));
    assert_eq!(poll(&server, &code).await.status(), 403);
    let ok = poll(&server, &code).await;
    assert_eq!(ok.status(), 200);
    let grant: Value = ok.json().await.unwrap();
    for key in ["authorization_code", "code_challenge", "code_verifier"] {
        assert!(grant[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
    }
    let redirect = format!("{}/deviceauth/callback", server.issuer_url());
    let code = grant["authorization_code"].as_str().unwrap();
    let verifier = grant["code_verifier"].as_str().unwrap();
    assert_eq!(
        exchange(&server, code, "wrong", &redirect).await.status(),
        400
    );
    // a failed attempt consumes the code, like a real single-use code
    assert_eq!(
        exchange(&server, code, verifier, &redirect).await.status(),
        400
    );
}

#[tokio::test]
async fn device_flow_exchange_issues_jwts() {
    let server = server().await;
    let code = usercode(&server).await;
    let _ = poll(&server, &code).await;
    let grant: Value = poll(&server, &code).await.json().await.unwrap();
    let (c, v) = (
        grant["authorization_code"].as_str().unwrap(),
        grant["code_verifier"].as_str().unwrap(),
    );
    let bad = exchange(&server, c, v, "http://elsewhere/deviceauth/callback").await;
    assert_eq!(bad.status(), 400);
    assert_eq!(bad.json::<Value>().await.unwrap()["error"], "invalid_grant");

    let code = usercode(&server).await;
    let _ = poll(&server, &code).await;
    let grant: Value = poll(&server, &code).await.json().await.unwrap();
    let (c, v) = (
        grant["authorization_code"].as_str().unwrap(),
        grant["code_verifier"].as_str().unwrap(),
    );
    let redirect = format!("{}/deviceauth/callback", server.issuer_url());
    let response = exchange(&server, c, v, &redirect).await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    let id = claims(tokens["id_token"].as_str().unwrap());
    let access = claims(tokens["access_token"].as_str().unwrap());
    assert_eq!(
        id["https://api.openai.com/auth"]["chatgpt_account_id"],
        "acct_mock"
    );
    assert_eq!(
        access["https://api.openai.com/auth"]["chatgpt_account_id"],
        "acct_mock"
    );
    assert!(access["exp"].as_u64().unwrap() > access["iat"].as_u64().unwrap());
    assert!(tokens["refresh_token"].as_str().is_some());
    // the access token works on the responses endpoint
    let ok = client()
        .post(format!("{}/responses", server.codex_base_url()))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .json(&body(vec![user("hi")]))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn explicit_approval_through_handle_and_endpoint() {
    let options = MockOptions::default().with_device_auto_approve_after(None);
    let server = server_with(options).await;
    let code = usercode(&server).await;
    for _ in 0..3 {
        assert_eq!(poll(&server, &code).await.status(), 403);
    }
    assert_eq!(server.approve_device_code(), 1);
    assert_eq!(poll(&server, &code).await.status(), 200);

    let code = usercode(&server).await;
    assert_eq!(poll(&server, &code).await.status(), 403);
    let approved: Value = client()
        .post(format!("{}/__mock/approve", server.url()))
        .json(&json!({"user_code": code["user_code"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(approved, json!({"approved": 1}));
    assert_eq!(poll(&server, &code).await.status(), 200);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_is_refused() {
    let server = server().await;
    let first = server.issue_tokens();
    let response = refresh_json(&server, &first.refresh_token).await;
    assert_eq!(response.status(), 200);
    let second: Value = response.json().await.unwrap();
    assert_ne!(second["refresh_token"], first.refresh_token.as_str());
    assert_ne!(second["access_token"], first.access_token.as_str());

    let reused = refresh_json(&server, &first.refresh_token).await;
    assert_eq!(reused.status(), 401);
    let error: Value = reused.json().await.unwrap();
    assert_eq!(error["error"]["code"], "refresh_token_reused");

    let unknown = refresh_json(&server, "rt_never_issued").await;
    assert_eq!(unknown.status(), 401);
    let error: Value = unknown.json().await.unwrap();
    assert_eq!(error["error"]["code"], "refresh_token_invalidated");

    // form-encoded refresh works too
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", second["refresh_token"].as_str().unwrap()),
        ("client_id", CLIENT_ID),
    ];
    let response = client()
        .post(format!("{}/oauth/token", server.url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let refreshes = server
        .requests()
        .iter()
        .filter(|r| r.path == "/oauth/token" && r.body["grant_type"] == "refresh_token")
        .count();
    assert_eq!(refreshes, 4);
}

#[tokio::test]
async fn revoked_refresh_token_is_invalidated() {
    let server = server().await;
    let tokens = server.issue_tokens();
    let revoke = client()
        .post(format!("{}/oauth/revoke", server.url()))
        .json(&json!({"token": tokens.refresh_token, "token_type_hint": "refresh_token", "client_id": CLIENT_ID}))
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);
    let response = refresh_json(&server, &tokens.refresh_token).await;
    assert_eq!(response.status(), 401);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "refresh_token_invalidated");
}

#[tokio::test]
async fn token_ttl_and_expiry() {
    // Expiry has a one-second resolution (`exp` is in seconds): a TTL of 5 s keeps the
    // first request valid even when it starts just before a second boundary on a
    // loaded machine.
    let options = MockOptions::default().with_token_ttl(Duration::from_secs(5));
    let server = server_with(options).await;
    let tokens = server.issue_tokens();
    assert_eq!(tokens.expires_in, 5);
    let send = |token: String| {
        let url = format!("{}/responses", server.codex_base_url());
        async move {
            client()
                .post(url)
                .bearer_auth(token)
                .json(&body(vec![user("x")]))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(send(tokens.access_token.clone()).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(6100)).await;
    let expired = send(tokens.access_token.clone()).await;
    assert_eq!(expired.status(), 401);
    let error: Value = expired.json().await.unwrap();
    assert_eq!(error["error"]["code"], "token_expired");

    let fresh = server.issue_tokens();
    assert_eq!(send(fresh.access_token.clone()).await.status(), 200);
    server.expire_all_access_tokens();
    assert_eq!(send(fresh.access_token).await.status(), 401);
}

#[tokio::test]
async fn api_key_on_v1() {
    let server = server().await;
    let response = client()
        .post(format!("{}/responses", server.api_base_url()))
        .bearer_auth("sk-mock")
        .json(&body(vec![user("hi")]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let _ = post(&server, &body(vec![])).await;
}
