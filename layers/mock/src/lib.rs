//! A faithful mock of OpenAI's Codex backend, for tests and by hand.
//!
//! It serves the OAuth device-code flow, the browser (PKCE) authorize page and the token
//! endpoints (with rotating refresh tokens), and the Responses API over HTTP (SSE) and WebSocket, with request
//! validation like the real backend, scripted responses and injected faults, and a
//! record of every request. See the crate README for the scenario file format.
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
mod error;
mod jwt;
mod record;
mod responses;
mod router;
mod scenario;
mod server;
mod state;

pub use auth::IssuedTokens;
pub use error::MockError;
pub use record::{RecordKind, RecordedRequest};
pub use scenario::{Failure, Faults, HttpError, Scenario, ScriptedItem, ScriptedResponse};
pub use server::{MockOptions, MockServer};

/// Compiles the README's examples as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
