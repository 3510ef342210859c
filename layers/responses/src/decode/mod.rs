//! Turning Responses events (SSE `data:` payloads or WebSocket text frames, §3.3) into
//! [`StreamPart`]s.
//!
//! The decoder is transport-neutral and synchronous: feed it one payload at a time with
//! [`EventDecoder::decode`]; it appends parts to a buffer and says when the response is
//! complete or failed. Unparsable payloads are logged and skipped (§3.1).

mod event;
mod items;

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
    open: Vec<Open>,
    saw_tool_call: bool,
    skipped: usize,
    turn_state: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
enum Section {
    Text,
    Reasoning,
}

#[derive(Debug)]
struct Open {
    id: String,
    section: Section,
    /// The summary index of the last reasoning delta, to separate summary parts.
    summary_index: Option<u64>,
}

impl EventDecoder {
    /// A decoder for a new response.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many payloads could not be parsed and were skipped.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The sticky-routing token from a `response.metadata` event, if one came (§2.2).
    pub fn turn_state(&self) -> Option<&str> {
        self.turn_state.as_deref()
    }

    /// Decodes one payload, appending its parts to `parts`.
    pub fn decode(&mut self, data: &str, parts: &mut Vec<StreamPart>) -> Decoded {
        let event: Event<'_> = match serde_json::from_str(data) {
            Ok(event) => event,
            Err(error) => {
                self.skipped += 1;
                tracing::warn!(%error, bytes = data.len(), "skipping an unparsable response event");
                return Decoded::Continue;
            }
        };
        match event.kind.as_ref() {
            "response.output_text.delta" => {
                let id = event.item_id.as_deref().unwrap_or_default();
                self.ensure_open(id, Section::Text, parts);
                parts.push(StreamPart::TextDelta {
                    id: id.to_owned(),
                    delta: event.delta.unwrap_or_default().into_owned(),
                });
            }
            "response.reasoning_summary_text.delta" | "response.reasoning_text.delta" => {
                let id = event.item_id.as_deref().unwrap_or_default();
                self.ensure_open(id, Section::Reasoning, parts);
                let mut delta = event.delta.unwrap_or_default().into_owned();
                if let Some(open) = self.open.iter_mut().find(|o| o.id == id) {
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
                if let Some(item) = event.item {
                    self.on_item_added(&item, parts);
                }
            }
            "response.output_item.done" => {
                if let Some(item) = event.item {
                    self.on_item_done(&item, parts);
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
        if self.open.iter().any(|o| o.id == id) {
            return;
        }
        parts.push(match section {
            Section::Text => StreamPart::TextStart { id: id.to_owned() },
            Section::Reasoning => StreamPart::ReasoningStart { id: id.to_owned() },
        });
        self.open.push(Open {
            id: id.to_owned(),
            section,
            summary_index: None,
        });
    }

    /// Removes `id` from the open sections; whether it was open.
    fn close(&mut self, id: &str) -> bool {
        match self.open.iter().position(|o| o.id == id) {
            Some(index) => {
                self.open.remove(index);
                true
            }
            None => false,
        }
    }

    fn on_completed(&mut self, response: Option<Value>, parts: &mut Vec<StreamPart>) -> Decoded {
        let response = response.unwrap_or(Value::Null);
        let Some(id) = response.get("id").and_then(Value::as_str) else {
            return Decoded::Failed(AiError::InvalidResponse {
                message: "response.completed without a response id".to_owned(),
            });
        };
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

    /// Deviation from §3.3: an incomplete response ends with a finish reason
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

    /// Ends sections whose `output_item.done` never came.
    fn close_all(&mut self, parts: &mut Vec<StreamPart>) {
        for open in std::mem::take(&mut self.open) {
            parts.push(match open.section {
                Section::Text => StreamPart::TextEnd { id: open.id },
                Section::Reasoning => StreamPart::ReasoningEnd {
                    id: open.id,
                    summary: Vec::new(),
                    encrypted_content: None,
                },
            });
        }
    }
}

fn failed(response: Option<&Value>) -> AiError {
    let error = response
        .and_then(|r| r.get("error"))
        .unwrap_or(&Value::Null);
    crate::status::from_failure(error, None)
}

#[cfg(test)]
mod tests;
