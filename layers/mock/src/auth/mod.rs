//! OAuth endpoints: device-code flow, browser authorize page, token exchange and
//! rotating refresh, revoke.

mod authorize;
pub(crate) mod registry;

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub(crate) use authorize::authorize;
pub(crate) use registry::BearerRefusal;
pub use registry::IssuedTokens;
use registry::RefreshRefusal;

use crate::body::Decoded;
use crate::common::lock;
use crate::common::now_secs;
use crate::state::AppState;

type Shared = State<Arc<AppState>>;

pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

fn str_field<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn body_or_null(decoded: Decoded) -> Value {
    decoded.0.unwrap_or(Value::Null)
}

/// `POST /api/accounts/deviceauth/usercode`.
pub(crate) async fn usercode(
    State(state): Shared,
    Extension(body): Extension<Decoded>,
) -> Response {
    if state.options.device_flow_disabled {
        return StatusCode::NOT_FOUND.into_response();
    }
    let body = body_or_null(body);
    if str_field(&body, "client_id").is_none() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id is required",
        );
    }
    let (device_auth_id, user_code) = lock(&state.registry).start_device();
    let interval = state.options.device_interval_secs.to_string();
    let body = json!({
        "device_auth_id": device_auth_id,
        "user_code": user_code,
        "interval": interval,
        "expires_at": now_secs() + 15 * 60,
    });
    (StatusCode::OK, Json(body)).into_response()
}

/// `POST /api/accounts/deviceauth/token`: 403 while pending, then the authorization code.
pub(crate) async fn device_token(
    State(state): Shared,
    Extension(body): Extension<Decoded>,
) -> Response {
    let body = body_or_null(body);
    let (Some(id), Some(user_code)) = (
        str_field(&body, "device_auth_id"),
        str_field(&body, "user_code"),
    ) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "device_auth_id and user_code are required",
        );
    };
    let auto = state.options.device_auto_approve_after;
    let mut registry = lock(&state.registry);
    let Some(device) = registry
        .devices
        .get_mut(id)
        .filter(|d| d.user_code == user_code)
    else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "unknown device authorization",
        );
    };
    if !device.approved {
        device.polls += 1;
        device.approved = auto.is_some_and(|n| device.polls > n);
    }
    if !device.approved {
        let body = json!({"error": {"message": "Device authorization is still pending", "code": "deviceauth_authorization_pending"}});
        let status = StatusCode::from_u16(state.options.device_pending_status)
            .unwrap_or(StatusCode::FORBIDDEN);
        return (status, Json(body)).into_response();
    }
    registry.devices.remove(id);
    let (authorization_code, code_challenge, code_verifier) = registry.mint_device_code();
    let body = json!({
        "authorization_code": authorization_code,
        "code_challenge": code_challenge,
        "code_verifier": code_verifier,
    });
    (StatusCode::OK, Json(body)).into_response()
}

/// `POST /oauth/token`: `authorization_code` (form), `refresh_token` (JSON or form).
pub(crate) async fn token(
    State(state): Shared,
    headers: HeaderMap,
    Extension(body): Extension<Decoded>,
) -> Response {
    let body = match body.0 {
        Ok(body @ Value::Object(_)) => body,
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "expected a form or JSON object",
            );
        }
    };
    if str_field(&body, "client_id").is_none() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id is required",
        );
    }
    match str_field(&body, "grant_type") {
        Some("authorization_code") => exchange_code(&state, &headers, &body),
        Some("refresh_token") => {
            let delay = *crate::common::lock(&state.refresh_delay);
            if let Some(delay) = delay {
                // Nothing is decided before the delay ends: a client that gives up
                // (or dies) meanwhile leaves its refresh token unused.
                tokio::time::sleep(delay).await;
            }
            refresh(&state, &body)
        }
        Some("urn:ietf:params:oauth:grant-type:token-exchange") => {
            match state.options.api_keys.first() {
                Some(key) => Json(json!({"access_token": key})).into_response(),
                None => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "no api key configured",
                ),
            }
        }
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "unsupported grant_type",
        ),
    }
}

fn token_body(tokens: &IssuedTokens) -> Response {
    let body = json!({
        "id_token": tokens.id_token,
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_in": tokens.expires_in,
        "token_type": "Bearer",
        "scope": "openid profile email offline_access",
    });
    (StatusCode::OK, Json(body)).into_response()
}

fn redirect_ok(state: &AppState, headers: &HeaderMap, redirect: &str) -> bool {
    let Some(origin) = redirect.strip_suffix("/deviceauth/callback") else {
        return false;
    };
    let host = headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok());
    origin == state.base_url || host.is_some_and(|h| origin == format!("http://{h}"))
}

fn exchange_code(state: &AppState, headers: &HeaderMap, body: &Value) -> Response {
    let (Some(code), Some(verifier)) = (str_field(body, "code"), str_field(body, "code_verifier"))
    else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "code and code_verifier are required",
        );
    };
    let mut registry = lock(&state.registry);
    let Some(bound) = registry.redeem_auth_code(code, verifier) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "invalid authorization code or code_verifier",
        );
    };
    let redirect = str_field(body, "redirect_uri");
    let redirect_matches = match bound {
        Some(bound) => redirect == Some(bound.as_str()),
        None => redirect.is_some_and(|r| redirect_ok(state, headers, r)),
    };
    if !redirect_matches {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "redirect_uri mismatch",
        );
    }
    token_body(&registry.issue(&state.options.account_id, state.options.token_ttl))
}

fn refresh(state: &AppState, body: &Value) -> Response {
    let Some(token) = str_field(body, "refresh_token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "refresh_token is required",
        );
    };
    let result =
        lock(&state.registry).refresh(token, &state.options.account_id, state.options.token_ttl);
    let (code, message) = match result {
        Ok(tokens) => {
            state
                .refreshes
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return token_body(&tokens);
        }
        Err(RefreshRefusal::Reused) => (
            "refresh_token_reused",
            "Your refresh token has already been used to generate a new access token. Please try signing in again.",
        ),
        Err(RefreshRefusal::Invalidated) => (
            "refresh_token_invalidated",
            "Your refresh token has been invalidated. Please try signing in again.",
        ),
    };
    let body = json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": code}});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

/// `POST /oauth/revoke`: best effort, always 200.
pub(crate) async fn revoke(State(state): Shared, Extension(body): Extension<Decoded>) -> Response {
    if let Some(token) = str_field(&body_or_null(body), "token") {
        lock(&state.registry).revoke(token);
    }
    (StatusCode::OK, Json(json!({}))).into_response()
}

/// `POST /__mock/approve`: approves pending device codes (optionally one `user_code`).
pub(crate) async fn approve(State(state): Shared, Extension(body): Extension<Decoded>) -> Response {
    let body = body_or_null(body);
    let approved = lock(&state.registry).approve(str_field(&body, "user_code"));
    Json(json!({"approved": approved})).into_response()
}
