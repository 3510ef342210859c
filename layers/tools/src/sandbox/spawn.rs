//! Starting a process contained and sandboxed: a thread of its own restricts itself
//! to the sandbox, starts the process with the containment prefix, and then waits
//! until the process is done with ([`Contained`] dropped). The process's
//! containment ends with that thread (`PR_SET_PDEATHSIG`), so it never outlives
//! this process, however it ends.

use std::path::PathBuf;
use std::sync::mpsc;

use super::{Containment, SandboxError, SandboxPolicy, restrict_thread};

/// Stack of the thread that starts a process and then waits for it.
const STARTER_STACK: usize = 256 * 1024;

/// Keeps a contained process's starting thread alive; dropping it ends the thread,
/// and the kernel then kills what the process left running.
#[derive(Debug)]
pub struct Contained {
    _alive: mpsc::Sender<()>,
}

/// Why a contained process did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpawnError {
    /// The sandbox could not be applied; nothing ran.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// The process (or its starting thread) did not start.
    #[error("{0}")]
    Start(String),
}

/// Starts a process: `spawn` gets `argv` with the containment prefix (run it with
/// `tokio::process::Command`, or anything built on it; the caller's runtime is
/// entered), on a thread restricted to `sandbox` with `workspace` as its workspace.
/// Returns what `spawn` returned and the guard that keeps the containment.
///
/// # Example
///
/// ```
/// use clanka_tools::SandboxPolicy;
/// use clanka_tools::sandbox::spawn_contained;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let argv = vec!["true".to_owned()];
/// let (mut child, _contained) = spawn_contained(SandboxPolicy::default(), dir.path().into(), argv, |argv| {
///     tokio::process::Command::new(&argv[0]).args(&argv[1..]).spawn()
/// })
/// .await?;
/// assert!(child.wait().await?.success());
/// # Ok(())
/// # }
/// ```
pub async fn spawn_contained<T, F>(
    sandbox: SandboxPolicy,
    workspace: PathBuf,
    argv: Vec<String>,
    spawn: F,
) -> Result<(T, Contained), SpawnError>
where
    T: Send + 'static,
    F: FnOnce(Vec<String>) -> std::io::Result<T> + Send + 'static,
{
    if argv.is_empty() {
        return Err(SpawnError::Start("an empty command".to_owned()));
    }
    let runtime = tokio::runtime::Handle::current();
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let (guard, alive) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("clanka-contained".to_owned())
        .stack_size(STARTER_STACK)
        .spawn(move || {
            let containment = Containment::probe();
            let started = restrict_thread(&sandbox, &workspace, containment)
                .map_err(SpawnError::from)
                .and_then(|()| {
                    let _runtime = runtime.enter();
                    spawn(containment.wrap(argv)).map_err(|e| SpawnError::Start(e.to_string()))
                });
            let ok = started.is_ok();
            if sender.send(started).is_ok() && ok {
                // Returns when the `Contained` guard is dropped.
                let _ = alive.recv();
            }
        })
        .map_err(|e| SpawnError::Start(format!("starting a thread: {e}")))?;
    let spawned = receiver
        .await
        .map_err(|_| SpawnError::Start("the starting thread ended".to_owned()))??;
    Ok((spawned, Contained { _alive: guard }))
}
