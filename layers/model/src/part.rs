//! The parts a model response streams: text, reasoning, tool calls, usage and finish.

use std::{
    fmt,
    ops::{Add, AddAssign},
};

use serde::{Deserialize, Serialize};

use crate::{RateLimitSnapshot, ToolCall};

/// One event of a streamed response, tagged by `type` when serialized.
///
/// A well-formed stream starts with [`ResponseStarted`](Self::ResponseStarted) and ends
/// with [`Finish`](Self::Finish). Text and reasoning come as start / deltas / end sharing
/// an `id` (the provider's item id); the end part is authoritative. Tool calls arrive
/// complete. [`RateLimits`](Self::RateLimits) may come first (from response headers).
/// A [`Retry`](Self::Retry) voids everything before it: the response starts over.
///
/// # Example
///
/// ```
/// use clanka_model::StreamPart;
///
/// let part = StreamPart::TextDelta { id: "msg_1".into(), delta: "Hi".into() };
/// assert_eq!(
///     serde_json::to_string(&part)?,
///     r#"{"type":"text_delta","id":"msg_1","delta":"Hi"}"#,
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamPart {
    /// The provider accepted the request.
    ResponseStarted {
        /// Provider response id (Codex `resp_…`).
        id: String,
        /// The model actually serving the request, when the provider says.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        model: Option<String>,
    },
    /// A text item begins.
    TextStart {
        /// Item id.
        id: String,
    },
    /// More text for an item.
    TextDelta {
        /// Item id.
        id: String,
        /// The new text.
        delta: String,
    },
    /// A text item is complete.
    TextEnd {
        /// Item id.
        id: String,
    },
    /// A reasoning item begins.
    ReasoningStart {
        /// Item id.
        id: String,
    },
    /// More readable reasoning (summary text) for an item, for display.
    ReasoningDelta {
        /// Item id.
        id: String,
        /// The new text.
        delta: String,
    },
    /// A reasoning item is complete; its fields are authoritative.
    ReasoningEnd {
        /// Item id.
        id: String,
        /// Summary paragraphs (empty when the provider gave none).
        #[serde(default)]
        summary: Vec<String>,
        /// Encrypted reasoning state to replay in later requests.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        encrypted_content: Option<String>,
    },
    /// A complete tool call.
    ToolCall(ToolCall),
    /// The provider compacted the conversation (the answer to a
    /// [`Prompt::compact`](crate::Prompt::compact) request).
    Compaction {
        /// Item id.
        id: String,
        /// The encrypted summary to replay in place of the history it covers.
        encrypted_content: String,
    },
    /// Token usage; several usage parts add up.
    Usage(Usage),
    /// A rate-limit snapshot (one per limit family).
    RateLimits(RateLimitSnapshot),
    /// The provider failed mid-response and sends the request again after
    /// `delay_ms`: every part of this response so far is void, and the parts of
    /// the new attempt follow. `discard` names the text and reasoning sections and
    /// the tool calls already delivered, so a consumer that showed them can take them
    /// back; [`ResponseCollector`](crate::ResponseCollector) starts over.
    Retry {
        /// The retry number, from 1.
        attempt: u32,
        /// What failed, for display.
        error: String,
        /// The wait before the new attempt, in milliseconds.
        delay_ms: u64,
        /// Ids of the sections and tool calls delivered by the failed attempt.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        discard: Vec<String>,
    },
    /// The response is complete.
    Finish {
        /// Why the model stopped.
        reason: FinishReason,
        /// Provider response id, when known at the end.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response_id: Option<String>,
    },
}

/// Tokens used by one or more responses.
///
/// `input_tokens` includes `cached_input_tokens`; `output_tokens` includes
/// `reasoning_tokens`.
///
/// # Example
///
/// ```
/// use clanka_model::Usage;
///
/// let mut total = Usage::default();
/// total += Usage { input_tokens: 10, output_tokens: 2, total_tokens: 12, ..Usage::default() };
/// total += Usage { input_tokens: 20, cached_input_tokens: 10, output_tokens: 3, total_tokens: 23, ..Usage::default() };
/// assert_eq!(total.total_tokens, 35);
/// assert_eq!(total.uncached_input_tokens(), 20);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Usage {
    /// Prompt tokens, cached ones included.
    pub input_tokens: u64,
    /// Prompt tokens served from the provider's cache.
    pub cached_input_tokens: u64,
    /// Generated tokens, reasoning included.
    pub output_tokens: u64,
    /// Generated tokens spent on reasoning.
    pub reasoning_tokens: u64,
    /// All tokens, as the provider counts them.
    pub total_tokens: u64,
}

impl Usage {
    /// Prompt tokens not served from the cache.
    pub fn uncached_input_tokens(&self) -> u64 {
        self.input_tokens.saturating_sub(self.cached_input_tokens)
    }
}

impl Add for Usage {
    type Output = Usage;

    fn add(self, other: Usage) -> Usage {
        Usage {
            input_tokens: self.input_tokens.saturating_add(other.input_tokens),
            cached_input_tokens: self
                .cached_input_tokens
                .saturating_add(other.cached_input_tokens),
            output_tokens: self.output_tokens.saturating_add(other.output_tokens),
            reasoning_tokens: self.reasoning_tokens.saturating_add(other.reasoning_tokens),
            total_tokens: self.total_tokens.saturating_add(other.total_tokens),
        }
    }
}

impl AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        *self = *self + other;
    }
}

impl std::iter::Sum for Usage {
    fn sum<I: Iterator<Item = Usage>>(iter: I) -> Usage {
        iter.fold(Usage::default(), Add::add)
    }
}

/// Why the model stopped; serialized as a snake_case string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum FinishReason {
    /// The model finished its answer.
    Stop,
    /// The model stopped to let the caller run tool calls.
    ToolCalls,
    /// The output token limit was reached.
    Length,
    /// The provider filtered the output.
    ContentFilter,
    /// Any other reason, as the provider named it.
    Other(String),
}

impl FinishReason {
    /// The snake_case name (`stop`, `tool_calls`, `length`, `content_filter` or the other).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Stop => "stop",
            Self::ToolCalls => "tool_calls",
            Self::Length => "length",
            Self::ContentFilter => "content_filter",
            Self::Other(other) => other,
        }
    }
}

impl fmt::Display for FinishReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<String> for FinishReason {
    fn from(name: String) -> Self {
        match name.as_str() {
            "stop" => Self::Stop,
            "tool_calls" => Self::ToolCalls,
            "length" => Self::Length,
            "content_filter" => Self::ContentFilter,
            _ => Self::Other(name),
        }
    }
}

impl From<FinishReason> for String {
    fn from(reason: FinishReason) -> Self {
        match reason {
            FinishReason::Other(other) => other,
            known => known.as_str().to_owned(),
        }
    }
}

#[cfg(test)]
#[path = "part_tests.rs"]
mod tests;
