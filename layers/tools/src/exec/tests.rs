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
    let tool = Toolkit::codex().get(name).unwrap();
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

/// A word no other process on the machine has in its command line.
fn marker() -> String {
    format!("600.{}", fastrand::u64(1_000_000_000..10_000_000_000))
}

/// The live processes (zombies are dead) whose command line holds `marker`.
pub(crate) fn running(marker: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let state = stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .chars()
                .next();
            String::from_utf8_lossy(&cmdline).contains(marker)
                && !matches!(state, Some('Z' | 'X') | None)
        })
        .collect()
}

/// Waits up to 10 s for every process holding `marker` to be gone.
pub(crate) fn assert_gone(marker: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !running(marker).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left = running(marker);
    assert!(left.is_empty(), "processes {left:?} ({marker}) still run");
}

/// Waits up to 10 s for a process holding `marker` to run.
fn assert_started(marker: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while running(marker).is_empty() {
        assert!(Instant::now() < deadline, "{marker} never started");
        std::thread::sleep(Duration::from_millis(10));
    }
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
    let mark = marker();
    let started = call(
        &context,
        "exec_command",
        json!({"cmd": format!("exec -a cat-{mark} cat"), "yield_time_ms": 300}),
    )
    .await
    .unwrap();
    let id = session_of(&started);
    assert_started(&mark);
    let echoed = call(
        &context,
        "write_stdin",
        // A yield long enough for `cat` to echo on a loaded machine.
        json!({"session_id": id, "chars": "hello\n", "yield_time_ms": 2000}),
    )
    .await
    .unwrap();
    assert!(stable(&echoed).ends_with("Output:\nhello"), "{echoed}");
    assert_eq!(session_of(&echoed), id);
    let again = call(
        &context,
        "write_stdin",
        json!({"session_id": id, "chars": "again\n", "yield_time_ms": 2000}),
    )
    .await
    .unwrap();
    assert!(stable(&again).ends_with("Output:\nagain"), "{again}");
    // The run ends: its context (and every clone) is dropped, and the session with it.
    drop(context);
    assert_gone(&mark);
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
    let (background, detached, foreground) = (marker(), marker(), marker());
    let answer = call(
        &context,
        "exec_command",
        json!({"cmd": format!("sleep {background} & setsid -f sleep {detached}; (sleep {detached} &); echo done")}),
    )
    .await
    .unwrap();
    assert!(answer.ends_with("done\n"), "{answer}");
    assert_gone(&background);
    assert_gone(&detached);

    let running = call(
        &context,
        "exec_command",
        json!({"cmd": format!("setsid -f sleep {detached}; sleep {foreground}")}),
    );
    let cancelled = tokio::time::timeout(Duration::from_millis(500), running).await;
    assert!(cancelled.is_err(), "still running when dropped");
    assert_gone(&foreground);
    assert_gone(&detached);
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
    let mark = marker();
    let slow = call(
        &context,
        "shell_command",
        json!({"command": format!("setsid -f sleep {mark}; sleep {mark}"), "timeout_ms": 300}),
    )
    .await
    .unwrap();
    assert!(slow.starts_with("Exit code: 124\n"), "{slow}");
    assert!(
        slow.contains("command timed out after 300 milliseconds"),
        "{slow}"
    );
    assert_gone(&mark);
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
