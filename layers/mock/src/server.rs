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
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::serve::ListenerExt as _;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::IssuedTokens;
use crate::catalog::Catalog;
use crate::common::lock;
use crate::record::RecordedRequest;
use crate::scenario::{CompactionFault, Scenario, ScriptedResponse};
use crate::state::AppState;
use crate::tls::{self, TlsListener};
use crate::{MockError, MockOptions, router};

/// A running mock server; dropping it stops the server.
#[derive(Debug)]
pub struct MockServer {
    state: Arc<AppState>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    ca_pem: Option<String>,
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
        let certificates = if options.tls {
            Some(tls::generate()?)
        } else {
            None
        };
        let scheme = if options.tls { "https" } else { "http" };
        let (stop, stopped) = watch::channel(false);
        let state = Arc::new(AppState::new(
            options,
            format!("{scheme}://{addr}"),
            stopped.clone(),
        ));
        let app = router::build(Arc::clone(&state));
        let task = match &certificates {
            Some(certificates) => {
                let acceptor = tls::acceptor(certificates)?;
                let listener = TlsListener::new(listener, addr, acceptor, stopped.clone());
                spawn(listener, app, stopped)
            }
            None => spawn_plain(listener, app, stopped),
        };
        tracing::info!(%addr, scheme, "clanka-mock listening");
        Ok(Self {
            state,
            addr,
            stop,
            task: Some(task),
            ca_pem: certificates.map(|c| c.ca_pem),
        })
    }

    /// The PEM of the CA that signed the server certificate (with
    /// [`MockOptions::tls`]): what an HTTPS client must trust.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Writes [`ca_pem`](Self::ca_pem) to `path`; does nothing without TLS.
    pub fn write_ca_pem(&self, path: impl AsRef<Path>) -> Result<(), MockError> {
        let Some(pem) = &self.ca_pem else {
            return Ok(());
        };
        let path = path.as_ref();
        std::fs::write(path, pem).map_err(|source| MockError::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// The model catalogue served now.
    pub fn models(&self) -> Vec<Value> {
        lock(&self.state.catalog).models().to_vec()
    }

    /// Replaces the model catalogue (its `ETag` changes with it).
    pub fn set_models(&self, models: Vec<Value>) {
        *lock(&self.state.catalog) = Catalog::new(models);
    }

    /// The catalogue's current `ETag` (quoted), as `GET …/models` and `x-models-etag` send it.
    pub fn models_etag(&self) -> String {
        lock(&self.state.catalog).etag().to_owned()
    }

    /// Makes every refresh wait `delay` before it is processed (`None`: at once).
    pub fn set_refresh_delay(&self, delay: Option<Duration>) {
        *lock(&self.state.refresh_delay) = delay;
    }

    /// How many refreshes were processed (refresh tokens rotated) so far.
    pub fn refreshes(&self) -> u64 {
        self.state
            .refreshes
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Makes compaction requests fail this way from now on (`None`: succeed).
    pub fn set_compaction_fault(&self, fault: Option<CompactionFault>) {
        *lock(&self.state.compaction_fault) = fault;
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (`https://` with TLS).
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
        self.state.set_scenario(scenario);
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

/// Serves plain HTTP until `stopped` turns true.
fn spawn_plain(
    listener: TcpListener,
    app: Router,
    stopped: watch::Receiver<bool>,
) -> JoinHandle<std::io::Result<()>> {
    // Events are small writes: without TCP_NODELAY, Nagle's algorithm holds each one
    // back until the previous is acknowledged, which the client may delay.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
    });
    spawn(listener, app, stopped)
}

/// Serves `app` on `listener` until `stopped` turns true.
fn spawn<L>(
    listener: L,
    app: Router,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<std::io::Result<()>>
where
    L: axum::serve::Listener,
    L::Addr: std::fmt::Debug,
{
    let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    });
    tokio::spawn(async move { serve.await })
}
