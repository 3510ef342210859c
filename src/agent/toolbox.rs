//! The tools an agent offers the model, and running a batch of calls: the toolkit's
//! tools, plus `delegate` and `task_complete`, which belong to the agent itself.

use clanka_model::{Tool, ToolCall, TruncationPolicy};
use clanka_tools::{ToolContext, ToolError, ToolOutput, ToolRequest, parse_args, truncate_output};
use futures_util::future::join_all;
use serde::Deserialize;
use serde_json::json;

use super::delegate;
use super::emit::Emitter;
use super::output::Output;
use super::state::{Inner, RunSubagent};

/// The name of the tool that ends a task.
pub(crate) const TASK_COMPLETE: &str = "task_complete";

/// What a call produced for the model, and whether it completed the task.
#[derive(Debug)]
pub(crate) struct CallResult {
    pub(crate) id: String,
    pub(crate) output: ToolOutput,
    pub(crate) completion: Option<Completion>,
}

/// A `task_complete` call: the summary, and the final object when the send asked
/// for one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Completion {
    pub(crate) summary: String,
    #[serde(default)]
    pub(crate) result: Option<serde_json::Value>,
}

/// The definitions offered to this agent's model; with an output schema,
/// `task_complete` carries the final object as `result`.
pub(crate) fn definitions(inner: &Inner, output_schema: Option<&serde_json::Value>) -> Vec<Tool> {
    let mut list = inner.toolkit.definitions(inner.profile.as_ref());
    if inner.depth < inner.config.max_depth {
        list.push(delegate::definition());
    }
    list.push(complete_definition(output_schema));
    list
}

/// Whether `call` runs one after another with the other serial calls, in call order.
fn serial(inner: &Inner, call: &ToolCall) -> bool {
    inner
        .toolkit
        .get(&call.name)
        .is_some_and(|tool| tool.is_serial())
}

/// Runs `calls`, emitting each output as it finishes; results come back in call order.
/// A `delegate` call runs its sub-agent with `run_subagent`.
pub(crate) async fn run_all(
    inner: &Inner,
    context: &ToolContext,
    calls: &[ToolCall],
    emitter: &Emitter,
    run_subagent: RunSubagent,
) -> Vec<CallResult> {
    let concurrent = join_all(
        calls
            .iter()
            .filter(|call| !serial(inner, call))
            .map(|call| run_one(inner, context, call, emitter, run_subagent)),
    );
    let serial_calls = async {
        let mut results = Vec::new();
        for call in calls.iter().filter(|call| serial(inner, call)) {
            results.push(run_one(inner, context, call, emitter, run_subagent).await);
        }
        results
    };
    let (concurrent, serial_calls) = futures_util::join!(concurrent, serial_calls);
    let mut results: Vec<CallResult> = concurrent.into_iter().chain(serial_calls).collect();
    results.sort_by_key(|result| calls.iter().position(|call| call.id == result.id));
    results
}

async fn run_one(
    inner: &Inner,
    context: &ToolContext,
    call: &ToolCall,
    emitter: &Emitter,
    run_subagent: RunSubagent,
) -> CallResult {
    let mut completion = None;
    let outcome = if call.name == TASK_COMPLETE {
        parse_args::<Completion>(&call.arguments).map(|args| {
            completion = Some(args);
            ToolOutput::text("The task is complete.")
        })
    } else if call.name == delegate::DELEGATE && inner.depth < inner.config.max_depth {
        delegate::delegate(inner, call, emitter, run_subagent)
            .await
            .map(ToolOutput::text)
    } else {
        // Only a tool offered to this model runs: one whose form the model was not
        // given (`shell` where it was offered `exec_command`) is as unknown as a
        // made-up name.
        let offered = inner
            .toolkit
            .get(&call.name)
            .filter(|tool| tool.spec(inner.profile.as_ref()).is_some());
        match offered {
            Some(tool) => {
                emit_call(call, tool.describe(call), emitter).await;
                let request = ToolRequest {
                    call: call.clone(),
                    context: context.clone(),
                };
                let output = tool.call(request).await;
                emit_output(call, output, inner, emitter).await
            }
            None => {
                let error =
                    ToolError::InvalidArguments(format!("there is no tool named `{}`", call.name));
                emit_output(call, Err(error), inner, emitter).await
            }
        }
    };
    let output = match outcome {
        Ok(output) => output,
        Err(error) => ToolOutput::error(error.to_string()),
    };
    CallResult {
        id: call.id.clone(),
        output,
        completion,
    }
}

async fn emit_call(call: &ToolCall, summary: String, emitter: &Emitter) {
    let arguments = serde_json::from_str(&call.arguments)
        .unwrap_or_else(|_| serde_json::Value::String(call.arguments.clone()));
    emitter
        .emit(Output::ToolCall {
            id: call.id.clone(),
            name: call.name.clone(),
            arguments,
            summary,
        })
        .await;
}

/// The output the model is given: truncated per the model's catalogue entry (10,000
/// tokens when it has none), and shown as such.
async fn emit_output(
    call: &ToolCall,
    outcome: Result<ToolOutput, ToolError>,
    inner: &Inner,
    emitter: &Emitter,
) -> Result<ToolOutput, ToolError> {
    let mut output = match outcome {
        Ok(output) => output,
        Err(error) => ToolOutput::error(error.to_string()),
    };
    let policy = inner
        .profile
        .as_ref()
        .map_or(TruncationPolicy::tokens(10_000), |p| p.truncation);
    output.text = truncate_output(&output.text, policy);
    emitter
        .emit(Output::ToolOutput {
            id: call.id.clone(),
            output: output.shown().to_owned(),
            is_error: output.is_error,
        })
        .await;
    Ok(output)
}

fn complete_definition(output_schema: Option<&serde_json::Value>) -> Tool {
    let mut parameters = json!({
        "type": "object",
        "properties": {"summary": {"type": "string"}},
        "required": ["summary"],
        "additionalProperties": false
    });
    let mut description =
        "Ends the task. Call it once everything is done and checked, with a short \
         summary of what you did and anything the user must know."
            .to_owned();
    if let Some(schema) = output_schema {
        parameters["properties"]["result"] = schema.clone();
        parameters["required"] = json!(["summary", "result"]);
        description.push_str(" `result` is the final answer, an object matching its schema.");
    }
    Tool::new(TASK_COMPLETE, description, parameters)
}
