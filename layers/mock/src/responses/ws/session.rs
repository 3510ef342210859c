//! One WebSocket session: requests, in-flight response, pings, age limit.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::super::common::{ApiError, check_model};
use super::super::plan::{answer_headers, plan};
use super::super::playback::{Frame, Playback};
use super::super::{compaction, limits, validate};
use crate::common::lock;
use crate::record::{NewRecord, RecordKind};
use crate::state::AppState;

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// A completed response, usable as `previous_response_id`.
#[derive(Debug)]
struct Completed {
    id: String,
    /// The server's response epoch when it completed (see `MockServer::forget_responses`).
    epoch: u64,
    input: Vec<Value>,
    output: Vec<Value>,
}

/// The response being streamed and the full input it answers.
#[derive(Debug)]
struct InFlight {
    playback: Playback,
    input: Vec<Value>,
}

/// What the loop should do after a step.
enum Next {
    Continue,
    Stop,
}

/// State of one socket.
#[derive(Debug)]
pub(crate) struct Session {
    state: Arc<AppState>,
    connection: u64,
    path: String,
    session_key: Option<String>,
    last: Option<Completed>,
    current: Option<InFlight>,
}

impl Session {
    pub(crate) fn new(
        state: Arc<AppState>,
        connection: u64,
        path: String,
        session_key: Option<String>,
    ) -> Self {
        Self {
            state,
            connection,
            path,
            session_key,
            last: None,
            current: None,
        }
    }

    /// Serves the socket until it closes, the server stops, or a fault ends it.
    pub(crate) async fn run(mut self, mut ws: Socket) {
        let ping_every = self.state.options.websocket_ping_interval;
        let mut ping = tokio::time::interval(ping_every.unwrap_or(Duration::from_secs(3600)));
        ping.reset();
        let far = Instant::now() + Duration::from_secs(86400 * 365);
        let deadline = max_age(&self.state).map(|age| Instant::now() + age);
        let mut stop = self.state.shutdown.clone();
        loop {
            let next = tokio::select! {
                message = ws.next() => self.on_message(&mut ws, message).await,
                frame = next_frame(&mut self.current), if self.current.is_some() => {
                    self.on_frame(&mut ws, frame).await
                }
                _ = ping.tick(), if ping_every.is_some() => send(&mut ws, Message::Ping(Default::default())).await,
                _ = tokio::time::sleep_until(deadline.unwrap_or(far)), if deadline.is_some() && self.current.is_none() => {
                    let error = ApiError::invalid(
                        "Responses websocket connection limit reached (60 minutes). Create a new websocket connection to continue.",
                        None,
                        Some("websocket_connection_limit_reached"),
                    );
                    let _ = send_json(&mut ws, &error.to_frame()).await;
                    close(&mut ws, "websocket connection limit reached").await;
                    Next::Stop
                }
                () = stopped(&mut stop) => {
                    close(&mut ws, "server shutting down").await;
                    Next::Stop
                }
            };
            if let Next::Stop = next {
                break;
            }
        }
    }

    async fn on_message(
        &mut self,
        ws: &mut Socket,
        message: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) -> Next {
        match message {
            Some(Ok(Message::Text(text))) => self.on_text(ws, text.as_str()).await,
            Some(Ok(Message::Binary(_))) => {
                let error = ApiError::invalid("Binary messages are not supported.", None, None);
                send_json(ws, &error.to_frame()).await
            }
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Next::Stop,
            Some(Ok(_)) => Next::Continue,
        }
    }

    async fn on_text(&mut self, ws: &mut Socket, text: &str) -> Next {
        let body: Value =
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()));
        self.state.recorder.push(NewRecord {
            kind: RecordKind::WebSocketMessage,
            connection: Some(self.connection),
            method: "GET".to_owned(),
            path: self.path.clone(),
            query: None,
            headers: BTreeMap::new(),
            body: body.clone(),
        });
        match body.get("type").and_then(Value::as_str) {
            Some("response.create") => {}
            Some("response.processed") => return Next::Continue,
            _ => {
                let error = ApiError::invalid(
                    "Unsupported message type; expected response.create.",
                    Some("type"),
                    None,
                );
                return send_json(ws, &error.to_frame()).await;
            }
        }
        match self.start(&body) {
            Ok(()) => Next::Continue,
            Err(error) => send_json(ws, &error.to_frame()).await,
        }
    }

    /// Validates a `response.create` and starts streaming its response.
    fn start(&mut self, body: &Value) -> Result<(), ApiError> {
        if self.current.is_some() {
            return Err(ApiError::invalid(
                "Another response is already in progress on this connection.",
                None,
                Some("response_in_progress"),
            ));
        }
        validate::fields(body)?;
        check_model(&self.state, &self.path, body)?;
        let input = self.full_input(body)?;
        validate::input(&input)?;
        self.last = None;
        let key = || {
            body.get("prompt_cache_key")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| self.session_key.clone())
                .unwrap_or_else(|| "default".to_owned())
        };
        let (built, faults) = plan(&self.state, body, &input, key)?;
        let mut input = input;
        if compaction::is_trigger(&input) {
            // A request control, not history: a request continuing this one does not replay it.
            input.pop();
        }
        let mut playback = Playback::new(built, &faults, true);
        let headers = answer_headers(&self.state);
        if !headers.is_empty() {
            let metadata = json!({"type": "response.metadata", "headers": headers});
            playback.prepend("response.metadata", metadata.to_string());
        }
        // The real server precedes every response on a socket with its rate limits.
        playback.prepend("codex.rate_limits", limits::event().to_string());
        self.current = Some(InFlight { playback, input });
        Ok(())
    }

    /// The request's input, after the input and output of the response it continues
    /// (`previous_response_id`), which must be this socket's last completed one.
    fn full_input(&mut self, body: &Value) -> Result<Vec<Value>, ApiError> {
        let new_input = body
            .get("input")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(prev) = body.get("previous_response_id").and_then(Value::as_str) else {
            return Ok(new_input);
        };
        match self.last.take() {
            Some(last) if last.id == prev && last.epoch == self.state.responses_epoch() => {
                Ok([last.input, last.output, new_input].concat())
            }
            other => {
                self.last = other;
                let message = format!("Previous response with id '{prev}' not found.");
                Err(ApiError::invalid(
                    &message,
                    Some("previous_response_id"),
                    Some("previous_response_not_found"),
                ))
            }
        }
    }

    async fn on_frame(&mut self, ws: &mut Socket, frame: Option<Frame>) -> Next {
        match frame {
            None => {
                self.current = None;
                Next::Continue
            }
            Some(Frame::Event { kind, data }) => {
                if kind == "response.completed"
                    && let Some(InFlight { playback, input }) = self.current.take()
                {
                    self.last = Some(Completed {
                        id: playback.id,
                        epoch: self.state.responses_epoch(),
                        input,
                        output: playback.output,
                    });
                }
                // Like a real server's buffered writer, a burst of ready events goes out
                // in as few writes as possible: one flush after the last of them.
                let more = (self.current.as_ref()).is_some_and(|f| f.playback.has_ready_event());
                if more {
                    feed(ws, Message::text(data)).await
                } else {
                    send(ws, Message::text(data)).await
                }
            }
            Some(Frame::Drop) => Next::Stop,
            Some(Frame::Close) => {
                close(ws, "closed by fault").await;
                Next::Stop
            }
        }
    }
}

async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

async fn next_frame(current: &mut Option<InFlight>) -> Option<Frame> {
    match current {
        Some(flight) => flight.playback.next().await,
        None => std::future::pending().await,
    }
}

async fn send(ws: &mut Socket, message: Message) -> Next {
    match ws.send(message).await {
        Ok(()) => Next::Continue,
        Err(_) => Next::Stop,
    }
}

/// Queues `message` without flushing (it is written once the buffer fills or on flush).
async fn feed(ws: &mut Socket, message: Message) -> Next {
    match ws.feed(message).await {
        Ok(()) => Next::Continue,
        Err(_) => Next::Stop,
    }
}

async fn send_json(ws: &mut Socket, value: &Value) -> Next {
    send(ws, Message::text(value.to_string())).await
}

async fn close(ws: &mut Socket, reason: &str) {
    let frame = CloseFrame {
        code: CloseCode::Normal,
        reason: reason.to_owned().into(),
    };
    let _ = ws.send(Message::Close(Some(frame))).await;
}

/// The maximum socket age configured right now.
fn max_age(state: &AppState) -> Option<Duration> {
    *lock(&state.ws_max_age)
}
