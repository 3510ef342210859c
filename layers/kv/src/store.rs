//! The cloneable `KeyValueStore` handle over any key-value store service.

use std::{
    fmt,
    future::Future,
    path::Path,
    pin::Pin,
    task::{Context, Poll},
};

use tower::{Service, ServiceExt, util::BoxCloneSyncService};

use crate::{
    FileStore, KvError, KvRequest, KvResponse, LockGuard, MemoryStore, Prefix, TypedStore,
};

/// A cloneable handle to a key-value store: get / set / remove / clear / keys / lock.
///
/// It hides any service that answers [`KvRequest`]s (a backend, possibly wrapped in
/// tower layers) behind a [`BoxCloneSyncService`]. Clones share the same store.
/// Values are bytes; [`TypedStore`] adds a JSON view. `Debug` shows no values.
///
/// # Example
///
/// ```
/// use clanka_kv::KeyValueStore;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), clanka_kv::KvError> {
/// let store = KeyValueStore::memory();
/// let auth = store.prefixed("codex.auth/");
/// auth.set("tokens", "secret").await?;
/// assert_eq!(store.keys().await?, ["codex.auth/tokens"]);
/// assert_eq!(auth.size().await?, 1);
/// auth.clear().await?;
/// assert_eq!(store.get("codex.auth/tokens").await?, None);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct KeyValueStore {
    inner: BoxCloneSyncService<KvRequest, KvResponse, KvError>,
}

impl KeyValueStore {
    /// Wraps a key-value store service (a backend, possibly with tower layers on top).
    pub fn new<S>(service: S) -> Self
    where
        S: Service<KvRequest, Response = KvResponse, Error = KvError>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        Self {
            inner: BoxCloneSyncService::new(service),
        }
    }

    /// A new, empty in-memory store ([`MemoryStore`]).
    pub fn memory() -> Self {
        Self::new(MemoryStore::new())
    }

    /// Opens the file-system store in `dir` ([`FileStore::open`]).
    pub fn file_system(dir: impl AsRef<Path>) -> Result<Self, KvError> {
        Ok(Self::new(FileStore::open(dir)?))
    }

    /// A handle to the keys under `prefix`, with the prefix stripped (see [`Prefix`]).
    pub fn prefixed(&self, prefix: impl Into<String>) -> Self {
        Self::new(Prefix::new(self.inner.clone(), prefix))
    }

    /// A JSON view of this store holding values of type `T`.
    pub fn typed<T>(&self) -> TypedStore<T> {
        TypedStore::new(self.clone())
    }

    /// Sends one request to the underlying service.
    pub async fn request(&self, request: KvRequest) -> Result<KvResponse, KvError> {
        self.inner.clone().oneshot(request).await
    }

    /// The value under `key`, or `None` when the key is missing.
    pub async fn get(&self, key: impl Into<String>) -> Result<Option<Vec<u8>>, KvError> {
        match self.request(KvRequest::Get { key: key.into() }).await? {
            KvResponse::Value(value) => Ok(value),
            _ => Err(KvError::UnexpectedResponse { request: "get" }),
        }
    }

    /// The value under `key` as text; [`KvError::NotUtf8`] when it is not UTF-8.
    pub async fn get_string(&self, key: impl Into<String>) -> Result<Option<String>, KvError> {
        let key = key.into();
        let Some(bytes) = self.get(key.clone()).await? else {
            return Ok(None);
        };
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|error| KvError::NotUtf8 {
                key,
                source: error.utf8_error(),
            })
    }

    /// Whether a value is stored under `key`.
    pub async fn has(&self, key: impl Into<String>) -> Result<bool, KvError> {
        Ok(self.get(key).await?.is_some())
    }

    /// Stores `value` under `key`, replacing any previous value.
    pub async fn set(
        &self,
        key: impl Into<String>,
        value: impl Into<Vec<u8>>,
    ) -> Result<(), KvError> {
        let request = KvRequest::Set {
            key: key.into(),
            value: value.into(),
        };
        self.expect_done(request).await
    }

    /// Stores `value` under `key` while `guard`'s lock is held: on a backend whose
    /// locks are leases (Redis), a write whose lease was lost, or that a later holder
    /// overtook, is refused with [`KvError::Fenced`] and not applied; elsewhere it is
    /// [`set`](Self::set).
    pub async fn set_fenced(
        &self,
        key: impl Into<String>,
        value: impl Into<Vec<u8>>,
        guard: &LockGuard,
    ) -> Result<(), KvError> {
        let (key, value) = (key.into(), value.into());
        let request = match guard.fence() {
            Some(fence) => KvRequest::SetFenced {
                key,
                value,
                fence: fence.clone(),
            },
            None => KvRequest::Set { key, value },
        };
        self.expect_done(request).await
    }

    /// Stores several values at once (atomically where the backend can; the file
    /// backend writes them in order, each atomically).
    pub async fn set_many(&self, entries: Vec<(String, Vec<u8>)>) -> Result<(), KvError> {
        self.expect_done(KvRequest::SetMany { entries }).await
    }

    /// Removes the value under `key`; removing a missing key succeeds.
    pub async fn remove(&self, key: impl Into<String>) -> Result<(), KvError> {
        self.expect_done(KvRequest::Remove { key: key.into() })
            .await
    }

    /// Removes every key this handle sees (only those under its prefix, if prefixed).
    pub async fn clear(&self) -> Result<(), KvError> {
        self.expect_done(KvRequest::Clear).await
    }

    /// Every key this handle sees, sorted ascending.
    pub async fn keys(&self) -> Result<Vec<String>, KvError> {
        match self.request(KvRequest::Keys).await? {
            KvResponse::Keys(keys) => Ok(keys),
            _ => Err(KvError::UnexpectedResponse { request: "keys" }),
        }
    }

    /// How many keys this handle sees.
    pub async fn size(&self) -> Result<usize, KvError> {
        Ok(self.keys().await?.len())
    }

    /// Waits for the exclusive lock called `name`; it is released when the guard drops.
    /// A wait longer than the store's lock timeout (30 s by default) ends with
    /// [`KvError::LockTimeout`].
    ///
    /// On the file and Redis backends the lock also excludes other processes using the
    /// same store; waiting does not block the async runtime.
    pub async fn lock(&self, name: impl Into<String>) -> Result<LockGuard, KvError> {
        match self.request(KvRequest::Lock { name: name.into() }).await? {
            KvResponse::Locked(guard) => Ok(guard),
            _ => Err(KvError::UnexpectedResponse { request: "lock" }),
        }
    }

    async fn expect_done(&self, request: KvRequest) -> Result<(), KvError> {
        let kind = request.kind();
        match self.request(request).await? {
            KvResponse::Done => Ok(()),
            _ => Err(KvError::UnexpectedResponse { request: kind }),
        }
    }
}

impl fmt::Debug for KeyValueStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyValueStore").finish_non_exhaustive()
    }
}

impl Service<KvRequest> for KeyValueStore {
    type Response = KvResponse;
    type Error = KvError;
    type Future = Pin<Box<dyn Future<Output = Result<KvResponse, KvError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), KvError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: KvRequest) -> Self::Future {
        self.inner.call(request)
    }
}
