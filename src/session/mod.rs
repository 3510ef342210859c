//! Sessions: an agent's conversations kept in the [`KeyValueStore`], so a later
//! process can list them and resume one.
//!
//! Everything lives under `sessions/`, so the same code works on the memory, file and
//! any other store. A session is a small record (`{id}/meta`: directory, models,
//! times, first prompt, tokens) and its history in chunks, one per completed
//! exchange (`{id}/h{generation}/{n}`), each written once; the record names how many
//! chunks count. A crash between a chunk and the record loses that one exchange,
//! never an earlier one, and never leaves a record that fails to load. Compaction
//! starts a new generation: its first chunk holds the compacted history, and the
//! record switches to it in one write. Sub-agent runs are kept in the parent's
//! session (`{id}/sub/{n}`).
//!
//! # Example
//!
//! ```
//! use clanka::session::{NewSession, SessionStore};
//! use clanka_kv::KeyValueStore;
//! use clanka_model::{Message, Usage};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let store = SessionStore::new(&KeyValueStore::memory());
//! let recorder = store
//!     .create(NewSession::new("s-1", "/work/repo", "gpt-5.5", "fix the test"))
//!     .await
//!     .unwrap();
//! let history = vec![Message::user("fix the test")];
//! recorder.sync(&history, Usage::default()).await.unwrap();
//! let session = store.load("s-1").await.unwrap();
//! assert_eq!(session.history, history);
//! assert_eq!(store.latest_in("/work/repo".as_ref()).await.unwrap().unwrap().id, "s-1");
//! # });
//! ```

mod record;
mod recorder;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use clanka_kv::{KeyValueStore, KvError};
use clanka_model::Message;
use serde::de::DeserializeOwned;

use crate::runtime::Layer;

pub use record::{NewSession, Session, SessionInfo, SubagentRun};
pub use recorder::Recorder;

/// The version of the record format this build writes and reads.
pub const FORMAT: u32 = 1;

/// Why a session could not be stored or loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// No session has this id.
    #[error("no session `{0}`")]
    NotFound(String),
    /// The session was written in a format this build does not read.
    #[error("session `{id}` was written in format {found}; this build reads format {FORMAT}")]
    Version {
        /// The session.
        id: String,
        /// Its format.
        found: u32,
    },
    /// Part of the session is damaged.
    #[error("session `{id}` is damaged: `{key}` {problem}")]
    Damaged {
        /// The session.
        id: String,
        /// The key that could not be read.
        key: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The store failed.
    #[error("session `{id}`: the store failed")]
    Store {
        /// The session.
        id: String,
        /// The cause.
        #[source]
        source: KvError,
    },
}

/// Where sessions are kept: a [`KeyValueStore`] under `sessions/`. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SessionStore {
    kv: KeyValueStore,
}

impl SessionStore {
    /// Sessions in `kv`, under `sessions/`.
    pub fn new(kv: &KeyValueStore) -> Self {
        Self {
            kv: kv.prefixed("sessions/"),
        }
    }

    /// Starts recording a new session.
    pub async fn create(&self, new: NewSession) -> Result<Recorder, SessionError> {
        let info = SessionInfo::new(new, now_ms());
        let recorder = Recorder::new(self.clone(), info, 0);
        recorder.save_info().await?;
        Ok(recorder)
    }

    /// Loads session `id`: its record, its history (as of its last completed
    /// exchange) and the sub-agent runs kept in it.
    pub async fn load(&self, id: &str) -> Result<Session, SessionError> {
        let info = self.info(id).await?;
        // The chunks are read concurrently: on the file store each read is a
        // blocking file read of its own.
        let chunks = (0..info.chunks).map(|n| {
            let key = record::chunk_key(id, info.generation, n);
            async move {
                let chunk: Option<Vec<Message>> = self.read(id, &key).await?;
                chunk.ok_or_else(|| SessionError::Damaged {
                    id: id.to_owned(),
                    key,
                    problem: "is missing".to_owned(),
                })
            }
        });
        let history: Vec<Message> = futures_util::future::try_join_all(chunks)
            .await?
            .into_iter()
            .flatten()
            .collect();
        let mut subagents = Vec::new();
        for n in 0..info.subagents {
            let key = record::subagent_key(id, n);
            if let Some(run) = self.read::<SubagentRun>(id, &key).await? {
                subagents.push(run);
            }
        }
        Ok(Session {
            info,
            history,
            subagents,
        })
    }

    /// The record of session `id`.
    pub async fn info(&self, id: &str) -> Result<SessionInfo, SessionError> {
        let key = record::info_key(id);
        let bytes = self
            .kv
            .get(key.clone())
            .await
            .map_err(|source| store_error(id, source))?
            .ok_or_else(|| SessionError::NotFound(id.to_owned()))?;
        record::parse_info(id, &key, &bytes)
    }

    /// Every session, newest first; a record that does not load is listed as its
    /// error, so one damaged session hides no other.
    pub async fn list(&self) -> Result<Vec<Result<SessionInfo, SessionError>>, SessionError> {
        let keys = self
            .kv
            .keys()
            .await
            .map_err(|source| store_error("*", source))?;
        // The records are read concurrently, as a session's chunks are.
        let mut sessions = futures_util::future::join_all(
            keys.iter()
                .filter_map(|key| key.strip_suffix(record::INFO_SUFFIX))
                .map(|id| self.info(id)),
        )
        .await;
        sessions.sort_by_key(|listed| {
            std::cmp::Reverse(listed.as_ref().map_or(0, |info| info.updated_ms))
        });
        Ok(sessions)
    }

    /// The newest session recorded in `directory`.
    pub async fn latest_in(&self, directory: &Path) -> Result<Option<SessionInfo>, SessionError> {
        let wanted = record::canonical(directory);
        Ok(self
            .list()
            .await?
            .into_iter()
            .flatten()
            .find(|info| info.directory == wanted))
    }

    /// Removes session `id` and everything kept with it.
    pub async fn remove(&self, id: &str) -> Result<(), SessionError> {
        self.info(id).await.map(drop).or_else(|error| match error {
            SessionError::NotFound(_) => Err(error),
            _ => Ok(()),
        })?;
        self.kv
            .prefixed(format!("{id}/"))
            .clear()
            .await
            .map_err(|source| store_error(id, source))
    }

    async fn read<T: DeserializeOwned>(
        &self,
        id: &str,
        key: &str,
    ) -> Result<Option<T>, SessionError> {
        let Some(bytes) = self
            .kv
            .get(key.to_owned())
            .await
            .map_err(|source| store_error(id, source))?
        else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| SessionError::Damaged {
                id: id.to_owned(),
                key: key.to_owned(),
                problem: format!("does not parse: {e}"),
            })
    }

    async fn write_json<T: serde::Serialize + ?Sized>(
        &self,
        id: &str,
        key: String,
        value: &T,
    ) -> Result<(), SessionError> {
        let (key, bytes) = self.encode(id, key, value)?;
        self.kv
            .set(key, bytes)
            .await
            .map_err(|source| store_error(id, source))
    }

    /// `value` as the JSON to write under `key`.
    fn encode<T: serde::Serialize + ?Sized>(
        &self,
        id: &str,
        key: String,
        value: &T,
    ) -> Result<(String, Vec<u8>), SessionError> {
        match serde_json::to_vec(value) {
            Ok(bytes) => Ok((key, bytes)),
            Err(e) => Err(SessionError::Damaged {
                id: id.to_owned(),
                key,
                problem: format!("cannot be written: {e}"),
            }),
        }
    }

    /// Writes `entries` in one store request, in order.
    async fn write_many(
        &self,
        id: &str,
        entries: Vec<(String, Vec<u8>)>,
    ) -> Result<(), SessionError> {
        self.kv
            .set_many(entries)
            .await
            .map_err(|source| store_error(id, source))
    }

    async fn remove_prefix(&self, id: &str, prefix: String) -> Result<(), SessionError> {
        self.kv
            .prefixed(prefix)
            .clear()
            .await
            .map_err(|source| store_error(id, source))
    }
}

fn store_error(id: &str, source: KvError) -> SessionError {
    SessionError::Store {
        id: id.to_owned(),
        source,
    }
}

/// Milliseconds since the Unix epoch (the clock of [`SessionInfo`]'s times).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A recipe that provides a [`SessionStore`] in the graph's [`KeyValueStore`]; an
/// agent built with it records its sessions there.
pub fn layer_kv() -> Layer {
    Layer::effect("session::layer_kv", |(kv,): (KeyValueStore,)| async move {
        Ok::<_, std::convert::Infallible>(SessionStore::new(&kv))
    })
}

#[cfg(test)]
mod tests;
