//! `read_file`: a text file with numbered lines, optionally a line range. The file is
//! streamed: memory stays bounded whatever its size, and binary content is told from
//! its first 8 KiB.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufRead as _, BufReader};

use clanka_model::Tool;
use serde::Deserialize;
use serde_json::json;

use super::{ToolError, Workspace, blocking, invalid, parse_args, relative};

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
    let start = args.start_line.unwrap_or(1);
    if start == 0 {
        return Err(invalid("field `start_line`: lines are numbered from 1"));
    }
    if let Some(end) = args.end_line
        && end < start
    {
        return Err(invalid(&format!(
            "field `end_line`: {end} is before start_line {start}"
        )));
    }
    let path = workspace.resolve(&args.path)?;
    let workspace = workspace.clone();
    blocking(move |_| {
        let (file, _) = super::open_regular(&workspace, &path)?;
        let shown = relative(&workspace, &path);
        let read = |e: io::Error| ToolError::io(&workspace, &path, &e);
        let scan = Scan::new(start, args.end_line);
        scan.run(BufReader::with_capacity(64 * 1024, file), &shown, read)
    })
    .await
}

/// Bytes at the start of a file looked at to tell binary from text.
const SNIFF_BYTES: usize = 8 * 1024;
/// Lines are counted past the shown range only this far, so a huge file costs
/// bounded time as well as bounded memory.
const COUNT_LIMIT: u64 = 256 * 1024 * 1024;

/// One pass over the file: the wanted lines, numbered, and the line count.
struct Scan {
    start: usize,
    wanted_end: Option<usize>,
    out: String,
    /// The line being read (its first [`MAX_LINE_BYTES`] bytes), and its full length.
    line: Vec<u8>,
    line_len: usize,
    /// Lines seen so far, and the last one shown.
    lines: usize,
    last_shown: usize,
    full: bool,
}

impl Scan {
    fn new(start: usize, wanted_end: Option<usize>) -> Self {
        Self {
            start,
            wanted_end,
            out: String::new(),
            line: Vec::new(),
            line_len: 0,
            lines: 0,
            last_shown: start - 1,
            full: false,
        }
    }

    fn run(
        mut self,
        mut reader: BufReader<File>,
        shown: &str,
        read: impl Fn(io::Error) -> ToolError,
    ) -> Result<String, ToolError> {
        let head = reader.fill_buf().map_err(&read)?;
        if head[..head.len().min(SNIFF_BYTES)].contains(&0) {
            return Err(ToolError::Binary(shown.to_owned()));
        }
        let mut scanned: u64 = 0;
        let mut complete = true;
        loop {
            let chunk = reader.fill_buf().map_err(&read)?;
            if chunk.is_empty() {
                break;
            }
            let taken = chunk.len();
            self.feed(chunk);
            reader.consume(taken);
            scanned += taken as u64;
            let past_range = self.full || self.wanted_end.is_some_and(|end| self.lines >= end);
            if past_range && scanned >= COUNT_LIMIT {
                complete = false;
                break;
            }
        }
        if self.line_len > 0 {
            self.end_line();
        }
        self.finish(shown, complete)
    }

    fn feed(&mut self, mut chunk: &[u8]) {
        while let Some(at) = chunk.iter().position(|b| *b == b'\n') {
            self.take(&chunk[..at]);
            self.end_line();
            chunk = &chunk[at + 1..];
        }
        self.take(chunk);
    }

    /// Part of the current line; only its start is kept.
    fn take(&mut self, bytes: &[u8]) {
        let room = MAX_LINE_BYTES
            .saturating_sub(self.line.len())
            .min(bytes.len());
        if self.shows_next_line() {
            self.line.extend_from_slice(&bytes[..room]);
        }
        self.line_len += bytes.len();
    }

    fn shows_next_line(&self) -> bool {
        let number = self.lines + 1;
        !self.full
            && number >= self.start
            && self.wanted_end.is_none_or(|end| number <= end)
            && number < self.start + MAX_LINES
    }

    fn end_line(&mut self) {
        if self.shows_next_line() {
            let mut text = String::from_utf8_lossy(&self.line).into_owned();
            if text.ends_with('\r') {
                text.pop();
            }
            if self.line_len > MAX_LINE_BYTES {
                let _ = write!(
                    text,
                    " [... {} more bytes]",
                    self.line_len - self.line.len()
                );
            }
            let numbered = format!("{:>5}\t{text}\n", self.lines + 1);
            if self.last_shown >= self.start && self.out.len() + numbered.len() > MAX_BYTES {
                self.full = true;
            } else {
                self.out.push_str(&numbered);
                self.last_shown = self.lines + 1;
            }
        }
        self.lines += 1;
        self.line.clear();
        self.line_len = 0;
    }

    fn finish(mut self, shown: &str, complete: bool) -> Result<String, ToolError> {
        let total = self.lines;
        if total == 0 {
            return Ok(format!("(`{shown}` is empty)"));
        }
        if self.start > total {
            return Err(invalid(&format!(
                "field `start_line`: {} is past the end of `{shown}`, which has {total} lines",
                self.start
            )));
        }
        let wanted_end = self.wanted_end.unwrap_or(total).min(total);
        if self.last_shown < wanted_end || !complete {
            let of = if complete {
                total.to_string()
            } else {
                format!("more than {total}")
            };
            let _ = write!(
                self.out,
                "[... showing lines {}-{} of {of}; use start_line={} to read more]",
                self.start,
                self.last_shown,
                self.last_shown + 1
            );
        }
        Ok(self.out)
    }
}
