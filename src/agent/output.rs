//! What an agent streams while it works, and how it fails.

use clanka_model::AiError;
use serde::{Deserialize, Serialize};

/// One event of an agent run. Serialized as JSON with a `type` tag, one event per
/// line in `--json` mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Output {
    /// A `send` began.
    AgentStart {
        /// The model the agent runs on.
        model: String,
        /// The prompt.
        prompt: String,
    },
    /// The model started a reasoning summary.
    ReasoningStart {
        /// Section id.
        id: String,
    },
    /// More reasoning summary text.
    ReasoningDelta {
        /// Section id.
        id: String,
        /// The text.
        delta: String,
    },
    /// The reasoning summary ended.
    ReasoningEnd {
        /// Section id.
        id: String,
    },
    /// The model started answering in text.
    TextStart {
        /// Section id.
        id: String,
    },
    /// More answer text.
    TextDelta {
        /// Section id.
        id: String,
        /// The text.
        delta: String,
    },
    /// The text section ended.
    TextEnd {
        /// Section id.
        id: String,
    },
    /// The model called a tool; it runs next. (`delegate` and `task_complete` show as
    /// [`SubagentStart`](Self::SubagentStart) and [`AgentFinished`](Self::AgentFinished).)
    ToolCall {
        /// Call id.
        id: String,
        /// Tool name.
        name: String,
        /// The arguments: the JSON object the model wrote, or the raw input of a
        /// freeform tool (or malformed JSON) as a string.
        arguments: serde_json::Value,
        /// A one-line summary for people, from the tool.
        summary: String,
    },
    /// A tool finished.
    ToolOutput {
        /// Call id.
        id: String,
        /// The output or error text, as people read it (the model may get more: a
        /// command's header of exit code and wall time).
        output: String,
        /// Whether the tool failed.
        is_error: bool,
    },
    /// A sub-agent started on a delegated task.
    SubagentStart {
        /// Sub-agent id (the `delegate` call id).
        id: String,
        /// The task.
        prompt: String,
        /// The model it runs on.
        model: String,
    },
    /// An event of a sub-agent.
    SubagentPart {
        /// Sub-agent id.
        id: String,
        /// The sub-agent's event.
        part: Box<Output>,
    },
    /// A sub-agent finished.
    SubagentComplete {
        /// Sub-agent id.
        id: String,
        /// Its summary, which is also the `delegate` tool's output.
        summary: String,
    },
    /// A sub-agent failed; the `delegate` call's output tells the model why.
    SubagentFailed {
        /// Sub-agent id.
        id: String,
        /// What went wrong.
        error: String,
    },
    /// Token counts so far in this `send` (cumulative).
    Usage {
        /// Tokens in the context of the latest request (input plus output).
        context_tokens: u64,
        /// Input tokens over all requests.
        input_tokens: u64,
        /// Output tokens over all requests.
        output_tokens: u64,
    },
    /// A model request failed and the model sends it again after `delay_ms`. The
    /// sections and tool calls named in `discard` were cut off: they are void, and
    /// the new attempt delivers the whole answer again.
    Retry {
        /// The retry number, from 1.
        attempt: u32,
        /// What failed.
        error: String,
        /// The wait before the retry.
        delay_ms: u64,
        /// Ids of the text and reasoning sections and tool calls to take back.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        discard: Vec<String>,
    },
    /// The context passed the compaction threshold (or would overflow the model's
    /// window): the history is being compacted.
    CompactionStarted {
        /// The context's size before, in tokens (the last usage plus an estimate
        /// of what was added since).
        tokens_before: u64,
    },
    /// The history was compacted.
    CompactionFinished {
        /// The context's size before, in tokens.
        tokens_before: u64,
        /// Its estimated size after.
        tokens_after: u64,
        /// How: `remote` (the backend's compaction item), `endpoint`
        /// (`/responses/compact`) or `local` (a summary the model wrote).
        method: String,
    },
    /// Something went wrong that does not stop the run (a failed compaction, a
    /// session the store could not save).
    Warning {
        /// What, for people.
        message: String,
    },
    /// The agent finished the task.
    AgentFinished {
        /// Its summary of what it did.
        summary: String,
        /// The final answer as the JSON object the send's output schema asked for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result: Option<serde_json::Value>,
    },
}

/// Why an agent run stopped without finishing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// The model failed with a fatal error, or its retries ran out.
    #[error("model request failed")]
    Model(#[from] AiError),
    /// Another `send` is running on this agent.
    #[error("the agent is already running a task")]
    Busy,
    /// [`Agent::cancel`](crate::agent::Agent::cancel) was called.
    #[error("the agent run was cancelled")]
    Cancelled,
    /// The agent made more model requests than its limit allows.
    #[error("the agent stopped after {0} model requests without finishing")]
    TooManyTurns(u32),
    /// The session to resume could not be loaded.
    #[error("the session could not be loaded")]
    Session(#[from] crate::session::SessionError),
}
