//! The tools that run commands: `exec_command` and `write_stdin` (unified exec), and
//! the one-shot `shell` and `shell_command`. Every command is first let through by
//! the approval policy, then runs in the workspace with the policy's environment and
//! sandbox, contained so that all its processes die when it exits, its time is up,
//! the call is cancelled, or the run ends.

mod capture;
mod session;
mod shell;
mod spawn;
mod unified;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;
use std::time::Duration;

use clanka_model::{ToolCallKind, TruncationPolicy};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::sandbox::Sandboxing;
use crate::{ToolContext, ToolError, ToolRequest, invalid, parse_args, truncate_output};
use session::{Chunk, Process};
use spawn::{Program, start};

/// Most tokens of a command's output the model is given by default.
pub(crate) const MAX_OUTPUT_TOKENS: u64 = 10_000;

pub(crate) use shell::{shell, shell_command};
pub(crate) use unified::{exec_command, write_stdin};

/// The call's JSON arguments as `T`.
fn parse<T: DeserializeOwned>(request: &ToolRequest) -> Result<T, ToolError> {
    if request.call.kind == ToolCallKind::Freeform {
        return Err(crate::invalid("this tool takes JSON arguments"));
    }
    parse_args(&request.call.arguments)
}

/// The model's `sandbox_permissions` and `justification`: `Some(justification)` when
/// it asks to run outside the sandbox.
fn escalation(
    permissions: Option<&str>,
    justification: Option<String>,
) -> Result<Option<Option<String>>, ToolError> {
    match permissions {
        None | Some("use_default") => Ok(None),
        Some("require_escalated") => Ok(Some(justification.filter(|j| !j.trim().is_empty()))),
        Some(other) => Err(invalid(&format!(
            "field `sandbox_permissions`: `{other}` is not one of use_default, require_escalated"
        ))),
    }
}

/// A command started as the approval policy allows and read for `wait` (or until it
/// exits); under `on-failure`, run again outside the sandbox when it failed there
/// and the approver agrees.
struct Permitted {
    process: Process,
    chunk: Chunk,
    began: Instant,
}

async fn run_permitted(
    context: &ToolContext,
    tool: &str,
    program: &Program,
    dir: &Path,
    with_stdin: bool,
    escalation: Option<Option<String>>,
    wait: Duration,
) -> Result<Permitted, ToolError> {
    let line = program.line();
    let sandboxing = context.permit_command(tool, &line, dir, escalation).await?;
    let mut began = Instant::now();
    let mut process = Process::run(start(context, program, dir, with_stdin, sandboxing).await?);
    let mut chunk = process.read_until(began + wait).await;
    if let Some(status) = chunk.exit
        && sandboxing == Sandboxing::Policy
        && context
            .permit_rerun(tool, &line, dir, exit_code(status), &chunk.output)
            .await
    {
        began = Instant::now();
        let again = start(context, program, dir, with_stdin, Sandboxing::Escalated).await?;
        process = Process::run(again);
        chunk = process.read_until(began + wait).await;
    }
    Ok(Permitted {
        process,
        chunk,
        began,
    })
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
        TruncationPolicy::tokens(MAX_OUTPUT_TOKENS),
    ));
    text
}
