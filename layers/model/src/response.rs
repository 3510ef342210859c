//! Folding a stream of parts into one complete response.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{
    AiError, AssistantItem, FinishReason, Message, RateLimitSnapshot, StreamPart, ToolCall, Usage,
};

/// A complete model response: its items, ready to append to history, and its metadata.
///
/// Built by [`PartStream::collect_response`](crate::PartStream::collect_response),
/// [`LanguageModel::generate`](crate::LanguageModel::generate), or by feeding parts to a
/// [`ResponseCollector`] while also rendering them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Response {
    /// Provider response id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The model that served the request, when the provider said.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Output items in the order they started.
    pub items: Vec<AssistantItem>,
    /// Tokens used.
    pub usage: Usage,
    /// Why the model stopped.
    pub finish_reason: Option<FinishReason>,
    /// Rate-limit snapshots in arrival order, one per limit family.
    pub rate_limits: Vec<RateLimitSnapshot>,
}

impl Response {
    /// The concatenated text of the text items.
    pub fn text(&self) -> String {
        self.items
            .iter()
            .filter_map(|item| match item {
                AssistantItem::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The tool calls, in order.
    pub fn tool_calls(&self) -> impl Iterator<Item = &ToolCall> {
        crate::message::tool_calls(&self.items)
    }

    /// The items as an assistant message for history, or `None` when there are none.
    pub fn into_message(self) -> Option<Message> {
        (!self.items.is_empty()).then_some(Message::Assistant { items: self.items })
    }
}

/// Folds [`StreamPart`]s into a [`Response`], one part at a time.
///
/// Text and reasoning items take their slot when they start (or at their first
/// delta or end, if the start is missing); deltas append to them; a reasoning end
/// sets the summary and encrypted content (falling back to the deltas when it has no
/// summary). Usage parts add up. A [`StreamPart::Retry`] starts the response over
/// (keeping rate-limit snapshots). The response is complete only after
/// [`StreamPart::Finish`]. Every part costs O(1), whatever the number of items.
///
/// # Example
///
/// ```
/// use clanka_model::{FinishReason, ResponseCollector, StreamPart};
///
/// let mut collector = ResponseCollector::new();
/// for part in [
///     StreamPart::TextDelta { id: "msg_1".into(), delta: "Hello".into() },
///     StreamPart::TextDelta { id: "msg_1".into(), delta: ", world".into() },
///     StreamPart::Finish { reason: FinishReason::Stop, response_id: Some("resp_1".into()) },
/// ] {
///     collector.push(&part);
/// }
/// let response = collector.finish()?;
/// assert_eq!(response.text(), "Hello, world");
/// assert_eq!(response.id.as_deref(), Some("resp_1"));
/// # Ok::<(), clanka_model::AiError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ResponseCollector {
    response: Response,
    /// The item indexes of the text and reasoning items seen so far, by part id.
    slots: HashMap<String, [Option<usize>; 2]>,
    /// Reasoning text received as deltas, per item index.
    reasoning: HashMap<usize, String>,
}

impl ResponseCollector {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one part into the response.
    pub fn push(&mut self, part: &StreamPart) {
        match part {
            StreamPart::ResponseStarted { id, model } => {
                self.response.id = Some(id.clone());
                self.response.model.clone_from(model);
            }
            StreamPart::TextStart { id } | StreamPart::TextEnd { id } => {
                self.text_slot(id);
            }
            StreamPart::TextDelta { id, delta } => {
                let index = self.text_slot(id);
                if let Some(AssistantItem::Text { text, .. }) = self.response.items.get_mut(index) {
                    text.push_str(delta);
                }
            }
            StreamPart::ReasoningStart { id } => {
                self.reasoning_slot(id);
            }
            StreamPart::ReasoningDelta { id, delta } => {
                let index = self.reasoning_slot(id);
                self.reasoning.entry(index).or_default().push_str(delta);
            }
            StreamPart::ReasoningEnd {
                id,
                summary,
                encrypted_content,
            } => self.reasoning_end(id, summary, encrypted_content.as_ref()),
            StreamPart::ToolCall(call) => {
                self.response
                    .items
                    .push(AssistantItem::ToolCall(call.clone()));
            }
            StreamPart::Compaction {
                id,
                encrypted_content,
            } => self.response.items.push(AssistantItem::Compaction {
                id: (!id.is_empty()).then(|| id.clone()),
                encrypted_content: encrypted_content.clone(),
            }),
            StreamPart::Usage(usage) => self.response.usage += *usage,
            StreamPart::RateLimits(snapshot) => self.response.rate_limits.push(snapshot.clone()),
            StreamPart::Retry { .. } => {
                // The attempt failed and is sent again: keep only what the provider
                // reported about the account.
                let rate_limits = std::mem::take(&mut self.response.rate_limits);
                *self = Self::default();
                self.response.rate_limits = rate_limits;
            }
            StreamPart::Finish {
                reason,
                response_id,
            } => {
                self.response.finish_reason = Some(reason.clone());
                if response_id.is_some() {
                    self.response.id.clone_from(response_id);
                }
            }
        }
    }

    /// The response so far, complete or not.
    pub fn response(&self) -> &Response {
        &self.response
    }

    /// The complete response.
    ///
    /// Fails with [`AiError::StreamDisconnected`] if no [`StreamPart::Finish`] arrived:
    /// the stream ended early and the response is partial.
    pub fn finish(self) -> Result<Response, AiError> {
        if self.response.finish_reason.is_none() {
            return Err(AiError::StreamDisconnected {
                message: "stream ended before the response finished".into(),
            });
        }
        Ok(self.response)
    }

    fn slot(
        &mut self,
        kind: Kind,
        id: &str,
        new_item: impl FnOnce(String) -> AssistantItem,
    ) -> usize {
        let at = kind as usize;
        if let Some(index) = self.slots.get(id).and_then(|slots| slots[at]) {
            return index;
        }
        let index = self.response.items.len();
        self.response.items.push(new_item(id.to_owned()));
        self.slots.entry(id.to_owned()).or_default()[at] = Some(index);
        index
    }

    fn text_slot(&mut self, id: &str) -> usize {
        self.slot(Kind::Text, id, |id| AssistantItem::Text {
            id: Some(id),
            text: String::new(),
        })
    }

    fn reasoning_slot(&mut self, id: &str) -> usize {
        self.slot(Kind::Reasoning, id, |id| AssistantItem::Reasoning {
            id: Some(id),
            summary: Vec::new(),
            encrypted_content: None,
        })
    }

    fn reasoning_end(&mut self, id: &str, end_summary: &[String], end_content: Option<&String>) {
        let index = self.reasoning_slot(id);
        let streamed = self.reasoning.remove(&index);
        if let Some(AssistantItem::Reasoning {
            summary,
            encrypted_content,
            ..
        }) = self.response.items.get_mut(index)
        {
            *summary = match streamed {
                Some(text) if end_summary.is_empty() && !text.is_empty() => vec![text],
                _ => end_summary.to_vec(),
            };
            *encrypted_content = end_content.cloned();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text = 0,
    Reasoning = 1,
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
