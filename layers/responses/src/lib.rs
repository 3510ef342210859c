//! The Codex Responses API (`POST {base}/responses`) as a clanka
//! [`LanguageModel`](clanka_model::LanguageModel), streamed over SSE or over one
//! persistent WebSocket per conversation.
//!
//! [`ResponsesModel`] builds the request the backend expects from a provider-neutral
//! [`Prompt`](clanka_model::Prompt) ([`ResponsesRequest`]), sends it through the
//! project's [`HttpClient`](clanka_http::HttpClient) or
//! [`WebSocketConstructor`](clanka_socket::WebSocketConstructor) (which bring auth,
//! transport retries and tracing), decodes the events into
//! [`StreamPart`](clanka_model::StreamPart)s ([`EventDecoder`]), and retries a
//! stream that fails retryably, telling the consumer with a
//! [`StreamPart::Retry`](clanka_model::StreamPart::Retry) what the failed attempt
//! had delivered, so nothing is kept twice. It knows nothing of sign-in: decorate the
//! clients with `clanka_codex::AuthLayer` first.
//!
//! # Example
//!
//! ```no_run
//! use clanka_http::{HttpClient, HttpConfig};
//! use clanka_model::Prompt;
//! use clanka_responses::{ResponsesConfig, ResponsesModel};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let http = HttpClient::new(HttpConfig::default())?; // add clanka_codex's AuthLayer
//! let model = ResponsesModel::sse(http, ResponsesConfig::new("gpt-5.5")).language_model();
//! let reply = model.generate(Prompt::new().user("Say hi")).await?;
//! assert!(!reply.text().is_empty());
//! # Ok(())
//! # }
//! ```

mod compact;
mod config;
mod decode;
mod idle;
mod lru;
mod model;
mod outbox;
mod rate_limits;
mod replay;
mod request;
mod retry;
mod sse;
mod status;
mod transport;
mod turn_state;
mod ws;

pub use config::{
    CHATGPT_BASE_URL, DEFAULT_INSTRUCTIONS, HeaderObserver, OPENAI_BASE_URL, ORIGINATOR,
    ResponsesConfig,
};
pub use decode::{Decoded, EventDecoder};
pub use model::ResponsesModel;
pub use replay::replay_sse;
pub use request::{Input, ResponsesRequest};
pub use transport::MAX_LINE_BYTES;
