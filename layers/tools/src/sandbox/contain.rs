//! Containment: every command is started as
//!
//! ```text
//! setpriv --pdeathsig KILL -- unshare [--user --map-current-user] --pid --fork --kill-child -- <command>
//! ```
//!
//! `unshare` puts the command's shell first in a new PID namespace; when that shell
//! exits or is killed, the kernel kills every process of the namespace, including
//! those that called `setsid` or were orphaned by a double fork. `--kill-child` kills
//! the shell when `unshare` dies, and `setpriv --pdeathsig KILL` kills `unshare` when
//! the thread that started it ends: the starting thread lives as long as the command
//! should, and dies with this process however it ends (SIGKILL included).
//!
//! Creating a PID namespace needs root or an unprivileged user namespace. Where
//! neither is allowed, commands run in a process group of their own under
//! `setpriv --pdeathsig KILL` only (a warning says so once): the group is killed when
//! the command ends, but a process that left the group (`setsid`) survives a
//! SIGKILL of this process.

use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// How commands are contained on this machine (probed once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Containment {
    /// A PID namespace; `user` when it takes an unprivileged user namespace.
    Namespace { user: bool },
    /// `setpriv --pdeathsig` and a process group only.
    Group,
    /// A process group only (`setpriv` is missing).
    Bare,
}

impl Containment {
    /// This machine's containment, probed by running `true` the ways above, best
    /// first. Blocks (a few milliseconds) the first time.
    pub(crate) fn probe() -> Self {
        static PROBED: OnceLock<Containment> = OnceLock::new();
        *PROBED.get_or_init(|| {
            let found = [
                Self::Namespace { user: false },
                Self::Namespace { user: true },
                Self::Group,
            ]
            .into_iter()
            .find(|way| runs(&way.wrap(vec!["true".to_owned()])))
            .unwrap_or(Self::Bare);
            if !matches!(found, Self::Namespace { .. }) {
                tracing::warn!(
                    containment = ?found,
                    "cannot create a PID namespace (needs root or unprivileged user namespaces, \
                     and util-linux's `unshare` and `setpriv`): a process a command detaches \
                     with `setsid` can outlive this program if it is killed with SIGKILL"
                );
            }
            found
        })
    }

    /// Whether the sandbox must let the command write `/proc` files (the user
    /// namespace's id maps, written by `unshare` after the sandbox applies).
    pub(crate) fn writes_proc(self) -> bool {
        self == Self::Namespace { user: true }
    }

    /// `argv` wrapped for this containment.
    pub(crate) fn wrap(self, argv: Vec<String>) -> Vec<String> {
        let setpriv = ["setpriv", "--pdeathsig", "KILL", "--"];
        let unshare: &[&str] = match self {
            Self::Namespace { user: false } => {
                &["unshare", "--pid", "--fork", "--kill-child", "--"]
            }
            Self::Namespace { user: true } => &[
                "unshare",
                "--user",
                "--map-current-user",
                "--pid",
                "--fork",
                "--kill-child",
                "--",
            ],
            Self::Group | Self::Bare => &[],
        };
        let prefix: &[&str] = if self == Self::Bare { &[] } else { &setpriv };
        prefix
            .iter()
            .chain(unshare)
            .map(|&word| word.to_owned())
            .chain(argv)
            .collect()
    }
}

fn runs(argv: &[String]) -> bool {
    let Some((program, args)) = argv.split_first() else {
        return false;
    };
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}
