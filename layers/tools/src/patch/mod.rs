//! The Codex patch format (`*** Begin Patch`), parsed and applied atomically.
//!
//! ```text
//! *** Begin Patch
//! *** Add File: path/new.txt
//! +line one
//! *** Update File: src/lib.rs
//! *** Move to: src/renamed.rs
//! @@ fn context_line
//!  context line
//! -removed line
//! +added line
//! *** End of File
//! *** Delete File: old.txt
//! *** End Patch
//! ```
//!
//! [`parse_patch`] turns the text into a [`Patch`]; [`apply`] resolves every
//! path through the [`Workspace`], computes every new file in memory and writes
//! nothing unless all operations succeed. Hunks are located like Codex's
//! `seek_sequence`: exactly, then ignoring trailing whitespace, then ignoring
//! surrounding whitespace, then also folding typographic punctuation to ASCII.
//!
//! The parser is lenient where models commonly slip: a heredoc wrapper
//! (`<<'EOF'` … `EOF`), CRLF line endings, blank lines inside a hunk (empty context
//! lines), a missing `@@` before the first hunk, consecutive `@@` headers that narrow
//! the position step by step, and unified-diff range headers (`@@ -1,3 +1,4 @@`).

mod apply;
mod parse;
mod seek;
#[cfg(test)]
mod tests;
mod write;

use std::io;

use crate::workspace::PathError;

pub use apply::MAX_FILE_BYTES;
pub(crate) use apply::apply;
pub(crate) use parse::parse_patch;

/// The files a patch touches, for people: `+added ~updated >moved-to -deleted`
/// (nothing for a patch that does not parse).
pub(crate) fn touched_files(text: &str) -> String {
    parse_patch(text)
        .map(|patch| {
            patch
                .touched()
                .map(|(mark, path)| format!("{mark}{path}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// A parsed patch: file operations in the order they appear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Patch {
    /// The operations, applied in order.
    pub(crate) ops: Vec<FileOp>,
}

impl Patch {
    /// Every path the patch writes (added, updated, moved to, deleted), as the
    /// parser read it: what an approver is asked about is what is applied.
    pub(crate) fn paths(&self) -> Vec<String> {
        self.touched().map(|(_, path)| path.to_owned()).collect()
    }

    /// Each path with its mark: `+` added, `~` updated, `>` moved to, `-` deleted.
    fn touched(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.ops.iter().flat_map(|op| {
            let (first, moved) = match op {
                FileOp::Add { path, .. } => (("+", path.as_str()), None),
                FileOp::Delete { path } => (("-", path.as_str()), None),
                FileOp::Update { path, move_to, .. } => {
                    (("~", path.as_str()), move_to.as_deref().map(|to| (">", to)))
                }
            };
            std::iter::once(first).chain(moved)
        })
    }
}

/// One `*** Add File`, `*** Delete File` or `*** Update File` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileOp {
    /// Creates (or overwrites) `path` with `contents`.
    Add {
        /// The path as written in the patch.
        path: String,
        /// The whole new file; ends with a newline unless empty.
        contents: String,
    },
    /// Removes `path`, which must exist.
    Delete {
        /// The path as written in the patch.
        path: String,
    },
    /// Edits `path` with `hunks`, then renames it to `move_to` if given.
    Update {
        /// The path as written in the patch.
        path: String,
        /// The `*** Move to:` destination.
        move_to: Option<String>,
        /// The edits, in file order; empty only for a pure move.
        hunks: Vec<Hunk>,
    },
}

/// One `@@` section of an update.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Hunk {
    /// `@@ header` lines, each searched for (forward) before the hunk's lines.
    pub(crate) headers: Vec<String>,
    /// The body, in order.
    pub(crate) lines: Vec<HunkLine>,
    /// `*** End of File` followed the hunk: it is anchored at the end of the file.
    pub(crate) end_of_file: bool,
}

/// One body line of a [`Hunk`], without its prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HunkLine {
    /// ` line` (or a blank line): must be in the file, and is kept as the file has it.
    Context(String),
    /// `-line`: must be in the file, and is removed.
    Removed(String),
    /// `+line`: inserted.
    Added(String),
}

impl Hunk {
    /// The context and removed lines: what must be found in the file.
    pub(crate) fn old_lines(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().filter_map(|line| match line {
            HunkLine::Context(text) | HunkLine::Removed(text) => Some(text.as_str()),
            HunkLine::Added(_) => None,
        })
    }
}

/// Why a patch was refused. Nothing was written when this is returned.
///
/// Messages are read by a language model, which should be able to fix its patch.
#[derive(Debug, thiserror::Error)]
pub enum PatchError {
    /// The text is not a valid patch.
    #[error("invalid patch, line {line}: {message}")]
    Parse {
        /// 1-based line in the text as given.
        line: usize,
        /// What was expected and what was found.
        message: String,
    },
    /// A hunk's old lines are not in the file (after the previous hunk).
    #[error(
        "{path}: hunk {hunk} does not match the file; these lines were not found \
         (after the previous hunk); read the file and retry with its exact lines:\n{expected}"
    )]
    HunkNotFound {
        /// The file, relative to the working directory.
        path: String,
        /// 1-based hunk number within this file's `*** Update File`.
        hunk: usize,
        /// The context and `-` lines, truncated.
        expected: String,
    },
    /// A hunk's lines exist only before the previous hunk's position.
    #[error(
        "{path}: hunk {hunk} matches only before hunk {previous}; \
         order the hunks of a file from top to bottom",
        previous = hunk - 1
    )]
    HunkOutOfOrder {
        /// The file, relative to the working directory.
        path: String,
        /// 1-based hunk number within this file's `*** Update File`.
        hunk: usize,
    },
    /// An `@@ header` line was not found.
    #[error("{path}: hunk {hunk}: the `@@ {context}` line was not found in the file")]
    ContextNotFound {
        /// The file, relative to the working directory.
        path: String,
        /// 1-based hunk number within this file's `*** Update File`.
        hunk: usize,
        /// The header text.
        context: String,
    },
    /// `*** Update File` or `*** Delete File` names a file that does not exist.
    #[error("{path} does not exist; use `*** Add File:` to create it")]
    Missing {
        /// The file, relative to the working directory.
        path: String,
    },
    /// A path was refused by the workspace.
    #[error(transparent)]
    Path(#[from] PathError),
    /// The file to update is larger than patches edit ([`MAX_FILE_BYTES`]).
    #[error("{path} is {size} bytes; apply_patch edits files of at most {} MiB (write a smaller file, or edit it with a command)", MAX_FILE_BYTES >> 20)]
    TooLarge {
        /// The file, relative to the working directory.
        path: String,
        /// Its size.
        size: u64,
    },
    /// The path is a named pipe, socket or device.
    #[error("{path} is not a regular file")]
    NotAFile {
        /// The file, relative to the working directory.
        path: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file, relative to the working directory.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
}
