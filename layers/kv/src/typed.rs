//! A JSON view of a key-value store, like Effect's `KeyValueStore.forSchema`.

use std::{fmt, marker::PhantomData};

use serde::{Serialize, de::DeserializeOwned};

use crate::{KeyValueStore, KvError};

/// A view of a [`KeyValueStore`] whose values are `T`s stored as JSON.
///
/// A value that is present but does not decode as `T` is reported as
/// [`KvError::Decode`], never as missing.
///
/// # Example
///
/// ```
/// use clanka_kv::{KeyValueStore, KvError};
///
/// #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
/// struct Tokens { access: String }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), KvError> {
/// let store = KeyValueStore::memory();
/// let tokens = store.typed::<Tokens>();
/// tokens.set("tokens", &Tokens { access: "a".into() }).await?;
/// assert_eq!(tokens.get("tokens").await?, Some(Tokens { access: "a".into() }));
///
/// store.set("broken", "{not json").await?;
/// assert!(matches!(tokens.get("broken").await, Err(KvError::Decode { .. })));
/// # Ok(())
/// # }
/// ```
pub struct TypedStore<T> {
    store: KeyValueStore,
    _type: PhantomData<fn() -> T>,
}

impl<T> TypedStore<T> {
    /// A JSON view of `store`.
    pub fn new(store: KeyValueStore) -> Self {
        Self {
            store,
            _type: PhantomData,
        }
    }

    /// The untyped store underneath.
    pub fn store(&self) -> &KeyValueStore {
        &self.store
    }

    /// Removes the value under `key`; removing a missing key succeeds.
    pub async fn remove(&self, key: impl Into<String>) -> Result<(), KvError> {
        self.store.remove(key).await
    }

    /// Whether a value is stored under `key` (without decoding it).
    pub async fn has(&self, key: impl Into<String>) -> Result<bool, KvError> {
        self.store.has(key).await
    }

    /// Every key the store sees, sorted ascending.
    pub async fn keys(&self) -> Result<Vec<String>, KvError> {
        self.store.keys().await
    }

    /// Removes every key the store sees.
    pub async fn clear(&self) -> Result<(), KvError> {
        self.store.clear().await
    }

    /// How many keys the store sees.
    pub async fn size(&self) -> Result<usize, KvError> {
        self.store.size().await
    }
}

impl<T: DeserializeOwned> TypedStore<T> {
    /// The value under `key`, `None` when missing, [`KvError::Decode`] when undecodable.
    pub async fn get(&self, key: impl Into<String>) -> Result<Option<T>, KvError> {
        let key = key.into();
        let Some(bytes) = self.store.get(key.clone()).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|error| KvError::Decode {
                key,
                source: error.into(),
            })
    }
}

impl<T: Serialize> TypedStore<T> {
    /// Stores `value` as JSON under `key`.
    pub async fn set(&self, key: impl Into<String>, value: &T) -> Result<(), KvError> {
        let (key, json) = encode(key.into(), value)?;
        self.store.set(key, json).await
    }

    /// Stores `value` as JSON under `key` while `guard`'s lock is held (see
    /// [`KeyValueStore::set_fenced`]).
    pub async fn set_fenced(
        &self,
        key: impl Into<String>,
        value: &T,
        guard: &crate::LockGuard,
    ) -> Result<(), KvError> {
        let (key, json) = encode(key.into(), value)?;
        self.store.set_fenced(key, json, guard).await
    }
}

fn encode<T: Serialize>(key: String, value: &T) -> Result<(String, Vec<u8>), KvError> {
    match serde_json::to_vec(value) {
        Ok(json) => Ok((key, json)),
        Err(error) => Err(KvError::Encode {
            key,
            source: error.into(),
        }),
    }
}

impl<T> Clone for TypedStore<T> {
    fn clone(&self) -> Self {
        Self::new(self.store.clone())
    }
}

impl<T> fmt::Debug for TypedStore<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypedStore")
            .field("type", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}
