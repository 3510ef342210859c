use pretty_assertions::assert_eq;

use super::*;
use crate::RateLimitWindow;

fn collect(parts: &[StreamPart]) -> Result<Response, AiError> {
    let mut collector = ResponseCollector::new();
    for part in parts {
        collector.push(part);
    }
    collector.finish()
}

fn usage(input: u64, output: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        total_tokens: input + output,
        ..Usage::default()
    }
}

fn snapshot(limit_id: &str) -> RateLimitSnapshot {
    RateLimitSnapshot {
        primary: Some(RateLimitWindow {
            used_percent: 10.0,
            window_minutes: Some(300),
            resets_at: None,
        }),
        limit_id: Some(limit_id.into()),
        ..RateLimitSnapshot::default()
    }
}

#[test]
fn folds_reasoning_text_and_tool_call_in_start_order() {
    let parts = [
        StreamPart::RateLimits(snapshot("codex")),
        StreamPart::ResponseStarted {
            id: "resp_1".into(),
            model: Some("gpt-5-codex".into()),
        },
        StreamPart::ReasoningStart { id: "rs_1".into() },
        StreamPart::ReasoningDelta {
            id: "rs_1".into(),
            delta: "**Listing**".into(),
        },
        StreamPart::ReasoningEnd {
            id: "rs_1".into(),
            summary: vec!["**Listing** files".into()],
            encrypted_content: Some("gAAA".into()),
        },
        StreamPart::TextStart { id: "msg_1".into() },
        StreamPart::TextDelta {
            id: "msg_1".into(),
            delta: "Let me ".into(),
        },
        StreamPart::TextDelta {
            id: "msg_1".into(),
            delta: "look.".into(),
        },
        StreamPart::TextEnd { id: "msg_1".into() },
        StreamPart::ToolCall(ToolCall {
            id: "call_1".into(),
            item_id: Some("fc_1".into()),
            name: "shell".into(),
            arguments: r#"{"command":"ls"}"#.into(),
            kind: crate::ToolCallKind::Function,
        }),
        StreamPart::Usage(usage(100, 20)),
        StreamPart::Finish {
            reason: FinishReason::ToolCalls,
            response_id: None,
        },
    ];
    let expected = Response {
        id: Some("resp_1".into()),
        model: Some("gpt-5-codex".into()),
        items: vec![
            AssistantItem::Reasoning {
                id: Some("rs_1".into()),
                summary: vec!["**Listing** files".into()],
                encrypted_content: Some("gAAA".into()),
            },
            AssistantItem::Text {
                id: Some("msg_1".into()),
                text: "Let me look.".into(),
            },
            AssistantItem::ToolCall(ToolCall {
                id: "call_1".into(),
                item_id: Some("fc_1".into()),
                name: "shell".into(),
                arguments: r#"{"command":"ls"}"#.into(),
                kind: crate::ToolCallKind::Function,
            }),
        ],
        usage: usage(100, 20),
        finish_reason: Some(FinishReason::ToolCalls),
        rate_limits: vec![snapshot("codex")],
    };
    let response = collect(&parts).unwrap();
    assert_eq!(response, expected);
    assert_eq!(response.text(), "Let me look.");
    let calls: Vec<_> = response
        .tool_calls()
        .map(|c| (c.id.as_str(), c.name.as_str(), c.arguments.as_str()))
        .collect();
    assert_eq!(calls, [("call_1", "shell", r#"{"command":"ls"}"#)]);
}

#[test]
fn interleaved_items_keep_their_slots() {
    let parts = [
        StreamPart::TextStart { id: "a".into() },
        StreamPart::TextStart { id: "b".into() },
        StreamPart::TextDelta {
            id: "b".into(),
            delta: "second".into(),
        },
        StreamPart::TextDelta {
            id: "a".into(),
            delta: "first".into(),
        },
        StreamPart::ReasoningDelta {
            id: "a".into(),
            delta: "same id, other kind".into(),
        },
        StreamPart::ReasoningEnd {
            id: "a".into(),
            summary: Vec::new(),
            encrypted_content: None,
        },
        StreamPart::Finish {
            reason: FinishReason::Stop,
            response_id: Some("resp_2".into()),
        },
    ];
    let response = collect(&parts).unwrap();
    assert_eq!(
        response.items,
        [
            AssistantItem::Text {
                id: Some("a".into()),
                text: "first".into()
            },
            AssistantItem::Text {
                id: Some("b".into()),
                text: "second".into()
            },
            AssistantItem::Reasoning {
                id: Some("a".into()),
                summary: vec!["same id, other kind".into()],
                encrypted_content: None,
            },
        ]
    );
    assert_eq!(response.id.as_deref(), Some("resp_2"));
}

#[test]
fn usage_parts_add_up_and_snapshots_accumulate() {
    let parts = [
        StreamPart::RateLimits(snapshot("codex")),
        StreamPart::RateLimits(snapshot("codex_other")),
        StreamPart::Usage(usage(1, 2)),
        StreamPart::Usage(usage(10, 20)),
        StreamPart::Finish {
            reason: FinishReason::Stop,
            response_id: None,
        },
    ];
    let response = collect(&parts).unwrap();
    assert_eq!(response.usage, usage(11, 22));
    assert_eq!(response.rate_limits.len(), 2);
    assert_eq!(response.into_message(), None);
}

#[test]
fn a_stream_without_finish_is_a_disconnect() {
    let parts = [StreamPart::TextDelta {
        id: "msg_1".into(),
        delta: "partial".into(),
    }];
    let mut collector = ResponseCollector::new();
    collector.push(&parts[0]);
    assert_eq!(collector.response().text(), "partial");
    let err = collector.finish().unwrap_err();
    assert!(matches!(err, AiError::StreamDisconnected { .. }), "{err:?}");
    assert!(err.is_retryable());
}

#[test]
fn a_response_becomes_history() {
    let response = Response {
        items: vec![AssistantItem::text("done")],
        finish_reason: Some(FinishReason::Stop),
        ..Response::default()
    };
    let mut prompt = crate::Prompt::new().user("do it");
    prompt.push_response(response);
    assert_eq!(
        *prompt.messages[1],
        Message::Assistant {
            items: vec![AssistantItem::text("done")]
        }
    );
}

#[test]
fn a_retry_voids_the_partial_attempt_but_keeps_rate_limits() {
    let text = |delta: &str| StreamPart::TextDelta {
        id: "msg_1".into(),
        delta: delta.into(),
    };
    let response = collect(&[
        StreamPart::RateLimits(snapshot("codex")),
        StreamPart::ResponseStarted {
            id: "resp_1".into(),
            model: None,
        },
        text("Hel"),
        StreamPart::ToolCall(ToolCall::new("call_1", "shell", "{}")),
        StreamPart::Retry {
            attempt: 1,
            error: "stream disconnected".into(),
            delay_ms: 200,
            discard: vec!["msg_1".into(), "call_1".into()],
        },
        StreamPart::ResponseStarted {
            id: "resp_2".into(),
            model: None,
        },
        text("Hello"),
        StreamPart::Finish {
            reason: FinishReason::Stop,
            response_id: None,
        },
    ])
    .unwrap();
    assert_eq!(response.text(), "Hello");
    assert_eq!(response.tool_calls().count(), 0);
    assert_eq!(response.id.as_deref(), Some("resp_2"));
    assert_eq!(response.rate_limits, vec![snapshot("codex")]);
}
