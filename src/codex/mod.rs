//! Recipes for the Codex backend: [`layer_client`] signs in and provides the
//! [`CodexClient`] (authenticated HTTP client and sockets, base URL, model catalogue);
//! [`model`] and [`model_websocket`] build language models from it.
//!
//! # Example
//!
//! ```
//! use clanka::{codex, http, kv, socket};
//! use clanka::runtime::Layer;
//! use clanka_codex::{CodexAuth, CodexAuthConfig, CodexClient};
//! use clanka_http::HttpConfig;
//! use clanka_socket::SocketConfig;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let deps = Layer::merge_all([
//!     http::layer_reqwest(HttpConfig::default()),
//!     socket::layer_tungstenite(SocketConfig::default()),
//!     kv::layer_memory(),
//!     codex::layer_console_prompt(),
//! ]);
//! // Build `client` once and hand the same value to every model that should share it.
//! let client = codex::layer_client(CodexAuthConfig::new()).provide(&deps);
//! let runtime = client.build().await.unwrap();
//! let codex: CodexClient = runtime.get().unwrap();
//! let auth: CodexAuth = runtime.get().unwrap();
//! assert_eq!(codex.base_url(), "https://chatgpt.com/backend-api/codex");
//! # let _ = auth;
//! # });
//! ```

pub use clanka_codex::*;

use clanka_http::HttpClient;
use clanka_kv::KeyValueStore;
use clanka_socket::WebSocketConstructor;

use crate::runtime::{Context, Layer, ServiceId};

/// A recipe that signs in to the Codex backend: [`layer_client_with`] with the default
/// [`ClientSettings`].
pub fn layer_client(config: CodexAuthConfig) -> Layer {
    layer_client_with(config, ClientSettings::default())
}

/// A recipe that signs in to the Codex backend with `config` and provides the
/// [`CodexClient`] models are made from, and the [`CodexAuth`] handle (for `status`,
/// `login`, `logout`).
///
/// Requires an [`HttpClient`], a [`WebSocketConstructor`], a [`KeyValueStore`] (tokens
/// and the cached catalogue) and a [`DeviceCodeHandlerService`]. The client's HTTP
/// client and sockets carry `Authorization` and `ChatGPT-Account-Id`; the ones in the
/// context stay undecorated. The runtime builds each recipe value once, so consumers
/// given the same value share one sign-in, one token refresh and one catalogue.
pub fn layer_client_with(config: CodexAuthConfig, settings: ClientSettings) -> Layer {
    let requires = vec![
        ServiceId::of::<HttpClient>(),
        ServiceId::of::<WebSocketConstructor>(),
        ServiceId::of::<KeyValueStore>(),
        ServiceId::of::<DeviceCodeHandlerService>(),
    ];
    let provides = vec![ServiceId::of::<CodexClient>(), ServiceId::of::<CodexAuth>()];
    Layer::from_context("codex::layer_client", requires, provides, move |ctx, _| {
        let (config, settings) = (config.clone(), settings.clone());
        async move {
            let http: HttpClient = ctx.get()?;
            let sockets: WebSocketConstructor = ctx.get()?;
            let store: KeyValueStore = ctx.get()?;
            let handler: DeviceCodeHandlerService = ctx.get()?;
            let auth = CodexAuth::new(http.clone(), &store, handler, config);
            let client = CodexClient::new(&auth, http, sockets, &store, settings);
            Ok(Context::empty().add(client).add(auth))
        }
    })
}

/// A recipe that provides the console device-code handler (instructions and a live
/// "waiting for approval" line on stderr).
pub fn layer_console_prompt() -> Layer {
    Layer::effect("codex::layer_console_prompt", |(): ()| async {
        Ok::<_, std::convert::Infallible>(DeviceCodeHandlerService::console())
    })
}

/// A recipe that provides `handler` as the device-code handler.
pub fn layer_prompt(handler: DeviceCodeHandlerService) -> Layer {
    Layer::succeed(handler)
}

mod model;

pub use model::{model, model_websocket};
