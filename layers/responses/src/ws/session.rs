//! The state of one conversation's socket: the socket, its age, and the last
//! completed request and output for incremental input.

use std::sync::Arc;
use std::time::Duration;

use clanka_model::AiError;
use clanka_socket::{Message, WebSocket};
use futures_util::SinkExt as _;
use serde_json::Value;
use tokio::time::Instant;

use crate::request::{Encoded, ResponsesRequest, TURN_METADATA};
use crate::turn_state::TURN_STATE;

/// One socket and what the backend remembers on it.
#[derive(Debug, Default)]
pub(crate) struct Session {
    pub(super) socket: Option<WebSocket>,
    connected_at: Option<Instant>,
    last: Option<Last>,
}

/// The last completed response on the socket: only its id can be continued.
#[derive(Debug)]
pub(super) struct Last {
    /// The request (shared with its caller, not copied).
    pub(super) request: Arc<ResponsesRequest>,
    /// The response's items, encoded as the history message the caller appends.
    pub(super) output: Encoded,
    pub(super) response_id: String,
}

impl Session {
    /// Whether there is no socket or it is too old to start another response on.
    pub(super) fn needs_connect(&mut self, max_age: Duration) -> bool {
        let expired = self.connected_at.is_some_and(|at| at.elapsed() >= max_age);
        if expired {
            self.drop_socket();
        }
        self.socket.is_none()
    }

    pub(super) fn attach(&mut self, socket: WebSocket) {
        self.socket = Some(socket);
        self.connected_at = Some(Instant::now());
        self.last = None;
    }

    /// Forgets the socket and everything the backend remembered on it.
    pub(super) fn drop_socket(&mut self) {
        self.socket = None;
        self.connected_at = None;
        self.last = None;
    }

    pub(super) fn complete(&mut self, last: Last) {
        self.last = Some(last);
    }

    /// Sends `response.create` for `request`: only the new items with
    /// `previous_response_id` when it extends the last response exactly, else in full.
    /// Returns whether it was incremental.
    pub(super) async fn send_create(
        &mut self,
        request: &ResponsesRequest,
    ) -> Result<bool, AiError> {
        let continuation = self.continuation(request);
        let incremental = continuation.is_some();
        let message = create_message(request, continuation.as_ref())?;
        self.last = None;
        self.send(message).await?;
        Ok(incremental)
    }

    /// Sends `request` in full (after `previous_response_not_found`).
    pub(super) async fn send_full(&mut self, request: &ResponsesRequest) -> Result<(), AiError> {
        self.last = None;
        self.send(create_message(request, None)?).await
    }

    async fn send(&mut self, message: String) -> Result<(), AiError> {
        let Some(socket) = self.socket.as_mut() else {
            return Err(disconnected("websocket is not connected"));
        };
        if let Err(error) = socket.send(Message::text(message)).await {
            self.drop_socket();
            return Err(disconnected(&format!(
                "sending response.create failed: {error}"
            )));
        }
        Ok(())
    }

    /// `(previous_response_id, index of the first new message)` when `request`
    /// continues the last response: its messages start with the last request's (the
    /// same `Arc`s, or equal items) and then the response's.
    fn continuation(&self, request: &ResponsesRequest) -> Option<(String, usize)> {
        let last = self.last.as_ref()?;
        if last.response_id.is_empty() || !last.request.same_settings(request) {
            return None;
        }
        let (old, new) = (last.request.input.messages(), request.input.messages());
        let answered = usize::from(!last.output.items().is_empty());
        let prefix = old.len() + answered;
        let extends = new.len() >= prefix
            && old.iter().zip(new).all(|(a, b)| a.same(b))
            && (answered == 0 || new[old.len()].same(&last.output));
        extends.then(|| (last.response_id.clone(), prefix))
    }
}

fn create_message(
    request: &ResponsesRequest,
    continuation: Option<&(String, usize)>,
) -> Result<String, AiError> {
    let mut body = request.body(continuation.map_or(0, |(_, first)| *first));
    body.kind = Some("response.create");
    body.previous_response_id = continuation.map(|(id, _)| id.as_str());
    // No header per message over WebSocket: the turn state and metadata ride in
    // `client_metadata`.
    let mut metadata = serde_json::Map::new();
    if let Some(state) = &request.turn_state {
        metadata.insert(TURN_STATE.into(), Value::String(state.clone()));
    }
    if let Some(turn) = &request.turn_metadata {
        metadata.insert(TURN_METADATA.into(), Value::String(turn.clone()));
    }
    body.client_metadata = (!metadata.is_empty()).then_some(metadata);
    serde_json::to_string(&body).map_err(|e| AiError::InvalidRequest {
        message: format!("request did not serialize: {e}"),
    })
}

pub(super) fn disconnected(message: &str) -> AiError {
    AiError::StreamDisconnected {
        message: message.to_owned(),
    }
}
