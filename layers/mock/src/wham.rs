//! `GET /backend-api/wham/accounts/check`: workspace routing for the signed-in account.
//!
//! The official client asks before its first `/responses` request, and again after each
//! token refresh. `NO_CONSTRAINT` tells it to keep the origin of its ChatGPT base URL.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::responses::check_auth;
use crate::state::AppState;

/// Answers with one account, the mock's, without routing constraints.
pub(crate) async fn accounts_check(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = check_auth(&state, &headers) {
        return error.into_response();
    }
    let id = &state.options.account_id;
    Json(json!({
        "accounts": [{
            "id": id,
            "workspace_backend_origin": "NO_CONSTRAINT",
            "account_routing_override": "NO_CONSTRAINT",
            "plan_type": "pro",
            "name": null,
            "structure": "personal",
        }],
        "account_ordering": [id],
    }))
    .into_response()
}
