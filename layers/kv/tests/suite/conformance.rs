//! One suite of behaviour every `KeyValueStore` backend must share.

use std::future::Future;

use clanka_kv::KeyValueStore;
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

/// The tests' Redis server: CI's, else one started for this process. Without
/// `redis-server` the test fails (it is never skipped).
pub(super) fn redis_url() -> String {
    clanka_kv::test_redis::url().unwrap_or_else(|error| panic!("{error}"))
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

/// Runs the public suite against fresh fixtures from `make`, keeping each alive
/// (a file store's directory) until the end.
pub(super) async fn conformance<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Fixture>,
{
    let kept = std::sync::Mutex::new(Vec::new());
    clanka_kv::conformance::run(|| async {
        let fixture = make().await;
        let store = fixture.store.clone();
        kept.lock().unwrap().push(fixture);
        store
    })
    .await;
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
