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
    #[serde(default)]
    pub mode: SandboxMode,
    /// Whether sandboxed commands reach the network. Default `false`.
    #[serde(default, with = "lenient_bool")]
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
    #[serde(default)]
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
    #[serde(default, with = "lenient_tokens")]
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

/// A `bool` also written as a string (`CLANKA_SANDBOX__NETWORK=true`).
mod lenient_bool {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(*value)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<bool, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Bool(bool),
            Text(String),
        }
        match Either::deserialize(deserializer)? {
            Either::Bool(value) => Ok(value),
            Either::Text(text) => match text.trim() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" | "" => Ok(false),
                other => Err(D::Error::custom(format!(
                    "`{other}` is not a boolean (true or false)"
                ))),
            },
        }
    }
}

/// An optional token count, also written as a string (`CLANKA_AGENT__COMPACT_AT=2000`);
/// empty means unset.
mod lenient_tokens {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(
        value: &Option<u64>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<u64>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(u64),
            Text(String),
        }
        match Option::<Either>::deserialize(deserializer)? {
            None => Ok(None),
            Some(Either::Number(tokens)) => Ok(Some(tokens)),
            Some(Either::Text(text)) if text.trim().is_empty() => Ok(None),
            Some(Either::Text(text)) => text
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| D::Error::custom(format!("`{text}` is not a number of tokens"))),
        }
    }
}
