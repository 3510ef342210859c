//! The model sub-agents run on: [`SubagentModel`], built by [`layer_subagent_model`]
//! from the parent's services.

use clanka_model::{LanguageModel, ModelName, ModelProfile};

use crate::runtime::{Context, Layer, ServiceId};

/// The model sub-agents run on, when it differs from the agent's own.
#[derive(Debug, Clone)]
pub struct SubagentModel {
    /// The model.
    pub model: LanguageModel,
    /// Its name, shown in [`Output::SubagentStart`](super::Output::SubagentStart).
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
