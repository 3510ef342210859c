//! State shared by every handler of one mock server.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::watch;

use crate::auth::Registry;
use crate::record::Recorder;
use crate::scenario::{ScenarioState, ScriptedResponse};
use crate::server::MockOptions;

/// Locks a mutex, ignoring poisoning (the data stays usable for a mock).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) options: MockOptions,
    pub(crate) base_url: String,
    pub(crate) registry: Mutex<Registry>,
    pub(crate) scenario: Mutex<ScenarioState>,
    pub(crate) recorder: Recorder,
    pub(crate) ws_refused: AtomicBool,
    pub(crate) ws_max_age: Mutex<Option<Duration>>,
    pub(crate) shutdown: watch::Receiver<bool>,
    ids: AtomicU64,
    /// Bumped to forget every stored response (`previous_response_id` no longer found).
    epoch: AtomicU64,
}

impl AppState {
    pub(crate) fn new(
        options: MockOptions,
        base_url: String,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        Self {
            base_url,
            registry: Mutex::default(),
            scenario: Mutex::new(ScenarioState::new(options.scenario.clone())),
            recorder: Recorder::default(),
            ws_refused: AtomicBool::new(options.websocket_upgrade_refused),
            ws_max_age: Mutex::new(options.websocket_max_age),
            shutdown,
            ids: AtomicU64::new(1),
            epoch: AtomicU64::new(0),
            options,
        }
    }

    /// A fresh number, unique within this server.
    pub(crate) fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }

    /// The current response epoch: responses completed in an earlier one are forgotten.
    pub(crate) fn responses_epoch(&self) -> u64 {
        self.epoch.load(Ordering::Relaxed)
    }

    /// Forgets every response completed so far.
    pub(crate) fn forget_responses(&self) {
        self.epoch.fetch_add(1, Ordering::Relaxed);
    }

    /// The next scripted response of a conversation (`None` = default behaviour).
    pub(crate) fn next_script(&self, key: &str, model: Option<&str>) -> Option<ScriptedResponse> {
        lock(&self.scenario).next(key, model)
    }
}
