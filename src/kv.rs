//! Recipes that provide a [`KeyValueStore`](clanka_kv::KeyValueStore).
//!
//! # Example
//!
//! ```
//! use clanka::kv;
//! use clanka_kv::KeyValueStore;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let runtime = kv::layer_memory().build().await.unwrap();
//! let store = runtime.get::<KeyValueStore>().unwrap();
//! store.set("greeting", "hi").await.unwrap();
//! assert_eq!(store.get_string("greeting").await.unwrap().as_deref(), Some("hi"));
//! # });
//! ```

use std::path::PathBuf;

use clanka_kv::KeyValueStore;

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
