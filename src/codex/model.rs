//! Recipes for Codex language models over SSE ([`model`]) and WebSocket ([`model_websocket`]).

use clanka_codex::CodexAuth;
use clanka_http::HttpClient;
use clanka_model::{LanguageModel, ModelName, ProviderName, ProviderOptions};
use clanka_responses::{ResponsesConfig, ResponsesModel};
use clanka_socket::WebSocketConstructor;

use crate::runtime::{Context, Layer, ServiceId};

/// A recipe for the Codex model `name` streamed over SSE: one POST per turn.
///
/// Requires what [`layer_client`](super::layer_client) provides (the authenticated
/// [`HttpClient`] and the [`CodexAuth`] handle, whose configuration names the base
/// URL); provides [`LanguageModel`], [`ProviderName`] (`openai`) and [`ModelName`].
/// `options` (reasoning effort and summary, verbosity, service tier) are the model's
/// defaults; a request's own options win.
/// Auth failures only the user can fix (no sign-in, a rejected API key) end a request
/// as the fatal [`AiError::Unauthorized`](clanka_model::AiError::Unauthorized), so
/// callers do not retry them.
///
/// # Example
///
/// ```
/// use clanka::codex;
/// use clanka_model::{ProviderOptions, ReasoningEffort};
///
/// let cheap = codex::model("gpt-5.4", ProviderOptions::default().reasoning_effort(ReasoningEffort::Low));
/// assert_eq!(cheap.name(), "codex::model");
/// ```
pub fn model(name: impl Into<String>, options: ProviderOptions) -> Layer {
    recipe("codex::model", name.into(), options, false)
}

/// A recipe for the Codex model `name` over one persistent WebSocket per
/// conversation, falling back to SSE for the model's lifetime if the backend refuses
/// the upgrade (426). Requires the authenticated [`WebSocketConstructor`] too;
/// otherwise as [`model`].
pub fn model_websocket(name: impl Into<String>, options: ProviderOptions) -> Layer {
    recipe("codex::model_websocket", name.into(), options, true)
}

fn recipe(label: &'static str, name: String, options: ProviderOptions, websocket: bool) -> Layer {
    let mut requires = vec![ServiceId::of::<HttpClient>(), ServiceId::of::<CodexAuth>()];
    if websocket {
        requires.push(ServiceId::of::<WebSocketConstructor>());
    }
    let provides = vec![
        ServiceId::of::<LanguageModel>(),
        ServiceId::of::<ProviderName>(),
        ServiceId::of::<ModelName>(),
    ];
    Layer::from_context(label, requires, provides, move |ctx, _| {
        let name = name.clone();
        let options = options.clone();
        async move {
            let http: HttpClient = ctx.get()?;
            let auth: CodexAuth = ctx.get()?;
            let config = ResponsesConfig::new(name.clone())
                .base_url(auth.config().base_url())
                .options(options)
                .classify_error(super::sign_in::reclassify);
            let model = if websocket {
                ResponsesModel::websocket(http, ctx.get::<WebSocketConstructor>()?, config)
            } else {
                ResponsesModel::sse(http, config)
            };
            Ok(Context::empty()
                .add(model.language_model())
                .add(ProviderName::new("openai"))
                .add(ModelName::new(name)))
        }
    })
}
