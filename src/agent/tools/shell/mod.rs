//! `shell`: runs `bash -lc <command>` in the working directory, in its own process
//! group, which is killed (SIGKILL) when the command exits, times out or the call
//! is cancelled, so nothing it started keeps running.

mod capture;

use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use clanka_model::Tool;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use serde::Deserialize;
use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio::process::{Child, Command};

use super::{MAX_OUTPUT_BYTES, ToolError, Workspace, parse_args};
use capture::Capture;

/// Time limit when the model gives none.
pub(crate) const DEFAULT_TIMEOUT_MS: u64 = 120_000;
/// Largest time limit; larger requests are clamped.
pub(crate) const MAX_TIMEOUT_MS: u64 = 600_000;
/// How long output is still read after the command exits, for processes that left
/// the process group but hold the pipe.
const GRACE: Duration = Duration::from_millis(250);

/// The arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    command: String,
    timeout_ms: Option<u64>,
}

/// The tool as the model sees it.
pub(crate) fn definition() -> Tool {
    Tool::new(
        "shell",
        format!(
            "Runs a command with `bash -lc` in the working directory, without a terminal \
             or stdin, and returns stdout and stderr merged in order, followed by \
             `[exit code: N]`. A non-zero exit is reported, not an error. Output over {} KiB \
             keeps its start and end. When the command exits, or after `timeout_ms` \
             (default {DEFAULT_TIMEOUT_MS}, max {MAX_TIMEOUT_MS}), the command and every \
             process it started are killed, so background jobs do not survive the call.",
            MAX_OUTPUT_BYTES / 1024
        ),
        json!({
            "type": "object",
            "properties": {
                "command": {"type": "string", "description": "The bash command line to run."},
                "timeout_ms": {"type": "integer", "minimum": 1, "maximum": MAX_TIMEOUT_MS, "description": "Time limit in milliseconds."}
            },
            "required": ["command"],
            "additionalProperties": false
        }),
    )
}

/// Runs the command and returns its output and exit status.
pub(crate) async fn run(workspace: &Workspace, arguments: &str) -> Result<String, ToolError> {
    let args: Args = parse_args(arguments)?;
    let requested = args.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
    let timeout_ms = requested.clamp(1, MAX_TIMEOUT_MS);
    let note = if requested > MAX_TIMEOUT_MS {
        format!("[timeout_ms {requested} is above the maximum; clamped to {MAX_TIMEOUT_MS}]\n")
    } else {
        String::new()
    };
    // The read end is registered before the child starts, so a failure here leaves
    // nothing running.
    let (reader_end, writer) = pipe_pair()?;
    let mut reader = pipe::Receiver::from_owned_fd(OwnedFd::from(reader_end))
        .map_err(|e| ToolError::Spawn(format!("reading the pipe: {e}")))?;
    let mut child = spawn(workspace, &args.command, writer)?;
    let group = KillGroup::of(&child);
    let mut capture = Capture::new(MAX_OUTPUT_BYTES);
    let limit = Duration::from_millis(timeout_ms);
    let finished =
        tokio::time::timeout(limit, drive(&mut child, &mut reader, &group, &mut capture));
    match finished.await {
        Ok(Ok(status)) => Ok(note + &with_trailer(capture.finish(), &status_note(status))),
        Ok(Err(e)) => Err(ToolError::Internal(format!("waiting for the command: {e}"))),
        Err(_) => {
            group.kill();
            let seconds = limit.as_secs_f64();
            let trailer = format!("[killed after {seconds:.1} s timeout]");
            let output = note + &with_trailer(capture.finish(), &trailer);
            Err(ToolError::Timeout { seconds, output })
        }
    }
}

/// A pipe whose write end becomes the child's stdout and stderr.
fn pipe_pair() -> Result<(io::PipeReader, io::PipeWriter), ToolError> {
    io::pipe().map_err(|e| ToolError::Spawn(format!("creating a pipe: {e}")))
}

/// Starts bash in a new process group; the `Command`, holding our copies of the
/// write end, is dropped here so the pipe closes when the child's side does.
fn spawn(workspace: &Workspace, command: &str, writer: io::PipeWriter) -> Result<Child, ToolError> {
    let spawn_error = |e: io::Error| ToolError::Spawn(e.to_string());
    let stderr = writer.try_clone().map_err(spawn_error)?;
    Command::new("bash")
        .arg("-lc")
        .arg(command)
        .current_dir(workspace.root())
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(stderr)
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(spawn_error)
}

/// Reads output until the child exits, kills its group, then drains what is left
/// (until the pipe closes, or [`GRACE`] if an escaped process still holds it).
async fn drive(
    child: &mut Child,
    reader: &mut pipe::Receiver,
    group: &KillGroup,
    capture: &mut Capture,
) -> io::Result<ExitStatus> {
    let mut buf = vec![0; 16 * 1024];
    let mut open = true;
    let status = loop {
        tokio::select! {
            read = reader.read(&mut buf), if open => match read {
                Ok(0) | Err(_) => open = false,
                Ok(n) => capture.push(&buf[..n]),
            },
            status = child.wait() => break status?,
        }
    };
    group.kill();
    let drain = async {
        while let Ok(n) = reader.read(&mut buf).await
            && n > 0
        {
            capture.push(&buf[..n]);
        }
    };
    if open {
        let _ = tokio::time::timeout(GRACE, drain).await;
    }
    Ok(status)
}

/// `[exit code: N]`, or the signal that ended the command.
fn status_note(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("[exit code: {code}]"),
        (None, Some(signal)) => match Signal::try_from(signal) {
            Ok(name) => format!("[killed by signal {signal} ({name})]"),
            Err(_) => format!("[killed by signal {signal}]"),
        },
        (None, None) => "[exit status unknown]".to_owned(),
    }
}

/// `output` followed by `trailer` on a line of its own.
fn with_trailer(mut output: String, trailer: &str) -> String {
    if !output.is_empty() && !output.ends_with('\n') {
        output.push('\n');
    }
    output.push_str(trailer);
    output
}

/// Kills the child's whole process group (SIGKILL) when dropped, so cancellation
/// (the future being dropped) cleans up too.
#[derive(Debug)]
struct KillGroup(Option<Pid>);

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

    /// Sends SIGKILL to the group; errors (the group is already gone) are ignored.
    fn kill(&self) {
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
