//! The responses endpoint over HTTP (SSE) and WebSocket, and what both share.

pub(crate) mod compaction;
mod emitter;
mod events;
mod format;
pub(crate) mod http;
mod items;
mod limits;
mod playback;
mod validate;
pub(crate) mod ws;

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::auth::BearerRefusal;
use crate::common::lock;
use crate::scenario::{CompactionFault, Faults, HttpError, ScriptedResponse};
use crate::state::AppState;

pub(crate) use limits::success_headers;

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

/// Text of the last user message in `input`.
pub(crate) fn last_user_text(input: &[Value]) -> Option<String> {
    let message = input.iter().rev().find(|item| {
        item.get("role").and_then(Value::as_str) == Some("user")
            && item
                .get("type")
                .and_then(Value::as_str)
                .is_none_or(|t| t == "message")
    })?;
    match message.get("content")? {
        Value::String(text) => Some(text.clone()),
        Value::Array(parts) => Some(
            parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    }
}

/// The default behaviour: a reasoning item, then a message quoting the last user text.
pub(crate) fn default_script(input: &[Value]) -> ScriptedResponse {
    let reply = match last_user_text(input) {
        Some(text) => format!("You said: \"{text}\""),
        None => "Hello from clanka-mock.".to_owned(),
    };
    ScriptedResponse::new()
        .reasoning("Reading the request.")
        .message(reply)
}

/// The per-response context (id, model, token estimate). The estimate counts the input
/// from its last compaction item on: that item stands for the history before it.
pub(crate) fn context(state: &AppState, body: &Value, input: &[Value]) -> emitter::Ctx {
    let seed = state.next_id();
    let history = &input[validate::history_start(input)..];
    let input_len = serde_json::to_string(history).map(|s| s.len()).unwrap_or(0) as u64;
    emitter::Ctx {
        id: format!("resp_mock_{seed}"),
        model: body
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("gpt-5.5")
            .to_owned(),
        seed,
        input_tokens: input_len.div_ceil(4),
    }
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

/// Decides the answer to a validated request over `input` (its full input): a compaction
/// when the input ends with `compaction_trigger` (no scripted response is consumed), an
/// empty response for a prewarm (`generate: false`), else the conversation's next scripted
/// response or the default. `key` names the conversation.
pub(crate) fn plan(
    state: &AppState,
    body: &Value,
    input: &[Value],
    key: impl FnOnce() -> String,
) -> Result<(emitter::Built, Faults), ApiError> {
    let ctx = context(state, body, input);
    if compaction::is_trigger(input) {
        let fault = lock(&state.compaction_fault).clone();
        if let Some(CompactionFault::HttpError(error)) = &fault {
            return Err(ApiError::from(error));
        }
        return Ok((compaction::build(&ctx, fault.as_ref()), Faults::default()));
    }
    let script = if body.get("generate") == Some(&Value::Bool(false)) {
        ScriptedResponse::new()
    } else {
        let model = body.get("model").and_then(Value::as_str);
        state
            .next_script(&key(), model)
            .unwrap_or_else(|| default_script(input))
    };
    if let Some(error) = &script.faults.http_error {
        return Err(ApiError::from(error));
    }
    Ok((events::build(&script, &ctx), script.faults))
}

/// Headers a `/responses` answer carries when the options ask for them: a fresh
/// `x-codex-turn-state` and the catalogue's `x-models-etag`.
pub(crate) fn answer_headers(state: &AppState) -> BTreeMap<String, String> {
    let mut headers = BTreeMap::new();
    if state.options.turn_state {
        headers.insert("x-codex-turn-state".to_owned(), state.next_turn_state());
    }
    if state.options.models_etag_header {
        let etag = lock(&state.catalog).etag().to_owned();
        headers.insert("x-models-etag".to_owned(), etag);
    }
    headers
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
