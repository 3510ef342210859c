//! The tools an agent offers the model, and running a batch of calls.

use clanka_model::{Tool, ToolCall};
use futures_util::future::join_all;
use serde::Deserialize;
use serde_json::json;

use super::emit::Emitter;
use super::handle::Inner;
use super::tools::{self, ToolError, parse_args};
use super::{Output, patch, subagent, todo};

/// What a call produced for the model, and whether it completed the task.
#[derive(Debug)]
pub(crate) struct CallResult {
    pub(crate) id: String,
    pub(crate) output: String,
    pub(crate) is_error: bool,
    pub(crate) completion: Option<String>,
}

/// Tools that change the directory run one after another, in the order called;
/// the rest run concurrently with them.
fn mutates(name: &str) -> bool {
    matches!(name, "write_file" | "apply_patch" | "shell")
}

pub(crate) fn definitions(inner: &Inner) -> Vec<Tool> {
    let mut list = vec![
        tools::read_file::definition(),
        tools::list_files::definition(),
        tools::grep::definition(),
        patch_definition(),
        tools::write_file::definition(),
        tools::shell::definition(),
        todo::definition(),
    ];
    if inner.depth < inner.config.max_depth {
        list.push(subagent::definition());
    }
    list.push(complete_definition());
    list
}

/// Runs `calls`, emitting each output as it finishes; results come back in call order.
pub(crate) async fn run_all(
    inner: &Inner,
    calls: &[ToolCall],
    emitter: &Emitter,
) -> Vec<CallResult> {
    let concurrent = join_all(
        calls
            .iter()
            .filter(|call| !mutates(&call.name))
            .map(|call| run_one(inner, call, emitter)),
    );
    let serial = async {
        let mut results = Vec::new();
        for call in calls.iter().filter(|call| mutates(&call.name)) {
            results.push(run_one(inner, call, emitter).await);
        }
        results
    };
    let (concurrent, serial) = futures_util::join!(concurrent, serial);
    let mut results: Vec<CallResult> = concurrent.into_iter().chain(serial).collect();
    results.sort_by_key(|result| calls.iter().position(|call| call.id == result.id));
    results
}

async fn run_one(inner: &Inner, call: &ToolCall, emitter: &Emitter) -> CallResult {
    let mut completion = None;
    let outcome = match call.name.as_str() {
        "read_file" => tools::read_file::run(&inner.workspace, &call.arguments).await,
        "list_files" => tools::list_files::run(&inner.workspace, &call.arguments).await,
        "grep" => tools::grep::run(&inner.workspace, &call.arguments).await,
        "write_file" => tools::write_file::run(&inner.workspace, &call.arguments).await,
        "shell" => tools::shell::run(&inner.workspace, &call.arguments).await,
        "apply_patch" => run_patch(inner, &call.arguments).await,
        "todo" => inner.todos.run(&call.arguments),
        "delegate" if inner.depth < inner.config.max_depth => {
            subagent::delegate(inner, call, emitter).await
        }
        "task_complete" => parse_args::<Complete>(&call.arguments).map(|args| {
            completion = Some(args.summary);
            "The task is complete.".to_owned()
        }),
        other => Err(ToolError::InvalidArguments(format!(
            "there is no tool named `{other}`"
        ))),
    };
    let (output, is_error) = match outcome {
        Ok(output) => (output, false),
        Err(error) => (error.to_string(), true),
    };
    emitter
        .emit(Output::ToolOutput {
            id: call.id.clone(),
            output: output.clone(),
            is_error,
        })
        .await;
    CallResult {
        id: call.id.clone(),
        output,
        is_error,
        completion,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchArgs {
    input: String,
}

fn patch_definition() -> Tool {
    Tool::new(
        "apply_patch",
        "Edits files with a patch in the Codex format, applied atomically (all files or none):\n\
         *** Begin Patch\n*** Add File: path\n+new line\n*** Update File: path\n*** Move to: new/path (optional)\n\
         @@ optional context line, e.g. a function signature\n context line\n-removed line\n+added line\n\
         *** Delete File: path\n*** End Patch\n\
         Each hunk needs about 3 lines of unchanged context around a change. Paths are relative to the working directory.",
        json!({
            "type": "object",
            "properties": {"input": {"type": "string", "description": "The whole patch, from *** Begin Patch to *** End Patch."}},
            "required": ["input"],
            "additionalProperties": false
        }),
    )
}

async fn run_patch(inner: &Inner, arguments: &str) -> Result<String, ToolError> {
    let args: PatchArgs = parse_args(arguments)?;
    let workspace = inner.workspace.clone();
    tools::blocking(move || {
        patch::apply_patch(&workspace, &args.input)
            .map(|summary| summary.to_string())
            .map_err(ToolError::from)
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Complete {
    summary: String,
}

fn complete_definition() -> Tool {
    Tool::new(
        "task_complete",
        "Ends the task. Call it once everything is done and checked, with a short summary \
         of what you did and anything the user must know.",
        json!({
            "type": "object",
            "properties": {"summary": {"type": "string"}},
            "required": ["summary"],
            "additionalProperties": false
        }),
    )
}
