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
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            turn_timeout: Duration::from_secs(600),
            max_turns: 200,
            max_depth: 1,
        }
    }
}

impl AgentConfig {
    /// Sets [`turn_timeout`](Self::turn_timeout).
    pub fn turn_timeout(mut self, timeout: Duration) -> Self {
        self.turn_timeout = timeout;
        self
    }

    /// Sets [`max_depth`](Self::max_depth).
    pub fn max_depth(mut self, depth: u32) -> Self {
        self.max_depth = depth;
        self
    }
}
