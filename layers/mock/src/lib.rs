//! A faithful mock of OpenAI's Codex backend, for tests and by hand.
//!
//! It serves the OAuth device-code flow, the browser (PKCE) authorize page and the token
//! endpoints (with rotating refresh tokens), the model catalogue, workspace routing, and the
//! Responses API over HTTP (SSE) and WebSocket, with remote compaction, request validation
//! like the real backend, scripted responses and injected faults, and a record of every
//! request; over plain HTTP or HTTPS. See the crate README for the scenario file format.
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> Result<(), clanka_mock::MockError> {
//! use clanka_mock::{MockOptions, MockServer, Scenario, ScriptedResponse};
//!
//! let scenario = Scenario::new().respond(ScriptedResponse::new().message("Hi there"));
//! let server = MockServer::start(MockOptions::default().with_scenario(scenario)).await?;
//! let base = server.codex_base_url(); // POST {base}/responses
//! let tokens = server.issue_tokens(); // Authorization: Bearer {tokens.access_token}
//! # let _ = (base, tokens);
//! let seen = server.requests();
//! # let _ = seen;
//! # Ok(()) }
//! ```

mod auth;
mod body;
mod catalog;
mod common;
mod error;
mod jwt;
mod options;
mod proxy;
mod record;
mod responses;
mod router;
mod scenario;
mod server;
mod state;
mod tls;
mod wham;

pub use auth::IssuedTokens;
pub use catalog::builtin_models;
pub use error::MockError;
pub use options::MockOptions;
pub use proxy::{ConnectProxy, ProxyTunnel};
pub use record::{RecordKind, RecordedRequest};
pub use scenario::{
    CompactionFault, Failure, Faults, HttpError, Scenario, ScriptedItem, ScriptedResponse,
};
pub use server::MockServer;

/// Compiles the README's examples as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
