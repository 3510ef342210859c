//! `sandbox.*`, `approval.*` and `env.*`: how the agent's commands run; `agent.*`:
//! how the agent works.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clanka_tools::{ApprovalPolicy, EnvPolicy, ExecPolicy, SandboxMode, SandboxPolicy};
use serde::{Deserialize, Serialize};

use super::Config;

/// `sandbox.*`: the sandbox of commands.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SandboxConfig {
    /// `read-only`, `workspace-write` (the default) or `danger-full-access`.
    #[serde(default, deserialize_with = "super::lenient::name")]
    pub mode: SandboxMode,
    /// Whether sandboxed commands reach the network. Default `false`.
    #[serde(default, deserialize_with = "super::lenient::boolean")]
    pub network: bool,
    /// Directories writable in `workspace-write` besides the workspace and the temp
    /// dir. Default none.
    #[serde(default)]
    pub writable: Vec<PathBuf>,
}

/// `approval.*`: when the agent asks first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ApprovalConfig {
    /// `untrusted`, `on-request` (the default), `on-failure` or `never`.
    #[serde(default, deserialize_with = "super::lenient::name")]
    pub policy: ApprovalPolicy,
}

/// `env.*`: the environment of commands, on top of the built-in rule (see
/// [`EnvPolicy`]: an allow list of what programs need, and secrets never).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EnvConfig {
    /// More variables to pass on (names, or with `*` at the start or end).
    #[serde(default)]
    pub allow: Vec<String>,
    /// Variables never to pass on, besides the built-in deny list.
    #[serde(default)]
    pub deny: Vec<String>,
    /// Variables set for every command.
    #[serde(default)]
    pub set: BTreeMap<String, String>,
}

/// `agent.*`: the agent's own settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgentSettings {
    /// The context size, in tokens, at which the history is compacted. Default
    /// unset: 90 % of the model's context window.
    #[serde(default, deserialize_with = "super::lenient::number")]
    pub compact_at: Option<u64>,
}

impl Config {
    /// The agent's settings.
    pub fn agent_config(&self) -> crate::agent::AgentConfig {
        let config = crate::agent::AgentConfig::default();
        match self.agent.compact_at {
            Some(tokens) => config.compact_at(tokens),
            None => config,
        }
    }

    /// The [`ExecPolicy`] these settings describe: sandbox, approval policy and
    /// environment, with the store directory hidden from commands.
    pub fn exec_policy(&self) -> ExecPolicy {
        let env = EnvPolicy {
            allow: self.env.allow.clone(),
            deny: self.env.deny.clone(),
            set: self.env.set.clone(),
        };
        let sandbox = SandboxPolicy {
            mode: self.sandbox.mode,
            network: self.sandbox.network,
            writable: self.sandbox.writable.clone(),
            hidden: vec![self.store.dir.clone()],
        };
        ExecPolicy::default()
            .with_env(env)
            .with_sandbox(sandbox)
            .with_approval(self.approval.policy)
    }
}
