//! Request validation mirroring the real backend's 400s.

use std::collections::HashMap;

use serde_json::Value;

use super::common::ApiError;

/// Parameters the backend refuses.
const UNSUPPORTED: [&str; 3] = ["max_output_tokens", "temperature", "top_p"];

/// Input item types the mock accepts: the Responses API's, plus what the official Codex
/// client sends (`additional_tools`, the compaction items and the `compaction_trigger`).
const ITEM_TYPES: [&str; 26] = [
    "message",
    "reasoning",
    "function_call",
    "function_call_output",
    "custom_tool_call",
    "custom_tool_call_output",
    "local_shell_call",
    "local_shell_call_output",
    "web_search_call",
    "file_search_call",
    "computer_call",
    "computer_call_output",
    "image_generation_call",
    "code_interpreter_call",
    "mcp_call",
    "mcp_list_tools",
    "mcp_approval_request",
    "mcp_approval_response",
    "item_reference",
    "tool_search_call",
    "tool_search_output",
    "additional_tools",
    "compaction",
    "compaction_summary",
    "context_compaction",
    "compaction_trigger",
];

/// Message roles the backend accepts.
const ROLES: [&str; 4] = ["user", "assistant", "system", "developer"];

/// Items that replace the history before them (remote compaction).
fn is_compaction(item: &Value) -> bool {
    matches!(
        item.get("type").and_then(Value::as_str),
        Some("compaction" | "compaction_summary")
    )
}

/// Index of the last compaction item: the history the backend reads starts there.
pub(crate) fn history_start(input: &[Value]) -> usize {
    input.iter().rposition(is_compaction).unwrap_or(0)
}

/// Checks the top-level fields of a responses request.
pub(crate) fn fields(body: &Value) -> Result<(), ApiError> {
    if !body.is_object() {
        return Err(ApiError::invalid(
            "The request body must be a JSON object.",
            None,
            None,
        ));
    }
    require_model(body)?;
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
    input_list(body)?;
    super::format::check(body)
}

/// Refuses a body without a `model` string.
pub(crate) fn require_model(body: &Value) -> Result<(), ApiError> {
    if body.get("model").is_some_and(Value::is_string) {
        return Ok(());
    }
    Err(ApiError::invalid(
        "Missing required parameter: 'model'.",
        Some("model"),
        Some("missing_required_parameter"),
    ))
}

/// The body's `input` list, refused when it is not one.
pub(crate) fn input_list(body: &Value) -> Result<&[Value], ApiError> {
    match body.get("input") {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(ApiError::invalid(
            "Invalid type for 'input': expected an array of items.",
            Some("input"),
            Some("invalid_type"),
        )),
    }
}

/// Checks the items of a (full) input, then that its tool calls and outputs pair up.
pub(crate) fn input(input: &[Value]) -> Result<(), ApiError> {
    items(input)?;
    pairs(input)
}

fn invalid_value(value: &str, allowed: &[&str], param: &str) -> ApiError {
    let allowed: Vec<String> = allowed.iter().map(|v| format!("'{v}'")).collect();
    let message = format!(
        "Invalid value: '{value}'. Supported values are: {}.",
        allowed.join(", ")
    );
    ApiError::invalid(&message, Some(param), Some("invalid_value"))
}

/// Checks each item's type (and a message's role, a compaction's content); the
/// `compaction_trigger` may only come last.
fn items(input: &[Value]) -> Result<(), ApiError> {
    for (index, item) in input.iter().enumerate() {
        let param = |field: &str| format!("input[{index}].{field}");
        let kind = match item.get("type").and_then(Value::as_str) {
            Some(kind) => kind,
            None if item.get("role").is_some() => "message",
            None => {
                let message = format!("Missing required parameter: '{}'.", param("type"));
                let name = param("type");
                return Err(ApiError::invalid(
                    &message,
                    Some(&name),
                    Some("missing_required_parameter"),
                ));
            }
        };
        if !ITEM_TYPES.contains(&kind) {
            return Err(invalid_value(kind, &ITEM_TYPES, &param("type")));
        }
        if kind == "message" {
            let role = item.get("role").and_then(Value::as_str).unwrap_or_default();
            if !ROLES.contains(&role) {
                return Err(invalid_value(role, &ROLES, &param("role")));
            }
        }
        if kind == "compaction_trigger" && index + 1 != input.len() {
            let message = "A compaction_trigger item must be the last input item.";
            return Err(ApiError::invalid(message, Some(&param("type")), None));
        }
        let content = item.get("encrypted_content").and_then(Value::as_str);
        if is_compaction(item) && content.is_none_or(str::is_empty) {
            let name = param("encrypted_content");
            let message = format!("Missing required parameter: '{name}'.");
            let code = Some("missing_required_parameter");
            return Err(ApiError::invalid(&message, Some(&name), code));
        }
    }
    Ok(())
}

/// The call kind an output kind answers.
fn call_of(output: &str) -> Option<&'static str> {
    match output {
        "function_call_output" => Some("function_call"),
        "custom_tool_call_output" => Some("custom_tool_call"),
        _ => None,
    }
}

/// Checks that every tool call in `input` has its output and every output its call. Calls
/// before the last compaction item were absorbed by it and need no output.
fn pairs(input: &[Value]) -> Result<(), ApiError> {
    let start = history_start(input);
    // (kind, call_id) -> (position, answered)
    let mut calls: HashMap<(&str, &str), (usize, bool)> = HashMap::new();
    let mut outputs: Vec<(&str, &str, &str)> = Vec::new();
    for (position, item) in input.iter().enumerate() {
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
                calls.insert((kind, call_id), (position, false));
            }
        }
    }
    for (kind, call_kind, call_id) in outputs {
        match calls.get_mut(&(call_kind, call_id)) {
            Some((_, answered)) => *answered = true,
            None => {
                let kind = kind.replace('_', " ");
                let message = format!("No tool call found for {kind} with call_id {call_id}.");
                return Err(ApiError::invalid(&message, Some("input"), None));
            }
        }
    }
    let open = calls
        .iter()
        .find(|(_, (position, answered))| !answered && *position >= start);
    if let Some(((kind, call_id), _)) = open {
        let kind = kind.replace('_', " ");
        let message = format!("No tool output found for {kind} {call_id}.");
        return Err(ApiError::invalid(&message, Some("input"), None));
    }
    Ok(())
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
