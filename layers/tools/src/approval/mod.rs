//! Approval: who says yes before a tool changes something the policy does not let it
//! change on its own.
//!
//! The [`ApprovalPolicy`] (with the official client's meanings) says when to ask; an
//! [`Approver`], a tower service, answers. A denial goes back to the model as the
//! tool's result, with the reason, and nothing runs.
//!
//! | policy | asks before |
//! |---|---|
//! | `untrusted` | every command not known to only read, every file change, and every call of an MCP tool not marked read-only |
//! | `on-request` | a command the model asks to run outside the sandbox (`sandbox_permissions: "require_escalated"`), and file changes a `read-only` sandbox forbids |
//! | `on-failure` | running a command again outside the sandbox after the sandbox made it fail, and file changes a `read-only` sandbox forbids |
//! | `never` | nothing: what the sandbox forbids fails |
//!
//! # Example
//!
//! ```
//! use clanka_tools::{Action, ApprovalReason, ApprovalRequest, Approver, Decision, SandboxMode};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // Allow `git` commands, refuse everything else.
//! let approver = Approver::from_fn(|request: ApprovalRequest| async move {
//!     match &request.action {
//!         Action::Command { command, .. } if command.starts_with("git ") => Decision::Approve,
//!         _ => Decision::deny("only git commands are allowed"),
//!     }
//! });
//! let request = ApprovalRequest {
//!     tool: "exec_command".into(),
//!     action: Action::Command { command: "rm -rf build".into(), workdir: "/work".into() },
//!     sandbox: SandboxMode::WorkspaceWrite,
//!     reason: ApprovalReason::Untrusted,
//! };
//! assert_eq!(approver.ask(request).await, Decision::deny("only git commands are allowed"));
//! # }
//! ```

mod gate;
mod safe;

use std::collections::HashSet;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use serde::{Deserialize, Serialize};
use tower::util::{BoxCloneSyncService, ServiceExt as _};
use tower::{Service, service_fn};

use crate::SandboxMode;

pub use safe::is_known_safe;

/// When the agent asks before acting. See the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApprovalPolicy {
    /// Ask before every command not known to only read, and every file change.
    Untrusted,
    /// Ask when the model asks to leave the sandbox. The default.
    #[default]
    OnRequest,
    /// Ask to run a command again without the sandbox after it failed inside it.
    OnFailure,
    /// Never ask.
    Never,
}

impl ApprovalPolicy {
    /// The policy's name, as written in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Untrusted => "untrusted",
            Self::OnRequest => "on-request",
            Self::OnFailure => "on-failure",
            Self::Never => "never",
        }
    }
}

impl fmt::Display for ApprovalPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApprovalPolicy {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        [
            Self::Untrusted,
            Self::OnRequest,
            Self::OnFailure,
            Self::Never,
        ]
        .into_iter()
        .find(|policy| policy.as_str() == name)
        .ok_or_else(|| {
            format!(
                "unknown approval policy `{name}`: expected untrusted, on-request, on-failure or never"
            )
        })
    }
}

/// What a tool wants to do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Run a command line.
    Command {
        /// The command line (or the argument vector joined with spaces).
        command: String,
        /// Where it runs.
        workdir: PathBuf,
    },
    /// Change files (relative to the workspace).
    Write {
        /// The files.
        paths: Vec<String>,
    },
    /// Call a tool of another program (an MCP server's).
    Tool {
        /// The tool, as the model names it.
        name: String,
        /// The arguments, as the model wrote them.
        arguments: String,
    },
}

impl Action {
    /// The key an [`ApproveForSession`](Decision::ApproveForSession) answer is
    /// remembered under: the same command line, or the same files.
    fn key(&self) -> String {
        match self {
            Self::Command { command, .. } => format!("command\0{command}"),
            Self::Write { paths } => format!("write\0{}", paths.join("\0")),
            Self::Tool { name, arguments } => format!("tool\0{name}\0{arguments}"),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Command { command, .. } => write!(f, "run `{command}`"),
            Self::Write { paths } => write!(f, "change {}", paths.join(", ")),
            Self::Tool { name, arguments } => write!(f, "call `{name}` with {arguments}"),
        }
    }
}

/// Why the agent asks.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApprovalReason {
    /// The policy is `untrusted` and the action is not known to only read.
    Untrusted,
    /// The model asks to run the command outside the sandbox.
    Escalation {
        /// The model's reason, when it gave one.
        justification: Option<String>,
    },
    /// The command failed inside the sandbox, apparently because of it; approving
    /// runs it again without the sandbox.
    SandboxDenied {
        /// The end of what the failed command printed.
        output: String,
    },
    /// The sandbox is `read-only` and the tool changes files.
    ReadOnly,
}

impl fmt::Display for ApprovalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Untrusted => f.write_str("the approval policy is `untrusted`"),
            Self::Escalation {
                justification: Some(why),
            } => write!(f, "the model asks to run it without the sandbox: {why}"),
            Self::Escalation {
                justification: None,
            } => f.write_str("the model asks to run it without the sandbox"),
            Self::SandboxDenied { .. } => {
                f.write_str("it failed in the sandbox; approving runs it again without")
            }
            Self::ReadOnly => f.write_str("the sandbox is read-only"),
        }
    }
}

/// A question for the [`Approver`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRequest {
    /// The tool that asks (`exec_command`, `apply_patch`, …).
    pub tool: String,
    /// What it wants to do.
    pub action: Action,
    /// The sandbox it would run in once approved (`danger-full-access`: none).
    pub sandbox: SandboxMode,
    /// Why the agent asks.
    pub reason: ApprovalReason,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead, this once.
    Approve,
    /// Go ahead, and do not ask again for the same action while this agent lives.
    ApproveForSession,
    /// Do not; the reason goes back to the model.
    Deny {
        /// Why.
        reason: String,
    },
}

impl Decision {
    /// A [`Deny`](Self::Deny) with `reason`.
    pub fn deny(reason: impl Into<String>) -> Self {
        Self::Deny {
            reason: reason.into(),
        }
    }
}

/// Answers [`ApprovalRequest`]s: a tower service, cheap to clone.
///
/// Recipes: [`from_fn`](Self::from_fn) for apps, [`deny`](Self::deny) for runs no
/// one watches (the default), [`approve`](Self::approve) for trusted automation,
/// [`new`](Self::new) for any service (a console prompt, a chat message, a web
/// hook).
#[derive(Clone)]
pub struct Approver {
    service: BoxCloneSyncService<ApprovalRequest, Decision, Infallible>,
}

impl Approver {
    /// An approver made of `service`.
    pub fn new<S>(service: S) -> Self
    where
        S: Service<ApprovalRequest, Response = Decision, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        Self {
            service: BoxCloneSyncService::new(service),
        }
    }

    /// An approver that calls `decide`.
    pub fn from_fn<F, Fut>(decide: F) -> Self
    where
        F: Fn(ApprovalRequest) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Decision> + Send + 'static,
    {
        Self::new(service_fn(move |request| {
            let answer = decide(request);
            async move { Ok::<_, Infallible>(answer.await) }
        }))
    }

    /// An approver that denies everything with `reason` (for runs no one watches).
    pub fn deny(reason: impl Into<String>) -> Self {
        let reason: Arc<str> = reason.into().into();
        Self::from_fn(move |_| {
            let reason = Arc::clone(&reason);
            async move { Decision::deny(&*reason) }
        })
    }

    /// An approver that approves everything, this once each time.
    pub fn approve() -> Self {
        Self::from_fn(|_| async { Decision::Approve })
    }

    /// Asks.
    pub async fn ask(&self, request: ApprovalRequest) -> Decision {
        match self.service.clone().oneshot(request).await {
            Ok(decision) => decision,
            Err(never) => match never {},
        }
    }
}

impl Default for Approver {
    /// Denies everything: no one was named to approve.
    fn default() -> Self {
        Self::deny("no one can approve it: this agent has no approver")
    }
}

impl fmt::Debug for Approver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Approver")
    }
}

impl Service<ApprovalRequest> for Approver {
    type Response = Decision;
    type Error = Infallible;
    type Future = futures_util::future::BoxFuture<'static, Result<Decision, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.service.poll_ready(cx)
    }

    fn call(&mut self, request: ApprovalRequest) -> Self::Future {
        self.service.call(request)
    }
}

/// An [`Approver`] and the actions approved for the session: what an agent and its
/// sub-agents share. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Approvals {
    approver: Approver,
    remembered: Arc<Mutex<HashSet<String>>>,
}

impl Approvals {
    /// Approvals answered by `approver`, none remembered yet.
    pub fn new(approver: Approver) -> Self {
        Self {
            approver,
            remembered: Arc::default(),
        }
    }

    /// The approver.
    pub fn approver(&self) -> &Approver {
        &self.approver
    }

    /// Asks, unless the same action was approved for the session; remembers an
    /// [`ApproveForSession`](Decision::ApproveForSession).
    pub async fn ask(&self, request: ApprovalRequest) -> Decision {
        let key = request.action.key();
        if self.remembered().contains(&key) {
            return Decision::ApproveForSession;
        }
        let decision = self.approver.ask(request).await;
        if decision == Decision::ApproveForSession {
            self.remembered().insert(key);
        }
        decision
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.remembered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
