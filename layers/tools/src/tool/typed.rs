//! Tools with typed arguments: the schema comes from the type (schemars), the
//! arguments are deserialized before the handler runs.

use std::future::Future;

use clanka_model::Tool;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{ToolContext, ToolError, ToolOutput, ToolRequest, ToolService, parse_args};

impl ToolService {
    /// A tool whose arguments are an `Args` (deserialized from the model's JSON, its
    /// schema generated from the type with schemars; doc comments become
    /// descriptions), run by `handler`.
    pub fn typed<Args, O, F, Fut>(
        name: impl Into<String>,
        description: impl Into<String>,
        handler: F,
    ) -> Self
    where
        Args: DeserializeOwned + JsonSchema + Send + 'static,
        O: Into<ToolOutput>,
        F: Fn(Args, ToolContext) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<O, ToolError>> + Send + 'static,
    {
        let definition = Tool::new(name, description, schema_of::<Args>());
        Self::from_fn(definition, move |request: ToolRequest| {
            let handler = handler.clone();
            async move {
                let args: Args = parse_args(&request.call.arguments)?;
                handler(args, request.context).await.map(Into::into)
            }
        })
    }
}

/// The JSON schema of `T` as function tools take it: an object schema, subschemas
/// inlined, no `$schema` or `title`, integer formats removed.
pub fn schema_of<T: JsonSchema>() -> Value {
    let settings = SchemaSettings::draft2020_12().with(|settings| {
        settings.inline_subschemas = true;
        settings.meta_schema = None;
    });
    let mut schema = settings.into_generator().into_root_schema_for::<T>();
    schema.remove("title");
    strip_formats(&mut schema);
    schema.to_value()
}

/// Removes `format` (`uint32` and the like are no JSON-schema formats tools take).
fn strip_formats(schema: &mut Schema) {
    if let Some(object) = schema.as_object_mut() {
        strip(object);
    }
}

fn strip(object: &mut serde_json::Map<String, Value>) {
    // A keyword `format` is a string; an argument called `format` is a schema object.
    if object.get("format").is_some_and(Value::is_string) {
        object.remove("format");
    }
    for value in object.values_mut() {
        match value {
            Value::Object(inner) => strip(inner),
            Value::Array(items) => items
                .iter_mut()
                .filter_map(Value::as_object_mut)
                .for_each(strip),
            _ => {}
        }
    }
}
