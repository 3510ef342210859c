//! The sandbox against real processes on this kernel (Landlock and seccomp are
//! required: a machine without them fails these tests).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clanka_model::ToolCall;
use serde_json::json;

use super::files::beneath_except;
use crate::{
    EnvPolicy, ExecPolicy, SandboxMode, SandboxPolicy, ToolContext, ToolRequest, Toolkit, Workspace,
};

fn context(workspace: &Path, home: &Path, sandbox: SandboxPolicy) -> ToolContext {
    let env = EnvPolicy::default().set("HOME", home.display().to_string());
    let policy = ExecPolicy::default()
        .with_env(env)
        .with_login_shell(false)
        .with_sandbox(sandbox);
    ToolContext::new(Workspace::new(workspace).unwrap()).with_exec(Arc::new(policy))
}

/// Runs `cmd` with `shell_command`; its output and exit code.
async fn run(context: &ToolContext, cmd: &str) -> (String, i32) {
    let request = ToolRequest {
        call: ToolCall::new(
            "call_1",
            "shell_command",
            json!({ "command": cmd }).to_string(),
        ),
        context: context.clone(),
    };
    let answer = Toolkit::codex()
        .get("shell_command")
        .unwrap()
        .call(request)
        .await
        .unwrap()
        .text;
    let code = answer
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("Exit code: "))
        .unwrap()
        .parse()
        .unwrap();
    let output = answer.split_once("Output:\n").unwrap().1.to_owned();
    (output, code)
}

#[test]
fn a_hidden_path_is_carved_out_entry_by_entry() {
    let root = tempfile::tempdir().unwrap();
    for dir in ["a/b/secret", "a/b/other", "a/c", "d"] {
        std::fs::create_dir_all(root.path().join(dir)).unwrap();
    }
    std::fs::write(root.path().join("a/b/file"), "x").unwrap();
    std::os::unix::fs::symlink(root.path().join("a/b/secret"), root.path().join("a/link")).unwrap();
    let hidden = [root.path().join("a/b/secret")];
    let mut granted = beneath_except(root.path(), &hidden);
    granted.sort();
    let expected: Vec<PathBuf> = ["a/b/file", "a/b/other", "a/c", "d"]
        .iter()
        .map(|p| root.path().join(p))
        .collect();
    assert_eq!(
        granted, expected,
        "the link into the hidden dir is left out"
    );
    assert_eq!(
        beneath_except(&root.path().join("d"), &hidden),
        vec![root.path().join("d")]
    );
    assert!(beneath_except(&root.path().join("a/b/secret/x"), &hidden).is_empty());
}

#[tokio::test]
async fn workspace_write_writes_the_workspace_only_and_hides_the_store() {
    let (workspace, home, store) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    std::fs::write(store.path().join("token"), "secret-token").unwrap();
    let sandbox = SandboxPolicy::default().hide(store.path());
    let context = context(workspace.path(), home.path(), sandbox);
    let (_, code) = run(&context, "echo hi > inside.txt").await;
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(workspace.path().join("inside.txt")).unwrap(),
        "hi\n"
    );
    let (output, code) = run(&context, &format!("cat {}/token", store.path().display())).await;
    assert_ne!(code, 0, "{output}");
    assert!(output.contains("Permission denied"), "{output}");
    assert!(!output.contains("secret-token"));
    let (output, code) = run(&context, &format!("ls {}", store.path().display())).await;
    assert_ne!(code, 0, "{output}");
    let (output, code) = run(&context, "echo x > /etc/clanka-sandbox-test").await;
    assert_ne!(code, 0, "{output}");
    assert!(!Path::new("/etc/clanka-sandbox-test").exists());
}

#[tokio::test]
async fn read_only_writes_nothing_but_dev_null() {
    let (workspace, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sandbox = SandboxPolicy::default().with_mode(SandboxMode::ReadOnly);
    let context = context(workspace.path(), home.path(), sandbox);
    let (output, code) = run(&context, "echo hi > inside.txt").await;
    assert_ne!(code, 0, "{output}");
    assert!(!workspace.path().join("inside.txt").exists());
    let (output, code) = run(
        &context,
        "echo hi > /dev/null && ls / > /dev/null && echo ok",
    )
    .await;
    assert_eq!((output.as_str(), code), ("ok\n", 0));
}

#[tokio::test]
async fn the_network_is_off_unless_allowed() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (workspace, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let connect = format!("echo ping > /dev/tcp/127.0.0.1/{port} && echo connected");
    let off = context(workspace.path(), home.path(), SandboxPolicy::default());
    let (output, code) = run(&off, &connect).await;
    assert_ne!(code, 0, "{output}");
    assert!(!output.contains("connected"), "{output}");
    let on = context(
        workspace.path(),
        home.path(),
        SandboxPolicy::default().with_network(true),
    );
    let (output, code) = run(&on, &connect).await;
    assert_eq!((output.as_str(), code), ("connected\n", 0));
}

#[tokio::test]
async fn danger_full_access_is_not_sandboxed() {
    let (workspace, home, store) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    std::fs::write(store.path().join("token"), "readable").unwrap();
    let sandbox = SandboxPolicy::default()
        .with_mode(SandboxMode::DangerFullAccess)
        .hide(store.path());
    let context = context(workspace.path(), home.path(), sandbox);
    let (output, code) = run(&context, &format!("cat {}/token", store.path().display())).await;
    assert_eq!((output.as_str(), code), ("readable", 0));
}

#[test]
fn a_kernel_without_landlock_is_refused_naming_it_and_the_way_out() {
    use landlock::RulesetStatus;
    let error =
        super::files::require_enforced(&RulesetStatus::NotEnforced, &"NotImplemented").unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("Landlock")
            && message.contains("NotImplemented")
            && message.contains("--sandbox danger-full-access")
            && message.starts_with("the command was not run"),
        "{message}"
    );
    for enforced in [
        RulesetStatus::FullyEnforced,
        RulesetStatus::PartiallyEnforced,
    ] {
        assert_eq!(super::files::require_enforced(&enforced, &"ok"), Ok(()));
    }
}
