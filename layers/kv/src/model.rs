//! The requests and responses a key-value store service speaks.

use std::fmt;

/// A request to a key-value store service.
///
/// `Debug` never prints values: `Set` shows only the value's length. New requests may
/// come: a backend answers one it does not know with an error.
#[non_exhaustive]
pub enum KvRequest {
    /// Read the value under `key`.
    Get {
        /// The key to read.
        key: String,
    },
    /// Write `value` under `key`, replacing any previous value.
    Set {
        /// The key to write.
        key: String,
        /// The bytes to store.
        value: Vec<u8>,
    },
    /// Write `value` under `key` only while the lock `fence` names is still held by
    /// the guard that carries it, and no later holder wrote the key; otherwise
    /// [`KvError::Fenced`](crate::KvError::Fenced) and nothing is written. Backends
    /// whose locks cannot be lost while their holder lives (memory, file) write as
    /// [`Set`](Self::Set) does.
    SetFenced {
        /// The key to write.
        key: String,
        /// The bytes to store.
        value: Vec<u8>,
        /// The lock the write is made under.
        fence: Fence,
    },
    /// Write several keys at once: all of them or none (memory, Redis); the file
    /// backend writes them in order, each atomically.
    SetMany {
        /// The keys and values, in order.
        entries: Vec<(String, Vec<u8>)>,
    },
    /// Delete the value under `key`; deleting a missing key is not an error.
    Remove {
        /// The key to delete.
        key: String,
    },
    /// Delete every key the service can see.
    Clear,
    /// List every key the service can see, sorted ascending.
    Keys,
    /// Take the exclusive lock called `name`, waiting until it is free.
    Lock {
        /// The lock's name; locks live apart from keys.
        name: String,
    },
}

impl KvRequest {
    /// The request's kind, for logs and error messages (`"get"`, `"set"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Get { .. } => "get",
            Self::Set { .. } => "set",
            Self::SetFenced { .. } => "set",
            Self::SetMany { .. } => "set",
            Self::Remove { .. } => "remove",
            Self::Clear => "clear",
            Self::Keys => "keys",
            Self::Lock { .. } => "lock",
        }
    }
}

impl fmt::Debug for KvRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Get { key } => f.debug_struct("Get").field("key", key).finish(),
            Self::Set { key, value } => f
                .debug_struct("Set")
                .field("key", key)
                .field("value", &Redacted(value.len()))
                .finish(),
            Self::SetFenced { key, value, fence } => f
                .debug_struct("SetFenced")
                .field("key", key)
                .field("value", &Redacted(value.len()))
                .field("fence", fence)
                .finish(),
            Self::SetMany { entries } => f
                .debug_list()
                .entries(
                    entries
                        .iter()
                        .map(|(key, value)| (key, Redacted(value.len()))),
                )
                .finish(),
            Self::Remove { key } => f.debug_struct("Remove").field("key", key).finish(),
            Self::Clear => f.write_str("Clear"),
            Self::Keys => f.write_str("Keys"),
            Self::Lock { name } => f.debug_struct("Lock").field("name", name).finish(),
        }
    }
}

/// The answer of a key-value store service to a [`KvRequest`].
///
/// `Debug` never prints values: `Value` shows only the value's length.
pub enum KvResponse {
    /// The value read by `Get`, or `None` when the key is missing.
    Value(Option<Vec<u8>>),
    /// `Set`, `Remove` or `Clear` finished.
    Done,
    /// The keys listed by `Keys`, sorted ascending.
    Keys(Vec<String>),
    /// The lock taken by `Lock`; it is held until the guard is dropped.
    Locked(LockGuard),
}

impl fmt::Debug for KvResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Value(Some(value)) => f
                .debug_tuple("Value")
                .field(&Some(Redacted(value.len())))
                .finish(),
            Self::Value(None) => f.write_str("Value(None)"),
            Self::Done => f.write_str("Done"),
            Self::Keys(keys) => f.debug_tuple("Keys").field(keys).finish(),
            Self::Locked(guard) => f.debug_tuple("Locked").field(guard).finish(),
        }
    }
}

/// An exclusive lock taken with [`KvRequest::Lock`]; dropping it releases the lock.
///
/// The memory backend holds a per-name async mutex, the file backend an advisory
/// lock on a lock file, which also excludes other processes.
pub struct LockGuard {
    name: String,
    fence: Option<Fence>,
    _held: Box<dyn Send + Sync>,
}

/// What proves a write is made under a lock that can be lost (a lease): the lock,
/// the holder's token and its fencing number (higher for each later holder).
#[derive(Clone, PartialEq, Eq)]
pub struct Fence {
    /// The lock's name, as the backend saw it.
    pub lock: String,
    /// The holder's token.
    pub token: String,
    /// The fencing number of the acquisition.
    pub number: u64,
}

impl fmt::Debug for Fence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fence")
            .field("lock", &self.lock)
            .field("number", &self.number)
            .finish_non_exhaustive()
    }
}

impl LockGuard {
    /// Wraps `held`, whatever keeps the lock taken, so that dropping the guard drops it.
    ///
    /// Backends outside this crate use this to answer [`KvRequest::Lock`].
    pub fn new(name: impl Into<String>, held: impl Send + Sync + 'static) -> Self {
        Self {
            name: name.into(),
            fence: None,
            _held: Box::new(held),
        }
    }

    /// This guard carrying `fence` (a lease-based lock's).
    #[must_use]
    pub fn with_fence(mut self, fence: Fence) -> Self {
        self.fence = Some(fence);
        self
    }

    /// The fence of a lease-based lock, for [`KvRequest::SetFenced`].
    pub fn fence(&self) -> Option<&Fence> {
        self.fence.as_ref()
    }

    /// The lock's name, as the backend saw it (prefixes included).
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockGuard")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Prints a value as its length only.
struct Redacted(usize);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_values() {
        let set = KvRequest::Set {
            key: "k".into(),
            value: b"hunter2".to_vec(),
        };
        let value = KvResponse::Value(Some(b"hunter2".to_vec()));
        for text in [format!("{set:?}"), format!("{value:?}")] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(text.contains("<7 bytes>"), "{text}");
        }
    }
}
