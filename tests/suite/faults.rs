//! Every fault of the mock, once and persistent, through the CLI as a process: the
//! exact number of requests the mock saw, an upper bound on the time, the exit code,
//! and that the answer is printed exactly once (or not at all when the run fails).
//! The README's troubleshooting table records these figures.

use std::time::{Duration, Instant};

use clanka_mock::{HttpError, MockServer, Scenario, ScriptedResponse};
use futures_util::StreamExt as _;
use serde_json::json;

use super::common::{cli, json_lines, output, text};

const ANSWER: &str = "The answer is 42.";

/// Events of the answer: 0 created, 1 in_progress, 2 item added, 3 part added,
/// 4–7 the four word deltas, 8–10 the done events, 11 completed.
fn answer() -> ScriptedResponse {
    ScriptedResponse::new().message(ANSWER)
}

/// A command appending to `marker.txt`; its `output_item.done` is event 5.
fn tool_call() -> ScriptedResponse {
    ScriptedResponse::new().function_call("exec_command", json!({"cmd": "echo ran >> marker.txt"}))
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Transport {
    Sse,
    WebSocket,
}

#[derive(Clone)]
struct Case {
    name: &'static str,
    transport: Transport,
    /// The response carrying the fault.
    faulty: ScriptedResponse,
    /// What a good attempt answers instead (the tool call before the answer, or the answer).
    good: Vec<ScriptedResponse>,
    /// Requests when the fault happens once, and when it persists.
    once: usize,
    persistent: usize,
    /// Whether a single fault ends the run anyway (a server delay over the cap).
    fatal_once: bool,
    /// Upper bound on the persistent run's time.
    bound: Duration,
}

fn cases() -> Vec<Case> {
    let http = |error: HttpError| ScriptedResponse::new().http_error(error);
    let five = Duration::from_secs(20);
    let quick = Duration::from_secs(10);
    let case = |name, transport, faulty: ScriptedResponse, persistent, bound| Case {
        name,
        transport,
        faulty,
        good: vec![answer()],
        once: 2,
        persistent,
        fatal_once: false,
        bound,
    };
    vec![
        case("500", Transport::Sse, http(HttpError::ServerError), 5, five),
        case(
            "500 over websocket",
            Transport::WebSocket,
            http(HttpError::ServerError),
            5,
            five,
        ),
        case(
            "503 overloaded",
            Transport::Sse,
            http(HttpError::Overloaded),
            5,
            five,
        ),
        case(
            "429 in 0.2 s",
            Transport::Sse,
            http(HttpError::rate_limited(0.2)),
            5,
            five,
        ),
        Case {
            once: 1,
            fatal_once: true,
            ..case(
                "429 in 120 s",
                Transport::Sse,
                http(HttpError::rate_limited(120.0)),
                1,
                quick,
            )
        },
        Case {
            once: 1,
            fatal_once: true,
            ..case(
                "429 in 3600 s",
                Transport::Sse,
                http(HttpError::rate_limited(3600.0)),
                1,
                quick,
            )
        },
        case(
            "drop mid-stream",
            Transport::Sse,
            answer().drop_after(6),
            5,
            five,
        ),
        case(
            "no completed",
            Transport::Sse,
            answer().no_completed(),
            5,
            five,
        ),
        case(
            "no completed over websocket",
            Transport::WebSocket,
            answer().no_completed(),
            5,
            five,
        ),
        case(
            "malformed text delta",
            Transport::Sse,
            answer().malformed_event(5),
            5,
            five,
        ),
        Case {
            good: vec![tool_call(), answer()],
            once: 3,
            ..case(
                "malformed tool call",
                Transport::Sse,
                tool_call().malformed_event(5),
                5,
                five,
            )
        },
    ]
}

struct Outcome {
    requests: usize,
    elapsed: Duration,
    exit: Option<i32>,
    stdout: String,
    stderr: String,
    marker: Option<String>,
}

async fn run(case: &Case, faults: usize) -> Outcome {
    let mut scenario = Scenario::new();
    for _ in 0..faults {
        scenario = scenario.respond(case.faulty.clone());
    }
    for good in &case.good {
        scenario = scenario.respond(good.clone());
    }
    let server = MockServer::start(clanka_mock::MockOptions::default().with_scenario(scenario))
        .await
        .unwrap();
    let (dir, store) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut command = cli();
    if case.transport == Transport::Sse {
        command.arg("--http");
    }
    command
        .arg("-C")
        .arg(dir.path())
        .arg("what is the answer?")
        .env("CLANKA_AUTH__API_KEY", "sk-mock")
        .env("CLANKA_CODEX__BASE_URL", server.codex_base_url())
        .env("CLANKA_STORE__DIR", store.path());
    let started = Instant::now();
    let result = output(command).await;
    let outcome = Outcome {
        requests: server.response_requests().len(),
        elapsed: started.elapsed(),
        exit: result.status.code(),
        stdout: text(&result.stdout),
        stderr: text(&result.stderr),
        marker: std::fs::read_to_string(dir.path().join("marker.txt")).ok(),
    };
    server.shutdown().await;
    outcome
}

fn check(case: &Case, persistent: bool, outcome: &Outcome) -> Result<(), String> {
    let what = format!(
        "{} ({}): {} requests, {:.1} s, exit {:?}\n{}\n{}",
        case.name,
        if persistent { "persistent" } else { "once" },
        outcome.requests,
        outcome.elapsed.as_secs_f64(),
        outcome.exit,
        outcome.stdout,
        outcome.stderr
    );
    let expected = if persistent {
        case.persistent
    } else {
        case.once
    };
    let fails = persistent || case.fatal_once;
    let answers = outcome.stdout.matches(ANSWER).count();
    let tool_runs = outcome.marker.as_deref().map_or(0, |m| m.lines().count());
    let checks = [
        (
            outcome.requests == expected,
            format!("expected {expected} requests"),
        ),
        (
            outcome.exit == Some(if fails { 1 } else { 0 }),
            "wrong exit code".to_owned(),
        ),
        (
            answers == usize::from(!fails),
            format!("the answer is printed {answers} times"),
        ),
        (
            tool_runs == usize::from(!fails && case.good.len() > 1),
            format!("the tool ran {tool_runs} times"),
        ),
        (
            !persistent || outcome.elapsed <= case.bound,
            format!("slower than {:?}", case.bound),
        ),
    ];
    match checks.iter().find(|(ok, _)| !ok) {
        Some((_, problem)) => Err(format!("{problem}: {what}")),
        None => Ok(()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_fault_costs_exact_requests_bounded_time_and_prints_the_answer_once() {
    // A few CLI processes at a time: the bounds are on each run, not on how many
    // debug builds two cores can start at once.
    let jobs = cases().into_iter().flat_map(|case| {
        [false, true].map(|persistent| {
            let case = case.clone();
            async move {
                let faults = if persistent { 30 } else { 1 };
                let outcome = run(&case, faults).await;
                let verdict = check(&case, persistent, &outcome);
                (case.name, persistent, outcome, verdict)
            }
        })
    });
    let outcomes: Vec<_> = futures_util::stream::iter(jobs)
        .buffer_unordered(6)
        .collect()
        .await;
    let mut problems = Vec::new();
    for (name, persistent, outcome, verdict) in outcomes {
        eprintln!(
            "| {name} | {} | {} | {:.1} s | {:?} |",
            if persistent { "persistent" } else { "once" },
            outcome.requests,
            outcome.elapsed.as_secs_f64(),
            outcome.exit
        );
        if let Err(problem) = verdict {
            problems.push(problem);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n---\n"));
}

#[tokio::test]
async fn a_server_delay_over_the_cap_says_when_to_retry() {
    let case = cases()
        .into_iter()
        .find(|c| c.name == "429 in 3600 s")
        .unwrap();
    let outcome = run(&case, 1).await;
    assert_eq!(outcome.exit, Some(1));
    assert!(
        outcome.stderr.contains("retry in 3600.0 s"),
        "{}",
        outcome.stderr
    );
}

#[tokio::test]
async fn json_output_carries_the_discard_and_each_text_once_after_it() {
    let server = MockServer::start(
        clanka_mock::MockOptions::default().with_scenario(
            Scenario::new()
                .respond(answer().drop_after(6))
                .respond(answer()),
        ),
    )
    .await
    .unwrap();
    let (dir, store) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut command = cli();
    command
        .args(["--http", "--json", "-C"])
        .arg(dir.path())
        .arg("what is the answer?")
        .env("CLANKA_AUTH__API_KEY", "sk-mock")
        .env("CLANKA_CODEX__BASE_URL", server.codex_base_url())
        .env("CLANKA_STORE__DIR", store.path());
    let result = output(command).await;
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let events = json_lines(&result.stdout);
    // What a consumer keeps: deltas of sections not named by a later discard.
    let discarded: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "retry")
        .flat_map(|e| e["discard"].as_array().unwrap())
        .map(|id| id.as_str().unwrap())
        .collect();
    assert_eq!(discarded.len(), 1, "{events:?}");
    let kept: String = events
        .iter()
        .filter(|e| e["type"] == "text_delta" && !discarded.contains(&e["id"].as_str().unwrap()))
        .map(|e| e["delta"].as_str().unwrap())
        .collect();
    assert_eq!(kept, ANSWER);
    server.shutdown().await;
}
