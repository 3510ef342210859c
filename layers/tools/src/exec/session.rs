//! Commands that keep running between calls (`exec_command` then `write_stdin`): the
//! output is read in the background and handed out a chunk per call; the sessions of
//! a run die with it.

use std::collections::{HashMap, VecDeque};
use std::os::unix::process::ExitStatusExt as _;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::unix::pipe;
use tokio::process::{Child, ChildStdin};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::capture::Capture;
use super::spawn::{KillGroup, Started};
use crate::ToolError;
use crate::sandbox::Contained;

/// Output kept between two reads: the first and last half of this many bytes.
const KEPT_OUTPUT: usize = 1024 * 1024;
/// How long output is still read after the command exits, for processes that left
/// the process group but hold the pipe.
const GRACE: Duration = Duration::from_millis(250);
/// Most sessions a run keeps; the least recently used one goes first.
const MAX_SESSIONS: usize = 64;

/// A running command.
#[derive(Debug)]
pub(crate) struct Process {
    stdin: tokio::sync::Mutex<Option<ChildStdin>>,
    shared: Arc<Shared>,
    driver: JoinHandle<()>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    changed: Notify,
}

#[derive(Debug)]
struct State {
    /// Output not yet handed out.
    fresh: Capture,
    exit: Option<ExitStatus>,
    /// The command's process group, killed (by dropping it) once: when the command
    /// exits, or when the process is dropped before that, never later.
    group: Option<KillGroup>,
}

/// What a command produced since the last read.
#[derive(Debug)]
pub(crate) struct Chunk {
    pub(crate) output: String,
    /// The exit status, once the command is done.
    pub(crate) exit: Option<ExitStatus>,
}

impl Process {
    /// Starts reading `started`'s output in the background.
    pub(crate) fn run(started: Started) -> Self {
        let Started {
            child,
            output,
            stdin,
            group,
            starter,
        } = started;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                fresh: Capture::new(KEPT_OUTPUT),
                exit: None,
                group: Some(group),
            }),
            changed: Notify::new(),
        });
        let driver = tokio::spawn(drive(child, output, starter, Arc::clone(&shared)));
        Self {
            stdin: tokio::sync::Mutex::new(stdin),
            shared,
            driver,
        }
    }

    /// Waits until the command exits or `deadline` passes; the output since the last
    /// read.
    pub(crate) async fn read_until(&self, deadline: Instant) -> Chunk {
        loop {
            let changed = self.shared.changed.notified();
            if self.shared.lock().exit.is_some() {
                break;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                break;
            }
        }
        let mut state = self.shared.lock();
        let fresh = std::mem::replace(&mut state.fresh, Capture::new(KEPT_OUTPUT));
        Chunk {
            output: fresh.finish(),
            exit: state.exit,
        }
    }

    /// Writes `chars` to the command's stdin.
    pub(crate) async fn write(&self, chars: &str) -> Result<(), ToolError> {
        let mut stdin = self.stdin.lock().await;
        let Some(pipe) = stdin.as_mut() else {
            return Err(ToolError::failed("the process's stdin is closed"));
        };
        let written = async {
            pipe.write_all(chars.as_bytes()).await?;
            pipe.flush().await
        };
        written
            .await
            .map_err(|e| ToolError::failed(format!("writing to the process failed: {e}")))
    }

    fn exited(&self) -> bool {
        self.shared.lock().exit.is_some()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // At once, not when the aborted driver is next polled.
        drop(self.shared.lock().group.take());
        self.driver.abort();
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Reads output until the command exits, kills its group (nothing it started keeps
/// running), lets its starting thread end, drains what is left, and records the
/// exit status. Aborting it (the process dropped) drops `starter` too.
async fn drive(
    mut child: Child,
    mut output: pipe::Receiver,
    starter: Contained,
    shared: Arc<Shared>,
) {
    let mut buf = vec![0; 16 * 1024];
    let mut open = true;
    let status = loop {
        tokio::select! {
            read = output.read(&mut buf), if open => match read {
                Ok(0) | Err(_) => open = false,
                Ok(n) => {
                    shared.lock().fresh.push(&buf[..n]);
                    shared.changed.notify_waiters();
                }
            },
            status = child.wait() => break status,
        }
    };
    let group = shared.lock().group.take();
    drop(group);
    drop(starter);
    if open {
        let drain = async {
            while let Ok(n) = output.read(&mut buf).await
                && n > 0
            {
                shared.lock().fresh.push(&buf[..n]);
            }
        };
        let _ = tokio::time::timeout(GRACE, drain).await;
    }
    shared.lock().exit = Some(status.unwrap_or_else(|_| ExitStatus::from_raw(-1)));
    shared.changed.notify_waiters();
}

/// The sessions of one run, by id. Dropping the last clone kills their processes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sessions {
    inner: Arc<Mutex<Known>>,
}

#[derive(Debug, Default)]
struct Known {
    processes: HashMap<u32, Arc<Process>>,
    /// Ids, least recently used first.
    order: VecDeque<u32>,
    /// Sessions started so far.
    started: u32,
}

/// The id of a run's first session; later ones count up (as in the official client's
/// tests, so a scripted model can name them).
const FIRST_ID: u32 = 1000;

impl Sessions {
    /// Keeps `process` running under a new id, making room when the run has
    /// [`MAX_SESSIONS`] (an exited one goes first, else the least recently used).
    pub(crate) fn keep(&self, process: Arc<Process>) -> u32 {
        let mut known = self.lock();
        if known.processes.len() >= MAX_SESSIONS {
            let victim = known
                .order
                .iter()
                .copied()
                .find(|id| known.processes.get(id).is_some_and(|p| p.exited()))
                .or_else(|| known.order.front().copied());
            if let Some(victim) = victim {
                known.remove(victim);
            }
        }
        let id = FIRST_ID + known.started;
        known.started += 1;
        known.processes.insert(id, process);
        known.order.push_back(id);
        id
    }

    /// The session `id`, marked as just used.
    pub(crate) fn get(&self, id: u32) -> Option<Arc<Process>> {
        let mut known = self.lock();
        let process = known.processes.get(&id).cloned()?;
        known.order.retain(|other| *other != id);
        known.order.push_back(id);
        Some(process)
    }

    /// Forgets the session `id` (its process has exited).
    pub(crate) fn forget(&self, id: u32) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Known {
    fn remove(&mut self, id: u32) {
        self.processes.remove(&id);
        self.order.retain(|other| *other != id);
    }
}
