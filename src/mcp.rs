//! Recipes that start MCP servers for the agent: their tools join its toolkit as
//! `mcp__<server>__<tool>`, and they stop with the runtime (see [`clanka_mcp`]).
//!
//! # Example
//!
//! ```no_run
//! use clanka::agent::Agent;
//! use clanka::mcp;
//! use clanka_mcp::McpServerConfig;
//!
//! # fn model() -> clanka::runtime::Layer { unimplemented!() }
//! let everything = McpServerConfig::stdio("everything", "npx", ["-y", "@modelcontextprotocol/server-everything"]);
//! let servers = mcp::layer(vec![everything], "/work/repo");
//! let graph = Agent::layer_local("/work/repo").provide(&model().merge(&servers));
//! # let _ = graph;
//! ```

use std::path::PathBuf;
use std::sync::Arc;

pub use clanka_mcp::*;
use clanka_tools::ExecPolicy;

use crate::runtime::{Context, Layer, ServiceId};

/// A recipe that starts `servers` (commands in `directory` unless a server names its
/// own, with the graph's [`ExecPolicy`] when it has one) and provides them as
/// [`McpServers`]; `Agent::layer_local` adds their tools. A required server that
/// does not start fails the build, naming it. They stop when the runtime shuts down.
pub fn layer(servers: Vec<McpServerConfig>, directory: impl Into<PathBuf>) -> Layer {
    let directory = directory.into();
    Layer::from_context(
        "mcp::layer",
        Vec::new(),
        vec![ServiceId::of::<McpServers>()],
        move |ctx, scope| {
            let (servers, directory) = (servers.clone(), directory.clone());
            async move {
                let exec = ctx.get::<ExecPolicy>().map(Arc::new).unwrap_or_default();
                let started = McpServers::start(servers, exec, directory).await?;
                let stopping = started.clone();
                scope.add_finalizer(
                    "mcp::layer",
                    move || async move { stopping.shutdown().await },
                );
                Ok(Context::empty().add(started))
            }
        },
    )
    .reads(vec![ServiceId::of::<ExecPolicy>()])
}
