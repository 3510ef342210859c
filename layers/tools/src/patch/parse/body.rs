//! The bodies of `*** Add File` and `*** Update File` sections.

use super::{END_OF_FILE, Parser, parse_error};
use crate::patch::{Hunk, HunkLine, PatchError};

impl Parser<'_> {
    /// `+` lines; blank lines between them are empty lines, blank lines at the end are dropped.
    pub(super) fn add_body(&mut self, header: usize) -> Result<String, PatchError> {
        let (mut lines, mut kept) = (Vec::new(), 0);
        while let Some((n, line)) = self.body_line() {
            if let Some(content) = line.strip_prefix('+') {
                lines.push(content);
                kept = lines.len();
            } else if line.trim().is_empty() {
                lines.push("");
            } else {
                let message = format!(
                    "expected a `+` line of the file added on line {header}, found `{line}`"
                );
                return Err(parse_error(n, message));
            }
        }
        lines.truncate(kept);
        Ok(lines.iter().map(|l| format!("{l}\n")).collect())
    }

    /// `@@` hunks up to the next `***` marker other than `*** End of File`.
    pub(super) fn update_body(&mut self, path: &str) -> Result<Vec<Hunk>, PatchError> {
        let (mut hunks, mut hunk) = (Vec::new(), Hunk::default());
        // The line of the `@@` that opened the current hunk while it has no lines yet.
        let mut open_header = None;
        while let Some((n, line)) = self.body_line() {
            let number = hunks.len() + 1;
            let body_line = if let Some(header) = line.strip_prefix("@@") {
                if !hunk.lines.is_empty() {
                    hunks.push(std::mem::take(&mut hunk));
                }
                hunk.headers.extend(header_context(header));
                open_header = Some(n);
                continue;
            } else if line.trim() == END_OF_FILE {
                if hunk.lines.is_empty() {
                    let message =
                        format!("`{END_OF_FILE}` must follow the lines of a hunk of {path}");
                    return Err(parse_error(n, message));
                }
                hunk.end_of_file = true;
                hunks.push(std::mem::take(&mut hunk));
                open_header = None;
                continue;
            } else if let Some(rest) = line.strip_prefix(' ') {
                HunkLine::Context(rest.to_owned())
            } else if let Some(rest) = line.strip_prefix('-') {
                HunkLine::Removed(rest.to_owned())
            } else if let Some(rest) = line.strip_prefix('+') {
                HunkLine::Added(rest.to_owned())
            } else if line.trim().is_empty() {
                if hunk.lines.is_empty() && open_header.is_none() {
                    continue; // a blank line between hunks, e.g. after `*** End of File`
                }
                HunkLine::Context(String::new())
            } else if line.starts_with('\\') {
                continue; // `\ No newline at end of file`
            } else {
                let message = format!(
                    "hunk {number} of {path}: expected a line starting with ` ` (context), \
                     `-` (removed), `+` (added) or `@@`, found `{line}`"
                );
                return Err(parse_error(n, message));
            };
            hunk.lines.push(body_line);
        }
        if !hunk.lines.is_empty() {
            hunks.push(hunk);
        } else if let Some(n) = open_header {
            return Err(parse_error(
                n,
                format!("the `@@` hunk of {path} has no lines"),
            ));
        }
        Ok(hunks)
    }
}

/// The text after `@@`; a unified-diff range (`-1,3 +1,4 @@ fn f`) keeps only its tail.
fn header_context(header: &str) -> Option<String> {
    let mut header = header.trim();
    if header.starts_with('-') && header[1..].starts_with(|c: char| c.is_ascii_digit()) {
        header = header.split_once("@@").map_or("", |(_, tail)| tail.trim());
    }
    (!header.is_empty()).then(|| header.to_owned())
}
