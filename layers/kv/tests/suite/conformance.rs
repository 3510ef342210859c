//! One suite of behaviour every `KeyValueStore` backend must share.

use std::{future::Future, time::Duration};

use clanka_kv::{KeyValueStore, KvError};
use serde::{Deserialize, Serialize};
use tempfile::TempDir;

/// A store under test, plus whatever must outlive it (a temporary directory).
pub(super) struct Fixture {
    pub(super) store: KeyValueStore,
    _dir: Option<TempDir>,
}

pub(super) fn memory() -> Fixture {
    Fixture {
        store: KeyValueStore::memory(),
        _dir: None,
    }
}

pub(super) fn file() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    Fixture {
        store: KeyValueStore::file_system(dir.path().join("store")).unwrap(),
        _dir: Some(dir),
    }
}

/// The Redis server `.ci/test` starts: its URL. Missing, the test fails (it is never
/// skipped).
pub(super) fn redis_url() -> String {
    std::env::var("CLANKA_TEST_REDIS_URL").unwrap_or_else(|_| {
        panic!("CLANKA_TEST_REDIS_URL is not set: run the tests with `.ci/test`, which starts redis-server")
    })
}

/// A Redis store in a namespace of its own.
pub(super) async fn redis_with(options: clanka_kv::RedisOptions) -> Fixture {
    let options = clanka_kv::RedisOptions {
        namespace: format!("test-{}", fastrand::u64(..)),
        ..options
    };
    let store = clanka_kv::RedisStore::connect_with(&redis_url(), options)
        .await
        .unwrap();
    Fixture {
        store: KeyValueStore::new(store),
        _dir: None,
    }
}

pub(super) async fn redis() -> Fixture {
    redis_with(clanka_kv::RedisOptions::default()).await
}

/// `fixture`'s store scoped to `scope/`, next to keys outside the scope that the
/// suite must never see or clear.
async fn prefixed(fixture: Fixture) -> Fixture {
    let outer = fixture.store.clone();
    outer.set("outside", "o").await.unwrap();
    outer.set("scope", "o").await.unwrap();
    outer.set("scope0/x", "o").await.unwrap();
    Fixture {
        store: outer.prefixed("scope/"),
        ..fixture
    }
}

/// Runs every case against a fresh store from `make`.
pub(super) async fn conformance<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Fixture>,
{
    empty_store(make().await.store).await;
    set_get_overwrite(make().await.store).await;
    remove(make().await.store).await;
    keys_clear_size(make().await.store).await;
    weird_keys(make().await.store).await;
    binary_and_text(make().await.store).await;
    typed_json(make().await.store).await;
    nested_prefix(make().await.store).await;
    clones_share_state(make().await.store).await;
    locks_exclude(make().await.store).await;
    debug_hides_values(make().await.store).await;
    set_many_and_fenced(make().await.store).await;
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

pub(super) const WEIRD_KEYS: &[&str] = &[
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_backend() {
    conformance(|| async { memory() }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_backend() {
    conformance(|| async { file() }).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefixed_memory_backend() {
    conformance(|| prefixed(memory())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefixed_file_backend() {
    conformance(|| prefixed(file())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_backend() {
    conformance(redis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefixed_redis_backend() {
    conformance(|| async { prefixed(redis().await).await }).await;
}

#[tokio::test]
async fn prefixed_store_leaves_outside_keys_alone() {
    for fixture in [memory(), file(), redis().await] {
        let outer = fixture.store.clone();
        let scoped = prefixed(fixture).await;
        scoped.store.set("k", "v").await.unwrap();
        scoped.store.clear().await.unwrap();
        assert_eq!(
            outer.keys().await.unwrap(),
            ["outside", "scope", "scope0/x"]
        );
    }
}
