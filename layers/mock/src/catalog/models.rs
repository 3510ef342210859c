//! The catalogue's data: the official client's bundled models and a catalogue with its
//! encoded body and `ETag`. Imports no other part of the mock.

use axum::http::{HeaderMap, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The structured fields of the official Codex CLI 0.169.0's bundled catalogue (prompts removed).
const BUNDLED: &str = include_str!("models-0.169.0.json");

/// The models of the official Codex CLI 0.169.0's catalogue, each with a short
/// `base_instructions` (the official client ignores an entry that has neither
/// `base_instructions` nor `model_messages`).
pub fn builtin_models() -> Vec<Value> {
    let parsed: Value = serde_json::from_str(BUNDLED).unwrap_or_default();
    let Some(Value::Array(models)) = parsed.get("models").cloned() else {
        return Vec::new();
    };
    models
        .into_iter()
        .map(|mut model| {
            if let Some(entry) = model.as_object_mut()
                && !entry.contains_key("base_instructions")
            {
                let name = entry.get("display_name").and_then(Value::as_str);
                let text = format!(
                    "You are {}, a model served by clanka-mock.",
                    name.unwrap_or("a mock model")
                );
                entry.insert("base_instructions".to_owned(), Value::String(text));
            }
            model
        })
        .collect()
}

/// A catalogue with its encoded body and the `ETag` derived from that body.
#[derive(Debug, Clone)]
pub(crate) struct Catalog {
    models: Vec<Value>,
    pub(crate) body: String,
    pub(crate) etag: String,
}

impl Catalog {
    pub(crate) fn new(models: Vec<Value>) -> Self {
        let body = json!({ "models": models }).to_string();
        let digest = Sha256::digest(body.as_bytes());
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            models,
            body,
            etag: format!("\"models-{hex}\""),
        }
    }

    /// The entries, as served.
    pub(crate) fn models(&self) -> &[Value] {
        &self.models
    }

    /// The `ETag` of the body (quoted).
    pub(crate) fn etag(&self) -> &str {
        &self.etag
    }

    /// Whether an entry has this exact slug.
    pub(crate) fn supports(&self, slug: &str) -> bool {
        self.models
            .iter()
            .any(|m| m.get("slug").and_then(Value::as_str) == Some(slug))
    }

    /// Whether an `If-None-Match` header names this catalogue's `ETag`.
    pub(crate) fn matches(&self, headers: &HeaderMap) -> bool {
        headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|tag| tag.trim().trim_start_matches("W/"))
            .any(|tag| tag == "*" || tag == self.etag)
    }
}
