//! The errors of the key-value store; no message ever contains a stored value.

use std::{fmt, io, path::PathBuf, time::Duration};

/// Why a key-value store request failed.
///
/// Messages name keys, lock names and paths, never values, since values may be secrets.
#[derive(Debug, thiserror::Error)]
pub enum KvError {
    /// The store directory could not be created or opened.
    #[error("cannot open store directory {path}")]
    Open {
        /// The store directory.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// Reading or writing the value under a key failed: the store is read-only, full,
    /// or not what it should be. Not worth retrying; the path and the operating
    /// system's message say what to fix.
    #[error("i/o error on key {key:?} at {}", .path.display())]
    Io {
        /// The key being read or written (empty for `Keys` and `Clear`).
        key: String,
        /// The file or directory the operation touched.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// The backend cannot store this key (for files: its encoded name is too long).
    #[error("invalid key {key:?}: {reason}")]
    InvalidKey {
        /// The rejected key.
        key: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// The value under a key is not valid JSON for the requested type.
    #[error("value under key {key:?} cannot be decoded")]
    Decode {
        /// The key whose value failed to decode.
        key: String,
        /// Where decoding failed (the value itself is not kept).
        #[source]
        source: JsonError,
    },
    /// A value could not be encoded as JSON.
    #[error("value for key {key:?} cannot be encoded")]
    Encode {
        /// The key being written.
        key: String,
        /// Where encoding failed.
        #[source]
        source: JsonError,
    },
    /// The value under a key is not UTF-8 text.
    #[error("value under key {key:?} is not utf-8")]
    NotUtf8 {
        /// The key whose value is not text.
        key: String,
        /// Where the invalid byte sequence starts.
        #[source]
        source: std::str::Utf8Error,
    },
    /// An exclusive lock could not be taken.
    #[error("cannot take lock {name:?} at {}", .path.display())]
    Lock {
        /// The lock's name.
        name: String,
        /// The lock file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// Another holder kept the lock longer than the store waits.
    #[error("timed out after {:.1} s waiting for lock {name:?} in {store}; another holder has it", .after.as_secs_f64())]
    LockTimeout {
        /// The lock's name.
        name: String,
        /// The store (its directory, or another description).
        store: String,
        /// How long the store waited.
        after: Duration,
    },
    /// A write under a lock whose lease was lost (or that a later holder overtook)
    /// was refused; nothing was written.
    #[error("write of key {key:?} refused: the lock {lock:?} it was made under was lost")]
    Fenced {
        /// The key.
        key: String,
        /// The lock.
        lock: String,
    },
    /// The store's server could not be reached or answered with an error; worth
    /// retrying (see [`KvError::is_retryable`]).
    #[error("the store {store} is unavailable")]
    Unavailable {
        /// The store (its address, never credentials).
        store: String,
        /// What failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The background task doing blocking file I/O panicked or was cancelled.
    #[error("background i/o task failed")]
    Task(#[source] tokio::task::JoinError),
    /// A service answered a request with the wrong kind of response.
    #[error("store answered a {request} request with the wrong response")]
    UnexpectedResponse {
        /// The kind of request (`"get"`, `"keys"`, ...).
        request: &'static str,
    },
}

impl KvError {
    /// Whether the same request may succeed later (the store's server was down or
    /// slow, a lock was busy).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. } | Self::LockTimeout { .. })
    }
}

/// A JSON error stripped of the value: it keeps the category and position only.
///
/// `serde_json` messages may quote the data (`invalid type: string "…"`), so this
/// wrapper prints neither; [`JsonError::into_inner`] gives the full error back.
pub struct JsonError(serde_json::Error);

impl JsonError {
    /// The kind of failure: syntax, data (wrong type or shape), eof or io.
    pub fn category(&self) -> serde_json::error::Category {
        self.0.classify()
    }

    /// The 1-based line where the error was found (0 when unknown).
    pub fn line(&self) -> usize {
        self.0.line()
    }

    /// The 1-based column where the error was found (0 when unknown).
    pub fn column(&self) -> usize {
        self.0.column()
    }

    /// The full `serde_json` error, whose message may quote the value.
    pub fn into_inner(self) -> serde_json::Error {
        self.0
    }
}

impl From<serde_json::Error> for JsonError {
    fn from(error: serde_json::Error) -> Self {
        Self(error)
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use serde_json::error::Category;
        let what = match self.category() {
            Category::Io => "i/o error",
            Category::Syntax => "invalid json",
            Category::Data => "json does not match the expected type",
            Category::Eof => "unexpected end of json",
        };
        write!(f, "{what} at line {} column {}", self.line(), self.column())
    }
}

impl fmt::Debug for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonError")
            .field("category", &self.category())
            .field("line", &self.line())
            .field("column", &self.column())
            .finish()
    }
}

impl std::error::Error for JsonError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_error_hides_the_value() {
        let Err(error) = serde_json::from_str::<u32>("\"hunter2\"") else {
            panic!("decoded a string as u32");
        };
        assert!(
            error.to_string().contains("hunter2"),
            "serde_json quotes data"
        );
        let error = KvError::Decode {
            key: "k".into(),
            source: error.into(),
        };
        let shown = format!(
            "{error} {error:?} {}",
            std::error::Error::source(&error).unwrap()
        );
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("does not match the expected type at line 1"),
            "{shown}"
        );
    }
}
