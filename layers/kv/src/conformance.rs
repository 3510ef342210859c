//! The behaviour every [`KeyValueStore`] backend must share, as a suite other
//! backends run in their own tests (feature `test-support`).
//!
//! # Example
//!
//! ```
//! use clanka_kv::KeyValueStore;
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() {
//! // A backend of your own goes here; it must pass what the memory store passes.
//! clanka_kv::conformance::run(|| async { KeyValueStore::memory() }).await;
//! # }
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::{future::Future, time::Duration};

use serde::{Deserialize, Serialize};

use crate::{KeyValueStore, KvError};

/// Runs every case, each against a fresh, empty store from `make`; panics (with
/// the case's assertion) on the first one the backend fails.
pub async fn run<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = KeyValueStore>,
{
    empty_store(make().await).await;
    set_get_overwrite(make().await).await;
    remove(make().await).await;
    keys_clear_size(make().await).await;
    weird_keys(make().await).await;
    binary_and_text(make().await).await;
    typed_json(make().await).await;
    nested_prefix(make().await).await;
    clones_share_state(make().await).await;
    locks_exclude(make().await).await;
    debug_hides_values(make().await).await;
    set_many_and_fenced(make().await).await;
}

async fn empty_store(store: KeyValueStore) {
    assert_eq!(store.get("missing").await.unwrap(), None);
    assert!(!store.has("missing").await.unwrap());
    assert_eq!(store.keys().await.unwrap(), Vec::<String>::new());
    assert_eq!(store.size().await.unwrap(), 0);
    store.clear().await.unwrap();
}

async fn set_get_overwrite(store: KeyValueStore) {
    store.set("a", "1").await.unwrap();
    assert_eq!(store.get("a").await.unwrap(), Some(b"1".to_vec()));
    store.set("a", "22").await.unwrap();
    assert_eq!(store.get_string("a").await.unwrap().as_deref(), Some("22"));
    store.set("empty", "").await.unwrap();
    assert_eq!(store.get("empty").await.unwrap(), Some(Vec::new()));
    assert!(store.has("empty").await.unwrap());
}

async fn remove(store: KeyValueStore) {
    store.set("a", "1").await.unwrap();
    store.remove("a").await.unwrap();
    assert_eq!(store.get("a").await.unwrap(), None);
    store.remove("a").await.unwrap();
    store.remove("never").await.unwrap();
}

async fn keys_clear_size(store: KeyValueStore) {
    for key in ["b", "a", "c/d"] {
        store.set(key, key).await.unwrap();
    }
    assert_eq!(store.keys().await.unwrap(), ["a", "b", "c/d"]);
    assert_eq!(store.size().await.unwrap(), 3);
    store.clear().await.unwrap();
    assert_eq!(store.keys().await.unwrap(), Vec::<String>::new());
    assert_eq!(store.get("a").await.unwrap(), None);
    store.set("after", "1").await.unwrap();
    assert_eq!(store.size().await.unwrap(), 1);
}

/// Keys every backend must store and list as given.
pub const WEIRD_KEYS: &[&str] = &[
    "",
    ".",
    "..",
    "../x",
    "../../escape",
    "a/b",
    "/abs",
    "ünïcødé ✓",
    "Upper",
    "upper",
    "%41",
    "k-x",
    ".lock-x",
    ".tmp-1",
    "a\\b",
    "tab\tnewline\n",
];

async fn weird_keys(store: KeyValueStore) {
    for (i, key) in WEIRD_KEYS.iter().enumerate() {
        store.set(*key, i.to_string()).await.unwrap();
    }
    for (i, key) in WEIRD_KEYS.iter().enumerate() {
        let value = store.get_string(*key).await.unwrap();
        assert_eq!(value, Some(i.to_string()), "key {key:?}");
    }
    let mut expected: Vec<String> = WEIRD_KEYS.iter().map(|key| key.to_string()).collect();
    expected.sort();
    assert_eq!(store.keys().await.unwrap(), expected);
    store.remove("../x").await.unwrap();
    assert_eq!(store.size().await.unwrap(), WEIRD_KEYS.len() - 1);
}

async fn binary_and_text(store: KeyValueStore) {
    let bytes = vec![0, 159, 146, 150, 255];
    store.set("bin", bytes.clone()).await.unwrap();
    assert_eq!(store.get("bin").await.unwrap(), Some(bytes));
    let Err(KvError::NotUtf8 { key, .. }) = store.get_string("bin").await else {
        panic!("binary value read as text");
    };
    assert_eq!(key, "bin");
    assert_eq!(store.get_string("none").await.unwrap(), None);
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Tokens {
    access: String,
    expires_in: u64,
}

async fn typed_json(store: KeyValueStore) {
    let tokens = store.typed::<Tokens>();
    assert_eq!(tokens.get("t").await.unwrap(), None);
    let value = Tokens {
        access: "secret-access".into(),
        expires_in: 60,
    };
    tokens.set("t", &value).await.unwrap();
    assert_eq!(tokens.get("t").await.unwrap(), Some(value));
    assert_eq!(tokens.keys().await.unwrap(), ["t"]);

    for (key, raw) in [
        ("syntax", "{not json"),
        ("shape", r#"{"access":"secret-x"}"#),
    ] {
        store.set(key, raw).await.unwrap();
        let error = tokens.get(key).await.unwrap_err();
        let KvError::Decode { key: reported, .. } = &error else {
            panic!("expected a decode error, got {error:?}");
        };
        assert_eq!(reported, key);
        let shown = format!(
            "{error} {error:?} {}",
            std::error::Error::source(&error).unwrap()
        );
        assert!(!shown.contains("secret"), "{shown}");
    }
    tokens.remove("t").await.unwrap();
    assert!(!tokens.has("t").await.unwrap());
}

async fn nested_prefix(store: KeyValueStore) {
    store.set("x", "top").await.unwrap();
    let inner = store.prefixed("p/");
    inner.set("k", "v").await.unwrap();
    inner.prefixed("q/").set("k", "w").await.unwrap();
    assert_eq!(store.keys().await.unwrap(), ["p/k", "p/q/k", "x"]);
    assert_eq!(inner.keys().await.unwrap(), ["k", "q/k"]);
    inner.prefixed("q/").clear().await.unwrap();
    assert_eq!(store.keys().await.unwrap(), ["p/k", "x"]);
    inner.clear().await.unwrap();
    assert_eq!(store.keys().await.unwrap(), ["x"]);
}

async fn clones_share_state(store: KeyValueStore) {
    let clone = store.clone();
    clone.set("shared", "1").await.unwrap();
    assert!(store.has("shared").await.unwrap());
    let task = tokio::spawn(async move { clone.remove("shared").await });
    task.await.unwrap().unwrap();
    assert!(!store.has("shared").await.unwrap());
}

async fn locks_exclude(store: KeyValueStore) {
    let guard = store.lock("refresh").await.unwrap();
    assert!(guard.name().ends_with("refresh"));
    // Another name, and keys, are unaffected by the held lock.
    drop(store.lock("other").await.unwrap());
    assert!(
        !store
            .keys()
            .await
            .unwrap()
            .iter()
            .any(|key| key.contains("refresh"))
    );

    let waiter = store.clone();
    let mut second = tokio::spawn(async move { waiter.lock("refresh").await });
    let pending = tokio::time::timeout(Duration::from_millis(150), &mut second).await;
    assert!(
        pending.is_err(),
        "second lock granted while the first is held"
    );
    drop(guard);
    let second = tokio::time::timeout(Duration::from_secs(5), second).await;
    drop(
        second
            .expect("lock not granted after release")
            .unwrap()
            .unwrap(),
    );
    drop(store.lock("refresh").await.unwrap());
}

async fn set_many_and_fenced(store: KeyValueStore) {
    store
        .set_many(vec![
            ("a".into(), b"1".to_vec()),
            ("b".into(), b"2".to_vec()),
        ])
        .await
        .unwrap();
    assert_eq!(store.get_string("a").await.unwrap().as_deref(), Some("1"));
    assert_eq!(store.get_string("b").await.unwrap().as_deref(), Some("2"));
    let guard = store.lock("writer").await.unwrap();
    store.set_fenced("a", "3", &guard).await.unwrap();
    assert_eq!(store.get_string("a").await.unwrap().as_deref(), Some("3"));
}

async fn debug_hides_values(store: KeyValueStore) {
    store.set("k", "hunter2").await.unwrap();
    let shown = format!("{store:?} {:?}", store.typed::<String>());
    assert!(!shown.contains("hunter2"), "{shown}");
}
