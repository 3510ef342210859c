//! Recording the SSE body of one response from clanka-mock, byte for byte; shared by
//! the replay tests and the decode benchmark (included with `#[path]`).

use bytes::Bytes;
use clanka_mock::MockServer;
use serde_json::json;

/// POSTs a valid request (bearer `sk-mock`, conversation `key`) and returns the body.
pub(crate) async fn record(server: &MockServer, key: &str) -> Bytes {
    let body = json!({
        "model": "gpt-5.5", "instructions": "be brief", "store": false, "stream": true,
        "input": [{"type": "message", "role": "user", "content": "go"}],
        "tools": [], "tool_choice": "auto", "parallel_tool_calls": false,
        "include": ["reasoning.encrypted_content"], "prompt_cache_key": key,
    });
    reqwest::Client::new()
        .post(format!("{}/responses", server.codex_base_url()))
        .bearer_auth("sk-mock")
        .json(&body)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap()
}
