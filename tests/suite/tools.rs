//! Tools as services, end to end through the agent and clanka-mock: an app's own typed
//! tool in a toolkit without `exec_command`, a session of `exec_command` and
//! `write_stdin` across model turns that dies with the run, a freeform
//! `apply_patch` over SSE and WebSocket, and `view_image` handing the model an image.

use clanka::agent::{Agent, Output};
use clanka::runtime::Layer;
use clanka::{codex, toolkit};
use clanka_mock::{MockOptions, MockServer, RecordedRequest, Scenario, ScriptedResponse};
use clanka_model::ProviderOptions;
use clanka_tools::{ToolContext, ToolError, ToolService};
use futures_util::StreamExt as _;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

const MODEL: &str = "gpt-6.1-sol";

/// An agent on the mock's `MODEL` (WebSocket, or SSE with `sse`), with `tools`.
async fn agent(
    scenario: Scenario,
    tools: Layer,
    sse: bool,
) -> (MockServer, tempfile::TempDir, tempfile::TempDir, Agent) {
    let server = MockServer::start(MockOptions::default().with_scenario(scenario))
        .await
        .unwrap();
    let (store, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let client = super::common::client(&server, store.path());
    let model = if sse {
        codex::model(MODEL, ProviderOptions::default())
    } else {
        codex::model_websocket(MODEL, ProviderOptions::default())
    };
    let exec = Layer::succeed(super::common::quiet_exec(store.path()));
    let graph = Agent::layer_local(dir.path()).provide(&Layer::merge_all([
        model.provide(&client),
        tools,
        exec,
    ]));
    let runtime = graph.build().await.unwrap();
    let agent: Agent = runtime.get().unwrap();
    (server, store, dir, agent)
}

/// The first tool output in `request`'s input.
fn first_output(request: &RecordedRequest) -> serde_json::Value {
    request
        .input()
        .unwrap()
        .iter()
        .find(|i| i["type"] == "function_call_output")
        .unwrap()
        .clone()
}

async fn run(agent: &Agent, prompt: &str) -> Vec<Output> {
    let mut events = agent.send(prompt, None);
    let mut seen = Vec::new();
    while let Some(event) = events.next().await {
        seen.push(event.unwrap());
    }
    seen
}

fn tool_names(request: &RecordedRequest) -> Vec<String> {
    request.body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The arguments of the app's own tool.
#[derive(Deserialize, JsonSchema)]
struct WeatherArgs {
    /// The city.
    city: String,
    /// Degrees Fahrenheit instead of Celsius.
    #[serde(default)]
    fahrenheit: bool,
}

async fn weather(args: WeatherArgs, _context: ToolContext) -> Result<String, ToolError> {
    let unit = if args.fahrenheit { "°F" } else { "°C" };
    Ok(format!("{}: 21{unit}, sunny", args.city))
}

#[tokio::test]
async fn an_app_tool_is_offered_and_called_and_exec_command_can_be_removed() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().function_call("weather", json!({"city": "Lyon"})))
        .respond(ScriptedResponse::new().message("It is sunny in Lyon."));
    let tool = ToolService::typed("weather", "Today's weather in a city.", weather);
    let tools = toolkit::with(tool).provide(
        &toolkit::without("exec_command")
            .provide(&toolkit::without("write_stdin").provide(&toolkit::layer_codex())),
    );
    let (server, _store, _dir, agent) = agent(scenario, tools, true).await;

    let events = run(&agent, "weather in Lyon?").await;
    assert!(
        matches!(events.last(), Some(Output::AgentFinished { summary, .. }) if summary == "It is sunny in Lyon.")
    );

    let sent = server.response_requests();
    assert_eq!(
        tool_names(&sent[0]),
        [
            "apply_patch",
            "update_plan",
            "view_image",
            "read_file",
            "list_files",
            "grep",
            "write_file",
            "weather",
            "delegate",
            "task_complete"
        ]
    );
    let weather_tool = sent[0].body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "weather")
        .unwrap()
        .clone();
    assert_eq!(
        weather_tool["parameters"]["properties"]["city"]["type"],
        "string"
    );
    assert_eq!(weather_tool["parameters"]["required"], json!(["city"]));
    assert_eq!(first_output(&sent[1])["output"], "Lyon: 21°C, sunny");
}

#[tokio::test]
async fn a_command_session_spans_model_turns_and_dies_with_the_run() {
    let mark = super::common::marker();
    let write = |chars: &str| {
        ScriptedResponse::new()
            // A yield long enough for `cat` to echo on a loaded machine.
            .function_call(
                "write_stdin",
                json!({"session_id": 1000, "chars": chars, "yield_time_ms": 2000}),
            )
    };
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().function_call(
            "exec_command",
            json!({"cmd": format!("exec -a cat-{mark} cat"), "yield_time_ms": 300}),
        ))
        .respond(write("first\n"))
        .respond(write("second\n"))
        .respond(ScriptedResponse::new().message("cat echoed both lines"));
    let (server, _store, _dir, agent) = agent(scenario, toolkit::layer_codex(), true).await;

    let events = run(&agent, "talk to cat").await;
    assert!(matches!(events.last(), Some(Output::AgentFinished { .. })));
    let outputs: Vec<String> = server
        .response_requests()
        .iter()
        .filter_map(|r| {
            r.input()?
                .iter()
                .rev()
                .find(|i| i["type"] == "function_call_output")
                .map(|i| i["output"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(outputs.len(), 3, "{outputs:?}");
    assert!(
        outputs[0].contains("Process running with session ID 1000"),
        "{}",
        outputs[0]
    );
    assert!(outputs[1].ends_with("Output:\nfirst\n"), "{}", outputs[1]);
    assert!(outputs[2].ends_with("Output:\nsecond\n"), "{}", outputs[2]);
    assert!(outputs[2].contains("Process running with session ID 1000"));

    super::common::assert_gone(&mark).await;
}

#[tokio::test]
async fn a_freeform_apply_patch_round_trips_over_sse_and_websocket() {
    for sse in [true, false] {
        let patch = "*** Begin Patch\n*** Add File: notes.md\n+# Notes\n*** End Patch\n";
        let scenario = Scenario::new()
            .respond(ScriptedResponse::new().custom_tool_call("apply_patch", patch))
            .respond(ScriptedResponse::new().message("done"));
        let (server, _store, dir, agent) = agent(scenario, toolkit::layer_codex(), sse).await;
        run(&agent, "write notes").await;
        assert_eq!(
            std::fs::read_to_string(dir.path().join("notes.md")).unwrap(),
            "# Notes\n"
        );
        let sent = server.response_requests();
        let patch_tool = sent[0].body["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "apply_patch")
            .unwrap()
            .clone();
        assert_eq!(patch_tool["type"], "custom", "the catalogue says freeform");
        assert_eq!(patch_tool["format"]["syntax"], "lark");
        let input = sent[1].input().unwrap();
        let output = input
            .iter()
            .find(|i| i["type"] == "custom_tool_call_output")
            .unwrap();
        if sse {
            // Over WebSocket the follow-up continues the response and sends only the output.
            let call = input
                .iter()
                .find(|i| i["type"] == "custom_tool_call")
                .unwrap();
            assert_eq!(call["input"], patch);
            assert_eq!(output["call_id"], call["call_id"]);
        } else {
            assert!(sent[1].body["previous_response_id"].is_string());
        }
        assert!(
            output["output"].as_str().unwrap().contains("A notes.md"),
            "sse: {sse}"
        );
        server.shutdown().await;
    }
}

#[tokio::test]
async fn view_image_shows_the_model_a_workspace_image() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().function_call("view_image", json!({"path": "dot.png"})))
        .respond(ScriptedResponse::new().message("a dot"));
    let (server, _store, dir, agent) = agent(scenario, toolkit::layer_codex(), true).await;
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    std::fs::write(dir.path().join("dot.png"), png).unwrap();

    let events = run(&agent, "what is in dot.png?").await;
    assert!(matches!(events.last(), Some(Output::AgentFinished { .. })));
    let sent = server.response_requests();
    let output = first_output(&sent[1]);
    let expected = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg=="; // the file's bytes
    let parts = output["output"]
        .as_array()
        .unwrap_or_else(|| panic!("{output}"));
    assert!(
        parts
            .iter()
            .any(|p| p["type"] == "input_image" && p["image_url"] == expected),
        "{output}"
    );
}

#[tokio::test]
async fn a_tool_in_a_form_the_model_was_not_offered_does_not_run() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().function_call("shell", json!({"command": "touch ran"})))
        .respond(ScriptedResponse::new().message("tried"));
    let (server, _store, dir, agent) = agent(scenario, toolkit::layer_codex(), true).await;

    let events = run(&agent, "run it the old way").await;
    assert!(matches!(events.last(), Some(Output::AgentFinished { .. })));
    let sent = server.response_requests();
    assert!(!tool_names(&sent[0]).contains(&"shell".to_owned()));
    let output = first_output(&sent[1]);
    assert!(
        output["output"]
            .as_str()
            .is_some_and(|o| o.contains("there is no tool named `shell`")),
        "{output}"
    );
    assert!(!dir.path().join("ran").exists(), "nothing ran");
}
