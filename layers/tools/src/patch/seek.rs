//! Locating hunks in a file's lines (like Codex's `seek_sequence`) and rewriting them.

use super::{Hunk, HunkLine, PatchError};

/// How many old lines a [`Failure::NotFound`] shows.
const SHOWN_LINES: usize = 10;

/// Why a hunk could not be applied; the caller adds the path.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Failure {
    /// The old lines are not in the file after the previous hunk.
    NotFound { hunk: usize, expected: String },
    /// The old lines are in the file, but only before the previous hunk.
    OutOfOrder { hunk: usize },
    /// An `@@` header line is not in the file.
    Context { hunk: usize, context: String },
}

impl Failure {
    /// The error naming the file at `path`.
    pub(super) fn into_error(self, path: String) -> PatchError {
        match self {
            Self::NotFound { hunk, expected } => PatchError::HunkNotFound {
                path,
                hunk,
                expected,
            },
            Self::OutOfOrder { hunk } => PatchError::HunkOutOfOrder { path, hunk },
            Self::Context { hunk, context } => PatchError::ContextNotFound {
                path,
                hunk,
                context,
            },
        }
    }
}

/// Line comparisons, from strict to lenient; each is tried over the whole range first.
const PASSES: [fn(&str, &str) -> bool; 4] = [
    |a, b| a == b,
    |a, b| a.trim_end() == b.trim_end(),
    |a, b| a.trim() == b.trim(),
    |a, b| a.trim().chars().map(fold).eq(b.trim().chars().map(fold)),
];

/// Typographic dashes, quotes and spaces as their ASCII look-alikes.
fn fold(c: char) -> char {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{2018}'..='\u{201B}' => '\'',
        '\u{201C}'..='\u{201F}' => '"',
        '\u{00A0}' | '\u{2002}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => ' ',
        other => other,
    }
}

/// Where `pattern` starts in `lines` at or after `start`. With `eof`, the position that
/// ends the file is tried first (with every comparison) before searching forward.
fn seek(lines: &[&str], pattern: &[&str], start: usize, eof: bool) -> Option<usize> {
    let last = lines.len().checked_sub(pattern.len())?;
    let matches = |at: usize, eq: fn(&str, &str) -> bool| {
        lines[at..]
            .iter()
            .zip(pattern)
            .all(|(line, want)| eq(line, want))
    };
    if eof && last >= start && PASSES.iter().any(|&eq| matches(last, eq)) {
        return Some(last);
    }
    PASSES
        .iter()
        .find_map(|&eq| (start..=last).find(|&at| matches(at, eq)))
}

/// The line of an `@@` header at or after `start`: a whole line, else one containing it.
fn seek_header(lines: &[&str], header: &str, start: usize) -> Option<usize> {
    seek(lines, &[header], start, false).or_else(|| {
        let header = header.trim();
        (start..lines.len()).find(|&at| lines[at].contains(header))
    })
}

/// Applies `hunks` in order to `original`; the result ends with a newline unless empty.
///
/// Every line keeps its own ending (a file mixing CRLF and LF stays mixed); added
/// lines take the ending of the file's first line. A pure addition without an `@@`
/// header goes at the end of the file, as in the reference, and later hunks are still
/// looked for after the previous one.
pub(super) fn apply_hunks(original: &str, hunks: &[Hunk]) -> Result<String, Failure> {
    let (lines, endings) = split_lines(original);
    let added_ending = endings
        .first()
        .copied()
        .filter(|e| !e.is_empty())
        .unwrap_or("\n");
    // Sorted by `start` below.
    let mut edits: Vec<Edit<'_>> = Vec::new();
    let mut cursor = 0;
    for (index, hunk) in hunks.iter().enumerate() {
        let number = index + 1;
        let mut start = cursor;
        let mut header_at = None;
        for header in &hunk.headers {
            let at = seek_header(&lines, header, start).ok_or_else(|| Failure::Context {
                hunk: number,
                context: header.clone(),
            })?;
            (start, header_at) = (at + 1, Some(at));
        }
        let mut body = &hunk.lines[..];
        let mut old: Vec<&str> = hunk.old_lines().collect();
        if old.is_empty() {
            // A pure addition goes after its header, or else at the end of the file
            // (without moving the search position of the next hunk).
            let at = if header_at.is_none() || hunk.end_of_file {
                lines.len()
            } else {
                cursor = start;
                start
            };
            edits.push((at, 0, new_lines(body, &[], added_ending)));
            continue;
        }
        let at = loop {
            // The header line itself may open the old lines.
            let found = seek(&lines, &old, start, hunk.end_of_file)
                .or_else(|| header_at.and_then(|h| seek(&lines, &old, h, hunk.end_of_file)));
            if let Some(at) = found {
                break at;
            }
            // Trailing blank context lines (often a separator before the next section).
            match body.split_last() {
                Some((HunkLine::Context(last), rest)) if last.is_empty() && old.len() > 1 => {
                    body = rest;
                    old.pop();
                }
                _ => return Err(not_found(&lines, hunk, number)),
            }
        };
        let matched: Vec<(&str, &str)> = lines[at..]
            .iter()
            .copied()
            .zip(endings[at..].iter().copied())
            .collect();
        edits.push((at, old.len(), new_lines(body, &matched, added_ending)));
        cursor = at + old.len();
    }
    edits.sort_by_key(|(at, _, _)| *at);
    let mut result = String::with_capacity(original.len() + 64);
    let mut copied = 0;
    let mut push = |text: &str, ending: &str| {
        result.push_str(text);
        result.push_str(if ending.is_empty() {
            added_ending
        } else {
            ending
        });
    };
    for (at, len, new) in edits {
        for index in copied..at {
            push(lines[index], endings[index]);
        }
        for (text, ending) in new {
            push(text, ending);
        }
        copied = at + len;
    }
    for index in copied..lines.len() {
        push(lines[index], endings[index]);
    }
    Ok(result)
}

/// One replacement: where it starts, how many old lines it replaces, and the new lines
/// with their endings.
type Edit<'a> = (usize, usize, Vec<(&'a str, &'a str)>);

/// The lines of `text` without their endings, and the endings (`\r\n`, `\n`, or empty
/// for a last line without one).
fn split_lines(text: &str) -> (Vec<&str>, Vec<&str>) {
    let mut lines = Vec::new();
    let mut endings = Vec::new();
    for piece in text.split_inclusive('\n') {
        let (line, ending) = match piece.strip_suffix("\r\n") {
            Some(line) => (line, "\r\n"),
            None => match piece.strip_suffix('\n') {
                Some(line) => (line, "\n"),
                None => (piece, ""),
            },
        };
        lines.push(line);
        endings.push(ending);
    }
    (lines, endings)
}

/// The lines replacing a match: context lines as the file has them (`matched`, with
/// their endings), then added ones with `added_ending`.
fn new_lines<'a>(
    body: &'a [HunkLine],
    matched: &[(&'a str, &'a str)],
    added_ending: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut old = matched.iter();
    body.iter()
        .filter_map(|line| match line {
            HunkLine::Context(text) => Some(old.next().copied().unwrap_or((text, added_ending))),
            HunkLine::Removed(_) => {
                old.next();
                None
            }
            HunkLine::Added(text) => Some((text.as_str(), added_ending)),
        })
        .collect()
}

fn not_found(lines: &[&str], hunk: &Hunk, number: usize) -> Failure {
    let old: Vec<&str> = hunk.old_lines().collect();
    if number > 1 && hunk.headers.is_empty() && seek(lines, &old, 0, false).is_some() {
        return Failure::OutOfOrder { hunk: number };
    }
    let mut expected: Vec<String> = old
        .iter()
        .take(SHOWN_LINES)
        .map(|l| (*l).to_owned())
        .collect();
    if old.len() > SHOWN_LINES {
        expected.push(format!("[... {} more lines]", old.len() - SHOWN_LINES));
    }
    Failure::NotFound {
        hunk: number,
        expected: expected.join("\n"),
    }
}
