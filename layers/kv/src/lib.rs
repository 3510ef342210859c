//! A key-value store as a tower service, with memory, file-system and Redis backends.
//!
//! [`KeyValueStore`] is the cloneable handle the rest of clanka codes against; it
//! wraps any service answering [`KvRequest`]s. The backends are [`MemoryStore`],
//! [`FileStore`] (one file per key, atomic writes, cross-process locks) and, with the
//! `redis` feature, `RedisStore` (lease locks with fencing numbers);
//! [`PrefixLayer`] scopes a store to a key prefix and [`TypedStore`] reads and
//! writes JSON values. This mirrors Effect's `KeyValueStore` (`layerMemory`,
//! `layerFileSystem`, `prefix`, `forSchema`).
//!
//! # Example
//!
//! ```
//! use clanka_kv::{KeyValueStore, KvError};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), KvError> {
//! # let tmp = tempfile::tempdir().unwrap();
//! # let dir = tmp.path().join("kv");
//! let store = KeyValueStore::file_system(&dir)?; // or KeyValueStore::memory()
//! let auth = store.prefixed("codex.auth/");
//!
//! // Serialize token refreshes across processes sharing `dir`.
//! let guard = auth.lock("refresh").await?;
//! auth.typed::<Vec<String>>().set("scopes", &vec!["openid".into()]).await?;
//! drop(guard);
//!
//! assert_eq!(store.keys().await?, ["codex.auth/scopes"]);
//! assert_eq!(auth.get_string("scopes").await?.as_deref(), Some(r#"["openid"]"#));
//! # Ok(())
//! # }
//! ```

mod model;

#[cfg(feature = "test-support")]
pub mod conformance;
mod error;
#[cfg(all(feature = "test-support", feature = "redis"))]
pub mod test_redis;

mod file;
mod future;
mod memory;
mod store;
mod wait;

mod prefix;
#[cfg(feature = "redis")]
mod redis;
mod typed;

pub use error::{JsonError, KvError};

/// How long a lock request waits for another holder by default.
pub const DEFAULT_LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
pub use file::FileStore;
pub use future::ResponseFuture;
pub use memory::MemoryStore;
pub use model::{Fence, KvRequest, KvResponse, LockGuard};
pub use prefix::{Prefix, PrefixLayer};
#[cfg(feature = "redis")]
pub use redis::{RedisOptions, RedisStore};
pub use store::KeyValueStore;
pub use typed::TypedStore;
