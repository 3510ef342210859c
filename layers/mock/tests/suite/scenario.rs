//! Scenario matching, files, control endpoints and recording.

use clanka_mock::{MockOptions, RecordKind, RecordedRequest, Scenario, ScriptedResponse};
use serde_json::{Value, json};

use super::common::{body, events, post, server, server_with, user};

fn last_text(events: &[Value]) -> String {
    let done = events
        .iter()
        .rev()
        .find(|e| e["type"] == "response.output_item.done")
        .unwrap();
    done["item"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn in_conversation(key: &str, text: &str) -> Value {
    let mut value = body(vec![user(text)]);
    value["prompt_cache_key"] = json!(key);
    value
}

#[tokio::test]
async fn responses_are_matched_in_order_per_conversation() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().message("one"))
        .respond(ScriptedResponse::new().message("two"))
        .conversation("vip", vec![ScriptedResponse::new().message("special")]);
    let server = server_with(MockOptions::default().with_scenario(scenario)).await;
    let mut seen = Vec::new();
    for key in ["a", "b", "a", "vip", "a", "vip"] {
        seen.push(last_text(
            &events(post(&server, &in_conversation(key, "hey")).await).await,
        ));
    }
    assert_eq!(
        seen,
        [
            "one",
            "one",
            "two",
            "special",
            "You said: \"hey\"",
            "You said: \"hey\""
        ]
    );
}

#[tokio::test]
async fn session_header_identifies_the_conversation_without_cache_key() {
    let server = server().await;
    server.push_response(ScriptedResponse::new().message("scripted"));
    let client = reqwest::Client::new();
    let url = format!("{}/responses", server.codex_base_url());
    let mut request = body(vec![user("hi")]);
    request.as_object_mut().unwrap().remove("prompt_cache_key");
    for (session, expected) in [
        ("s1", "scripted"),
        ("s2", "scripted"),
        ("s1", "You said: \"hi\""),
    ] {
        let response = client
            .post(&url)
            .bearer_auth("sk-mock")
            .header("session-id", session)
            .json(&request)
            .send()
            .await
            .unwrap();
        assert_eq!(last_text(&events(response).await), expected);
    }
}

#[tokio::test]
async fn scenario_file_and_control_endpoints() {
    let json = r#"{"responses": [
        {"items": [{"type": "message", "text": "from file", "deltas": ["from ", "file"]}]},
        {"items": [], "faults": {"http_error": {"kind": "rate_limited", "retry_after_secs": 0.2}}}
    ]}"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.json");
    std::fs::write(&path, json).unwrap();
    let scenario = Scenario::from_file(&path).unwrap();
    assert!(Scenario::from_json(r#"{"responses": [{"itemz": []}]}"#).is_err());
    let server = server_with(MockOptions::default().with_scenario(scenario)).await;
    assert_eq!(
        last_text(&events(post(&server, &body(vec![user("x")])).await).await),
        "from file"
    );
    assert_eq!(post(&server, &body(vec![user("x")])).await.status(), 429);

    let client = reqwest::Client::new();
    let replace = json!({"responses": [{"items": [{"type": "message", "text": "replaced"}]}]});
    let status = client
        .post(format!("{}/__mock/scenario", server.url()))
        .json(&replace)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    assert_eq!(
        last_text(&events(post(&server, &body(vec![user("x")])).await).await),
        "replaced"
    );
    let push = json!({"items": [{"type": "message", "text": "pushed"}]});
    let status = client
        .post(format!("{}/__mock/responses", server.url()))
        .json(&push)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    assert_eq!(
        last_text(&events(post(&server, &body(vec![user("x")])).await).await),
        "pushed"
    );
}

#[tokio::test]
async fn recording_over_http_matches_the_typed_log() {
    let server = server().await;
    let _ = post(&server, &body(vec![user("recorded")]))
        .await
        .text()
        .await
        .unwrap();
    let listed: Vec<RecordedRequest> = reqwest::get(format!("{}/__mock/requests", server.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let typed = server.requests();
    assert_eq!(listed, typed);
    assert_eq!(typed.len(), 1);
    let request = &typed[0];
    assert_eq!(
        (request.kind, request.method.as_str()),
        (RecordKind::Http, "POST")
    );
    assert_eq!(request.path, "/backend-api/codex/responses");
    assert_eq!(request.header("authorization"), Some("Bearer sk-mock"));
    assert_eq!(request.body["input"][0]["content"][0]["text"], "recorded");
    let cleared = reqwest::Client::new()
        .delete(format!("{}/__mock/requests", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn prewarm_does_not_consume_a_scripted_response() {
    let server = server().await;
    server.push_response(ScriptedResponse::new().message("first scripted"));
    let mut prewarm = body(vec![]);
    prewarm["generate"] = json!(false);
    let events = events(post(&server, &prewarm).await).await;
    assert_eq!(events.len(), 3, "created, in_progress, completed");
    assert_eq!(
        last_text(&super::common::events(post(&server, &body(vec![user("x")])).await).await),
        "first scripted"
    );
}

#[tokio::test]
async fn token_control_endpoints() {
    let server = server().await;
    let client = reqwest::Client::new();
    let tokens: clanka_mock::IssuedTokens = client
        .post(format!("{}/__mock/tokens", server.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tokens.account_id, "acct_mock");
    let send = || {
        client
            .post(format!("{}/responses", server.codex_base_url()))
            .bearer_auth(&tokens.access_token)
            .json(&body(vec![user("x")]))
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 200);
    let expired = client
        .post(format!("{}/__mock/expire", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 204);
    assert_eq!(send().await.unwrap().status(), 401);
}
