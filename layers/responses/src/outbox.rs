//! Parts decoded but not yet delivered, then the error or end that follows them:
//! the delivery order shared by the SSE and WebSocket part streams.

use std::collections::VecDeque;

use clanka_model::{AiError, StreamPart};

#[derive(Debug, Default)]
pub(crate) struct Outbox {
    parts: VecDeque<StreamPart>,
    error: Option<AiError>,
    finished: bool,
}

impl Outbox {
    /// What to deliver next, if anything is decided: a part, then the error, then
    /// the end (`Some(None)`). `None` means more input is needed.
    pub(crate) fn take(&mut self) -> Option<Option<Result<StreamPart, AiError>>> {
        if let Some(part) = self.parts.pop_front() {
            return Some(Some(Ok(part)));
        }
        if let Some(error) = self.error.take() {
            return Some(Some(Err(error)));
        }
        self.finished.then_some(None)
    }

    pub(crate) fn push(&mut self, part: StreamPart) {
        self.parts.push_back(part);
    }

    pub(crate) fn extend(&mut self, parts: impl IntoIterator<Item = StreamPart>) {
        self.parts.extend(parts);
    }

    /// Ends the stream after the queued parts.
    pub(crate) fn finish(&mut self) {
        self.finished = true;
    }

    /// Ends the stream with `error` after the queued parts.
    pub(crate) fn fail(&mut self, error: AiError) {
        self.error = Some(error);
        self.finished = true;
    }
}
