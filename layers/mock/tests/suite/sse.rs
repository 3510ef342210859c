//! Responses over HTTP: event order, items, usage, headers, zstd, both bases.

use clanka_mock::{MockOptions, Scenario, ScriptedResponse};
use serde_json::{Value, json};

use super::common::{body, events, post, server, server_with, types, user};

/// Every delta comes after its item's `output_item.added`, every added item is done,
/// `response.completed` is last.
fn assert_well_formed(events: &[Value]) {
    let kinds = types(events);
    assert_eq!(kinds.first().map(String::as_str), Some("response.created"));
    assert_eq!(kinds.last().map(String::as_str), Some("response.completed"));
    let mut open = std::collections::HashSet::new();
    for event in events {
        let kind = event["type"].as_str().unwrap();
        if kind == "response.output_item.added" {
            open.insert(event["item"]["id"].as_str().unwrap().to_owned());
        } else if kind.ends_with(".delta") {
            assert!(
                open.contains(event["item_id"].as_str().unwrap()),
                "delta before added: {event}"
            );
        } else if kind == "response.output_item.done" {
            assert!(open.remove(event["item"]["id"].as_str().unwrap()));
        }
    }
    assert!(open.is_empty(), "items never done: {open:?}");
}

#[tokio::test]
async fn default_reply_quotes_the_last_user_text() {
    let server = server().await;
    let response = post(&server, &body(vec![user("first"), user("hello mock")])).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    assert_eq!(response.headers()["x-codex-primary-used-percent"], "12.5");
    assert!(
        response
            .headers()
            .contains_key("x-codex-secondary-used-percent")
    );
    assert!(
        !response.headers().contains_key("x-codex-turn-state"),
        "turn state only with MockOptions::turn_state"
    );
    let events = events(response).await;
    assert_well_formed(&events);
    let done: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "response.output_item.done")
        .map(|e| &e["item"])
        .collect();
    assert_eq!(done.len(), 2);
    assert_eq!(done[0]["type"], "reasoning");
    assert!(done[0]["encrypted_content"].as_str().is_some());
    assert_eq!(done[1]["type"], "message");
    assert_eq!(done[1]["content"][0]["text"], "You said: \"hello mock\"");
    let text: String = events
        .iter()
        .filter(|e| e["type"] == "response.output_text.delta")
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    assert_eq!(text, "You said: \"hello mock\"");
    let summary: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "response.reasoning_summary_text.delta")
        .collect();
    assert!(!summary.is_empty());
    let completed = &events.last().unwrap()["response"];
    assert!(completed["id"].as_str().unwrap().starts_with("resp_"));
    let usage = &completed["usage"];
    for key in ["input_tokens", "output_tokens", "total_tokens"] {
        assert!(usage[key].as_u64().is_some(), "{key}");
    }
    assert_eq!(
        usage["total_tokens"].as_u64().unwrap(),
        usage["input_tokens"].as_u64().unwrap() + usage["output_tokens"].as_u64().unwrap()
    );
    assert!(usage["input_tokens_details"]["cached_tokens"].is_u64());
    assert!(usage["output_tokens_details"]["reasoning_tokens"].is_u64());
}

#[tokio::test]
async fn scripted_items_stream_in_order() {
    let script = ScriptedResponse::new()
        .reasoning("plan")
        .message_deltas(["Hel", "lo"])
        .function_call("shell_command", json!({"command": "ls"}))
        .custom_tool_call("apply_patch", "*** Begin Patch\n*** End Patch\n");
    let server =
        server_with(MockOptions::default().with_scenario(Scenario::new().respond(script))).await;
    let events = events(post(&server, &body(vec![user("go")])).await).await;
    assert_well_formed(&events);
    let deltas: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "response.output_text.delta")
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    assert_eq!(deltas, ["Hel", "lo"]);
    let items: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "response.output_item.done")
        .map(|e| &e["item"])
        .collect();
    let kinds: Vec<&str> = items.iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["reasoning", "message", "function_call", "custom_tool_call"]
    );
    assert_eq!(items[2]["name"], "shell_command");
    assert_eq!(items[2]["arguments"], r#"{"command":"ls"}"#);
    assert!(items[2]["call_id"].as_str().unwrap().starts_with("call_"));
    assert_eq!(items[3]["input"], "*** Begin Patch\n*** End Patch\n");
    let output = &events.last().unwrap()["response"]["output"];
    assert_eq!(output.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn zstd_bodies_are_decoded_and_recorded() {
    let server = server().await;
    let raw = serde_json::to_vec(&body(vec![user("squeezed")])).unwrap();
    let compressed = zstd::encode_all(&raw[..], 3).unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/responses", server.codex_base_url()))
        .bearer_auth("sk-mock")
        .header("content-type", "application/json")
        .header("content-encoding", "zstd")
        .body(compressed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let events = events(response).await;
    let done = events
        .iter()
        .rev()
        .find(|e| e["type"] == "response.output_item.done")
        .unwrap();
    assert_eq!(done["item"]["content"][0]["text"], "You said: \"squeezed\"");
    let recorded = server.response_requests();
    assert_eq!(
        recorded[0].input().unwrap()[0]["content"][0]["text"],
        "squeezed"
    );
    assert_eq!(recorded[0].header("Content-Encoding"), Some("zstd"));
}

#[tokio::test]
async fn unknown_paths_are_404() {
    let server = server().await;
    let missing = reqwest::get(format!("{}/nope", server.url()))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn function_call_round_trip() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().function_call("shell", json!({"command": "ls"})))
        .respond(ScriptedResponse::new().message("done"));
    let server = server_with(MockOptions::default().with_scenario(scenario)).await;
    let first = events(post(&server, &body(vec![user("list")])).await).await;
    let call = first
        .iter()
        .find(|e| e["type"] == "response.output_item.done")
        .unwrap()["item"]
        .clone();
    let output =
        json!({"type": "function_call_output", "call_id": call["call_id"], "output": "a.txt"});
    let second = events(post(&server, &body(vec![user("list"), call, output])).await).await;
    let message = second
        .iter()
        .rev()
        .find(|e| e["type"] == "response.output_item.done")
        .unwrap();
    assert_eq!(message["item"]["content"][0]["text"], "done");
}
