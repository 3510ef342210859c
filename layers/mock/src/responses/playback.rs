//! Plays a built response frame by frame, with its faults applied.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use super::emitter::Built;
use super::events;
use crate::scenario::Faults;

/// One step of a response stream.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Frame {
    /// An event: its type and its (possibly malformed) JSON text.
    Event {
        /// The event type.
        kind: String,
        /// The payload sent.
        data: String,
    },
    /// Abort the connection without a clean end.
    Drop,
    /// WebSocket only: send a Close frame and end the socket.
    Close,
}

/// A response being played.
#[derive(Debug)]
pub(crate) struct Playback {
    frames: VecDeque<Frame>,
    delay: Duration,
    next_at: Instant,
    pub(crate) id: String,
    pub(crate) output: Vec<Value>,
}

fn kind_of(event: &Value) -> String {
    event
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

impl Playback {
    /// Applies `faults` to `built` (the WebSocket-only ones only when `websocket`).
    pub(crate) fn new(built: Built, faults: &Faults, websocket: bool) -> Self {
        let Built {
            id,
            mut events,
            output,
        } = built;
        if let Some(failure) = &faults.failed {
            let sequence = events.len().saturating_sub(1);
            if let Some(last) = events.last_mut() {
                *last = events::failed(&id, sequence, failure);
            }
        }
        if faults.no_completed {
            events.pop();
        }
        let mut frames: Vec<Frame> = events
            .iter()
            .enumerate()
            .map(|(i, event)| {
                let kind = kind_of(event);
                let data = if faults.malformed_event == Some(i) {
                    format!("{{\"type\":\"{kind}\",\"response\":{{\"id\":")
                } else {
                    event.to_string()
                };
                Frame::Event { kind, data }
            })
            .collect();
        if let Some(n) = faults.drop_after {
            frames.truncate(n);
            frames.push(Frame::Drop);
        } else if let Some(n) = faults.ws_close_after.filter(|_| websocket) {
            frames.truncate(n);
            frames.push(Frame::Close);
        } else if faults.no_completed && websocket {
            // As the backend does: the socket closes instead of going silent.
            frames.push(Frame::Close);
        }
        let delay = Duration::from_millis(faults.delay_ms.unwrap_or(0));
        let next_at = Instant::now() + delay;
        Self {
            frames: frames.into(),
            delay,
            next_at,
            id,
            output,
        }
    }

    /// Sends an event before all others, outside what the faults count.
    pub(crate) fn prepend(&mut self, kind: &str, data: String) {
        let kind = kind.to_owned();
        self.frames.push_front(Frame::Event { kind, data });
    }

    /// Whether an event can be sent right away: no delay and no fault next.
    pub(crate) fn has_ready_event(&self) -> bool {
        self.delay.is_zero() && matches!(self.frames.front(), Some(Frame::Event { .. }))
    }

    /// The next frame, after the configured delay; `None` at the end. Cancel-safe.
    pub(crate) async fn next(&mut self) -> Option<Frame> {
        if self.frames.is_empty() {
            return None;
        }
        // Without a delay, no timer: tokio's timers tick in whole milliseconds, so even an
        // elapsed deadline would pace the stream at about one frame per millisecond.
        if !self.delay.is_zero() {
            tokio::time::sleep_until(self.next_at).await;
            self.next_at = Instant::now() + self.delay;
        }
        if matches!(self.frames.front(), Some(Frame::Drop | Frame::Close)) {
            // Give the transport time to flush what came before: an HTTP body failing
            // before its first write would lose the response head as well.
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        self.frames.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::responses::emitter::Ctx;
    use crate::responses::events::build;
    use crate::scenario::ScriptedResponse;

    fn ctx() -> Ctx {
        Ctx {
            id: "resp_1".into(),
            model: "m".into(),
            seed: 1,
            input_tokens: 3,
        }
    }

    #[tokio::test]
    async fn faults_shape_the_frames() {
        let script = ScriptedResponse::new()
            .message("hi")
            .failed("server_error", "boom");
        let mut play = Playback::new(build(&script, &ctx()), &script.faults, false);
        let mut last = None;
        while let Some(frame) = play.next().await {
            last = Some(frame);
        }
        let Some(Frame::Event { kind, .. }) = last else {
            panic!("no event")
        };
        assert_eq!(kind, "response.failed");

        let script = ScriptedResponse::new().message("hi").drop_after(2);
        let mut play = Playback::new(build(&script, &ctx()), &script.faults, false);
        let mut frames = Vec::new();
        while let Some(frame) = play.next().await {
            frames.push(frame);
        }
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[2], Frame::Drop);
    }
}
