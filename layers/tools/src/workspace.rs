//! The agent's directory: every path a tool touches is resolved inside it.

use std::io;
use std::path::{Component, Path, PathBuf};

/// Why a path was refused. Shown to the model as a tool error, so it names the path.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PathError {
    /// The path is empty.
    #[error("the path is empty")]
    Empty,
    /// `..` or an absolute path leads outside the agent's directory.
    #[error("`{0}` is outside the working directory")]
    Outside(String),
    /// A symbolic link on the way leads outside the agent's directory.
    #[error("`{0}` goes through a symbolic link that leaves the working directory")]
    SymlinkEscape(String),
}

/// The directory an agent works in, canonicalized once.
///
/// [`resolve`](Self::resolve) turns a path the model wrote into a path inside it:
/// relative paths are taken from the root; absolute paths are accepted only when
/// they lie inside it; `..` may not climb above it; and the deepest existing
/// ancestor is canonicalized, so a symbolic link that points outside is refused too.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// Opens `dir`, which must exist.
    pub fn new(dir: impl AsRef<Path>) -> io::Result<Self> {
        let dir = dir.as_ref();
        let root = dir.canonicalize().map_err(|error| {
            io::Error::new(
                error.kind(),
                format!("the directory {} cannot be used: {error}", dir.display()),
            )
        })?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} is not a directory", root.display()),
            ));
        }
        Ok(Self { root })
    }

    /// The canonical root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Resolves `path` inside the workspace; the target need not exist.
    pub fn resolve(&self, path: &str) -> Result<PathBuf, PathError> {
        let trimmed = path.trim();
        if trimmed.is_empty() {
            return Err(PathError::Empty);
        }
        let requested = Path::new(trimmed);
        let relative = if requested.is_absolute() {
            requested
                .strip_prefix(&self.root)
                .map_err(|_| PathError::Outside(path.to_owned()))?
        } else {
            requested
        };
        let mut inside = PathBuf::new();
        for component in relative.components() {
            match component {
                Component::Normal(part) => inside.push(part),
                Component::CurDir => {}
                Component::ParentDir => {
                    if !inside.pop() {
                        return Err(PathError::Outside(path.to_owned()));
                    }
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err(PathError::Outside(path.to_owned()));
                }
            }
        }
        let full = self.root.join(&inside);
        self.check_links(&full, path)?;
        Ok(full)
    }

    /// The path relative to the root, for messages to the model.
    pub fn display(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Canonicalizes the deepest existing ancestor of `full` and checks it is inside.
    fn check_links(&self, full: &Path, original: &str) -> Result<(), PathError> {
        for ancestor in full.ancestors() {
            match ancestor.canonicalize() {
                Ok(real) if real.starts_with(&self.root) => return Ok(()),
                Ok(_) => return Err(PathError::SymlinkEscape(original.to_owned())),
                // A dangling link is refused too: writing through it would leave the root.
                Err(_) if ancestor.symlink_metadata().is_ok() => {
                    return Err(PathError::SymlinkEscape(original.to_owned()));
                }
                Err(_) => continue,
            }
        }
        Err(PathError::Outside(original.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Workspace::new(dir.path()).unwrap();
        (dir, workspace)
    }

    #[test]
    fn relative_and_inside_absolute_paths_resolve() {
        let (_dir, ws) = workspace();
        assert_eq!(ws.resolve("a/b.txt").unwrap(), ws.root().join("a/b.txt"));
        assert_eq!(ws.resolve("./a/../c").unwrap(), ws.root().join("c"));
        let absolute = ws.root().join("x.rs");
        assert_eq!(ws.resolve(absolute.to_str().unwrap()).unwrap(), absolute);
        assert_eq!(ws.resolve(".").unwrap(), ws.root());
    }

    #[test]
    fn escapes_are_refused() {
        let (_dir, ws) = workspace();
        assert_eq!(ws.resolve("../x"), Err(PathError::Outside("../x".into())));
        assert_eq!(
            ws.resolve("a/../../x"),
            Err(PathError::Outside("a/../../x".into()))
        );
        assert_eq!(
            ws.resolve("/etc/passwd"),
            Err(PathError::Outside("/etc/passwd".into()))
        );
        assert_eq!(ws.resolve("  "), Err(PathError::Empty));
    }

    #[test]
    fn symlinks_leaving_the_root_are_refused() {
        let (_dir, ws) = workspace();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        std::os::unix::fs::symlink(outside.path(), ws.root().join("out")).unwrap();
        std::os::unix::fs::symlink("/nonexistent/target", ws.root().join("dangling")).unwrap();
        std::fs::create_dir(ws.root().join("inner")).unwrap();
        std::os::unix::fs::symlink(ws.root().join("inner"), ws.root().join("ok")).unwrap();

        assert!(matches!(
            ws.resolve("out/secret"),
            Err(PathError::SymlinkEscape(_))
        ));
        assert!(matches!(
            ws.resolve("out/new.txt"),
            Err(PathError::SymlinkEscape(_))
        ));
        assert!(matches!(
            ws.resolve("dangling"),
            Err(PathError::SymlinkEscape(_))
        ));
        assert!(ws.resolve("ok/file").is_ok());
    }
}
