//! Recording a running session: history appended one exchange at a time, a
//! compaction switching generations, sub-agent runs kept aside.

use std::sync::Arc;

use clanka_model::{Message, Usage};
use serde::Serialize;
use tokio::sync::Mutex;

use super::record::{self, SessionInfo, SubagentRun};
use super::{SessionError, SessionStore, now_ms};

/// Records one session. Cheap to clone; clones record the same session (an agent
/// and its sub-agents), one write at a time.
#[derive(Debug, Clone)]
pub struct Recorder {
    store: SessionStore,
    state: Arc<Mutex<State>>,
}

#[derive(Debug)]
struct State {
    info: SessionInfo,
    /// How many messages of the caller's history the stored chunks hold.
    recorded: usize,
}

impl Recorder {
    /// Records `info`'s session, whose stored history is the caller's first
    /// `recorded` messages.
    pub(super) fn new(store: SessionStore, info: SessionInfo, recorded: usize) -> Self {
        Self {
            store,
            state: Arc::new(Mutex::new(State { info, recorded })),
        }
    }

    /// Continues recording session `id`, as loaded, in `store`.
    pub async fn resume(
        store: &SessionStore,
        id: &str,
    ) -> Result<(Self, Vec<Message>), SessionError> {
        let session = store.load(id).await?;
        let recorded = session.history.len();
        Ok((
            Self::new(store.clone(), session.info, recorded),
            session.history,
        ))
    }

    /// The session's id.
    pub async fn id(&self) -> String {
        self.state.lock().await.info.id.clone()
    }

    /// Stores what `history` holds beyond what is stored (one chunk), adding `usage`
    /// to the session's tokens. On failure nothing counts as stored: the next sync
    /// writes it again with what follows.
    pub async fn sync<M: Serialize + Sync>(
        &self,
        history: &[M],
        usage: Usage,
    ) -> Result<(), SessionError> {
        let mut state = self.state.lock().await;
        let new = history.get(state.recorded..).unwrap_or_default();
        if new.is_empty() && usage == Usage::default() {
            return Ok(());
        }
        let id = state.info.id.clone();
        let mut info = state.info.clone();
        let mut writes = Vec::with_capacity(2);
        if !new.is_empty() {
            let key = record::chunk_key(&id, info.generation, info.chunks);
            writes.push(self.store.encode(&id, key, new)?);
            info.chunks += 1;
        }
        info.usage += usage;
        info.updated_ms = now_ms();
        writes.push(self.store.encode(&id, record::info_key(&id), &info)?);
        // One write of the chunk and the record: atomic on a store that can (the
        // file store writes the chunk first, so a crash between leaves the record
        // as it was).
        self.store.write_many(&id, writes).await?;
        state.info = info;
        state.recorded = history.len();
        Ok(())
    }

    /// Replaces the stored history with `history` (a compaction), adding `usage`:
    /// written as the first chunk of a new generation, which the record then
    /// switches to; the old generation is removed after.
    pub async fn replace<M: Serialize + Sync>(
        &self,
        history: &[M],
        usage: Usage,
    ) -> Result<(), SessionError> {
        let mut state = self.state.lock().await;
        let id = state.info.id.clone();
        let old = state.info.generation;
        let mut info = state.info.clone();
        info.generation = old + 1;
        info.chunks = 1;
        info.compactions += 1;
        info.usage += usage;
        info.updated_ms = now_ms();
        let chunk = self
            .store
            .encode(&id, record::chunk_key(&id, info.generation, 0), history)?;
        let record = self.store.encode(&id, record::info_key(&id), &info)?;
        self.store.write_many(&id, vec![chunk, record]).await?;
        state.info = info;
        state.recorded = history.len();
        drop(state);
        if let Err(error) = self
            .store
            .remove_prefix(&id, record::generation_prefix(&id, old))
            .await
        {
            tracing::warn!(session = %id, error = %error, "the history before the compaction was not removed");
        }
        Ok(())
    }

    /// Keeps a sub-agent's finished run in this session.
    pub async fn record_subagent(&self, run: SubagentRun) -> Result<(), SessionError> {
        let mut state = self.state.lock().await;
        let id = state.info.id.clone();
        let key = record::subagent_key(&id, state.info.subagents);
        self.store.write_json(&id, key, &run).await?;
        let mut info = state.info.clone();
        info.subagents += 1;
        if !info.models.contains(&run.model) {
            info.models.push(run.model);
        }
        info.updated_ms = now_ms();
        self.store
            .write_json(&id, record::info_key(&id), &info)
            .await?;
        state.info = info;
        Ok(())
    }

    pub(super) async fn save_info(&self) -> Result<(), SessionError> {
        let state = self.state.lock().await;
        let id = &state.info.id;
        self.store
            .write_json(id, record::info_key(id), &state.info)
            .await
    }
}
