//! `exec_command` and `write_stdin`: the unified exec tools current Codex models are
//! trained on. A command still running after `yield_time_ms` stays alive as a
//! session; `write_stdin` sends it input or polls it.
//!
//! Deviations from the official client: there is no pseudo-terminal (`tty` is
//! accepted and ignored), but stdin stays open as a pipe, so interactive programs
//! (`python3 -i`, `cat`, a REPL) can be driven with `write_stdin` all the same;
//! commands always run in `bash` (`shell` is accepted and ignored), and
//! `prefix_rule` is accepted but not remembered. Arguments the tool does not read
//! are ignored, as the official client ignores them.

use std::sync::Arc;
use std::time::Duration;

use clanka_model::Tool;
use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use super::session::{Chunk, Sessions};
use super::spawn::{Program, workdir};
use super::{Permitted, display, escalation, format_chunk, parse, run_permitted};
use crate::{ToolError, ToolOutput, ToolRequest, ToolService};

/// `yield_time_ms` of `exec_command`: default and range.
const EXEC_YIELD: (u64, u64, u64) = (10_000, 250, 30_000);
/// `yield_time_ms` of `write_stdin` with input: default and range.
const WRITE_YIELD: (u64, u64, u64) = (250, 250, 30_000);
/// An empty `write_stdin` (a poll) waits at least this long, at most the second.
const POLL_YIELD: (u64, u64) = (5_000, 300_000);
/// Default `max_output_tokens`.
const MAX_OUTPUT_TOKENS: u64 = super::MAX_OUTPUT_TOKENS;

#[derive(Debug, Deserialize)]
struct ExecArgs {
    cmd: String,
    workdir: Option<String>,
    yield_time_ms: Option<u64>,
    max_output_tokens: Option<u64>,
    login: Option<bool>,
    justification: Option<String>,
    sandbox_permissions: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteArgs {
    session_id: u32,
    #[serde(default)]
    chars: String,
    yield_time_ms: Option<u64>,
    max_output_tokens: Option<u64>,
}

/// `exec_command`.
pub(crate) fn exec_command() -> ToolService {
    let definition = exec_definition();
    ToolService::from_fn(definition.clone(), |request: ToolRequest| async move {
        let args: ExecArgs = parse(&request)?;
        let context = &request.context;
        let dir = workdir(context, args.workdir.as_deref())?;
        let login = args.login.unwrap_or(context.exec().login_shell);
        let program = Program::Shell {
            command: args.cmd,
            login,
        };
        let escalation = escalation(args.sandbox_permissions.as_deref(), args.justification)?;
        let wait = yield_time(args.yield_time_ms, EXEC_YIELD);
        let Permitted {
            process,
            chunk,
            began,
        } = run_permitted(
            context,
            "exec_command",
            &program,
            &dir,
            true,
            escalation,
            wait,
        )
        .await?;
        let session = match chunk.exit {
            Some(_) => None,
            None => Some(sessions(&request).keep(Arc::new(process))),
        };
        Ok(answer(&chunk, began, session, args.max_output_tokens))
    })
    .serial(true)
    .with_spec(move |model| crate::codex::offers_unified_exec(model).then(|| definition.clone()))
    .with_describe(|call| describe(call, "cmd"))
}

fn exec_definition() -> Tool {
    Tool::new(
        "exec_command",
        "Runs a command, returning output or a session ID for ongoing interaction. Every process the command starts, background ones included, ends when the command ends: run long-lived programs in the foreground and talk to them with write_stdin.",
        json!({
            "type": "object",
            "properties": {
                "cmd": {"type": "string", "description": "Shell command to execute."},
                "workdir": {"type": "string", "description": "Optional working directory to run the command in; defaults to the turn cwd."},
                "yield_time_ms": {"type": "number", "description": "How long to wait (in milliseconds) for output before yielding. Defaults to 10000 ms; effective range is 250-30000 ms."},
                "max_output_tokens": {"type": "number", "description": "Maximum number of tokens to return. Excess output will be truncated."},
                "login": {"type": "boolean", "description": "Whether to run the shell with -l/-i semantics. Defaults to true."},
                "tty": {"type": "boolean", "description": "Accepted for compatibility; stdin is always kept open for write_stdin."},
                "sandbox_permissions": {"type": "string", "enum": ["use_default", "require_escalated"], "description": "Per-command sandbox override. Defaults to `use_default`; use `require_escalated` for unsandboxed execution."},
                "justification": {"type": "string", "description": "User-facing approval question for `require_escalated`; omit otherwise."}
            },
            "required": ["cmd"],
            "additionalProperties": false
        }),
    )
}

/// `write_stdin`.
pub(crate) fn write_stdin() -> ToolService {
    let definition = Tool::new(
        "write_stdin",
        "Writes characters to an existing unified exec session and returns recent output.",
        json!({
            "type": "object",
            "properties": {
                "session_id": {"type": "number", "description": "Identifier of the running unified exec session."},
                "chars": {"type": "string", "description": "Bytes to write to stdin (may be empty to poll)."},
                "yield_time_ms": {"type": "number", "description": "How long to wait (in milliseconds) for output before yielding."},
                "max_output_tokens": {"type": "number", "description": "Maximum number of tokens to return. Excess output will be truncated."}
            },
            "required": ["session_id"],
            "additionalProperties": false
        }),
    );
    ToolService::from_fn(definition.clone(), |request: ToolRequest| async move {
        let args: WriteArgs = parse(&request)?;
        let sessions = sessions(&request);
        let Some(process) = sessions.get(args.session_id) else {
            return Err(ToolError::failed(format!(
                "write_stdin failed: Unknown process id {}",
                args.session_id
            )));
        };
        let began = Instant::now();
        let wait = if args.chars.is_empty() {
            let asked = args.yield_time_ms.unwrap_or(POLL_YIELD.0);
            Duration::from_millis(asked.clamp(POLL_YIELD.0, POLL_YIELD.1))
        } else {
            process.write(&args.chars).await?;
            yield_time(args.yield_time_ms, WRITE_YIELD)
        };
        let chunk = process.read_until(began + wait).await;
        let session = match chunk.exit {
            Some(_) => {
                sessions.forget(args.session_id);
                None
            }
            None => Some(args.session_id),
        };
        Ok(answer(&chunk, began, session, args.max_output_tokens))
    })
    .serial(true)
    .with_spec(move |model| crate::codex::offers_unified_exec(model).then(|| definition.clone()))
    .with_describe(|call| describe(call, "chars"))
}

fn yield_time(asked: Option<u64>, (default, min, max): (u64, u64, u64)) -> Duration {
    Duration::from_millis(asked.unwrap_or(default).clamp(min, max))
}

fn sessions(request: &ToolRequest) -> Sessions {
    request.context.run().get_or_insert_with(Sessions::default)
}

fn answer(
    chunk: &Chunk,
    began: Instant,
    session: Option<u32>,
    max_tokens: Option<u64>,
) -> ToolOutput {
    let budget = max_tokens
        .unwrap_or(MAX_OUTPUT_TOKENS)
        .min(MAX_OUTPUT_TOKENS);
    ToolOutput::text(format_chunk(chunk, began.elapsed(), session, budget)).with_display(display(
        &chunk.output,
        chunk.exit,
        session,
    ))
}

fn describe(call: &clanka_model::ToolCall, field: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(&call.arguments).unwrap_or_default();
    crate::text::first_line(
        value
            .get(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default(),
        80,
    )
}
