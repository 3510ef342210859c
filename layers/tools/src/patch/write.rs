//! Writing a plan: new contents beside their targets, renamed into place, then removals.

use std::collections::BTreeMap;
use std::fs::{self, Permissions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::PatchError;
use crate::workspace::Workspace;

/// The final state of one path.
pub(super) enum Planned {
    /// New contents, with the permissions to give them (else the defaults).
    Write {
        contents: Vec<u8>,
        permissions: Option<Permissions>,
    },
    /// Deleted, or moved away.
    Remove,
}

/// Applies `files`: every new content is first written to a temporary file beside its
/// target (a failure there removes them all and changes nothing), then the temporary
/// files are renamed into place, then removed paths are deleted.
pub(super) fn commit(
    workspace: &Workspace,
    files: &BTreeMap<PathBuf, Planned>,
) -> Result<(), PatchError> {
    let io_error = |path: &Path, source| PatchError::Io {
        path: workspace.display(path),
        source,
    };
    let discard = |staged: &[(PathBuf, PathBuf)]| {
        staged
            .iter()
            .for_each(|(temp, _)| drop(fs::remove_file(temp)));
    };
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (path, planned) in files {
        let Planned::Write {
            contents,
            permissions,
        } = planned
        else {
            continue;
        };
        // A symbolic link (resolve checked it stays inside) is written through.
        let target = match fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(path),
            _ => Ok(path.clone()),
        };
        match target
            .and_then(|target| Ok((stage(&target, contents, permissions.as_ref())?, target)))
        {
            Ok(pair) => staged.push(pair),
            Err(e) => {
                discard(&staged);
                return Err(io_error(path, e));
            }
        }
    }
    for (index, (temp, target)) in staged.iter().enumerate() {
        if let Err(e) = fs::rename(temp, target) {
            discard(&staged[index..]);
            return Err(io_error(target, e));
        }
    }
    for (path, planned) in files {
        if let Planned::Remove = planned {
            match fs::remove_file(path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(io_error(path, e)),
                _ => {}
            }
        }
    }
    Ok(())
}

/// The error for a directory where a file is expected.
pub(super) fn is_a_directory() -> io::Error {
    io::Error::new(io::ErrorKind::IsADirectory, "is a directory, not a file")
}

/// Writes `contents` to a new temporary file in `target`'s directory (created if needed).
fn stage(target: &Path, contents: &[u8], permissions: Option<&Permissions>) -> io::Result<PathBuf> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file path",
        ));
    };
    fs::create_dir_all(dir)?;
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(
        ".{}.{}-{unique}.patch-tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)?;
    let written = file.write_all(contents).and_then(|()| match permissions {
        Some(permissions) => fs::set_permissions(&temp, permissions.clone()),
        None => Ok(()),
    });
    if let Err(e) = written {
        drop(fs::remove_file(&temp));
        return Err(e);
    }
    Ok(temp)
}
