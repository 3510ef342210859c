//! The terminal: whether to paint, the logger on stderr, and the spinner that shows
//! the run is alive while the model thinks or a tool runs.

use std::io::{IsTerminal as _, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use clanka::agent::Output;
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// When to use colours (`--color`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless `TERM=dumb` or `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always, even into a pipe or a file.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether output to a stream that `is_terminal` is painted. `--color always`
    /// wins over `NO_COLOR`, as the convention asks of explicit flags.
    pub(crate) fn paints(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && !dumb_terminal() && !no_color(),
        }
    }
}

/// `TERM=dumb` (or no `TERM`): a terminal that understands no escape sequences
/// (Emacs shells, some CI logs). It gets neither colours nor a spinner.
pub(crate) fn dumb_terminal() -> bool {
    std::env::var_os("TERM").is_none_or(|term| term == "dumb")
}

/// `NO_COLOR` set to anything but the empty string.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

/// Installs the logger: `RUST_LOG` when set, else warnings (`-q`: errors only; `-v`
/// info, `-vv` debug, `-vvv` trace). Lines go to stderr, around the spinner.
pub(crate) fn init_logging(verbose: u8, quiet: bool, color: bool, progress: Progress) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::builder()
        .with_default_directive(level.parse().unwrap_or_default())
        .from_env_lossy();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(progress)
        .with_ansi(color)
        .without_time()
        .with_target(verbose > 0)
        .try_init();
}

/// The spinner on stderr, shared by the run's driver, the approval prompt and the
/// logger. Disabled (every call does nothing) unless stderr is a terminal that
/// understands escapes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Progress {
    state: Option<Arc<Mutex<State>>>,
}

#[derive(Debug)]
struct State {
    bar: Option<ProgressBar>,
    /// What the run waits for, and since when.
    label: String,
    since: Instant,
    /// While a question is asked on the terminal, nothing is drawn.
    paused: bool,
}

impl Progress {
    /// A spinner when stderr is a terminal (not `TERM=dumb`) and `wanted`.
    pub(crate) fn new(wanted: bool) -> Self {
        if !wanted || !std::io::stderr().is_terminal() || dumb_terminal() {
            return Self::default();
        }
        let state = State {
            bar: None,
            label: String::new(),
            since: Instant::now(),
            paused: false,
        };
        Self {
            state: Some(Arc::new(Mutex::new(state))),
        }
    }

    /// Shows the spinner with `label`; the elapsed time counts from when the label
    /// last changed. A spinner on screen is relabelled, not drawn anew.
    pub(crate) fn show(&self, label: &str) {
        self.with(|state| {
            if state.label != label {
                state.label = label.to_owned();
                state.since = Instant::now();
                if let Some(bar) = &state.bar {
                    bar.set_message(label.to_owned());
                    bar.reset_elapsed();
                }
            }
            if state.bar.is_none() && !state.paused {
                state.bar = Some(spinner(&state.label, state.since.elapsed()));
            }
        });
    }

    /// Runs `write` (output to the terminal) with the spinner lifted off the screen,
    /// then draws it again.
    pub(crate) fn suspend<T>(&self, write: impl FnOnce() -> T) -> T {
        match self.with(|state| state.bar.clone()).flatten() {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Takes the spinner off the screen (until the next [`show`](Self::show)).
    pub(crate) fn clear(&self) {
        let bar = self.with(|state| state.bar.take());
        if let Some(bar) = bar.flatten() {
            bar.finish_and_clear();
        }
    }

    /// Follows the run after `event` was printed: which wait, if any, to show.
    /// Nothing is drawn while the output is mid-line (a streaming answer), since the
    /// spinner would draw over it.
    pub(crate) fn after(&self, event: &Output, mid_line: bool) {
        if mid_line {
            self.clear();
            return;
        }
        match event {
            Output::ToolCall { name, .. } => self.show(&format!("running {name}")),
            Output::SubagentStart { .. } | Output::SubagentPart { .. } => {
                self.show("sub-agent working");
            }
            Output::Retry { .. } => self.show("retrying"),
            Output::AgentFinished { .. } => self.clear(),
            _ => self.show("thinking"),
        }
    }

    /// Runs `ask` (a question on the terminal) with the spinner stopped, then shows
    /// it again.
    pub(crate) async fn paused<T>(&self, ask: impl std::future::Future<Output = T>) -> T {
        self.clear();
        self.with(|state| state.paused = true);
        let answer = ask.await;
        let label = self.with(|state| {
            state.paused = false;
            state.label.clone()
        });
        if let Some(label) = label.filter(|label| !label.is_empty()) {
            self.show(&label);
        }
        answer
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> Option<T> {
        let state = self.state.as_ref()?;
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        Some(f(&mut state))
    }
}

fn spinner(label: &str, elapsed: Duration) -> ProgressBar {
    let style = ProgressStyle::with_template("{spinner} {msg} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
        .with_style(style)
        .with_message(label.to_owned())
        .with_elapsed(elapsed);
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// One log line, written when the logger is done with it, with the spinner lifted
/// off the screen around it.
#[derive(Debug)]
pub(crate) struct LogLine {
    progress: Progress,
    line: Vec<u8>,
}

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogLine {
    fn drop(&mut self) {
        let line = std::mem::take(&mut self.line);
        self.progress.suspend(|| {
            let _ = std::io::stderr().lock().write_all(&line);
        });
    }
}

impl<'a> MakeWriter<'a> for Progress {
    type Writer = LogLine;

    fn make_writer(&'a self) -> Self::Writer {
        LogLine {
            progress: self.clone(),
            line: Vec::new(),
        }
    }
}
