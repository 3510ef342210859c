//! The parts of one response read from the socket. The stream owns its conversation's
//! session lock, so the next request waits until this response is over.

use std::sync::Arc;
use std::time::Duration;

use clanka_model::{AiError, Message as HistoryMessage, ResponseCollector, StreamPart};
use clanka_socket::Message;
use futures_util::{SinkExt as _, StreamExt as _, stream};
use serde_json::Value;
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

use super::session::{Last, Session, disconnected};
use crate::ResponsesConfig;
use crate::decode::{Decoded, EventDecoder};
use crate::outbox::Outbox;
use crate::request::{Encoded, ResponsesRequest, message_items};
use crate::retry::{Attempt, Failure};
use crate::turn_state::TurnSlot;

pub(super) fn parts(
    session: OwnedMutexGuard<Session>,
    request: Arc<ResponsesRequest>,
    incremental: bool,
    config: &ResponsesConfig,
    turn: Option<TurnSlot>,
) -> Attempt {
    let state = State {
        turn,
        session,
        request,
        incremental,
        decoder: EventDecoder::new(),
        collector: ResponseCollector::new(),
        outbox: Outbox::default(),
        scratch: Vec::new(),
        idle_timeout: config.idle_timeout,
        ping_interval: config.ping_interval,
        completed: false,
    };
    Box::pin(
        stream::unfold(state, |mut state| async move {
            let item = state.next().await?;
            Some((item, state))
        })
        .map(|item| item.map_err(Failure::stream)),
    )
}

struct State {
    turn: Option<TurnSlot>,
    session: OwnedMutexGuard<Session>,
    request: Arc<ResponsesRequest>,
    incremental: bool,
    decoder: EventDecoder,
    collector: ResponseCollector,
    outbox: Outbox,
    scratch: Vec<StreamPart>,
    idle_timeout: Duration,
    ping_interval: Duration,
    completed: bool,
}

impl State {
    async fn next(&mut self) -> Option<Result<StreamPart, AiError>> {
        loop {
            if let Some(item) = self.outbox.take() {
                return item;
            }
            match self.read().await {
                Ok(Some(text)) => self.on_text(&text).await,
                Ok(None) => {}
                Err(error) => self.fail(error),
            }
        }
    }

    /// The next text frame; `None` for control frames. Pings the server while waiting.
    async fn read(&mut self) -> Result<Option<String>, AiError> {
        let idle_deadline = Instant::now() + self.idle_timeout;
        let Some(socket) = self.session.socket.as_mut() else {
            return Err(disconnected("websocket is not connected"));
        };
        loop {
            let ping_at = Instant::now() + self.ping_interval;
            let frame = tokio::select! {
                frame = socket.next() => frame,
                () = tokio::time::sleep_until(ping_at.min(idle_deadline)) => {
                    if Instant::now() >= idle_deadline {
                        return Err(AiError::IdleTimeout { after: self.idle_timeout });
                    }
                    if socket.send(Message::Ping(Default::default())).await.is_err() {
                        return Err(disconnected("websocket ping failed"));
                    }
                    continue;
                }
            };
            return match frame {
                Some(Ok(Message::Text(text))) => Ok(Some(text.as_str().to_owned())),
                Some(Ok(Message::Binary(_))) => Err(AiError::InvalidResponse {
                    message: "unexpected binary websocket event".to_owned(),
                }),
                Some(Ok(Message::Close(_))) => Err(disconnected(
                    "websocket closed by server before response.completed",
                )),
                Some(Ok(_)) => Ok(None),
                Some(Err(error)) => Err(disconnected(&format!("websocket failed: {error}"))),
                None => Err(disconnected("stream closed before response.completed")),
            };
        }
    }

    async fn on_text(&mut self, text: &str) {
        if let Some(code) = special_error(text) {
            match code {
                "previous_response_not_found" if self.incremental => {
                    // The backend forgot the response we continued: resend once in full.
                    self.incremental = false;
                    self.decoder = EventDecoder::new();
                    if let Err(error) = self.session.send_full(&self.request).await {
                        self.fail(error);
                    }
                    return;
                }
                "websocket_connection_limit_reached" => {
                    self.fail(disconnected(
                        "websocket connection limit reached; reconnecting",
                    ));
                    return;
                }
                _ => {}
            }
        }
        let decoded = self.decoder.decode(text, &mut self.scratch);
        if let (Some(turn), Some(token)) = (&self.turn, self.decoder.take_turn_state()) {
            turn.offer(&token);
        }
        for part in &self.scratch {
            self.collector.push(part);
        }
        self.outbox.extend(self.scratch.drain(..));
        match decoded {
            Decoded::Continue => {}
            Decoded::Completed => self.on_completed(),
            Decoded::Failed(error) => self.fail(error),
        }
    }

    fn on_completed(&mut self) {
        self.outbox.finish();
        self.completed = true;
        let collector = std::mem::take(&mut self.collector);
        let Ok(response) = collector.finish() else {
            return;
        };
        let response_id = response.id.clone().unwrap_or_default();
        let items = match response.into_message() {
            Some(message @ HistoryMessage::Assistant { .. }) => {
                message_items(&message, &std::collections::HashSet::new())
            }
            _ => Vec::new(),
        };
        let Ok(output) = Encoded::new(None, &items) else {
            return;
        };
        self.session.complete(Last {
            request: Arc::clone(&self.request),
            output,
            response_id,
        });
    }

    fn fail(&mut self, error: AiError) {
        self.outbox.fail(error);
        self.session.drop_socket();
    }
}

impl Drop for State {
    /// A response abandoned midway leaves the socket busy: close it.
    fn drop(&mut self) {
        if !self.completed {
            self.session.drop_socket();
        }
    }
}

/// The code of an `error` frame or failed response that the transport handles itself.
fn special_error(text: &str) -> Option<&'static str> {
    const CODES: [&str; 2] = [
        "previous_response_not_found",
        "websocket_connection_limit_reached",
    ];
    let code = CODES.into_iter().find(|code| text.contains(code))?;
    let value: Value = serde_json::from_str(text).ok()?;
    let error = value
        .get("error")
        .or_else(|| value.pointer("/response/error"))?;
    (error.get("code").and_then(Value::as_str) == Some(code)).then_some(code)
}
