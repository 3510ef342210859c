//! Scripted responses: what the mock answers, item by item, and which faults it injects.
//!
//! # Example
//!
//! ```
//! use clanka_mock::{HttpError, Scenario, ScriptedResponse};
//!
//! let scenario = Scenario::new()
//!     .respond(ScriptedResponse::new().http_error(HttpError::rate_limited(0.2)))
//!     .respond(
//!         ScriptedResponse::new()
//!             .reasoning("Looking at the files")
//!             .function_call("shell_command", serde_json::json!({"command": "ls"})),
//!     )
//!     .respond(ScriptedResponse::new().message("Done."));
//! let json = serde_json::to_string(&scenario).unwrap();
//! assert_eq!(Scenario::from_json(&json).unwrap(), scenario);
//! ```

mod demo;
mod fault;
mod state;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::MockError;

pub use fault::{CompactionFault, Failure, Faults, HttpError};
pub(crate) use state::ScenarioState;

/// A whole script: responses matched in order per conversation.
///
/// A conversation is identified by the request's `prompt_cache_key`, else its
/// `session-id` / `session_id` / `conversation_id` header. Each conversation walks
/// `conversations[key]` if present, else `models[model]`, else `responses`, from the start. When its list is
/// exhausted (or empty) the default behaviour applies: a reasoning item, then a message
/// quoting the last user text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Responses for every conversation without its own list.
    #[serde(default)]
    pub responses: Vec<ScriptedResponse>,
    /// Responses for specific conversations, keyed by conversation id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub conversations: BTreeMap<String, Vec<ScriptedResponse>>,
    /// Responses for requests naming a model, keyed by model; each conversation of
    /// that model walks the list from the start (e.g. one script for an agent and
    /// another for its sub-agents).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub models: BTreeMap<String, Vec<ScriptedResponse>>,
    /// When given, replaces the model catalogue (`GET /backend-api/codex/models`, and the
    /// slugs the ChatGPT path accepts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<Vec<Value>>,
    /// When given, replaces how compaction requests fail (see [`CompactionFault`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compaction_fault: Option<CompactionFault>,
}

/// One scripted response: output items plus optional faults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedResponse {
    /// Output items, streamed in order.
    #[serde(default)]
    pub items: Vec<ScriptedItem>,
    /// Faults to inject.
    #[serde(default, skip_serializing_if = "Faults::is_empty")]
    pub faults: Faults,
    /// Report this many input tokens in `usage` instead of the estimate (input characters
    /// / 4), e.g. to push a client over its auto-compaction limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
}

/// One output item of a scripted response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ScriptedItem {
    /// An assistant message; `text` is split into word deltas unless `deltas` is given.
    Message {
        /// The full text.
        text: String,
        /// Explicit deltas (their concatenation should equal `text`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deltas: Option<Vec<String>>,
    },
    /// A reasoning item with one summary part per string.
    Reasoning {
        /// Summary parts.
        summary: Vec<String>,
        /// Opaque encrypted content (generated when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        encrypted_content: Option<String>,
    },
    /// A function tool call; `arguments` is JSON (a string is sent as is).
    FunctionCall {
        /// Tool name.
        name: String,
        /// Arguments as JSON, or an already-encoded string.
        arguments: Value,
        /// Call id (generated when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call_id: Option<String>,
    },
    /// A freeform (custom) tool call such as `apply_patch`.
    CustomToolCall {
        /// Tool name.
        name: String,
        /// Raw input.
        input: String,
        /// Call id (generated when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call_id: Option<String>,
    },
}

impl Scenario {
    /// An empty scenario (default behaviour everywhere).
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a response to the shared list.
    pub fn respond(mut self, response: ScriptedResponse) -> Self {
        self.responses.push(response);
        self
    }

    /// Sets the list of responses for one conversation.
    pub fn conversation(mut self, key: impl Into<String>, list: Vec<ScriptedResponse>) -> Self {
        self.conversations.insert(key.into(), list);
        self
    }

    /// Sets the list of responses for requests naming `model`.
    pub fn model(mut self, model: impl Into<String>, list: Vec<ScriptedResponse>) -> Self {
        self.models.insert(model.into(), list);
        self
    }

    /// Replaces the model catalogue while this scenario is set.
    pub fn with_catalog(mut self, models: Vec<Value>) -> Self {
        self.catalog = Some(models);
        self
    }

    /// Makes compaction requests fail this way.
    pub fn with_compaction_fault(mut self, fault: CompactionFault) -> Self {
        self.compaction_fault = Some(fault);
        self
    }

    /// Parses a scenario from JSON.
    pub fn from_json(json: &str) -> Result<Self, MockError> {
        serde_json::from_str(json).map_err(MockError::ScenarioParse)
    }

    /// Reads a scenario from a JSON file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, MockError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| MockError::ScenarioRead {
            path: path.to_owned(),
            source,
        })?;
        Self::from_json(&text)
    }
}

impl ScriptedResponse {
    /// An empty response (no items, no faults).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an assistant message.
    pub fn message(self, text: impl Into<String>) -> Self {
        self.item(ScriptedItem::Message {
            text: text.into(),
            deltas: None,
        })
    }

    /// Adds an assistant message streamed as exactly these deltas.
    pub fn message_deltas<S: Into<String>>(self, deltas: impl IntoIterator<Item = S>) -> Self {
        let deltas: Vec<String> = deltas.into_iter().map(Into::into).collect();
        let text = deltas.concat();
        self.item(ScriptedItem::Message {
            text,
            deltas: Some(deltas),
        })
    }

    /// Adds a reasoning item with one summary part.
    pub fn reasoning(self, summary: impl Into<String>) -> Self {
        let summary = vec![summary.into()];
        self.item(ScriptedItem::Reasoning {
            summary,
            encrypted_content: None,
        })
    }

    /// Adds an assistant message whose text is `value` as JSON: a structured-output
    /// reply (the request's `text.format` is checked, not enforced on the reply).
    pub fn json(self, value: &Value) -> Self {
        self.message(value.to_string())
    }

    /// Adds a function call with JSON arguments.
    pub fn function_call(self, name: impl Into<String>, arguments: Value) -> Self {
        self.item(ScriptedItem::FunctionCall {
            name: name.into(),
            arguments,
            call_id: None,
        })
    }

    /// Adds a custom (freeform) tool call.
    pub fn custom_tool_call(self, name: impl Into<String>, input: impl Into<String>) -> Self {
        let (name, input) = (name.into(), input.into());
        self.item(ScriptedItem::CustomToolCall {
            name,
            input,
            call_id: None,
        })
    }

    /// Adds any item.
    pub fn item(mut self, item: ScriptedItem) -> Self {
        self.items.push(item);
        self
    }

    /// Reports `tokens` input tokens in this response's `usage`.
    pub fn input_tokens(mut self, tokens: u64) -> Self {
        self.input_tokens = Some(tokens);
        self
    }

    /// Replaces the faults.
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Answers with an HTTP error (a wrapped error frame over WebSocket).
    pub fn http_error(mut self, error: HttpError) -> Self {
        self.faults.http_error = Some(error);
        self
    }

    /// Waits this long before each event.
    pub fn delay(mut self, delay: std::time::Duration) -> Self {
        self.faults.delay_ms = Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// Drops the connection after `n` events.
    pub fn drop_after(mut self, n: usize) -> Self {
        self.faults.drop_after = Some(n);
        self
    }

    /// Ends with `response.failed` carrying `code` and `message` instead of `response.completed`.
    pub fn failed(mut self, code: impl Into<String>, message: impl Into<String>) -> Self {
        let (code, message) = (code.into(), message.into());
        self.faults.failed = Some(Failure { code, message });
        self
    }

    /// Sends event number `index` (0-based) as malformed JSON.
    pub fn malformed_event(mut self, index: usize) -> Self {
        self.faults.malformed_event = Some(index);
        self
    }

    /// Ends the stream without `response.completed`.
    pub fn no_completed(mut self) -> Self {
        self.faults.no_completed = true;
        self
    }

    /// Over WebSocket, sends a Close frame after `n` events.
    pub fn ws_close_after(mut self, n: usize) -> Self {
        self.faults.ws_close_after = Some(n);
        self
    }
}
