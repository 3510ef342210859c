//! Builds the event sequence of one response from a scripted response.

use serde_json::{Value, json};

use super::emitter::{Built, Ctx, Emitter};
use super::items::{custom_call, function_call, message, reasoning};
use crate::scenario::{Failure, ScriptedItem, ScriptedResponse};

/// The `usage` object of `response.completed`.
pub(super) fn usage(input: u64, output: u64, reasoning: u64) -> Value {
    json!({
        "input_tokens": input,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input + output,
    })
}

pub(super) fn tokens(text: &str) -> u64 {
    (text.len() as u64).div_ceil(4)
}

/// Builds the whole event list: `response.created` … items … `response.completed`.
pub(crate) fn build(script: &ScriptedResponse, ctx: &Ctx) -> Built {
    let mut out = Emitter::start(ctx);
    let mut output = Vec::new();
    let (mut out_tokens, mut reasoning_tokens) = (0, 0);
    for (index, item) in script.items.iter().enumerate() {
        let item_id = format!("{}_{}_{index}", prefix(item), ctx.seed);
        let done = match item {
            ScriptedItem::Message { text, deltas } => {
                out_tokens += tokens(text);
                message(&mut out, index, &item_id, text, deltas.as_deref())
            }
            ScriptedItem::Reasoning {
                summary,
                encrypted_content,
            } => {
                reasoning_tokens += summary.iter().map(|s| tokens(s)).sum::<u64>();
                let enc = encrypted_content
                    .clone()
                    .unwrap_or_else(|| format!("gAAAA_mock_{item_id}"));
                reasoning(&mut out, index, &item_id, summary, &enc)
            }
            ScriptedItem::FunctionCall {
                name,
                arguments,
                call_id,
            } => {
                let args = match arguments {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out_tokens += tokens(&args);
                let call_id = call_id
                    .clone()
                    .unwrap_or_else(|| format!("call_{}_{index}", ctx.seed));
                function_call(&mut out, index, &item_id, name, &args, &call_id)
            }
            ScriptedItem::CustomToolCall {
                name,
                input,
                call_id,
            } => {
                out_tokens += tokens(input);
                let call_id = call_id
                    .clone()
                    .unwrap_or_else(|| format!("call_{}_{index}", ctx.seed));
                custom_call(&mut out, index, &item_id, name, input, &call_id)
            }
        };
        output.push(done);
    }
    let input_tokens = script.input_tokens.unwrap_or(ctx.input_tokens);
    let output_tokens = out_tokens + reasoning_tokens;
    out.finish(
        ctx,
        output,
        usage(input_tokens, output_tokens, reasoning_tokens),
    )
}

/// A `response.failed` event replacing `response.completed`.
pub(crate) fn failed(ctx_id: &str, sequence: usize, failure: &Failure) -> Value {
    json!({
        "type": "response.failed", "sequence_number": sequence,
        "response": {
            "id": ctx_id, "object": "response", "status": "failed",
            "error": {"code": failure.code, "message": failure.message},
            "incomplete_details": null, "output": [],
        },
    })
}

fn prefix(item: &ScriptedItem) -> &'static str {
    match item {
        ScriptedItem::Message { .. } => "msg",
        ScriptedItem::Reasoning { .. } => "rs",
        ScriptedItem::FunctionCall { .. } => "fc",
        ScriptedItem::CustomToolCall { .. } => "ctc",
    }
}
