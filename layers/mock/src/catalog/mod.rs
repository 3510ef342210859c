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
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub(crate) mod models;

pub(crate) use models::Catalog;
pub use models::builtin_models;

use crate::common::lock;
use crate::responses::check_auth;
use crate::state::AppState;

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
        headers.insert(axum::http::header::IF_NONE_MATCH, list.parse().unwrap());
        assert!(one.matches(&headers));
        assert!(!two.matches(&headers));
        assert!(one.supports("gpt-5.5") && !one.supports("gpt-5.3-codex"));
    }
}
