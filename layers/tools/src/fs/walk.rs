//! The file walk shared by `list_files` and `grep`: `.gitignore`-aware, hidden files
//! and `.git` skipped, symbolic links not followed, with an optional glob filter.

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};
use ignore::WalkBuilder;

use super::{ToolError, Workspace, invalid, relative};

/// A glob matched against paths relative to the workspace root.
///
/// A pattern without `/` (like `*.rs`) matches file names at any depth; one with
/// `/` (like `src/**/*.rs`) matches the whole relative path, and `*` does not cross
/// directories.
#[derive(Debug)]
pub(crate) struct Glob {
    matcher: GlobMatcher,
    name_only: bool,
}

impl Glob {
    /// Compiles `pattern`; a bad pattern is an invalid argument naming `field`.
    pub(crate) fn new(pattern: &str, field: &str) -> Result<Self, ToolError> {
        let pattern = pattern.trim().trim_start_matches("./");
        let glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| invalid(&format!("field `{field}`: {e}")))?;
        Ok(Self {
            matcher: glob.compile_matcher(),
            name_only: !pattern.contains('/'),
        })
    }

    /// Whether `relative` (a path relative to the workspace root) matches.
    pub(crate) fn is_match(&self, relative: &str) -> bool {
        if self.name_only {
            let name = relative.rsplit('/').next().unwrap_or(relative);
            self.matcher.is_match(name)
        } else {
            self.matcher.is_match(relative)
        }
    }
}

/// The regular files under `start` (or `start` itself if it is a file), in name
/// order, as (absolute path, path relative to the workspace root) pairs.
///
/// `start` must already be resolved through the workspace. Ignore files are
/// honoured without a git repository; hidden entries (so `.git`) are skipped and
/// symbolic links are neither followed nor listed.
pub(crate) fn files(
    workspace: &Workspace,
    start: &Path,
    glob: Option<&Glob>,
) -> impl Iterator<Item = (PathBuf, String)> {
    WalkBuilder::new(start)
        .hidden(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .sort_by_file_name(|a, b| a.cmp(b))
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .map(|entry| {
            let path = entry.into_path();
            let shown = relative(workspace, &path);
            (path, shown)
        })
        .filter(move |(_, shown)| glob.is_none_or(|g| g.is_match(shown)))
}

/// Resolves an optional directory argument (default: the root) and checks it exists.
pub(crate) fn start(workspace: &Workspace, path: Option<&str>) -> Result<PathBuf, ToolError> {
    let start = workspace.resolve(path.unwrap_or("."))?;
    match start.try_exists() {
        Ok(true) => Ok(start),
        Ok(false) => Err(ToolError::NotFound(relative(workspace, &start))),
        Err(e) => Err(ToolError::io(workspace, &start, &e)),
    }
}
