//! The Codex backend's client side: ChatGPT device and browser login, token refresh
//! and storage, the tower middleware that authenticates requests, and
//! [`CodexClient`], which holds the signed-in transports, the model catalogue
//! ([`ModelCatalog`], fetched and cached) and the rate limits last reported.
//!
//! [`CodexAuth`] hands out valid tokens (cached → refreshed → device login), keeps them
//! in a [`KeyValueStore`](clanka_kv::KeyValueStore) under `codex.auth/token`, refreshes
//! at most once at a time per process and per store (a cross-process lock), and signs
//! out. [`AuthLayer`] decorates an
//! [`HttpClient`](clanka_http::HttpClient) and a
//! [`WebSocketConstructor`](clanka_socket::WebSocketConstructor) with the bearer token and
//! account id, and recover from a 401 once. Tokens are [`Secret`]s: they never appear in
//! `Debug`, `Display`, errors or logs.
//!
//! # Example
//!
//! ```no_run
//! use clanka_codex::{CodexAuth, CodexAuthConfig, DeviceCodeHandlerService};
//! use clanka_http::{HttpClient, HttpConfig};
//! use clanka_kv::KeyValueStore;
//! use clanka_socket::{SocketConfig, WebSocketConstructor};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let http = HttpClient::new(HttpConfig::default())?;
//! let store = KeyValueStore::file_system("/home/me/.clanka")?;
//! let auth = CodexAuth::new(http.clone(), &store, DeviceCodeHandlerService::console(),
//!     CodexAuthConfig::from_env());
//! // Every request through `client` now carries the bearer token and account id.
//! let client = auth.authenticate_http(http);
//! let sockets = auth.authenticate_sockets(WebSocketConstructor::tungstenite(SocketConfig::default()));
//! # let _ = (client, sockets);
//! # Ok(())
//! # }
//! ```

mod auth;
#[cfg(feature = "browser-login")]
mod browser;
mod catalog;
mod client;
mod config;
mod decorate;
mod device;
mod error;
mod jwt;
mod layer;
mod oauth;
mod secret;
mod source;
mod store;
mod token;

pub use auth::{CodexAuth, LoginMethod};
pub use catalog::{
    API_KEY_DEFAULT_MODEL, CLIENT_VERSION, CatalogError, CatalogSource, ModelCatalog,
};
pub use clanka_responses::{CHATGPT_BASE_URL, OPENAI_BASE_URL, ORIGINATOR};
pub use client::{ClientSettings, CodexClient, ModelChoice, ModelError, RateLimits, SignInMode};
pub use config::{CLIENT_ID, CodexAuthConfig, DEFAULT_ISSUER, detect_interactive};
pub use device::{
    ConsoleDeviceCodeHandler, DeviceCodeHandler, DeviceCodeHandlerService, DeviceCodePrompt,
    RecordingDeviceCodeHandler,
};
pub use error::{CodexAuthError, SignInReason};
pub use layer::{Auth, AuthLayer, AuthRequest, AuthResponse, ResponseFuture};
pub use secret::Secret;
pub use source::{AccessToken, TokenSource};
pub use store::{STORE_PREFIX, TOKEN_KEY, TokenStore};
pub use token::Token;
