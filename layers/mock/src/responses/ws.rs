//! `GET …/responses` upgraded to a WebSocket: `response.create` in, events out.

mod session;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::common::{ApiError, ConnectionId, check_auth, conversation_key, insert};
use crate::common::lock;
use crate::state::AppState;

/// Handles a WebSocket upgrade request.
pub(crate) async fn handle(State(state): State<Arc<AppState>>, mut request: Request) -> Response {
    let headers = request.headers().clone();
    let is_upgrade = headers
        .get(http::header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !is_upgrade {
        let error = ApiError::new(
            405,
            "invalid_request_error",
            None,
            None,
            "Use POST or a WebSocket upgrade.",
        );
        return error.into_response();
    }
    if state.ws_refused.load(Ordering::Relaxed) {
        let error = ApiError::new(
            426,
            "invalid_request_error",
            Some("upgrade_required"),
            None,
            "Upgrade Required",
        );
        return error.into_response();
    }
    if let Err(error) = check_auth(&state, &headers) {
        return error.into_response();
    }
    let Some(key) = headers.get(http::header::SEC_WEBSOCKET_KEY) else {
        return ApiError::invalid("Missing Sec-WebSocket-Key", None, None).into_response();
    };
    let accept = derive_accept_key(key.as_bytes());
    let connection = request
        .extensions()
        .get::<ConnectionId>()
        .map_or(0, |c| c.0);
    let path = request.uri().path().to_owned();
    let on_upgrade = hyper::upgrade::on(&mut request);
    let session =
        session::Session::new(Arc::clone(&state), connection, path, session_key(&headers));
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let io = TokioIo::new(upgraded);
                let ws = WebSocketStream::from_raw_socket(io, Role::Server, None).await;
                session.run(ws).await;
            }
            Err(e) => tracing::warn!(error = %e, "websocket upgrade failed"),
        }
    });
    let etag = state
        .options
        .models_etag_header
        .then(|| lock(&state.catalog).etag().to_owned());
    switching(&accept, etag.as_deref())
}

fn session_key(headers: &HeaderMap) -> Option<String> {
    conversation_key(&serde_json::Value::Null, headers)
}

fn switching(accept: &str, models_etag: Option<&str>) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let out = response.headers_mut();
    insert(out, "connection", "upgrade");
    insert(out, "upgrade", "websocket");
    insert(out, "sec-websocket-accept", accept);
    if let Some(etag) = models_etag {
        insert(out, "x-models-etag", etag);
    }
    response
}
