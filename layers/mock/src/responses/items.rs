//! Event sequences of single output items (message, reasoning, tool calls).

use serde_json::{Value, json};

use super::emitter::{Emitter, split_words};

pub(super) fn message(
    out: &mut Emitter,
    index: usize,
    id: &str,
    text: &str,
    deltas: Option<&[String]>,
) -> Value {
    let added = json!({"id": id, "type": "message", "status": "in_progress", "role": "assistant", "content": []});
    out.push(
        "response.output_item.added",
        json!({"output_index": index, "item": added}),
    );
    let part = |t: &str| json!({"type": "output_text", "text": t, "annotations": []});
    let loc = json!({"item_id": id, "output_index": index, "content_index": 0});
    out.push(
        "response.content_part.added",
        merge(&loc, json!({"part": part("")})),
    );
    let deltas = deltas.map_or_else(|| split_words(text), <[String]>::to_vec);
    for delta in deltas {
        out.push(
            "response.output_text.delta",
            merge(&loc, json!({"delta": delta})),
        );
    }
    out.push(
        "response.output_text.done",
        merge(&loc, json!({"text": text})),
    );
    out.push(
        "response.content_part.done",
        merge(&loc, json!({"part": part(text)})),
    );
    let done = json!({"id": id, "type": "message", "status": "completed", "role": "assistant", "content": [part(text)]});
    out.push(
        "response.output_item.done",
        json!({"output_index": index, "item": done}),
    );
    done
}

pub(super) fn reasoning(
    out: &mut Emitter,
    index: usize,
    id: &str,
    summary: &[String],
    enc: &str,
) -> Value {
    let added = json!({"id": id, "type": "reasoning", "summary": []});
    out.push(
        "response.output_item.added",
        json!({"output_index": index, "item": added}),
    );
    for (si, text) in summary.iter().enumerate() {
        let loc = json!({"item_id": id, "output_index": index, "summary_index": si});
        let part = |t: &str| json!({"type": "summary_text", "text": t});
        out.push(
            "response.reasoning_summary_part.added",
            merge(&loc, json!({"part": part("")})),
        );
        for delta in split_words(text) {
            out.push(
                "response.reasoning_summary_text.delta",
                merge(&loc, json!({"delta": delta})),
            );
        }
        out.push(
            "response.reasoning_summary_text.done",
            merge(&loc, json!({"text": text})),
        );
        out.push(
            "response.reasoning_summary_part.done",
            merge(&loc, json!({"part": part(text)})),
        );
    }
    let parts: Vec<Value> = summary
        .iter()
        .map(|t| json!({"type": "summary_text", "text": t}))
        .collect();
    let done = json!({"id": id, "type": "reasoning", "summary": parts, "encrypted_content": enc});
    out.push(
        "response.output_item.done",
        json!({"output_index": index, "item": done}),
    );
    done
}

pub(super) fn function_call(
    out: &mut Emitter,
    index: usize,
    id: &str,
    name: &str,
    args: &str,
    call_id: &str,
) -> Value {
    let item = |status: &str, a: &str| json!({"id": id, "type": "function_call", "status": status, "call_id": call_id, "name": name, "arguments": a});
    out.push(
        "response.output_item.added",
        json!({"output_index": index, "item": item("in_progress", "")}),
    );
    let loc = json!({"item_id": id, "output_index": index});
    out.push(
        "response.function_call_arguments.delta",
        merge(&loc, json!({"delta": args})),
    );
    out.push(
        "response.function_call_arguments.done",
        merge(&loc, json!({"arguments": args})),
    );
    let done = item("completed", args);
    out.push(
        "response.output_item.done",
        json!({"output_index": index, "item": done}),
    );
    done
}

pub(super) fn custom_call(
    out: &mut Emitter,
    index: usize,
    id: &str,
    name: &str,
    input: &str,
    call_id: &str,
) -> Value {
    let item = |status: &str, i: &str| json!({"id": id, "type": "custom_tool_call", "status": status, "call_id": call_id, "name": name, "input": i});
    out.push(
        "response.output_item.added",
        json!({"output_index": index, "item": item("in_progress", "")}),
    );
    let loc = json!({"item_id": id, "call_id": call_id, "output_index": index});
    out.push(
        "response.custom_tool_call_input.delta",
        merge(&loc, json!({"delta": input})),
    );
    out.push(
        "response.custom_tool_call_input.done",
        merge(&loc, json!({"input": input})),
    );
    let done = item("completed", input);
    out.push(
        "response.output_item.done",
        json!({"output_index": index, "item": done}),
    );
    done
}

fn merge(base: &Value, extra: Value) -> Value {
    let mut merged = base.clone();
    if let (Some(m), Value::Object(extra)) = (merged.as_object_mut(), extra) {
        m.extend(extra);
    }
    merged
}
