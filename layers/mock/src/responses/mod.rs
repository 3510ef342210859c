//! The responses endpoint over HTTP (SSE) and WebSocket, and what both share.

mod common;
pub(crate) mod compaction;
mod emitter;
mod events;
mod format;
pub(crate) mod http;
mod items;
mod limits;
mod plan;
mod playback;
mod validate;
pub(crate) mod ws;

pub(crate) use common::{ConnectionId, check_auth, insert};
