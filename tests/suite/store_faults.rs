//! A token store that cannot be written, and a refresh lock that is never released,
//! end the CLI's run at once (or at the lock's deadline) with the path and the
//! operating system's message, instead of being retried as network errors.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clanka_mock::{MockOptions, MockServer};

use super::common::{cli, output, text, token_store};

/// The CLI, signed in with the store in `dir`, asked one thing.
fn run_in(server: &MockServer, dir: &Path, work: &Path) -> Command {
    let mut command = cli();
    command
        .args(["--http", "-C"])
        .arg(work)
        .arg("hello")
        .env("CLANKA_AUTH__ISSUER", server.issuer_url())
        .env("CLANKA_CODEX__BASE_URL", server.codex_base_url())
        .env("CLANKA_STORE__DIR", dir);
    command
}

#[tokio::test]
async fn a_read_only_store_ends_the_run_at_once_naming_the_path() {
    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let (store, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    token_store(&server, store.path(), true).await;

    // The store becomes read-only in a mount namespace of the CLI's own.
    let direct = run_in(&server, store.path(), work.path());
    let mut args = vec![direct.get_program().to_owned()];
    args.extend(direct.get_args().map(ToOwned::to_owned));
    let mut command = Command::new("unshare");
    command
        .args(["-m", "--", "sh", "-c"])
        .arg(r#"mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@""#)
        .arg(store.path())
        .args(&args)
        .envs(direct.get_envs().filter_map(|(k, v)| Some((k, v?))));
    for (name, value) in direct.get_envs() {
        if value.is_none() {
            command.env_remove(name);
        }
    }
    let started = Instant::now();
    let result = output(command).await;
    let stderr = text(&result.stderr);

    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(10), "not retried");
    assert!(stderr.contains("Read-only file system"), "{stderr}");
    assert!(
        stderr.contains(&store.path().display().to_string()),
        "the message names the store: {stderr}"
    );
    let posts = server.response_requests().len();
    assert_eq!(posts, 0, "nothing was sent without a token");
    server.shutdown().await;
}

#[tokio::test]
async fn a_refresh_lock_held_by_a_stopped_process_times_out_naming_the_store() {
    let server = MockServer::start(MockOptions::default()).await.unwrap();
    let (store, work) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    token_store(&server, store.path(), true).await;

    // Another process takes the refresh lock, then is stopped while holding it.
    let lock = store.path().join(".lock-codex.auth%2Frefresh");
    let mut holder = Command::new("flock")
        .arg(&lock)
        .args(["-c", "echo held; exec sleep 120"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut held = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.take().unwrap()),
        &mut held,
    )
    .unwrap();
    assert_eq!(held.trim(), "held");
    let pid = nix::unistd::Pid::from_raw(i32::try_from(holder.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGSTOP).unwrap();

    let started = Instant::now();
    let result = output(run_in(&server, store.path(), work.path())).await;
    let elapsed = started.elapsed();
    let _ = holder.kill();
    let _ = holder.wait();

    let stderr = text(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    // The deadline, then a process start and teardown on a loaded machine.
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
    assert!(
        elapsed >= Duration::from_secs(29),
        "waited the deadline: {elapsed:?}"
    );
    assert!(stderr.contains("waiting for lock"), "{stderr}");
    assert!(
        stderr.contains(&store.path().display().to_string()),
        "the message names the store: {stderr}"
    );
    server.shutdown().await;
}
