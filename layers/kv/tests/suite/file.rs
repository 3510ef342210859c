//! Tests specific to the file-system backend.

use std::{fs, path::Path};

use clanka_kv::{FileStore, KeyValueStore, KvError};

use clanka_kv::conformance::WEIRD_KEYS;

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test]
async fn directory_is_0700_and_files_are_0600() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nested/store");
    let file = FileStore::open(&dir).unwrap();
    assert_eq!(mode(&dir), 0o700);
    let store = KeyValueStore::new(file.clone());
    store.set("secret", "value").await.unwrap();
    store.set("secret", "value 2").await.unwrap();
    assert_eq!(mode(&file.path_of("secret").unwrap()), 0o600);
    let _guard = store.lock("refresh").await.unwrap();
    for name in names(&dir) {
        assert_eq!(mode(&dir.join(&name)), 0o600, "{name}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_file_others_can_read_is_narrowed_to_0600_on_read() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let file = FileStore::open(tmp.path()).unwrap();
    let store = KeyValueStore::new(file.clone());
    store.set("token", "secret").await.unwrap();
    let path = file.path_of("token").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(
        store.get("token").await.unwrap().as_deref(),
        Some(&b"secret"[..])
    );
    assert_eq!(mode(&path), 0o600);
}

#[cfg(unix)]
#[tokio::test]
async fn existing_directory_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o750)).unwrap();
    let store = KeyValueStore::file_system(tmp.path()).unwrap();
    store.set("k", "v").await.unwrap();
    assert_eq!(mode(tmp.path()), 0o750);
}

#[tokio::test]
async fn writes_leave_no_temporary_files() {
    let tmp = tempfile::tempdir().unwrap();
    let file = FileStore::open(tmp.path()).unwrap();
    let store = KeyValueStore::new(file.clone());
    let writes = (0..20).map(|i| {
        let store = store.clone();
        tokio::spawn(async move { store.set(format!("k{}", i % 3), vec![b'x'; 4096]).await })
    });
    for write in writes.collect::<Vec<_>>() {
        write.await.unwrap().unwrap();
    }
    store.remove("k2").await.unwrap();
    assert_eq!(names(tmp.path()), ["k-k0", "k-k1"]);
    assert_eq!(store.get("k0").await.unwrap(), Some(vec![b'x'; 4096]));
}

#[tokio::test]
async fn corrupted_file_is_a_decode_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = FileStore::open(tmp.path()).unwrap();
    let store = KeyValueStore::new(file.clone());
    let typed = store.typed::<Vec<u32>>();
    typed.set("list", &vec![1, 2, 3]).await.unwrap();
    fs::write(file.path_of("list").unwrap(), b"[1, 2, ").unwrap();
    let error = typed.get("list").await.unwrap_err();
    assert!(
        matches!(&error, KvError::Decode { key, .. } if key == "list"),
        "{error:?}"
    );
    // The raw bytes are still there for whoever wants to repair them.
    assert_eq!(store.get("list").await.unwrap(), Some(b"[1, 2, ".to_vec()));
}

#[tokio::test]
async fn values_survive_reopening() {
    let tmp = tempfile::tempdir().unwrap();
    let first = KeyValueStore::file_system(tmp.path()).unwrap();
    first.set("codex.auth/tokens", "t").await.unwrap();
    first.set("", "empty key").await.unwrap();
    drop(first);
    let second = KeyValueStore::file_system(tmp.path()).unwrap();
    assert_eq!(second.keys().await.unwrap(), ["", "codex.auth/tokens"]);
    let tokens = second.get_string("codex.auth/tokens").await.unwrap();
    assert_eq!(tokens.as_deref(), Some("t"));
}

#[tokio::test]
async fn weird_keys_stay_inside_the_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a/b/store");
    let store = KeyValueStore::file_system(&dir).unwrap();
    for key in WEIRD_KEYS {
        store.set(*key, "v").await.unwrap();
    }
    assert_eq!(names(tmp.path()), ["a"]);
    assert_eq!(names(&tmp.path().join("a")), ["b"]);
    assert_eq!(names(&tmp.path().join("a/b")), ["store"]);
    let inside = names(&dir);
    assert_eq!(inside.len(), WEIRD_KEYS.len());
    for name in inside {
        assert!(dir.join(&name).is_file(), "{name}");
        assert!(name.starts_with("k-") && !name.contains('/'), "{name}");
    }
}

#[tokio::test]
async fn foreign_files_are_not_keys() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["README", ".tmp-1-2-3", "k-A", "k-%zz", ".lock-x"] {
        fs::write(tmp.path().join(name), "x").unwrap();
    }
    let store = KeyValueStore::file_system(tmp.path()).unwrap();
    store.set("k", "v").await.unwrap();
    assert_eq!(store.keys().await.unwrap(), ["k"]);
    store.clear().await.unwrap();
    assert_eq!(store.keys().await.unwrap(), Vec::<String>::new());
    assert_eq!(names(tmp.path()).len(), 5, "clear removed a foreign file");
}

#[tokio::test]
async fn overlong_keys_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let store = KeyValueStore::file_system(tmp.path()).unwrap();
    let key = "é".repeat(100);
    let error = store.set(key.clone(), "v").await.unwrap_err();
    assert!(matches!(error, KvError::InvalidKey { .. }), "{error:?}");
    assert!(matches!(
        store.get(key).await,
        Err(KvError::InvalidKey { .. })
    ));
}

#[test]
fn opening_a_regular_file_fails() {
    let tmp = tempfile::NamedTempFile::new().unwrap();
    let error = FileStore::open(tmp.path()).unwrap_err();
    assert!(matches!(error, KvError::Open { .. }), "{error:?}");
}

#[tokio::test]
async fn reopening_removes_stale_temporary_files() {
    let tmp = tempfile::tempdir().unwrap();
    let store = KeyValueStore::file_system(tmp.path()).unwrap();
    store.set("k", "v").await.unwrap();
    let stale = fs::File::create(tmp.path().join(".tmp-1-2-3")).unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    stale.set_modified(hour_ago).unwrap();
    fs::write(tmp.path().join(".tmp-4-5-6"), "in flight").unwrap();
    KeyValueStore::file_system(tmp.path()).unwrap();
    assert_eq!(names(tmp.path()), [".tmp-4-5-6", "k-k"]);
}
