//! `shell`: output, exit status, caps, and that nothing outlives the call.

use std::time::{Duration, Instant};

use super::super::{MAX_OUTPUT_BYTES, cap_text};
use super::*;

async fn sh(ws: &Workspace, command: &str) -> Result<String, ToolError> {
    call("shell", ws, json!({"command": command})).await
}

/// Whether `pid` is a live process (a zombie counts as dead: it no longer runs).
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

/// The pid the command wrote to `file`.
fn pid_in(ws: &Workspace, file: &str) -> i32 {
    let text = std::fs::read_to_string(ws.root().join(file)).unwrap();
    text.trim().parse().unwrap()
}

/// Asserts every pid written to `files` stops running within a generous while.
fn assert_all_gone(ws: &Workspace, files: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    for file in files {
        let pid = pid_in(ws, file);
        while is_running(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            !is_running(pid),
            "process {pid} from {file} is still running"
        );
    }
}

/// A command with a foreground child and a background child, all recording pids.
const TREE: &str = "echo started; echo $$ > main.pid; sleep 600 & echo $! > bg.pid; \
                    sh -c 'echo $$ > fg.pid; exec sleep 600'; wait";
const TREE_PIDS: [&str; 3] = ["main.pid", "bg.pid", "fg.pid"];

/// Waits until the command has written all its pid files.
async fn wait_for_pid_files(ws: &Workspace) {
    for _ in 0..500 {
        if TREE_PIDS
            .iter()
            .all(|f| std::fs::read_to_string(ws.root().join(f)).is_ok_and(|t| t.ends_with('\n')))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the command did not write its pid files");
}

#[tokio::test]
async fn runs_in_the_workspace_and_reports_the_exit_code() {
    let (_dir, ws) = workspace();
    put(&ws, "a.txt", "from a file\n");
    assert_eq!(
        sh(&ws, "echo hello").await.unwrap(),
        "hello\n[exit code: 0]"
    );
    assert_eq!(
        sh(&ws, "cat a.txt; exit 3").await.unwrap(),
        "from a file\n[exit code: 3]"
    );
    assert_eq!(
        sh(&ws, "printf 'no newline'").await.unwrap(),
        "no newline\n[exit code: 0]"
    );
    assert_eq!(sh(&ws, "true").await.unwrap(), "[exit code: 0]");
    let pwd = sh(&ws, "pwd").await.unwrap();
    assert_eq!(pwd, format!("{}\n[exit code: 0]", ws.root().display()));
    // stdin is null: `cat` ends at once instead of waiting.
    assert_eq!(sh(&ws, "cat; echo $?").await.unwrap(), "0\n[exit code: 0]");
}

#[tokio::test]
async fn merges_stdout_and_stderr_in_order() {
    let (_dir, ws) = workspace();
    let out = sh(
        &ws,
        "echo out; echo err >&2; echo out2; echo err2 >&2; exit 1",
    )
    .await;
    assert_eq!(out.unwrap(), "out\nerr\nout2\nerr2\n[exit code: 1]");
}

#[tokio::test]
async fn reports_death_by_signal() {
    let (_dir, ws) = workspace();
    let out = sh(&ws, "echo before; kill -TERM $$").await.unwrap();
    assert_eq!(out, "before\n[killed by signal 15 (SIGTERM)]");
}

#[tokio::test]
async fn long_output_keeps_head_and_tail() {
    let (_dir, ws) = workspace();
    let out = sh(&ws, "seq 1 100000").await.unwrap();
    let full: String = (1..=100_000).map(|n| format!("{n}\n")).collect();
    let expected = format!("{}[exit code: 0]", cap_text(&full, MAX_OUTPUT_BYTES));
    assert_eq!(out, expected);
    assert!(out.starts_with("1\n2\n3\n"));
    assert!(out.contains("\n[... 556127 bytes ("));
    assert!(out.len() < MAX_OUTPUT_BYTES + 100);
}

#[tokio::test]
async fn too_long_timeouts_are_clamped_and_said_so() {
    let (_dir, ws) = workspace();
    let out = call(
        "shell",
        &ws,
        json!({"command": "echo hi", "timeout_ms": 900_000}),
    )
    .await;
    assert_eq!(
        out.unwrap(),
        "[timeout_ms 900000 is above the maximum; clamped to 600000]\nhi\n[exit code: 0]"
    );
}

#[tokio::test]
async fn timeout_kills_the_command() {
    let (_dir, ws) = workspace();
    let args = json!({"command": "echo $$ > main.pid; sleep 600", "timeout_ms": 1000});
    let started = Instant::now();
    let error = call("shell", &ws, args).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(30));
    match &error {
        ToolError::Timeout { output, .. } => assert_eq!(output, "[killed after 1.0 s timeout]"),
        other => panic!("{other:?}"),
    }
    assert_all_gone(&ws, &["main.pid"]);
}

#[tokio::test]
async fn timeout_kills_the_whole_process_group() {
    let (_dir, ws) = workspace();
    let args = json!({"command": TREE, "timeout_ms": 1000});
    let error = call("shell", &ws, args).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "the command timed out after 1.0 s; it and its child processes were killed\n\
         started\n[killed after 1.0 s timeout]"
    );
    assert_all_gone(&ws, &TREE_PIDS);
}

#[tokio::test]
async fn cancellation_kills_the_whole_process_group() {
    let (_dir, ws) = workspace();
    let run = call("shell", &ws, json!({"command": TREE}));
    let pids_written = wait_for_pid_files(&ws);
    let (outcome, ()) = tokio::join!(
        tokio::time::timeout(Duration::from_secs(2), run),
        pids_written
    );
    assert!(
        outcome.is_err(),
        "the command should still have been running: {outcome:?}"
    );
    assert_all_gone(&ws, &TREE_PIDS);
}

#[tokio::test]
async fn background_jobs_are_killed_when_the_command_exits() {
    let (_dir, ws) = workspace();
    let run = sh(&ws, "sleep 600 & echo $! > bg.pid; echo done");
    let out = tokio::time::timeout(Duration::from_secs(30), run)
        .await
        .unwrap();
    assert_eq!(out.unwrap(), "done\n[exit code: 0]");
    assert_all_gone(&ws, &["bg.pid"]);
}

#[tokio::test]
async fn a_process_escaping_the_group_cannot_hang_the_call() {
    let (_dir, ws) = workspace();
    let run = sh(
        &ws,
        "setsid sleep 600 & echo $! > esc.pid; sleep 0.2; echo done",
    );
    let out = tokio::time::timeout(Duration::from_secs(30), run).await;
    let escaped = pid_in(&ws, "esc.pid");
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(escaped),
        nix::sys::signal::SIGKILL,
    );
    assert_eq!(out.unwrap().unwrap(), "done\n[exit code: 0]");
}
