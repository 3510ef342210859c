//! How an MCP server is reached and what of it the agent uses: the keys of the
//! official client's `[mcp_servers.NAME]` tables.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::McpError;

/// One server, as written in configuration (`[mcp_servers.NAME]`): a `command` (stdio)
/// or a `url` (streamable HTTP).
///
/// # Example
///
/// ```
/// use clanka_mcp::{McpServerConfig, Transport};
///
/// let server: McpServerConfig = serde_json::from_value(serde_json::json!({
///     "command": "npx",
///     "args": ["-y", "@modelcontextprotocol/server-everything"],
///     "env": {"LOG_LEVEL": "warn"},
///     "tool_timeout_sec": 30,
///     "enabled_tools": ["echo"]
/// }))
/// .unwrap();
/// let server = server.named("everything");
/// assert!(matches!(server.transport().unwrap(), Transport::Stdio { .. }));
/// assert_eq!(server.tool_timeout().as_secs(), 30);
/// assert!(server.offers("echo") && !server.offers("get-env"));
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpServerConfig {
    /// The server's name (the table's key); tools are `mcp__<name>__<tool>`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The program of a stdio server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Its arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Variables it gets besides the scrubbed environment every command gets.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Its working directory (default: the agent's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
    /// The endpoint of a streamable HTTP server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The environment variable holding the bearer token of an HTTP server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_token_env_var: Option<String>,
    /// Seconds to wait for the server to start and list its tools (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_timeout_sec: Option<f64>,
    /// Seconds a tool call may take (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_timeout_sec: Option<f64>,
    /// Only these tools are offered (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_tools: Option<Vec<String>>,
    /// These tools are never offered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabled_tools: Vec<String>,
    /// Whether a server that does not start fails the build (default); `false` only
    /// warns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Whether a stdio server runs in the commands' sandbox (default); `false` runs
    /// it contained but unsandboxed (a server that needs the network, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandboxed: Option<bool>,
}

/// How a server is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transport {
    /// A child process speaking JSON-RPC on stdin and stdout.
    Stdio {
        /// The program.
        command: String,
        /// Its arguments.
        args: Vec<String>,
    },
    /// Streamable HTTP.
    Http {
        /// The endpoint.
        url: String,
    },
}

impl McpServerConfig {
    /// A stdio server `name` running `command` with `args`.
    pub fn stdio(
        name: impl Into<String>,
        command: impl Into<String>,
        args: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            name: name.into(),
            command: Some(command.into()),
            args: args.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// A streamable HTTP server `name` at `url`.
    pub fn http(name: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            url: Some(url.into()),
            ..Self::default()
        }
    }

    /// This server called `name`.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets [`tool_timeout_sec`](Self::tool_timeout_sec).
    #[must_use]
    pub fn with_tool_timeout(mut self, timeout: Duration) -> Self {
        self.tool_timeout_sec = Some(timeout.as_secs_f64());
        self
    }

    /// Sets [`startup_timeout_sec`](Self::startup_timeout_sec).
    #[must_use]
    pub fn with_startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout_sec = Some(timeout.as_secs_f64());
        self
    }

    /// Sets [`env`](Self::env)`[name]`.
    #[must_use]
    pub fn with_env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.insert(name.into(), value.into());
        self
    }

    /// How the server is reached; both or neither of `command` and `url` is an
    /// error naming the server.
    pub fn transport(&self) -> Result<Transport, McpError> {
        match (&self.command, &self.url) {
            (Some(command), None) => Ok(Transport::Stdio {
                command: command.clone(),
                args: self.args.clone(),
            }),
            (None, Some(url)) => Ok(Transport::Http { url: url.clone() }),
            _ => Err(McpError::Config {
                server: self.name.clone(),
                message: "give either `command` (stdio) or `url` (streamable HTTP)".to_owned(),
            }),
        }
    }

    /// How long the server may take to start and list its tools.
    pub fn startup_timeout(&self) -> Duration {
        seconds(self.startup_timeout_sec, 10.0)
    }

    /// How long a tool call may take.
    pub fn tool_timeout(&self) -> Duration {
        seconds(self.tool_timeout_sec, 60.0)
    }

    /// Whether a failure to start fails the build.
    pub fn is_required(&self) -> bool {
        self.required.unwrap_or(true)
    }

    /// Whether the tool `name` is offered (the enabled and disabled lists).
    pub fn offers(&self, name: &str) -> bool {
        let enabled = self
            .enabled_tools
            .as_ref()
            .is_none_or(|list| list.iter().any(|t| t == name));
        enabled && !self.disabled_tools.iter().any(|t| t == name)
    }
}

fn seconds(value: Option<f64>, default: f64) -> Duration {
    Duration::try_from_secs_f64(value.unwrap_or(default))
        .unwrap_or_else(|_| Duration::from_secs_f64(default))
}
