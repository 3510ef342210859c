//! Safe execution through the agent, driven by a scripted model on clanka-mock: the
//! `workspace-write` sandbox (no writes outside the workspace, no token, no
//! network), containment of detached processes, and the approval policies.
//! Each test fails when the protection it checks is removed.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clanka::agent::{Agent, Output};
use clanka::runtime::Layer;
use clanka::{approval, codex, toolkit};
use clanka_mock::{MockOptions, MockServer, Scenario, ScriptedResponse};
use clanka_model::ProviderOptions;
use clanka_tools::{
    Action, ApprovalPolicy, ApprovalReason, ApprovalRequest, Approver, Decision, ExecPolicy,
    SandboxMode, SandboxPolicy, ToolContext, ToolError, ToolService,
};
use futures_util::StreamExt as _;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::common::{assert_gone, marker, running, token_store};

const MODEL: &str = "gpt-6.1-sol";

/// The directories of one test: the workspace, the store (hidden from commands),
/// HOME, and a directory outside all of them that commands may not write.
struct Dirs {
    workspace: tempfile::TempDir,
    store: tempfile::TempDir,
    home: tempfile::TempDir,
    outside: tempfile::TempDir,
}

impl Dirs {
    fn new() -> Self {
        Self {
            workspace: tempfile::tempdir().unwrap(),
            store: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
            // Not under the temp dir, which `workspace-write` lets commands write.
            outside: tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap(),
        }
    }

    /// Commands without a login shell, HOME apart, the store hidden.
    fn policy(&self, mode: SandboxMode, approval: ApprovalPolicy) -> ExecPolicy {
        let env =
            clanka_tools::EnvPolicy::default().set("HOME", self.home.path().display().to_string());
        ExecPolicy::default()
            .with_env(env)
            .with_login_shell(false)
            .with_sandbox(
                SandboxPolicy::default()
                    .with_mode(mode)
                    .hide(self.store.path()),
            )
            .with_approval(approval)
    }
}

/// Runs `prompt` on an agent (SSE, signed in through the store) with `policy` and
/// `approver`; returns the mock and the tool outputs the model got, in order.
async fn run(
    dirs: &Dirs,
    scenario: Scenario,
    policy: ExecPolicy,
    approver: Approver,
    extra_tools: Layer,
) -> (MockServer, Vec<String>) {
    let server = MockServer::start(MockOptions::default().with_scenario(scenario))
        .await
        .unwrap();
    token_store(&server, dirs.store.path(), false).await;
    let client = super::common::client(&server, dirs.store.path());
    let model = codex::model(MODEL, ProviderOptions::default()).provide(&client);
    let graph = Agent::layer_local(dirs.workspace.path()).provide(&Layer::merge_all([
        model,
        extra_tools,
        Layer::succeed(policy),
        approval::layer(approver),
    ]));
    let runtime = graph.build().await.unwrap();
    let agent: Agent = runtime.get().unwrap();
    let mut events = agent.send("go", None);
    let mut last = None;
    while let Some(event) = events.next().await {
        last = Some(event.unwrap());
    }
    assert!(
        matches!(last, Some(Output::AgentFinished { .. })),
        "{last:?}"
    );
    let requests = server.response_requests();
    let outputs = requests
        .last()
        .and_then(|r| r.input())
        .unwrap()
        .iter()
        .filter(|item| {
            item["type"] == "function_call_output" || item["type"] == "custom_tool_call_output"
        })
        .map(|item| item["output"].as_str().unwrap_or_default().to_owned())
        .collect();
    (server, outputs)
}

fn exec(cmd: &str) -> ScriptedResponse {
    ScriptedResponse::new().function_call("exec_command", json!({ "cmd": cmd }))
}

fn done() -> ScriptedResponse {
    ScriptedResponse::new().message("done")
}

/// An approver that records what it is asked and answers `decision`.
fn recording(decision: Decision) -> (Approver, Arc<Mutex<Vec<ApprovalRequest>>>) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&asked);
    let approver = Approver::from_fn(move |request: ApprovalRequest| {
        log.lock().unwrap().push(request);
        let decision = decision.clone();
        async move { decision }
    });
    (approver, asked)
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

#[tokio::test]
async fn workspace_write_keeps_commands_in_the_workspace_away_from_tokens_and_off_the_network() {
    let dirs = Dirs::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let escaped = dirs.outside.path().join("escaped.txt");
    let store = dirs.store.path().display().to_string();
    let scenario = Scenario::new()
        .respond(exec("echo inside > inside.txt && echo wrote"))
        .respond(exec(&format!("echo out > {}", escaped.display())))
        .respond(exec(&format!("cat {store}/* ; ls {store}")))
        .respond(exec(&format!(
            "echo ping > /dev/tcp/127.0.0.1/{port} && echo connected"
        )))
        .respond(done());
    let policy = dirs.policy(SandboxMode::WorkspaceWrite, ApprovalPolicy::Never);
    let (server, outputs) = run(
        &dirs,
        scenario,
        policy,
        Approver::default(),
        toolkit::layer_codex(),
    )
    .await;

    assert_eq!(outputs.len(), 4, "{outputs:?}");
    assert!(
        outputs[0].contains("exited with code 0") && outputs[0].ends_with("wrote\n"),
        "{}",
        outputs[0]
    );
    assert_eq!(
        std::fs::read_to_string(dirs.workspace.path().join("inside.txt")).unwrap(),
        "inside\n"
    );
    assert!(outputs[1].contains("exited with code 1"), "{}", outputs[1]);
    assert!(
        !escaped.exists(),
        "a file was written outside the workspace"
    );
    assert!(outputs[2].contains("Permission denied"), "{}", outputs[2]);
    let stored = files_in(dirs.store.path());
    assert!(!stored.is_empty(), "the store holds the token");
    for file in stored {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!outputs[2].contains(text.trim()), "{}", outputs[2]);
        assert!(
            !outputs[2].contains(&name),
            "the store was listed: {}",
            outputs[2]
        );
    }
    assert_eq!(server.response_requests().len(), 5);
    assert!(!outputs[3].contains("connected"), "{}", outputs[3]);
    assert!(outputs[3].contains("exited with code 1"), "{}", outputs[3]);
    assert_eq!(
        listener.accept().map(|_| ()).map_err(|e| e.kind()),
        Err(ErrorKind::WouldBlock),
        "the command reached the loopback server"
    );
}

#[derive(Deserialize, JsonSchema)]
struct ProbeArgs {
    /// The marker to look for.
    marker: String,
}

/// A tool the scripted model calls between two commands: which processes with the
/// marker run at that moment.
fn probe() -> ToolService {
    ToolService::typed(
        "probe",
        "Lists the processes whose command line holds a marker.",
        |args: ProbeArgs, _context: ToolContext| async move {
            Ok::<_, ToolError>(format!("running: {:?}", running(&args.marker)))
        },
    )
}

#[tokio::test]
async fn detached_and_double_forked_processes_end_with_their_command() {
    let dirs = Dirs::new();
    let (detached, forked) = (marker(), marker());
    let scenario = Scenario::new()
        .respond(exec(&format!(
            "setsid -f sleep {detached}; (sleep {forked} &); echo started"
        )))
        .respond(ScriptedResponse::new().function_call("probe", json!({ "marker": detached })))
        .respond(ScriptedResponse::new().function_call("probe", json!({ "marker": forked })))
        .respond(done());
    let policy = dirs.policy(SandboxMode::WorkspaceWrite, ApprovalPolicy::Never);
    let (_server, outputs) = run(
        &dirs,
        scenario,
        policy,
        Approver::default(),
        toolkit::with(probe()).provide(&toolkit::layer_codex()),
    )
    .await;
    assert!(outputs[0].ends_with("started\n"), "{}", outputs[0]);
    assert_eq!(
        outputs[1], "running: []",
        "the setsid process outlived its command"
    );
    assert_eq!(
        outputs[2], "running: []",
        "the double-forked process outlived its command"
    );
    assert_gone(&detached).await;
}

#[tokio::test]
async fn untrusted_asks_before_a_write_and_a_denial_reaches_the_model() {
    let dirs = Dirs::new();
    let scenario = Scenario::new()
        .respond(exec("ls -a"))
        .respond(exec("touch made.txt"))
        .respond(done());
    let policy = dirs.policy(SandboxMode::WorkspaceWrite, ApprovalPolicy::Untrusted);
    let (approver, asked) = recording(Decision::deny("not in this directory"));
    let (_server, outputs) = run(&dirs, scenario, policy, approver, toolkit::layer_codex()).await;

    assert!(
        outputs[0].contains("exited with code 0"),
        "known safe, not asked: {}",
        outputs[0]
    );
    assert!(
        outputs[1].contains("not in this directory"),
        "{}",
        outputs[1]
    );
    assert!(!outputs[1].contains("exited"), "{}", outputs[1]);
    assert!(
        !dirs.workspace.path().join("made.txt").exists(),
        "the command ran"
    );
    let asked = asked.lock().unwrap();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0].tool, "exec_command");
    assert_eq!(asked[0].reason, ApprovalReason::Untrusted);
    assert_eq!(asked[0].sandbox, SandboxMode::WorkspaceWrite);
    assert!(
        matches!(&asked[0].action, Action::Command { command, .. } if command == "touch made.txt")
    );
}

#[tokio::test]
async fn never_with_read_only_fails_writes_in_the_sandbox_without_asking() {
    let dirs = Dirs::new();
    let patch = "*** Begin Patch\n*** Add File: patched.txt\n+x\n*** End Patch\n";
    let scenario = Scenario::new()
        .respond(exec("touch made.txt"))
        .respond(ScriptedResponse::new().custom_tool_call("apply_patch", patch))
        .respond(exec("echo x > /dev/null && echo fine"))
        .respond(done());
    let policy = dirs.policy(SandboxMode::ReadOnly, ApprovalPolicy::Never);
    let (approver, asked) = recording(Decision::Approve);
    let (_server, outputs) = run(&dirs, scenario, policy, approver, toolkit::layer_codex()).await;

    assert!(outputs[0].contains("exited with code 1"), "{}", outputs[0]);
    assert!(
        outputs[0].contains("Permission denied") || outputs[0].contains("Read-only"),
        "{}",
        outputs[0]
    );
    assert!(outputs[1].contains("read-only"), "{}", outputs[1]);
    assert!(outputs[2].ends_with("fine\n"), "{}", outputs[2]);
    assert!(files_in(dirs.workspace.path()).is_empty());
    assert!(asked.lock().unwrap().is_empty(), "never asks");
}

#[tokio::test]
async fn on_request_runs_an_approved_escalation_outside_the_sandbox() {
    let dirs = Dirs::new();
    let target = dirs.outside.path().join("escalated.txt");
    let write = format!("echo out > {}", target.display());
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().function_call(
            "exec_command",
            json!({
                "cmd": write,
                "sandbox_permissions": "require_escalated",
                "justification": "The build writes its cache there."
            }),
        ))
        .respond(done());
    let policy = dirs.policy(SandboxMode::WorkspaceWrite, ApprovalPolicy::OnRequest);
    let (approver, asked) = recording(Decision::Approve);
    let (server, outputs) = run(&dirs, scenario, policy, approver, toolkit::layer_codex()).await;

    assert!(outputs[0].contains("exited with code 0"), "{}", outputs[0]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "out\n");
    let asked = asked.lock().unwrap();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].sandbox, SandboxMode::DangerFullAccess);
    assert_eq!(
        asked[0].reason,
        ApprovalReason::Escalation {
            justification: Some("The build writes its cache there.".into())
        }
    );
    // The model was told how to ask.
    let first = &server.response_requests()[0];
    let said = first.body.to_string();
    assert!(said.contains("on-request") && said.contains("require_escalated"));
}

#[tokio::test]
async fn on_failure_asks_to_run_again_without_the_sandbox() {
    let dirs = Dirs::new();
    let target = dirs.outside.path().join("again.txt");
    let scenario = Scenario::new()
        .respond(exec(&format!("echo again > {}", target.display())))
        .respond(exec("exit 3"))
        .respond(done());
    let policy = dirs.policy(SandboxMode::WorkspaceWrite, ApprovalPolicy::OnFailure);
    let (approver, asked) = recording(Decision::Approve);
    let (_server, outputs) = run(&dirs, scenario, policy, approver, toolkit::layer_codex()).await;

    assert!(outputs[0].contains("exited with code 0"), "{}", outputs[0]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "again\n");
    assert!(outputs[1].contains("exited with code 3"), "{}", outputs[1]);
    let asked = asked.lock().unwrap();
    assert_eq!(
        asked.len(),
        1,
        "a plain failure is not the sandbox's: {asked:?}"
    );
    assert_eq!(asked[0].sandbox, SandboxMode::DangerFullAccess);
    assert!(
        matches!(&asked[0].reason, ApprovalReason::SandboxDenied { output } if output.contains("Permission denied")),
        "{:?}",
        asked[0].reason
    );
}

#[tokio::test]
async fn approved_for_the_session_is_not_asked_again() {
    let dirs = Dirs::new();
    let scenario = Scenario::new()
        .respond(exec("touch a.txt"))
        .respond(exec("touch a.txt"))
        .respond(exec("touch b.txt"))
        .respond(done());
    let policy = dirs.policy(SandboxMode::WorkspaceWrite, ApprovalPolicy::Untrusted);
    let (approver, asked) = recording(Decision::ApproveForSession);
    let (_server, outputs) = run(&dirs, scenario, policy, approver, toolkit::layer_codex()).await;

    assert!(
        outputs.iter().all(|o| o.contains("exited with code 0")),
        "{outputs:?}"
    );
    let commands: Vec<String> = asked
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.action.to_string())
        .collect();
    assert_eq!(commands, ["run `touch a.txt`", "run `touch b.txt`"]);
}
