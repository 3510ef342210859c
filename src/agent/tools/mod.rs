//! The agent's function tools. Each tool module has `definition()` (the JSON-schema
//! tool the model sees) and `run(&Workspace, arguments)`.
//!
//! Every path a tool touches goes through [`Workspace::resolve`]; errors are
//! [`ToolError`]s whose messages the model reads, so they are short and name the path
//! relative to the workspace.

pub(crate) mod grep;
pub(crate) mod list_files;
pub(crate) mod read_file;
pub(crate) mod shell;
mod text;
mod walk;
pub(crate) mod write_file;

#[cfg(test)]
mod tests;

use std::io;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{PathError, Workspace};
pub(crate) use text::cap_text;

/// Most bytes of text one tool result holds (shell output, grep matches).
pub(crate) const MAX_OUTPUT_BYTES: usize = 32 * 1024;

/// Longest error detail quoted back to the model.
const MAX_DETAIL_BYTES: usize = 300;

/// Why a tool call failed. The message is shown to the model.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ToolError {
    /// The arguments are not valid JSON or do not match the schema.
    #[error("invalid arguments: {0}")]
    InvalidArguments(String),
    /// The path is refused by the workspace.
    #[error(transparent)]
    Path(#[from] PathError),
    /// The path does not exist.
    #[error("`{0}` does not exist")]
    NotFound(String),
    /// A file was expected but the path is a directory.
    #[error("`{0}` is a directory, not a file")]
    IsDirectory(String),
    /// The file holds binary data (a NUL byte).
    #[error("`{0}` is a binary file (it contains NUL bytes)")]
    Binary(String),
    /// An I/O error on a path.
    #[error("`{path}`: {message}")]
    Io {
        /// The path, relative to the workspace.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The shell could not be started.
    #[error("could not start `bash`: {0}")]
    Spawn(String),
    /// The command ran out of time and was killed with all its children.
    #[error(
        "the command timed out after {seconds:.1} s; it and its child processes were killed\n{output}"
    )]
    Timeout {
        /// The time limit, in seconds.
        seconds: f64,
        /// The output captured before the kill, ending with the kill note.
        output: String,
    },
    /// The patch did not parse or apply; no file was changed.
    #[error(transparent)]
    Patch(#[from] super::patch::PatchError),
    /// A background task failed (panicked or was cancelled).
    #[error("internal error: {0}")]
    Internal(String),
}

impl ToolError {
    /// An [`Io`](Self::Io) error for `path`; `NotFound` gets its own variant.
    pub(crate) fn io(workspace: &Workspace, path: &Path, error: &io::Error) -> Self {
        let path = relative(workspace, path);
        match error.kind() {
            io::ErrorKind::NotFound => Self::NotFound(path),
            io::ErrorKind::IsADirectory => Self::IsDirectory(path),
            _ => Self::Io {
                path,
                message: error.to_string(),
            },
        }
    }
}

/// `path` relative to the workspace root, `.` for the root itself.
pub(crate) fn relative(workspace: &Workspace, path: &Path) -> String {
    let shown = workspace.display(path);
    if shown.is_empty() {
        ".".to_owned()
    } else {
        shown
    }
}

/// Parses a tool's JSON arguments; empty arguments count as `{}`.
///
/// A type error names the offending field, found by removing one field at a time
/// until the error becomes "missing field" (required) or goes away (optional).
pub(crate) fn parse_args<T: DeserializeOwned>(arguments: &str) -> Result<T, ToolError> {
    let arguments = if arguments.trim().is_empty() {
        "{}"
    } else {
        arguments
    };
    match serde_json::from_str::<T>(arguments) {
        Ok(parsed) => return Ok(parsed),
        Err(e) if e.is_syntax() || e.is_eof() => {
            return Err(invalid(&format!("not valid JSON: {e}")));
        }
        Err(_) => {}
    }
    // Well-formed JSON that does not fit: diagnose on a `Value`, whose errors carry
    // no line/column noise.
    let value: Value =
        serde_json::from_str(arguments).map_err(|e| invalid(&format!("not valid JSON: {e}")))?;
    let Value::Object(fields) = value else {
        return Err(invalid("expected a JSON object"));
    };
    let error = match serde_json::from_value::<T>(Value::Object(fields.clone())) {
        Ok(parsed) => return Ok(parsed),
        Err(error) => error.to_string(),
    };
    if error.starts_with("missing field") || error.starts_with("unknown field") {
        return Err(invalid(&error));
    }
    for key in fields.keys() {
        let mut without = fields.clone();
        without.remove(key);
        let culprit = match serde_json::from_value::<T>(Value::Object(without)) {
            Ok(_) => true,
            Err(e) => e.to_string().starts_with(&format!("missing field `{key}`")),
        };
        if culprit {
            return Err(invalid(&format!("field `{key}`: {error}")));
        }
    }
    Err(invalid(&error))
}

/// An [`InvalidArguments`](ToolError::InvalidArguments) error, shortened if long.
pub(crate) fn invalid(detail: &str) -> ToolError {
    if detail.len() <= MAX_DETAIL_BYTES {
        return ToolError::InvalidArguments(detail.to_owned());
    }
    let end = detail.floor_char_boundary(MAX_DETAIL_BYTES);
    ToolError::InvalidArguments(format!("{}…", &detail[..end]))
}

/// Runs blocking work (directory walks, file scans) off the async threads.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, ToolError>
where
    F: FnOnce() -> Result<T, ToolError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ToolError::Internal(e.to_string()))?
}
