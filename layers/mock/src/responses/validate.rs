//! Request validation mirroring the real backend's 400s.

use std::collections::HashMap;

use serde_json::Value;

use super::ApiError;

/// Parameters the backend refuses.
const UNSUPPORTED: [&str; 3] = ["max_output_tokens", "temperature", "top_p"];

/// Checks the top-level fields of a responses request.
pub(crate) fn fields(body: &Value) -> Result<(), ApiError> {
    if !body.is_object() {
        return Err(ApiError::invalid(
            "The request body must be a JSON object.",
            None,
            None,
        ));
    }
    if !body.get("model").is_some_and(Value::is_string) {
        return Err(ApiError::invalid(
            "Missing required parameter: 'model'.",
            Some("model"),
            Some("missing_required_parameter"),
        ));
    }
    if body.get("store") != Some(&Value::Bool(false)) {
        return Err(ApiError::invalid(
            "Store must be set to false",
            Some("store"),
            None,
        ));
    }
    for name in UNSUPPORTED {
        if body.get(name).is_some() {
            let message = format!("Unsupported parameter: {name}");
            return Err(ApiError::invalid(
                &message,
                Some(name),
                Some("unsupported_parameter"),
            ));
        }
    }
    match body.get("input") {
        Some(Value::Array(_)) => Ok(()),
        _ => Err(ApiError::invalid(
            "Invalid type for 'input': expected an array of items.",
            Some("input"),
            Some("invalid_type"),
        )),
    }
}

/// The call kind an output kind answers.
fn call_of(output: &str) -> Option<&'static str> {
    match output {
        "function_call_output" => Some("function_call"),
        "custom_tool_call_output" => Some("custom_tool_call"),
        _ => None,
    }
}

/// Checks that every tool call in `input` has its output and every output its call.
pub(crate) fn pairs(input: &[Value]) -> Result<(), ApiError> {
    let mut calls: HashMap<(&str, &str), bool> = HashMap::new();
    let mut outputs: Vec<(&str, &str, &str)> = Vec::new();
    for item in input {
        let kind = item.get("type").and_then(Value::as_str).unwrap_or_default();
        let is_call = matches!(kind, "function_call" | "custom_tool_call");
        let output_of = call_of(kind);
        if !is_call && output_of.is_none() {
            continue;
        }
        let call_id = item
            .get("call_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if call_id.is_empty() {
            let message = format!("Missing required parameter: 'input[].call_id' for {kind}.");
            return Err(ApiError::invalid(
                &message,
                Some("input"),
                Some("missing_required_parameter"),
            ));
        }
        match output_of {
            Some(call_kind) => outputs.push((kind, call_kind, call_id)),
            None => {
                calls.insert((kind, call_id), false);
            }
        }
    }
    for (kind, call_kind, call_id) in outputs {
        match calls.get_mut(&(call_kind, call_id)) {
            Some(answered) => *answered = true,
            None => {
                let kind = kind.replace('_', " ");
                let message = format!("No tool call found for {kind} with call_id {call_id}.");
                return Err(ApiError::invalid(&message, Some("input"), None));
            }
        }
    }
    if let Some(((kind, call_id), _)) = calls.iter().find(|(_, answered)| !**answered) {
        let message = format!(
            "No tool output found for {} {call_id}.",
            kind.replace('_', " ")
        );
        return Err(ApiError::invalid(&message, Some("input"), None));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pairs_need_both_sides() {
        let call =
            json!({"type": "function_call", "call_id": "c1", "name": "x", "arguments": "{}"});
        let output = json!({"type": "function_call_output", "call_id": "c1", "output": "ok"});
        assert!(pairs(&[call.clone(), output.clone()]).is_ok());
        assert!(pairs(&[call]).is_err());
        assert!(pairs(&[output]).is_err());
    }

    #[test]
    fn fields_reject_store_and_sampling() {
        let ok = json!({"model": "m", "store": false, "input": []});
        assert!(fields(&ok).is_ok());
        let mut bad = ok;
        bad["temperature"] = json!(0.5);
        assert_eq!(fields(&bad).unwrap_err().status, 400);
        assert!(fields(&json!({"model": "m", "input": []})).is_err());
    }
}
