//! What containment and the sandbox cost a trivial command, spawn to exit:
//! `bash -c true` started directly with tokio (`bare`, no tool, no containment)
//! against the `shell_command` tool running `true` contained only
//! (`danger-full-access`), and contained and sandboxed (`workspace-write` with the
//! network off: Landlock and seccomp; `read-only`). `cargo bench -p clanka-tools
//! --bench sandbox`.

#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::Arc;

use clanka_model::ToolCall;
use clanka_tools::{
    EnvPolicy, ExecPolicy, SandboxMode, SandboxPolicy, ToolContext, ToolRequest, Toolkit, Workspace,
};
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn context(workspace: &std::path::Path, home: &std::path::Path, mode: SandboxMode) -> ToolContext {
    let env = EnvPolicy::default().set("HOME", home.display().to_string());
    let policy = ExecPolicy::default()
        .with_env(env)
        .with_login_shell(false)
        .with_sandbox(SandboxPolicy::default().with_mode(mode));
    ToolContext::new(Workspace::new(workspace).unwrap()).with_exec(Arc::new(policy))
}

fn bench(c: &mut Criterion) {
    let runtime = runtime();
    let (workspace, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let tool = Toolkit::codex().get("shell_command").unwrap();
    let mut group = c.benchmark_group("spawn_to_exit");
    group.bench_function("bare", |b| {
        b.to_async(&runtime).iter(|| async {
            let status = tokio::process::Command::new("bash")
                .args(["-c", "true"])
                .status()
                .await
                .unwrap();
            assert!(status.success());
        });
    });
    for (name, mode) in [
        ("contained", SandboxMode::DangerFullAccess),
        ("workspace_write", SandboxMode::WorkspaceWrite),
        ("read_only", SandboxMode::ReadOnly),
    ] {
        let context = context(workspace.path(), home.path(), mode);
        group.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| {
                let request = ToolRequest {
                    call: ToolCall::new("call", "shell_command", r#"{"command":"true"}"#),
                    context: context.clone(),
                };
                let tool = tool.clone();
                async move {
                    let output = tool.call(request).await.unwrap();
                    assert!(output.text.starts_with("Exit code: 0"), "{}", output.text);
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
