//! Sending events to the consumer, with sub-agent events wrapped under their agent and
//! sections of concurrent agents kept whole.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard, mpsc};

use super::output::Output;

/// One agent's way to the consumer. Clones share the floor state.
///
/// Every agent of one run shares a *floor*: whoever emits takes it, and an agent in
/// the middle of a text or reasoning section keeps it until the section ends, so the
/// sections of concurrent sub-agents are never interleaved.
#[derive(Debug, Clone)]
pub(crate) struct Emitter {
    tx: mpsc::UnboundedSender<Output>,
    floor: Arc<AsyncMutex<()>>,
    /// Sub-agent ids from the top agent down to this one.
    path: Vec<String>,
    held: Arc<Mutex<Option<OwnedMutexGuard<()>>>>,
}

impl Emitter {
    /// The emitter of a top-level agent.
    pub(crate) fn new(tx: mpsc::UnboundedSender<Output>) -> Self {
        Self {
            tx,
            floor: Arc::new(AsyncMutex::new(())),
            path: Vec::new(),
            held: Arc::default(),
        }
    }

    /// The emitter of sub-agent `id` under this agent.
    pub(crate) fn child(&self, id: &str) -> Self {
        let mut path = self.path.clone();
        path.push(id.to_owned());
        Self {
            tx: self.tx.clone(),
            floor: self.floor.clone(),
            path,
            held: Arc::default(),
        }
    }

    /// Sends `output`, waiting while another agent is mid-section.
    pub(crate) async fn emit(&self, output: Output) {
        let opens = matches!(
            output,
            Output::TextStart { .. } | Output::ReasoningStart { .. }
        );
        let closes = matches!(
            output,
            Output::TextEnd { .. } | Output::ReasoningEnd { .. } | Output::Retry { .. }
        );
        let holding = self.lock().is_some();
        let guard = if holding {
            None
        } else {
            Some(self.floor.clone().lock_owned().await)
        };
        // A closed consumer is not an error: the run is being dropped.
        let _ = self.tx.send(self.wrap(output));
        let mut held = self.lock();
        if opens {
            if let Some(guard) = guard {
                *held = Some(guard);
            }
        } else if closes {
            *held = None;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<OwnedMutexGuard<()>>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wrap(&self, output: Output) -> Output {
        self.path
            .iter()
            .rev()
            .fold(output, |part, id| Output::SubagentPart {
                id: id.clone(),
                part: Box::new(part),
            })
    }
}
