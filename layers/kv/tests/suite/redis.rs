//! The Redis backend's leases and fences, against a real server (CI's, or one the
//! tests start):
//! a holder that stops renewing (its runtime frozen, as a paused process's) loses the
//! lock when the lease ends, the next waiter proceeds, and the first holder's write
//! is then refused; a server that does not answer is a typed error naming its address.

use std::time::{Duration, Instant};

use clanka_kv::{KeyValueStore, KvError, RedisOptions, RedisStore};

use super::conformance::redis_url;

fn options(namespace: &str, lease: Duration) -> RedisOptions {
    RedisOptions {
        namespace: namespace.to_owned(),
        lease,
        lock_timeout: Duration::from_secs(10),
    }
}

#[test]
fn a_frozen_holder_loses_its_lease_and_its_late_write_is_refused() {
    let namespace = format!("fence-{}", fastrand::u64(..));
    let lease = Duration::from_millis(600);
    // The stale holder: a runtime of its own that stops running while it holds the
    // lock, as a process stopped with SIGSTOP would.
    let stale = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (stale_store, guard, locked_at) = stale.block_on(async {
        let store = KeyValueStore::new(
            RedisStore::connect_with(&redis_url(), options(&namespace, lease))
                .await
                .unwrap(),
        );
        let guard = store.lock("refresh").await.unwrap();
        let locked_at = Instant::now();
        store.set_fenced("token", "first", &guard).await.unwrap();
        (store, guard, locked_at)
    });
    let first_fence = guard.fence().unwrap().number;

    // Meanwhile another process waits for the lock, gets it after the lease, writes.
    let other = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    other.block_on(async {
        let store = KeyValueStore::new(
            RedisStore::connect_with(&redis_url(), options(&namespace, lease))
                .await
                .unwrap(),
        );
        let guard = store.lock("refresh").await.unwrap();
        // Measured from the stale holder's last grant, so a slow connect here
        // does not count as waiting.
        let waited = locked_at.elapsed();
        assert!(
            waited >= lease * 9 / 10,
            "it waited for the lease to end: {waited:?}"
        );
        assert!(
            guard.fence().unwrap().number > first_fence,
            "a later holder gets a higher fence"
        );
        store.set_fenced("token", "second", &guard).await.unwrap();
        drop(guard);
    });

    // The stale holder wakes up and tries to write under its lost lock.
    stale.block_on(async {
        let refused = stale_store.set_fenced("token", "stale", &guard).await;
        assert!(
            matches!(refused, Err(KvError::Fenced { .. })),
            "{refused:?}"
        );
        assert_eq!(
            stale_store.get_string("token").await.unwrap().as_deref(),
            Some("second")
        );
        drop(guard);
        stale_store.clear().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_holder_keeps_its_lock_past_the_lease_by_renewing_it() {
    let namespace = format!("renew-{}", fastrand::u64(..));
    let lease = Duration::from_secs(1);
    let holder = KeyValueStore::new(
        RedisStore::connect_with(&redis_url(), options(&namespace, lease))
            .await
            .unwrap(),
    );
    let guard = holder.lock("refresh").await.unwrap();
    tokio::time::sleep(lease * 3).await;
    let impatient = RedisOptions {
        lock_timeout: Duration::from_millis(500),
        ..options(&namespace, lease)
    };
    let other = KeyValueStore::new(
        RedisStore::connect_with(&redis_url(), impatient)
            .await
            .unwrap(),
    );
    let error = other.lock("refresh").await.unwrap_err();
    assert!(
        matches!(error, KvError::LockTimeout { .. }),
        "three leases on, the lock is still held: {error}"
    );
    drop(guard);
    drop(other.lock("refresh").await.unwrap());
}

#[tokio::test]
async fn a_lock_waits_until_its_deadline_and_names_the_lock() {
    let namespace = format!("wait-{}", fastrand::u64(..));
    let short = RedisOptions {
        lock_timeout: Duration::from_millis(300),
        ..options(&namespace, Duration::from_secs(10))
    };
    let store = KeyValueStore::new(RedisStore::connect_with(&redis_url(), short).await.unwrap());
    let held = store.lock("busy").await.unwrap();
    let started = Instant::now();
    let error = store.lock("busy").await.unwrap_err();
    assert!(
        matches!(error, KvError::LockTimeout { .. }) && error.is_retryable(),
        "{error}"
    );
    assert!(error.to_string().contains("busy"), "{error}");
    assert!(started.elapsed() >= Duration::from_millis(300));
    drop(held);
    // Released at once (not by the 10 s lease): the next lock is taken well
    // before the lease would have ended, by a store that may wait that long.
    let patient = KeyValueStore::new(
        RedisStore::connect_with(&redis_url(), options(&namespace, Duration::from_secs(10)))
            .await
            .unwrap(),
    );
    let started = Instant::now();
    drop(patient.lock("busy").await.unwrap());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_server_that_does_not_answer_is_named_without_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://:hunter2@127.0.0.1:{port}/0");
    let error = RedisStore::connect(&url).await.unwrap_err();
    let shown = format!(
        "{error} {error:?} {}",
        std::error::Error::source(&error)
            .map(ToString::to_string)
            .unwrap_or_default()
    );
    assert!(
        matches!(error, KvError::Unavailable { .. }) && error.is_retryable(),
        "{shown}"
    );
    assert!(shown.contains(&format!("127.0.0.1:{port}")), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[tokio::test]
async fn a_started_test_server_answers_and_stops_when_dropped() {
    let server = clanka_kv::test_redis::TestRedis::start().unwrap();
    let url = server.url().to_owned();
    let store = KeyValueStore::new(RedisStore::connect(&url).await.unwrap());
    store.set("k", "v").await.unwrap();
    assert_eq!(store.get_string("k").await.unwrap().as_deref(), Some("v"));
    drop(store);
    drop(server);
    let port = url.rsplit(':').next().unwrap();
    assert!(
        std::net::TcpStream::connect(format!("127.0.0.1:{port}")).is_err(),
        "the server stopped with its handle"
    );
}

#[tokio::test]
async fn clearing_a_namespace_that_holds_the_key_marker_leaves_its_neighbour_alone() {
    let base = format!("clear-{}", fastrand::u64(..));
    let connect = |namespace: String| async move {
        KeyValueStore::new(
            RedisStore::connect_with(&redis_url(), options(&namespace, Duration::from_secs(10)))
                .await
                .unwrap(),
        )
    };
    // `<base>:k:x`'s data key `a` is `<base>:k:x:k:a`; its first `:k:` read as the
    // marker would name `<base>:w:x:k:a`, the data key `a` of `<base>:w:x`.
    let cleared = connect(format!("{base}:k:x")).await;
    let neighbour = connect(format!("{base}:w:x")).await;
    neighbour.set("a", "kept").await.unwrap();
    cleared.set("a", "gone").await.unwrap();
    cleared.clear().await.unwrap();
    assert_eq!(cleared.keys().await.unwrap(), Vec::<String>::new());
    assert_eq!(
        neighbour.get_string("a").await.unwrap().as_deref(),
        Some("kept")
    );
    neighbour.clear().await.unwrap();
}
