//! The Landlock ruleset: read rights on `/` minus the hidden paths, write rights on
//! the writable roots minus the hidden paths, and `/dev/null`.
//!
//! Landlock only grants, so a hidden path inside a granted directory is carved out
//! by granting that directory's other entries one by one, along the path down to
//! the hidden one. An entry created later in such a directory is not granted.

use std::path::{Path, PathBuf};

use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, PathBeneath, PathFd,
    Ruleset, RulesetAttr, RulesetCreated, RulesetCreatedAttr, RulesetStatus, Scope,
};

use super::{SandboxError, SandboxMode, SandboxPolicy};

/// The Landlock ABI whose rights are asked for; older kernels get what they have
/// (best effort), a kernel without Landlock gets an error.
const TARGET: ABI = ABI::V7;

/// Restricts the calling thread's file access (and TCP, when the network is off).
/// `writes_proc`: `/proc` stays writable (as far as file permissions allow), for
/// `unshare` to write a user namespace's id maps.
pub(super) fn restrict(
    policy: &SandboxPolicy,
    workspace: &Path,
    writes_proc: bool,
) -> Result<(), SandboxError> {
    let setup = |e: &dyn std::fmt::Display| SandboxError::Setup(e.to_string());
    let hidden: Vec<PathBuf> = policy.hidden.iter().map(|p| real(p)).collect();
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(TARGET))
        .map_err(|e| setup(&e))?
        .scope(Scope::Signal)
        .map_err(|e| setup(&e))?;
    if !policy.network {
        ruleset = ruleset
            .handle_access(AccessNet::from_all(TARGET))
            .map_err(|e| setup(&e))?
            .scope(Scope::AbstractUnixSocket)
            .map_err(|e| setup(&e))?;
    }
    let mut created = ruleset.create().map_err(|e| setup(&e))?;
    for dir in beneath_except(Path::new("/"), &hidden) {
        created = grant(created, &dir, AccessFs::from_read(TARGET))?;
    }
    if policy.mode == SandboxMode::WorkspaceWrite {
        let roots = [real(workspace), real(&std::env::temp_dir())]
            .into_iter()
            .chain(policy.writable.iter().map(|p| real(p)));
        for root in roots {
            for dir in beneath_except(&root, &hidden) {
                created = grant(created, &dir, AccessFs::from_all(TARGET))?;
            }
        }
    }
    let null = AccessFs::ReadFile | AccessFs::WriteFile | AccessFs::Truncate;
    created = grant(created, Path::new("/dev/null"), null)?;
    if writes_proc {
        created = grant(created, Path::new("/proc"), AccessFs::WriteFile.into())?;
    }
    let status = created.restrict_self().map_err(|e| setup(&e))?;
    require_enforced(&status.ruleset, &status.landlock)
}

/// Refuses a ruleset the kernel did not enforce (no Landlock): nothing runs
/// unsandboxed silently.
pub(super) fn require_enforced(
    ruleset: &RulesetStatus,
    landlock: &impl std::fmt::Debug,
) -> Result<(), SandboxError> {
    if *ruleset == RulesetStatus::NotEnforced {
        return Err(SandboxError::Unsupported {
            feature: "Landlock (Linux 5.13 or later, enabled in the kernel's LSM list)",
            detail: format!("{landlock:?}"),
        });
    }
    Ok(())
}

/// Adds a rule granting `access` beneath `path`; a path that vanished meanwhile is
/// skipped.
fn grant(
    created: RulesetCreated,
    path: &Path,
    access: BitFlags<AccessFs>,
) -> Result<RulesetCreated, SandboxError> {
    let Ok(fd) = PathFd::new(path) else {
        return Ok(created);
    };
    // A rule on a file (not a directory) may only hold file rights.
    let access = if path.is_dir() {
        access
    } else {
        access & AccessFs::from_file(TARGET)
    };
    created
        .add_rule(PathBeneath::new(fd, access))
        .map_err(|e| SandboxError::Setup(format!("`{}`: {e}", path.display())))
}

/// The paths that together cover everything beneath `root` except `hidden` (and
/// what is beneath them): `root` itself when no hidden path is inside it, otherwise
/// its entries, recursively, along the way to each hidden path. Symbolic links are
/// left out (what they point to is covered, or not, by its own path).
pub(super) fn beneath_except(root: &Path, hidden: &[PathBuf]) -> Vec<PathBuf> {
    if hidden.iter().any(|h| root.starts_with(h)) {
        return Vec::new();
    }
    if !hidden.iter().any(|h| h.starts_with(root)) {
        return vec![root.to_owned()];
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|t| !t.is_symlink()))
        .flat_map(|entry| beneath_except(&entry.path(), hidden))
        .collect()
}

/// `path` with its symbolic links resolved, as far as it exists.
fn real(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => real(parent).join(name),
        _ => path.to_owned(),
    }
}
