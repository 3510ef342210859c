//! Starting a command: in the workspace (or a directory inside it), contained and
//! sandboxed (see [`crate::sandbox`]), in a process group of its own that is killed
//! when the command is done or dropped, with the policy's environment, and stdout
//! and stderr merged into one pipe.

use std::io;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::Stdio;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::net::unix::pipe;
use tokio::process::{Child, ChildStdin, Command};

use crate::sandbox::{Contained, Sandboxing, SpawnError, spawn_contained};
use crate::{SandboxMode, SandboxPolicy, ToolContext, ToolError};

/// A started command.
#[derive(Debug)]
pub(crate) struct Started {
    pub(crate) child: Child,
    /// stdout and stderr, in the order written.
    pub(crate) output: pipe::Receiver,
    /// Its stdin, when asked for.
    pub(crate) stdin: Option<ChildStdin>,
    pub(crate) group: KillGroup,
    /// Keeps the starting thread (and so the command) alive until dropped.
    pub(crate) starter: Contained,
}

/// What to run.
#[derive(Debug, Clone)]
pub(crate) enum Program {
    /// A command line for `bash -c` (`-lc` for a login shell).
    Shell { command: String, login: bool },
    /// An argument vector, run directly.
    Argv(Vec<String>),
}

impl Program {
    fn argv(&self) -> Vec<String> {
        match self {
            Self::Shell { command, login } => vec![
                "bash".to_owned(),
                if *login { "-lc" } else { "-c" }.to_owned(),
                command.clone(),
            ],
            Self::Argv(argv) => argv.clone(),
        }
    }

    /// The command line, for people and approvers.
    pub(crate) fn line(&self) -> String {
        match self {
            Self::Shell { command, .. } => command.clone(),
            Self::Argv(argv) => argv.join(" "),
        }
    }
}

/// Starts `program` in `workdir` (already resolved inside the workspace).
///
/// A thread of its own applies the sandbox to itself, starts the command, and waits
/// until the command is done ([`Starter`] dropped): the command's containment ends
/// with that thread.
pub(crate) async fn start(
    context: &ToolContext,
    program: &Program,
    workdir: &Path,
    with_stdin: bool,
    sandboxing: Sandboxing,
) -> Result<Started, ToolError> {
    // The read end is registered before the child starts, so a failure here leaves
    // nothing running.
    let (reader, writer) =
        io::pipe().map_err(|e| ToolError::Spawn(format!("creating a pipe: {e}")))?;
    let output = pipe::Receiver::from_owned_fd(OwnedFd::from(reader))
        .map_err(|e| ToolError::Spawn(format!("reading the pipe: {e}")))?;
    let stderr = writer
        .try_clone()
        .map_err(|e| ToolError::Spawn(e.to_string()))?;
    let policy = context.exec();
    let sandbox = match sandboxing {
        Sandboxing::Policy => policy.sandbox.clone(),
        Sandboxing::Escalated => SandboxPolicy::default().with_mode(SandboxMode::DangerFullAccess),
    };
    let env = policy.env.from_process();
    let shown = match program {
        Program::Argv(argv) => argv.first().cloned().unwrap_or_default(),
        Program::Shell { .. } => "bash".to_owned(),
    };
    let workdir = workdir.to_owned();
    let workspace = context.workspace().root().to_owned();
    let spawned = spawn_contained(sandbox, workspace, program.argv(), move |argv| {
        let mut command = Command::new(&argv[0]);
        command
            .args(&argv[1..])
            .env_clear()
            .envs(env)
            .current_dir(workdir)
            .process_group(0)
            .kill_on_drop(true)
            .stdin(if with_stdin {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(writer)
            .stderr(stderr);
        // `command` holds this process's copies of the pipe's write end; it is
        // dropped here, so the pipe closes once the child's side does.
        command.spawn()
    })
    .await;
    let (mut child, starter) = spawned.map_err(|error| match error {
        SpawnError::Sandbox(error) => ToolError::Sandbox(error),
        other => ToolError::Spawn(format!("`{shown}`: {other}")),
    })?;
    let stdin = child.stdin.take();
    let group = KillGroup::of(&child);
    Ok(Started {
        child,
        output,
        stdin,
        group,
        starter,
    })
}

/// Kills the command's whole process group (SIGKILL) when dropped, so a cancelled
/// call (its future dropped) or an ended run leaves nothing running.
#[derive(Debug)]
pub(crate) struct KillGroup(Option<Pid>);

impl KillGroup {
    /// The group led by `child` (its pid, as it was spawned with `process_group(0)`).
    fn of(child: &Child) -> Self {
        Self(
            child
                .id()
                .and_then(|id| i32::try_from(id).ok())
                .map(Pid::from_raw),
        )
    }
}

impl Drop for KillGroup {
    /// Sends SIGKILL to the group; errors (the group is already gone) are ignored.
    fn drop(&mut self) {
        if let Some(pgid) = self.0 {
            let _ = killpg(pgid, Signal::SIGKILL);
        }
    }
}

/// `workdir` (relative to the workspace, default its root), refused outside it.
pub(crate) fn workdir(
    context: &ToolContext,
    workdir: Option<&str>,
) -> Result<std::path::PathBuf, ToolError> {
    let workspace = context.workspace();
    match workdir.filter(|w| !w.trim().is_empty()) {
        None => Ok(workspace.root().to_owned()),
        Some(dir) => {
            let path = workspace.resolve(dir)?;
            if !path.is_dir() {
                return Err(ToolError::NotFound(crate::tool::relative(workspace, &path)));
            }
            Ok(path)
        }
    }
}
