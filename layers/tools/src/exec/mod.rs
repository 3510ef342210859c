//! The tools that run commands: `exec_command` and `write_stdin` (unified exec), and
//! the one-shot `shell` and `shell_command`. Every command runs in the workspace with
//! the policy's environment, in a process group of its own that is killed when the
//! command exits, its time is up, the call is cancelled, or the run ends.

mod capture;
mod session;
mod shell;
mod spawn;
mod unified;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::os::unix::process::ExitStatusExt as _;
use std::time::Duration;

use clanka_model::{ToolCallKind, TruncationPolicy};
use serde::de::DeserializeOwned;

use crate::{ToolError, ToolRequest, parse_args, truncate_output};
use session::Chunk;

pub(crate) use shell::{shell, shell_command};
pub(crate) use unified::{exec_command, write_stdin};

/// The call's JSON arguments as `T`.
fn parse<T: DeserializeOwned>(request: &ToolRequest) -> Result<T, ToolError> {
    if request.call.kind == ToolCallKind::Freeform {
        return Err(crate::invalid("this tool takes JSON arguments"));
    }
    parse_args(&request.call.arguments)
}

/// The exit code of `status` (128 + the signal when killed, as shells report it).
fn exit_code(status: std::process::ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|signal| 128 + signal))
        .unwrap_or(-1)
}

/// What people see of a command's answer: its output, then how it ended.
fn display(output: &str, exit: Option<std::process::ExitStatus>, session: Option<u32>) -> String {
    let mut shown = output.trim_end().to_owned();
    if !shown.is_empty() {
        shown.push('\n');
    }
    match (exit, session) {
        (Some(status), _) if exit_code(status) != 0 => {
            let _ = write!(shown, "exit code {}", exit_code(status));
        }
        (None, Some(id)) => {
            let _ = write!(shown, "still running (session {id})");
        }
        _ => {}
    }
    shown.trim_end().to_owned()
}

/// The unified exec answer, as the official client writes it.
fn format_chunk(chunk: &Chunk, wall: Duration, session: Option<u32>, max_tokens: u64) -> String {
    let mut text = format!(
        "Chunk ID: {:06x}\nWall time: {:.4} seconds\n",
        fastrand::u32(..0x0100_0000),
        wall.as_secs_f64()
    );
    if let Some(status) = chunk.exit {
        let _ = writeln!(text, "Process exited with code {}", exit_code(status));
    }
    if let Some(id) = session {
        let _ = writeln!(text, "Process running with session ID {id}");
    }
    let tokens = chunk.output.len().div_ceil(4);
    let body = truncate_output(&chunk.output, TruncationPolicy::tokens(max_tokens));
    let _ = write!(text, "Original token count: {tokens}\nOutput:\n{body}");
    text
}

/// The one-shot answer (`shell`, `shell_command`), as the official client writes it.
fn format_completed(chunk: &Chunk, wall: Duration, limit_ms: u64) -> String {
    let mut text = String::new();
    let code = chunk.exit.map_or(124, exit_code);
    let _ = write!(
        text,
        "Exit code: {code}\nWall time: {:.1} seconds\nOutput:\n",
        wall.as_secs_f64()
    );
    if chunk.exit.is_none() {
        let _ = writeln!(text, "command timed out after {limit_ms} milliseconds");
    }
    text.push_str(&truncate_output(
        &chunk.output,
        TruncationPolicy::tokens(10_000),
    ));
    text
}
