//! Turning Responses events (SSE `data:` payloads or WebSocket text frames) into
//! [`StreamPart`]s.
//!
//! The decoder is transport-neutral and synchronous: feed it one payload at a time with
//! [`EventDecoder::decode`]; it appends parts to a buffer and says when the response is
//! complete or failed. Events of unknown types are ignored; a payload that cannot be
//! decoded, or a known event missing what it must carry, fails the response (a
//! retryable [`AiError::InvalidResponse`]), so no text or tool call is ever lost
//! silently. Every event costs O(1) in the number of items.

mod event;
mod items;

pub(crate) use items::{compaction_part, is_compaction};

use std::collections::{HashMap, HashSet};

use clanka_model::{AiError, FinishReason, StreamPart};
use serde_json::Value;

use event::Event;

/// What a payload meant for the response as a whole.
#[derive(Debug)]
pub enum Decoded {
    /// More events follow.
    Continue,
    /// `response.completed`: the response is whole.
    Completed,
    /// The response failed with this error.
    Failed(AiError),
}

/// Incremental decoder of one response's events.
///
/// # Example
///
/// ```
/// use clanka_model::StreamPart;
/// use clanka_responses::{Decoded, EventDecoder};
///
/// let mut decoder = EventDecoder::new();
/// let mut parts = Vec::new();
/// decoder.decode(r#"{"type":"response.created","response":{"id":"resp_1"}}"#, &mut parts);
/// decoder.decode(r#"{"type":"response.output_text.delta","item_id":"msg_1","delta":"Hi"}"#, &mut parts);
/// let done = decoder.decode(r#"{"type":"response.completed","response":{"id":"resp_1"}}"#, &mut parts);
/// assert!(matches!(done, Decoded::Completed));
/// assert!(matches!(&parts[2], StreamPart::TextDelta { delta, .. } if delta == "Hi"));
/// ```
#[derive(Debug, Default)]
pub struct EventDecoder {
    /// Text and reasoning sections started and not ended, by item id.
    open: HashMap<String, Open>,
    /// Start order of the next section, to close sections in order.
    opened: u64,
    /// Tool-call items announced by `output_item.added` and not yet done.
    pending_calls: HashSet<String>,
    saw_tool_call: bool,
    turn_state: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
enum Section {
    Text,
    Reasoning,
}

#[derive(Debug)]
struct Open {
    section: Section,
    order: u64,
    /// The summary index of the last reasoning delta, to separate summary parts.
    summary_index: Option<u64>,
}

impl EventDecoder {
    /// A decoder for a new response.
    pub fn new() -> Self {
        Self::default()
    }

    /// The sticky-routing token from a `response.metadata` event, once: it is taken
    /// the first time it is asked for after it came.
    pub fn take_turn_state(&mut self) -> Option<String> {
        self.turn_state.take()
    }

    /// Decodes one payload, appending its parts to `parts`.
    pub fn decode(&mut self, data: &str, parts: &mut Vec<StreamPart>) -> Decoded {
        let event: Event<'_> = match serde_json::from_str(data) {
            Ok(event) => event,
            Err(error) => {
                // The payload itself is never quoted: it may hold user content.
                tracing::warn!(%error, bytes = data.len(), "undecodable response event");
                return Decoded::Failed(invalid(format!(
                    "an event of {} bytes could not be decoded ({error})",
                    data.len()
                )));
            }
        };
        let kind = event.kind.as_ref();
        match kind {
            "response.output_text.delta" => {
                let (Some(id), Some(delta)) = (event.item_id, event.delta) else {
                    return Decoded::Failed(missing(kind, "item_id and delta"));
                };
                self.ensure_open(&id, Section::Text, parts);
                parts.push(StreamPart::TextDelta {
                    id: id.into_owned(),
                    delta: delta.into_owned(),
                });
            }
            "response.reasoning_summary_text.delta" | "response.reasoning_text.delta" => {
                let (Some(id), Some(delta)) = (event.item_id, event.delta) else {
                    return Decoded::Failed(missing(kind, "item_id and delta"));
                };
                let id = id.as_ref();
                self.ensure_open(id, Section::Reasoning, parts);
                let mut delta = delta.into_owned();
                if let Some(open) = self.open.get_mut(id) {
                    let index = event.summary_index;
                    if open.summary_index.is_some()
                        && index.is_some()
                        && open.summary_index != index
                    {
                        delta.insert_str(0, "\n\n");
                    }
                    open.summary_index = index.or(open.summary_index);
                }
                parts.push(StreamPart::ReasoningDelta {
                    id: id.to_owned(),
                    delta,
                });
            }
            "response.created" => {
                let response = event.response.unwrap_or(Value::Null);
                let text = |key: &str| response.get(key).and_then(Value::as_str).map(str::to_owned);
                parts.push(StreamPart::ResponseStarted {
                    id: text("id").unwrap_or_default(),
                    model: text("model"),
                });
            }
            "response.output_item.added" => {
                let Some(item) = event.item else {
                    return Decoded::Failed(missing(kind, "item"));
                };
                self.on_item_added(&item, parts);
            }
            "response.output_item.done" => {
                let Some(item) = event.item else {
                    return Decoded::Failed(missing(kind, "item"));
                };
                if let Err(error) = self.on_item_done(&item, parts) {
                    return Decoded::Failed(error);
                }
            }
            "response.completed" => return self.on_completed(event.response, parts),
            "response.incomplete" => return self.on_incomplete(event.response, parts),
            "response.failed" => return Decoded::Failed(failed(event.response.as_ref())),
            "error" => {
                let frame: Value = serde_json::from_str(data).unwrap_or(Value::Null);
                return Decoded::Failed(crate::status::from_error_frame(&frame));
            }
            "codex.rate_limits" => {
                if let Some(snapshot) = crate::rate_limits::from_event(data) {
                    parts.push(StreamPart::RateLimits(snapshot));
                }
            }
            "response.metadata" => {
                let state = event
                    .headers
                    .as_ref()
                    .and_then(|h| h.get("x-codex-turn-state"))
                    .and_then(Value::as_str);
                if let Some(state) = state {
                    self.turn_state = Some(state.to_owned());
                }
            }
            other => tracing::trace!(event = other, "ignoring response event"),
        }
        Decoded::Continue
    }

    fn ensure_open(&mut self, id: &str, section: Section, parts: &mut Vec<StreamPart>) {
        if self.open.contains_key(id) {
            return;
        }
        parts.push(match section {
            Section::Text => StreamPart::TextStart { id: id.to_owned() },
            Section::Reasoning => StreamPart::ReasoningStart { id: id.to_owned() },
        });
        self.opened += 1;
        let open = Open {
            section,
            order: self.opened,
            summary_index: None,
        };
        self.open.insert(id.to_owned(), open);
    }

    /// Removes `id` from the open sections; whether it was open.
    fn close(&mut self, id: &str) -> bool {
        self.open.remove(id).is_some()
    }

    fn on_completed(&mut self, response: Option<Value>, parts: &mut Vec<StreamPart>) -> Decoded {
        let response = response.unwrap_or(Value::Null);
        let Some(id) = response.get("id").and_then(Value::as_str) else {
            return Decoded::Failed(missing("response.completed", "response.id"));
        };
        if let Some(call) = self.pending_calls.iter().next() {
            return Decoded::Failed(invalid(format!(
                "the response completed while tool call `{call}` was unfinished"
            )));
        }
        self.close_all(parts);
        if let Some(usage) = response.get("usage").and_then(items::usage) {
            parts.push(StreamPart::Usage(usage));
        }
        let reason = if self.saw_tool_call {
            FinishReason::ToolCalls
        } else {
            FinishReason::Stop
        };
        parts.push(StreamPart::Finish {
            reason,
            response_id: Some(id.to_owned()),
        });
        Decoded::Completed
    }

    /// Deviation from the official client: an incomplete response ends with a finish reason
    /// (`length`, `content_filter`) instead of a retryable error, because retrying
    /// the same request would hit the same limit.
    fn on_incomplete(&mut self, response: Option<Value>, parts: &mut Vec<StreamPart>) -> Decoded {
        let response = response.unwrap_or(Value::Null);
        let reason = response
            .pointer("/incomplete_details/reason")
            .and_then(Value::as_str)
            .unwrap_or("incomplete");
        self.close_all(parts);
        if let Some(usage) = response.get("usage").and_then(items::usage) {
            parts.push(StreamPart::Usage(usage));
        }
        let reason = match reason {
            "max_output_tokens" => FinishReason::Length,
            "content_filter" => FinishReason::ContentFilter,
            other => FinishReason::Other(other.to_owned()),
        };
        parts.push(StreamPart::Finish {
            reason,
            response_id: response
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_owned),
        });
        Decoded::Completed
    }

    /// Ends sections whose `output_item.done` never came, in the order they started.
    fn close_all(&mut self, parts: &mut Vec<StreamPart>) {
        let mut open: Vec<(String, Open)> = self.open.drain().collect();
        open.sort_by_key(|(_, open)| open.order);
        for (id, open) in open {
            parts.push(match open.section {
                Section::Text => StreamPart::TextEnd { id },
                Section::Reasoning => StreamPart::ReasoningEnd {
                    id,
                    summary: Vec::new(),
                    encrypted_content: None,
                },
            });
        }
    }
}

fn invalid(message: String) -> AiError {
    AiError::InvalidResponse { message }
}

fn missing(kind: &str, what: &str) -> AiError {
    invalid(format!("a `{kind}` event without its {what}"))
}

fn failed(response: Option<&Value>) -> AiError {
    let error = response
        .and_then(|r| r.get("error"))
        .unwrap_or(&Value::Null);
    crate::status::from_failure(error, None)
}

#[cfg(test)]
mod tests;
