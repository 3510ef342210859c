//! Remote compaction: v2 over SSE and WebSocket, v1 `/responses/compact`, faults.

use clanka_mock::{CompactionFault, HttpError, MockOptions, Scenario, ScriptedResponse};
use serde_json::{Value, json};

use super::common::{
    body, connect, create, events, next_json, post, response_frames, send, server_with, user,
};

const TRIGGER: &str = r#"{"type":"compaction_trigger"}"#;

fn trigger() -> Value {
    serde_json::from_str(TRIGGER).unwrap()
}

fn done_items(events: &[Value]) -> Vec<Value> {
    events
        .iter()
        .filter(|e| e["type"] == "response.output_item.done")
        .map(|e| e["item"].clone())
        .collect()
}

fn total_tokens(events: &[Value]) -> u64 {
    let completed = events.last().unwrap();
    assert_eq!(completed["type"], "response.completed");
    completed["response"]["usage"]["total_tokens"]
        .as_u64()
        .unwrap()
}

/// A function call answered with a huge usage, then a message: the mid-turn compaction shape.
fn scenario() -> Scenario {
    Scenario::new()
        .respond(
            ScriptedResponse::new()
                .function_call("exec_command", json!({"cmd": "echo hi"}))
                .input_tokens(900_000),
        )
        .respond(ScriptedResponse::new().message("after compaction"))
}

#[tokio::test]
async fn v2_over_sse_answers_one_item_and_keeps_the_script() {
    let server = server_with(MockOptions::default().with_scenario(scenario())).await;
    let first = events(post(&server, &body(vec![user("go")])).await).await;
    assert!(total_tokens(&first) >= 900_000);
    let call = done_items(&first).remove(0);
    let output =
        json!({"type": "function_call_output", "call_id": call["call_id"], "output": "hi"});
    let history = vec![user("go"), call, output];

    let compact =
        events(post(&server, &body([history.clone(), vec![trigger()]].concat())).await).await;
    let items = done_items(&compact);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["type"], "compaction");
    assert!(items[0]["id"].as_str().unwrap().starts_with("cmp_"));
    assert!(items[0]["encrypted_content"].is_string());
    assert!(total_tokens(&compact) < 200);

    // the history now starts at the compaction item: the absorbed call needs no output
    let after = vec![user("go"), history[1].clone(), items[0].clone()];
    let next = events(post(&server, &body(after)).await).await;
    let text = done_items(&next)[0]["content"][0]["text"].clone();
    assert_eq!(
        text, "after compaction",
        "the compaction consumed no scripted response"
    );
    assert!(
        total_tokens(&next) < 200,
        "usage counts from the compaction item"
    );
    assert!(server.response_requests()[1].is_compaction());
}

#[tokio::test]
async fn v2_over_websocket_with_previous_response_id() {
    let server = server_with(MockOptions::default().with_scenario(scenario())).await;
    let mut ws = connect(&server, "sk-mock").await;
    send(&mut ws, &create(vec![user("go")])).await;
    let frames = response_frames(&mut ws).await;
    let id = frames.last().unwrap()["response"]["id"].clone();
    let call = done_items(&frames).remove(0);
    let output =
        json!({"type": "function_call_output", "call_id": call["call_id"], "output": "hi"});
    let mut compact = create(vec![output, trigger()]);
    compact["previous_response_id"] = id;
    send(&mut ws, &compact).await;
    let frames = response_frames(&mut ws).await;
    let items = done_items(&frames);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["type"], "compaction");
    assert!(total_tokens(&frames) < 200);
    // continuing the compaction response: the trigger is not part of the history
    let mut follow = create(vec![user("more")]);
    follow["previous_response_id"] = frames.last().unwrap()["response"]["id"].clone();
    send(&mut ws, &follow).await;
    let frames = response_frames(&mut ws).await;
    let text = &done_items(&frames)[0]["content"][0]["text"];
    assert_eq!(text, "after compaction");
    send(&mut ws, &create(vec![user("go"), items[0].clone()])).await;
    let frames = response_frames(&mut ws).await;
    assert_eq!(frames.last().unwrap()["type"], "response.completed");
}

#[tokio::test]
async fn v1_compact_endpoint_returns_kept_messages_and_the_item() {
    let server = server_with(MockOptions::default()).await;
    let call = json!({"type": "function_call", "call_id": "c1", "name": "x", "arguments": "{}"});
    let output = json!({"type": "function_call_output", "call_id": "c1", "output": "ok"});
    let request = json!({"model": "gpt-5.5", "input": [user("one"), call, output], "tools": [],
        "parallel_tool_calls": true, "prompt_cache_key": "conv-1"});
    let response = reqwest::Client::new()
        .post(format!("{}/responses/compact", server.codex_base_url()))
        .bearer_auth("sk-mock")
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let answer: Value = response.json().await.unwrap();
    let output = answer["output"].as_array().unwrap();
    assert_eq!(output.len(), 2);
    assert_eq!(output[0], user("one"));
    assert_eq!(output[1]["type"], "compaction");
}

async fn compact_once(fault: Option<CompactionFault>) -> reqwest::Response {
    let server = server_with(MockOptions::default().with_compaction_fault(fault)).await;
    post(&server, &body(vec![user("go"), trigger()])).await
}

#[tokio::test]
async fn faults_make_compaction_fail() {
    let error = compact_once(Some(CompactionFault::HttpError(HttpError::ServerError))).await;
    assert_eq!(error.status(), 500);
    let none = events(compact_once(Some(CompactionFault::NoItem)).await).await;
    let kinds: Vec<Value> = done_items(&none)
        .iter()
        .map(|i| i["type"].clone())
        .collect();
    assert_eq!(kinds, [json!("message")]);
    let two = events(compact_once(Some(CompactionFault::TwoItems)).await).await;
    assert_eq!(done_items(&two).len(), 2);

    // a scenario's fault, and the runtime switch
    let scenario = Scenario::new().with_compaction_fault(CompactionFault::NoItem);
    let json = serde_json::to_value(&scenario).unwrap();
    assert_eq!(
        json,
        json!({"responses": [], "compaction_fault": "no_item"})
    );
    let server = server_with(MockOptions::default().with_scenario(scenario)).await;
    let request = body(vec![user("go"), trigger()]);
    let items = done_items(&events(post(&server, &request).await).await);
    assert_eq!(items[0]["type"], "message");
    server.set_compaction_fault(None);
    let items = done_items(&events(post(&server, &request).await).await);
    assert_eq!(items[0]["type"], "compaction");

    let mut ws = connect(&server, "sk-mock").await;
    server.set_compaction_fault(Some(CompactionFault::HttpError(HttpError::ServerError)));
    send(&mut ws, &create(vec![user("go"), trigger()])).await;
    let frame = next_json(&mut ws).await.unwrap();
    assert_eq!(
        (frame["type"].clone(), frame["status"].clone()),
        (json!("error"), json!(500))
    );
}

#[tokio::test]
async fn a_trigger_before_the_end_is_refused() {
    let server = server_with(MockOptions::default()).await;
    let response = post(&server, &body(vec![trigger(), user("go")])).await;
    assert_eq!(response.status(), 400);
}
