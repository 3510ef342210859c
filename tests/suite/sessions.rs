//! Sessions through the CLI against the mock: a run and `resume --last` continue one
//! conversation, reasoning included; a run killed with SIGKILL resumes from its
//! last whole exchange; `sessions` lists both and `sessions rm` removes one.

use std::path::Path;
use std::process::{Command, Stdio};

use clanka_mock::{MockOptions, MockServer, RecordedRequest, Scenario, ScriptedResponse};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};

use super::common::{cli, marker, output, text, wait_running};

/// A CLI on a mock in API-key mode, with a store and a HOME of its own. (The mock
/// scripts each conversation from the start of its list, so each session gets a mock
/// of its own; the store is what they share.)
struct Setup {
    server: MockServer,
    store: tempfile::TempDir,
    home: tempfile::TempDir,
}

async fn mock(scenario: Scenario) -> MockServer {
    MockServer::start(MockOptions::default().with_scenario(scenario))
        .await
        .unwrap()
}

impl Setup {
    async fn new(scenario: Scenario) -> Self {
        Self {
            server: mock(scenario).await,
            store: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        }
    }

    fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut command = cli();
        // A subcommand comes first; the flags after it.
        command
            .args(args)
            .args(["--http", "-C"])
            .arg(dir)
            .env("CLANKA_AUTH__API_KEY", "sk-mock")
            .env("CLANKA_CODEX__BASE_URL", self.server.codex_base_url())
            // A directory the CLI creates, private as the default store is.
            .env("CLANKA_STORE__DIR", self.store.path().join("store"))
            .env("HOME", self.home.path())
            .stdin(Stdio::null());
        command
    }

    async fn run(&self, dir: &Path, args: &[&str]) -> (i32, String) {
        let result = output(self.command(dir, args)).await;
        let shown = format!("{}{}", text(&result.stdout), text(&result.stderr));
        (result.status.code().unwrap_or(-1), shown)
    }
}

/// The input items of `request` after the developer messages at its head.
fn conversation(request: &RecordedRequest) -> Vec<Value> {
    request
        .input()
        .unwrap()
        .iter()
        .skip_while(|item| item["role"] == "developer")
        .cloned()
        .collect()
}

fn user_text(item: &Value) -> Option<&str> {
    (item["role"] == "user").then(|| item["content"][0]["text"].as_str())?
}

#[tokio::test]
async fn resume_continues_a_session_and_one_killed_midway_from_its_last_exchange() {
    let mark = marker();
    let scenario = Scenario::new()
        .respond(
            ScriptedResponse::new()
                .reasoning("Looking.")
                .message("first done"),
        )
        .respond(ScriptedResponse::new().message("second done"));
    let mut setup = Setup::new(scenario).await;
    let (first_dir, second_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    let (code, shown) = setup.run(first_dir.path(), &["first task"]).await;
    assert_eq!(code, 0, "{shown}");
    let (code, shown) = setup
        .run(first_dir.path(), &["resume", "--last", "and now the rest"])
        .await;
    assert_eq!(code, 0, "{shown}");
    let requests = setup.server.response_requests();
    let (first, second) = (conversation(&requests[0]), conversation(&requests[1]));
    assert_eq!(
        second[..first.len()],
        first[..],
        "the resumed request starts with the first run's input"
    );
    let replayed: Vec<&str> = second[first.len()..]
        .iter()
        .map(|item| item["type"].as_str().unwrap())
        .collect();
    assert_eq!(replayed, ["reasoning", "message", "message"], "{second:?}");
    assert!(second[first.len()]["encrypted_content"].is_string());
    assert_eq!(user_text(second.last().unwrap()), Some("and now the rest"));

    // A run killed while its second command runs: its first exchange was saved.
    setup.server = mock(
        Scenario::new()
            .respond(
                ScriptedResponse::new().function_call("exec_command", json!({"cmd": "echo one"})),
            )
            .respond(ScriptedResponse::new().function_call(
                "exec_command",
                json!({"cmd": format!("sleep {mark}"), "yield_time_ms": 30000}),
            ))
            .respond(ScriptedResponse::new().message("resumed after the crash")),
    )
    .await;
    let mut child = setup
        .command(second_dir.path(), &["long task"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_running(&mark, 1).await;
    kill(
        Pid::from_raw(i32::try_from(child.id()).unwrap()),
        Signal::SIGKILL,
    )
    .unwrap();
    tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    let (code, shown) = setup
        .run(second_dir.path(), &["resume", "--last", "go on"])
        .await;
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("resumed after the crash"), "{shown}");
    let resumed = conversation(setup.server.response_requests().last().unwrap());
    let kinds: Vec<&str> = resumed
        .iter()
        .map(|i| i["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "message",
            "function_call",
            "function_call_output",
            "message"
        ],
        "the prompt and the saved exchange, then the new prompt: {resumed:?}"
    );
    assert_eq!(user_text(&resumed[0]), Some("long task"));
    assert!(resumed[2]["output"].as_str().unwrap().contains("one"));

    let (code, listed) = setup.run(first_dir.path(), &["sessions"]).await;
    assert_eq!(code, 0, "{listed}");
    assert!(
        listed.contains("first task") && listed.contains("long task"),
        "{listed}"
    );
    assert_eq!(
        listed.lines().count(),
        3,
        "a header and two sessions: {listed}"
    );
    let newest = listed
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let (code, shown) = setup
        .run(first_dir.path(), &["sessions", "rm", newest])
        .await;
    assert_eq!(code, 0, "{shown}");
    let (_, listed) = setup.run(first_dir.path(), &["sessions"]).await;
    assert_eq!(listed.lines().count(), 2, "{listed}");
    let (code, shown) = setup
        .run(
            tempfile::tempdir().unwrap().path(),
            &["resume", "--last", "x"],
        )
        .await;
    assert_eq!(code, 1, "nothing to resume in a new directory: {shown}");
    assert!(shown.contains("no session was recorded"), "{shown}");
}

#[tokio::test]
async fn a_sub_agent_run_is_kept_in_its_parents_session() {
    use clanka::agent::{self, Agent, Output};
    use clanka::runtime::Layer;
    use clanka::session::SessionStore;
    use clanka::{codex, kv, session};
    use clanka_model::ProviderOptions;
    use futures_util::StreamExt as _;

    let scenario = Scenario::new()
        .model(
            "gpt-6.1-sol",
            vec![
                ScriptedResponse::new()
                    .function_call("delegate", json!({"task": "read the notes"})),
                ScriptedResponse::new().message("all read"),
            ],
        )
        .model(
            "gpt-5.5",
            vec![ScriptedResponse::new().message("the notes say hi")],
        );
    let server = mock(scenario).await;
    let (store, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    super::common::token_store(&server, store.path(), false).await;
    let client = super::common::client(&server, store.path());
    let sessions_kv = kv::layer_memory();
    // `provide_merge`: the graph keeps the session store next to the agent.
    let graph = Agent::layer_local(dir.path()).provide_merge(&Layer::merge_all([
        codex::model("gpt-6.1-sol", ProviderOptions::default()).provide(&client),
        agent::layer_subagent_model(codex::model("gpt-5.5", ProviderOptions::default()))
            .provide(&client),
        session::layer_kv().provide(&sessions_kv),
    ]));
    let runtime = graph.build().await.unwrap();
    let agent: Agent = runtime.get().unwrap();
    let events: Vec<Output> = agent
        .send("read the notes", None)
        .map(Result::unwrap)
        .collect()
        .await;
    assert!(matches!(events.last(), Some(Output::AgentFinished { .. })));

    let sessions: SessionStore = runtime.get().unwrap();
    let session = sessions.load(agent.session_id()).await.unwrap();
    assert_eq!(session.subagents.len(), 1);
    let run = &session.subagents[0];
    assert_eq!(
        (run.task.as_str(), run.model.as_str()),
        ("read the notes", "gpt-5.5")
    );
    assert!(format!("{:?}", run.history).contains("the notes say hi"));
    assert_eq!(session.info.models, ["gpt-6.1-sol", "gpt-5.5"]);
    // The parent's own history holds the delegate call and its summary only.
    assert_eq!(session.history.len(), 4, "{:?}", session.history);
    assert!(format!("{:?}", session.history[3]).contains("all read"));
}
