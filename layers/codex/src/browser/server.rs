//! The loopback server the browser comes back to: `/auth/callback`, `/success`, `/cancel`.

use std::future::IntoFuture;
use std::io::ErrorKind;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use clanka_http::HttpClient;
use futures_util::FutureExt as _;
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;

use crate::device::DeviceCodeHandler;
use crate::oauth::exchange_code;
use crate::{CodexAuthConfig, CodexAuthError, Secret, Token, TokenStore};

/// How often a busy port is retried after asking its owner to `/cancel` (10 × 200 ms).
const REBIND_ATTEMPTS: u32 = 10;
const REBIND_DELAY: Duration = Duration::from_millis(200);
/// How long the server stays up after the outcome so the browser can load its page.
const LINGER: Duration = Duration::from_secs(2);
/// How long an older login gets to answer `/cancel`.
const CANCEL_TIMEOUT: Duration = Duration::from_secs(2);

type Outcome = Result<Token, CodexAuthError>;

/// Binds the first free port of `ports` on 127.0.0.1. A busy port is most likely an
/// older login: it is sent one `GET /cancel` and retried 10 times 200 ms apart before
/// the next port is tried. Returns the listener and the port it is bound to.
pub(super) async fn bind(ports: &[u16]) -> Result<(TcpListener, u16), CodexAuthError> {
    if ports.is_empty() {
        return Err(CodexAuthError::BrowserLoginFailed(
            "no callback port is configured".into(),
        ));
    }
    for &port in ports {
        if let Some(listener) = bind_port(port).await? {
            let port = listener
                .local_addr()
                .map_err(|e| bind_failed(port, &e))?
                .port();
            return Ok((listener, port));
        }
    }
    Err(CodexAuthError::CallbackPortsBusy {
        ports: ports.to_vec(),
    })
}

async fn bind_port(port: u16) -> Result<Option<TcpListener>, CodexAuthError> {
    for attempt in 0..=REBIND_ATTEMPTS {
        match TcpListener::bind(("127.0.0.1", port)).await {
            Ok(listener) => return Ok(Some(listener)),
            Err(e) if e.kind() == ErrorKind::AddrInUse => {}
            Err(e) => return Err(bind_failed(port, &e)),
        }
        if attempt == 0 {
            tracing::info!(port, "callback port busy; cancelling the login holding it");
            cancel_previous(port).await;
        }
        if attempt < REBIND_ATTEMPTS {
            tokio::time::sleep(REBIND_DELAY).await;
        }
    }
    Ok(None)
}

/// One `GET /cancel` with a 2 s limit, through a bare client: the project's client
/// retries, which would multiply the wait on a port held by something else.
async fn cancel_previous(port: u16) {
    let Ok(client) = reqwest::Client::builder()
        .timeout(CANCEL_TIMEOUT)
        .no_proxy()
        .build()
    else {
        return;
    };
    let url = format!("http://127.0.0.1:{port}/cancel");
    if let Err(error) = client.get(url).send().await {
        tracing::debug!(port, %error, "no answer to /cancel");
    }
}

fn bind_failed(port: u16, error: &std::io::Error) -> CodexAuthError {
    CodexAuthError::BrowserLoginFailed(format!("cannot listen on 127.0.0.1:{port}: {error}"))
}

/// What the callback server knows of the login it serves.
pub(super) struct Callback {
    http: HttpClient,
    config: CodexAuthConfig,
    store: TokenStore,
    verifier: Secret,
    state: String,
    redirect_uri: String,
    /// Taken by the one callback (or `/cancel`) that decides the login.
    outcome: Mutex<Option<oneshot::Sender<Outcome>>>,
    receiver: Mutex<Option<oneshot::Receiver<Outcome>>>,
    /// A callback is exchanging the code: the deadline waits for it.
    claimed: AtomicBool,
    /// The token was stored: `/success` may say so.
    succeeded: AtomicBool,
    success_served: Notify,
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

impl Callback {
    pub(super) fn new(
        http: HttpClient,
        config: CodexAuthConfig,
        store: TokenStore,
        verifier: Secret,
        state: String,
        redirect_uri: String,
    ) -> Arc<Self> {
        let (sender, receiver) = oneshot::channel();
        Arc::new(Self {
            http,
            config,
            store,
            verifier,
            state,
            redirect_uri,
            outcome: Mutex::new(Some(sender)),
            receiver: Mutex::new(Some(receiver)),
            claimed: AtomicBool::new(false),
            succeeded: AtomicBool::new(false),
            success_served: Notify::new(),
        })
    }

    /// Serves until the login has an outcome or `timeout` passes, telling `handler`
    /// the elapsed time once a second; then lets the browser load its last page.
    pub(super) async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        timeout: Duration,
        handler: &dyn DeviceCodeHandler,
    ) -> Outcome {
        let receiver = self.receiver.lock().ok().and_then(|mut r| r.take());
        let Some(mut receiver) = receiver else {
            return Err(CodexAuthError::BrowserLoginFailed("served twice".into()));
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(Arc::clone(&self));
        let mut server = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .into_future()
            .fuse();
        let start = Instant::now();
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut expired = false;
        let mut ticks = tokio::time::interval(Duration::from_secs(1));
        let outcome = loop {
            tokio::select! {
                outcome = &mut receiver => {
                    break outcome.unwrap_or(Err(CodexAuthError::LoginCancelled));
                }
                // A code being exchanged is waited for: its token would be lost.
                () = &mut deadline, if !expired => {
                    expired = true;
                    if !self.claimed.load(Ordering::SeqCst) {
                        break Err(CodexAuthError::BrowserLoginTimedOut(timeout));
                    }
                }
                result = &mut server => {
                    let why = result.map_or_else(|e| e.to_string(), |()| "stopped".into());
                    break Err(CodexAuthError::BrowserLoginFailed(format!("callback server: {why}")));
                }
                _ = ticks.tick() => handler.waiting(start.elapsed()),
            }
        };
        if outcome.is_ok() {
            let served = self.success_served.notified();
            let _ = tokio::time::timeout(LINGER, async {
                tokio::select! {
                    () = served => {}
                    _ = &mut server => {}
                }
            })
            .await;
        }
        let _ = stop.send(());
        let _ = tokio::time::timeout(LINGER, server).await;
        outcome
    }

    /// Takes the right to decide the login; `None` when it was already taken.
    fn claim(&self) -> Option<oneshot::Sender<Outcome>> {
        let sender = self.outcome.lock().ok().and_then(|mut s| s.take());
        if sender.is_some() {
            self.claimed.store(true, Ordering::SeqCst);
        }
        sender
    }

    /// Exchanges the code and stores the token, before the browser is told anything.
    async fn complete(&self, query: CallbackQuery) -> Outcome {
        if let Some(error) = query.error {
            return Err(denied(error, query.error_description));
        }
        let Some(code) = query.code.filter(|c| !c.is_empty()) else {
            return Err(CodexAuthError::BrowserLoginFailed(
                "the callback carried no authorization code".into(),
            ));
        };
        let verifier = self.verifier.expose();
        let (http, config) = (&self.http, &self.config);
        let token = exchange_code(http, config, &code, verifier, &self.redirect_uri).await?;
        self.store.save(&token).await?;
        self.succeeded.store(true, Ordering::SeqCst);
        Ok(token)
    }
}

fn router(callback: Arc<Callback>) -> Router {
    Router::new()
        .route("/auth/callback", get(on_callback))
        .route("/success", get(on_success))
        .route("/cancel", get(on_cancel))
        .with_state(callback)
}

/// `/auth/callback?code=…&state=…`: a wrong `state` is refused and the login goes on
/// waiting (it may be a forged request); anything else decides the login.
async fn on_callback(
    State(callback): State<Arc<Callback>>,
    Query(query): Query<CallbackQuery>,
) -> Response {
    if query.state.as_deref() != Some(callback.state.as_str()) {
        tracing::warn!("browser login callback with a mismatched state refused");
        return (StatusCode::BAD_REQUEST, "State mismatch").into_response();
    }
    let Some(sender) = callback.claim() else {
        return page(StatusCode::CONFLICT, "This sign-in has already finished.");
    };
    let outcome = callback.complete(query).await;
    let response = match &outcome {
        Ok(_) => (StatusCode::FOUND, [(header::LOCATION, "/success")]).into_response(),
        Err(error) => page(StatusCode::BAD_REQUEST, &format!("Sign-in failed: {error}")),
    };
    if sender.send(outcome).is_err() {
        // The login was dropped meanwhile (its caller gave up); the token is stored.
        tracing::warn!("browser login finished after its caller stopped waiting");
    }
    response
}

async fn on_success(State(callback): State<Arc<Callback>>) -> Response {
    if !callback.succeeded.load(Ordering::SeqCst) {
        return page(StatusCode::NOT_FOUND, "No sign-in has finished here.");
    }
    callback.success_served.notify_one();
    page(
        StatusCode::OK,
        "Signed in to Codex. You can close this tab and go back to the terminal.",
    )
}

/// `/cancel`: ends a login still waiting for its browser (a newer login on the same
/// port sends it); a code already being exchanged is left to finish.
async fn on_cancel(State(callback): State<Arc<Callback>>) -> Response {
    match callback.claim() {
        Some(sender) => {
            tracing::info!("browser login cancelled through /cancel");
            let _ = sender.send(Err(CodexAuthError::LoginCancelled));
            page(StatusCode::OK, "Login cancelled.")
        }
        None => page(StatusCode::CONFLICT, "No sign-in is waiting here."),
    }
}

/// `access_denied` with `missing_codex_entitlement` means a workspace without Codex.
fn denied(error: String, description: Option<String>) -> CodexAuthError {
    let no_codex = error == "access_denied"
        && description
            .as_deref()
            .is_some_and(|d| d.contains("missing_codex_entitlement"));
    if no_codex {
        CodexAuthError::CodexNotEnabled
    } else {
        CodexAuthError::LoginDenied { error, description }
    }
}

/// A minimal HTML page with `message`, escaped.
fn page(status: StatusCode, message: &str) -> Response {
    let mut text = String::with_capacity(message.len());
    for c in message.chars() {
        match c {
            '<' => text.push_str("&lt;"),
            '>' => text.push_str("&gt;"),
            '&' => text.push_str("&amp;"),
            '"' => text.push_str("&quot;"),
            c => text.push(c),
        }
    }
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>clanka</title></head>\
         <body style=\"font-family: sans-serif; margin: 4em\"><p>{text}</p></body></html>"
    );
    (status, Html(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denials_are_classified() {
        let no_codex = denied(
            "access_denied".into(),
            Some("missing_codex_entitlement: ask your admin".into()),
        );
        assert!(matches!(no_codex, CodexAuthError::CodexNotEnabled));
        let other = denied("access_denied".into(), Some("user said no".into()));
        assert_eq!(
            other.to_string(),
            "sign-in was refused: access_denied (user said no)"
        );
    }
}
