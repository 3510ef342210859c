//! The exec tools against real processes: output and exit codes in the official
//! format, sessions driven with `write_stdin`, time limits, and that nothing a command
//! started outlives its call, its session or its run.

use std::time::{Duration, Instant};

use clanka_model::ToolCall;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::{EnvPolicy, ExecPolicy, ToolContext, ToolError, Toolkit, Workspace};

/// A workspace, and a context whose shells read no profile (a temporary HOME).
fn setup() -> (TempDir, TempDir, ToolContext) {
    let (dir, home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let env = EnvPolicy::default().set("HOME", home.path().display().to_string());
    let policy = ExecPolicy::default().with_env(env).with_login_shell(false);
    let context = ToolContext::new(Workspace::new(dir.path()).unwrap())
        .with_exec(std::sync::Arc::new(policy));
    (dir, home, context)
}

async fn call(context: &ToolContext, name: &str, args: Value) -> Result<String, ToolError> {
    let tool = Toolkit::codex().get(name).cloned().unwrap();
    let request = crate::ToolRequest {
        call: ToolCall::new("call_1", name, args.to_string()),
        context: context.clone(),
    };
    tool.call(request).await.map(|output| output.text)
}

/// The lines of an answer after its `Chunk ID` and `Wall time`, which vary.
fn stable(answer: &str) -> String {
    answer
        .lines()
        .filter(|line| !line.starts_with("Chunk ID: ") && !line.starts_with("Wall time: "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn session_of(answer: &str) -> u32 {
    let line = answer
        .lines()
        .find_map(|line| line.strip_prefix("Process running with session ID "))
        .unwrap_or_else(|| panic!("no session in {answer}"));
    line.trim().parse().unwrap()
}

/// Whether `pid` is a live process (a zombie counts as dead).
fn is_running(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rsplit(')')
        .next()
        .unwrap()
        .trim_start()
        .chars()
        .next()
        .unwrap();
    !matches!(state, 'Z' | 'X')
}

fn pid_in(context: &ToolContext, file: &str) -> i32 {
    let path = context.workspace().root().join(file);
    for _ in 0..500 {
        if let Ok(text) = std::fs::read_to_string(&path)
            && text.ends_with('\n')
        {
            return text.trim().parse().unwrap();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{file} was not written");
}

fn assert_gone(pid: i32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while is_running(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!is_running(pid), "process {pid} is still running");
}

#[tokio::test]
async fn exec_command_reports_output_and_exit_code_like_the_official_client() {
    let (_dir, _home, context) = setup();
    std::fs::write(context.workspace().root().join("a.txt"), "from a file\n").unwrap();
    let answer = call(
        &context,
        "exec_command",
        json!({"cmd": "cat a.txt; echo err >&2; exit 3"}),
    )
    .await
    .unwrap();
    assert!(answer.starts_with("Chunk ID: "), "{answer}");
    assert_eq!(
        stable(&answer),
        "Process exited with code 3\nOriginal token count: 4\nOutput:\nfrom a file\nerr"
    );
    let pwd = call(
        &context,
        "exec_command",
        json!({"cmd": "pwd", "workdir": "."}),
    )
    .await
    .unwrap();
    assert!(
        pwd.ends_with(&format!("{}\n", context.workspace().root().display())),
        "{pwd}"
    );
    let outside = call(
        &context,
        "exec_command",
        json!({"cmd": "pwd", "workdir": "/etc"}),
    )
    .await;
    assert!(matches!(outside, Err(ToolError::Path(_))), "{outside:?}");
}

#[tokio::test]
async fn a_running_command_becomes_a_session_driven_by_write_stdin() {
    let (_dir, _home, context) = setup();
    let started = call(
        &context,
        "exec_command",
        json!({"cmd": "echo $$ > cat.pid; exec cat", "yield_time_ms": 300}),
    )
    .await
    .unwrap();
    let id = session_of(&started);
    let pid = pid_in(&context, "cat.pid");
    let echoed = call(
        &context,
        "write_stdin",
        json!({"session_id": id, "chars": "hello\n"}),
    )
    .await
    .unwrap();
    assert!(stable(&echoed).ends_with("Output:\nhello"), "{echoed}");
    assert_eq!(session_of(&echoed), id);
    let again = call(
        &context,
        "write_stdin",
        json!({"session_id": id, "chars": "again\n", "yield_time_ms": 500}),
    )
    .await
    .unwrap();
    assert!(stable(&again).ends_with("Output:\nagain"), "{again}");
    // The run ends: its context (and every clone) is dropped, and the session with it.
    drop(context);
    assert_gone(pid);
}

#[tokio::test]
async fn a_session_that_exits_is_reported_and_forgotten() {
    let (_dir, _home, context) = setup();
    let started = call(
        &context,
        "exec_command",
        json!({"cmd": "read line; echo got $line", "yield_time_ms": 250}),
    )
    .await
    .unwrap();
    let id = session_of(&started);
    let done = call(
        &context,
        "write_stdin",
        json!({"session_id": id, "chars": "x\n", "yield_time_ms": 5000}),
    )
    .await
    .unwrap();
    assert!(
        stable(&done).starts_with("Process exited with code 0"),
        "{done}"
    );
    assert!(done.ends_with("got x\n"), "{done}");
    let unknown = call(
        &context,
        "write_stdin",
        json!({"session_id": id, "chars": ""}),
    )
    .await;
    let Err(error) = unknown else {
        panic!("{unknown:?}")
    };
    assert_eq!(
        error.to_string(),
        format!("write_stdin failed: Unknown process id {id}")
    );
}

#[tokio::test]
async fn output_over_the_budget_keeps_head_and_tail() {
    let (_dir, _home, context) = setup();
    let answer = call(
        &context,
        "exec_command",
        json!({"cmd": "seq 1 100000", "max_output_tokens": 100}),
    )
    .await
    .unwrap();
    let body = answer.split_once("Output:\n").unwrap().1;
    assert!(
        body.starts_with("Total output lines: 100000\n\n1\n2\n"),
        "{body}"
    );
    assert!(body.contains("tokens truncated…"), "{body}");
    assert!(body.ends_with("99999\n100000\n"), "{body}");
    assert!(body.len() < 500, "{}", body.len());
}

#[tokio::test]
async fn background_jobs_die_with_the_command_and_cancellation_kills_everything() {
    let (_dir, _home, context) = setup();
    let answer = call(
        &context,
        "exec_command",
        json!({"cmd": "sleep 600 & echo $! > bg.pid; echo done"}),
    )
    .await
    .unwrap();
    assert!(answer.ends_with("done\n"), "{answer}");
    assert_gone(pid_in(&context, "bg.pid"));

    let running = call(
        &context,
        "exec_command",
        json!({"cmd": "echo $$ > main.pid; sleep 600"}),
    );
    let cancelled = tokio::time::timeout(Duration::from_millis(500), running).await;
    assert!(cancelled.is_err(), "still running when dropped");
    assert_gone(pid_in(&context, "main.pid"));
}

#[tokio::test]
async fn shell_takes_an_argument_vector_or_a_command_line_and_a_time_limit() {
    let (_dir, _home, context) = setup();
    let argv = call(&context, "shell", json!({"command": ["echo", "a b"]}))
        .await
        .unwrap();
    assert_eq!(stable(&argv), "Exit code: 0\nOutput:\na b");
    let line = call(
        &context,
        "shell_command",
        json!({"command": "echo hi; exit 2"}),
    )
    .await
    .unwrap();
    assert_eq!(stable(&line), "Exit code: 2\nOutput:\nhi");
    let slow = call(
        &context,
        "shell_command",
        json!({"command": "echo $$ > s.pid; sleep 600", "timeout_ms": 300}),
    )
    .await
    .unwrap();
    assert!(slow.starts_with("Exit code: 124\n"), "{slow}");
    assert!(
        slow.contains("command timed out after 300 milliseconds"),
        "{slow}"
    );
    assert_gone(pid_in(&context, "s.pid"));
}

#[tokio::test]
async fn commands_get_the_policy_environment_not_secrets() {
    let (_dir, _home, context) = setup();
    let env = call(&context, "exec_command", json!({"cmd": "env"}))
        .await
        .unwrap();
    assert!(env.contains("PATH="), "{env}");
    assert!(
        !env.contains("OPENAI_API_KEY") && !env.contains("CLANKA_"),
        "{env}"
    );
}
