//! Recording of every HTTP request and WebSocket message the mock receives.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What kind of traffic a record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A plain HTTP request.
    Http,
    /// The HTTP request that asked for a WebSocket upgrade.
    WebSocketHandshake,
    /// One text message received on a WebSocket.
    WebSocketMessage,
}

/// One recorded request or message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// Order of arrival, from 0.
    pub seq: u64,
    /// HTTP request, handshake or WebSocket message.
    pub kind: RecordKind,
    /// WebSocket connection number (handshake and messages), else `None`.
    pub connection: Option<u64>,
    /// HTTP method (`GET` for WebSocket traffic).
    pub method: String,
    /// Request path.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Headers with lowercase names; repeated headers are joined with `, `
    /// (empty for WebSocket messages: see the handshake).
    pub headers: BTreeMap<String, String>,
    /// Decoded body: JSON as is, a form as an object of strings, other text as a string,
    /// `null` when empty. zstd bodies are decompressed first.
    pub body: Value,
}

impl RecordedRequest {
    /// A header value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// A top-level body field.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.body.get(name)
    }

    /// Whether the body carried a top-level `instructions` field.
    pub fn sent_instructions(&self) -> bool {
        self.field("instructions").is_some()
    }

    /// The `input` array of a responses request, if any.
    pub fn input(&self) -> Option<&Vec<Value>> {
        self.field("input").and_then(Value::as_array)
    }

    /// The turn state the request echoed: its `x-codex-turn-state` header, or (a WebSocket
    /// `response.create`) `client_metadata["x-codex-turn-state"]`.
    pub fn turn_state(&self) -> Option<&str> {
        self.header("x-codex-turn-state").or_else(|| {
            self.field("client_metadata")?
                .get("x-codex-turn-state")?
                .as_str()
        })
    }

    /// Whether the request asked for a remote compaction: its `input` ends with
    /// `{"type":"compaction_trigger"}`.
    pub fn is_compaction(&self) -> bool {
        self.input().is_some_and(|input| is_trigger(input))
    }

    /// True for requests to a `…/responses` endpoint (HTTP or WebSocket message).
    pub fn is_responses(&self) -> bool {
        self.path.ends_with("/responses") && self.kind != RecordKind::WebSocketHandshake
    }
}

/// Thread-safe append-only log.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    log: Mutex<Vec<RecordedRequest>>,
}

/// The parts of a record the caller supplies.
#[derive(Debug)]
pub(crate) struct NewRecord {
    pub(crate) kind: RecordKind,
    pub(crate) connection: Option<u64>,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Value,
}

impl Recorder {
    pub(crate) fn push(&self, new: NewRecord) {
        let mut log = crate::common::lock(&self.log);
        let seq = log.len() as u64;
        let NewRecord {
            kind,
            connection,
            method,
            path,
            query,
            headers,
            body,
        } = new;
        tracing::info!(seq, %method, %path, ?kind, ?connection, "request");
        log.push(RecordedRequest {
            seq,
            kind,
            connection,
            method,
            path,
            query,
            headers,
            body,
        });
    }

    pub(crate) fn all(&self) -> Vec<RecordedRequest> {
        crate::common::lock(&self.log).clone()
    }

    pub(crate) fn clear(&self) {
        crate::common::lock(&self.log).clear();
    }
}

/// Flattens a header map to lowercase names, joining repeats.
pub(crate) fn headers_of(map: &http::HeaderMap) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in map {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        out.entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    out
}

/// Whether a (full) input asks for a compaction: its last item is `compaction_trigger`.
pub(crate) fn is_trigger(input: &[Value]) -> bool {
    input
        .last()
        .and_then(|item| item.get("type"))
        .and_then(Value::as_str)
        == Some("compaction_trigger")
}
