use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;
use crate::RateLimitWindow;

#[test]
fn usage_adds_field_by_field() {
    let a = Usage {
        input_tokens: 100,
        cached_input_tokens: 40,
        output_tokens: 30,
        reasoning_tokens: 10,
        total_tokens: 130,
    };
    let b = Usage {
        input_tokens: 1,
        cached_input_tokens: 2,
        output_tokens: 3,
        reasoning_tokens: 4,
        total_tokens: 5,
    };
    let expected = Usage {
        input_tokens: 101,
        cached_input_tokens: 42,
        output_tokens: 33,
        reasoning_tokens: 14,
        total_tokens: 135,
    };
    assert_eq!(a + b, expected);
    assert_eq!([a, b].into_iter().sum::<Usage>(), expected);
    assert_eq!(a.uncached_input_tokens(), 60);
}

#[test]
fn finish_reason_is_a_plain_string() {
    let parts = [
        StreamPart::Finish {
            reason: FinishReason::ToolCalls,
            response_id: Some("resp_1".into()),
        },
        StreamPart::Finish {
            reason: FinishReason::Other("pause".into()),
            response_id: None,
        },
    ];
    let value = serde_json::to_value(&parts).unwrap();
    assert_eq!(
        value,
        json!([
            {"type": "finish", "reason": "tool_calls", "response_id": "resp_1"},
            {"type": "finish", "reason": "pause"},
        ])
    );
    assert_eq!(
        serde_json::from_value::<Vec<StreamPart>>(value).unwrap(),
        parts
    );
}

#[test]
fn every_part_round_trips() {
    let parts = vec![
        StreamPart::RateLimits(RateLimitSnapshot {
            primary: Some(RateLimitWindow {
                used_percent: 50.0,
                window_minutes: Some(300),
                resets_at: Some(1),
            }),
            ..RateLimitSnapshot::default()
        }),
        StreamPart::ResponseStarted {
            id: "resp_1".into(),
            model: Some("m".into()),
        },
        StreamPart::ReasoningStart { id: "rs_1".into() },
        StreamPart::ReasoningDelta {
            id: "rs_1".into(),
            delta: "thinking".into(),
        },
        StreamPart::ReasoningEnd {
            id: "rs_1".into(),
            summary: vec!["thinking".into()],
            encrypted_content: Some("opaque".into()),
        },
        StreamPart::TextStart { id: "msg_1".into() },
        StreamPart::TextDelta {
            id: "msg_1".into(),
            delta: "hi".into(),
        },
        StreamPart::TextEnd { id: "msg_1".into() },
        StreamPart::ToolCall(ToolCall {
            id: "call_1".into(),
            item_id: Some("fc_1".into()),
            name: "shell".into(),
            arguments: "{}".into(),
            kind: crate::ToolCallKind::Function,
        }),
        StreamPart::Usage(Usage {
            input_tokens: 3,
            total_tokens: 3,
            ..Usage::default()
        }),
        StreamPart::Finish {
            reason: FinishReason::Stop,
            response_id: None,
        },
    ];
    let lines: Vec<String> = parts
        .iter()
        .map(|part| serde_json::to_string(part).unwrap())
        .collect();
    assert_eq!(
        lines[9],
        r#"{"type":"usage","input_tokens":3,"cached_input_tokens":0,"output_tokens":0,"reasoning_tokens":0,"total_tokens":3}"#
    );
    let back: Vec<StreamPart> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(back, parts);
}
