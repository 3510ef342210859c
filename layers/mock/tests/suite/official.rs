//! What the official Codex CLI 0.169.0 sends and needs: its item shapes, zstd bodies,
//! workspace routing, side endpoints, and turn state.

use clanka_mock::{MockOptions, RecordKind, Scenario, ScriptedResponse};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use super::common::{connect, create, events, response_frames, send, server, server_with};

fn passthrough() -> Value {
    json!({"turn_id": "01a2-turn", "create_time": 1796122986.86})
}

/// A follow-up request shaped like the official client's (no top-level `instructions`).
fn official_body() -> Value {
    let meta = passthrough();
    json!({
        "model": "gpt-5.5", "stream": true, "tool_choice": "auto", "parallel_tool_calls": true,
        "reasoning": {"effort": "medium"}, "store": false, "include": ["reasoning.encrypted_content"],
        "prompt_cache_key": "thread-1", "text": {"verbosity": "low"},
        "client_metadata": {"session_id": "thread-1", "x-codex-turn-metadata": "{\"request_kind\":\"turn\"}"},
        "tools": [{"type": "function", "name": "exec_command", "strict": false, "parameters": {"type": "object"}}],
        "input": [
            {"type": "additional_tools", "id": "at_1", "role": "developer", "tools": []},
            {"type": "message", "id": "msg_1", "role": "developer",
             "content": [{"type": "input_text", "text": "You are Codex."}],
             "internal_chat_message_metadata_passthrough": {"content_item_kinds": ["model.base_instructions"]}},
            {"type": "message", "id": "msg_2", "role": "user",
             "content": [{"type": "input_text", "text": "run echo hi"}],
             "internal_chat_message_metadata_passthrough": meta},
            {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "t"}],
             "content": null, "encrypted_content": "ENC", "internal_chat_message_metadata_passthrough": meta},
            {"type": "function_call", "status": "completed", "id": "fc_1", "name": "exec_command",
             "arguments": "{\"cmd\":\"echo hi\"}", "call_id": "call_1",
             "internal_chat_message_metadata_passthrough": meta},
            {"type": "function_call_output", "id": "fco_1", "call_id": "call_1", "output": "hi\n",
             "internal_chat_message_metadata_passthrough": meta},
        ],
    })
}

#[tokio::test]
async fn the_official_item_shapes_are_accepted_zstd_compressed() {
    let server = server().await;
    let raw = serde_json::to_vec(&official_body()).unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/responses", server.codex_base_url()))
        .bearer_auth("sk-mock")
        .header("content-type", "application/json")
        .header("content-encoding", "zstd")
        .body(zstd::encode_all(&raw[..], 3).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        events(response).await.last().unwrap()["type"],
        "response.completed"
    );
    let recorded = &server.response_requests()[0];
    assert!(!recorded.sent_instructions());
    assert_eq!(recorded.input().unwrap().len(), 6);
}

async fn get(url: String) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .bearer_auth("sk-mock")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn accounts_check_routes_the_signed_in_account_and_side_endpoints_are_404() {
    let server = server_with(MockOptions::default().with_account_id("acct_42")).await;
    let tokens = server.issue_tokens();
    let response = reqwest::Client::new()
        .get(format!("{}/backend-api/wham/accounts/check", server.url()))
        .bearer_auth(&tokens.access_token)
        .header("chatgpt-account-id", &tokens.account_id)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let account = &body["accounts"][0];
    assert_eq!(body["accounts"].as_array().unwrap().len(), 1);
    assert_eq!(account["id"], "acct_42");
    assert_eq!(account["workspace_backend_origin"], "NO_CONSTRAINT");
    assert_eq!(account["account_routing_override"], "NO_CONSTRAINT");
    assert_eq!(body["account_ordering"], json!(["acct_42"]));
    let anonymous = reqwest::get(format!("{}/backend-api/wham/accounts/check", server.url()));
    assert_eq!(anonymous.await.unwrap().status(), 401);
    for path in [
        "wham/settings/user",
        "ps/plugins/installed",
        "codex/analytics-events/events",
    ] {
        let response = get(format!("{}/backend-api/{path}", server.url())).await;
        assert_eq!(response.status(), 404, "{path}");
    }
}

fn two_step_scenario() -> Scenario {
    Scenario::new()
        .respond(ScriptedResponse::new().function_call("exec_command", json!({"cmd": "ls"})))
        .respond(ScriptedResponse::new().message("done"))
}

#[tokio::test]
async fn turn_state_over_sse_and_what_the_record_shows() {
    let options = MockOptions::default()
        .with_turn_state(true)
        .with_scenario(two_step_scenario());
    let server = server_with(options).await;
    let client = reqwest::Client::new();
    let url = format!("{}/responses", server.codex_base_url());
    let first = official_body();
    let answer = client
        .post(&url)
        .bearer_auth("sk-mock")
        .json(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["x-codex-turn-state"], "ts-1");
    events(answer).await;
    let answer = client
        .post(&url)
        .bearer_auth("sk-mock")
        .header("x-codex-turn-state", "ts-1")
        .json(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["x-codex-turn-state"], "ts-2");
    let seen: Vec<Option<String>> = server
        .response_requests()
        .iter()
        .map(|r| r.turn_state().map(str::to_owned))
        .collect();
    assert_eq!(seen, [None, Some("ts-1".to_owned())]);
}

#[tokio::test]
async fn turn_state_over_websocket_is_a_metadata_event() {
    let options = MockOptions::default()
        .with_turn_state(true)
        .with_models_etag_header(true);
    let server = server_with(options).await;
    let mut ws = connect(&server, "sk-mock").await;
    send(&mut ws, &create(vec![super::common::user("one")])).await;
    let frames = response_frames(&mut ws).await;
    assert_eq!(frames[0]["type"], "codex.rate_limits");
    assert_eq!(frames[1]["type"], "response.metadata");
    assert_eq!(frames[1]["headers"]["x-codex-turn-state"], "ts-1");
    assert_eq!(
        frames[1]["headers"]["x-models-etag"],
        server.models_etag().as_str()
    );
    assert_eq!(frames[2]["type"], "response.created");

    let mut echo = create(vec![super::common::user("two")]);
    echo["client_metadata"] = json!({"x-codex-turn-state": "ts-1"});
    send(&mut ws, &echo).await;
    let frames = response_frames(&mut ws).await;
    assert_eq!(frames[1]["headers"]["x-codex-turn-state"], "ts-2");
    let messages: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.kind == RecordKind::WebSocketMessage)
        .collect();
    assert_eq!(messages[0].turn_state(), None);
    assert_eq!(messages[1].turn_state(), Some("ts-1"));

    let url = format!(
        "{}/responses",
        server.codex_base_url().replace("http", "ws")
    );
    let mut request = url.into_client_request().unwrap();
    let bearer = "Bearer sk-mock".parse().unwrap();
    request.headers_mut().insert("authorization", bearer);
    let (_, switching) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        switching.headers()["x-models-etag"],
        server.models_etag().as_str()
    );
    assert!(!switching.headers().contains_key("x-codex-turn-state"));
}
