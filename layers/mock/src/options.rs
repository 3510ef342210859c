//! How a mock server behaves: [`MockOptions`].

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;

use crate::catalog::models::builtin_models;
use crate::scenario::{CompactionFault, Scenario};

/// How a mock server behaves.
#[derive(Debug, Clone)]
pub struct MockOptions {
    /// Address to bind; loopback with port 0 by default.
    pub addr: SocketAddr,
    /// Lifetime of issued access tokens.
    pub token_ttl: Duration,
    /// `chatgpt_account_id` carried by issued tokens.
    pub account_id: String,
    /// Bearer values accepted as API keys (besides issued access tokens).
    pub api_keys: Vec<String>,
    /// `interval` (seconds) returned by the device-code endpoint.
    pub device_interval_secs: u64,
    /// Approve a device code automatically after this many pending polls (`None`: never).
    pub device_auto_approve_after: Option<u32>,
    /// Answer the device-code endpoint with 404, as a server without device login does.
    pub device_flow_disabled: bool,
    /// The status of a device-token poll while the code is not approved yet: 403 (the
    /// default) or 404; clients must treat both as "pending".
    pub device_pending_status: u16,
    /// Deny browser logins: `/oauth/authorize` redirects back with `error=access_denied`
    /// and this `error_description` (`missing_codex_entitlement` names a workspace
    /// without Codex). `None`: approve at once.
    pub authorize_denial: Option<String>,
    /// The script of responses.
    pub scenario: Scenario,
    /// Answer WebSocket upgrades with 426.
    pub websocket_upgrade_refused: bool,
    /// Close WebSockets older than this with `websocket_connection_limit_reached`.
    pub websocket_max_age: Option<Duration>,
    /// Interval of server pings on WebSockets (`None`: no pings).
    pub websocket_ping_interval: Option<Duration>,
    /// The model catalogue served at `GET /backend-api/codex/models`; the ChatGPT path
    /// refuses other models. Default: [`builtin_models`].
    pub models: Vec<Value>,
    /// Accept any model on the ChatGPT path (for old scripts).
    pub accept_any_model: bool,
    /// `/responses` answers carry `x-models-etag` (the catalogue's current `ETag`): an HTTP
    /// header, and on WebSocket a header of the 101 and a `response.metadata` event.
    pub models_etag_header: bool,
    /// Every `/responses` answer carries a fresh `x-codex-turn-state: ts-<n>`: an HTTP header,
    /// or over WebSocket a `response.metadata` event.
    pub turn_state: bool,
    /// Serve HTTPS and WSS with a CA and a server certificate for `localhost` and
    /// `127.0.0.1` made at start (see [`MockServer::ca_pem`](crate::MockServer::ca_pem)).
    pub tls: bool,
    /// Make compaction requests fail this way (a scenario's fault replaces it).
    pub compaction_fault: Option<CompactionFault>,
}

impl Default for MockOptions {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            token_ttl: Duration::from_secs(3600),
            account_id: "acct_mock".to_owned(),
            api_keys: vec!["sk-mock".to_owned()],
            device_interval_secs: 0,
            device_auto_approve_after: Some(1),
            device_flow_disabled: false,
            device_pending_status: 403,
            authorize_denial: None,
            scenario: Scenario::default(),
            websocket_upgrade_refused: false,
            websocket_max_age: None,
            websocket_ping_interval: Some(Duration::from_secs(15)),
            models: builtin_models(),
            accept_any_model: false,
            models_etag_header: false,
            turn_state: false,
            tls: false,
            compaction_fault: None,
        }
    }
}

impl MockOptions {
    /// Sets the bind address.
    pub fn with_addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Sets the access-token lifetime.
    pub fn with_token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// Sets the account id of issued tokens.
    pub fn with_account_id(mut self, id: impl Into<String>) -> Self {
        self.account_id = id.into();
        self
    }

    /// Sets the scenario.
    pub fn with_scenario(mut self, scenario: Scenario) -> Self {
        self.scenario = scenario;
        self
    }

    /// Sets after how many pending polls a device code is approved (`None`: only explicitly).
    pub fn with_device_auto_approve_after(mut self, polls: Option<u32>) -> Self {
        self.device_auto_approve_after = polls;
        self
    }

    /// Sets whether the device-code endpoint answers 404 (no device login).
    pub fn with_device_flow_disabled(mut self, disabled: bool) -> Self {
        self.device_flow_disabled = disabled;
        self
    }

    /// Sets the status of a pending device-token poll (403 or 404).
    pub fn with_device_pending_status(mut self, status: u16) -> Self {
        self.device_pending_status = status;
        self
    }

    /// Denies browser logins with `access_denied` and `description`.
    pub fn with_authorize_denial(mut self, description: impl Into<String>) -> Self {
        self.authorize_denial = Some(description.into());
        self
    }

    /// Sets the WebSocket ping interval.
    pub fn with_websocket_ping_interval(mut self, every: Option<Duration>) -> Self {
        self.websocket_ping_interval = every;
        self
    }

    /// Replaces the model catalogue (each entry a `/models` entry with at least a `slug`).
    pub fn with_models(mut self, models: Vec<Value>) -> Self {
        self.models = models;
        self
    }

    /// Sets whether the ChatGPT path accepts models outside the catalogue.
    pub fn with_accept_any_model(mut self, accept: bool) -> Self {
        self.accept_any_model = accept;
        self
    }

    /// Sets whether `/responses` answers carry `x-models-etag`.
    pub fn with_models_etag_header(mut self, send: bool) -> Self {
        self.models_etag_header = send;
        self
    }

    /// Sets whether `/responses` answers carry a fresh `x-codex-turn-state`.
    pub fn with_turn_state(mut self, send: bool) -> Self {
        self.turn_state = send;
        self
    }

    /// Sets whether the server speaks HTTPS (and WSS) instead of plain HTTP.
    pub fn with_tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// Makes compaction requests fail this way.
    pub fn with_compaction_fault(mut self, fault: Option<CompactionFault>) -> Self {
        self.compaction_fault = fault;
        self
    }
}
