//! Recipes that provide a [`KeyValueStore`].
//!
//! # Example
//!
//! ```
//! use clanka::kv::{self, KeyValueStore};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let runtime = kv::layer_memory().build().await.unwrap();
//! let store = runtime.get::<KeyValueStore>().unwrap();
//! store.set("greeting", "hi").await.unwrap();
//! assert_eq!(store.get_string("greeting").await.unwrap().as_deref(), Some("hi"));
//! # });
//! ```

use std::path::PathBuf;

pub use clanka_kv::*;

use crate::runtime::Layer;

/// A recipe that provides an in-memory [`KeyValueStore`], empty at each build.
pub fn layer_memory() -> Layer {
    Layer::effect("kv::layer_memory", |(): ()| async {
        Ok::<_, clanka_kv::KvError>(KeyValueStore::memory())
    })
}

/// A recipe that provides a [`KeyValueStore`] kept as one file per key in `dir`
/// (created with mode 0700 if missing).
pub fn layer_file_system(dir: impl Into<PathBuf>) -> Layer {
    let dir = dir.into();
    Layer::effect("kv::layer_file_system", move |(): ()| {
        let dir = dir.clone();
        async move { KeyValueStore::file_system(dir) }
    })
}

#[cfg(feature = "redis")]
/// A recipe that provides a [`KeyValueStore`] on the Redis or Valkey server at `url`
/// (`redis://` or `rediss://`, namespace `clanka`), shared by every process that uses
/// the same server: one sign-in and one refresh for a fleet, sessions any of them
/// resumes. A server that does not answer fails the build, naming its address (never
/// the URL, which may hold a password).
pub fn layer_redis(url: impl Into<String>) -> Layer {
    layer_redis_with(url, RedisOptions::default())
}

/// [`layer_redis`] with `options` (namespace, lock lease, lock timeout).
#[cfg(feature = "redis")]
pub fn layer_redis_with(url: impl Into<String>, options: RedisOptions) -> Layer {
    let url: String = url.into();
    Layer::effect("kv::layer_redis", move |(): ()| {
        let (url, options) = (url.clone(), options.clone());
        async move {
            let store = RedisStore::connect_with(&url, options).await?;
            Ok::<_, clanka_kv::KvError>(KeyValueStore::new(store))
        }
    })
}
