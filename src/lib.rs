//! clanka: OpenAI's Codex backend as composable, dependency-injected tower services.
//!
//! The crate holds the effect-style [`runtime`], the recipes users compose ([`kv`],
//! [`http`], [`socket`], [`codex`], [`toolkit`], [`approval`], [`mcp`], [`session`]), the coding [`agent`] with its sub-agent recipe,
//! [`render`]ing of the agent's events, and [`config`]. Each service itself lives in a
//! `clanka-*` crate under `layers/` and is usable without the runtime.

pub mod agent;
pub mod approval;
pub mod codex;
#[cfg(feature = "config")]
pub mod config;
pub mod http;
pub mod kv;
#[cfg(feature = "mcp")]
pub mod mcp;
#[cfg(feature = "mock")]
pub mod mock;
pub mod model;
pub mod render;
pub mod runtime;
pub mod session;
pub mod socket;
pub mod toolkit;

// The README's examples compile in `consumer/`, a crate whose only clanka dependency
// is this one.
