//! Sub-agents: the model they run on ([`SubagentModel`], built by
//! [`layer_subagent_model`] from the parent's services) and the `delegate` tool.

use clanka_model::{LanguageModel, Message, ModelName, ModelProfile, Tool, ToolCall};
use serde::Deserialize;
use serde_json::json;

use super::Output;
use super::emit::Emitter;
use super::handle::{Inner, run_detached_history};
use crate::runtime::{Context, Layer, ServiceId};
use crate::session::SubagentRun;
use clanka_tools::{ToolError, parse_args};

/// The model sub-agents run on, when it differs from the agent's own.
#[derive(Debug, Clone)]
pub struct SubagentModel {
    /// The model.
    pub model: LanguageModel,
    /// Its name, shown in [`Output::SubagentStart`].
    pub name: ModelName,
    /// Its catalogue entry, when the recipe provides one.
    pub profile: Option<ModelProfile>,
}

/// A recipe that builds `model_layer` (any recipe providing [`LanguageModel`] and
/// [`ModelName`], such as `codex::model`) from the services of the graph it is
/// provided with, and provides the result as the [`SubagentModel`].
///
/// Because the inner model is built from the parent's context, it shares the parent's
/// auth, HTTP client and sockets: one login, one refresh lock, one connection pool.
///
/// # Example
///
/// ```
/// use clanka::{agent, codex};
/// use clanka_model::{ProviderOptions, ReasoningEffort};
///
/// let cheap = codex::model("gpt-5.5", ProviderOptions::default().reasoning_effort(ReasoningEffort::Low));
/// let sub = agent::layer_subagent_model(cheap);
/// assert_eq!(sub.provides().len(), 1);
/// ```
pub fn layer_subagent_model(model_layer: Layer) -> Layer {
    let requires = model_layer.requires();
    Layer::from_context(
        "agent::layer_subagent_model",
        requires,
        vec![ServiceId::of::<SubagentModel>()],
        move |ctx, scope| {
            let model_layer = model_layer.clone();
            async move {
                let runtime = model_layer.build_with(&ctx).await?;
                let sub = SubagentModel {
                    model: runtime.get()?,
                    name: runtime.get()?,
                    profile: runtime.get().ok(),
                };
                scope.add_finalizer("agent::layer_subagent_model", move || runtime.shutdown());
                Ok(Context::empty().add(sub))
            }
        },
    )
}

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
    let (result, history) = run_detached_history(&child, args.task.clone(), &child_emitter).await;
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
        Err(error) => Err(ToolError::failed(format!(
            "the sub-agent failed: {}",
            clanka_model::error_chain(&error)
        ))),
    }
}
