//! Unit tests on real temporary directories.

mod apply;
mod errors;
mod parse;

use std::collections::BTreeMap;
use std::path::Path;

use super::apply::PatchSummary;
use super::{PatchError, parse_patch};
use crate::workspace::Workspace;

/// A workspace holding `files`.
fn workspace(files: &[(&str, &str)]) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path()).unwrap();
    for (path, contents) in files {
        let full = ws.root().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, contents).unwrap();
    }
    (dir, ws)
}

/// Wraps `body` in `*** Begin Patch` / `*** End Patch`.
fn patch(body: &str) -> String {
    format!("*** Begin Patch\n{body}*** End Patch\n")
}

fn read(ws: &Workspace, path: &str) -> String {
    std::fs::read_to_string(ws.root().join(path)).unwrap()
}

fn exists(ws: &Workspace, path: &str) -> bool {
    ws.root().join(path).exists()
}

/// Parses `text` and applies it, as the tool does.
fn apply_patch(ws: &Workspace, text: &str) -> Result<PatchSummary, PatchError> {
    super::apply(ws, parse_patch(text)?)
}

fn apply(ws: &Workspace, body: &str) -> Result<PatchSummary, PatchError> {
    apply_patch(ws, &patch(body))
}

/// Every file under `root` (relative path to contents), to prove nothing changed.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(relative, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}
