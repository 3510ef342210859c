//! `text.format` (structured output) checked as the backend does: the format type,
//! the schema's name, and for `strict: true` a closed schema with every property
//! required.

use serde_json::{Map, Value};

use super::common::ApiError;

/// Checks `body.text.format` when present.
pub(crate) fn check(body: &Value) -> Result<(), ApiError> {
    let Some(format) = body.pointer("/text/format") else {
        return Ok(());
    };
    let kind = format.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "text" | "json_object" => Ok(()),
        "json_schema" => json_schema(format),
        other => Err(ApiError::invalid(
            &format!(
                "Invalid value: '{other}'. Supported values are: 'text', 'json_object', and 'json_schema'."
            ),
            Some("text.format.type"),
            Some("invalid_value"),
        )),
    }
}

fn json_schema(format: &Value) -> Result<(), ApiError> {
    let name = format.get("name").and_then(Value::as_str);
    let Some(name) = name else {
        return Err(ApiError::invalid(
            "Missing required parameter: 'text.format.name'.",
            Some("text.format.name"),
            Some("missing_required_parameter"),
        ));
    };
    let valid_name = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid_name {
        return Err(ApiError::invalid(
            &format!(
                "Invalid 'text.format.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$' of at most 64 characters, got '{name}'."
            ),
            Some("text.format.name"),
            Some("invalid_value"),
        ));
    }
    let Some(schema) = format.get("schema").filter(|s| s.is_object()) else {
        return Err(ApiError::invalid(
            "Missing required parameter: 'text.format.schema'.",
            Some("text.format.schema"),
            Some("missing_required_parameter"),
        ));
    };
    if format.get("strict") == Some(&Value::Bool(true))
        && let Err(problem) = strict_at(schema, "")
    {
        return Err(ApiError::invalid(
            &format!("Invalid schema for response_format '{name}': {problem}."),
            Some("text.format.schema"),
            Some("invalid_json_schema"),
        ));
    }
    Ok(())
}

/// Whether every object schema under `value` is closed and requires all its
/// properties; `Err` names the first place that is not.
fn strict_at(value: &Value, path: &str) -> Result<(), String> {
    let Value::Object(object) = value else {
        return Ok(());
    };
    if object.get("type") == Some(&Value::String("object".into()))
        || object.contains_key("properties")
    {
        strict_object(object, path)?;
    }
    for (key, child) in object {
        match child {
            Value::Object(_) => strict_at(child, &format!("{path}/{key}"))?,
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    strict_at(item, &format!("{path}/{key}/{index}"))?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn strict_object(object: &Map<String, Value>, path: &str) -> Result<(), String> {
    let at = if path.is_empty() { "()" } else { path };
    if object.get("additionalProperties") != Some(&Value::Bool(false)) {
        return Err(format!(
            "In context={at}, 'additionalProperties' is required to be supplied and to be false"
        ));
    }
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let properties = object.get("properties").and_then(Value::as_object);
    match properties
        .into_iter()
        .flat_map(Map::keys)
        .find(|key| !required.contains(&key.as_str()))
    {
        Some(missing) => Err(format!(
            "In context={at}, 'required' is required to be supplied and to be an array including every key in properties. Missing '{missing}'"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(format: &Value) -> Value {
        json!({"text": {"format": format}})
    }

    #[test]
    fn well_formed_formats_pass() {
        assert!(check(&json!({})).is_ok());
        assert!(check(&body(&json!({"type": "text"}))).is_ok());
        let strict = json!({"type": "json_schema", "name": "answer", "strict": true, "schema": {
            "type": "object", "additionalProperties": false, "required": ["a"],
            "properties": {"a": {"type": "object", "additionalProperties": false,
                "required": ["b"], "properties": {"b": {"type": ["string", "null"]}}}}}});
        assert!(check(&body(&strict)).is_ok());
        let loose = json!({"type": "json_schema", "name": "answer", "schema": {"type": "object"}});
        assert!(check(&body(&loose)).is_ok(), "not strict: anything goes");
    }

    #[test]
    fn malformed_formats_are_refused_with_the_backends_words() {
        let message = |format: Value| check(&body(&format)).unwrap_err().body.to_string();
        assert!(message(json!({"type": "xml"})).contains("Supported values"));
        assert!(message(json!({"type": "json_schema", "schema": {}})).contains("text.format.name"));
        assert!(
            message(json!({"type": "json_schema", "name": "a b", "schema": {}}))
                .contains("pattern")
        );
        assert!(
            message(json!({"type": "json_schema", "name": "a"})).contains("text.format.schema")
        );
        let open = json!({"type": "json_schema", "name": "a", "strict": true,
            "schema": {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]}});
        assert!(message(open).contains("context=()"));
        let partial = json!({"type": "json_schema", "name": "a", "strict": true,
            "schema": {"type": "object", "additionalProperties": false, "required": [],
                "properties": {"x": {"type": "string"}}}});
        assert!(message(partial).contains("Missing 'x'"));
    }
}
