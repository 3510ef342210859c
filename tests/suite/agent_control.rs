//! Controlling a running agent: retries, cancellation, steering, one send at a time,
//! history across sends. The model is Codex over SSE against clanka-mock.

use std::time::Duration;

use clanka::agent::{Agent, AgentError, Output};
use clanka_http::{HttpClient, HttpConfig};
use clanka_mock::{MockOptions, MockServer, Scenario, ScriptedResponse};
use clanka_model::Message;
use clanka_responses::{ResponsesConfig, ResponsesModel};
use futures_util::StreamExt as _;
use serde_json::json;
use tower::util::MapRequestLayer;

async fn setup(scenario: Scenario) -> (MockServer, tempfile::TempDir, Agent) {
    let server = MockServer::start(MockOptions::default().with_scenario(scenario))
        .await
        .unwrap();
    let http = HttpClient::new(HttpConfig::default())
        .unwrap()
        .with_layer(MapRequestLayer::new(|mut request: reqwest::Request| {
            request.headers_mut().insert(
                "authorization",
                http::HeaderValue::from_static("Bearer sk-mock"),
            );
            request
        }));
    let config = ResponsesConfig::new("gpt-5.5")
        .base_url(server.codex_base_url())
        .retry_base_delay(Duration::from_millis(10));
    let model = ResponsesModel::sse(http, config).language_model();
    let dir = tempfile::tempdir().unwrap();
    // No login shell: the machine's profile is never read.
    let agent = Agent::new(model, "gpt-5.5", dir.path())
        .unwrap()
        .with_exec_policy(super::common::quiet_exec(dir.path()));
    (server, dir, agent)
}

async fn collect(agent: &Agent, prompt: &str) -> (Vec<Output>, Option<AgentError>) {
    let mut stream = agent.send(prompt, None);
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        match event {
            Ok(event) => events.push(event),
            Err(error) => return (events, Some(error)),
        }
    }
    (events, None)
}

#[tokio::test]
async fn a_stream_cut_after_output_is_retried_by_the_model_and_the_partial_text_discarded() {
    let scenario = Scenario::new()
        .respond(
            ScriptedResponse::new()
                .message_deltas(["par", "tial", "!"])
                .drop_after(5),
        )
        .respond(ScriptedResponse::new().message("complete answer"));
    let (server, _dir, agent) = setup(scenario).await;

    let (events, error) = collect(&agent, "go").await;

    assert!(error.is_none(), "{error:?}");
    let retries: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Output::Retry {
                attempt: 1,
                discard,
                ..
            } => Some(discard),
            _ => None,
        })
        .collect();
    assert_eq!(retries.len(), 1);
    let started = events.iter().find_map(|e| match e {
        Output::TextStart { id } => Some(id),
        _ => None,
    });
    assert_eq!(
        retries[0].first(),
        started,
        "the partial section is taken back"
    );
    assert!(
        matches!(events.last(), Some(Output::AgentFinished { summary, .. }) if summary == "complete answer")
    );
    assert_eq!(server.response_requests().len(), 2);
    let history = agent.history();
    let texts: Vec<_> = history
        .iter()
        .filter(|m| matches!(m, Message::Assistant { .. }))
        .collect();
    assert_eq!(
        texts.len(),
        1,
        "the history holds only the final copy: {history:?}"
    );
}

#[tokio::test]
async fn history_is_kept_across_sends_and_one_send_runs_at_a_time() {
    let (server, _dir, agent) = setup(Scenario::new()).await;
    let (_, error) = collect(&agent, "first").await;
    assert!(error.is_none());

    let running = agent.send("second", None);
    let (_, busy) = collect(&agent, "third").await;
    assert!(matches!(busy, Some(AgentError::Busy)), "{busy:?}");
    let events: Vec<_> = running.collect().await;
    assert!(events.iter().all(Result::is_ok));

    let history = agent.history();
    let users: Vec<_> = history
        .iter()
        .filter(|m| matches!(m, Message::User { .. }))
        .collect();
    assert_eq!(users.len(), 2);
    let last = server.response_requests().pop().unwrap();
    let kinds: Vec<_> = last.body["input"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        ["message", "message", "reasoning", "message", "message"],
        "permissions, question, reasoning, answer, question"
    );
}

#[tokio::test]
async fn cancel_stops_a_running_command_and_ends_the_stream() {
    let mark = super::common::marker();
    let scenario = Scenario::new().respond(ScriptedResponse::new().function_call(
        "exec_command",
        json!({"cmd": format!("setsid -f sleep {mark}; sleep {mark}"), "yield_time_ms": 30000}),
    ));
    let (_server, _dir, agent) = setup(scenario).await;
    let mut stream = agent.send("wait", None);
    let waiter = async {
        let mut events = Vec::new();
        while let Some(event) = stream.next().await {
            events.push(event);
        }
        events
    };
    let canceller = async {
        super::common::wait_running(&mark, 2).await;
        agent.cancel();
    };
    let (events, ()) = tokio::time::timeout(Duration::from_secs(30), async {
        tokio::join!(waiter, canceller)
    })
    .await
    .unwrap();

    assert!(matches!(events.last(), Some(Err(AgentError::Cancelled))));
    super::common::assert_gone(&mark).await;
    // The history stays valid: the unanswered call was not recorded.
    assert!(
        agent
            .history()
            .iter()
            .all(|m| m.tool_calls().next().is_none())
    );
}

#[tokio::test]
async fn steering_interrupts_the_text_and_reaches_the_model() {
    let slow = ScriptedResponse::new()
        .message_deltas(["one ", "two ", "three ", "four ", "five "])
        .delay(Duration::from_millis(150));
    let scenario = Scenario::new()
        .respond(slow)
        .respond(ScriptedResponse::new().message("steered"));
    let (server, _dir, agent) = setup(scenario).await;
    let mut stream = agent.send("count", None);
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        let event = event.unwrap();
        if matches!(event, Output::TextDelta { .. })
            && !events.iter().any(|e| matches!(e, Output::TextDelta { .. }))
        {
            agent.steer("stop counting");
        }
        events.push(event);
    }

    assert!(
        matches!(events.last(), Some(Output::AgentFinished { summary, .. }) if summary == "steered")
    );
    let second = &server.response_requests()[1].body["input"];
    let text = second.to_string();
    assert!(text.contains("stop counting"), "{text}");
    assert!(
        !text.contains("five"),
        "the interrupted text was cut: {text}"
    );
}
