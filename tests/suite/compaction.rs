//! Automatic compaction through the agent and clanka-mock: a 30-turn run with a small
//! `compact_at` compacts again and again, each later request carrying the compaction
//! item and smaller than before it; with an API key the CLI compacts through
//! `/responses/compact` and `--json` reports each compaction; with compaction failing,
//! the CLI's run completes uncompacted and says so.

use clanka::agent::{Agent, AgentConfig, Output};
use clanka::codex;
use clanka::runtime::Layer;
use clanka_mock::{CompactionFault, MockOptions, MockServer, Scenario, ScriptedResponse};
use clanka_model::ProviderOptions;
use futures_util::StreamExt as _;
use serde_json::json;

use std::process::Stdio;

use super::common::{Run, cli_on, json_lines, output, quiet_exec, text, token_store};

const TURNS: usize = 30;
const COMPACT_AT: u64 = 1500;

/// `TURNS` commands of about 100 tokens of output each, then an answer.
fn long_run() -> Scenario {
    let command = json!({"cmd": "for i in $(seq 1 40); do echo line $i; done"});
    (0..TURNS)
        .fold(Scenario::new(), |scenario, _| {
            scenario.respond(ScriptedResponse::new().function_call("exec_command", command.clone()))
        })
        .respond(ScriptedResponse::new().message("all done"))
}

fn is_compaction_item(item: &serde_json::Value) -> bool {
    item["type"] == "compaction"
}

#[tokio::test]
async fn a_long_run_compacts_repeatedly_and_requests_shrink() {
    let server = MockServer::start(MockOptions::default().with_scenario(long_run()))
        .await
        .unwrap();
    let (store, dir, home) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    token_store(&server, store.path(), false).await;
    let model = codex::model("gpt-6.1-sol", ProviderOptions::default())
        .provide(&super::common::client(&server, store.path()));
    let graph = Agent::layer_local(dir.path()).provide(&Layer::merge_all([
        model,
        Layer::succeed(quiet_exec(home.path())),
        Layer::succeed(AgentConfig::default().compact_at(COMPACT_AT)),
    ]));
    let runtime = graph.build().await.unwrap();
    let agent: Agent = runtime.get().unwrap();
    let events: Vec<Output> = agent
        .send("count lines", None)
        .map(Result::unwrap)
        .collect()
        .await;

    assert!(matches!(events.last(), Some(Output::AgentFinished { .. })));
    let finished: Vec<(u64, u64)> = events
        .iter()
        .filter_map(|event| match event {
            Output::CompactionFinished {
                tokens_before,
                tokens_after,
                method,
            } => {
                assert_eq!(method, "remote");
                Some((*tokens_before, *tokens_after))
            }
            _ => None,
        })
        .collect();
    assert!(finished.len() >= 2, "{finished:?}");
    assert!(
        finished
            .iter()
            .all(|(before, after)| after < before && *before >= COMPACT_AT)
    );

    let requests = server.response_requests();
    let compactions: Vec<usize> = (0..requests.len())
        .filter(|&i| requests[i].is_compaction())
        .collect();
    assert_eq!(compactions.len(), finished.len());
    for &at in &compactions {
        let (before, after) = (&requests[at - 1], &requests[at + 1]);
        assert!(!before.is_compaction() && !after.is_compaction());
        assert!(
            after.input().unwrap().iter().any(is_compaction_item),
            "request {} after the compaction",
            at + 1
        );
        let size = |r: &clanka_mock::RecordedRequest| r.body.to_string().len();
        assert!(
            size(after) < size(before),
            "request {} is not smaller: {} vs {}",
            at + 1,
            size(after),
            size(before)
        );
    }
    assert!(
        requests
            .last()
            .unwrap()
            .input()
            .unwrap()
            .iter()
            .any(is_compaction_item)
    );
    assert_eq!(requests.len(), TURNS + 1 + compactions.len());
}

#[tokio::test]
async fn a_failing_compaction_warns_and_the_run_completes_uncompacted() {
    let Run {
        server,
        mut command,
        dirs: _dirs,
    } = cli_on(long_run().with_compaction_fault(CompactionFault::NoItem)).await;
    command
        .env("CLANKA_AGENT__COMPACT_AT", COMPACT_AT.to_string())
        .stdout(Stdio::piped());
    let result = output(command).await;
    let shown = format!("{}{}", text(&result.stdout), text(&result.stderr));
    assert_eq!(result.status.code(), Some(0), "{shown}");
    assert!(shown.contains("all done"), "{shown}");
    assert!(shown.contains("compacting the context"), "{shown}");
    assert!(
        shown.contains("warning: compaction failed") && shown.contains("continuing uncompacted"),
        "{shown}"
    );
    let requests = server.response_requests();
    assert_eq!(
        requests.len(),
        TURNS + 1,
        "API-key mode compacts through the endpoint only"
    );
    assert!(
        requests
            .iter()
            .all(|r| !r.input().unwrap().iter().any(is_compaction_item))
    );
}

#[tokio::test]
async fn with_an_api_key_the_endpoint_compacts_and_json_tells_it() {
    let Run {
        server,
        mut command,
        dirs: _dirs,
    } = cli_on(long_run()).await;
    command
        .arg("--json")
        .env("CLANKA_AGENT__COMPACT_AT", COMPACT_AT.to_string())
        .stdout(Stdio::piped());
    let result = output(command).await;
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let events = json_lines(&result.stdout);
    let started = events
        .iter()
        .filter(|e| e["type"] == "compaction_started")
        .count();
    let finished: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["type"] == "compaction_finished")
        .collect();
    assert!(started >= 1 && started == finished.len(), "{events:?}");
    assert!(
        finished.iter().all(|e| e["method"] == "endpoint"),
        "{finished:?}"
    );
    assert!(
        finished
            .iter()
            .all(|e| e["tokens_after"].as_u64() < e["tokens_before"].as_u64()),
        "{finished:?}"
    );
    let compacted = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/responses/compact"))
        .count();
    assert_eq!(
        compacted,
        finished.len(),
        "one endpoint call per compaction"
    );
    let last = server.response_requests().pop().unwrap();
    assert!(
        last.input().unwrap().iter().any(is_compaction_item),
        "the last request carries the endpoint's compaction item"
    );
}
