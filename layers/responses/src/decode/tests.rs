use std::time::Duration;

use clanka_model::{AiError, FinishReason, StreamPart};

use super::{Decoded, EventDecoder};

fn decode_all(events: &[&str]) -> (Vec<StreamPart>, Decoded) {
    let mut decoder = EventDecoder::new();
    let mut parts = Vec::new();
    let mut last = Decoded::Continue;
    for event in events {
        last = decoder.decode(event, &mut parts);
    }
    (parts, last)
}

#[test]
fn deltas_open_their_section_and_completion_closes_it() {
    let (parts, last) = decode_all(&[
        r#"{"type":"response.output_text.delta","item_id":"msg_1","delta":"a"}"#,
        r#"{"type":"response.completed","response":{"id":"resp_1","usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":4},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":1},"total_tokens":13}}}"#,
    ]);
    assert!(matches!(last, Decoded::Completed));
    assert_eq!(
        parts,
        vec![
            StreamPart::TextStart { id: "msg_1".into() },
            StreamPart::TextDelta {
                id: "msg_1".into(),
                delta: "a".into()
            },
            StreamPart::TextEnd { id: "msg_1".into() },
            StreamPart::Usage(clanka_model::Usage {
                input_tokens: 10,
                cached_input_tokens: 4,
                output_tokens: 3,
                reasoning_tokens: 1,
                total_tokens: 13,
            }),
            StreamPart::Finish {
                reason: FinishReason::Stop,
                response_id: Some("resp_1".into())
            },
        ]
    );
}

#[test]
fn a_done_item_without_deltas_still_delivers_its_text() {
    let (parts, _) = decode_all(&[
        r#"{"type":"response.output_item.done","item":{"type":"message","id":"msg_2","content":[{"type":"output_text","text":"whole"}]}}"#,
    ]);
    assert_eq!(
        parts,
        vec![
            StreamPart::TextStart { id: "msg_2".into() },
            StreamPart::TextDelta {
                id: "msg_2".into(),
                delta: "whole".into()
            },
            StreamPart::TextEnd { id: "msg_2".into() },
        ]
    );
}

#[test]
fn summary_parts_are_separated_and_the_end_carries_encrypted_content() {
    let (parts, _) = decode_all(&[
        r#"{"type":"response.output_item.added","item":{"type":"reasoning","id":"rs_1"}}"#,
        r#"{"type":"response.reasoning_summary_text.delta","item_id":"rs_1","summary_index":0,"delta":"one"}"#,
        r#"{"type":"response.reasoning_summary_text.delta","item_id":"rs_1","summary_index":1,"delta":"two"}"#,
        r#"{"type":"response.output_item.done","item":{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"one"},{"type":"summary_text","text":"two"}],"encrypted_content":"gAAA"}}"#,
    ]);
    assert_eq!(
        parts[2],
        StreamPart::ReasoningDelta {
            id: "rs_1".into(),
            delta: "\n\ntwo".into()
        }
    );
    assert_eq!(
        parts[3],
        StreamPart::ReasoningEnd {
            id: "rs_1".into(),
            summary: vec!["one".into(), "two".into()],
            encrypted_content: Some("gAAA".into()),
        }
    );
}

#[test]
fn a_function_call_makes_the_finish_reason_tool_calls() {
    let (parts, _) = decode_all(&[
        r#"{"type":"response.output_item.done","item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"shell","arguments":"{}"}}"#,
        r#"{"type":"response.completed","response":{"id":"resp_2"}}"#,
    ]);
    assert!(
        matches!(&parts[0], StreamPart::ToolCall(call) if call.id == "call_1" && call.item_id.as_deref() == Some("fc_1"))
    );
    assert!(matches!(
        &parts[1],
        StreamPart::Finish {
            reason: FinishReason::ToolCalls,
            ..
        }
    ));
}

#[test]
fn failures_map_to_typed_errors() {
    let (_, last) = decode_all(&[
        r#"{"type":"response.failed","response":{"error":{"code":"rate_limit_exceeded","message":"Please try again in 11.054s."}}}"#,
    ]);
    let Decoded::Failed(error) = last else {
        panic!()
    };
    assert_eq!(error.retry_after(), Some(Duration::from_millis(11_054)));
    let (_, last) = decode_all(&[
        r#"{"type":"error","status":429,"error":{"type":"usage_limit_reached","message":"limit","plan_type":"plus","resets_at":1738888888},"headers":{"x-codex-primary-used-percent":"100.0"}}"#,
    ]);
    let Decoded::Failed(AiError::UsageLimitReached {
        resets_at,
        rate_limits,
        ..
    }) = last
    else {
        panic!()
    };
    assert_eq!(resets_at, Some(1_738_888_888));
    assert_eq!(
        rate_limits.and_then(|r| r.primary).map(|w| w.used_percent),
        Some(100.0)
    );
    let (_, last) = decode_all(&[r#"{"type":"response.completed","response":{}}"#]);
    assert!(matches!(
        last,
        Decoded::Failed(AiError::InvalidResponse { .. })
    ));
}

#[test]
fn incomplete_responses_finish_with_their_reason() {
    let (parts, last) = decode_all(&[
        r#"{"type":"response.incomplete","response":{"id":"r","incomplete_details":{"reason":"max_output_tokens"}}}"#,
    ]);
    assert!(matches!(last, Decoded::Completed));
    assert!(matches!(
        &parts[0],
        StreamPart::Finish {
            reason: FinishReason::Length,
            ..
        }
    ));
}

#[test]
fn rate_limit_events_become_snapshots_and_unknown_events_are_ignored() {
    let mut decoder = EventDecoder::new();
    let mut parts = Vec::new();
    let unknown = decoder.decode(r#"{"type":"response.novelty","x":1}"#, &mut parts);
    assert!(matches!(unknown, Decoded::Continue));
    decoder.decode(
        r#"{"type":"codex.rate_limits","plan_type":"plus","rate_limits":{"primary":{"used_percent":12.5,"window_minutes":300,"reset_at":1704069000}}}"#,
        &mut parts,
    );
    decoder.decode(
        r#"{"type":"response.metadata","headers":{"x-codex-turn-state":"ts_1"}}"#,
        &mut parts,
    );
    assert_eq!(decoder.take_turn_state().as_deref(), Some("ts_1"));
    assert_eq!(decoder.take_turn_state(), None, "taken once");
    let StreamPart::RateLimits(snapshot) = &parts[0] else {
        panic!("{parts:?}")
    };
    assert_eq!(snapshot.plan_type.as_deref(), Some("plus"));
    assert_eq!(
        snapshot.primary.and_then(|w| w.resets_at),
        Some(1_704_069_000)
    );
}

fn fails(events: &[&str]) -> String {
    match decode_all(events).1 {
        Decoded::Failed(error @ AiError::InvalidResponse { .. }) => {
            assert!(error.is_retryable());
            error.to_string()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_undecodable_event_fails_the_response_without_quoting_it() {
    let message = fails(&[
        r#"{"type":"response.output_text.delta","item_id":"msg_1","delta":"a"}"#,
        r#"{"type":"response.output_text.delta","item_id":"msg_1","delta":"secret wo"#,
    ]);
    assert!(message.contains("could not be decoded"), "{message}");
    assert!(!message.contains("secret"), "{message}");
}

#[test]
fn known_events_missing_their_fields_fail_the_response() {
    fails(&[r#"{"type":"response.output_text.delta","item_id":"msg_1"}"#]);
    fails(&[r#"{"type":"response.output_item.done"}"#]);
    fails(&[r#"{"type":"response.output_item.done","item":{"id":"x"}}"#]);
    fails(&[
        r#"{"type":"response.output_item.done","item":{"type":"function_call","id":"fc_1","name":"shell"}}"#,
    ]);
}

#[test]
fn a_tool_call_announced_but_never_done_fails_the_completion() {
    let message = fails(&[
        r#"{"type":"response.output_item.added","item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"shell","arguments":""}}"#,
        r#"{"type":"response.completed","response":{"id":"resp_1"}}"#,
    ]);
    assert!(message.contains("fc_1"), "{message}");
}

#[test]
fn a_compaction_item_is_decoded_and_one_without_content_refused() {
    let (parts, last) = decode_all(&[
        r#"{"type":"response.output_item.added","output_index":0,"item":{"type":"compaction","id":"cmp_1","encrypted_content":"gAAA"}}"#,
        r#"{"type":"response.output_item.done","output_index":0,"item":{"type":"compaction","id":"cmp_1","encrypted_content":"gAAA"}}"#,
    ]);
    assert!(matches!(last, Decoded::Continue));
    assert_eq!(
        parts,
        vec![StreamPart::Compaction {
            id: "cmp_1".into(),
            encrypted_content: "gAAA".into()
        }]
    );
    let (_, last) = decode_all(&[
        r#"{"type":"response.output_item.done","output_index":0,"item":{"type":"compaction","id":"cmp_1"}}"#,
    ]);
    assert!(
        matches!(last, Decoded::Failed(AiError::InvalidResponse { .. })),
        "{last:?}"
    );
}
