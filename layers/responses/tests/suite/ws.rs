//! The WebSocket transport: incremental input, queueing, reconnects and fallback.

use std::time::Duration;

use clanka_mock::{RecordKind, Scenario, ScriptedResponse};
use clanka_model::{Message, Prompt, StreamPart};
use serde_json::json;

use super::common::{config, generate, kept, parts, retries, server, text, ws_model};

fn handshakes(server: &clanka_mock::MockServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.kind == RecordKind::WebSocketHandshake)
        .count()
}

fn messages(server: &clanka_mock::MockServer) -> Vec<serde_json::Value> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.kind == RecordKind::WebSocketMessage)
        .map(|r| r.body)
        .collect()
}

#[tokio::test]
async fn a_tool_follow_up_sends_only_new_items_with_previous_response_id() {
    let scenario = Scenario::new()
        .respond(
            ScriptedResponse::new()
                .reasoning("ls first")
                .function_call("shell", json!({"command": "ls"})),
        )
        .respond(ScriptedResponse::new().message("Done."));
    let server = server(scenario).await;
    let model = ws_model(config(&server));

    let mut prompt = Prompt::new().user("list");
    let first = generate(&model, prompt.clone()).await;
    let call_id = first.tool_calls().next().unwrap().id.clone();
    let first_id = first.id.clone().unwrap();
    prompt.push_response(first);
    prompt = prompt.message(Message::tool_result(&call_id, "a b"));
    let second = generate(&model, prompt).await;

    assert_eq!(second.text(), "Done.");
    assert_eq!(handshakes(&server), 1);
    let sent = messages(&server);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["type"], json!("response.create"));
    assert!(sent[0].get("previous_response_id").is_none());
    assert_eq!(sent[1]["previous_response_id"], json!(first_id));
    assert_eq!(
        sent[1]["input"],
        json!([{"type": "function_call_output", "call_id": call_id, "output": "a b"}])
    );
    let handshake = server
        .requests()
        .into_iter()
        .find(|r| r.kind == RecordKind::WebSocketHandshake)
        .unwrap();
    assert_eq!(
        handshake.header("openai-beta"),
        Some("responses_websockets=2026-02-06")
    );
    assert_eq!(handshake.header("originator"), Some("clanka"));
}

#[tokio::test]
async fn a_changed_history_is_sent_in_full() {
    let server = server(Scenario::new()).await;
    let model = ws_model(config(&server));
    let first = Prompt::new().user("one");
    generate(&model, first).await;
    generate(&model, Prompt::new().user("something else")).await;

    let sent = messages(&server);
    assert!(sent[1].get("previous_response_id").is_none());
    assert_eq!(sent[1]["input"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_requests_on_one_conversation_queue_on_one_socket() {
    let server = server(Scenario::new()).await;
    let model = ws_model(config(&server));
    let prompt = Prompt::new().user("same");
    let (a, b, c) = tokio::join!(
        generate(&model, prompt.clone()),
        generate(&model, prompt.clone()),
        generate(&model, prompt.clone()),
    );
    for response in [a, b, c] {
        assert_eq!(response.text(), "You said: \"same\"");
    }
    assert_eq!(handshakes(&server), 1);
}

#[tokio::test]
async fn an_upgrade_answered_426_falls_back_to_https_for_good() {
    let server = server(Scenario::new()).await;
    server.set_websocket_upgrade_refused(true);
    let model = ws_model(config(&server));

    let first = generate(&model, Prompt::new().user("one")).await;
    let second = generate(&model, Prompt::new().user("two")).await;

    assert_eq!(first.text(), "You said: \"one\"");
    assert_eq!(second.text(), "You said: \"two\"");
    assert!(!model.uses_websocket());
    assert_eq!(handshakes(&server), 1, "no second upgrade attempt");
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.kind == RecordKind::Http && r.is_responses())
        .count();
    assert_eq!(posts, 2);
}

#[tokio::test]
async fn a_close_mid_response_is_retried_on_a_new_socket_discarding_the_partial_text() {
    let scenario = Scenario::new()
        .respond(
            ScriptedResponse::new()
                .message_deltas(["a", "b", "c"])
                .ws_close_after(5),
        )
        .respond(ScriptedResponse::new().message("again"));
    let server = server(scenario).await;
    let model = ws_model(config(&server)).language_model();

    let (parts, error) = parts(&model, Prompt::new().user("go")).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(retries(&parts).len(), 1);
    assert_eq!(
        retries(&parts)[0].len(),
        1,
        "the partial message is discarded"
    );
    assert_eq!(kept(&parts).text(), "again");
    assert_eq!(handshakes(&server), 2);
}

#[tokio::test]
async fn a_close_before_any_output_is_retried_on_a_new_socket() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().message("lost").ws_close_after(0))
        .respond(ScriptedResponse::new().message("kept"));
    let server = server(scenario).await;
    let model = ws_model(config(&server)).language_model();
    let (parts, error) = parts(&model, Prompt::new().user("go")).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(text(&parts), "kept");
    assert_eq!(
        parts
            .iter()
            .filter(|p| matches!(p, StreamPart::ResponseStarted { .. }))
            .count(),
        1
    );
    assert_eq!(handshakes(&server), 2);
}

#[tokio::test]
async fn the_connection_age_limit_reconnects_transparently() {
    let server = server(Scenario::new()).await;
    // Long enough for the first exchange on a loaded machine, which a cut mid-stream
    // would turn into a third handshake.
    server.set_websocket_max_age(Some(Duration::from_secs(1)));
    let model = ws_model(config(&server));

    generate(&model, Prompt::new().user("one")).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let second = generate(&model, Prompt::new().user("two")).await;

    assert_eq!(second.text(), "You said: \"two\"");
    assert_eq!(handshakes(&server), 2);
}

#[tokio::test]
async fn an_old_socket_is_replaced_before_the_next_request() {
    let server = server(Scenario::new()).await;
    let model = ws_model(config(&server).max_socket_age(Duration::from_millis(100)));
    generate(&model, Prompt::new().user("one")).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    generate(&model, Prompt::new().user("two")).await;
    assert_eq!(handshakes(&server), 2);
    assert!(
        messages(&server)
            .iter()
            .all(|m| m.get("previous_response_id").is_none())
    );
}

#[tokio::test]
async fn a_websocket_turn_reports_the_rate_limits_event() {
    let server = server(Scenario::new()).await;
    let model = ws_model(config(&server)).language_model();
    let (parts, error) = parts(&model, Prompt::new().user("hi")).await;
    assert!(error.is_none(), "{error:?}");
    let limits: Vec<_> = parts
        .iter()
        .filter_map(|part| match part {
            StreamPart::RateLimits(snapshot) => Some(snapshot),
            _ => None,
        })
        .collect();
    assert_eq!(limits.len(), 1, "{parts:?}");
    let primary = limits[0].primary.unwrap();
    assert_eq!(primary.used_percent, 12.5);
    assert_eq!(primary.window_minutes, Some(300));
    assert_eq!(limits[0].secondary.unwrap().window_minutes, Some(10080));
    assert_eq!(limits[0].plan_type.as_deref(), Some("pro"));
    assert_eq!(limits[0].limit_id.as_deref(), Some("codex"));
    assert_eq!(handshakes(&server), 1);
    assert!(server.requests().iter().all(|r| r.kind != RecordKind::Http));
}

#[tokio::test]
async fn a_forgotten_previous_response_is_resent_in_full_once() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().function_call("shell", json!({"command": "ls"})))
        .respond(ScriptedResponse::new().message("Done."));
    let server = server(scenario).await;
    let model = ws_model(config(&server));

    let mut prompt = Prompt::new().user("list");
    let first = generate(&model, prompt.clone()).await;
    let call_id = first.tool_calls().next().unwrap().id.clone();
    let first_id = first.id.clone().unwrap();
    prompt.push_response(first);
    prompt = prompt.message(Message::tool_result(&call_id, "a b"));
    server.forget_responses();
    let second = generate(&model, prompt).await;

    assert_eq!(second.text(), "Done.");
    assert_eq!(handshakes(&server), 1);
    let sent = messages(&server);
    assert_eq!(sent.len(), 3, "{sent:#?}");
    assert!(sent.iter().all(|m| m["type"] == "response.create"));
    assert_eq!(sent[1]["previous_response_id"], json!(first_id));
    let output = json!({"type": "function_call_output", "call_id": call_id, "output": "a b"});
    assert_eq!(sent[1]["input"], json!([output]));
    assert!(sent[2].get("previous_response_id").is_none());
    let full = sent[2]["input"].as_array().unwrap();
    let original = sent[0]["input"].as_array().unwrap();
    assert_eq!(full.len(), original.len() + 2, "{full:#?}");
    assert_eq!(full[..original.len()], original[..]);
    assert_eq!(full[original.len()]["type"], "function_call");
    assert_eq!(full[original.len()]["call_id"], json!(call_id));
    assert_eq!(full[original.len() + 1], output);
}

/// Each of `ids` sends a first turn, one conversation after another.
async fn first_turns(model: &clanka_responses::ResponsesModel, ids: &[String]) -> Vec<Prompt> {
    let mut prompts = Vec::new();
    for id in ids {
        let options = clanka_model::ProviderOptions::default().conversation_id(id.clone());
        let mut prompt = Prompt::new()
            .user(format!("hello from {id}"))
            .options(options);
        let response = generate(model, prompt.clone()).await;
        prompt.push_response(response);
        prompts.push(prompt.user("and more"));
    }
    prompts
}

#[tokio::test]
async fn many_conversations_keep_their_sockets_and_continue_incrementally() {
    let server = server(Scenario::new()).await;
    let model = ws_model(config(&server));
    let ids: Vec<String> = (0..20).map(|n| format!("conv-{n}")).collect();
    let prompts = first_turns(&model, &ids).await;
    for prompt in prompts {
        generate(&model, prompt).await;
    }
    assert_eq!(
        handshakes(&server),
        20,
        "one socket per conversation, none evicted"
    );
    let sent = messages(&server);
    assert_eq!(sent.len(), 40);
    assert!(
        sent[20..]
            .iter()
            .all(|m| m.get("previous_response_id").is_some()),
        "every second turn is incremental"
    );
}

#[tokio::test]
async fn past_the_limit_one_idle_socket_goes_not_all() {
    let server = server(Scenario::new()).await;
    let model = ws_model(config(&server).max_conversations(4));
    let ids: Vec<String> = (0..5).map(|n| format!("conv-{n}")).collect();
    // conv-0 … conv-3 fill the pool; conv-4 evicts conv-0, the least recently used.
    let prompts = first_turns(&model, &ids).await;
    for prompt in &prompts[1..] {
        generate(&model, prompt.clone()).await;
    }
    assert_eq!(handshakes(&server), 5, "conv-1 … conv-3 kept their sockets");
    let sent = messages(&server);
    assert!(
        sent[5..]
            .iter()
            .all(|m| m.get("previous_response_id").is_some())
    );
    // conv-0 connects again and sends in full once, then continues incrementally.
    let mut again = prompts[0].clone();
    let response = generate(&model, again.clone()).await;
    again.push_response(response);
    generate(&model, again.user("once more")).await;
    assert_eq!(handshakes(&server), 6);
    let sent = messages(&server);
    let last_two = &sent[sent.len() - 2..];
    assert!(last_two[0].get("previous_response_id").is_none());
    assert!(last_two[1].get("previous_response_id").is_some());
}
