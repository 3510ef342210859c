//! `read_file`: a text file with numbered lines, optionally a line range.

use std::fmt::Write as _;

use clanka_model::Tool;
use serde::Deserialize;
use serde_json::json;

use super::text::truncate_line;
use super::{ToolError, Workspace, invalid, parse_args, relative};

/// Most lines returned by one call.
pub(crate) const MAX_LINES: usize = 2_000;
/// Most bytes of numbered lines returned by one call.
pub(crate) const MAX_BYTES: usize = 256 * 1024;
/// Longest line shown in full.
const MAX_LINE_BYTES: usize = 2_000;

/// The arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    path: String,
    start_line: Option<usize>,
    end_line: Option<usize>,
}

/// The tool as the model sees it.
pub(crate) fn definition() -> Tool {
    Tool::new(
        "read_file",
        format!(
            "Reads a text file in the working directory. Each line is prefixed with its \
             1-based number and a tab (`  12\\tcode`); the numbers are not part of the file. \
             Returns at most {MAX_LINES} lines or {} KiB per call; longer lines are shortened. \
             Use `start_line`/`end_line` (1-based, inclusive) to read a part or the rest. \
             Refuses directories (use list_files) and binary files.",
            MAX_BYTES / 1024
        ),
        json!({
            "type": "object",
            "properties": {
                "path": {"type": "string", "description": "File path, relative to the working directory."},
                "start_line": {"type": "integer", "minimum": 1, "description": "First line to read (default 1)."},
                "end_line": {"type": "integer", "minimum": 1, "description": "Last line to read, inclusive (default: as many as fit)."}
            },
            "required": ["path"],
            "additionalProperties": false
        }),
    )
}

/// Reads the file and returns its numbered lines.
pub(crate) async fn run(workspace: &Workspace, arguments: &str) -> Result<String, ToolError> {
    let args: Args = parse_args(arguments)?;
    let path = workspace.resolve(&args.path)?;
    let shown = relative(workspace, &path);
    let metadata = tokio::fs::metadata(&path)
        .await
        .map_err(|e| ToolError::io(workspace, &path, &e))?;
    if metadata.is_dir() {
        return Err(ToolError::IsDirectory(shown));
    }
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| ToolError::io(workspace, &path, &e))?;
    if bytes.contains(&0) {
        return Err(ToolError::Binary(shown));
    }
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    number_lines(&shown, &lines, args.start_line, args.end_line)
}

/// Formats `lines[start-1..=end]` with numbers, capped at [`MAX_LINES`]/[`MAX_BYTES`].
fn number_lines(
    shown: &str,
    lines: &[&str],
    start_line: Option<usize>,
    end_line: Option<usize>,
) -> Result<String, ToolError> {
    let total = lines.len();
    let start = start_line.unwrap_or(1);
    if start == 0 {
        return Err(invalid("field `start_line`: lines are numbered from 1"));
    }
    if let Some(end) = end_line
        && end < start
    {
        return Err(invalid(&format!(
            "field `end_line`: {end} is before start_line {start}"
        )));
    }
    if total == 0 {
        return Ok(format!("(`{shown}` is empty)"));
    }
    if start > total {
        return Err(invalid(&format!(
            "field `start_line`: {start} is past the end of `{shown}`, which has {total} lines"
        )));
    }
    let wanted_end = end_line.unwrap_or(total).min(total);
    let end = wanted_end.min(start + MAX_LINES - 1);
    let width = end.to_string().len().max(5);
    let mut out = String::new();
    let mut last = start - 1;
    for (index, line) in lines.iter().enumerate().take(end).skip(start - 1) {
        let numbered = format!(
            "{:>width$}\t{}\n",
            index + 1,
            truncate_line(line, MAX_LINE_BYTES)
        );
        if last >= start && out.len() + numbered.len() > MAX_BYTES {
            break;
        }
        out.push_str(&numbered);
        last = index + 1;
    }
    if last < wanted_end {
        let _ = write!(
            out,
            "[... showing lines {start}-{last} of {total}; use start_line={} to read more]",
            last + 1
        );
    }
    Ok(out)
}
