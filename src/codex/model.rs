//! Recipes for Codex language models over SSE ([`model`]) and WebSocket ([`model_websocket`]).

use clanka_codex::{CodexClient, ModelChoice};
use clanka_model::{LanguageModel, ModelName, ModelProfile, ProviderName, ProviderOptions};

use crate::runtime::{Context, Layer, ServiceId};

/// A recipe for a Codex model streamed over SSE: one POST per turn.
///
/// `choice` is a slug (`"gpt-5.5"`) or the catalogue's choice
/// ([`ModelChoice::Primary`], [`ModelChoice::Subagent`]); signed in with ChatGPT, a
/// model or effort the catalogue does not offer fails the build, before any request.
/// Requires the [`CodexClient`] of [`layer_client`](super::layer_client); provides
/// [`LanguageModel`], [`ProviderName`] (`openai`), [`ModelName`] (the slug) and the
/// catalogue's [`ModelProfile`]. `options` are the model's defaults (without an
/// effort, the catalogue's default); a request's own options win.
///
/// # Example
///
/// ```
/// use clanka::codex;
/// use clanka_codex::ModelChoice;
/// use clanka_model::{ProviderOptions, ReasoningEffort};
///
/// let named = codex::model("gpt-5.5", ProviderOptions::default().reasoning_effort(ReasoningEffort::Low));
/// let default = codex::model(ModelChoice::Primary, ProviderOptions::default());
/// assert_eq!(named.name(), "codex::model");
/// # let _ = default;
/// ```
pub fn model(choice: impl Into<ModelChoice>, options: ProviderOptions) -> Layer {
    recipe("codex::model", choice.into(), options, false)
}

/// A recipe for a Codex model over one persistent WebSocket per conversation, falling
/// back to SSE for the model's lifetime if the backend refuses the upgrade (426);
/// otherwise as [`model`].
pub fn model_websocket(choice: impl Into<ModelChoice>, options: ProviderOptions) -> Layer {
    recipe("codex::model_websocket", choice.into(), options, true)
}

fn recipe(
    label: &'static str,
    choice: ModelChoice,
    options: ProviderOptions,
    websocket: bool,
) -> Layer {
    let requires = vec![ServiceId::of::<CodexClient>()];
    let provides = vec![
        ServiceId::of::<LanguageModel>(),
        ServiceId::of::<ProviderName>(),
        ServiceId::of::<ModelName>(),
        ServiceId::of::<ModelProfile>(),
    ];
    Layer::from_context(label, requires, provides, move |ctx, _| {
        let (choice, options) = (choice.clone(), options.clone());
        async move {
            let client: CodexClient = ctx.get()?;
            let (model, profile) = client.model(choice, options, websocket).await?;
            Ok(Context::empty()
                .add(client.record_rate_limits(model.language_model()))
                .add(ProviderName::new("openai"))
                .add(ModelName::new(profile.slug.clone()))
                .add(profile))
        }
    })
}
