//! What the CLI tells and how its screen looks, as a real process: warnings on
//! stderr, `--json` ending in an `error` event, escape sequences made harmless, and
//! the spinner on a terminal (tmux) but not in a pipe.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clanka_mock::{MockOptions, MockServer, Scenario, ScriptedResponse};
use serde_json::json;

use super::common::{cli, cli_at, cli_on, output, text, token_store};

/// `text` with `path` shown as `[name]`.
fn redact(text: &str, path: &Path, name: &str) -> String {
    text.replace(&path.display().to_string(), &format!("[{name}]"))
}

#[cfg(unix)]
#[tokio::test]
async fn warnings_name_the_key_the_file_and_the_token_file_made_private() {
    use std::os::unix::fs::PermissionsExt;
    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let config = tempfile::tempdir().unwrap();
    let store = tempfile::tempdir().unwrap();
    let store_dir = store.path().join("store");
    token_store(&server, &store_dir, false).await;
    for entry in std::fs::read_dir(&store_dir).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::create_dir(config.path().join("clanka")).unwrap();
    std::fs::write(
        config.path().join("clanka/config.toml"),
        "[model]\nprimary_efort = \"high\"\n\n[sandbox]\nmode = \"read-only\"\nnetwork = true\n",
    )
    .unwrap();

    let mut command = cli_at(&server, &store_dir);
    command.arg("status").env("XDG_CONFIG_HOME", config.path());
    let result = output(command).await;

    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let stderr = redact(&text(&result.stderr), config.path(), "config");
    insta::assert_snapshot!("warnings", redact(&stderr, &store_dir, "store"));
    for entry in std::fs::read_dir(&store_dir).unwrap() {
        let mode = entry.unwrap().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the token file was made private");
    }

    // `-q` keeps only errors.
    let mut command = cli();
    command
        .args(["status", "-q"])
        .env("XDG_CONFIG_HOME", config.path())
        .env("CLANKA_STORE__DIR", &store_dir);
    assert_eq!(text(&output(command).await.stderr), "");
    server.shutdown().await;
}

#[tokio::test]
async fn a_corrupt_token_file_is_named_before_it_is_removed() {
    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let store = tempfile::tempdir().unwrap();
    let store_dir = store.path().join("store");
    token_store(&server, &store_dir, false).await;
    for entry in std::fs::read_dir(&store_dir).unwrap() {
        std::fs::write(entry.unwrap().path(), "{\"access\": ").unwrap();
    }
    let mut command = cli_at(&server, &store_dir);
    command.arg("status");
    let result = output(command).await;

    assert_eq!(result.status.code(), Some(3), "signed out now");
    let stderr = redact(&text(&result.stderr), &store_dir, "store");
    insta::assert_snapshot!("corrupt_token", stderr);
    server.shutdown().await;
}

#[tokio::test]
async fn json_mode_ends_with_an_error_event_when_the_run_fails() {
    let scenario = Scenario::new().respond(
        ScriptedResponse::new()
            .message("partial")
            .failed("invalid_prompt", "this prompt was refused"),
    );
    let mut run = cli_on(scenario).await;
    run.command.arg("--json").stdout(Stdio::piped());
    let result = output(run.command).await;

    assert_eq!(result.status.code(), Some(1), "{}", text(&result.stderr));
    let events: Vec<serde_json::Value> = text(&result.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(events.last().unwrap()["type"], "error");
    insta::assert_json_snapshot!("json_error", events, {
        "[].id" => "[id]",
    });
}

#[tokio::test]
async fn escape_sequences_from_the_model_and_tools_are_rendered_harmless() {
    let scenario = Scenario::new()
        .respond(ScriptedResponse::new().function_call(
            "exec_command",
            json!({"cmd": "printf 'out\\033]0;owned\\007\\033[2J\\n'"}),
        ))
        .respond(
            ScriptedResponse::new().message("done \u{1b}[31mred\u{1b}[0m \u{1b}]0;title\u{7}"),
        );
    let mut run = cli_on(scenario).await;
    run.command.stdout(Stdio::piped());
    let result = output(run.command).await;

    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let stdout = text(&result.stdout);
    assert!(!stdout.contains('\u{1b}') && !stdout.contains('\u{7}'));
    insta::assert_snapshot!("escapes", stdout);

    // With colours on, the renderer's own escapes are the only ones.
    let scenario = Scenario::new().respond(ScriptedResponse::new().message("x\u{1b}[2Jy"));
    let mut run = cli_on(scenario).await;
    run.command
        .args(["--color", "always"])
        .stdout(Stdio::piped());
    let stdout = text(&output(run.command).await.stdout);
    assert!(stdout.contains("x\\u{1b}[2Jy"), "{stdout:?}");
}

#[tokio::test]
async fn colours_follow_the_flag_term_and_no_color() {
    let answer = || Scenario::new().respond(ScriptedResponse::new().message("hello"));
    let painted = |stdout: &[u8]| text(stdout).contains('\u{1b}');

    let mut run = cli_on(answer()).await;
    run.command
        .args(["--color", "always"])
        .stdout(Stdio::piped());
    assert!(painted(&output(run.command).await.stdout), "always");

    let mut run = cli_on(answer()).await;
    run.command
        .args(["--color", "always"])
        .env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .stdout(Stdio::piped());
    assert!(painted(&output(run.command).await.stdout), "the flag wins");

    let mut run = cli_on(answer()).await;
    run.command.stdout(Stdio::piped());
    assert!(!painted(&output(run.command).await.stdout), "auto: a pipe");
}

#[tokio::test]
async fn the_prompt_comes_from_stdin_or_a_file_and_paths_are_named() {
    let answer = || Scenario::new().respond(ScriptedResponse::new().message("ok"));
    let prompt = "a prompt from stdin\nwith two lines";

    let run = cli_on(answer()).await;
    let mut args: Vec<_> = run.command.get_args().map(ToOwned::to_owned).collect();
    args.pop(); // the prompt `cli_on` gives
    let mut command = cli();
    command.args(&args).arg("-");
    command.envs(run.command.get_envs().filter_map(|(k, v)| Some((k, v?))));
    command.stdin(Stdio::piped()).stdout(Stdio::piped());
    let result = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().unwrap();
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(prompt.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let sent = run.server.response_requests();
    assert!(
        sent[0]
            .body
            .to_string()
            .contains("a prompt from stdin\\nwith two lines")
    );

    let file = run.dirs[2].path().join("prompt.md");
    std::fs::write(&file, "a prompt from a file").unwrap();
    run.server.set_scenario(answer());
    let mut command = cli();
    command.args(&args).arg("--prompt-file").arg(&file);
    command.envs(run.command.get_envs().filter_map(|(k, v)| Some((k, v?))));
    let result = output(command).await;
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    let sent = run.server.response_requests();
    assert!(
        sent.last()
            .unwrap()
            .body
            .to_string()
            .contains("a prompt from a file")
    );

    let missing = run.dirs[2].path().join("missing.md");
    let mut command = cli();
    command.args(&args).arg("--prompt-file").arg(&missing);
    command.envs(run.command.get_envs().filter_map(|(k, v)| Some((k, v?))));
    let result = output(command).await;
    assert_eq!(result.status.code(), Some(2));
    assert!(text(&result.stderr).contains(&missing.display().to_string()));

    let mut command = cli();
    command.args(["-C", "/nonexistent/clanka-dir", "--demo", "hi"]);
    let result = output(command).await;
    assert_eq!(result.status.code(), Some(2));
    assert!(
        text(&result.stderr).contains("/nonexistent/clanka-dir"),
        "{}",
        text(&result.stderr)
    );
}

/// A tmux server of the test's own, on a private socket, killed on drop.
struct Tmux {
    socket: String,
    _dir: tempfile::TempDir,
}

impl Tmux {
    fn start(command: &str, home: &Path) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("tmux.sock").display().to_string();
        let status = Command::new("tmux")
            .args(["-S", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "120", "-y", "40", command])
            .env("HOME", home)
            .env("SHELL", "/bin/sh")
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux is installed (.ci/setup installs it)");
        assert!(status.success());
        Self { socket, _dir: dir }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-S", &self.socket, "capture-pane", "-p"])
            .output()
            .unwrap();
        text(&out.stdout)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-S", &self.socket, "kill-server"])
            .status();
    }
}

/// A command that takes four seconds (the spinner is sampled while it runs), then an
/// answer.
fn slow_tool() -> Scenario {
    Scenario::new()
        .respond(ScriptedResponse::new().function_call("exec_command", json!({"cmd": "sleep 4"})))
        .respond(ScriptedResponse::new().message("slept"))
}

/// `command` with its environment, as a line of `sh`.
fn shell_line(command: &Command) -> String {
    let quote = |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', "'\\''"));
    let mut line = String::from("env -i PATH=/usr/bin:/bin TERM=\"$TERM\"");
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            line.push_str(&format!(" {}={}", key.to_string_lossy(), quote(value)));
        }
    }
    line.push(' ');
    line.push_str(&quote(command.get_program()));
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&quote(arg));
    }
    line
}

#[tokio::test]
async fn a_spinner_shows_on_a_terminal_and_not_in_a_pipe() {
    let run = cli_on(slow_tool()).await;
    let line = format!("{}; echo EXIT=$?; sleep 60", shell_line(&run.command));
    let tmux = Tmux::start(&line, run.dirs[2].path());
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut screens = Vec::new();
    loop {
        let screen = tmux.screen();
        let done = screen.contains("EXIT=");
        screens.push(screen);
        if done || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let last = screens.last().unwrap().clone();
    assert!(last.contains("EXIT=0"), "{last}");
    assert!(
        screens.iter().any(|s| s.contains("running exec_command")),
        "the spinner named the tool while it ran:\n{}",
        screens.join("\n----\n")
    );
    assert!(
        !last.contains("running exec_command"),
        "the spinner is gone at the end:\n{last}"
    );
    assert!(last.contains("slept"), "{last}");

    // Piped: the same run writes no spinner and no escape.
    let mut run = cli_on(slow_tool()).await;
    run.command.stdout(Stdio::piped());
    let result = output(run.command).await;
    assert_eq!(result.status.code(), Some(0));
    let all = text(&result.stdout) + &text(&result.stderr);
    assert!(
        !all.contains("running exec_command") && !all.contains('\u{1b}'),
        "{all}"
    );
}
