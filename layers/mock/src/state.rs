//! State shared by every handler of one mock server.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use crate::auth::registry::Registry;
use crate::catalog::models::Catalog;
use crate::common::lock;
use crate::options::MockOptions;
use crate::record::Recorder;
use crate::scenario::{CompactionFault, Scenario, ScenarioState, ScriptedResponse};

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) options: MockOptions,
    pub(crate) base_url: String,
    pub(crate) registry: Mutex<Registry>,
    pub(crate) scenario: Mutex<ScenarioState>,
    pub(crate) catalog: Mutex<Catalog>,
    pub(crate) compaction_fault: Mutex<Option<CompactionFault>>,
    pub(crate) recorder: Recorder,
    pub(crate) ws_refused: AtomicBool,
    pub(crate) ws_max_age: Mutex<Option<Duration>>,
    /// How long a refresh waits before it is processed.
    pub(crate) refresh_delay: Mutex<Option<Duration>>,
    /// Refreshes processed (tokens rotated).
    pub(crate) refreshes: AtomicU64,
    pub(crate) shutdown: watch::Receiver<bool>,
    ids: AtomicU64,
    turn_states: AtomicU64,
    /// Bumped to forget every stored response (`previous_response_id` no longer found).
    epoch: AtomicU64,
}

impl AppState {
    pub(crate) fn new(
        options: MockOptions,
        base_url: String,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        let mut scenario = options.scenario.clone();
        let models = scenario.catalog.take().unwrap_or(options.models.clone());
        let fault = scenario.compaction_fault.take();
        Self {
            base_url,
            registry: Mutex::default(),
            scenario: Mutex::new(ScenarioState::new(scenario)),
            catalog: Mutex::new(Catalog::new(models)),
            compaction_fault: Mutex::new(fault.or(options.compaction_fault.clone())),
            recorder: Recorder::default(),
            ws_refused: AtomicBool::new(options.websocket_upgrade_refused),
            ws_max_age: Mutex::new(options.websocket_max_age),
            refresh_delay: Mutex::new(None),
            refreshes: AtomicU64::new(0),
            shutdown,
            ids: AtomicU64::new(1),
            turn_states: AtomicU64::new(1),
            epoch: AtomicU64::new(0),
            options,
        }
    }

    /// A fresh number, unique within this server.
    pub(crate) fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }

    /// A fresh turn-state token: `ts-1`, `ts-2`, … in the order of answers.
    pub(crate) fn next_turn_state(&self) -> String {
        format!("ts-{}", self.turn_states.fetch_add(1, Ordering::Relaxed))
    }

    /// Replaces the scenario; its catalogue and compaction fault, when given, replace the
    /// current ones.
    pub(crate) fn set_scenario(&self, mut scenario: Scenario) {
        if let Some(models) = scenario.catalog.take() {
            *lock(&self.catalog) = Catalog::new(models);
        }
        if let Some(fault) = scenario.compaction_fault.take() {
            *lock(&self.compaction_fault) = Some(fault);
        }
        lock(&self.scenario).set(scenario);
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
