//! Recording a send into the agent's session, when it has a store: created at the
//! first send, saved after each whole exchange, replaced after a compaction. A save
//! that fails is a warning, never the end of the run; what it missed is saved with
//! the next exchange.

use std::sync::Arc;

use clanka_model::{Message, Usage};

use super::emit::Emitter;
use super::output::Output;
use super::state::Inner;
use crate::session::{NewSession, Recorder};

/// One send's view of the session.
pub(crate) struct SessionLog {
    recorder: Option<Recorder>,
    /// Usage not saved yet.
    unsaved: Usage,
    /// Whether a failed save was reported in this send (once is enough).
    warned: bool,
}

impl SessionLog {
    /// The agent's session, created on its first send.
    pub(crate) async fn start(inner: &Inner, prompt: &str, emitter: &Emitter) -> Self {
        let mut log = Self {
            recorder: None,
            unsaved: Usage::default(),
            warned: false,
        };
        let existing = inner.session.lock().await.clone();
        log.recorder = match (existing, &inner.sessions) {
            (Some(recorder), _) => Some(recorder),
            (None, Some(store)) => {
                let new = NewSession::new(
                    inner.conversation.clone(),
                    inner.workspace.root(),
                    inner.model_name.clone(),
                    prompt,
                );
                match store.create(new).await {
                    Ok(recorder) => {
                        *inner.session.lock().await = Some(recorder.clone());
                        Some(recorder)
                    }
                    Err(error) => {
                        log.warn(&error, emitter).await;
                        None
                    }
                }
            }
            (None, None) => None,
        };
        log
    }

    /// Counts a response's tokens.
    pub(crate) fn add_usage(&mut self, usage: Usage) {
        self.unsaved += usage;
    }

    /// Saves what `history` holds beyond what is saved.
    pub(crate) async fn save(&mut self, history: &[Arc<Message>], emitter: &Emitter) {
        let Some(recorder) = &self.recorder else {
            return;
        };
        match recorder.sync(history, self.unsaved).await {
            Ok(()) => self.unsaved = Usage::default(),
            Err(error) => self.warn(&error, emitter).await,
        }
    }

    /// Saves `history` in place of the stored one (after a compaction).
    pub(crate) async fn replace(&mut self, history: &[Arc<Message>], emitter: &Emitter) {
        let Some(recorder) = &self.recorder else {
            return;
        };
        match recorder.replace(history, self.unsaved).await {
            Ok(()) => self.unsaved = Usage::default(),
            Err(error) => self.warn(&error, emitter).await,
        }
    }

    async fn warn(&mut self, error: &crate::session::SessionError, emitter: &Emitter) {
        let message = format!(
            "the session was not saved: {}",
            clanka_model::error_chain(error)
        );
        tracing::warn!("{message}");
        if !self.warned {
            self.warned = true;
            emitter.emit(Output::Warning { message }).await;
        }
    }
}
