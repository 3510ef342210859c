//! `POST {base}/responses/compact` (remote compaction v1): a unary JSON request with
//! the ordinary body minus `stream`, `store` and `include`, answered with
//! `{"output": [kept user messages…, {"type": "compaction", …}]}`. The answer's
//! compaction item becomes a one-item [`PartStream`], as a compaction answered over
//! the stream would; the kept messages are left to the caller, who has them.

use std::sync::Arc;

use clanka_http::HttpClient;
use clanka_model::{AiError, FinishReason, PartStream, StreamPart};
use futures_util::StreamExt as _;
use serde_json::Value;

use crate::ResponsesConfig;
use crate::decode::{compaction_part, is_compaction};
use crate::request::{HeaderSet, ResponsesRequest};
use crate::status;

/// Largest answer read; a larger one is an error.
const ANSWER_LIMIT: usize = 64 * 1024 * 1024;
/// How much of an error answer is read for its message.
const ERROR_LIMIT: usize = 64 * 1024;

/// The compaction of `request`'s input, as a stream of one part (or an error).
pub(crate) fn endpoint(
    http: HttpClient,
    config: Arc<ResponsesConfig>,
    request: ResponsesRequest,
) -> PartStream {
    PartStream::new(
        futures_util::stream::once(async move {
            compact(&http, &config, &request)
                .await
                .map_err(config.classify_error)
        })
        .flat_map(|result| {
            let parts: Vec<Result<StreamPart, AiError>> = match result {
                Ok(parts) => parts.into_iter().map(Ok).collect(),
                Err(error) => vec![Err(error)],
            };
            futures_util::stream::iter(parts)
        }),
    )
}

async fn compact(
    http: &HttpClient,
    config: &ResponsesConfig,
    request: &ResponsesRequest,
) -> Result<Vec<StreamPart>, AiError> {
    let mut body = serde_json::to_value(request).map_err(|e| AiError::InvalidRequest {
        message: format!("request did not serialize: {e}"),
    })?;
    if let Value::Object(fields) = &mut body {
        for unary in ["stream", "store", "include"] {
            fields.remove(unary);
        }
    }
    let mut headers = HeaderSet::Http.headers(request.conversation());
    headers.insert(
        http::header::ACCEPT,
        http::HeaderValue::from_static("application/json"),
    );
    let url = format!("{}/responses/compact", config.base_url);
    let builder = http
        .request(http::Method::POST, url)
        .headers(headers)
        .json(&body);
    let mut response = http.send(builder).await.map_err(AiError::transport)?;
    let status = response.status();
    let limit = if status.is_success() {
        ANSWER_LIMIT
    } else {
        ERROR_LIMIT
    };
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(AiError::transport)? {
        if bytes.len() + chunk.len() > limit {
            if !status.is_success() {
                break; // enough of an error to quote
            }
            return Err(AiError::InvalidResponse {
                message: format!("the compaction answer is over {} MiB", ANSWER_LIMIT >> 20),
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    if !status.is_success() {
        return Err(status::from_status(
            status.as_u16(),
            &bytes,
            Some(response.headers()),
        ));
    }
    let answer: Value = serde_json::from_slice(&bytes).map_err(|e| AiError::InvalidResponse {
        message: format!("the compaction answer is not JSON: {e}"),
    })?;
    let items = answer
        .get("output")
        .and_then(Value::as_array)
        .ok_or_else(|| AiError::InvalidResponse {
            message: "the compaction answer has no `output` list".to_owned(),
        })?;
    let mut parts = items
        .iter()
        .filter(|item| {
            item.get("type")
                .and_then(Value::as_str)
                .is_some_and(is_compaction)
        })
        .map(compaction_part)
        .collect::<Result<Vec<_>, _>>()?;
    parts.push(StreamPart::Finish {
        reason: FinishReason::Stop,
        response_id: None,
    });
    Ok(parts)
}
