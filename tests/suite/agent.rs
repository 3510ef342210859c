//! The agent end to end: Codex models from recipes, clanka-mock, a real temp directory
//! and real processes.

use std::time::Duration;

use clanka::agent::{self, Agent, Output};
use clanka::codex;
use clanka::runtime::Layer;
use clanka_mock::{MockOptions, MockServer, RecordKind, Scenario, ScriptedResponse};
use clanka_model::{ProviderOptions, ReasoningEffort};
use futures_util::StreamExt as _;
use serde_json::json;

const PRIMARY: &str = "gpt-6.1-sol";
const SUBAGENT: &str = "gpt-5.5";

fn call(name: &str, arguments: serde_json::Value) -> ScriptedResponse {
    ScriptedResponse::new().function_call(name, arguments)
}

/// The graph of examples/cli.rs: one client shared by a WebSocket primary model and
/// an SSE sub-agent model.
fn graph(server: &MockServer, store: &std::path::Path, dir: &std::path::Path) -> Layer {
    let client = super::common::client(server, store);
    let high = ProviderOptions::default().reasoning_effort(ReasoningEffort::High);
    let low = ProviderOptions::default().reasoning_effort(ReasoningEffort::Low);
    let primary = codex::model_websocket(PRIMARY, high).provide(&client);
    let sub = agent::layer_subagent_model(codex::model(SUBAGENT, low)).provide(&client);
    let exec = Layer::succeed(super::common::quiet_exec(store));
    Agent::layer_local(dir).provide(&Layer::merge_all([primary, sub, exec]))
}

/// A mock with `scenario`, a store, a working directory and the agent of [`graph`].
struct Setup {
    server: MockServer,
    store: tempfile::TempDir,
    dir: tempfile::TempDir,
    runtime: clanka::runtime::Runtime,
    agent: Agent,
}

impl Setup {
    async fn start(scenario: Scenario) -> Self {
        let options = MockOptions::default().with_scenario(scenario);
        let server = MockServer::start(options).await.unwrap();
        let store = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let runtime = graph(&server, store.path(), dir.path())
            .build()
            .await
            .unwrap();
        let agent = runtime.get().unwrap();
        Self {
            server,
            store,
            dir,
            runtime,
            agent,
        }
    }
}

async fn run(agent: &Agent, prompt: &str) -> Vec<Output> {
    let mut stream = agent.send(prompt, None);
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push(event.unwrap());
    }
    events
}

/// Events as short labels, sub-agent events prefixed with `sub:`; deltas dropped.
fn shape(events: &[Output]) -> Vec<String> {
    fn label(event: &Output) -> Option<String> {
        Some(match event {
            Output::SubagentPart { part, .. } => format!("sub:{}", label(part)?),
            Output::ToolCall { name, .. } => format!("call {name}"),
            Output::ToolOutput { is_error, .. } => {
                format!("output{}", if *is_error { " error" } else { "" })
            }
            Output::SubagentStart { model, .. } => format!("subagent start {model}"),
            Output::SubagentComplete { summary, .. } => format!("subagent complete: {summary}"),
            Output::SubagentFailed { .. } => "subagent failed".to_owned(),
            Output::AgentStart { model, .. } => format!("start {model}"),
            Output::AgentFinished { summary, .. } => format!("finished: {summary}"),
            Output::TextStart { .. } => "text".to_owned(),
            _ => return None,
        })
    }
    events.iter().filter_map(label).collect()
}

#[tokio::test]
async fn patch_shell_and_delegate_with_shared_auth() {
    let patch = "*** Begin Patch\n*** Add File: hello.txt\n+hi\n*** Add File: src/notes.md\n+# Notes\n*** End Patch\n";
    let scenario = Scenario::new()
        .model(
            PRIMARY,
            vec![
                ScriptedResponse::new().custom_tool_call("apply_patch", patch),
                call("exec_command", json!({"cmd": "cat hello.txt src/notes.md"})),
                call(
                    "delegate",
                    json!({"task": "Read hello.txt and say what it contains."}),
                ),
                call(
                    "task_complete",
                    json!({"summary": "Created hello.txt and src/notes.md."}),
                ),
            ],
        )
        .model(
            SUBAGENT,
            vec![
                call("read_file", json!({"path": "hello.txt"})),
                ScriptedResponse::new().message("hello.txt says hi"),
            ],
        );
    let Setup {
        server,
        store: _store,
        dir,
        runtime,
        agent,
    } = Setup::start(scenario).await;

    let events = run(&agent, "create the files").await;

    assert_eq!(
        std::fs::read_to_string(dir.path().join("hello.txt")).unwrap(),
        "hi\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("src/notes.md")).unwrap(),
        "# Notes\n"
    );
    assert_eq!(
        shape(&events),
        [
            "start gpt-6.1-sol",
            "call apply_patch",
            "output",
            "call exec_command",
            "output",
            "subagent start gpt-5.5",
            "sub:start gpt-5.5",
            "sub:call read_file",
            "sub:output",
            "sub:text",
            "sub:finished: hello.txt says hi",
            "subagent complete: hello.txt says hi",
            "finished: Created hello.txt and src/notes.md.",
        ]
    );
    let shell_output = events.iter().find_map(|e| match e {
        Output::ToolOutput { output, .. } if output.contains("Notes") => Some(output.clone()),
        _ => None,
    });
    assert_eq!(shell_output.as_deref(), Some("hi\n# Notes"));

    let requests = server.requests();
    // The primary ran over one WebSocket, the sub-agent over HTTP, each on its model.
    let primary: Vec<_> = requests
        .iter()
        .filter(|r| r.kind == RecordKind::WebSocketMessage)
        .collect();
    let sub: Vec<_> = requests
        .iter()
        .filter(|r| r.kind == RecordKind::Http && r.is_responses())
        .collect();
    assert_eq!(primary.len(), 4);
    assert_eq!(sub.len(), 2);
    assert!(primary.iter().all(|r| r.body["model"] == PRIMARY));
    assert!(sub.iter().all(|r| r.body["model"] == SUBAGENT));
    // The patch went back as a custom tool output, the command's output as a function's.
    let input = primary[1].body["input"].to_string();
    assert!(input.contains("custom_tool_call_output"), "{input}");
    assert!(primary[2].body["input"].to_string().contains("# Notes"));
    // One login, one access token for both models.
    let logins = requests
        .iter()
        .filter(|r| r.path == "/api/accounts/deviceauth/usercode")
        .count();
    assert_eq!(logins, 1);
    let tokens: std::collections::BTreeSet<_> = requests
        .iter()
        .filter(|r| r.is_responses() && r.kind != RecordKind::WebSocketMessage)
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    runtime.shutdown().await;
}

#[tokio::test]
async fn a_failed_sub_agent_is_reported_and_the_parent_goes_on() {
    // The sub-agent's request is refused (a 400, not retried): its run fails.
    let refused = clanka_mock::HttpError::Custom {
        status: 400,
        body: json!({"error": {"type": "invalid_request_error", "message": "no such thing"}}),
    };
    let scenario = Scenario::new()
        .model(
            PRIMARY,
            vec![
                call("delegate", json!({"task": "Do the impossible."})),
                call("task_complete", json!({"summary": "Reported the failure."})),
            ],
        )
        .model(SUBAGENT, vec![ScriptedResponse::new().http_error(refused)]);
    let setup = Setup::start(scenario).await;

    let events = run(&setup.agent, "try it").await;

    assert_eq!(
        shape(&events),
        [
            "start gpt-6.1-sol",
            "subagent start gpt-5.5",
            "sub:start gpt-5.5",
            "subagent failed",
            "finished: Reported the failure.",
        ]
    );
    let failed = events.iter().find_map(|e| match e {
        Output::SubagentFailed { error, .. } => Some(error.clone()),
        _ => None,
    });
    assert!(
        failed.is_some_and(|e| e.contains("no such thing")),
        "{events:?}"
    );
    let told = setup
        .server
        .requests()
        .into_iter()
        .rfind(|r| r.kind == RecordKind::WebSocketMessage)
        .unwrap();
    assert!(
        told.body.to_string().contains("the sub-agent failed"),
        "the model is told: {}",
        told.body
    );
    setup.runtime.shutdown().await;
}

#[tokio::test]
async fn escapes_and_a_bad_patch_are_refused_and_change_nothing() {
    let bad_patch = "*** Begin Patch\n*** Add File: new.txt\n+x\n*** Update File: keep.txt\n@@\n-not there\n+y\n*** End Patch";
    let scenario = Scenario::new()
        .respond(
            ScriptedResponse::new()
                .function_call("read_file", json!({"path": "../x"}))
                .function_call("read_file", json!({"path": "/etc/passwd"}))
                .function_call("read_file", json!({"path": "out/secret"}))
                .function_call("apply_patch", json!({"input": bad_patch})),
        )
        .respond(call("task_complete", json!({"summary": "refused"})));
    let Setup {
        server: _server,
        store: _store,
        dir,
        runtime: _runtime,
        agent,
    } = Setup::start(scenario).await;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "s").unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("keep.txt"), "original\n").unwrap();

    let events = run(&agent, "try to escape").await;

    let errors: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Output::ToolOutput {
                output,
                is_error: true,
                ..
            } => Some(output.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(errors[0].contains("outside the working directory"));
    assert!(errors[1].contains("outside the working directory"));
    assert!(errors[2].contains("symbolic link"));
    assert!(
        errors[3].contains("keep.txt") && errors[3].contains("hunk 1"),
        "{}",
        errors[3]
    );
    assert!(!dir.path().join("new.txt").exists());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(),
        "original\n"
    );
    assert!(
        matches!(events.last(), Some(Output::AgentFinished { summary, .. }) if summary == "refused")
    );
}

#[tokio::test]
async fn concurrent_subagents_do_not_interleave_mid_section() {
    let slow = ScriptedResponse::new()
        .message_deltas(["alpha ", "beta ", "gamma"])
        .delay(Duration::from_millis(40));
    let scenario = Scenario::new()
        .model(
            PRIMARY,
            vec![
                ScriptedResponse::new()
                    .function_call("delegate", json!({"task": "first"}))
                    .function_call("delegate", json!({"task": "second"})),
                call("task_complete", json!({"summary": "both done"})),
            ],
        )
        .model(SUBAGENT, vec![slow]);
    let Setup {
        server: _server,
        store: _store,
        dir: _dir,
        runtime: _runtime,
        agent,
    } = Setup::start(scenario).await;

    let events = run(&agent, "delegate twice").await;

    let mut owner: Option<String> = None;
    let mut completed = 0;
    for event in &events {
        match event {
            Output::SubagentPart { id, part } => match part.as_ref() {
                Output::TextStart { .. } | Output::ReasoningStart { .. } => {
                    assert!(
                        owner.is_none(),
                        "a section began inside another: {events:#?}"
                    );
                    owner = Some(id.clone());
                }
                Output::TextEnd { .. } | Output::ReasoningEnd { .. } => owner = None,
                _ => assert!(
                    owner.is_none() || owner.as_ref() == Some(id),
                    "interleaved: {events:#?}"
                ),
            },
            Output::SubagentComplete { summary, .. } => {
                completed += 1;
                assert_eq!(summary, "alpha beta gamma");
            }
            other => assert!(owner.is_none(), "parent event mid-section: {other:?}"),
        }
    }
    assert_eq!(completed, 2);
    assert!(
        matches!(events.last(), Some(Output::AgentFinished { summary, .. }) if summary == "both done")
    );
}
