//! `POST …/responses`: validation, then the scripted response as `text/event-stream`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;
use tokio::sync::watch;

use super::common::{ApiError, check_auth, check_model, conversation_key, insert};
use super::limits::success_headers;
use super::plan::{answer_headers, plan};
use super::playback::{Frame, Playback};
use super::validate;
use crate::body::Decoded;
use crate::state::AppState;

/// Handles one HTTP responses request.
pub(crate) async fn handle(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
    Extension(Decoded(body)): Extension<Decoded>,
) -> Response {
    match respond(&state, uri.path(), &headers, body) {
        Ok(response) => response,
        Err(error) => {
            tracing::info!(status = error.status, body = %error.body, "responses request refused");
            error.into_response()
        }
    }
}

fn respond(
    state: &AppState,
    path: &str,
    headers: &HeaderMap,
    body: Result<Value, String>,
) -> Result<Response, ApiError> {
    check_auth(state, headers)?;
    let body = body.map_err(|e| ApiError::invalid(&e, None, None))?;
    validate::fields(&body)?;
    check_model(state, path, &body)?;
    let input = body
        .get("input")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    validate::input(&input)?;
    let key = || conversation_key(&body, headers).unwrap_or_else(|| "default".to_owned());
    let (built, faults) = plan(state, &body, &input, key)?;
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let request_id = format!("req_mock_{}", state.next_id());
    let playback = Playback::new(built, &faults, false);
    let mut response = Response::new(sse_body(playback, state.shutdown.clone()));
    *response.status_mut() = StatusCode::OK;
    let out = response.headers_mut();
    insert(out, "content-type", "text/event-stream");
    insert(out, "cache-control", "no-cache");
    insert(out, "x-request-id", &request_id);
    success_headers(out, model);
    for (name, value) in answer_headers(state) {
        insert(out, &name, &value);
    }
    Ok(response)
}

/// Encodes the playback as SSE; stops early when the server shuts down.
fn sse_body(playback: Playback, shutdown: watch::Receiver<bool>) -> Body {
    let stream =
        futures_util::stream::unfold((playback, shutdown), |(mut play, mut stop)| async move {
            let frame = tokio::select! {
                frame = play.next() => frame?,
                _ = stop.wait_for(|s| *s) => return None,
            };
            match frame {
                Frame::Event { kind, data } => {
                    let chunk = Bytes::from(format!("event: {kind}\ndata: {data}\n\n"));
                    Some((Ok(chunk), (play, stop)))
                }
                Frame::Drop => Some((
                    Err(std::io::Error::other("connection dropped by fault")),
                    (play, stop),
                )),
                Frame::Close => None,
            }
        });
    Body::from_stream(stream)
}
