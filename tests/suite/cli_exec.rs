//! The CLI process and the commands it runs: nothing a command started survives the
//! CLI's SIGTERM or SIGKILL (`setsid` and double forks included), and commands never
//! see a secret from the CLI's environment.

use std::process::Child;

use clanka_mock::{Scenario, ScriptedResponse};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::json;

use super::common::{assert_gone, cli_on, marker, wait_running};

async fn wait(child: Child) -> std::process::ExitStatus {
    tokio::task::spawn_blocking(move || {
        let mut child = child;
        child.wait().unwrap()
    })
    .await
    .unwrap()
}

/// A command that leaves a `setsid` process and a double-forked one behind and then
/// waits in the foreground, all three sleeping for `mark` seconds.
fn stubborn(mark: &str) -> Scenario {
    Scenario::new()
        .respond(ScriptedResponse::new().function_call(
            "exec_command",
            json!({
                "cmd": format!("setsid -f sleep {mark}; (sleep {mark} &); sleep {mark}"),
                "yield_time_ms": 30000
            }),
        ))
        .respond(ScriptedResponse::new().message("done"))
}

async fn killed_with(signal: Signal) -> Option<i32> {
    let mark = marker();
    let mut run = cli_on(stubborn(&mark)).await;
    let child = run.command.spawn().unwrap();
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
    wait_running(&mark, 3).await;
    kill(pid, signal).unwrap();
    let status = wait(child).await;
    assert_gone(&mark).await;
    drop(run.server);
    std::os::unix::process::ExitStatusExt::signal(&status).or(status.code())
}

#[tokio::test]
async fn sigterm_of_the_cli_ends_every_process_of_its_commands() {
    assert_eq!(killed_with(Signal::SIGTERM).await, Some(143));
}

#[tokio::test]
async fn sigkill_of_the_cli_ends_every_process_of_its_commands() {
    assert_eq!(killed_with(Signal::SIGKILL).await, Some(9));
}

#[tokio::test]
async fn commands_never_see_the_clis_secrets() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().function_call("exec_command", json!({"cmd": "printenv"})))
        .respond(ScriptedResponse::new().message("done"));
    let mut run = cli_on(scenario).await;
    run.command
        .env("OPENAI_API_KEY", "sk-from-the-environment")
        .env("DEPLOY_TOKEN", "deploy-token-value")
        .env("DB_PASSWORD", "db-password-value")
        .env("EDITOR", "vi");
    let child = run.command.spawn().unwrap();
    assert_eq!(wait(child).await.code(), Some(0));
    let requests = run.server.response_requests();
    let output = requests
        .last()
        .and_then(|r| r.input())
        .unwrap()
        .iter()
        .find(|item| item["type"] == "function_call_output")
        .map(|item| item["output"].as_str().unwrap().to_owned())
        .unwrap();
    assert!(output.contains("PATH="), "printenv ran: {output}");
    for secret in [
        "OPENAI_API_KEY",
        "sk-from-the-environment",
        "sk-mock",
        "CLANKA_",
        "DEPLOY_TOKEN",
        "deploy-token-value",
        "db-password-value",
        "EDITOR",
    ] {
        assert!(
            !output.contains(secret),
            "{secret} reached the command: {output}"
        );
    }
}
