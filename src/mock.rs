//! The mock Codex backend ([`MockServer`]: sign-in and Responses over SSE and
//! WebSocket, scripted answers, faults) for tests of your own agents, and a client
//! graph signed in to it in one call.
//!
//! # Example
//!
//! ```
//! use clanka::{codex, mock};
//! use clanka::model::{LanguageModel, Prompt, ProviderOptions};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = mock::MockServer::start(mock::MockOptions::default()).await.unwrap();
//! let client = mock::layer_signed_in(&server).await;
//! let runtime = codex::model("gpt-5.5", ProviderOptions::default()).provide(&client).build().await.unwrap();
//! let model: LanguageModel = runtime.get().unwrap();
//! let answer = model.generate(Prompt::new().user("hi")).await.unwrap();
//! assert!(answer.text().contains("hi"));
//! # }
//! ```

pub use clanka_mock::*;

use clanka_codex::{
    CodexAuthConfig, DeviceCodeHandlerService, RecordingDeviceCodeHandler, Token, TokenStore,
};
use clanka_http::HttpConfig;
use clanka_kv::KeyValueStore;
use clanka_socket::SocketConfig;

use crate::runtime::Layer;
use crate::{codex, http, socket};

/// A recipe providing the Codex client of `server` (`CodexClient` and `CodexAuth`),
/// signed in with a fresh token held in a memory store, over reqwest and tungstenite:
/// put model recipes (`codex::model`) and the agent on top of it.
pub async fn layer_signed_in(server: &MockServer) -> Layer {
    let issued = server.issue_tokens();
    let token = Token {
        access: issued.access_token.as_str().into(),
        refresh: issued.refresh_token.as_str().into(),
        expires_at_ms: issued.expires_at.saturating_mul(1000),
        account_id: Some(issued.account_id),
    };
    let store = KeyValueStore::memory();
    // A memory store accepts every write.
    let _ = TokenStore::new(&store).save(&token).await;
    let base = Layer::merge_all([
        Layer::succeed(store),
        http::layer_reqwest(HttpConfig::default()),
        socket::layer_tungstenite(SocketConfig::default()),
        // Signed in already: a device code, if ever asked for, is only recorded.
        codex::layer_prompt(DeviceCodeHandlerService::new(
            RecordingDeviceCodeHandler::default(),
        )),
    ]);
    let auth = CodexAuthConfig::new()
        .with_issuer(server.issuer_url())
        .with_base_url(server.codex_base_url());
    codex::layer_client(auth).provide(&base)
}
