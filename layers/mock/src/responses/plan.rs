//! Deciding the answer to a validated request: a compaction, an empty prewarm, the
//! conversation's next scripted response or the default one.

use std::collections::BTreeMap;

use serde_json::Value;

use super::common::ApiError;
use super::emitter::{Built, Ctx};
use super::{compaction, events, validate};
use crate::common::lock;
use crate::scenario::{Faults, ScriptedResponse};
use crate::state::AppState;

/// Text of the last user message in `input`.
pub(crate) fn last_user_text(input: &[Value]) -> Option<String> {
    let message = input
        .iter()
        .rev()
        .find(|item| compaction::is_user_message(item))?;
    match message.get("content")? {
        Value::String(text) => Some(text.clone()),
        Value::Array(parts) => Some(
            parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    }
}

/// The default behaviour: a reasoning item, then a message quoting the last user text.
pub(crate) fn default_script(input: &[Value]) -> ScriptedResponse {
    let reply = match last_user_text(input) {
        Some(text) => format!("You said: \"{text}\""),
        None => "Hello from clanka-mock.".to_owned(),
    };
    ScriptedResponse::new()
        .reasoning("Reading the request.")
        .message(reply)
}

/// The per-response context (id, model, token estimate). The estimate counts the input
/// from its last compaction item on: that item stands for the history before it.
pub(crate) fn context(state: &AppState, body: &Value, input: &[Value]) -> Ctx {
    let seed = state.next_id();
    let history = &input[validate::history_start(input)..];
    let input_len = serde_json::to_string(history).map(|s| s.len()).unwrap_or(0) as u64;
    Ctx {
        id: format!("resp_mock_{seed}"),
        model: body
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("gpt-5.5")
            .to_owned(),
        seed,
        input_tokens: input_len.div_ceil(4),
    }
}

/// Decides the answer to a validated request over `input` (its full input): a compaction
/// when the input ends with `compaction_trigger` (no scripted response is consumed), an
/// empty response for a prewarm (`generate: false`), else the conversation's next scripted
/// response or the default. `key` names the conversation.
pub(crate) fn plan(
    state: &AppState,
    body: &Value,
    input: &[Value],
    key: impl FnOnce() -> String,
) -> Result<(Built, Faults), ApiError> {
    let ctx = context(state, body, input);
    if compaction::is_trigger(input) {
        let fault = compaction::fault(state)?;
        return Ok((compaction::build(&ctx, fault.as_ref()), Faults::default()));
    }
    let script = if body.get("generate") == Some(&Value::Bool(false)) {
        ScriptedResponse::new()
    } else {
        let model = body.get("model").and_then(Value::as_str);
        state
            .next_script(&key(), model)
            .unwrap_or_else(|| default_script(input))
    };
    if let Some(error) = &script.faults.http_error {
        return Err(ApiError::from(error));
    }
    Ok((events::build(&script, &ctx), script.faults))
}

/// Headers a `/responses` answer carries when the options ask for them: a fresh
/// `x-codex-turn-state` and the catalogue's `x-models-etag`.
pub(crate) fn answer_headers(state: &AppState) -> BTreeMap<String, String> {
    let mut headers = BTreeMap::new();
    if state.options.turn_state {
        headers.insert("x-codex-turn-state".to_owned(), state.next_turn_state());
    }
    if state.options.models_etag_header {
        let etag = lock(&state.catalog).etag().to_owned();
        headers.insert("x-models-etag".to_owned(), etag);
    }
    headers
}
