//! The approval policy applied: what a tool may do on its own, what it asks the
//! approver first, and what it is refused.

use std::path::Path;

use super::{Action, ApprovalPolicy, ApprovalReason, ApprovalRequest, Decision, is_known_safe};
use crate::sandbox::Sandboxing;
use crate::{SandboxMode, ToolContext, ToolError};

/// Words in a failed command's output that suggest the sandbox stopped it.
const DENIAL_SIGNS: &[&str] = &[
    "permission denied",
    "operation not permitted",
    "read-only file system",
    "network is unreachable",
    "could not resolve host",
    "temporary failure in name resolution",
    "failed to connect",
    "connection refused",
];

/// How much of a failed command's output an approver is shown.
const SHOWN_OUTPUT: usize = 2000;

impl ToolContext {
    /// Whether the command `line` may run, and how: in the policy's sandbox, or
    /// outside it when the model asked (`escalation`, with its justification) and
    /// the approver agreed. Refusals are [`ToolError::Denied`].
    pub(crate) async fn permit_command(
        &self,
        tool: &str,
        line: &str,
        workdir: &Path,
        escalation: Option<Option<String>>,
    ) -> Result<Sandboxing, ToolError> {
        let policy = self.exec();
        let action = Action::Command {
            command: line.to_owned(),
            workdir: workdir.to_owned(),
        };
        if let Some(justification) = escalation
            && policy.sandbox.is_sandboxed()
        {
            if policy.approval == ApprovalPolicy::Never {
                return Err(ToolError::Denied(
                    "the approval policy is `never`, so commands cannot leave the sandbox; \
                     run it without `require_escalated`, or do without it"
                        .to_owned(),
                ));
            }
            let reason = ApprovalReason::Escalation { justification };
            self.ask(tool, action, SandboxMode::DangerFullAccess, reason)
                .await?;
            return Ok(Sandboxing::Escalated);
        }
        if policy.approval == ApprovalPolicy::Untrusted && !is_known_safe(line) {
            let sandbox = policy.sandbox.mode;
            self.ask(tool, action, sandbox, ApprovalReason::Untrusted)
                .await?;
        }
        Ok(Sandboxing::Policy)
    }

    /// Under `on-failure`: whether a command that failed in the sandbox with
    /// `output` (its exit code `code`) may run again without it. Asks only when the
    /// output looks like the sandbox's doing.
    pub(crate) async fn permit_rerun(
        &self,
        tool: &str,
        line: &str,
        workdir: &Path,
        code: i32,
        output: &str,
    ) -> bool {
        let policy = self.exec();
        if policy.approval != ApprovalPolicy::OnFailure
            || !policy.sandbox.is_sandboxed()
            || code == 0
        {
            return false;
        }
        let lower = output.to_lowercase();
        if !DENIAL_SIGNS.iter().any(|sign| lower.contains(sign)) {
            return false;
        }
        let start = output.floor_char_boundary(output.len().saturating_sub(SHOWN_OUTPUT));
        let action = Action::Command {
            command: line.to_owned(),
            workdir: workdir.to_owned(),
        };
        let reason = ApprovalReason::SandboxDenied {
            output: output[start..].to_owned(),
        };
        self.ask(tool, action, SandboxMode::DangerFullAccess, reason)
            .await
            .is_ok()
    }

    /// Whether a tool of this process may change `paths` (relative to the
    /// workspace, which the tool has checked they are in).
    pub(crate) async fn permit_write(
        &self,
        tool: &str,
        paths: Vec<String>,
    ) -> Result<(), ToolError> {
        let policy = self.exec();
        let action = Action::Write { paths };
        let reason = if policy.approval == ApprovalPolicy::Untrusted {
            ApprovalReason::Untrusted
        } else if policy.sandbox.allows_workspace_writes() {
            return Ok(());
        } else if policy.approval == ApprovalPolicy::Never {
            return Err(ToolError::Denied(
                "the sandbox is read-only and the approval policy is `never`: files cannot be changed"
                    .to_owned(),
            ));
        } else {
            ApprovalReason::ReadOnly
        };
        self.ask(tool, action, policy.sandbox.mode, reason).await
    }

    /// Whether the tool `name` of another program (an MCP server) may run with
    /// `arguments`: under `untrusted` only after the approver agrees, unless the
    /// server marks it read-only.
    pub async fn permit_tool(
        &self,
        name: &str,
        arguments: &str,
        read_only: bool,
    ) -> Result<(), ToolError> {
        let policy = self.exec();
        if policy.approval != ApprovalPolicy::Untrusted || read_only {
            return Ok(());
        }
        let action = Action::Tool {
            name: name.to_owned(),
            arguments: arguments.to_owned(),
        };
        self.ask(name, action, policy.sandbox.mode, ApprovalReason::Untrusted)
            .await
    }

    async fn ask(
        &self,
        tool: &str,
        action: Action,
        sandbox: SandboxMode,
        reason: ApprovalReason,
    ) -> Result<(), ToolError> {
        let request = ApprovalRequest {
            tool: tool.to_owned(),
            action,
            sandbox,
            reason,
        };
        tracing::debug!(tool, action = %request.action, reason = %request.reason, "asking for approval");
        match self.approvals().ask(request).await {
            Decision::Approve | Decision::ApproveForSession => Ok(()),
            Decision::Deny { reason } => Err(ToolError::Denied(format!(
                "the user did not approve it ({reason}); it did not run"
            ))),
        }
    }
}
