//! The SSE transport: parts, request shape, one POST per turn.

use clanka_mock::{Scenario, ScriptedResponse};
use clanka_model::{AiError, FinishReason, Message, Prompt, ProviderOptions, StreamPart};
use serde_json::json;

use super::common::{config, generate, parts, server, sse_model, text};

#[tokio::test]
async fn streams_reasoning_then_text_with_usage_and_rate_limits() {
    let scenario = Scenario::new().respond(
        ScriptedResponse::new()
            .reasoning("Thinking it over")
            .message_deltas(["Hel", "lo", "!"]),
    );
    let server = server(scenario).await;
    let model = sse_model(config(&server)).language_model();

    let (parts, error) = parts(&model, Prompt::new().system("be brief").user("hi")).await;

    assert!(error.is_none(), "{error:?}");
    let mut kinds: Vec<&str> = parts.iter().map(kind).collect();
    kinds.dedup();
    assert_eq!(
        kinds,
        [
            "rate_limits",
            "response_started",
            "reasoning_start",
            "reasoning_delta",
            "reasoning_end",
            "text_start",
            "text_delta",
            "text_end",
            "usage",
            "finish",
        ]
    );
    let reasoning: String = parts
        .iter()
        .filter_map(|p| match p {
            StreamPart::ReasoningDelta { delta, .. } => Some(delta.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(reasoning, "Thinking it over");
    assert_eq!(text(&parts), "Hello!");
    let Some(StreamPart::ReasoningEnd {
        summary,
        encrypted_content,
        ..
    }) = parts
        .iter()
        .find(|p| matches!(p, StreamPart::ReasoningEnd { .. }))
    else {
        panic!("{parts:?}");
    };
    assert_eq!(summary, &["Thinking it over"]);
    assert!(encrypted_content.is_some());
    let StreamPart::RateLimits(limits) = &parts[0] else {
        panic!()
    };
    assert_eq!(limits.primary.map(|w| w.used_percent), Some(12.5));
    assert!(matches!(
        parts.last(),
        Some(StreamPart::Finish {
            reason: FinishReason::Stop,
            response_id: Some(_)
        })
    ));
    assert_eq!(
        server.response_requests().len(),
        1,
        "exactly one POST per turn"
    );
}

#[tokio::test]
async fn request_carries_the_codex_headers_and_body() {
    let server = server(Scenario::new()).await;
    let model =
        sse_model(config(&server).options(ProviderOptions::default().service_tier("priority")));

    generate(&model, Prompt::new().user("hi")).await;

    let request = &server.response_requests()[0];
    assert_eq!(request.header("originator"), Some("clanka"));
    assert!(
        request
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("clanka/0.1.0 ("))
    );
    assert_eq!(request.header("accept"), Some("text/event-stream"));
    let cache_key = request.body["prompt_cache_key"].as_str().unwrap();
    for name in ["session-id", "thread-id", "x-client-request-id"] {
        assert_eq!(request.header(name), Some(cache_key), "{name}");
    }
    let body = &request.body;
    assert_eq!(
        body["instructions"],
        json!(clanka_responses::DEFAULT_INSTRUCTIONS)
    );
    assert_eq!(body["store"], json!(false));
    assert_eq!(body["stream"], json!(true));
    assert_eq!(body["include"], json!(["reasoning.encrypted_content"]));
    assert_eq!(
        body["reasoning"],
        json!({"effort": "medium", "summary": "auto"})
    );
    assert_eq!(body["service_tier"], json!("priority"));
    assert!(request.header("openai-beta").is_none());
}

#[tokio::test]
async fn tool_call_round_trip_replays_reasoning_and_call() {
    let scenario = Scenario::new()
        .respond(
            ScriptedResponse::new()
                .reasoning("Need ls")
                .function_call("shell", json!({"command": "ls"})),
        )
        .respond(ScriptedResponse::new().message("Two files."));
    let server = server(scenario).await;
    let model = sse_model(config(&server));

    let mut prompt = Prompt::new().user("list files");
    let first = generate(&model, prompt.clone()).await;
    assert_eq!(first.finish_reason, Some(FinishReason::ToolCalls));
    let call = first.tool_calls().next().unwrap().clone();
    assert_eq!(
        (call.name.as_str(), call.arguments.as_str()),
        ("shell", r#"{"command":"ls"}"#)
    );
    prompt.push_response(first);
    prompt = prompt.message(Message::tool_result(&call.id, "a\nb"));
    let second = generate(&model, prompt).await;

    assert_eq!(second.text(), "Two files.");
    let input = server.response_requests()[1].body["input"]
        .as_array()
        .unwrap()
        .clone();
    let types: Vec<&str> = input.iter().map(|i| i["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "message",
            "reasoning",
            "function_call",
            "function_call_output"
        ]
    );
    assert!(input[1]["encrypted_content"].is_string());
    assert_eq!(input[2]["call_id"], json!(call.id));
    assert_eq!(
        input[3],
        json!({"type": "function_call_output", "call_id": call.id, "output": "a\nb"})
    );
}

#[tokio::test]
async fn options_the_backend_rejects_are_refused_before_sending() {
    let server = server(Scenario::new()).await;
    let model = sse_model(config(&server)).language_model();
    let options = ProviderOptions {
        temperature: Some(0.2),
        ..ProviderOptions::default()
    };

    let error = model
        .stream(Prompt::new().user("hi").options(options))
        .await
        .unwrap_err();

    assert!(
        matches!(error, AiError::Unsupported { ref option } if option == "temperature"),
        "{error}"
    );
    let top_p = ProviderOptions::default().extra("top_p", 0.5);
    let error = model
        .stream(Prompt::new().user("hi").options(top_p))
        .await
        .unwrap_err();
    assert!(matches!(error, AiError::Unsupported { ref option } if option == "top_p"));
    let dangling = Prompt::new()
        .user("x")
        .message(Message::tool_result("call_9", "out"));
    assert!(matches!(
        model.stream(dangling).await.unwrap_err(),
        AiError::InvalidRequest { .. }
    ));
    assert!(server.response_requests().is_empty());
}

pub(super) fn kind(part: &StreamPart) -> &'static str {
    match serde_json::to_value(part).unwrap()["type"]
        .as_str()
        .unwrap()
    {
        "response_started" => "response_started",
        "text_start" => "text_start",
        "text_delta" => "text_delta",
        "text_end" => "text_end",
        "reasoning_start" => "reasoning_start",
        "reasoning_delta" => "reasoning_delta",
        "reasoning_end" => "reasoning_end",
        "tool_call" => "tool_call",
        "usage" => "usage",
        "rate_limits" => "rate_limits",
        "finish" => "finish",
        other => panic!("unknown part {other}"),
    }
}
