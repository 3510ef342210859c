//! The coding agent's tools as tower services.
//!
//! A [`ToolService`] is a tool's definition (asked per model, so one tool can take the
//! form a model was trained on) and a service that runs a [`ToolRequest`] into a
//! [`ToolOutput`]. A [`Toolkit`] holds an agent's tools by name; [`Toolkit::codex`] is
//! the built-in set: the Codex tool surface (`exec_command` and `write_stdin`,
//! `apply_patch`, `view_image`) and bounded file tools, all confined to a
//! [`Workspace`]. Tools of your own take typed arguments
//! ([`ToolService::typed`]); their schema comes from the type.
//!
//! # Example
//!
//! ```
//! use clanka_model::ToolCall;
//! use clanka_tools::{ToolContext, ToolError, ToolRequest, ToolService, Toolkit, Workspace};
//! use schemars::JsonSchema;
//! use serde::Deserialize;
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct Args {
//!     /// A city name.
//!     city: String,
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let weather = ToolService::typed("weather", "Today's weather in a city.", |args: Args, _ctx| async move {
//!     Ok::<_, ToolError>(format!("Sunny in {}", args.city))
//! });
//! let toolkit = Toolkit::codex().with(weather);
//! let dir = tempfile::tempdir()?;
//! let request = ToolRequest {
//!     call: ToolCall::new("call_1", "weather", r#"{"city":"Lyon"}"#),
//!     context: ToolContext::new(Workspace::new(dir.path())?),
//! };
//! let output = toolkit.get("weather").unwrap().call(request).await?;
//! assert_eq!(output.text, "Sunny in Lyon");
//! # Ok(())
//! # }
//! ```

pub mod approval;
mod codex;
mod exec;
mod fs;
mod image;
pub(crate) mod patch;
mod plan;
mod policy;
pub mod sandbox;
mod text;
mod tool;
mod toolkit;
mod workspace;

pub use approval::{
    Action, ApprovalPolicy, ApprovalReason, ApprovalRequest, Approvals, Approver, Decision,
    is_known_safe,
};
pub use patch::{MAX_FILE_BYTES as MAX_PATCH_FILE_BYTES, PatchError};
pub use policy::{DEFAULT_ALLOW, DEFAULT_DENY, EnvPolicy, ExecPolicy};
pub use sandbox::{SandboxError, SandboxMode, SandboxPolicy};
pub use text::truncate_output;
pub use tool::schema_of;
pub use tool::{
    MAX_OUTPUT_BYTES, RunState, ToolContext, ToolError, ToolOutput, ToolRequest, ToolService,
    invalid, parse_args,
};
pub use toolkit::{ToolSource, Toolkit};
pub use workspace::{PathError, Workspace};
