//! The loopback server the browser comes back to: `/auth/callback`, `/success`, `/cancel`.

use std::future::IntoFuture;
use std::io::ErrorKind;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use clanka_http::HttpClient;
use futures_util::FutureExt as _;
use reqwest::Method;
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::time::Instant;

use crate::device::DeviceCodeHandler;
use crate::oauth::exchange_code;
use crate::{CodexAuthConfig, CodexAuthError, Secret, Token};

/// How often a busy port is retried after asking its owner to `/cancel` (10 × 200 ms).
const REBIND_ATTEMPTS: u32 = 10;
const REBIND_DELAY: Duration = Duration::from_millis(200);
/// How long the server stays up after the outcome so the browser can load its page.
const LINGER: Duration = Duration::from_secs(2);

type Outcome = Result<Token, CodexAuthError>;

/// Binds the first free port of `ports` on 127.0.0.1. A busy port is most likely an
/// older login: it is sent `GET /cancel` and retried 10 times 200 ms apart before the
/// next port is tried. Returns the listener and the port it is bound to.
pub(super) async fn bind(
    http: &HttpClient,
    ports: &[u16],
) -> Result<(TcpListener, u16), CodexAuthError> {
    for &port in ports {
        if let Some(listener) = bind_port(http, port).await? {
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

async fn bind_port(http: &HttpClient, port: u16) -> Result<Option<TcpListener>, CodexAuthError> {
    let mut cancelled = false;
    for attempt in 0..=REBIND_ATTEMPTS {
        match TcpListener::bind(("127.0.0.1", port)).await {
            Ok(listener) => return Ok(Some(listener)),
            Err(e) if e.kind() == ErrorKind::AddrInUse => {}
            Err(e) => return Err(bind_failed(port, &e)),
        }
        if !cancelled {
            cancelled = true;
            tracing::info!(port, "callback port busy; cancelling the login holding it");
            let cancel = http
                .request(Method::GET, format!("http://127.0.0.1:{port}/cancel"))
                .timeout(Duration::from_secs(2));
            let _ = http.send(cancel).await;
        }
        if attempt < REBIND_ATTEMPTS {
            tokio::time::sleep(REBIND_DELAY).await;
        }
    }
    Ok(None)
}

fn bind_failed(port: u16, error: &std::io::Error) -> CodexAuthError {
    CodexAuthError::BrowserLoginFailed(format!("cannot listen on 127.0.0.1:{port}: {error}"))
}

/// What the callback server knows of the login it serves.
pub(super) struct Callback {
    http: HttpClient,
    config: CodexAuthConfig,
    verifier: Secret,
    state: String,
    redirect_uri: String,
    outcome: Mutex<Option<oneshot::Sender<Outcome>>>,
    receiver: Mutex<Option<oneshot::Receiver<Outcome>>>,
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
        verifier: Secret,
        state: String,
        redirect_uri: String,
    ) -> Arc<Self> {
        let (sender, receiver) = oneshot::channel();
        Arc::new(Self {
            http,
            config,
            verifier,
            state,
            redirect_uri,
            outcome: Mutex::new(Some(sender)),
            receiver: Mutex::new(Some(receiver)),
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
        let mut ticks = tokio::time::interval(Duration::from_secs(1));
        let outcome = loop {
            tokio::select! {
                outcome = &mut receiver => {
                    break outcome.unwrap_or(Err(CodexAuthError::LoginCancelled));
                }
                () = &mut deadline => break Err(CodexAuthError::BrowserLoginTimedOut(timeout)),
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

    /// Hands the outcome to the waiting login; `false` when it already had one.
    fn finish(&self, outcome: Outcome) -> bool {
        let sender = self.outcome.lock().ok().and_then(|mut s| s.take());
        sender.is_some_and(|sender| sender.send(outcome).is_ok())
    }

    fn is_pending(&self) -> bool {
        self.outcome.lock().is_ok_and(|s| s.is_some())
    }

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
        exchange_code(http, config, &code, verifier, &self.redirect_uri).await
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
    if !callback.is_pending() {
        return page(StatusCode::CONFLICT, "This sign-in has already finished.");
    }
    let outcome = callback.complete(query).await;
    let response = match &outcome {
        Ok(_) => Redirect::to("/success").into_response(),
        Err(error) => page(StatusCode::BAD_REQUEST, &format!("Sign-in failed: {error}")),
    };
    callback.finish(outcome);
    response
}

async fn on_success(State(callback): State<Arc<Callback>>) -> Response {
    callback.success_served.notify_one();
    page(
        StatusCode::OK,
        "Signed in to Codex. You can close this tab and go back to the terminal.",
    )
}

async fn on_cancel(State(callback): State<Arc<Callback>>) -> Response {
    if callback.finish(Err(CodexAuthError::LoginCancelled)) {
        tracing::info!("browser login cancelled through /cancel");
    }
    page(StatusCode::OK, "Login cancelled.")
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
