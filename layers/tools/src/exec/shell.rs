//! `shell` (an argument vector, or a command line) and `shell_command` (a command
//! line): one-shot commands that run to completion or to their time limit, for models
//! whose catalogue entry names these tools.

use std::time::Duration;

use super::spawn::{Program, workdir};
use super::{Permitted, display, escalation, format_completed, parse, run_permitted};
use crate::{ToolOutput, ToolRequest, ToolService};
use clanka_model::Tool;
use serde::Deserialize;
use serde_json::{Value, json};

/// Time limit when the model gives none.
pub(crate) const DEFAULT_TIMEOUT_MS: u64 = 120_000;
/// Largest time limit; larger requests are clamped.
pub(crate) const MAX_TIMEOUT_MS: u64 = 600_000;

#[derive(Debug, Deserialize)]
struct Args {
    command: Value,
    workdir: Option<String>,
    #[serde(alias = "timeout")]
    timeout_ms: Option<u64>,
    login: Option<bool>,
    justification: Option<String>,
    sandbox_permissions: Option<String>,
}

/// `shell`: `command` is an argument vector run directly (as the legacy tool's
/// `execvp`), or, leniently, a command line run with bash.
pub(crate) fn shell() -> ToolService {
    let definition = Tool::new(
        "shell",
        "Runs a shell command and returns its output.\n- The arguments to `shell` will be passed to execvp(). Most terminal commands should be prefixed with [\"bash\", \"-lc\"].\n- Always set the `workdir` param when using the shell function. Do not use `cd` unless absolutely necessary.",
        json!({
            "type": "object",
            "properties": {
                "command": {"type": "array", "items": {"type": "string"}, "description": "The command to execute"},
                "workdir": {"type": "string", "description": "The working directory to execute the command in"},
                "sandbox_permissions": {"type": "string", "enum": ["use_default", "require_escalated"], "description": "Per-command sandbox override. Defaults to `use_default`; use `require_escalated` for unsandboxed execution."},
                "justification": {"type": "string", "description": "User-facing approval question for `require_escalated`; omit otherwise."},
                "timeout_ms": {"type": "number", "description": "The timeout for the command in milliseconds"}
            },
            "required": ["command"],
            "additionalProperties": false
        }),
    );
    one_shot(definition, clanka_model::ShellTool::Shell)
}

/// `shell_command`: `command` is a command line for bash.
pub(crate) fn shell_command() -> ToolService {
    let definition = Tool::new(
        "shell_command",
        "Runs a shell command and returns its output.\n- Always set the `workdir` param when using the shell_command function. Do not use `cd` unless absolutely necessary.",
        json!({
            "type": "object",
            "properties": {
                "command": {"type": "string", "description": "The shell script to execute in the user's default shell"},
                "workdir": {"type": "string", "description": "The working directory to execute the command in"},
                "sandbox_permissions": {"type": "string", "enum": ["use_default", "require_escalated"], "description": "Per-command sandbox override. Defaults to `use_default`; use `require_escalated` for unsandboxed execution."},
                "justification": {"type": "string", "description": "User-facing approval question for `require_escalated`; omit otherwise."},
                "timeout_ms": {"type": "number", "description": "The timeout for the command in milliseconds"},
                "login": {"type": "boolean", "description": "Whether to run the shell with login shell semantics. Defaults to true."}
            },
            "required": ["command"],
            "additionalProperties": false
        }),
    );
    one_shot(definition, clanka_model::ShellTool::ShellCommand)
}

fn one_shot(definition: Tool, kind: clanka_model::ShellTool) -> ToolService {
    let spec = definition.clone();
    let name: &'static str = match kind {
        clanka_model::ShellTool::ShellCommand => "shell_command",
        _ => "shell",
    };
    ToolService::from_fn(definition, move |request: ToolRequest| async move {
        let args: Args = parse(&request)?;
        let context = &request.context;
        let login = args.login.unwrap_or(context.exec().login_shell);
        let program = match args.command {
            Value::String(command) => Program::Shell { command, login },
            Value::Array(items) => {
                let argv: Option<Vec<String>> = items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect();
                match argv {
                    Some(argv) if !argv.is_empty() => Program::Argv(argv),
                    _ => {
                        return Err(crate::invalid(
                            "field `command`: a non-empty list of strings",
                        ));
                    }
                }
            }
            _ => {
                return Err(crate::invalid(
                    "field `command`: a string or a list of strings",
                ));
            }
        };
        let dir = workdir(context, args.workdir.as_deref())?;
        let limit = args
            .timeout_ms
            .unwrap_or(DEFAULT_TIMEOUT_MS)
            .clamp(1, MAX_TIMEOUT_MS);
        let escalation = escalation(args.sandbox_permissions.as_deref(), args.justification)?;
        let wait = Duration::from_millis(limit);
        let Permitted {
            process,
            chunk,
            began,
        } = run_permitted(context, name, &program, &dir, false, escalation, wait).await?;
        drop(process); // kills whatever still runs
        let text = format_completed(&chunk, began.elapsed(), limit);
        let shown = display(&chunk.output, chunk.exit, None);
        Ok(match chunk.exit {
            Some(_) => ToolOutput::text(text).with_display(shown),
            None => ToolOutput::error(text).with_display(
                format!("{shown}\ntimed out after {limit} ms")
                    .trim()
                    .to_owned(),
            ),
        })
    })
    .serial(true)
    .with_spec(move |model| crate::codex::offers_shell(model, kind).then(|| spec.clone()))
    .with_describe(|call| {
        let value: Value = serde_json::from_str(&call.arguments).unwrap_or_default();
        let command = match value.get("command") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
            Some(Value::String(line)) => line.clone(),
            _ => String::new(),
        };
        crate::text::first_line(&command, 80)
    })
}
