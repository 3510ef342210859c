//! `list_files`: the files under a directory, `.gitignore`-aware, optionally globbed.

use clanka_model::Tool;
use serde::Deserialize;
use serde_json::json;

use super::walk::{self, Glob};
use super::{ToolError, Workspace, blocking, parse_args};

/// Files listed when no `limit` is given.
pub(crate) const DEFAULT_LIMIT: usize = 500;
/// Largest accepted `limit`.
pub(crate) const MAX_LIMIT: usize = 5_000;

/// The arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    path: Option<String>,
    pattern: Option<String>,
    limit: Option<usize>,
}

/// The tool as the model sees it.
pub(crate) fn definition() -> Tool {
    Tool::new(
        "list_files",
        format!(
            "Lists the files under a directory of the working directory, recursively, as \
             sorted paths relative to the working directory. Files matched by .gitignore \
             or .ignore, hidden files and `.git` are skipped. `pattern` filters with a glob: \
             without `/` it matches file names at any depth (`*.rs`), with `/` it matches the \
             path from the working directory (`src/**/*.rs`; `*` stays within one directory). \
             Lists at most `limit` files (default {DEFAULT_LIMIT}, max {MAX_LIMIT})."
        ),
        json!({
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "Directory to list (default: the working directory)."},
                "pattern": {"type": "string", "description": "Glob the files must match, e.g. `**/*.rs`."},
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "description": "Most paths to return."}
            },
            "required": [],
            "additionalProperties": false
        }),
    )
}

/// Lists the files, one relative path per line.
pub(crate) async fn run(workspace: &Workspace, arguments: &str) -> Result<String, ToolError> {
    let args: Args = parse_args(arguments)?;
    let start = walk::start(workspace, args.path.as_deref())?;
    let glob = args
        .pattern
        .as_deref()
        .map(|p| Glob::new(p, "pattern"))
        .transpose()?;
    let limit = args.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let workspace = workspace.clone();
    blocking(move |cancelled| {
        // Only `limit` paths are kept; the rest are counted.
        let mut paths = Vec::new();
        let mut left_out = 0usize;
        for (_, shown) in walk::files(&workspace, &start, glob.as_ref()) {
            if cancelled.is_set() {
                break;
            }
            if paths.len() < limit {
                paths.push(shown);
            } else {
                left_out += 1;
            }
        }
        Ok(format_list(&paths, left_out, args.pattern.as_deref()))
    })
    .await
}

/// The paths, one per line, with a note about the `left_out` ones.
fn format_list(paths: &[String], left_out: usize, pattern: Option<&str>) -> String {
    if paths.is_empty() {
        return match pattern {
            Some(pattern) => format!("No files match `{pattern}`."),
            None => "No files.".to_owned(),
        };
    }
    let mut out = paths.join("\n");
    if left_out > 0 {
        out.push_str(&format!(
            "\n[... {left_out} more files not listed; narrow `path` or `pattern`, or raise `limit`]"
        ));
    }
    out
}
