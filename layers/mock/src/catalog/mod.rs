//! The model catalogue: `GET /backend-api/codex/models`, and the slugs the ChatGPT path accepts.
//!
//! # Example
//!
//! ```
//! let models = clanka_mock::builtin_models();
//! assert!(models.iter().any(|m| m["slug"] == "gpt-5.5"));
//! assert!(models.iter().all(|m| m["base_instructions"].is_string()));
//! ```

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::responses::{ApiError, check_auth};
use crate::state::{AppState, lock};

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
    body: String,
    etag: String,
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
    fn matches(&self, headers: &HeaderMap) -> bool {
        headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|tag| tag.trim().trim_start_matches("W/"))
            .any(|tag| tag == "*" || tag == self.etag)
    }
}

/// The refusal of a model the ChatGPT path does not serve, worded as the backend words it.
pub(crate) fn unsupported(slug: &str) -> ApiError {
    let message =
        format!("The '{slug}' model is not supported when using Codex with a ChatGPT account.");
    ApiError {
        status: 400,
        body: json!({"error": {"type": "invalid_request_error", "message": message}}),
        headers: Default::default(),
    }
}

/// `GET /backend-api/codex/models?client_version=…`: the catalogue, with `ETag` and 304s.
pub(crate) async fn serve(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(error) = check_auth(&state, &headers) {
        return error.into_response();
    }
    let catalog = lock(&state.catalog).clone();
    let status = if catalog.matches(&headers) {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let body = if status == StatusCode::OK {
        catalog.body
    } else {
        String::new()
    };
    let mut response = (status, body).into_response();
    let out = response.headers_mut();
    crate::responses::insert(out, "etag", &catalog.etag);
    if status == StatusCode::OK {
        crate::responses::insert(out, "content-type", "application/json");
    }
    response
}

/// `GET /v1/models`: the API-key path has no ChatGPT catalogue.
pub(crate) async fn serve_empty(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = check_auth(&state, &headers) {
        return error.into_response();
    }
    Json(json!({"models": []})).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_entries_keep_what_the_official_client_requires() {
        let models = builtin_models();
        assert_eq!(models.len(), 12);
        let required = [
            "slug",
            "display_name",
            "supported_reasoning_levels",
            "shell_type",
            "visibility",
            "supported_in_api",
            "priority",
            "support_verbosity",
            "truncation_policy",
            "experimental_supported_tools",
            "base_instructions",
        ];
        for model in &models {
            for field in required {
                assert!(model.get(field).is_some(), "{field} missing in {model}");
            }
        }
    }

    #[test]
    fn etag_follows_the_body_and_if_none_match_lists() {
        let one = Catalog::new(builtin_models());
        let two = Catalog::new(vec![json!({"slug": "x"})]);
        assert_ne!(one.etag(), two.etag());
        assert_eq!(one.etag(), Catalog::new(builtin_models()).etag());
        let mut headers = HeaderMap::new();
        let list = format!("\"other\", W/{}", one.etag());
        headers.insert(header::IF_NONE_MATCH, list.parse().unwrap());
        assert!(one.matches(&headers));
        assert!(!two.matches(&headers));
        assert!(one.supports("gpt-5.5") && !one.supports("gpt-5.3-codex"));
    }
}
