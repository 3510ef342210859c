//! Locks with a lease: taken with `SET key token NX PX lease` together with the next
//! fencing number (`INCR`) in one script, renewed every third of the lease while the
//! guard lives, released by a compare-and-delete script. A holder that dies or hangs
//! loses the lock when its lease ends. Waiters back off with jitter until their
//! deadline; a release through the same [`RedisStore`] wakes its waiters at once.

use std::time::Duration;

use redis::Script;

use super::RedisStore;
use crate::wait::Pauses;
use crate::{Fence, KvError, LockGuard};

/// Takes the lock if it is free, and then the next fencing number (0: not taken).
const ACQUIRE: &str = "\
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return redis.call('INCR', KEYS[2]) end \
return 0";

/// Renews the lease if the lock still holds the token.
const RENEW: &str = "\
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end \
return 0";

/// Deletes the lock if it still holds the token.
const RELEASE: &str = "\
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end \
return 0";

/// The first and the longest wait between attempts.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_millis(250));

pub(super) fn lock_key(namespace: &str, name: &str) -> String {
    format!("{namespace}:l:{name}")
}

/// Takes the lock `name`, waiting up to the store's lock timeout.
pub(super) async fn acquire(store: &RedisStore, name: String) -> Result<LockGuard, KvError> {
    let options = &store.inner.options;
    let key = lock_key(&options.namespace, &name);
    let token = format!("{:032x}", fastrand::u128(..));
    let lease_ms = u64::try_from(options.lease.as_millis()).unwrap_or(u64::MAX);
    let mut pauses = Pauses::new(BACKOFF.0, BACKOFF.1, options.lock_timeout);
    let mut connection = store.inner.connection.clone();
    loop {
        // Listening before trying: a release between a failed try and the wait
        // still wakes this waiter.
        let released = store.inner.released.notified();
        tokio::pin!(released);
        released.as_mut().enable();
        // One script: a lock is never taken without its fencing number.
        let number: u64 = Script::new(ACQUIRE)
            .key(&key)
            .key(format!("{}:f:{name}", options.namespace))
            .arg(&token)
            .arg(lease_ms)
            .invoke_async(&mut connection)
            .await
            .map_err(|e| store.unavailable(e))?;
        if number > 0 {
            let held = Held::start(store.clone(), key, token.clone(), options.lease);
            let fence = Fence {
                lock: name.clone(),
                token,
                number,
            };
            return Ok(LockGuard::new(name, held).with_fence(fence));
        }
        if !pauses.pause(released).await {
            return Err(KvError::LockTimeout {
                name,
                store: format!("redis at {}", store.inner.address),
                after: options.lock_timeout,
            });
        }
    }
}

/// A held lock: renews its lease until dropped, then releases it.
struct Held {
    renewer: tokio::task::JoinHandle<()>,
    release: Option<(RedisStore, String, String)>,
}

impl Held {
    fn start(store: RedisStore, key: String, token: String, lease: Duration) -> Self {
        let renewer = {
            let (store, key, token) = (store.clone(), key.clone(), token.clone());
            tokio::spawn(async move {
                let lease_ms = u64::try_from(lease.as_millis()).unwrap_or(u64::MAX);
                let mut connection = store.inner.connection.clone();
                loop {
                    tokio::time::sleep(lease / 3).await;
                    let renewed: Result<i64, _> = Script::new(RENEW)
                        .key(&key)
                        .arg(&token)
                        .arg(lease_ms)
                        .invoke_async(&mut connection)
                        .await;
                    match renewed {
                        Ok(1) => {}
                        Ok(_) => {
                            tracing::warn!(lock = %key, "the lock's lease was lost before it was released");
                            return;
                        }
                        Err(error) => tracing::warn!(lock = %key, %error, "renewing a lock failed"),
                    }
                }
            })
        };
        Self {
            renewer,
            release: Some((store, key, token)),
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.renewer.abort();
        let Some((store, key, token)) = self.release.take() else {
            return;
        };
        // Without a runtime (a guard dropped at exit), the lease ends the lock.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let mut connection = store.inner.connection.clone();
                let released: Result<i64, _> = Script::new(RELEASE)
                    .key(&key)
                    .arg(&token)
                    .invoke_async(&mut connection)
                    .await;
                if let Err(error) = released {
                    tracing::warn!(lock = %key, %error, "releasing a lock failed; its lease ends it");
                }
                store.inner.released.notify_waiters();
            });
        }
    }
}
