//! The in-memory backend, for tests and for programs that need no persistence.

use std::{
    collections::{BTreeMap, HashMap},
    fmt,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    task::{Context, Poll},
    time::Duration,
};

use tower::Service;

use crate::{DEFAULT_LOCK_TIMEOUT, KvError, KvRequest, KvResponse, LockGuard, ResponseFuture};

/// A key-value store service that keeps values in a shared in-memory map.
///
/// Clones share one map and one set of locks. Locks are per-name async mutexes that
/// exclude holders within this process only.
///
/// # Example
///
/// ```
/// use clanka_kv::{KeyValueStore, MemoryStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), clanka_kv::KvError> {
/// let store = KeyValueStore::new(MemoryStore::new());
/// store.set("greeting", "hello").await?;
/// assert_eq!(store.get_string("greeting").await?.as_deref(), Some("hello"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct MemoryStore {
    shared: Arc<Shared>,
    lock_timeout: Duration,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self {
            shared: Arc::default(),
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }
}

#[derive(Default)]
struct Shared {
    values: Mutex<BTreeMap<String, Vec<u8>>>,
    /// One mutex per lock name; entries are kept, since names are few and fixed.
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl MemoryStore {
    /// Creates an empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets how long a lock request waits for the holder (default 30 s) before
    /// failing with [`KvError::LockTimeout`].
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    fn values(&self) -> MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        // A panic while holding the map cannot leave it half-updated: each
        // operation is a single map call, so the data is fine to keep using.
        self.shared
            .values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn lock_mutex(&self, name: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .shared
            .locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(locks.entry(name.to_owned()).or_default())
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("len", &self.values().len())
            .finish_non_exhaustive()
    }
}

impl Service<KvRequest> for MemoryStore {
    type Response = KvResponse;
    type Error = KvError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), KvError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: KvRequest) -> ResponseFuture {
        let response = match request {
            KvRequest::Get { key } => KvResponse::Value(self.values().get(&key).cloned()),
            KvRequest::Set { key, value } | KvRequest::SetFenced { key, value, .. } => {
                self.values().insert(key, value);
                KvResponse::Done
            }
            KvRequest::SetMany { entries } => {
                self.values().extend(entries);
                KvResponse::Done
            }
            KvRequest::Remove { key } => {
                self.values().remove(&key);
                KvResponse::Done
            }
            KvRequest::Clear => {
                self.values().clear();
                KvResponse::Done
            }
            KvRequest::Keys => KvResponse::Keys(self.values().keys().cloned().collect()),
            KvRequest::Lock { name } => {
                let mutex = self.lock_mutex(&name);
                let timeout = self.lock_timeout;
                return ResponseFuture::new(async move {
                    match tokio::time::timeout(timeout, mutex.lock_owned()).await {
                        Ok(held) => Ok(KvResponse::Locked(LockGuard::new(name, held))),
                        Err(_) => Err(KvError::LockTimeout {
                            name,
                            store: "the memory store".to_owned(),
                            after: timeout,
                        }),
                    }
                });
            }
        };
        ResponseFuture::ready(Ok(response))
    }
}
