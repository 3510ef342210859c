//! The file backend's lock excludes other open handles and other processes.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Duration,
};

use clanka_kv::{FileStore, KeyValueStore, KvError, MemoryStore};
use tokio::time::timeout;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_on_one_directory_exclude_each_other() {
    let tmp = tempfile::tempdir().unwrap();
    let first = KeyValueStore::file_system(tmp.path()).unwrap();
    let second = KeyValueStore::file_system(tmp.path()).unwrap();
    let guard = first.lock("x").await.unwrap();
    let mut waiting = tokio::spawn(async move { second.lock("x").await });
    assert!(
        timeout(Duration::from_millis(200), &mut waiting)
            .await
            .is_err()
    );
    // The runtime is not blocked while the lock is awaited.
    first.set("k", "v").await.unwrap();
    drop(guard);
    let granted = timeout(Duration::from_secs(5), waiting).await.unwrap();
    assert_eq!(granted.unwrap().unwrap().name(), "x");
    assert_eq!(first.keys().await.unwrap(), ["k"]);
}

fn lock_file(dir: &Path) -> PathBuf {
    let mut locks = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".lock-")
        });
    let path = locks.next().expect("no lock file");
    assert!(locks.next().is_none());
    path
}

/// `flock -n path true`: whether another process could take the lock right now.
fn free_for_other_process(path: &Path) -> bool {
    let status = Command::new("flock")
        .arg("-n")
        .arg(path)
        .arg("true")
        .status();
    status.unwrap().success()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_excludes_another_process() {
    assert!(
        Command::new("flock").arg("--version").output().is_ok(),
        "this test needs util-linux `flock`"
    );
    let tmp = tempfile::tempdir().unwrap();
    let store = KeyValueStore::file_system(tmp.path()).unwrap();
    let guard = store.lock("refresh").await.unwrap();
    let path = lock_file(tmp.path());
    assert!(!free_for_other_process(&path));
    drop(guard);
    assert!(free_for_other_process(&path));

    // Now another process holds it until its stdin closes, and we wait for it.
    let mut child = Command::new("flock")
        .arg(&path)
        .args(["-c", "echo held; read _ || true"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "held\n");
    let mut waiting = tokio::spawn(async move { store.lock("refresh").await });
    assert!(
        timeout(Duration::from_millis(200), &mut waiting)
            .await
            .is_err()
    );
    drop(child.stdin.take());
    let guard = timeout(Duration::from_secs(30), waiting).await.unwrap();
    let _guard = guard.unwrap().unwrap();
    assert!(child.wait().unwrap().success());
    assert!(!free_for_other_process(&path));
}

#[tokio::test]
async fn a_lock_held_too_long_times_out_naming_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let holder = KeyValueStore::file_system(tmp.path()).unwrap();
    let waiter = KeyValueStore::new(
        FileStore::open(tmp.path())
            .unwrap()
            .with_lock_timeout(Duration::from_millis(300)),
    );
    let _held = holder.lock("refresh").await.unwrap();
    let error = waiter.lock("refresh").await.unwrap_err();
    let KvError::LockTimeout {
        ref name,
        ref store,
        after,
    } = error
    else {
        panic!("{error:?}");
    };
    assert_eq!(
        (name.as_str(), after),
        ("refresh", Duration::from_millis(300))
    );
    assert_eq!(store, &tmp.path().display().to_string());
    assert!(
        error.to_string().contains("another holder has it"),
        "{error}"
    );

    let memory =
        KeyValueStore::new(MemoryStore::new().with_lock_timeout(Duration::from_millis(50)));
    let _held = memory.lock("refresh").await.unwrap();
    assert!(matches!(
        memory.lock("refresh").await,
        Err(KvError::LockTimeout { .. })
    ));
}

#[tokio::test]
async fn waiting_for_a_lock_can_be_cancelled() {
    let tmp = tempfile::tempdir().unwrap();
    let store = KeyValueStore::file_system(tmp.path()).unwrap();
    let held = store.lock("refresh").await.unwrap();
    let waiting = timeout(Duration::from_millis(100), store.lock("refresh")).await;
    assert!(waiting.is_err(), "still held");
    drop(held);
    // The abandoned wait left nothing behind that holds the lock.
    let again = timeout(Duration::from_secs(2), store.lock("refresh")).await;
    assert!(again.unwrap().is_ok());
}
