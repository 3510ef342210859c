//! Agent settings.

use std::time::Duration;

/// How an agent runs.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use clanka::agent::AgentConfig;
///
/// let config = AgentConfig::default().turn_timeout(Duration::from_secs(60));
/// assert_eq!(config.max_depth, 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AgentConfig {
    /// Longest wait for the next model event, a last guard for models without an
    /// idle timeout of their own (the Codex model has one); time spent in tools does
    /// not count, and running out ends the run (default 10 minutes).
    pub turn_timeout: Duration,
    /// Most model requests in one `send` (default 200).
    pub max_turns: u32,
    /// How deep sub-agents may nest: 1 lets the agent delegate but not its sub-agents.
    pub max_depth: u32,
    /// The context size, in tokens, at which the history is compacted. Default
    /// unset: 90 % of the model's context window from its catalogue entry (no
    /// automatic compaction for a model without one).
    pub compact_at: Option<u64>,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            turn_timeout: Duration::from_secs(600),
            max_turns: 200,
            max_depth: 1,
            compact_at: None,
        }
    }
}

impl AgentConfig {
    /// Sets [`turn_timeout`](Self::turn_timeout).
    pub fn turn_timeout(mut self, timeout: Duration) -> Self {
        self.turn_timeout = timeout;
        self
    }

    /// Sets [`compact_at`](Self::compact_at).
    pub fn compact_at(mut self, tokens: u64) -> Self {
        self.compact_at = Some(tokens);
        self
    }

    /// Sets [`max_depth`](Self::max_depth).
    pub fn max_depth(mut self, depth: u32) -> Self {
        self.max_depth = depth;
        self
    }
}

/// Settings of one [`send`](crate::agent::Agent::send_with).
///
/// # Example
///
/// ```
/// use clanka::agent::SendOptions;
/// use serde_json::json;
///
/// let options = SendOptions::default()
///     .system("Answer in French.")
///     .output_schema(json!({"type": "object", "properties": {"ok": {"type": "boolean"}},
///                           "required": ["ok"], "additionalProperties": false}));
/// assert!(options.output_schema.is_some());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SendOptions {
    /// Instructions added to the agent's for this send.
    pub system: Option<String>,
    /// A JSON schema the final answer must match: every request asks for it as the
    /// structured output format (strict), `task_complete` carries the object as
    /// `result`, and [`Output::AgentFinished`](crate::agent::Output::AgentFinished)
    /// holds it.
    pub output_schema: Option<serde_json::Value>,
}

impl SendOptions {
    /// Sets [`system`](Self::system).
    pub fn system(mut self, text: impl Into<String>) -> Self {
        self.system = Some(text.into());
        self
    }

    /// Sets [`output_schema`](Self::output_schema).
    pub fn output_schema(mut self, schema: serde_json::Value) -> Self {
        self.output_schema = Some(schema);
        self
    }
}
