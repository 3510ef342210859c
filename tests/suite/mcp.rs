//! MCP tools through the agent, against a real server nobody here wrote:
//! `@modelcontextprotocol/server-everything` from the npm registry (installed by
//! `.ci/setup`), over stdio and streamable HTTP; and its faults: a server killed
//! mid-call, a call past its timeout, an unknown tool, garbage on stdout.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use clanka::agent::{Agent, Output};
use clanka::runtime::Layer;
use clanka::{codex, mcp};
use clanka_mcp::McpServerConfig;
use clanka_mock::{MockOptions, MockServer, Scenario, ScriptedResponse};
use clanka_model::ProviderOptions;
use futures_util::StreamExt as _;
use serde_json::json;

use super::common::{cli, marker, output, quiet_exec, running, text, token_store};

/// `server-everything`'s entry point: `CLANKA_MCP_EVERYTHING`, else the cache
/// `.ci/setup` installs into. Missing, the test fails: it is never skipped.
fn everything() -> PathBuf {
    let path = std::env::var_os("CLANKA_MCP_EVERYTHING").map_or_else(
        || {
            let cache = std::env::var_os("XDG_CACHE_HOME").map_or_else(
                || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"),
                PathBuf::from,
            );
            cache.join("clanka/mcp-everything-2026.8.31/node_modules/@modelcontextprotocol/server-everything/dist/index.js")
        },
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "{} is missing: run `.ci/setup`, which installs @modelcontextprotocol/server-everything",
        path.display()
    );
    path
}

/// How long node may take to start a server on a loaded machine.
const STARTUP: Duration = Duration::from_secs(60);

/// A stdio server-everything whose command line holds `mark`.
fn stdio_server(name: &str, mark: &str) -> McpServerConfig {
    let index = everything().display().to_string();
    McpServerConfig::stdio(name, "node", [index, "stdio".to_owned(), mark.to_owned()])
        .with_startup_timeout(STARTUP)
}

fn call(name: &str, arguments: serde_json::Value) -> ScriptedResponse {
    ScriptedResponse::new().function_call(name, arguments)
}

/// Runs `scenario` on an agent with `servers`, showing each event to `seen`; the
/// outputs the model got, in order.
async fn run(
    scenario: Scenario,
    servers: Vec<McpServerConfig>,
    seen: impl FnMut(&Output),
) -> Vec<String> {
    let server = MockServer::start(MockOptions::default().with_scenario(scenario))
        .await
        .unwrap();
    let (store, dir, home) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    token_store(&server, store.path(), false).await;
    let exec = Layer::succeed(quiet_exec(home.path()));
    let model = codex::model("gpt-6.1-sol", ProviderOptions::default())
        .provide(&super::common::client(&server, store.path()));
    let graph = Agent::layer_local(dir.path()).provide(&Layer::merge_all([
        model,
        mcp::layer(servers, dir.path()).provide(&exec),
        exec,
    ]));
    let runtime = graph.build().await.unwrap();
    let agent: Agent = runtime.get().unwrap();
    let events: Vec<Output> = agent
        .send("use the tools", None)
        .map(Result::unwrap)
        .inspect(seen)
        .collect()
        .await;
    assert!(
        matches!(events.last(), Some(Output::AgentFinished { .. })),
        "the run completes"
    );
    runtime.shutdown().await;
    server
        .response_requests()
        .last()
        .and_then(|r| r.input().cloned())
        .unwrap()
        .iter()
        .filter(|item| item["type"] == "function_call_output")
        .map(|item| item["output"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn stdio_tools_reach_the_model_and_never_see_the_clis_secrets() {
    let (dir, store, home, config) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let index = everything().display().to_string();
    std::fs::create_dir_all(config.path().join("clanka")).unwrap();
    std::fs::write(
        config.path().join("clanka/config.toml"),
        format!(
            "[mcp_servers.everything]\ncommand = \"node\"\nargs = [{index:?}, \"stdio\"]\n\
             startup_timeout_sec = 60\ndisabled_tools = [\"trigger-long-running-operation\"]\n\
             env = {{ MCP_GREETING = \"configured\" }}\n"
        ),
    )
    .unwrap();
    let scenario = Scenario::new()
        .respond(call(
            "mcp__everything__echo",
            json!({"message": "hello mcp"}),
        ))
        .respond(call("mcp__everything__get-sum", json!({"a": 2, "b": 3})))
        .respond(call("mcp__everything__get-env", json!({})))
        .respond(ScriptedResponse::new().message("done"));
    let server = MockServer::start(MockOptions::default().with_scenario(scenario))
        .await
        .unwrap();
    let mut command = cli();
    command
        .args(["use the tools", "--http", "-C"])
        .arg(dir.path())
        .env("XDG_CONFIG_HOME", config.path())
        .env("CLANKA_AUTH__API_KEY", "sk-mock")
        .env("CLANKA_CODEX__BASE_URL", server.codex_base_url())
        .env("CLANKA_STORE__DIR", store.path())
        .env("HOME", home.path())
        .env("OPENAI_API_KEY", "sk-must-not-leak")
        .env("DEPLOY_TOKEN", "deploy-token-must-not-leak");
    let result = output(command).await;
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let requests = server.response_requests();
    let tools: Vec<&str> = requests[0].body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        tools.contains(&"mcp__everything__echo") && tools.contains(&"mcp__everything__get-sum"),
        "{tools:?}"
    );
    assert!(
        !tools.contains(&"mcp__everything__trigger-long-running-operation"),
        "a disabled tool is not offered: {tools:?}"
    );
    let outputs: Vec<String> = requests
        .last()
        .unwrap()
        .input()
        .unwrap()
        .iter()
        .filter(|item| item["type"] == "function_call_output")
        .map(|item| item["output"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(outputs.len(), 3, "{outputs:?}");
    assert!(outputs[0].contains("hello mcp"), "{}", outputs[0]);
    assert!(outputs[1].contains('5'), "{}", outputs[1]);
    assert!(outputs[2].contains("PATH"), "get-env ran: {}", outputs[2]);
    assert!(
        outputs[2].contains("MCP_GREETING") && outputs[2].contains("configured"),
        "the server's configured env reaches it: {}",
        outputs[2]
    );
    for secret in [
        "OPENAI_API_KEY",
        "sk-must-not-leak",
        "DEPLOY_TOKEN",
        "deploy-token-must-not-leak",
        "sk-mock",
        "CLANKA_",
    ] {
        assert!(
            !outputs[2].contains(secret),
            "{secret} reached the server: {}",
            outputs[2]
        );
    }

    let mut list = cli();
    list.args(["mcp", "list", "-C"])
        .arg(dir.path())
        .env("XDG_CONFIG_HOME", config.path())
        .env("CLANKA_STORE__DIR", store.path())
        .env("HOME", home.path());
    let listed = output(list).await;
    let shown = text(&listed.stdout);
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed.stderr));
    assert!(
        shown.contains("everything: Running") && shown.contains("mcp__everything__get-env"),
        "{shown}"
    );
}

#[tokio::test]
async fn streamable_http_tools_reach_the_model() {
    let home = tempfile::tempdir().unwrap();
    // The port is free when chosen; should another process take it before node
    // listens, node exits and another port is tried.
    let (mut http_server, port) = loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = tokio::process::Command::new("node")
            .arg(everything())
            .arg("streamableHttp")
            .env("PORT", port.to_string())
            .env("HOME", home.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let listening = loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break true;
            }
            if server.try_wait().unwrap().is_some() {
                break false;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the HTTP server did not listen"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        if listening {
            break (server, port);
        }
    };
    let remote = McpServerConfig::http("remote", format!("http://127.0.0.1:{port}/mcp"))
        .with_startup_timeout(STARTUP);
    let scenario = Scenario::new()
        .respond(call("mcp__remote__echo", json!({"message": "over http"})))
        .respond(call("mcp__remote__get-sum", json!({"a": 40, "b": 2})))
        .respond(ScriptedResponse::new().message("done"));
    let outputs = run(scenario, vec![remote], |_| ()).await;
    assert!(outputs[0].contains("over http"), "{}", outputs[0]);
    assert!(outputs[1].contains("42"), "{}", outputs[1]);
    http_server.kill().await.unwrap();
}

#[tokio::test]
async fn faults_become_tool_errors_and_the_run_completes() {
    let mark = marker();
    let slow = |seconds: u64| {
        call(
            "mcp__everything__trigger-long-running-operation",
            json!({"duration": seconds, "steps": 2}),
        )
    };
    let scenario = Scenario::new()
        .respond(slow(30))
        .respond(call(
            "mcp__everything__echo",
            json!({"message": "after the restart"}),
        ))
        .respond(slow(5))
        .respond(call("mcp__everything__nope", json!({})))
        .respond(call(
            "mcp__garbled__echo",
            json!({"message": "through the garbage"}),
        ))
        .respond(ScriptedResponse::new().message("done"));
    let everything = stdio_server("everything", &mark).with_tool_timeout(Duration::from_secs(2));
    let index = self::everything().display().to_string();
    // A server that prints a line of garbage on stdout before speaking JSON-RPC.
    let garbled = McpServerConfig::stdio(
        "garbled",
        "bash",
        [
            "-c".to_owned(),
            format!("echo 'this is not JSON'; exec node {index:?} stdio"),
        ],
    )
    .with_startup_timeout(STARTUP);
    // Kill the server while the first, 30-second call runs: once the agent starts
    // the call (not when the process appears, which may still be starting up).
    let mut killer = None;
    let kill_during_the_first_call = |event: &Output| {
        if matches!(event, Output::ToolCall { .. }) && killer.is_none() {
            let mark = mark.clone();
            killer = Some(tokio::spawn(async move {
                // Well inside the 2 s tool timeout; a kill before the request is
                // written ends the call the same way.
                tokio::time::sleep(Duration::from_millis(100)).await;
                for pid in running(&mark) {
                    let _ = nix::sys::signal::kill(
                        nix::unistd::Pid::from_raw(pid),
                        nix::sys::signal::Signal::SIGKILL,
                    );
                }
            }));
        }
    };
    let outputs = run(
        scenario,
        vec![everything, garbled],
        kill_during_the_first_call,
    )
    .await;
    assert_eq!(outputs.len(), 5, "{outputs:?}");
    assert!(
        outputs[0].contains("stopped during the call"),
        "{}",
        outputs[0]
    );
    assert!(
        outputs[1].contains("after the restart"),
        "restarted once: {}",
        outputs[1]
    );
    assert!(
        outputs[2].contains("did not answer within 2 s"),
        "{}",
        outputs[2]
    );
    assert!(outputs[3].contains("no tool named"), "{}", outputs[3]);
    assert!(outputs[4].contains("through the garbage"), "{}", outputs[4]);
    super::common::assert_gone(&mark).await;
}

#[tokio::test]
async fn a_required_server_that_does_not_start_fails_the_build_by_name() {
    let broken = McpServerConfig::stdio("broken", "node", ["-e", "process.exit(3)"]);
    let exec = Layer::succeed(quiet_exec(tempfile::tempdir().unwrap().path()));
    let error = mcp::layer(vec![broken.clone()], ".")
        .provide(&exec)
        .build()
        .await
        .unwrap_err();
    assert!(
        clanka_model::error_chain(&error).contains("`broken`"),
        "{error}"
    );
    let mut optional = broken;
    optional.required = Some(false);
    let runtime = mcp::layer(vec![optional], ".")
        .provide(&exec)
        .build()
        .await
        .unwrap();
    let servers: clanka_mcp::McpServers = runtime.get().unwrap();
    assert!(servers.servers().is_empty());
    assert_eq!(servers.failed().len(), 1);
    runtime.shutdown().await;
}
