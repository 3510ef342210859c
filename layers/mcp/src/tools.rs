//! An MCP tool as a [`ToolService`]: its name for the model (`mcp__<server>__<tool>`,
//! shortened safely past the API's limit), its schema, approval, and its result as
//! the model's tool output.

use std::sync::Weak;

use clanka_model::Tool;
use clanka_tools::{ToolError, ToolOutput, ToolRequest, ToolService};
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, ResourceContents};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::server::Server;

/// The longest tool name the Responses API takes.
pub const MAX_TOOL_NAME: usize = 64;

/// `mcp__<server>__<tool>`, with characters the API refuses replaced by `_`; a name
/// over [`MAX_TOOL_NAME`] keeps its start and ends with a hash of the whole, so two
/// long names never collide.
///
/// ```
/// use clanka_mcp::tool_name;
///
/// assert_eq!(tool_name("everything", "get-sum"), "mcp__everything__get-sum");
/// assert_eq!(tool_name("my server", "a.b"), "mcp__my_server__a_b");
/// let long = tool_name("s", &"x".repeat(100));
/// assert_eq!(long.len(), 64);
/// assert_ne!(long, tool_name("s", &"x".repeat(101)));
/// ```
pub fn tool_name(server: &str, tool: &str) -> String {
    let clean = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let full = format!("mcp__{}__{}", clean(server), clean(tool));
    if full.len() <= MAX_TOOL_NAME {
        return full;
    }
    let digest = Sha256::digest(format!("{server}\0{tool}").as_bytes());
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("{}_{hash}", &full[..MAX_TOOL_NAME - hash.len() - 1])
}

/// The tool `tool` of `server`, as the agent offers it.
pub(crate) fn service(
    server: Weak<Server>,
    server_name: &str,
    tool: &rmcp::model::Tool,
) -> ToolService {
    let name = tool_name(server_name, &tool.name);
    let description = tool
        .description
        .as_deref()
        .or(tool.title.as_deref())
        .unwrap_or("A tool of an MCP server.")
        .to_owned();
    let definition = Tool::new(
        name.clone(),
        description,
        Value::Object((*tool.input_schema).clone()),
    );
    let remote = tool.name.to_string();
    let read_only = tool
        .annotations
        .as_ref()
        .and_then(|a| a.read_only_hint)
        .unwrap_or(false);
    ToolService::from_fn(definition, move |request: ToolRequest| {
        let (server, remote, name) = (server.clone(), remote.clone(), name.clone());
        async move {
            let arguments = arguments(&request.call.arguments)?;
            request
                .context
                .permit_tool(&name, &request.call.arguments, read_only)
                .await?;
            let Some(server) = server.upgrade() else {
                return Err(ToolError::failed("the MCP server was shut down"));
            };
            let result = server
                .call(&remote, arguments)
                .await
                .map_err(ToolError::Failed)?;
            let images = request.context.model().is_none_or(|m| m.images);
            Ok(output(&result, images))
        }
    })
    .with_describe(|call| crate::describe(&call.arguments))
}

/// The call's arguments as a JSON object (none for empty arguments).
fn arguments(text: &str) -> Result<Option<JsonObject>, ToolError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(Some(object)),
        Ok(Value::Null) => Ok(None),
        Ok(_) => Err(clanka_tools::invalid("the arguments must be a JSON object")),
        Err(error) => Err(clanka_tools::invalid(&format!(
            "the arguments are not JSON: {error}"
        ))),
    }
}

/// The model's view of a result: the text blocks, images as data URLs when the
/// model reads images (else a note), resources by their text or URI, and the
/// structured content when there is no text.
pub(crate) fn output(result: &CallToolResult, images: bool) -> ToolOutput {
    let mut text = Vec::new();
    let mut urls = Vec::new();
    for block in &result.content {
        match block {
            ContentBlock::Text(t) => text.push(t.text.clone()),
            ContentBlock::Image(image) if images => {
                urls.push(format!("data:{};base64,{}", image.mime_type, image.data));
            }
            ContentBlock::Image(image) => text.push(format!(
                "[an image ({}) this model cannot read]",
                image.mime_type
            )),
            ContentBlock::Audio(audio) => text.push(format!("[audio ({})]", audio.mime_type)),
            ContentBlock::Resource(embedded) => text.push(match &embedded.resource {
                ResourceContents::TextResourceContents { uri, text, .. } => {
                    format!("{uri}:\n{text}")
                }
                ResourceContents::BlobResourceContents { uri, .. } => {
                    format!("[binary resource {uri}]")
                }
                _ => "[a resource]".to_owned(),
            }),
            ContentBlock::ResourceLink(link) => text.push(format!("[resource {}]", link.uri)),
            _ => text.push("[content of a kind clanka does not show]".to_owned()),
        }
    }
    if text.is_empty()
        && let Some(structured) = &result.structured_content
    {
        text.push(structured.to_string());
    }
    let body = text.join("\n");
    let mut output = if result.is_error.unwrap_or(false) {
        ToolOutput::error(body)
    } else {
        ToolOutput::text(body)
    };
    for url in urls {
        output = output.with_image(url);
    }
    output
}
