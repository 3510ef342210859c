//! The provider-neutral language-model contract the agent codes against.
//!
//! A [`Prompt`] (system prompt, [`Message`] history, [`Tool`]s, [`ToolChoice`],
//! [`ResponseFormat`], [`ProviderOptions`]) goes into a [`LanguageModel`], a cloneable
//! tower service; a [`PartStream`] of [`StreamPart`]s comes out, which
//! [`ResponseCollector`] folds into a [`Response`] to append to history. Failures are
//! one [`AiError`] that says whether and when to retry. Providers such as the Codex
//! client implement the service; [`ProviderName`] and [`ModelName`] name them. This
//! mirrors Effect's `LanguageModel` / `Prompt` / `Response` / `AiError` modules.
//!
//! # Example
//!
//! ```
//! use clanka_model::{
//!     AiError, FinishReason, LanguageModel, Message, PartStream, Prompt, StreamPart, ToolCall,
//! };
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), AiError> {
//! // A scripted provider; real ones come from clanka-codex.
//! let model = LanguageModel::new(tower::service_fn(|_prompt: Prompt| async {
//!     Ok(PartStream::from_parts([
//!         Ok(StreamPart::ToolCall(ToolCall::new("call_1", "shell", r#"{"command":"ls"}"#))),
//!         Ok(StreamPart::Finish { reason: FinishReason::ToolCalls, response_id: None }),
//!     ]))
//! }));
//!
//! let mut prompt = Prompt::new().system("You are a coding agent.").user("list the files");
//! let response = model.generate(prompt.clone()).await?;
//! let calls: Vec<String> = response.tool_calls().map(|call| call.id.clone()).collect();
//! prompt.push_response(response);
//! for id in calls {
//!     prompt = prompt.message(Message::tool_result(id, "Cargo.toml\nsrc"));
//! }
//! assert!(prompt.missing_tool_results().is_empty());
//! # Ok(())
//! # }
//! ```

mod model;

mod error;
pub mod layers;

mod message;
mod object;
mod options;
mod part;
mod profile;
mod prompt;
mod rate_limit;
mod response;
mod stream;
mod tool;

pub use error::{AiError, ParseOptionError, error_chain};
pub use message::{AssistantItem, Message, ToolCall, ToolCallKind, UserPart};
pub use model::{LanguageModel, ModelName, ProviderName};
pub use object::{ObjectError, for_each_schema, parse_object, strict_schema};
pub use options::{ProviderOptions, ReasoningEffort, ReasoningSummary, SystemPlacement, Verbosity};
pub use part::{FinishReason, StreamPart, Usage};
pub use profile::{ModelProfile, PatchTool, ShellTool, TruncationMode, TruncationPolicy};
pub use prompt::{Compact, Prompt};
pub use rate_limit::{Credits, RateLimitSnapshot, RateLimitWindow};
pub use response::{Response, ResponseCollector};
pub use stream::PartStream;
pub use tool::{Grammar, ResponseFormat, Tool, ToolChoice};
