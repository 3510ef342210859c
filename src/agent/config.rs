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
    /// Longest wait for the next model event; time spent in tools does not count
    /// (default 5 minutes).
    pub turn_timeout: Duration,
    /// Retries of a retryable model error per request (default 5).
    pub max_retries: u32,
    /// First retry delay, doubled per retry (default 500 ms).
    pub retry_base_delay: Duration,
    /// Most model requests in one `send` (default 200).
    pub max_turns: u32,
    /// How deep sub-agents may nest: 1 lets the agent delegate but not its sub-agents.
    pub max_depth: u32,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            turn_timeout: Duration::from_secs(300),
            max_retries: 5,
            retry_base_delay: Duration::from_millis(500),
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

    /// Sets [`max_retries`](Self::max_retries).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets [`retry_base_delay`](Self::retry_base_delay).
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.retry_base_delay = delay;
        self
    }

    /// Sets [`max_depth`](Self::max_depth).
    pub fn max_depth(mut self, depth: u32) -> Self {
        self.max_depth = depth;
        self
    }
}
