//! `grep`: regex search through the files of the working directory.

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader};

use clanka_model::Tool;
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use serde_json::json;

use super::walk::{self, Glob};
use super::{
    MAX_OUTPUT_BYTES, ToolError, Workspace, blocking, cap_text, invalid, parse_args, truncate_line,
};

/// Matches shown when no `limit` is given.
pub(crate) const DEFAULT_LIMIT: usize = 100;
/// Largest accepted `limit`.
pub(crate) const MAX_LIMIT: usize = 1_000;
/// Longest matching line shown in full.
const MAX_LINE_BYTES: usize = 300;
/// Files larger than this are not searched (they are read a line at a time, so this
/// bounds time, not memory).
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    pattern: String,
    path: Option<String>,
    glob: Option<String>,
    #[serde(default)]
    case_insensitive: bool,
    limit: Option<usize>,
}

/// The tool as the model sees it.
pub(crate) fn definition() -> Tool {
    Tool::new(
        "grep",
        format!(
            "Searches file contents for a regular expression (Rust `regex` syntax, no \
             look-around or backreferences) and returns matching lines as `path:line: text`, \
             paths relative to the working directory. Searches the files list_files would \
             list (skipping .gitignore'd, hidden and binary files). `glob` filters files like \
             list_files' `pattern`. Returns at most `limit` matches (default {DEFAULT_LIMIT}, \
             max {MAX_LIMIT}); long lines are shortened."
        ),
        json!({
            "type": "object",
            "properties": {
                "pattern": {"type": "string", "description": "Regular expression to search for."},
                "path": {"type": "string", "description": "File or directory to search (default: the working directory)."},
                "glob": {"type": "string", "description": "Only search files matching this glob, e.g. `*.rs`."},
                "case_insensitive": {"type": "boolean", "description": "Ignore case (default false)."},
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "description": "Most matches to return."}
            },
            "required": ["pattern"],
            "additionalProperties": false
        }),
    )
}

/// Searches and returns the matching lines.
pub(crate) async fn run(workspace: &Workspace, arguments: &str) -> Result<String, ToolError> {
    let args: Args = parse_args(arguments)?;
    let regex = RegexBuilder::new(&args.pattern)
        .case_insensitive(args.case_insensitive)
        .build()
        .map_err(|e| invalid(&format!("field `pattern` is not a valid regex: {e}")))?;
    let start = walk::start(workspace, args.path.as_deref())?;
    let glob = args
        .glob
        .as_deref()
        .map(|g| Glob::new(g, "glob"))
        .transpose()?;
    let limit = args.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let workspace = workspace.clone();
    blocking(move |cancelled| {
        let mut out = String::new();
        let mut found = 0;
        for (path, shown) in walk::files(&workspace, &start, glob.as_ref()) {
            if cancelled.is_set() {
                break;
            }
            // Every file read goes through the workspace too.
            let Ok(path) = workspace.resolve(&path.to_string_lossy()) else {
                continue;
            };
            let room = limit.saturating_sub(found);
            found += search_file(&workspace, &regex, &path, &shown, room, &mut out);
        }
        Ok(format_result(&out, found, limit, &args.pattern))
    })
    .await
}

/// Appends up to `room` matches of `file` to `out`; returns all matches in it.
fn search_file(
    workspace: &Workspace,
    regex: &Regex,
    path: &std::path::Path,
    shown: &str,
    room: usize,
    out: &mut String,
) -> usize {
    // Only regular files, opened without blocking and checked once open.
    let Ok((file, size)) = super::open_regular(workspace, path) else {
        return 0;
    };
    if size > MAX_FILE_BYTES {
        return 0;
    }
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    if reader
        .fill_buf()
        .is_ok_and(|head| head[..head.len().min(8 * 1024)].contains(&0))
    {
        return 0;
    }
    let mut found = 0;
    let mut line = Vec::new();
    for number in 1.. {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        if regex.is_match(text) {
            if found < room {
                let text = truncate_line(text, MAX_LINE_BYTES);
                let _ = writeln!(out, "{shown}:{number}: {text}");
            }
            found += 1;
        }
    }
    found
}

/// The matches, capped, with a note about how many were left out.
fn format_result(out: &str, found: usize, limit: usize, pattern: &str) -> String {
    if found == 0 {
        return format!("No matches for `{pattern}`.");
    }
    let mut out = cap_text(out, MAX_OUTPUT_BYTES);
    if found > limit {
        let _ = write!(
            out,
            "[... {} more matches not shown ({found} in all); narrow `pattern`, `path` or `glob`, or raise `limit`]",
            found - limit
        );
    } else if out.ends_with('\n') {
        out.pop();
    }
    out
}
