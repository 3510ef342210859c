//! `replay_sse` over a body recorded from the mock: however the bytes are chunked
//! (inside UTF-8 sequences, inside the blank line ending an event), the parts match.

use std::sync::OnceLock;

use bytes::Bytes;
use clanka_mock::{Scenario, ScriptedResponse};
use clanka_model::StreamPart;
use clanka_responses::replay_sse;
use futures_util::StreamExt as _;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::json;

use super::common::server;

/// Every item of a replay, errors rendered as text so results compare.
type Replayed = Vec<Result<StreamPart, String>>;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn scenario() -> Scenario {
    let mut deltas = Vec::new();
    for i in 0..40 {
        deltas.push(format!("héllo 👋 {i} "));
        deltas.push("naïve — 日本語 ".to_owned());
    }
    Scenario::new().respond(
        ScriptedResponse::new()
            .reasoning("Thinking about ünïcödé 🤔")
            .message_deltas(deltas)
            .function_call("shell", json!({"command": "echo 👋"})),
    )
}

/// The SSE body of one mock response, read once.
fn recorded() -> &'static Bytes {
    static BODY: OnceLock<Bytes> = OnceLock::new();
    BODY.get_or_init(|| {
        runtime().block_on(async {
            let server = server(scenario()).await;
            super::record::record(&server, "replay").await
        })
    })
}

async fn replay(chunks: Vec<Bytes>) -> Replayed {
    replay_sse(chunks)
        .map(|item| item.map_err(|error| format!("{error:?}")))
        .collect()
        .await
}

/// The parts of the whole body in one chunk.
fn expected() -> &'static Replayed {
    static PARTS: OnceLock<Replayed> = OnceLock::new();
    PARTS.get_or_init(|| runtime().block_on(replay(vec![recorded().clone()])))
}

/// Offsets where a cut is interesting: inside a UTF-8 sequence or between `\n\n`.
fn tricky_offsets(body: &[u8]) -> Vec<usize> {
    (1..body.len())
        .filter(|&i| (body[i] & 0xC0) == 0x80 || (body[i - 1] == b'\n' && body[i] == b'\n'))
        .collect()
}

/// Splits `body` at `cuts` (sorted, deduplicated, empty chunks dropped).
fn split(body: &Bytes, mut cuts: Vec<usize>) -> Vec<Bytes> {
    cuts.sort_unstable();
    cuts.dedup();
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain([body.len()]) {
        if cut > start {
            chunks.push(body.slice(start..cut));
            start = cut;
        }
    }
    chunks
}

#[test]
fn the_recorded_body_decodes_to_every_kind_of_part() {
    let body = recorded();
    let text = std::str::from_utf8(body).unwrap();
    assert!(text.contains("héllo 👋 "));
    assert!(!tricky_offsets(body).is_empty());
    let parts: Vec<&StreamPart> = expected().iter().map(|p| p.as_ref().unwrap()).collect();
    let deltas = parts
        .iter()
        .filter(|p| matches!(p, StreamPart::TextDelta { .. }))
        .count();
    assert_eq!(deltas, 80);
    assert!(
        parts
            .iter()
            .any(|p| matches!(p, StreamPart::ReasoningDelta { .. }))
    );
    assert!(parts.iter().any(|p| matches!(p, StreamPart::ToolCall(_))));
    assert!(matches!(parts.last(), Some(StreamPart::Finish { .. })));
}

#[test]
fn a_body_fed_byte_by_byte_replays_identically() {
    let body = recorded();
    let chunks = split(body, (1..body.len()).collect());
    assert_eq!(&runtime().block_on(replay(chunks)), expected());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_chunking_replays_identically(
        cuts in prop::collection::vec((any::<bool>(), any::<Index>()), 0..96),
    ) {
        let body = recorded();
        let tricky = tricky_offsets(body);
        let cuts = cuts
            .into_iter()
            .map(|(pick_tricky, index)| {
                if pick_tricky {
                    tricky[index.index(tricky.len())]
                } else {
                    index.index(body.len() + 1)
                }
            })
            .collect();
        let chunks = split(body, cuts);
        let replayed = runtime().block_on(replay(chunks));
        prop_assert_eq!(&replayed, expected());
    }
}
