//! `view_image`: shows the model an image file of the workspace, for models whose
//! catalogue entry says they read images.

use std::io::Read as _;

use base64::Engine as _;
use clanka_model::Tool;
use serde::Deserialize;
use serde_json::json;

use crate::fs::open_regular;
use crate::{ToolError, ToolOutput, ToolRequest, ToolService, parse_args};

/// The largest image sent (the backend's own limit for an input image).
pub(crate) const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    path: String,
}

/// `view_image`.
pub(crate) fn view_image() -> ToolService {
    let definition = Tool::new(
        "view_image",
        "View a local image from the filesystem (only use if given a full filepath by the user, and the image isn't already attached to the thread context within <image ...> tags).",
        json!({
            "type": "object",
            "properties": {"path": {"type": "string", "description": "Local filesystem path to an image file"}},
            "required": ["path"],
            "additionalProperties": false
        }),
    );
    let spec = definition.clone();
    ToolService::from_fn(definition, |request: ToolRequest| async move {
        let args: Args = parse_args(&request.call.arguments)?;
        let workspace = request.context.workspace().clone();
        let url = crate::tool::blocking(move |_| {
            let path = workspace.resolve(&args.path)?;
            let (file, size) = open_regular(&workspace, &path)?;
            if size > MAX_IMAGE_BYTES {
                return Err(ToolError::TooLarge {
                    path: crate::tool::relative(&workspace, &path),
                    size,
                    limit: MAX_IMAGE_BYTES,
                });
            }
            let mut bytes = Vec::new();
            // A file that grew since it was measured is still read only so far.
            file.take(MAX_IMAGE_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| ToolError::io(&workspace, &path, &e))?;
            let Some(mime) = mime_of(&bytes) else {
                return Err(ToolError::failed(format!(
                    "`{}` is not a PNG, JPEG, GIF or WebP image",
                    crate::tool::relative(&workspace, &path)
                )));
            };
            let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
            Ok(format!("data:{mime};base64,{data}"))
        })
        .await?;
        Ok(ToolOutput::text(String::new()).with_image(url))
    })
    .with_spec(move |model| model.is_none_or(|m| m.images).then(|| spec.clone()))
}

/// The image type of `bytes`, from their first bytes.
fn mime_of(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}
