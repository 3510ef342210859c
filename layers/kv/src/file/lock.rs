//! Taking a file lock without blocking a thread: the lock file is tried without
//! waiting, and tried again after a short, growing pause until the deadline. Dropping
//! the future stops the wait.

use std::fs;
use std::path::Path;
use std::time::Duration;

use crate::wait::Pauses;
use crate::{KvError, LockGuard};

/// The first and the longest pause between tries.
const PAUSES: (Duration, Duration) = (Duration::from_millis(5), Duration::from_millis(200));

/// Waits up to `timeout` for the exclusive lock `name` of the store in `dir`.
pub(super) async fn lock(
    dir: &Path,
    name: String,
    timeout: Duration,
) -> Result<LockGuard, KvError> {
    let (owned_dir, owned_name) = (dir.to_owned(), name.clone());
    let (file, path) =
        tokio::task::spawn_blocking(move || super::ops::open_lock(&owned_dir, &owned_name))
            .await
            .map_err(KvError::Task)??;
    let mut pauses = Pauses::new(PAUSES.0, PAUSES.1, timeout);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(LockGuard::new(name, file)),
            Err(fs::TryLockError::WouldBlock) => {}
            Err(fs::TryLockError::Error(source)) => {
                return Err(KvError::Lock { name, path, source });
            }
        }
        tracing::debug!(lock = %name, "waiting for lock");
        if !pauses.pause(std::future::pending()).await {
            return Err(KvError::LockTimeout {
                name,
                store: dir.display().to_string(),
                after: timeout,
            });
        }
    }
}
