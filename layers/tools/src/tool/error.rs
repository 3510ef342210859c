//! Why a tool call failed, and the helpers tools share to read their arguments and
//! name paths. Error messages are read by the model, so they are short and name the
//! path relative to the workspace.

use std::io;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{PathError, Workspace};

/// Most bytes of matches one `grep` result holds.
pub const MAX_OUTPUT_BYTES: usize = 32 * 1024;

/// Longest error detail quoted back to the model.
const MAX_DETAIL_BYTES: usize = 300;

/// Why a tool call failed. The message is shown to the model as the tool's output.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ToolError {
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
    /// The command could not be started (its program, or the pipes to it).
    #[error("could not start the command: {0}")]
    Spawn(String),
    /// The patch did not parse or apply; no file was changed.
    #[error(transparent)]
    Patch(#[from] crate::patch::PatchError),
    /// A background task failed (panicked or was cancelled).
    #[error("internal error: {0}")]
    Internal(String),
    /// The path is a named pipe, socket or device: reading it could block forever.
    #[error("`{path}` is a {kind}, not a regular file")]
    NotAFile {
        /// The path, relative to the workspace.
        path: String,
        /// What it is instead.
        kind: &'static str,
    },
    /// The file is larger than the tool handles.
    #[error("`{path}` is {size} bytes, more than the {limit} bytes this tool handles")]
    TooLarge {
        /// The path, relative to the workspace.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The command's sandbox could not be set up; nothing ran.
    #[error(transparent)]
    Sandbox(#[from] crate::SandboxError),
    /// The call was refused before it ran (by the approval policy or the user).
    #[error("the call was refused: {0}")]
    Denied(String),
    /// The tool ran and failed; the message says how.
    #[error("{0}")]
    Failed(String),
}

impl ToolError {
    /// A [`Failed`](Self::Failed) error with `message`, for tools of your own.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed(message.into())
    }

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
pub fn parse_args<T: DeserializeOwned>(arguments: &str) -> Result<T, ToolError> {
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
pub fn invalid(detail: &str) -> ToolError {
    if detail.len() <= MAX_DETAIL_BYTES {
        return ToolError::InvalidArguments(detail.to_owned());
    }
    let end = detail.floor_char_boundary(MAX_DETAIL_BYTES);
    ToolError::InvalidArguments(format!("{}…", &detail[..end]))
}

/// Runs blocking work (directory walks, file scans) off the async threads. The work
/// gets a flag set when the call is dropped (cancelled), to stop early.
pub(crate) async fn blocking<T, F>(work: F) -> Result<T, ToolError>
where
    F: FnOnce(&Cancelled) -> Result<T, ToolError> + Send + 'static,
    T: Send + 'static,
{
    let cancelled = Cancelled::default();
    let flag = cancelled.clone();
    let _guard = CancelOnDrop(cancelled.clone());
    tokio::task::spawn_blocking(move || work(&flag))
        .await
        .map_err(|e| ToolError::Internal(e.to_string()))?
}

/// Set when the call that started blocking work was dropped.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cancelled(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Cancelled {
    pub(crate) fn is_set(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

struct CancelOnDrop(Cancelled);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}
