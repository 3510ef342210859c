//! Blocking file operations behind [`FileStore`](super::FileStore); run on the blocking pool.

use std::{
    fs::{self, File, OpenOptions},
    io::{self, Write},
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

use super::key::{TEMP_PREFIX, decode_key_file_name, key_file_name, lock_file_name};
use crate::{KvError, KvRequest, KvResponse};

/// A temporary file this old was left by a crashed writer; live writes take milliseconds.
const STALE_TEMP_AGE: Duration = Duration::from_secs(600);

/// Creates `dir` with mode 0700 when missing; an existing directory keeps its mode
/// and loses temporary files left by crashed writers.
pub(super) fn prepare(dir: &Path) -> io::Result<()> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {
            warn_if_shared(dir, &meta);
            remove_stale_temps(dir);
            Ok(())
        }
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            "store path is not a directory",
        )),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            let mut builder = fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            builder.mode(0o700);
            builder.create(dir)?;
            // The umask may have narrowed the mode further; make it exactly 0700.
            #[cfg(unix)]
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// Best effort: a failure here only leaves files that are never listed as keys.
fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let is_temp = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
        let age = entry.metadata().and_then(|meta| meta.modified()).ok();
        let age = age.and_then(|modified| modified.elapsed().ok());
        if is_temp && age.is_some_and(|age| age > STALE_TEMP_AGE) {
            let removed = fs::remove_file(entry.path());
            tracing::debug!(path = %entry.path().display(), ?removed, "removed stale temporary file");
        }
    }
}

#[cfg(unix)]
fn warn_if_shared(dir: &Path, meta: &fs::Metadata) {
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        tracing::warn!(
            path = %dir.display(),
            mode = format_args!("{mode:o}"),
            "key-value store directory is accessible to other users; files are still 0600"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_dir: &Path, _meta: &fs::Metadata) {}

/// Answers one request against the store in `dir`.
pub(super) fn run(dir: &Path, request: KvRequest) -> Result<KvResponse, KvError> {
    Ok(match request {
        KvRequest::Get { key } => KvResponse::Value(get(dir, &key)?),
        // A file lock is held as long as its holder lives: a fenced write is a write.
        KvRequest::Set { key, value } | KvRequest::SetFenced { key, value, .. } => {
            set(dir, &key, &value)?;
            KvResponse::Done
        }
        KvRequest::SetMany { entries } => {
            for (key, value) in entries {
                set(dir, &key, &value)?;
            }
            KvResponse::Done
        }
        KvRequest::Remove { key } => {
            remove(dir, &key)?;
            KvResponse::Done
        }
        KvRequest::Clear => {
            clear(dir).map_err(|source| io_error(dir, "", source))?;
            KvResponse::Done
        }
        KvRequest::Keys => {
            let mut keys: Vec<_> = key_files(dir)
                .map_err(|source| io_error(dir, "", source))?
                .into_iter()
                .map(|(key, _)| key)
                .collect();
            keys.sort();
            KvResponse::Keys(keys)
        }
        KvRequest::Lock { .. } => return Err(KvError::UnexpectedResponse { request: "lock" }),
    })
}

fn io_error(path: &Path, key: &str, source: io::Error) -> KvError {
    KvError::Io {
        key: key.to_owned(),
        path: path.to_owned(),
        source,
    }
}

fn get(dir: &Path, key: &str) -> Result<Option<Vec<u8>>, KvError> {
    let path = dir.join(key_file_name(key)?);
    let mut file = match File::open(&path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(io_error(&path, key, error)),
    };
    restrict(&file, &path);
    let mut value = Vec::new();
    io::Read::read_to_end(&mut file, &mut value).map_err(|error| io_error(&path, key, error))?;
    Ok(Some(value))
}

/// Values may be secrets: a file others can read (copied in, or written by another
/// tool) is narrowed to 0600, with a warning, before its value is used.
#[cfg(unix)]
fn restrict(file: &File, path: &Path) {
    let Ok(meta) = file.metadata() else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return;
    }
    let fixed = file.set_permissions(fs::Permissions::from_mode(0o600));
    match fixed {
        Ok(()) => tracing::warn!(
            path = %path.display(),
            mode = format_args!("{mode:o}"),
            "key-value store file was accessible to other users; its mode is now 600"
        ),
        Err(error) => tracing::warn!(
            path = %path.display(),
            mode = format_args!("{mode:o}"),
            %error,
            "key-value store file is accessible to other users and could not be made 600"
        ),
    }
}

#[cfg(not(unix))]
fn restrict(_file: &File, _path: &Path) {}

/// Writes a temporary file, syncs it, renames it over the key's file and syncs the
/// directory, so a crash leaves either the old value or the new one, never a mix.
fn set(dir: &Path, key: &str, value: &[u8]) -> Result<(), KvError> {
    let target = dir.join(key_file_name(key)?);
    let temp = dir.join(temp_file_name());
    let written = write_synced(&temp, value).and_then(|()| fs::rename(&temp, &target));
    if written.is_err() {
        // Best effort: the write already failed, and leftovers are never listed as keys.
        let _ = fs::remove_file(&temp);
    }
    written
        .and_then(|()| sync_dir(dir))
        .map_err(|source| io_error(&target, key, source))
}

fn write_synced(path: &Path, value: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path)?;
    file.write_all(value)?;
    file.sync_all()
}

fn temp_file_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{TEMP_PREFIX}{}-{nanos}-{count}", std::process::id())
}

fn remove(dir: &Path, key: &str) -> Result<(), KvError> {
    let path = dir.join(key_file_name(key)?);
    remove_if_present(&path)
        .and_then(|()| sync_dir(dir))
        .map_err(|source| io_error(&path, key, source))
}

fn clear(dir: &Path) -> io::Result<()> {
    for (_, name) in key_files(dir)? {
        remove_if_present(&dir.join(name))?;
    }
    sync_dir(dir)
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Every key in `dir` with its file name; other files (locks, temporaries) are skipped.
fn key_files(dir: &Path) -> io::Result<Vec<(String, std::ffi::OsString)>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        if let Some(key) = name.to_str().and_then(decode_key_file_name) {
            found.push((key, name));
        }
    }
    Ok(found)
}

/// Makes renames and removals in `dir` durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// Opens (creating it if needed) the lock file of `name`.
pub(super) fn open_lock(dir: &Path, name: &str) -> Result<(File, PathBuf), KvError> {
    let path = dir.join(lock_file_name(name)?);
    let mut options = OpenOptions::new();
    // Lock files are never truncated or removed: removing one while another
    // process waits on it would let two holders in.
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    options.mode(0o600);
    match options.open(&path) {
        Ok(file) => Ok((file, path)),
        Err(source) => Err(KvError::Lock {
            name: name.to_owned(),
            path,
            source,
        }),
    }
}
