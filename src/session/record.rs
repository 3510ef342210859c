//! What a session holds, and where each part is kept.

use std::path::{Path, PathBuf};

use clanka_model::{Message, Usage};
use serde::{Deserialize, Serialize};

use super::{FORMAT, SessionError};

/// The suffix of a session's record key.
pub(super) const INFO_SUFFIX: &str = "/meta";

pub(super) fn info_key(id: &str) -> String {
    format!("{id}{INFO_SUFFIX}")
}

pub(super) fn chunk_key(id: &str, generation: u32, n: u32) -> String {
    format!("{id}/h{generation}/{n:06}")
}

pub(super) fn generation_prefix(id: &str, generation: u32) -> String {
    format!("{id}/h{generation}/")
}

pub(super) fn subagent_key(id: &str, n: u32) -> String {
    format!("{id}/sub/{n:06}")
}

/// `directory` with its symbolic links resolved, as far as it exists.
pub(super) fn canonical(directory: &Path) -> PathBuf {
    directory
        .canonicalize()
        .unwrap_or_else(|_| directory.to_owned())
}

/// A session about to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Its id.
    pub id: String,
    /// The directory the agent works in.
    pub directory: PathBuf,
    /// The agent's model.
    pub model: String,
    /// The first prompt.
    pub first_prompt: String,
}

impl NewSession {
    /// A session `id` of an agent on `model` in `directory`, started with `first_prompt`.
    pub fn new(
        id: impl Into<String>,
        directory: impl Into<PathBuf>,
        model: impl Into<String>,
        first_prompt: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            directory: directory.into(),
            model: model.into(),
            first_prompt: first_prompt.into(),
        }
    }
}

/// A session's record: what `sessions` lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The record format ([`FORMAT`]).
    pub format: u32,
    /// The id.
    pub id: String,
    /// The directory the agent worked in.
    pub directory: PathBuf,
    /// The models that answered, in the order they first did (sub-agents' too).
    pub models: Vec<String>,
    /// When the session started (Unix milliseconds).
    pub created_ms: u64,
    /// When it last changed.
    pub updated_ms: u64,
    /// The first prompt.
    pub first_prompt: String,
    /// Tokens used so far, over all requests.
    pub usage: Usage,
    /// How many times the history was compacted.
    pub compactions: u32,
    /// The history's current generation (a compaction starts a new one).
    pub generation: u32,
    /// How many chunks of the current generation make the history.
    pub chunks: u32,
    /// How many sub-agent runs are kept.
    pub subagents: u32,
}

impl SessionInfo {
    pub(super) fn new(new: NewSession, now_ms: u64) -> Self {
        Self {
            format: FORMAT,
            id: new.id,
            directory: canonical(&new.directory),
            models: vec![new.model],
            created_ms: now_ms,
            updated_ms: now_ms,
            first_prompt: new.first_prompt,
            usage: Usage::default(),
            compactions: 0,
            generation: 0,
            chunks: 0,
            subagents: 0,
        }
    }
}

/// Reads a record: a newer or older format, or a damaged one, is a typed error
/// naming the session.
pub(super) fn parse_info(id: &str, key: &str, bytes: &[u8]) -> Result<SessionInfo, SessionError> {
    let damaged = |problem: String| SessionError::Damaged {
        id: id.to_owned(),
        key: key.to_owned(),
        problem,
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| damaged(format!("does not parse: {e}")))?;
    let found = value
        .get("format")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| damaged("has no format number".to_owned()))?;
    if found != u64::from(FORMAT) {
        return Err(SessionError::Version {
            id: id.to_owned(),
            found: u32::try_from(found).unwrap_or(u32::MAX),
        });
    }
    serde_json::from_value(value).map_err(|e| damaged(format!("does not parse: {e}")))
}

/// A loaded session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Its record.
    pub info: SessionInfo,
    /// The history, compacted as it was last (a compaction item stands for what it
    /// replaced).
    pub history: Vec<Message>,
    /// The sub-agent runs, in the order they ended.
    pub subagents: Vec<SubagentRun>,
}

/// A sub-agent's run, kept in its parent's session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubagentRun {
    /// The parent's `delegate` call.
    pub call_id: String,
    /// The sub-agent's model.
    pub model: String,
    /// The task.
    pub task: String,
    /// Its history.
    pub history: Vec<Message>,
}
