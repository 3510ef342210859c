//! Model Context Protocol servers as tools of the clanka agent, on the official Rust
//! SDK (`rmcp`).
//!
//! [`McpServers`] starts the configured servers (stdio children, contained and
//! sandboxed like the agent's commands, with the scrubbed environment plus their own
//! `env`; or streamable HTTP endpoints), lists their tools, and offers them to a
//! [`Toolkit`](clanka_tools::Toolkit) as a [`ToolSource`]: `mcp__<server>__<tool>`,
//! listed again when a server announces a change. A call has a timeout; a server
//! that breaks mid-call gives the model a tool error and is started again on the next
//! call, once; a malformed answer is a tool error. None of these end the run. Calls
//! go through the approval policy (`untrusted` asks before a tool the server does not
//! mark read-only).
//!
//! # Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use clanka_mcp::{McpServerConfig, McpServers};
//! use clanka_tools::{ExecPolicy, Toolkit};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), clanka_mcp::McpError> {
//! let everything = McpServerConfig::stdio("everything", "npx", ["-y", "@modelcontextprotocol/server-everything"]);
//! let servers = McpServers::start(vec![everything], Arc::new(ExecPolicy::default()), ".".into()).await?;
//! let toolkit = Toolkit::codex().with_source(servers.source());
//! assert!(toolkit.get("mcp__everything__echo").is_some());
//! servers.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod config;
mod server;
mod tools;

use std::path::PathBuf;
use std::sync::Arc;

use clanka_tools::{ExecPolicy, ToolService, ToolSource};

pub use config::{McpServerConfig, Transport};
pub use server::{Server, ServerState};
pub use tools::{MAX_TOOL_NAME, tool_name};

/// Why MCP servers could not be used.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum McpError {
    /// A server's configuration is unusable.
    #[error("MCP server `{server}`: {message}")]
    Config {
        /// The server.
        server: String,
        /// What is wrong.
        message: String,
    },
    /// A server did not start (or did not list its tools).
    #[error("MCP server `{server}` did not start: {message}")]
    Start {
        /// The server.
        server: String,
        /// Why.
        message: String,
    },
}

/// The running servers of an agent: a [`ToolSource`] for its toolkit. Cheap to
/// clone; [`shutdown`](Self::shutdown) stops them with their process trees.
#[derive(Debug, Clone, Default)]
pub struct McpServers {
    servers: Arc<Vec<Arc<Server>>>,
    failed: Arc<Vec<(String, String)>>,
}

impl McpServers {
    /// Starts `configs` (commands run with `exec`'s environment and sandbox, in
    /// `workspace` unless a server names its own `cwd`). A required server that does
    /// not start fails it all, naming the server; an optional one is left out with
    /// a warning.
    pub async fn start(
        configs: Vec<McpServerConfig>,
        exec: Arc<ExecPolicy>,
        workspace: PathBuf,
    ) -> Result<Self, McpError> {
        let starts = configs.into_iter().map(|config| {
            let (exec, workspace) = (exec.clone(), workspace.clone());
            async move {
                let required = config.is_required();
                let name = config.name.clone();
                (name, required, Server::start(config, exec, workspace).await)
            }
        });
        let mut servers = Vec::new();
        let mut failed = Vec::new();
        let mut error = None;
        for (name, required, started) in futures_util::future::join_all(starts).await {
            match started {
                Ok(server) => servers.push(server),
                Err(e) if required => error = error.or(Some(e)),
                Err(e) => {
                    tracing::warn!(server = %name, error = %e, "an optional MCP server did not start");
                    failed.push((name, e.to_string()));
                }
            }
        }
        let started = Self {
            servers: Arc::new(servers),
            failed: Arc::new(failed),
        };
        if let Some(error) = error {
            started.shutdown().await;
            return Err(error);
        }
        Ok(started)
    }

    /// These servers as a source of tools for a [`Toolkit`](clanka_tools::Toolkit).
    pub fn source(&self) -> Arc<dyn ToolSource> {
        Arc::new(self.clone())
    }

    /// The servers that started.
    pub fn servers(&self) -> &[Arc<Server>] {
        &self.servers
    }

    /// The optional servers that did not start, with why.
    pub fn failed(&self) -> &[(String, String)] {
        &self.failed
    }

    /// Stops every server, with its process tree.
    pub async fn shutdown(&self) {
        futures_util::future::join_all(self.servers.iter().map(|server| server.stop())).await;
    }
}

impl ToolSource for McpServers {
    fn tools(&self) -> Vec<ToolService> {
        self.servers
            .iter()
            .flat_map(|server| server.tools())
            .collect()
    }
}

/// A one-line summary of a call's arguments, for people.
fn describe(arguments: &str) -> String {
    let line: String = arguments.chars().take(80).collect();
    line.replace('\n', " ")
}
