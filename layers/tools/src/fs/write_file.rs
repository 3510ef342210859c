//! `write_file`: creates or replaces a whole file, atomically.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use clanka_model::Tool;
use serde::Deserialize;
use serde_json::json;

use super::{ToolError, parse_args, relative};
use crate::ToolContext;

/// The arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    path: String,
    content: String,
}

/// Makes temporary file names unique within the process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The tool as the model sees it.
pub(crate) fn definition() -> Tool {
    Tool::new(
        "write_file",
        "Writes `content` to a file in the working directory, replacing the whole file if \
         it exists (its permissions are kept) and creating missing parent directories. \
         The write is atomic: readers see the old or the new file, never a mix. To change \
         part of an existing file, prefer an edit tool over rewriting it.",
        json!({
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "File path, relative to the working directory."},
                "content": {"type": "string", "description": "The complete new content of the file."}
            },
            "required": ["path", "content"],
            "additionalProperties": false
        }),
    )
}

/// Writes the file, when the approval policy lets it, and reports how many lines were
/// written where.
pub(crate) async fn run(context: &ToolContext, arguments: &str) -> Result<String, ToolError> {
    let workspace = context.workspace();
    let args: Args = parse_args(arguments)?;
    let requested = workspace.resolve(&args.path)?;
    let shown = relative(workspace, &requested);
    context
        .permit_write("write_file", vec![shown.clone()])
        .await?;
    // Write through an in-workspace symbolic link to its target (resolve checked it).
    let target = match tokio::fs::canonicalize(&requested).await {
        Ok(real) => workspace.resolve(&real.to_string_lossy())?,
        Err(_) => requested,
    };
    let existing = tokio::fs::metadata(&target).await.ok();
    if existing.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(ToolError::IsDirectory(shown));
    }
    let Some(dir) = target.parent() else {
        return Err(ToolError::IsDirectory(shown));
    };
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| ToolError::io(workspace, dir, &e))?;
    let temp = temp_path(dir, &target);
    let written = write_then_rename(&temp, &target, &args.content, existing).await;
    if written.is_err() {
        let _ = tokio::fs::remove_file(&temp).await;
    }
    written.map_err(|e| ToolError::io(workspace, &target, &e))?;
    let lines = args.content.lines().count();
    let unit = if lines == 1 { "line" } else { "lines" };
    Ok(format!("Wrote {lines} {unit} to {shown}"))
}

/// A hidden, unique temporary path next to `target`.
fn temp_path(dir: &Path, target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let count = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}.{}.{count}.tmp", std::process::id()))
}

/// Writes `content` to `temp`, copies the old permissions, then renames over `target`.
async fn write_then_rename(
    temp: &Path,
    target: &Path,
    content: &str,
    existing: Option<std::fs::Metadata>,
) -> std::io::Result<()> {
    tokio::fs::write(temp, content).await?;
    if let Some(metadata) = existing {
        tokio::fs::set_permissions(temp, metadata.permissions()).await?;
    }
    tokio::fs::rename(temp, target).await
}
