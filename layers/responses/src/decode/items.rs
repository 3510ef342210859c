//! Output items: where sections start and end, and tool calls.

use clanka_model::{AiError, StreamPart, ToolCall, ToolCallKind, Usage};
use serde_json::Value;

use super::{EventDecoder, Section};

fn text<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

/// The `text` of every element of `value[key]`.
/// Whether an output item of type `kind` is a compaction (`compaction_summary` is
/// the older name).
pub(crate) fn is_compaction(kind: &str) -> bool {
    matches!(kind, "compaction" | "compaction_summary")
}

/// The part of a compaction item, which must carry its encrypted content.
pub(crate) fn compaction_part(item: &Value) -> Result<StreamPart, AiError> {
    let Some(encrypted) = text(item, "encrypted_content").filter(|e| !e.is_empty()) else {
        return Err(AiError::InvalidResponse {
            message: "a compaction item without its encrypted_content".to_owned(),
        });
    };
    Ok(StreamPart::Compaction {
        id: text(item, "id").unwrap_or_default().to_owned(),
        encrypted_content: encrypted.to_owned(),
    })
}

fn texts(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .filter_map(|part| text(part, "text").map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl EventDecoder {
    pub(super) fn on_item_added(&mut self, item: &Value, parts: &mut Vec<StreamPart>) {
        let id = text(item, "id").unwrap_or_default();
        match text(item, "type") {
            Some("message") => self.ensure_open(id, Section::Text, parts),
            Some("reasoning") => self.ensure_open(id, Section::Reasoning, parts),
            Some("function_call" | "custom_tool_call") if !id.is_empty() => {
                self.pending_calls.insert(id.to_owned());
            }
            _ => {}
        }
    }

    /// The authoritative item: ends its section, or carries a whole tool call.
    pub(super) fn on_item_done(
        &mut self,
        item: &Value,
        parts: &mut Vec<StreamPart>,
    ) -> Result<(), AiError> {
        let id = text(item, "id").unwrap_or_default();
        match text(item, "type") {
            Some("message") => {
                if !self.close(id) {
                    let full = texts(item, "content").concat();
                    if full.is_empty() {
                        return Ok(());
                    }
                    parts.push(StreamPart::TextStart { id: id.to_owned() });
                    parts.push(StreamPart::TextDelta {
                        id: id.to_owned(),
                        delta: full,
                    });
                }
                parts.push(StreamPart::TextEnd { id: id.to_owned() });
            }
            Some("reasoning") => {
                let summary = texts(item, "summary");
                if !self.close(id) {
                    parts.push(StreamPart::ReasoningStart { id: id.to_owned() });
                    if !summary.is_empty() {
                        parts.push(StreamPart::ReasoningDelta {
                            id: id.to_owned(),
                            delta: summary.join("\n\n"),
                        });
                    }
                }
                parts.push(StreamPart::ReasoningEnd {
                    id: id.to_owned(),
                    summary,
                    encrypted_content: text(item, "encrypted_content").map(str::to_owned),
                });
            }
            Some("function_call") => {
                let (Some(call_id), Some(name), Some(arguments)) = (
                    text(item, "call_id"),
                    text(item, "name"),
                    text(item, "arguments"),
                ) else {
                    return Err(AiError::InvalidResponse {
                        message: "a function_call item without its call_id, name or arguments"
                            .to_owned(),
                    });
                };
                self.pending_calls.remove(id);
                self.saw_tool_call = true;
                parts.push(StreamPart::ToolCall(ToolCall {
                    id: call_id.to_owned(),
                    item_id: (!id.is_empty()).then(|| id.to_owned()),
                    name: name.to_owned(),
                    arguments: arguments.to_owned(),
                    kind: ToolCallKind::Function,
                }));
            }
            Some("custom_tool_call") => {
                let (Some(call_id), Some(name), Some(input)) = (
                    text(item, "call_id"),
                    text(item, "name"),
                    text(item, "input"),
                ) else {
                    return Err(AiError::InvalidResponse {
                        message: "a custom_tool_call item without its call_id, name or input"
                            .to_owned(),
                    });
                };
                self.pending_calls.remove(id);
                self.saw_tool_call = true;
                let mut call = ToolCall::freeform(call_id, name, input);
                call.item_id = (!id.is_empty()).then(|| id.to_owned());
                parts.push(StreamPart::ToolCall(call));
            }
            Some(kind) if is_compaction(kind) => parts.push(compaction_part(item)?),
            None => {
                return Err(AiError::InvalidResponse {
                    message: "an output item without a type".to_owned(),
                });
            }
            Some(other) => tracing::debug!(item = other, "ignoring an output item of another type"),
        }
        Ok(())
    }
}

/// `response.usage`; `None` when a required count is missing.
pub(super) fn usage(value: &Value) -> Option<Usage> {
    let count = |pointer: &str| value.pointer(pointer).and_then(Value::as_u64);
    Some(Usage {
        input_tokens: count("/input_tokens")?,
        cached_input_tokens: count("/input_tokens_details/cached_tokens").unwrap_or(0),
        output_tokens: count("/output_tokens")?,
        reasoning_tokens: count("/output_tokens_details/reasoning_tokens").unwrap_or(0),
        total_tokens: count("/total_tokens")?,
    })
}
