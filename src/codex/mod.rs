//! Recipes for the Codex backend: [`layer_client`] decorates the HTTP client and the
//! WebSocket constructor with the ChatGPT (or API-key) credentials; [`model`] and
//! [`model_websocket`] build language models on top of them.
//!
//! # Example
//!
//! ```
//! use clanka::{codex, http, kv, socket};
//! use clanka::runtime::Layer;
//! use clanka_codex::{CodexAuth, CodexAuthConfig};
//! use clanka_http::{HttpClient, HttpConfig};
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
//! let authenticated: HttpClient = runtime.get().unwrap();
//! let auth: CodexAuth = runtime.get().unwrap();
//! # let _ = (authenticated, auth);
//! # });
//! ```

use clanka_codex::{CodexAuth, CodexAuthConfig, DeviceCodeHandlerService};
use clanka_http::HttpClient;
use clanka_kv::KeyValueStore;
use clanka_socket::WebSocketConstructor;

use crate::runtime::{Context, Layer, ServiceId};

/// A recipe that authenticates the HTTP client and the WebSocket constructor.
///
/// Requires [`HttpClient`], [`WebSocketConstructor`], [`KeyValueStore`] and a
/// [`DeviceCodeHandlerService`]; provides the decorated [`HttpClient`] and
/// [`WebSocketConstructor`] (they replace the undecorated ones for everything this
/// recipe is provided to) and the [`CodexAuth`] handle (for `status`, `login`,
/// `logout`). The auth service itself talks through the undecorated client. The
/// runtime builds each recipe value once, so consumers given the same value share one
/// auth service, one token cache and one login.
pub fn layer_client(config: CodexAuthConfig) -> Layer {
    let requires = vec![
        ServiceId::of::<HttpClient>(),
        ServiceId::of::<WebSocketConstructor>(),
        ServiceId::of::<KeyValueStore>(),
        ServiceId::of::<DeviceCodeHandlerService>(),
    ];
    let provides = vec![
        ServiceId::of::<HttpClient>(),
        ServiceId::of::<WebSocketConstructor>(),
        ServiceId::of::<CodexAuth>(),
    ];
    Layer::from_context("codex::layer_client", requires, provides, move |ctx, _| {
        let config = config.clone();
        async move {
            let http: HttpClient = ctx.get()?;
            let sockets: WebSocketConstructor = ctx.get()?;
            let store: KeyValueStore = ctx.get()?;
            let handler: DeviceCodeHandlerService = ctx.get()?;
            let auth = CodexAuth::new(http.clone(), &store, handler, config);
            Ok(Context::empty()
                .add(auth.authenticate_http(http))
                .add(auth.authenticate_sockets(sockets))
                .add(auth))
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
mod sign_in;

pub use model::{model, model_websocket};
