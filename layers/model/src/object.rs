//! Structured output: a typed object from a model, its JSON schema made strict.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::{AiError, LanguageModel, Prompt};

/// Longest stretch of a reply quoted in an [`ObjectError::Invalid`].
const EXCERPT_CHARS: usize = 80;

/// Why [`LanguageModel::generate_object`] returned no object.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ObjectError {
    /// The request failed.
    #[error(transparent)]
    Model(#[from] AiError),
    /// The reply does not parse as the type.
    #[error(
        "the reply is not a valid {type_name}: {message}, at line {line} column {column}: `{excerpt}`"
    )]
    Invalid {
        /// The type asked for.
        type_name: String,
        /// What is wrong.
        message: String,
        /// Where (1-based; 0 when the reply ended early).
        line: usize,
        /// Where (1-based).
        column: usize,
        /// The part of the reply around that place.
        excerpt: String,
        /// The whole reply.
        reply: String,
    },
}

impl LanguageModel {
    /// Asks for a `T` as JSON (the schema of `T`, made strict, sent as the response
    /// format) and parses the reply.
    ///
    /// # Example
    ///
    /// ```
    /// use clanka_model::{FinishReason, LanguageModel, PartStream, Prompt, StreamPart};
    /// use schemars::JsonSchema;
    /// use serde::Deserialize;
    ///
    /// #[derive(Debug, Deserialize, JsonSchema, PartialEq)]
    /// struct Verdict {
    ///     ok: bool,
    ///     reason: String,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), clanka_model::ObjectError> {
    /// let model = LanguageModel::new(tower::service_fn(|prompt: Prompt| async move {
    ///     assert_eq!(prompt.response_format.unwrap().name, "Verdict");
    ///     Ok(PartStream::from_parts([
    ///         Ok(StreamPart::TextDelta { id: "msg_1".into(), delta: r#"{"ok":true,"reason":"fine"}"#.into() }),
    ///         Ok(StreamPart::Finish { reason: FinishReason::Stop, response_id: None }),
    ///     ]))
    /// }));
    /// let verdict: Verdict = model.generate_object(Prompt::new().user("judge")).await?;
    /// assert_eq!(verdict, Verdict { ok: true, reason: "fine".into() });
    /// # Ok(())
    /// # }
    /// ```
    pub async fn generate_object<T: JsonSchema + DeserializeOwned>(
        &self,
        prompt: Prompt,
    ) -> Result<T, ObjectError> {
        let name = schema_name(&T::schema_name());
        let response = self
            .generate(prompt.output_schema(name, strict_schema::<T>()))
            .await?;
        parse_object(&response.text())
    }
}

/// The JSON schema of `T` in the form strict structured output takes: every object
/// closed (`additionalProperties: false`) with every property required (an
/// `Option` field is required and nullable), without the keywords strict mode
/// refuses (`$schema`, `default`, number formats).
pub fn strict_schema<T: JsonSchema>() -> Value {
    let mut schema = schemars::schema_for!(T).to_value();
    if let Value::Object(root) = &mut schema {
        root.remove("$schema");
    }
    for_each_schema(&mut schema, &mut |object| {
        object.remove("default");
        let numeric =
            matches!(object.get("type"), Some(Value::String(t)) if t == "integer" || t == "number");
        if numeric {
            object.remove("format");
        }
        if let Some(Value::Object(properties)) = object.get("properties") {
            let required: Vec<Value> = properties.keys().cloned().map(Value::String).collect();
            object.insert("required".into(), Value::Array(required));
            object.insert("additionalProperties".into(), Value::Bool(false));
        }
    });
    schema
}

/// Calls `visit` on `schema` and on every subschema in it, parents first. A map of
/// named schemas (`properties`, `$defs`) is walked into, never visited as a schema,
/// and a keyword's value (`enum`, `default`) is left alone: a property called
/// `default` or `format` stays a property.
pub fn for_each_schema(schema: &mut Value, visit: &mut impl FnMut(&mut Map<String, Value>)) {
    let Value::Object(object) = schema else {
        return;
    };
    visit(object);
    for (keyword, child) in object.iter_mut() {
        match keyword.as_str() {
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                if let Value::Object(named) = child {
                    named.values_mut().for_each(|s| for_each_schema(s, visit));
                }
            }
            "items"
            | "prefixItems"
            | "anyOf"
            | "oneOf"
            | "allOf"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "additionalProperties"
            | "propertyNames" => match child {
                Value::Array(list) => list.iter_mut().for_each(|s| for_each_schema(s, visit)),
                other => for_each_schema(other, visit),
            },
            _ => {}
        }
    }
}

/// A schema name as providers accept it: letters, digits, `_` and `-`, at most 64.
fn schema_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if cleaned.is_empty() {
        "object".to_owned()
    } else {
        cleaned
    }
}

/// Parses `reply` as a `T`; the error quotes the part of the reply that is wrong.
pub fn parse_object<T: DeserializeOwned>(reply: &str) -> Result<T, ObjectError> {
    serde_json::from_str(reply.trim()).map_err(|error| {
        let trimmed = reply.trim();
        let line = error.line();
        let column = error.column();
        let text = trimmed
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or(trimmed);
        let chars: Vec<char> = text.chars().collect();
        let at = column.saturating_sub(1).min(chars.len());
        let start = at.saturating_sub(EXCERPT_CHARS / 2);
        let end = (start + EXCERPT_CHARS).min(chars.len());
        ObjectError::Invalid {
            type_name: std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or("object")
                .to_owned(),
            message: without_position(&error.to_string()),
            line,
            column,
            excerpt: chars[start..end].iter().collect(),
            reply: reply.to_owned(),
        }
    })
}

/// serde_json's message without its " at line L column C" suffix (said separately).
fn without_position(message: &str) -> String {
    message
        .rsplit_once(" at line ")
        .map_or(message, |(head, _)| head)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
        note: Option<String>,
    }

    #[derive(Debug, Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Inner,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[derive(Debug, Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Keywords {
        default: bool,
        properties: String,
        format: u8,
    }

    #[test]
    fn properties_named_like_keywords_stay_properties() {
        let schema = strict_schema::<Keywords>();
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(
            properties.keys().collect::<Vec<_>>(),
            ["default", "format", "properties"]
        );
        assert_eq!(
            schema["required"],
            json!(["default", "format", "properties"])
        );
        assert_eq!(properties["format"]["type"], "integer");
        assert!(properties["format"].get("format").is_none(), "{schema}");
        assert_strict(&schema);
    }

    /// Every object schema in `value` is closed and requires all its properties.
    fn assert_strict(value: &Value) {
        for_each_schema(&mut value.clone(), &mut |object| {
            if let Some(Value::Object(properties)) = object.get("properties") {
                assert_eq!(object["additionalProperties"], json!(false), "{object:?}");
                let required = object["required"].as_array().unwrap();
                assert_eq!(required.len(), properties.len(), "{object:?}");
            }
        });
    }

    #[test]
    fn the_schema_is_strict_everywhere() {
        let schema = strict_schema::<Outer>();
        assert_strict(&schema);
        assert!(schema.get("$schema").is_none());
        assert_eq!(schema["required"], json!(["inner", "name", "tags"]));
        let text = schema.to_string();
        assert!(!text.contains("\"format\""), "{text}");
        assert!(!text.contains("\"default\""), "{text}");
    }

    #[test]
    fn an_invalid_reply_is_quoted_where_it_breaks() {
        let Err(ObjectError::Invalid {
            type_name,
            excerpt,
            line,
            ..
        }) = parse_object::<Inner>(r#"{"count": "three", "note": null}"#)
        else {
            panic!("expected an error");
        };
        assert_eq!(type_name, "Inner");
        assert_eq!(line, 1);
        assert!(excerpt.contains("three"), "{excerpt}");
    }
}
