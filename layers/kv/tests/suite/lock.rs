//! The file backend's lock excludes other open handles and other processes.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Duration,
};

use clanka_kv::KeyValueStore;
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
    if Command::new("flock").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `flock` is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let store = KeyValueStore::file_system(tmp.path()).unwrap();
    let guard = store.lock("refresh").await.unwrap();
    let path = lock_file(tmp.path());
    assert!(!free_for_other_process(&path));
    drop(guard);
    assert!(free_for_other_process(&path));

    // Now another process holds it for a while, and we wait for it.
    let mut child = Command::new("flock")
        .arg(&path)
        .args(["-c", "echo held; sleep 0.5"])
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
    let guard = timeout(Duration::from_secs(5), waiting).await.unwrap();
    let _guard = guard.unwrap().unwrap();
    assert!(child.wait().unwrap().success());
    assert!(!free_for_other_process(&path));
}
