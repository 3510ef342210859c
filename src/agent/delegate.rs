//! The `delegate` tool: hands a task to a fresh sub-agent one level down, on the
//! [`SubagentModel`](super::SubagentModel) when the agent has one.

use clanka_model::{Message, Tool, ToolCall};
use clanka_tools::{ToolError, parse_args};
use serde::Deserialize;
use serde_json::json;

use super::emit::Emitter;
use super::output::Output;
use super::state::{Inner, RunSubagent};
use crate::session::SubagentRun;

/// The name of the tool that hands a task to a sub-agent.
pub(crate) const DELEGATE: &str = "delegate";

pub(crate) fn definition() -> Tool {
    Tool::new(
        DELEGATE,
        "Hands a self-contained task to a sub-agent with the same tools in the same \
         directory and returns its summary. The sub-agent sees only `task`, not this \
         conversation: say everything it needs. Several delegate calls in one response \
         run concurrently.",
        json!({
            "type": "object",
            "properties": {"task": {"type": "string", "description": "The task, complete and specific."}},
            "required": ["task"],
            "additionalProperties": false
        }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    task: String,
}

/// Runs a fresh sub-agent on the call's task; its summary is the tool output.
pub(crate) async fn delegate(
    inner: &Inner,
    call: &ToolCall,
    emitter: &Emitter,
    run_subagent: RunSubagent,
) -> Result<String, ToolError> {
    let args: Args = parse_args(&call.arguments)?;
    let (model, name, profile) = match &inner.subagent {
        Some(sub) => (sub.model.clone(), sub.name.to_string(), sub.profile.clone()),
        None => (
            inner.model.clone(),
            inner.model_name.clone(),
            inner.profile.clone(),
        ),
    };
    emitter
        .emit(Output::SubagentStart {
            id: call.id.clone(),
            prompt: args.task.clone(),
            model: name.clone(),
        })
        .await;
    let child = inner.child(model, name.clone(), profile);
    let child_emitter = emitter.child(&call.id);
    let (result, history) = run_subagent(&child, args.task.clone(), &child_emitter).await;
    let recorder = inner.session.lock().await.clone();
    if let Some(recorder) = recorder {
        let run = SubagentRun {
            call_id: call.id.clone(),
            model: name,
            task: args.task,
            history: history.iter().map(|m| Message::clone(m)).collect(),
        };
        if let Err(error) = recorder.record_subagent(run).await {
            tracing::warn!(error = %clanka_model::error_chain(&error), "the sub-agent's run was not saved");
        }
    }
    match result {
        Ok(summary) => {
            emitter
                .emit(Output::SubagentComplete {
                    id: call.id.clone(),
                    summary: summary.clone(),
                })
                .await;
            Ok(summary)
        }
        Err(error) => {
            let error = clanka_model::error_chain(&error);
            emitter
                .emit(Output::SubagentFailed {
                    id: call.id.clone(),
                    error: error.clone(),
                })
                .await;
            Err(ToolError::failed(format!("the sub-agent failed: {error}")))
        }
    }
}
