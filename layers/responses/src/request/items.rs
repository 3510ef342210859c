//! History messages as Responses API input items.

use std::collections::HashSet;

use clanka_model::{AiError, AssistantItem, Message, ToolCallKind, UserPart};
use serde_json::{Value, json};

/// The items of `message`; a result of one of the `freeform` calls is a custom tool
/// call's output.
pub(crate) fn message_items(message: &Message, freeform: &HashSet<&str>) -> Vec<Value> {
    let mut items = Vec::with_capacity(1);
    match message {
        Message::ToolResult { call_id, .. } if freeform.contains(call_id.as_str()) => {
            push_result(&mut items, message, "custom_tool_call_output");
        }
        _ => push_message(&mut items, message),
    }
    items
}

/// Appends the items of one message (a tool result as a function call's output).
pub(crate) fn push_message(items: &mut Vec<Value>, message: &Message) {
    match message {
        Message::Developer { text } => items.push(json!({
            "type": "message",
            "role": "developer",
            "content": [{"type": "input_text", "text": text}],
        })),
        Message::User { content } => {
            let parts: Vec<Value> = content.iter().map(user_part).collect();
            items.push(json!({"type": "message", "role": "user", "content": parts}));
        }
        Message::Assistant { items: output } => push_assistant(items, output),
        Message::ToolResult { .. } => push_result(items, message, "function_call_output"),
    }
}

/// A tool result as an output item of `kind`; with images, the output is a list of
/// content parts (the text, then each image).
fn push_result(items: &mut Vec<Value>, message: &Message, kind: &str) {
    let Message::ToolResult {
        call_id,
        output,
        images,
        ..
    } = message
    else {
        return;
    };
    let output = if images.is_empty() {
        json!(output)
    } else {
        let mut parts = Vec::with_capacity(images.len() + 1);
        if !output.is_empty() {
            parts.push(json!({"type": "input_text", "text": output}));
        }
        parts.extend(
            images
                .iter()
                .map(|url| json!({"type": "input_image", "image_url": url})),
        );
        Value::Array(parts)
    };
    items.push(json!({"type": kind, "call_id": call_id, "output": output}));
}

fn user_part(part: &UserPart) -> Value {
    match part {
        UserPart::Text { text } => json!({"type": "input_text", "text": text}),
        UserPart::Image { url } => json!({"type": "input_image", "image_url": url}),
    }
}

/// Assistant output replayed in order. A reasoning item is sent only with its
/// encrypted content (with `store: false` the backend has nothing else) and only
/// when an item follows it in the same response, as the backend requires.
fn push_assistant(items: &mut Vec<Value>, output: &[AssistantItem]) {
    for (index, item) in output.iter().enumerate() {
        match item {
            AssistantItem::Text { id, text } => {
                let mut value = json!({
                    "type": "message",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": text}],
                });
                set_server_id(&mut value, id.as_deref(), "msg_");
                items.push(value);
            }
            AssistantItem::Reasoning {
                id,
                summary,
                encrypted_content,
            } => {
                let Some(encrypted) = encrypted_content else {
                    continue;
                };
                if index + 1 == output.len() {
                    continue;
                }
                let summary: Vec<Value> = summary
                    .iter()
                    .map(|text| json!({"type": "summary_text", "text": text}))
                    .collect();
                let mut value = json!({
                    "type": "reasoning",
                    "summary": summary,
                    "encrypted_content": encrypted,
                });
                set_server_id(&mut value, id.as_deref(), "rs_");
                items.push(value);
            }
            AssistantItem::ToolCall(call) => {
                let (kind, argument, prefix) = match call.kind {
                    ToolCallKind::Function => ("function_call", "arguments", "fc_"),
                    ToolCallKind::Freeform => ("custom_tool_call", "input", "ctc_"),
                };
                // Fields in the official client's order: type, name, the argument, id.
                let mut value = json!({"type": kind, "name": call.name});
                value[argument] = json!(call.arguments);
                value["call_id"] = json!(call.id);
                set_server_id(&mut value, call.item_id.as_deref(), prefix);
                items.push(value);
            }
            AssistantItem::Compaction {
                id,
                encrypted_content,
            } => {
                let mut value = json!({
                    "type": "compaction",
                    "encrypted_content": encrypted_content,
                });
                set_server_id(&mut value, id.as_deref(), "cmp_");
                items.push(value);
            }
        }
    }
}

/// Sends an item id only when it carries the server's prefix: ids of our own
/// making would be rejected as unknown items.
fn set_server_id(value: &mut Value, id: Option<&str>, prefix: &str) {
    if let Some(id) = id.filter(|id| id.starts_with(prefix)) {
        value["id"] = Value::String(id.to_owned());
    }
}

/// Checks that every tool call has exactly one result and every result has its call
/// (the backend rejects the request otherwise); returns the ids of the freeform calls
/// (their results are custom tool outputs).
pub(crate) fn check_pairs<'m>(
    messages: impl Iterator<Item = &'m Message>,
) -> Result<HashSet<&'m str>, AiError> {
    let mut open: Vec<&str> = Vec::new();
    let mut freeform = HashSet::new();
    for message in messages {
        match message {
            Message::Assistant { .. } => {
                for call in message.tool_calls() {
                    open.push(call.id.as_str());
                    if call.kind == ToolCallKind::Freeform {
                        freeform.insert(call.id.as_str());
                    }
                }
            }
            Message::ToolResult { call_id, .. } => {
                let Some(position) = open.iter().position(|id| id == call_id) else {
                    return Err(invalid(format!(
                        "tool result `{call_id}` answers no earlier tool call"
                    )));
                };
                open.swap_remove(position);
            }
            _ => {}
        }
    }
    match open.first() {
        None => Ok(freeform),
        Some(id) => Err(invalid(format!("tool call `{id}` has no tool result"))),
    }
}

fn invalid(message: String) -> AiError {
    AiError::InvalidRequest { message }
}
