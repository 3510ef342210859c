//! The file-system backend: one file per key in one directory.

mod key;
mod lock;
mod ops;

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use tower::Service;

use crate::{DEFAULT_LOCK_TIMEOUT, KvError, KvRequest, KvResponse, ResponseFuture};

/// A key-value store service that keeps each key in its own file under one directory.
///
/// - **Names.** A key's file is `k-` plus the key with every byte outside `[a-z0-9_.-]`
///   escaped as `%XX`, so any UTF-8 key (empty, `../x`, `a/b`, unicode) stays a plain
///   file inside the directory. Keys whose encoded name exceeds 255 bytes are rejected
///   with [`KvError::InvalidKey`]. Files that are not key files are ignored.
/// - **Writes** go to a temporary file (mode 0600 on unix) that is synced and renamed
///   over the key's file, and then the directory is synced: after a crash a key holds
///   the old value or the new one, never part of one. A crash mid-write may leave a
///   `.tmp-*` file behind; it is never listed as a key, and [`FileStore::open`]
///   removes it once it is ten minutes old.
/// - **Locks** ([`KvRequest::Lock`]) are advisory `flock`-style locks on `.lock-<name>`
///   files, which exclude other processes and other open handles in this process.
///   A waiter tries again after short pauses (no thread is blocked, and dropping the
///   request stops the wait) for at most 30 s ([`with_lock_timeout`](Self::with_lock_timeout)),
///   then fails with [`KvError::LockTimeout`] naming the directory. A holder that dies
///   releases the lock with its process; one that hangs (stopped) keeps it.
///
/// All I/O runs on Tokio's blocking pool, so requests must be awaited inside a
/// Tokio runtime. Clones share the directory.
///
/// # Example
///
/// ```
/// use clanka_kv::{FileStore, KeyValueStore};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), clanka_kv::KvError> {
/// # let tmp = tempfile::tempdir().unwrap();
/// # let dir = tmp.path().join("store");
/// let store = KeyValueStore::new(FileStore::open(&dir)?);
/// store.set("codex.auth/tokens", r#"{"access":"…"}"#).await?;
/// assert_eq!(store.keys().await?, ["codex.auth/tokens"]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: Arc<Path>,
    lock_timeout: Duration,
}

impl FileStore {
    /// Opens the store in `dir`, creating it (and missing parents) with mode 0700.
    ///
    /// Temporary files older than ten minutes, left by writers that crashed, are removed.
    ///
    /// An existing directory keeps its permissions, since it may be shared on
    /// purpose; a warning is logged when other users can access it. Values are
    /// written 0600 either way.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, KvError> {
        let dir = dir.as_ref();
        ops::prepare(dir).map_err(|source| KvError::Open {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Self {
            dir: Arc::from(dir),
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        })
    }

    /// Sets how long [`KvRequest::Lock`] waits for another holder (default 30 s)
    /// before failing with [`KvError::LockTimeout`].
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// The directory holding the store's files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of the file that holds (or would hold) the value under `key`.
    pub fn path_of(&self, key: &str) -> Result<PathBuf, KvError> {
        Ok(self.dir.join(key::key_file_name(key)?))
    }
}

impl Service<KvRequest> for FileStore {
    type Response = KvResponse;
    type Error = KvError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), KvError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: KvRequest) -> ResponseFuture {
        let dir = Arc::clone(&self.dir);
        if let KvRequest::Lock { name } = request {
            let timeout = self.lock_timeout;
            return ResponseFuture::new(async move {
                lock::lock(&dir, name, timeout)
                    .await
                    .map(KvResponse::Locked)
            });
        }
        ResponseFuture::new(async move {
            tokio::task::spawn_blocking(move || ops::run(&dir, request))
                .await
                .map_err(KvError::Task)?
        })
    }
}
