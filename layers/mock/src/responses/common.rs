//! What the endpoints of the responses API share: the error they answer with, and
//! the checks of a request (its bearer token, its model) made before anything else.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::auth::BearerRefusal;
use crate::common::lock;
use crate::scenario::HttpError;
use crate::state::AppState;

/// Number of a WebSocket connection, set by the recording middleware.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionId(pub(crate) u64);

/// An HTTP-style error: status, OpenAI-style body, extra headers.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) headers: BTreeMap<String, String>,
}

impl ApiError {
    pub(crate) fn new(
        status: u16,
        kind: &str,
        code: Option<&str>,
        param: Option<&str>,
        message: &str,
    ) -> Self {
        let body =
            json!({"error": {"message": message, "type": kind, "param": param, "code": code}});
        Self {
            status,
            body,
            headers: BTreeMap::new(),
        }
    }

    pub(crate) fn invalid(message: &str, param: Option<&str>, code: Option<&str>) -> Self {
        Self::new(400, "invalid_request_error", code, param, message)
    }

    /// The WebSocket form: `{"type":"error","status":…,"error":{…},"headers":{…}}`.
    pub(crate) fn to_frame(&self) -> Value {
        let error = self
            .body
            .get("error")
            .cloned()
            .unwrap_or_else(|| self.body.clone());
        let mut frame = json!({"type": "error", "status": self.status, "error": error});
        if !self.headers.is_empty() {
            frame["headers"] = json!(self.headers);
        }
        frame
    }
}

impl From<&HttpError> for ApiError {
    fn from(error: &HttpError) -> Self {
        Self {
            status: error.status(),
            body: error.body(),
            headers: error.headers(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.body)).into_response();
        for (name, value) in &self.headers {
            insert(response.headers_mut(), name, value);
        }
        response
    }
}

/// Inserts a header, skipping invalid names or values.
pub(crate) fn insert(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
        headers.insert(n, v);
    }
}

/// 401 unless the bearer token is an issued, unexpired access token or an API key.
pub(crate) fn check_auth(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let header = headers
        .get(::http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok());
    let refusal = match lock(&state.registry).check_bearer(header, &state.options.api_keys) {
        Ok(()) => return Ok(()),
        Err(refusal) => refusal,
    };
    let (code, message) = match refusal {
        BearerRefusal::Missing => (None, "Missing bearer or basic authentication in header"),
        BearerRefusal::Unknown => (
            Some("invalid_api_key"),
            "Incorrect API key or access token provided.",
        ),
        BearerRefusal::Expired => (
            Some("token_expired"),
            "Provided authentication token is expired. Please try signing in again.",
        ),
    };
    Err(ApiError::new(
        401,
        "invalid_request_error",
        code,
        None,
        message,
    ))
}

/// The conversation a request belongs to: `prompt_cache_key`, else a session header.
pub(crate) fn conversation_key(body: &Value, headers: &HeaderMap) -> Option<String> {
    if let Some(key) = body.get("prompt_cache_key").and_then(Value::as_str) {
        return Some(key.to_owned());
    }
    ["session-id", "session_id", "conversation_id"]
        .iter()
        .find_map(|name| headers.get(*name).and_then(|v| v.to_str().ok()))
        .map(str::to_owned)
}

/// Refuses, on the ChatGPT path (`/backend-api/…`), a model the catalogue does not list.
pub(crate) fn check_model(state: &AppState, path: &str, body: &Value) -> Result<(), ApiError> {
    if !path.starts_with("/backend-api/") || state.options.accept_any_model {
        return Ok(());
    }
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if lock(&state.catalog).supports(model) {
        Ok(())
    } else {
        Err(unsupported(model))
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
