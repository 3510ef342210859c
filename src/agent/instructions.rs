//! The agent's system prompt, plus the directory's AGENTS.md.

use clanka_model::Message;

use clanka_tools::{ApprovalPolicy, ExecPolicy, SandboxMode};

use super::Workspace;

/// Longest AGENTS.md included in the system prompt.
const AGENTS_MD_LIMIT: usize = 32 * 1024;

const BASE: &str = "\
You are clanka, a coding agent working in a local directory on the user's behalf.

Work until the task is done:
- Explore before you edit: list_files, grep and read_file show what is there.
- Edit with apply_patch (preferred, for changes to existing files) or write_file (new or \
fully rewritten files). Paths are relative to the working directory; the file tools refuse paths outside it.
- Run builds, tests and other commands with exec_command (when available). A command \
still running when it yields keeps going as a session: talk to it or poll it with write_stdin. \
Read the output and fix what fails.
- Keep a short plan with update_plan for tasks of several steps.
- Delegate self-contained side tasks (reading and summarizing, small independent edits) \
with delegate when it is available; you get the sub-agent's summary back.
- When the task is complete, call task_complete with a short summary of what you did \
and anything the user must know. If you answer without calling a tool, that answer \
ends the task.

Be precise and brief. Do not invent file contents: read them.";

/// The agent's system prompt.
pub(crate) fn system_prompt() -> &'static str {
    BASE
}

/// The developer messages that follow the system prompt at the head of every
/// request: what commands may do (sandbox and approval policy), the directory's
/// AGENTS.md when present, then the `extra` instructions of this `send`. They are not
/// kept in the history, so an edited AGENTS.md counts from the next send on.
pub(crate) fn developer_messages(
    workspace: &Workspace,
    policy: &ExecPolicy,
    extra: Option<&str>,
) -> Vec<Message> {
    let mut messages = vec![Message::developer(permissions(policy))];
    if let Some(agents) = agents_md(workspace) {
        messages.push(Message::developer(format!(
            "# AGENTS.md (instructions for this directory)\n\n{agents}"
        )));
    }
    if let Some(extra) = extra.filter(|e| !e.trim().is_empty()) {
        messages.push(Message::developer(format!(
            "# Additional instructions\n\n{extra}"
        )));
    }
    messages
}

/// What the model is told about its sandbox and approval policy.
fn permissions(policy: &ExecPolicy) -> String {
    let sandbox = &policy.sandbox;
    let files = match sandbox.mode {
        SandboxMode::ReadOnly => {
            "Commands run in a `read-only` sandbox: they can read files but write none.".to_owned()
        }
        SandboxMode::WorkspaceWrite => {
            let mut places = "the working directory and the temp dir".to_owned();
            for path in &sandbox.writable {
                places.push_str(&format!(", `{}`", path.display()));
            }
            format!(
                "Commands run in a `workspace-write` sandbox: they can read files, and write \
                 only in {places}."
            )
        }
        SandboxMode::DangerFullAccess => {
            "Commands run without a sandbox (`danger-full-access`).".to_owned()
        }
    };
    let network = match (sandbox.is_sandboxed(), sandbox.network) {
        (true, false) => " The network is off for commands.",
        _ => "",
    };
    let approval = match policy.approval {
        ApprovalPolicy::Untrusted => {
            "Approval policy `untrusted`: the user approves every command that is not known to only \
             read, and every file change."
        }
        ApprovalPolicy::OnRequest => {
            "Approval policy `on-request`: when a command needs to run outside the sandbox (to \
             write elsewhere, or reach the network), call it with `sandbox_permissions` \
             `require_escalated` and a one-sentence `justification`; the user decides."
        }
        ApprovalPolicy::OnFailure => {
            "Approval policy `on-failure`: when the sandbox makes a command fail, the user is \
             asked whether to run it again without the sandbox."
        }
        ApprovalPolicy::Never => {
            "Approval policy `never`: no one can approve anything; work within the sandbox and \
             do not ask for escalation."
        }
    };
    format!("# Permissions\n\n{files}{network}\n{approval}")
}

fn agents_md(workspace: &Workspace) -> Option<String> {
    let path = workspace.resolve("AGENTS.md").ok()?;
    let text = std::fs::read_to_string(path).ok()?;
    if text.len() <= AGENTS_MD_LIMIT {
        return Some(text);
    }
    let end = text.floor_char_boundary(AGENTS_MD_LIMIT);
    Some(format!(
        "{}\n[... AGENTS.md goes on for {} more bytes]",
        &text[..end],
        text.len() - end
    ))
}

#[cfg(test)]
mod tests {
    use clanka_tools::{ExecPolicy, SandboxPolicy};

    #[test]
    fn the_model_is_told_every_place_it_may_write() {
        let sandbox = SandboxPolicy::default().writable("/opt/cache");
        let told = super::permissions(&ExecPolicy::default().with_sandbox(sandbox));
        assert!(
            told.contains("the working directory and the temp dir, `/opt/cache`."),
            "{told}"
        );
    }
}
