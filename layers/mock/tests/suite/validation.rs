//! The 400s and 401s the real backend answers.

use serde_json::{Value, json};

use super::common::{body, post, server, user};

async fn refused(field: &str, value: Option<Value>) -> Value {
    let server = server().await;
    let mut request = body(vec![user("x")]);
    match value {
        Some(value) => request[field] = value,
        None => {
            request.as_object_mut().unwrap().remove(field);
        }
    }
    let response = post(&server, &request).await;
    assert_eq!(response.status(), 400, "{field}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn store_must_be_false() {
    let error = refused("store", Some(json!(true))).await;
    assert_eq!(error["error"]["param"], "store");
    assert_eq!(error["error"]["type"], "invalid_request_error");
    let error = refused("store", None).await;
    assert_eq!(error["error"]["message"], "Store must be set to false");
}

#[tokio::test]
async fn sampling_parameters_are_unsupported() {
    for (field, value) in [
        ("max_output_tokens", json!(100)),
        ("temperature", json!(0.2)),
        ("top_p", json!(0.9)),
    ] {
        let error = refused(field, Some(value)).await;
        assert_eq!(error["error"]["code"], "unsupported_parameter");
        assert_eq!(error["error"]["param"], field);
        assert_eq!(
            error["error"]["message"],
            format!("Unsupported parameter: {field}")
        );
    }
}

#[tokio::test]
async fn instructions_are_optional_but_recorded() {
    let server = server().await;
    let mut request = body(vec![user("x")]);
    request.as_object_mut().unwrap().remove("instructions");
    assert_eq!(post(&server, &request).await.status(), 200);
    assert_eq!(post(&server, &body(vec![user("x")])).await.status(), 200);
    let seen = server.response_requests();
    assert!(!seen[0].sent_instructions());
    assert!(seen[1].sent_instructions());
}

#[tokio::test]
async fn tool_calls_need_outputs_and_outputs_need_calls() {
    let server = server().await;
    let call =
        json!({"type": "function_call", "call_id": "call_1", "name": "shell", "arguments": "{}"});
    let response = post(&server, &body(vec![user("x"), call])).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(
        error["error"]["message"],
        "No tool output found for function call call_1."
    );

    let output = json!({"type": "function_call_output", "call_id": "call_2", "output": "x"});
    let response = post(&server, &body(vec![user("x"), output])).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(
        error["error"]["message"],
        "No tool call found for function call output with call_id call_2."
    );

    let custom =
        json!({"type": "custom_tool_call", "call_id": "c3", "name": "apply_patch", "input": "p"});
    assert_eq!(
        post(&server, &body(vec![custom.clone()])).await.status(),
        400
    );
    let custom_out = json!({"type": "custom_tool_call_output", "call_id": "c3", "output": "ok"});
    assert_eq!(
        post(&server, &body(vec![custom_out.clone()]))
            .await
            .status(),
        400
    );
    assert_eq!(
        post(&server, &body(vec![custom, custom_out]))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn bearer_is_required_and_checked() {
    let server = server().await;
    let url = format!("{}/responses", server.codex_base_url());
    let client = reqwest::Client::new();
    let missing = client.post(&url).json(&body(vec![])).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let unknown = client
        .post(&url)
        .bearer_auth("sk-wrong")
        .json(&body(vec![]))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);
    let error: Value = unknown.json().await.unwrap();
    assert_eq!(error["error"]["code"], "invalid_api_key");
}

#[tokio::test]
async fn malformed_json_is_a_400() {
    let server = server().await;
    let response = reqwest::Client::new()
        .post(format!("{}/responses", server.codex_base_url()))
        .bearer_auth("sk-mock")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}
