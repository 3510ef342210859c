//! Settings, layered with figment: defaults < config file < `CLANKA_*` environment
//! variables < explicit overrides (command-line flags).
//!
//! The file is `$XDG_CONFIG_HOME/clanka/config.toml` (else `~/.config/clanka/config.toml`).
//! Environment variables nest with `__`: `CLANKA_CODEX__BASE_URL` sets `codex.base_url`.
//! Environment values are taken as strings, so `CLANKA_MODEL__PRIMARY=5` is the model "5".
//! An empty value of an optional setting (`CLANKA_AUTH__API_KEY=`) leaves it unset.
//!
//! # Example
//!
//! ```
//! use clanka::config::ConfigLoader;
//!
//! let config = ConfigLoader::new()
//!     .without_file()
//!     .set("model.primary", "gpt-5.5")
//!     .load()
//!     .unwrap();
//! assert_eq!(config.model.primary.as_deref(), Some("gpt-5.5"));
//! assert_eq!(config.model.subagent, None); // the catalogue's choice
//! assert_eq!(config.auth.issuer, "https://auth.openai.com");
//! assert_eq!(config.codex.base_url, None); // chosen by the sign-in mode
//! assert_eq!(config.sandbox.mode.as_str(), "workspace-write");
//! assert_eq!(config.approval.policy.as_str(), "on-request");
//! ```

mod exec;
mod lenient;
mod unknown;

use std::path::{Path, PathBuf};

use clanka_codex::Secret;
use clanka_model::ReasoningEffort;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use serde::{Deserialize, Serialize};

pub use exec::{AgentSettings, ApprovalConfig, EnvConfig, SandboxConfig};

/// Every setting of clanka.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Where state is kept.
    pub store: StoreConfig,
    /// Sign-in.
    pub auth: AuthConfig,
    /// The Codex backend.
    pub codex: CodexConfig,
    /// Models used by the agent.
    pub model: ModelConfig,
    /// The sandbox of the agent's commands.
    #[serde(default)]
    pub sandbox: SandboxConfig,
    /// When the agent asks before acting.
    #[serde(default)]
    pub approval: ApprovalConfig,
    /// The environment of the agent's commands.
    #[serde(default)]
    pub env: EnvConfig,
    /// The agent's own settings.
    #[serde(default)]
    pub agent: AgentSettings,
    /// MCP servers whose tools the agent gets, by name (`[mcp_servers.NAME]`, the
    /// official client's keys).
    #[cfg(feature = "mcp")]
    #[serde(default)]
    pub mcp_servers: std::collections::BTreeMap<String, clanka_mcp::McpServerConfig>,
}

/// `store.*`: where state (signed-in tokens, sessions) is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreConfig {
    /// Directory of the file key-value store. Default `$XDG_CONFIG_HOME/clanka`.
    pub dir: PathBuf,
    /// A Redis or Valkey server (`redis://…`, `rediss://…`) to keep state in instead
    /// of `dir`, shared by every process using it. Default unset. `Debug` redacts it
    /// (it may hold a password).
    #[serde(default, with = "optional_secret")]
    pub url: Option<Secret>,
    /// With `url`: the namespace of this store's keys (default `clanka`), so several
    /// fleets share one server.
    #[serde(default, with = "optional_string")]
    pub namespace: Option<String>,
    /// With `url`: seconds a lock is held without its holder renewing it (default
    /// 10); a holder that dies or hangs loses the lock when it ends.
    #[serde(default, deserialize_with = "lenient::number")]
    pub lease_sec: Option<f64>,
}

/// `auth.*`: the OAuth issuer and API-key mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthConfig {
    /// OAuth issuer. Default `https://auth.openai.com`.
    pub issuer: String,
    /// API key: when set, requests carry `Bearer <key>` and no OAuth sign-in happens.
    /// Default unset. `Debug` redacts it; serializing a `Config` writes it out.
    #[serde(default, with = "optional_secret")]
    pub api_key: Option<Secret>,
    /// Seconds before the access token expires that it is refreshed. Default 300, as
    /// the official client does.
    #[serde(default, deserialize_with = "lenient::number")]
    pub refresh_margin_sec: Option<u64>,
}

/// `codex.*`: the Responses backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodexConfig {
    /// Base URL of the Responses backend. Default unset: the sign-in mode chooses
    /// (`https://chatgpt.com/backend-api/codex` when signed in with ChatGPT,
    /// `OPENAI_BASE_URL` or `https://api.openai.com/v1` with an API key).
    #[serde(default, with = "optional_string")]
    pub base_url: Option<String>,
    /// Whether request bodies are zstd-compressed. Default unset: on when signed in
    /// with ChatGPT (as the official client sends them), off with an API key.
    #[serde(default, deserialize_with = "lenient::switch")]
    pub compress_requests: Option<bool>,
    /// How many conversations a model keeps state for (a WebSocket model's open
    /// sockets, every model's encoded last input); past it the least recently used
    /// idle one goes. Default 256.
    #[serde(default, deserialize_with = "lenient::number")]
    pub max_conversations: Option<usize>,
}

/// `model.*`: the agent's models. Unset models are the catalogue's choice; a set
/// model or effort the catalogue does not offer is refused before the first request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelConfig {
    /// The primary model. Default unset: the catalogue's first listed model (with an
    /// API key, `gpt-5.5`).
    #[serde(default, with = "optional_string")]
    pub primary: Option<String>,
    /// Reasoning effort of the primary model. Default unset: the model's default.
    #[serde(default, with = "optional_effort")]
    pub primary_effort: Option<ReasoningEffort>,
    /// The sub-agent model. Default unset: the first listed model that takes `low`
    /// effort (with an API key, `gpt-5.5`).
    #[serde(default, with = "optional_string")]
    pub subagent: Option<String>,
    /// Reasoning effort of the sub-agent model. Default unset: `low`.
    #[serde(default, with = "optional_effort")]
    pub subagent_effort: Option<ReasoningEffort>,
}

impl Config {
    /// The built-in defaults, with `store.dir` under the user's config directory.
    pub fn defaults() -> Self {
        Self {
            store: StoreConfig {
                dir: config_home().join("clanka"),
                url: None,
                namespace: None,
                lease_sec: None,
            },
            auth: AuthConfig {
                issuer: "https://auth.openai.com".into(),
                api_key: None,
                refresh_margin_sec: None,
            },
            codex: CodexConfig {
                base_url: None,
                compress_requests: None,
                max_conversations: None,
            },
            model: ModelConfig {
                primary: None,
                primary_effort: None,
                subagent: None,
                subagent_effort: None,
            },
            sandbox: SandboxConfig::default(),
            approval: ApprovalConfig::default(),
            env: EnvConfig::default(),
            agent: AgentSettings::default(),
            #[cfg(feature = "mcp")]
            mcp_servers: std::collections::BTreeMap::new(),
        }
    }

    /// Loads the configuration from the default file, the environment and no overrides.
    pub fn load() -> Result<Self, ConfigError> {
        ConfigLoader::new().load()
    }

    /// The Redis store's options (namespace, lease) from `store.*`.
    #[cfg(feature = "redis")]
    pub fn redis_options(&self) -> clanka_kv::RedisOptions {
        let mut options = clanka_kv::RedisOptions::default();
        if let Some(namespace) = &self.store.namespace {
            options.namespace.clone_from(namespace);
        }
        if let Some(lease) = self
            .store
            .lease_sec
            .and_then(|s| std::time::Duration::try_from_secs_f64(s).ok())
        {
            options.lease = lease;
        }
        options
    }

    /// The MCP servers, each named by its table's key.
    #[cfg(feature = "mcp")]
    pub fn mcp_servers(&self) -> Vec<clanka_mcp::McpServerConfig> {
        self.mcp_servers
            .iter()
            .map(|(name, server)| server.clone().named(name.clone()))
            .collect()
    }

    /// The default config file: `$XDG_CONFIG_HOME/clanka/config.toml`.
    pub fn default_file() -> PathBuf {
        config_home().join("clanka").join("config.toml")
    }
}

/// A configuration file or value that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A value is malformed; the message names the key, where the value came from (the
    /// file, the environment variable or the command line) and what is allowed.
    #[error("invalid configuration: {}", describe(.0))]
    Invalid(Box<figment::Error>),
}

/// Each of figment's errors as "`key` in <where>: <what>".
fn describe(error: &figment::Error) -> String {
    let lines: Vec<String> = error
        .clone()
        .into_iter()
        .map(|error| {
            let key = error.path.join(".");
            let place = match &error.metadata {
                Some(metadata) => match &metadata.source {
                    Some(figment::Source::File(path)) => path.display().to_string(),
                    _ if metadata.name.contains("environment") => {
                        let name: Vec<String> =
                            error.path.iter().map(|p| p.to_uppercase()).collect();
                        format!("the environment variable CLANKA_{}", name.join("__"))
                    }
                    _ => metadata.name.to_string(),
                },
                None => "the configuration".to_owned(),
            };
            if key.is_empty() {
                format!("in {place}: {}", error.kind)
            } else {
                format!("`{key}` in {place}: {}", error.kind)
            }
        })
        .collect();
    lines.join("; ")
}

/// Builds a [`Config`] from its layers.
#[derive(Debug, Clone)]
pub struct ConfigLoader {
    file: FileChoice,
    overrides: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
enum FileChoice {
    Default,
    Path(PathBuf),
    None,
}

impl Default for ConfigLoader {
    fn default() -> Self {
        Self::new()
    }
}

impl ConfigLoader {
    /// Defaults, the default config file if it exists, and `CLANKA_*` variables.
    pub fn new() -> Self {
        Self {
            file: FileChoice::Default,
            overrides: Vec::new(),
        }
    }

    /// Reads `path` instead of the default file; it must exist.
    #[must_use]
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = FileChoice::Path(path.into());
        self
    }

    /// Reads no config file.
    #[must_use]
    pub fn without_file(mut self) -> Self {
        self.file = FileChoice::None;
        self
    }

    /// Sets the dotted `key` (`model.primary`) over every other layer.
    #[must_use]
    pub fn set(mut self, key: &str, value: impl Into<String>) -> Self {
        self.overrides.push((key.to_owned(), value.into()));
        self
    }

    /// The layered figment, for callers that read settings of their own from it.
    pub fn figment(&self) -> Result<Figment, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::defaults()));
        if let Some(path) = self.file_path()? {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(EnvStrings::prefixed("CLANKA_"));
        for (key, value) in &self.overrides {
            figment = figment.merge(Named(Serialized::default(key, value), "the command line"));
        }
        Ok(figment)
    }

    /// The config file (when one is read) and its keys that no setting reads, so a
    /// program can warn about them: a typo is otherwise ignored.
    pub fn unknown_keys(&self) -> Result<Option<(PathBuf, Vec<String>)>, ConfigError> {
        let Some(path) = self.file_path()? else {
            return Ok(None);
        };
        let keys = unknown::unknown_keys(&path);
        Ok(Some((path, keys)))
    }

    /// Extracts the [`Config`].
    pub fn load(&self) -> Result<Config, ConfigError> {
        self.figment()?
            .extract()
            .map_err(|e| ConfigError::Invalid(Box::new(e)))
    }

    fn file_path(&self) -> Result<Option<PathBuf>, ConfigError> {
        match &self.file {
            FileChoice::None => Ok(None),
            FileChoice::Default => {
                let path = Config::default_file();
                Ok(path.is_file().then_some(path))
            }
            FileChoice::Path(path) => match std::fs::metadata(path) {
                Ok(_) => Ok(Some(path.clone())),
                Err(source) => Err(ConfigError::Read {
                    path: path.clone(),
                    source,
                }),
            },
        }
    }
}

/// A provider under another name in errors ("for key … in the command line").
struct Named<P>(P, &'static str);

impl<P: Provider> Provider for Named<P> {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.1)
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        self.0.data()
    }
}

/// `CLANKA_*` variables as string values: figment's `Env` would parse `true` or `5`
/// into a boolean or a number, which a string setting then rejects.
struct EnvStrings {
    env: Env,
}

impl EnvStrings {
    fn prefixed(prefix: &str) -> Self {
        Self {
            env: Env::prefixed(prefix).split("__"),
        }
    }
}

impl Provider for EnvStrings {
    fn metadata(&self) -> Metadata {
        self.env.metadata()
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut dict = Dict::new();
        for (key, value) in self.env.iter() {
            let nested = figment::util::nest(key.as_str(), Value::from(value));
            if let Value::Dict(_, nested) = nested {
                dict = merge_dicts(dict, nested);
            }
        }
        Ok(Profile::Default.collect(dict))
    }
}

fn merge_dicts(mut into: Dict, from: Dict) -> Dict {
    for (key, value) in from {
        let merged = match (into.remove(&key), value) {
            (Some(Value::Dict(tag, old)), Value::Dict(_, new)) => {
                Value::Dict(tag, merge_dicts(old, new))
            }
            (_, value) => value,
        };
        into.insert(key, merged);
    }
    into
}

/// An optional string whose empty value means unset.
mod optional_string {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(
        value: &Option<String>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<String>, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?.filter(|s| !s.is_empty()))
    }
}

/// An optional reasoning effort, checked when the configuration is loaded; empty
/// means unset.
mod optional_effort {
    use clanka_model::ReasoningEffort;
    use serde::{Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(
        value: &Option<ReasoningEffort>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.map(ReasoningEffort::as_str).serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<ReasoningEffort>, D::Error> {
        let Some(text) = super::optional_string::deserialize(deserializer)? else {
            return Ok(None);
        };
        text.parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!(
                "unknown reasoning effort `{text}`, expected one of: \
                 none, minimal, low, medium, high, xhigh, max, ultra"
            ))
        })
    }
}

/// An optional [`Secret`], (de)serialized as a plain string; empty means unset.
mod optional_secret {
    use clanka_codex::Secret;
    use serde::{Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(
        value: &Option<Secret>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.as_ref().map(Secret::expose).serialize(serializer)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Secret>, D::Error> {
        Ok(super::optional_string::deserialize(deserializer)?.map(Secret::new))
    }
}

fn config_home() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| Path::new(d).is_absolute()) {
        return PathBuf::from(dir);
    }
    std::env::home_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".config")
}

#[cfg(test)]
mod tests;
