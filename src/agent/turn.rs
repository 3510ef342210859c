//! Streaming one model response into events, with the inactivity timeout and steering.

use clanka_model::{
    AiError, AssistantItem, Message, Prompt, Response, ResponseCollector, StreamPart,
};
use futures_util::StreamExt as _;

use super::emit::Emitter;
use super::output::Output;
use super::state::Inner;

/// How a model request ended.
pub(crate) enum Turn {
    /// The response is whole.
    Complete(Response),
    /// A steering message interrupted it; the partial text, if any, joins the history.
    Interrupted(Option<Message>),
}

/// Sections opened by this response and not yet closed.
#[derive(Default)]
struct Open(Vec<(bool, String)>);

impl Open {
    /// Closes every open section (a failed or interrupted response).
    async fn close_all(&mut self, emitter: &Emitter) {
        for (is_text, id) in self.0.drain(..).rev() {
            let end = if is_text {
                Output::TextEnd { id }
            } else {
                Output::ReasoningEnd { id }
            };
            emitter.emit(end).await;
        }
    }
}

pub(crate) async fn stream_turn(
    inner: &Inner,
    request: Prompt,
    emitter: &Emitter,
) -> Result<Turn, AiError> {
    let mut stream = inner.model.stream(request).await?;
    let mut collector = ResponseCollector::new();
    let mut open = Open::default();
    let mut saw_tool_call = false;
    loop {
        let next = tokio::select! {
            next = tokio::time::timeout(inner.config.turn_timeout, stream.next()) => next,
            () = inner.steering.notify.notified(), if !saw_tool_call => {
                if inner.steering.is_empty() {
                    continue;
                }
                open.close_all(emitter).await;
                return Ok(Turn::Interrupted(partial_message(collector.response())));
            }
        };
        let part = match next {
            Err(_) => {
                open.close_all(emitter).await;
                return Err(AiError::IdleTimeout {
                    after: inner.config.turn_timeout,
                });
            }
            Ok(None) => break,
            Ok(Some(Err(error))) => {
                open.close_all(emitter).await;
                return Err(error);
            }
            Ok(Some(Ok(part))) => part,
        };
        collector.push(&part);
        if matches!(part, StreamPart::Retry { .. }) {
            // The model voided this attempt: its sections are taken back, not ended.
            open.0.clear();
            saw_tool_call = false;
        }
        saw_tool_call |= matches!(part, StreamPart::ToolCall(_));
        if let Some(output) = to_output(part, &mut open) {
            emitter.emit(output).await;
        }
    }
    open.close_all(emitter).await;
    collector.finish().map(Turn::Complete)
}

/// The event for a stream part; tool calls are reported when they run.
fn to_output(part: StreamPart, open: &mut Open) -> Option<Output> {
    let output = match part {
        StreamPart::TextStart { id } => {
            open.0.push((true, id.clone()));
            Output::TextStart { id }
        }
        StreamPart::TextDelta { id, delta } => Output::TextDelta { id, delta },
        StreamPart::TextEnd { id } => {
            open.0.retain(|(_, open_id)| *open_id != id);
            Output::TextEnd { id }
        }
        StreamPart::ReasoningStart { id } => {
            open.0.push((false, id.clone()));
            Output::ReasoningStart { id }
        }
        StreamPart::ReasoningDelta { id, delta } => Output::ReasoningDelta { id, delta },
        StreamPart::ReasoningEnd { id, .. } => {
            open.0.retain(|(_, open_id)| *open_id != id);
            Output::ReasoningEnd { id }
        }
        StreamPart::Retry {
            attempt,
            error,
            delay_ms,
            discard,
        } => Output::Retry {
            attempt,
            error,
            delay_ms,
            discard,
        },
        _ => return None,
    };
    Some(output)
}

/// The text the model had produced when it was interrupted, as history.
fn partial_message(response: &Response) -> Option<Message> {
    let items: Vec<AssistantItem> = response
        .items
        .iter()
        .filter(|item| matches!(item, AssistantItem::Text { text, .. } if !text.is_empty()))
        .cloned()
        .collect();
    (!items.is_empty()).then_some(Message::Assistant { items })
}
