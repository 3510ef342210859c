//! Tools with typed arguments: the schema comes from the type (schemars), the
//! arguments are deserialized before the handler runs.

use std::future::Future;

use clanka_model::Tool;
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
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
    let mut schema = schema.to_value();
    // `uint32` and the like are no JSON-schema formats tools take.
    clanka_model::for_each_schema(&mut schema, &mut |object| {
        object.remove("format");
    });
    schema
}
