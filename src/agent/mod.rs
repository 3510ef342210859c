//! The coding agent: a tool loop over a [`LanguageModel`](clanka_model::LanguageModel)
//! in one directory, with sub-agents that inherit the parent's services.
//!
//! [`Agent::send`] streams [`Output`] events while the agent reads, edits, runs and
//! delegates. Its tools are a [`Toolkit`](clanka_tools::Toolkit) (by default
//! [`Toolkit::codex`](clanka_tools::Toolkit::codex): `exec_command`, `write_stdin`,
//! `apply_patch`, `update_plan`, `view_image` and the file tools, in the forms the
//! model's catalogue entry names), plus `delegate` and `task_complete`, which belong to
//! the agent. They work in the agent's directory: the file tools refuse paths outside
//! it ([`PathError`]); commands start there with an allow-listed environment.
//! [`layer_subagent_model`] gives sub-agents a cheaper model built from the same
//! services as the parent's.
//!
//! # Example
//!
//! ```
//! use clanka::agent::{Agent, Output};
//! use clanka_model::{FinishReason, LanguageModel, PartStream, Prompt, StreamPart, ToolCall};
//! use futures_util::StreamExt as _;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A scripted model that completes at once; real ones come from `clanka::codex`.
//! let model = LanguageModel::new(tower::service_fn(|_: Prompt| async {
//!     Ok(PartStream::from_parts([
//!         Ok(StreamPart::ToolCall(ToolCall::new("c1", "task_complete", r#"{"summary":"nothing to do"}"#))),
//!         Ok(StreamPart::Finish { reason: FinishReason::ToolCalls, response_id: None }),
//!     ]))
//! }));
//! let dir = tempfile::tempdir()?;
//! let agent = Agent::new(model, "scripted", dir.path())?;
//! let mut events = agent.send("tidy up", None);
//! let mut summary = None;
//! while let Some(event) = events.next().await {
//!     if let Output::AgentFinished { summary: s, .. } = event? {
//!         summary = Some(s);
//!     }
//! }
//! assert_eq!(summary.as_deref(), Some("nothing to do"));
//! # Ok(())
//! # }
//! ```

mod compact;
mod config;
mod delegate;
mod emit;
mod handle;
mod instructions;
mod output;
mod record;
mod run;
mod state;
mod stream;
mod subagent;
mod toolbox;
mod turn;

pub use clanka_tools::{PathError, Workspace};
pub use config::{AgentConfig, SendOptions};
pub use handle::Agent;
pub use output::{AgentError, Output};
pub use stream::AgentStream;
pub use subagent::{SubagentModel, layer_subagent_model};
