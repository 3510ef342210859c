//! Routes, the recording middleware and the `/__mock/*` control endpoints.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::body::{Decoded, decode};
use crate::common::lock;
use crate::record::{NewRecord, RecordKind, headers_of};
use crate::responses::{self, ConnectionId};
use crate::scenario::{Scenario, ScriptedResponse};
use crate::state::AppState;
use crate::{auth, body::Decoded as D, catalog, wham};

/// Largest request body the mock reads.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// Builds the whole application.
pub(crate) fn build(state: Arc<AppState>) -> Router {
    let mut app = Router::new()
        .route("/api/accounts/deviceauth/usercode", post(auth::usercode))
        .route("/api/accounts/deviceauth/token", post(auth::device_token))
        .route("/oauth/authorize", get(auth::authorize))
        .route("/oauth/token", post(auth::token))
        .route("/oauth/revoke", post(auth::revoke))
        .route("/__mock/approve", post(auth::approve))
        .route(
            "/__mock/requests",
            get(list_requests).delete(clear_requests),
        )
        .route("/__mock/scenario", post(set_scenario))
        .route("/__mock/responses", post(push_response))
        .route("/__mock/expire", post(expire_tokens))
        .route("/__mock/forget", post(forget_responses))
        .route("/__mock/tokens", post(issue_tokens))
        .route("/__mock/models", post(set_models))
        .route(
            "/backend-api/wham/accounts/check",
            get(wham::accounts_check),
        )
        .route("/backend-api/codex/models", get(catalog::serve))
        .route("/v1/models", get(catalog::serve_empty));
    for base in ["/backend-api/codex", "/v1"] {
        app = app
            .route(
                &format!("{base}/responses"),
                post(responses::http::handle).get(responses::ws::handle),
            )
            .route(
                &format!("{base}/responses/compact"),
                post(responses::compaction::handle),
            );
    }
    app.fallback(not_found)
        .layer(middleware::from_fn_with_state(Arc::clone(&state), record))
        .with_state(state)
}

/// Reads and decodes the body once, records the request, and hands the decoded body on.
async fn record(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let raw = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(raw) => raw,
        Err(e) => {
            return (StatusCode::BAD_REQUEST, format!("could not read body: {e}")).into_response();
        }
    };
    let decoded = decode(&parts.headers, &raw);
    let path = parts.uri.path().to_owned();
    if !path.starts_with("/__mock/") {
        let upgrade = parts.headers.contains_key(http::header::UPGRADE);
        let connection = upgrade.then(|| state.next_id());
        if let Some(id) = connection {
            parts.extensions.insert(ConnectionId(id));
        }
        state.recorder.push(NewRecord {
            kind: if upgrade {
                RecordKind::WebSocketHandshake
            } else {
                RecordKind::Http
            },
            connection,
            method: parts.method.to_string(),
            path,
            query: parts.uri.query().map(str::to_owned),
            headers: headers_of(&parts.headers),
            body: decoded.clone().unwrap_or_else(Value::String),
        });
    }
    parts.extensions.insert(Decoded(decoded));
    next.run(Request::from_parts(parts, Body::from(raw))).await
}

async fn not_found() -> Response {
    let body = json!({"error": {"message": "Not found", "type": "invalid_request_error", "param": null, "code": "not_found"}});
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

async fn list_requests(State(state): State<Arc<AppState>>) -> Response {
    Json(state.recorder.all()).into_response()
}

async fn clear_requests(State(state): State<Arc<AppState>>) -> Response {
    state.recorder.clear();
    StatusCode::NO_CONTENT.into_response()
}

fn bad_json(e: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": {"message": e, "type": "invalid_request_error"}})),
    )
        .into_response()
}

async fn set_scenario(
    State(state): State<Arc<AppState>>,
    axum::Extension(D(body)): axum::Extension<Decoded>,
) -> Response {
    match body.and_then(|v| serde_json::from_value::<Scenario>(v).map_err(|e| e.to_string())) {
        Ok(scenario) => {
            state.set_scenario(scenario);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => bad_json(&e),
    }
}

async fn push_response(
    State(state): State<Arc<AppState>>,
    axum::Extension(D(body)): axum::Extension<Decoded>,
) -> Response {
    match body
        .and_then(|v| serde_json::from_value::<ScriptedResponse>(v).map_err(|e| e.to_string()))
    {
        Ok(response) => {
            lock(&state.scenario).push(response);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => bad_json(&e),
    }
}

async fn expire_tokens(State(state): State<Arc<AppState>>) -> Response {
    lock(&state.registry).expire_all();
    StatusCode::NO_CONTENT.into_response()
}

async fn forget_responses(State(state): State<Arc<AppState>>) -> Response {
    state.forget_responses();
    StatusCode::NO_CONTENT.into_response()
}

async fn issue_tokens(State(state): State<Arc<AppState>>) -> Response {
    let ttl = state.options.token_ttl;
    Json(lock(&state.registry).issue(&state.options.account_id, ttl)).into_response()
}

/// `POST /__mock/models`: replaces the catalogue with `{"models":[…]}` or a bare array.
async fn set_models(
    State(state): State<Arc<AppState>>,
    axum::Extension(D(body)): axum::Extension<Decoded>,
) -> Response {
    let models = match body {
        Ok(Value::Array(models)) => models,
        Ok(Value::Object(mut object)) => match object.remove("models") {
            Some(Value::Array(models)) => models,
            _ => return bad_json("expected {\"models\": [...]}"),
        },
        Ok(_) => return bad_json("expected {\"models\": [...]}"),
        Err(e) => return bad_json(&e),
    };
    *lock(&state.catalog) = catalog::Catalog::new(models);
    StatusCode::NO_CONTENT.into_response()
}
