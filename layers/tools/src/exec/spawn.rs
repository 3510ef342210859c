//! Starting a command: in the workspace (or a directory inside it), in a process
//! group of its own that is killed when the command is done or dropped, with the
//! policy's environment, and stdout and stderr merged into one pipe.

use std::io;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::Stdio;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::net::unix::pipe;
use tokio::process::{Child, ChildStdin, Command};

use crate::{ExecPolicy, ToolContext, ToolError};

/// A started command.
#[derive(Debug)]
pub(crate) struct Started {
    pub(crate) child: Child,
    /// stdout and stderr, in the order written.
    pub(crate) output: pipe::Receiver,
    /// Its stdin, when asked for.
    pub(crate) stdin: Option<ChildStdin>,
    pub(crate) group: KillGroup,
}

/// What to run.
#[derive(Debug, Clone)]
pub(crate) enum Program {
    /// A command line for `bash -c` (`-lc` for a login shell).
    Shell { command: String, login: bool },
    /// An argument vector, run directly.
    Argv(Vec<String>),
}

/// Starts `program` in `workdir` (already resolved inside the workspace).
pub(crate) fn start(
    context: &ToolContext,
    program: &Program,
    workdir: &Path,
    with_stdin: bool,
) -> Result<Started, ToolError> {
    let spawn_error = |e: io::Error| ToolError::Spawn(e.to_string());
    // The read end is registered before the child starts, so a failure here leaves
    // nothing running.
    let (reader, writer) =
        io::pipe().map_err(|e| ToolError::Spawn(format!("creating a pipe: {e}")))?;
    let output = pipe::Receiver::from_owned_fd(OwnedFd::from(reader))
        .map_err(|e| ToolError::Spawn(format!("reading the pipe: {e}")))?;
    let stderr = writer.try_clone().map_err(spawn_error)?;
    let mut command = command(program);
    configure(&mut command, context.exec(), workdir);
    command
        .stdin(if with_stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(writer)
        .stderr(stderr);
    // `command` holds our copies of the write end; dropping it (when this function
    // returns) lets the pipe close once the child's side does.
    let mut child = command.spawn().map_err(|e| match program {
        Program::Argv(argv) => ToolError::Spawn(format!(
            "`{}`: {e}",
            argv.first().map_or("", String::as_str)
        )),
        Program::Shell { .. } => ToolError::Spawn(format!("`bash`: {e}")),
    })?;
    let stdin = child.stdin.take();
    let group = KillGroup::of(&child);
    Ok(Started {
        child,
        output,
        stdin,
        group,
    })
}

fn command(program: &Program) -> Command {
    match program {
        Program::Shell { command, login } => {
            let mut shell = Command::new("bash");
            shell.arg(if *login { "-lc" } else { "-c" }).arg(command);
            shell
        }
        Program::Argv(argv) => {
            let mut direct = Command::new(argv.first().map_or("", String::as_str));
            direct.args(argv.iter().skip(1));
            direct
        }
    }
}

/// The environment, directory and process group every command gets.
fn configure(command: &mut Command, policy: &ExecPolicy, workdir: &Path) {
    command
        .env_clear()
        .envs(policy.env.from_process())
        .current_dir(workdir)
        .process_group(0)
        .kill_on_drop(true);
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

    /// The group's id (its leader's pid).
    pub(crate) fn pid(&self) -> Option<i32> {
        self.0.map(Pid::as_raw)
    }

    /// Sends SIGKILL to the group; errors (the group is already gone) are ignored.
    pub(crate) fn kill(&self) {
        if let Some(pgid) = self.0 {
            let _ = killpg(pgid, Signal::SIGKILL);
        }
    }
}

impl Drop for KillGroup {
    fn drop(&mut self) {
        self.kill();
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
