//! The Redis (or Valkey) backend: one store shared by every process that connects to
//! the same server and namespace, on redis-rs's tokio connection manager (it
//! reconnects).
//!
//! Keys live under `<namespace>:k:`, apart from the locks (`<namespace>:l:`, leases
//! taken with `SET NX PX`, renewed while held, released by compare-and-delete) and
//! their fencing counters (`<namespace>:f:`). A fenced write checks, in one script,
//! that its lock is still held by the writer and that no later holder wrote the key.

mod lock;

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands as _, Client, RedisError, Script};
use tower::Service;

use crate::{DEFAULT_LOCK_TIMEOUT, KvError, KvRequest, KvResponse, ResponseFuture};

/// How a [`RedisStore`] behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisOptions {
    /// Keys of this store live under `<namespace>:` (default `clanka`), so several
    /// stores share one server.
    pub namespace: String,
    /// How long a lock is held without its holder renewing it (default 10 s; renewed
    /// every third of it while the holder lives).
    pub lease: Duration,
    /// How long a lock request waits for another holder (default 30 s).
    pub lock_timeout: Duration,
}

impl Default for RedisOptions {
    fn default() -> Self {
        Self {
            namespace: "clanka".to_owned(),
            lease: Duration::from_secs(10),
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }
}

/// A [`KeyValueStore`](crate::KeyValueStore) backend on a Redis or Valkey server
/// (`redis://` or `rediss://` for TLS). Cheap to clone.
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

struct Inner {
    connection: ConnectionManager,
    /// `host:port`: what errors and logs name (never the URL, which may hold a
    /// password).
    address: String,
    options: RedisOptions,
    /// Told when a lock of this store is released, so that waiters in this process
    /// try again at once instead of at their next backoff.
    released: tokio::sync::Notify,
}

/// Writes `ARGV[1]` under `KEYS[1]` if the lock `KEYS[2]` still holds the token
/// `ARGV[2]` and no later holder wrote the key (its last fencing number, in
/// `KEYS[3]`, is not above `ARGV[3]`).
const FENCED_SET: &str = "\
if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end \
local last = tonumber(redis.call('GET', KEYS[3]) or '0') \
if tonumber(ARGV[3]) < last then return 0 end \
redis.call('SET', KEYS[1], ARGV[1]) \
redis.call('SET', KEYS[3], ARGV[3]) \
return 1";

impl RedisStore {
    /// Connects to `url` with the default [`RedisOptions`]. A server that does not
    /// answer is [`KvError::Unavailable`], naming its address.
    pub async fn connect(url: &str) -> Result<Self, KvError> {
        Self::connect_with(url, RedisOptions::default()).await
    }

    /// Connects to `url` with `options`.
    pub async fn connect_with(url: &str, options: RedisOptions) -> Result<Self, KvError> {
        let client = Client::open(url).map_err(|source| KvError::Unavailable {
            // The URL itself is never shown: it may hold a password.
            store: "the Redis URL (it does not parse)".to_owned(),
            source: Box::new(source),
        })?;
        let address = client.get_connection_info().addr().to_string();
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(5)))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2));
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|source| unavailable(&address, source))?;
        tracing::debug!(store = %address, namespace = %options.namespace, "connected to redis");
        Ok(Self {
            inner: Arc::new(Inner {
                connection,
                address,
                options,
                released: tokio::sync::Notify::new(),
            }),
        })
    }

    /// The server's `host:port`.
    pub fn address(&self) -> &str {
        &self.inner.address
    }

    fn key(&self, key: &str) -> String {
        format!("{}:k:{key}", self.inner.options.namespace)
    }

    fn written_key(&self, key: &str) -> String {
        format!("{}:w:{key}", self.inner.options.namespace)
    }

    /// Every data key of the namespace (its full name).
    async fn scan(&self) -> Result<Vec<String>, KvError> {
        let pattern = format!("{}:k:*", glob_escape(&self.inner.options.namespace));
        let mut connection = self.inner.connection.clone();
        let mut keys = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut connection)
                .await
                .map_err(|e| self.unavailable(e))?;
            keys.extend(batch);
            if next == 0 {
                return Ok(keys);
            }
            cursor = next;
        }
    }

    fn unavailable(&self, source: RedisError) -> KvError {
        unavailable(&self.inner.address, source)
    }

    async fn run(self, request: KvRequest) -> Result<KvResponse, KvError> {
        let mut connection = self.inner.connection.clone();
        let failed = |e| self.unavailable(e);
        Ok(match request {
            KvRequest::Get { key } => {
                KvResponse::Value(connection.get(self.key(&key)).await.map_err(failed)?)
            }
            KvRequest::Set { key, value } => {
                let () = connection
                    .set(self.key(&key), value)
                    .await
                    .map_err(failed)?;
                KvResponse::Done
            }
            KvRequest::SetFenced { key, value, fence } => {
                let written: i64 = Script::new(FENCED_SET)
                    .key(self.key(&key))
                    .key(lock::lock_key(&self.inner.options.namespace, &fence.lock))
                    .key(self.written_key(&key))
                    .arg(value)
                    .arg(&fence.token)
                    .arg(fence.number)
                    .invoke_async(&mut connection)
                    .await
                    .map_err(failed)?;
                if written != 1 {
                    return Err(KvError::Fenced {
                        key,
                        lock: fence.lock,
                    });
                }
                KvResponse::Done
            }
            KvRequest::SetMany { entries } => {
                if !entries.is_empty() {
                    let entries: Vec<(String, Vec<u8>)> = entries
                        .into_iter()
                        .map(|(key, value)| (self.key(&key), value))
                        .collect();
                    let () = connection.mset(&entries).await.map_err(failed)?;
                }
                KvResponse::Done
            }
            KvRequest::Remove { key } => {
                let () = connection
                    .del(&[self.key(&key), self.written_key(&key)])
                    .await
                    .map_err(failed)?;
                KvResponse::Done
            }
            KvRequest::Clear => {
                for batch in self.scan().await?.chunks(500) {
                    // Data keys are `<namespace>:k:<key>`; the namespace may hold `:k:`.
                    let prefix = self.key("");
                    let written: Vec<String> = batch
                        .iter()
                        .filter_map(|k| k.strip_prefix(&prefix))
                        .map(|key| self.written_key(key))
                        .collect();
                    let () = connection.del(batch).await.map_err(failed)?;
                    let () = connection.del(written).await.map_err(failed)?;
                }
                KvResponse::Done
            }
            KvRequest::Keys => {
                let prefix = self.key("");
                let mut keys: Vec<String> = self
                    .scan()
                    .await?
                    .into_iter()
                    .filter_map(|k| k.strip_prefix(&prefix).map(str::to_owned))
                    .collect();
                keys.sort();
                KvResponse::Keys(keys)
            }
            KvRequest::Lock { name } => KvResponse::Locked(lock::acquire(&self, name).await?),
        })
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("address", &self.inner.address)
            .field("namespace", &self.inner.options.namespace)
            .finish_non_exhaustive()
    }
}

impl Service<KvRequest> for RedisStore {
    type Response = KvResponse;
    type Error = KvError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), KvError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: KvRequest) -> ResponseFuture {
        ResponseFuture::new(self.clone().run(request))
    }
}

fn unavailable(address: &str, source: RedisError) -> KvError {
    KvError::Unavailable {
        store: format!("redis at {address}"),
        source: Box::new(source),
    }
}

/// `text` with Redis glob characters escaped.
fn glob_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
