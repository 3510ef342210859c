//! Latency of one `get`, `set` and `lock` + release on the file store against a Redis
//! store on loopback. `cargo bench -p clanka-kv --bench latency`; Redis is the server
//! at `CLANKA_TEST_REDIS_URL`, else a `redis-server` started on a free port
//! ([`clanka_kv::test_redis`]).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use clanka_kv::{KeyValueStore, RedisOptions, RedisStore};
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;

fn bench(c: &mut Criterion) {
    let runtime = Runtime::new().unwrap();
    let url = clanka_kv::test_redis::url().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = KeyValueStore::file_system(dir.path().join("store")).unwrap();
    let options = RedisOptions {
        namespace: format!("bench-{}", fastrand::u64(..)),
        ..RedisOptions::default()
    };
    let redis = runtime.block_on(async {
        KeyValueStore::new(RedisStore::connect_with(&url, options).await.unwrap())
    });
    let value = vec![b'x'; 1024];
    let mut group = c.benchmark_group("kv");
    for (name, store) in [("file", &file), ("redis", &redis)] {
        runtime.block_on(store.set("k", value.clone())).unwrap();
        group.bench_function(format!("{name}/get_1kib"), |b| {
            b.to_async(&runtime)
                .iter(|| async { store.get("k").await.unwrap() });
        });
        group.bench_function(format!("{name}/set_1kib"), |b| {
            b.to_async(&runtime)
                .iter(|| async { store.set("k", value.clone()).await.unwrap() });
        });
        group.bench_function(format!("{name}/lock_release"), |b| {
            b.to_async(&runtime)
                .iter(|| async { drop(store.lock("l").await.unwrap()) });
        });
    }
    group.finish();
    runtime.block_on(redis.clear()).unwrap();
}

criterion_group!(benches, bench);
criterion_main!(benches);
