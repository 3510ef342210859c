//! Tools the model may call, how it must choose among them, and structured output.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A function tool: a name, what it does, and a JSON schema for its arguments.
///
/// # Example
///
/// ```
/// use clanka_model::Tool;
/// use serde_json::json;
///
/// let shell = Tool::new(
///     "shell",
///     "Runs a shell command and returns its output.",
///     json!({
///         "type": "object",
///         "properties": {"command": {"type": "string"}},
///         "required": ["command"],
///     }),
/// );
/// assert!(!shell.strict);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    /// Name the model uses to call the tool.
    pub name: String,
    /// What the tool does and when to use it, for the model.
    pub description: String,
    /// JSON schema of the arguments object (ignored for a freeform tool).
    pub parameters: Value,
    /// Whether the provider must enforce the schema exactly (strict structured outputs).
    #[serde(default)]
    pub strict: bool,
    /// A freeform (custom) tool: the model writes raw text following this grammar
    /// instead of JSON arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grammar: Option<Grammar>,
}

/// The grammar of a freeform tool's input, as the provider takes it (e.g. Lark).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grammar {
    /// The grammar's language, e.g. `lark`.
    pub syntax: String,
    /// The grammar itself.
    pub definition: String,
}

impl Tool {
    /// A non-strict function tool.
    pub fn new(name: impl Into<String>, description: impl Into<String>, parameters: Value) -> Self {
        Self {
            name: name.into(),
            description: description.into(),
            parameters,
            strict: false,
            grammar: None,
        }
    }

    /// A freeform tool whose input follows `grammar` (called with
    /// [`ToolCallKind::Freeform`](crate::ToolCallKind::Freeform)).
    pub fn freeform(
        name: impl Into<String>,
        description: impl Into<String>,
        grammar: Grammar,
    ) -> Self {
        Self {
            grammar: Some(grammar),
            ..Self::new(name, description, Value::Null)
        }
    }

    /// Sets [`strict`](Self::strict).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }
}

/// Whether and which tool the model must call.
///
/// Serialized as `"auto"`, `"none"`, `"required"` or `{"tool": "<name>"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolChoice {
    /// The model decides (the default).
    #[default]
    Auto,
    /// The model must not call tools.
    None,
    /// The model must call at least one tool.
    Required,
    /// The model must call the named tool.
    Tool(String),
}

/// Asks for a final answer that is JSON matching `schema`.
///
/// # Example
///
/// ```
/// use clanka_model::ResponseFormat;
/// use serde_json::json;
///
/// let format = ResponseFormat::json_schema("verdict", json!({"type": "object"}));
/// assert!(format.strict);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseFormat {
    /// Name of the schema, as some providers require one.
    pub name: String,
    /// JSON schema the answer must match.
    pub schema: Value,
    /// Whether the provider must enforce the schema exactly.
    #[serde(default)]
    pub strict: bool,
}

impl ResponseFormat {
    /// A strict JSON-schema response format.
    pub fn json_schema(name: impl Into<String>, schema: Value) -> Self {
        Self {
            name: name.into(),
            schema,
            strict: true,
        }
    }

    /// Sets [`strict`](Self::strict).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }
}
