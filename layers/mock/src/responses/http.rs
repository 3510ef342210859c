//! `POST …/responses`: validation, then the scripted response as `text/event-stream`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::Value;
use tokio::sync::watch;

use super::playback::{Frame, Playback};
use super::{ApiError, check_auth, context, conversation_key, default_script, events, validate};
use crate::body::Decoded;
use crate::scenario::ScriptedResponse;
use crate::state::AppState;

/// Handles one HTTP responses request.
pub(crate) async fn handle(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Extension(Decoded(body)): Extension<Decoded>,
) -> Response {
    match respond(&state, &headers, body) {
        Ok(response) => response,
        Err(error) => {
            tracing::info!(status = error.status, body = %error.body, "responses request refused");
            error.into_response()
        }
    }
}

fn respond(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Value, String>,
) -> Result<Response, ApiError> {
    check_auth(state, headers)?;
    let body = body.map_err(|e| ApiError::invalid(&e, None, None))?;
    validate::fields(&body)?;
    let input = body
        .get("input")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    validate::pairs(&input)?;
    let ctx = context(state, &body, &input);
    let script = if body.get("generate") == Some(&Value::Bool(false)) {
        ScriptedResponse::new()
    } else {
        let key = conversation_key(&body, headers).unwrap_or_else(|| "default".to_owned());
        state
            .next_script(&key, body.get("model").and_then(Value::as_str))
            .unwrap_or_else(|| default_script(&input))
    };
    if let Some(error) = &script.faults.http_error {
        return Err(ApiError::from(error));
    }
    let model = ctx.model.clone();
    let playback = Playback::new(events::build(&script, &ctx), &script.faults, false);
    let mut response = Response::new(sse_body(playback, state.shutdown.clone()));
    *response.status_mut() = StatusCode::OK;
    let out = response.headers_mut();
    super::insert(out, "content-type", "text/event-stream");
    super::insert(out, "cache-control", "no-cache");
    super::insert(out, "x-request-id", &format!("req_mock_{}", ctx.seed));
    super::success_headers(out, &model, &super::turn_state(state, headers));
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
