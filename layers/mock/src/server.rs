//! Starting, controlling and stopping a mock server.
//!
//! # Example
//!
//! ```no_run
//! # async fn run() -> Result<(), clanka_mock::MockError> {
//! use clanka_mock::{MockOptions, MockServer, ScriptedResponse};
//!
//! let server = MockServer::start(MockOptions::default()).await?;
//! server.push_response(ScriptedResponse::new().message("Hello!"));
//! let tokens = server.issue_tokens();
//! println!("{} {}", server.codex_base_url(), tokens.access_token);
//! server.shutdown().await;
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::serve::ListenerExt as _;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::IssuedTokens;
use crate::record::RecordedRequest;
use crate::scenario::{Scenario, ScriptedResponse};
use crate::state::{AppState, lock};
use crate::{MockError, router};

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
    /// default) or 404; clients must treat both as "pending" (§1.2).
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
}

/// A running mock server; dropping it stops the server.
#[derive(Debug)]
pub struct MockServer {
    state: Arc<AppState>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl MockServer {
    /// Binds and starts serving in the background.
    pub async fn start(options: MockOptions) -> Result<Self, MockError> {
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .map_err(|source| MockError::Bind {
                addr: options.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(MockError::LocalAddr)?;
        let (stop, stopped) = watch::channel(false);
        let state = Arc::new(AppState::new(
            options,
            format!("http://{addr}"),
            stopped.clone(),
        ));
        let app = router::build(Arc::clone(&state));
        let mut signal = stopped;
        // Events are small writes: without TCP_NODELAY, Nagle's algorithm holds each one
        // back until the previous is acknowledged, which the client may delay.
        let listener = listener.tap_io(|tcp| {
            if let Err(error) = tcp.set_nodelay(true) {
                tracing::debug!(%error, "could not set TCP_NODELAY");
            }
        });
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = signal.wait_for(|stop| *stop).await;
        });
        let task = tokio::spawn(async move { serve.await });
        tracing::info!(%addr, "clanka-mock listening");
        Ok(Self {
            state,
            addr,
            stop,
            task: Some(task),
        })
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.state.base_url.clone()
    }

    /// The OAuth issuer (same origin: the auth endpoints live at the root).
    pub fn issuer_url(&self) -> String {
        self.url()
    }

    /// `{url}/backend-api/codex`, the ChatGPT-auth responses base.
    pub fn codex_base_url(&self) -> String {
        format!("{}/backend-api/codex", self.url())
    }

    /// `{url}/v1`, the API-key responses base.
    pub fn api_base_url(&self) -> String {
        format!("{}/v1", self.url())
    }

    /// Every request and WebSocket message received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.recorder.all()
    }

    /// Only the requests and messages to a `…/responses` endpoint.
    pub fn response_requests(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(RecordedRequest::is_responses)
            .collect()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.state.recorder.clear();
    }

    /// Approves every pending device code; returns how many.
    pub fn approve_device_code(&self) -> usize {
        lock(&self.state.registry).approve(None)
    }

    /// Mints a valid token set directly (e.g. to pre-seed a token store).
    pub fn issue_tokens(&self) -> IssuedTokens {
        let ttl = self.state.options.token_ttl;
        lock(&self.state.registry).issue(&self.state.options.account_id, ttl)
    }

    /// Makes every access token issued so far expired.
    pub fn expire_all_access_tokens(&self) {
        lock(&self.state.registry).expire_all();
    }

    /// Makes WebSocket upgrades answer 426 (or accept them again).
    pub fn set_websocket_upgrade_refused(&self, refused: bool) {
        self.state.ws_refused.store(refused, Ordering::Relaxed);
    }

    /// Closes WebSockets (opened from now on) after `age` with `websocket_connection_limit_reached`.
    pub fn set_websocket_max_age(&self, age: Option<Duration>) {
        *lock(&self.state.ws_max_age) = age;
    }

    /// Forgets every response completed so far on every WebSocket: the next request
    /// continuing one with `previous_response_id` gets `previous_response_not_found`.
    pub fn forget_responses(&self) {
        self.state.forget_responses();
    }

    /// Appends a scripted response to the shared list.
    pub fn push_response(&self, response: ScriptedResponse) {
        lock(&self.state.scenario).push(response);
    }

    /// Replaces the scenario and restarts every conversation.
    pub fn set_scenario(&self, scenario: Scenario) {
        lock(&self.state.scenario).set(scenario);
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    /// Asks the server to stop without waiting.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
