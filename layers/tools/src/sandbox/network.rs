//! Network off: a seccomp filter on the calling thread that lets `socket(2)` create
//! Unix sockets only (IPv4, IPv6, netlink, packet and the rest fail with `EPERM`)
//! and refuses `io_uring_setup(2)`, through which sockets could be made without
//! `socket(2)`.

use std::collections::BTreeMap;

use nix::libc;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};

use super::SandboxError;

/// Installs the filter on the calling thread.
pub(super) fn deny() -> Result<(), SandboxError> {
    let program = program().map_err(|e| SandboxError::Setup(format!("seccomp: {e}")))?;
    seccompiler::apply_filter(&program).map_err(|e| match e {
        seccompiler::Error::Seccomp(error) => SandboxError::Unsupported {
            feature: "seccomp filters",
            detail: error.to_string(),
        },
        other => SandboxError::Setup(format!("seccomp: {other}")),
    })
}

fn program() -> Result<BpfProgram, seccompiler::Error> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)?;
    let not_unix = SeccompRule::new(vec![SeccompCondition::new(
        0,
        SeccompCmpArgLen::Dword,
        SeccompCmpOp::Ne,
        libc::AF_UNIX as u64,
    )?])?;
    let rules = BTreeMap::from([
        (libc::SYS_socket, vec![not_unix]),
        // An empty rule list matches every call.
        (libc::SYS_io_uring_setup, Vec::new()),
    ]);
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )?;
    Ok(filter.try_into()?)
}
