//! Text to [`Patch`]: a cursor over numbered lines.

mod body;

use super::{FileOp, Patch, PatchError};

const BEGIN: &str = "*** Begin Patch";
const END: &str = "*** End Patch";
const ADD: &str = "*** Add File:";
const DELETE: &str = "*** Delete File:";
const UPDATE: &str = "*** Update File:";
const MOVE: &str = "*** Move to:";
const END_OF_FILE: &str = "*** End of File";

/// Parses a patch. Line numbers in errors count lines of `text` as given, from 1.
pub(crate) fn parse_patch(text: &str) -> Result<Patch, PatchError> {
    let mut lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    while lines.last().is_some_and(|(_, l)| l.trim().is_empty()) {
        lines.pop();
    }
    let first = lines
        .iter()
        .position(|(_, l)| !l.trim().is_empty())
        .unwrap_or(lines.len());
    lines.drain(..first);
    strip_heredoc(&mut lines);
    let mut parser = Parser { lines, pos: 0 };
    match parser.next() {
        Some((_, line)) if line.trim() == BEGIN => {}
        Some((n, line)) => {
            return Err(parse_error(
                n,
                format!("expected `{BEGIN}`, found `{line}`"),
            ));
        }
        None => {
            return Err(parse_error(
                1,
                format!("the patch is empty; expected `{BEGIN}`"),
            ));
        }
    }
    let mut ops = Vec::new();
    loop {
        let Some((n, line)) = parser.next() else {
            return Err(parser.error_at_end(format!("missing `{END}`")));
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line == END {
            break;
        }
        if let Some(path) = line.strip_prefix(ADD) {
            let path = op_path(n, path, ADD)?;
            ops.push(FileOp::Add {
                path,
                contents: parser.add_body(n)?,
            });
        } else if let Some(path) = line.strip_prefix(DELETE) {
            ops.push(FileOp::Delete {
                path: op_path(n, path, DELETE)?,
            });
        } else if let Some(path) = line.strip_prefix(UPDATE) {
            let path = op_path(n, path, UPDATE)?;
            let move_to = match parser.peek() {
                Some((m, next)) if next.trim().starts_with(MOVE) => {
                    parser.pos += 1;
                    Some(op_path(m, &next.trim()[MOVE.len()..], MOVE)?)
                }
                _ => None,
            };
            let hunks = parser.update_body(&path)?;
            if hunks.is_empty() && move_to.is_none() {
                return Err(parse_error(n, format!("`{UPDATE} {path}` has no hunks")));
            }
            ops.push(FileOp::Update {
                path,
                move_to,
                hunks,
            });
        } else {
            return Err(parse_error(
                n,
                format!("expected `{ADD}`, `{UPDATE}`, `{DELETE}` or `{END}`, found `{line}`"),
            ));
        }
    }
    if let Some((n, line)) = parser.lines[parser.pos..]
        .iter()
        .find(|(_, l)| !l.trim().is_empty())
    {
        return Err(parse_error(
            *n,
            format!("unexpected text after `{END}`: `{line}`"),
        ));
    }
    if ops.is_empty() {
        return Err(parser.error_at_end(format!("no `{ADD}`, `{UPDATE}` or `{DELETE}` section")));
    }
    Ok(Patch { ops })
}

/// Drops a `<<'EOF'` … `EOF` wrapper (also `<<EOF`, `<<"EOF"`, `apply_patch <<'EOF'`).
fn strip_heredoc(lines: &mut Vec<(usize, &str)>) {
    let Some((_, first)) = lines.first() else {
        return;
    };
    let Some((_, tag)) = first.trim().split_once("<<") else {
        return;
    };
    let tag = tag
        .trim_start_matches('-')
        .trim()
        .trim_matches(|c| c == '\'' || c == '"');
    if tag.is_empty() || tag.contains(char::is_whitespace) {
        return;
    }
    if lines.last().is_some_and(|(_, l)| l.trim() == tag) {
        lines.pop();
    }
    lines.remove(0);
}

/// Whether `line` is a section marker (possibly indented): a file header or the end.
fn is_marker(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed == END
        || [ADD, DELETE, UPDATE, MOVE]
            .iter()
            .any(|marker| trimmed.starts_with(marker))
        || (line.starts_with("***") && trimmed != END_OF_FILE)
}

fn parse_error(line: usize, message: String) -> PatchError {
    PatchError::Parse { line, message }
}

fn op_path(line: usize, path: &str, marker: &str) -> Result<String, PatchError> {
    let path = path.trim();
    if path.is_empty() {
        return Err(parse_error(line, format!("`{marker}` needs a path")));
    }
    Ok(path.to_owned())
}

struct Parser<'a> {
    lines: Vec<(usize, &'a str)>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<(usize, &'a str)> {
        self.lines.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<(usize, &'a str)> {
        let line = self.peek()?;
        self.pos += 1;
        Some(line)
    }

    /// The next line if it belongs to a body: anything but a `***` marker. Markers are
    /// recognized indented too (as the reference does), but for `*** End of File`,
    /// which belongs to the body.
    fn body_line(&mut self) -> Option<(usize, &'a str)> {
        self.peek().filter(|(_, l)| !is_marker(l))?;
        self.next()
    }

    fn error_at_end(&self, message: String) -> PatchError {
        parse_error(self.lines.last().map_or(1, |(n, _)| n + 1), message)
    }
}
