//! Remote compaction: v2, an ordinary responses request whose input ends with
//! `{"type":"compaction_trigger"}`, answered with exactly one `compaction` item; and v1,
//! `POST …/responses/compact`, answered with JSON `{"output": [kept user messages…, compaction]}`.
//!
//! The `encrypted_content` is opaque to clients. Later requests replay the item in place
//! of the history it replaced; the mock then counts usage from that item on, so the usage
//! reported after a compaction stays small and a client comparing `total_tokens` with its
//! limit does not compact again and again.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::common::{ApiError, check_auth, check_model};
use super::emitter::{Built, Ctx, Emitter};
use super::events::{tokens, usage};
use super::items::message;
use super::validate;
use crate::body::Decoded;
use crate::common::lock;
use crate::scenario::CompactionFault;
use crate::state::AppState;

pub(crate) use crate::record::is_trigger;

/// The compaction fault in force; one that is an HTTP error is that error.
pub(crate) fn fault(state: &AppState) -> Result<Option<CompactionFault>, ApiError> {
    let fault = lock(&state.compaction_fault).clone();
    match &fault {
        Some(CompactionFault::HttpError(error)) => Err(ApiError::from(error)),
        _ => Ok(fault),
    }
}

/// Whether `item` is a user message (the messages a compaction keeps).
pub(crate) fn is_user_message(item: &Value) -> bool {
    item.get("role").and_then(Value::as_str) == Some("user")
        && item
            .get("type")
            .and_then(Value::as_str)
            .is_none_or(|t| t == "message")
}

/// A compaction item; `n` tells several apart.
fn item(seed: u64, n: usize) -> Value {
    json!({
        "type": "compaction",
        "id": format!("cmp_mock_{seed}_{n}"),
        "encrypted_content": format!("gAAAA_mock_compaction_{seed}_{n}"),
    })
}

/// The compaction items an answer carries: one, or none or two with a fault.
fn compaction_items(seed: u64, fault: Option<&CompactionFault>) -> Vec<Value> {
    match fault {
        Some(CompactionFault::NoItem) => Vec::new(),
        Some(CompactionFault::TwoItems) => vec![item(seed, 0), item(seed, 1)],
        _ => vec![item(seed, 0)],
    }
}

/// The v2 answer: the compaction item (or what `fault` asks for) and a small `usage`.
pub(crate) fn build(ctx: &Ctx, fault: Option<&CompactionFault>) -> Built {
    let mut out = Emitter::start(ctx);
    let items = compaction_items(ctx.seed, fault);
    let mut output = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        out.push(
            "response.output_item.added",
            json!({"output_index": index, "item": item}),
        );
        out.push(
            "response.output_item.done",
            json!({"output_index": index, "item": item}),
        );
        output.push(item);
    }
    if output.is_empty() {
        let id = format!("msg_{}_0", ctx.seed);
        let text = "The conversation so far, summarised.";
        output.push(message(&mut out, 0, &id, text, None));
    }
    let size = tokens(&Value::Array(output.clone()).to_string());
    out.finish(ctx, output, usage(size, size, 0))
}

/// `POST …/responses/compact` (v1): validated like a responses request, without `store`
/// and `stream`; never consumes a scripted response.
pub(crate) async fn handle(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
    Extension(Decoded(body)): Extension<Decoded>,
) -> Response {
    match compact(&state, uri.path(), &headers, body) {
        Ok(output) => Json(json!({ "output": output })).into_response(),
        Err(error) => {
            tracing::info!(status = error.status, body = %error.body, "compact request refused");
            error.into_response()
        }
    }
}

fn compact(
    state: &AppState,
    path: &str,
    headers: &HeaderMap,
    body: Result<Value, String>,
) -> Result<Vec<Value>, ApiError> {
    check_auth(state, headers)?;
    let body = body.map_err(|e| ApiError::invalid(&e, None, None))?;
    validate::require_model(&body)?;
    check_model(state, path, &body)?;
    let input = validate::input_list(&body)?;
    validate::input(input)?;
    let fault = fault(state)?;
    let kept = input.iter().filter(|item| is_user_message(item));
    let mut output: Vec<Value> = kept.cloned().collect();
    output.extend(compaction_items(state.next_id(), fault.as_ref()));
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        Ctx {
            id: "resp_1".into(),
            model: "gpt-5.5".into(),
            seed: 7,
            input_tokens: 900_000,
        }
    }

    fn output_types(built: &Built) -> Vec<&str> {
        built
            .output
            .iter()
            .map(|i| i["type"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn one_compaction_item_and_small_usage() {
        let built = build(&ctx(), None);
        assert_eq!(output_types(&built), ["compaction"]);
        assert!(built.output[0]["id"].as_str().unwrap().starts_with("cmp_"));
        let completed = built.events.last().unwrap();
        assert!(
            completed["response"]["usage"]["total_tokens"]
                .as_u64()
                .unwrap()
                < 100
        );
        assert!(is_trigger(&[json!({"type": "compaction_trigger"})]));
        assert!(!is_trigger(&[]));
    }

    #[test]
    fn faults_change_the_items() {
        let none = build(&ctx(), Some(&CompactionFault::NoItem));
        assert_eq!(output_types(&none), ["message"]);
        let two = build(&ctx(), Some(&CompactionFault::TwoItems));
        assert_eq!(output_types(&two), ["compaction", "compaction"]);
        assert_ne!(two.output[0]["id"], two.output[1]["id"]);
    }
}
