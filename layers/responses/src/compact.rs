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
use crate::request::{HeaderSet, ResponsesRequest};
use crate::status;

/// Largest answer read.
const ANSWER_LIMIT: usize = 64 * 1024 * 1024;

/// The compaction of `request`'s input, as a stream of one part (or an error).
pub(crate) fn endpoint(
    http: HttpClient,
    config: Arc<ResponsesConfig>,
    request: ResponsesRequest,
) -> PartStream {
    PartStream::new(
        futures_util::stream::once(async move { compact(&http, &config, &request).await })
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
    let response = http
        .send(builder)
        .await
        .map_err(|e| AiError::Transport(Box::new(e)))?;
    let status = response.status();
    let response_headers = response.headers().clone();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| AiError::Transport(Box::new(e)))?;
    if !status.is_success() {
        let shown = &bytes[..bytes.len().min(ANSWER_LIMIT)];
        return Err(status::from_status(
            status.as_u16(),
            shown,
            Some(&response_headers),
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
    let mut parts = Vec::new();
    for item in items {
        let kind = item.get("type").and_then(Value::as_str);
        if !matches!(kind, Some("compaction" | "compaction_summary")) {
            continue;
        }
        let encrypted = item
            .get("encrypted_content")
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
            .ok_or_else(|| AiError::InvalidResponse {
                message: "a compaction item without its encrypted_content".to_owned(),
            })?;
        parts.push(StreamPart::Compaction {
            id: item
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            encrypted_content: encrypted.to_owned(),
        });
    }
    parts.push(StreamPart::Finish {
        reason: FinishReason::Stop,
        response_id: None,
    });
    Ok(parts)
}
