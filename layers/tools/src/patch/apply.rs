//! Every change is planned in memory first; files are written only when all succeed.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, Permissions};
use std::io;
use std::path::{Path, PathBuf};

use super::seek::apply_hunks;
use super::write::{Planned, commit, is_a_directory};
use super::{FileOp, Patch, PatchError};
use crate::workspace::Workspace;

/// The largest file a patch updates or deletes: the file is edited in memory.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What an applied patch changed, as paths relative to the working directory.
///
/// Displays like Codex: `Success. Updated the following files:` then `A path`,
/// `M path` and `D path` lines. A moved file is listed as modified at its new path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PatchSummary {
    /// Files created (or overwritten) by `*** Add File`.
    pub(crate) added: Vec<String>,
    /// Files changed by `*** Update File`, at their final path.
    pub(crate) modified: Vec<String>,
    /// Files removed by `*** Delete File`.
    pub(crate) deleted: Vec<String>,
}

impl fmt::Display for PatchSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Success. Updated the following files:")?;
        let groups = [
            ("A", &self.added),
            ("M", &self.modified),
            ("D", &self.deleted),
        ];
        for (mark, paths) in groups {
            for path in paths {
                write!(f, "\n{mark} {path}")?;
            }
        }
        Ok(())
    }
}

/// Applies `patch` inside `workspace`, all or nothing.
///
/// Every path goes through [`Workspace::resolve`]. All new contents are computed in
/// memory (later operations see earlier ones), then written to temporary files beside
/// their targets, renamed into place, and finally deleted or moved-away files are
/// removed. A parse, path or hunk error leaves every file untouched. `*** Add File`
/// overwrites an existing file, as in Codex.
pub(crate) fn apply(workspace: &Workspace, patch: Patch) -> Result<PatchSummary, PatchError> {
    let mut plan = Plan {
        workspace,
        files: BTreeMap::new(),
        summary: PatchSummary::default(),
    };
    for op in patch.ops {
        plan.add(op)?;
    }
    commit(workspace, &plan.files)?;
    Ok(plan.summary)
}

struct Plan<'w> {
    workspace: &'w Workspace,
    files: BTreeMap<PathBuf, Planned>,
    summary: PatchSummary,
}

impl Plan<'_> {
    fn add(&mut self, op: FileOp) -> Result<(), PatchError> {
        match op {
            FileOp::Add { path, contents } => {
                let target = self.workspace.resolve(&path)?;
                let permissions = self.writable(&target)?;
                let shown = self.workspace.display(&target);
                self.files.insert(
                    target,
                    Planned::Write {
                        contents: contents.into_bytes(),
                        permissions,
                    },
                );
                push_once(&mut self.summary.added, shown);
            }
            FileOp::Delete { path } => {
                let target = self.workspace.resolve(&path)?;
                self.current(&target)?;
                let shown = self.workspace.display(&target);
                self.files.insert(target, Planned::Remove);
                push_once(&mut self.summary.deleted, shown);
            }
            FileOp::Update {
                path,
                move_to,
                hunks,
            } => {
                let source = self.workspace.resolve(&path)?;
                let (mut contents, permissions) = self.current(&source)?;
                if !hunks.is_empty() {
                    let shown = self.workspace.display(&source);
                    let text = String::from_utf8(contents).map_err(|_| PatchError::Io {
                        path: shown.clone(),
                        source: io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"),
                    })?;
                    contents = apply_hunks(&text, &hunks)
                        .map_err(|failure| failure.into_error(shown))?
                        .into_bytes();
                }
                let target = match move_to {
                    Some(to) => self.workspace.resolve(&to)?,
                    None => source.clone(),
                };
                if target != source {
                    self.writable(&target)?;
                    self.files.insert(source, Planned::Remove);
                }
                let shown = self.workspace.display(&target);
                self.files.insert(
                    target,
                    Planned::Write {
                        contents,
                        permissions,
                    },
                );
                push_once(&mut self.summary.modified, shown);
            }
        }
        Ok(())
    }

    fn io_error(&self, path: &Path, source: io::Error) -> PatchError {
        PatchError::Io {
            path: self.workspace.display(path),
            source,
        }
    }

    /// The contents and permissions of an existing file: as planned, else on disk.
    fn current(&self, path: &Path) -> Result<(Vec<u8>, Option<Permissions>), PatchError> {
        match self.files.get(path) {
            Some(Planned::Write {
                contents,
                permissions,
            }) => return Ok((contents.clone(), permissions.clone())),
            Some(Planned::Remove) => {
                return Err(PatchError::Missing {
                    path: self.workspace.display(path),
                });
            }
            None => {}
        }
        match fs::metadata(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(PatchError::Missing {
                path: self.workspace.display(path),
            }),
            Err(e) => Err(self.io_error(path, e)),
            Ok(meta) if meta.is_dir() => Err(self.io_error(path, is_a_directory())),
            Ok(meta) if !meta.is_file() => Err(PatchError::NotAFile {
                path: self.workspace.display(path),
            }),
            Ok(meta) if meta.len() > MAX_FILE_BYTES => Err(PatchError::TooLarge {
                path: self.workspace.display(path),
                size: meta.len(),
            }),
            Ok(meta) => {
                let contents = fs::read(path).map_err(|e| self.io_error(path, e))?;
                Ok((contents, Some(meta.permissions())))
            }
        }
    }

    /// Refuses a directory as a write target; an existing file's permissions are kept.
    fn writable(&self, path: &Path) -> Result<Option<Permissions>, PatchError> {
        match (self.files.get(path), fs::metadata(path)) {
            (Some(Planned::Write { permissions, .. }), _) => Ok(permissions.clone()),
            (Some(Planned::Remove), _) | (None, Err(_)) => Ok(None),
            (None, Ok(meta)) if meta.is_dir() => Err(self.io_error(path, is_a_directory())),
            (None, Ok(meta)) => Ok(Some(meta.permissions())),
        }
    }
}

fn push_once(paths: &mut Vec<String>, path: String) {
    if !paths.contains(&path) {
        paths.push(path);
    }
}
