//! The sandbox of the commands the agent runs: what they may read and write, whether
//! they reach the network, and the containment that keeps none of their processes
//! alive after the command is done.
//!
//! - **Files** (Landlock): reads everywhere except the [hidden](SandboxPolicy::hidden)
//!   paths (the clanka store, with its tokens); writes, in `workspace-write`, only to
//!   the workspace, the temp dir and the [writable](SandboxPolicy::writable) paths;
//!   in `read-only`, only to `/dev/null`.
//! - **Network** (seccomp, plus Landlock's TCP rules where the kernel has them):
//!   off unless [`network`](SandboxPolicy::network) is set; only Unix sockets can be
//!   created.
//! - **Containment**, in every mode, `danger-full-access` included: the command runs
//!   in a PID namespace of its own, whose processes the kernel kills together when
//!   the command's shell exits or is killed, and which dies with the thread that
//!   started it (`PR_SET_PDEATHSIG`): a cancelled call, an ended run and a killed
//!   agent process (even by SIGKILL) leave nothing behind, `setsid` and double forks
//!   included.
//!
//! The sandbox applies to a dedicated thread that starts the command and then waits
//! for it to end, so this process itself is never restricted.
//!
//! # Example
//!
//! ```
//! use clanka_tools::{ExecPolicy, SandboxMode, SandboxPolicy};
//!
//! let sandbox = SandboxPolicy::default()
//!     .with_mode("read-only".parse().unwrap())
//!     .hide("/home/me/.local/share/clanka");
//! assert_eq!(sandbox.mode, SandboxMode::ReadOnly);
//! assert!(!sandbox.network, "the network is off by default");
//! let policy = ExecPolicy::default().with_sandbox(sandbox);
//! assert_eq!(policy.sandbox.hidden.len(), 1);
//! ```

mod contain;
mod files;
mod network;
mod spawn;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub(crate) use contain::Containment;
pub use spawn::{Contained, SpawnError, spawn_contained};

/// How much of the machine a command may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SandboxMode {
    /// Reads everywhere (but the hidden paths); writes only to `/dev/null`.
    ReadOnly,
    /// Reads everywhere (but the hidden paths); writes to the workspace, the temp dir
    /// and the configured writable paths. The default.
    #[default]
    WorkspaceWrite,
    /// No sandbox: the command may do whatever the user may. Containment still holds.
    DangerFullAccess,
}

impl SandboxMode {
    /// The mode's name, as written in configuration: `read-only`, `workspace-write`,
    /// `danger-full-access`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadOnly => "read-only",
            Self::WorkspaceWrite => "workspace-write",
            Self::DangerFullAccess => "danger-full-access",
        }
    }
}

impl fmt::Display for SandboxMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SandboxMode {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        [
            Self::ReadOnly,
            Self::WorkspaceWrite,
            Self::DangerFullAccess,
        ]
        .into_iter()
        .find(|mode| mode.as_str() == name)
        .ok_or_else(|| {
            format!(
                "unknown sandbox mode `{name}`: expected read-only, workspace-write or danger-full-access"
            )
        })
    }
}

/// The sandbox of every command a tool starts. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SandboxPolicy {
    /// What commands may change.
    pub mode: SandboxMode,
    /// Whether sandboxed commands reach the network (default: no).
    pub network: bool,
    /// Directories writable in `workspace-write` besides the workspace and the temp
    /// dir (a tool's cache, say).
    pub writable: Vec<PathBuf>,
    /// Paths sandboxed commands can neither read nor write: the clanka store.
    pub hidden: Vec<PathBuf>,
}

impl SandboxPolicy {
    /// Sets [`mode`](Self::mode).
    #[must_use]
    pub fn with_mode(mut self, mode: SandboxMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets [`network`](Self::network).
    #[must_use]
    pub fn with_network(mut self, network: bool) -> Self {
        self.network = network;
        self
    }

    /// Adds a [`writable`](Self::writable) directory.
    #[must_use]
    pub fn writable(mut self, dir: impl Into<PathBuf>) -> Self {
        self.writable.push(dir.into());
        self
    }

    /// Adds a [`hidden`](Self::hidden) path.
    #[must_use]
    pub fn hide(mut self, path: impl Into<PathBuf>) -> Self {
        self.hidden.push(path.into());
        self
    }

    /// Whether commands run sandboxed at all.
    pub fn is_sandboxed(&self) -> bool {
        self.mode != SandboxMode::DangerFullAccess
    }

    /// Whether a tool of this process (`apply_patch`, `write_file`) may write inside
    /// the workspace without asking.
    pub fn allows_workspace_writes(&self) -> bool {
        self.mode != SandboxMode::ReadOnly
    }
}

/// Whether a command runs in the policy's sandbox or, approved, outside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sandboxing {
    /// In the policy's sandbox.
    Policy,
    /// Outside any sandbox (contained all the same).
    Escalated,
}

/// Why a command could not be started in its sandbox. It was not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The kernel lacks a feature the sandbox needs.
    #[error(
        "the command was not run: its sandbox needs {feature}, which this system does not offer ({detail}); \
         to run commands without a sandbox, choose the sandbox mode `danger-full-access` \
         (`--sandbox danger-full-access`)"
    )]
    Unsupported {
        /// The missing feature.
        feature: &'static str,
        /// What the kernel answered.
        detail: String,
    },
    /// Setting the sandbox up failed.
    #[error("the command was not run: its sandbox could not be set up: {0}")]
    Setup(String),
}

/// Restricts the calling thread (and so the processes it starts from now on) to
/// `policy` with `workspace` as the workspace, for commands started under
/// `containment`. Call it only on a thread of its own.
pub(crate) fn restrict_thread(
    policy: &SandboxPolicy,
    workspace: &Path,
    containment: Containment,
) -> Result<(), SandboxError> {
    if !policy.is_sandboxed() {
        return Ok(());
    }
    files::restrict(policy, workspace, containment.writes_proc())?;
    if !policy.network {
        network::deny()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
