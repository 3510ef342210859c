//! Browser login with PKCE end to end: the "browser" is an HTTP client
//! that follows the mock's redirect to the loopback callback and on to `/success`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use clanka_codex::{
    CodexAuth, CodexAuthError, DeviceCodeHandlerService, LoginMethod, RecordingDeviceCodeHandler,
    Token,
};
use clanka_mock::{MockOptions, RecordedRequest};
use pretty_assertions::assert_eq;
use tokio::sync::oneshot;

use super::common::{Harness, is_form};

/// What the browser saw at the end of the redirects.
#[derive(Debug)]
pub(super) struct Visit {
    status: u16,
    path: String,
    body: String,
}

/// A browser that visits `before` (a path on the callback server, for forged
/// requests) and then the authorize URL, following redirects; its last page arrives
/// on the returned channel.
fn browser(before: Option<&'static str>) -> (RecordingDeviceCodeHandler, oneshot::Receiver<Visit>) {
    let (sender, receiver) = oneshot::channel();
    let sender = Mutex::new(Some(sender));
    let handler = RecordingDeviceCodeHandler::with_browser(move |url| {
        let url = url.to_owned();
        let sender = sender.lock().unwrap().take();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            if let Some(path) = before {
                let port = redirect_port(&url);
                let forged = client
                    .get(format!("http://127.0.0.1:{port}{path}"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(forged.status(), 400);
                assert_eq!(forged.text().await.unwrap(), "State mismatch");
            }
            let response = client.get(&url).send().await.unwrap();
            let visit = Visit {
                status: response.status().as_u16(),
                path: response.url().path().to_owned(),
                body: response.text().await.unwrap(),
            };
            if let Some(sender) = sender {
                let _ = sender.send(visit);
            }
        });
    });
    (handler, receiver)
}

/// A browser nobody uses: the URL is shown and nothing happens.
fn idle_browser() -> RecordingDeviceCodeHandler {
    RecordingDeviceCodeHandler::default()
}

fn query(url: &str) -> HashMap<String, String> {
    let url = reqwest::Url::parse(url).unwrap();
    url.query_pairs().into_owned().collect()
}

fn redirect_port(authorize_url: &str) -> u16 {
    let redirect = &query(authorize_url)["redirect_uri"];
    let port = redirect
        .strip_prefix("http://127.0.0.1:")
        .and_then(|r| r.strip_suffix("/auth/callback"))
        .unwrap();
    port.parse().unwrap()
}

fn auth(h: &Harness, handler: &RecordingDeviceCodeHandler, ports: Vec<u16>) -> CodexAuth {
    CodexAuth::new(
        h.http.clone(),
        &h.store,
        DeviceCodeHandlerService::new(handler.clone()),
        h.config(false)
            .with_callback_ports(ports)
            .with_browser_timeout(Duration::from_secs(20)),
    )
}

/// A browser login on a free port, played to the end: the token, the handler, and the
/// last page the browser saw.
pub(super) async fn sign_in(h: &Harness) -> (Token, RecordingDeviceCodeHandler, Visit) {
    let (handler, visit) = browser(None);
    let token = auth(h, &handler, vec![0])
        .authenticate_with(LoginMethod::Browser)
        .await
        .unwrap();
    (token, handler, visit.await.unwrap())
}

/// The code exchange the mock received.
pub(super) fn exchange(h: &Harness) -> RecordedRequest {
    let requests = h.server.requests();
    requests
        .into_iter()
        .find(|r| r.path == "/oauth/token")
        .unwrap()
}

/// Waits until `handler` has been shown a URL; returns the callback port in it.
async fn shown_port(handler: &RecordingDeviceCodeHandler) -> u16 {
    loop {
        if let Some(url) = handler.browser_urls().first() {
            return redirect_port(url);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn browser_login_exchanges_the_code_and_persists_the_token() {
    let h = Harness::start().await;
    let (token, handler, visit) = sign_in(&h).await;
    assert_eq!(token.account_id.as_deref(), Some("acct_mock"));
    assert_eq!((visit.status, visit.path.as_str()), (200, "/success"));
    assert!(visit.body.contains("Signed in to Codex"), "{}", visit.body);
    assert_eq!(handler.outcomes(), [true]);

    let url = handler.browser_urls().remove(0);
    assert!(url.starts_with(&format!("{}/oauth/authorize?", h.server.issuer_url())));
    let params = query(&url);
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["code_challenge"].len(), 43);
    assert_eq!(params["state"].len(), 43);
    assert!(params["scope"].contains("offline_access"));
    let redirect_uri = params["redirect_uri"].clone();

    // The mock checked S256(code_verifier) against the challenge; the exchange is a
    // form with the loopback redirect URI.
    let exchange = exchange(&h);
    assert!(is_form(&exchange));
    assert_eq!(
        exchange.field("redirect_uri").unwrap().as_str(),
        Some(redirect_uri.as_str())
    );
    assert_eq!(
        exchange
            .field("code_verifier")
            .unwrap()
            .as_str()
            .unwrap()
            .len(),
        86
    );

    // Stored: a second instance needs no login.
    let again = auth(&h, &idle_browser(), vec![0]).get().await.unwrap();
    assert_eq!(again.access, token.access);
}

#[tokio::test]
async fn a_forged_callback_is_refused_and_the_login_goes_on() {
    let h = Harness::start().await;
    let (handler, visit) = browser(Some("/auth/callback?code=forged&state=wrong"));
    auth(&h, &handler, vec![0])
        .authenticate_with(LoginMethod::Browser)
        .await
        .unwrap();
    assert_eq!(visit.await.unwrap().path, "/success");
    let exchanges = h.server.requests();
    let codes: Vec<_> = exchanges
        .iter()
        .filter(|r| r.path == "/oauth/token")
        .map(|r| r.field("code").cloned())
        .collect();
    assert_eq!(codes.len(), 1, "the forged code was never exchanged");
}

#[tokio::test]
async fn a_workspace_without_codex_gets_a_typed_error_and_stores_nothing() {
    let options = MockOptions::default().with_authorize_denial("missing_codex_entitlement");
    let h = Harness::with(options).await;
    let (handler, visit) = browser(None);
    let error = auth(&h, &handler, vec![0])
        .authenticate_with(LoginMethod::Browser)
        .await
        .unwrap_err();
    assert!(
        matches!(error, CodexAuthError::CodexNotEnabled),
        "{error:?}"
    );
    let visit = visit.await.unwrap();
    assert_eq!(visit.status, 400);
    assert!(
        visit.body.contains("Codex is not enabled"),
        "{}",
        visit.body
    );
    assert_eq!(handler.outcomes(), [false]);
    assert!(h.tokens().load().await.unwrap().is_none());
}

#[tokio::test]
async fn an_unanswered_login_times_out_and_frees_its_port() {
    let h = Harness::start().await;
    let handler = idle_browser();
    let config = h
        .config(false)
        .with_callback_ports(vec![0])
        .with_browser_timeout(Duration::from_millis(300));
    let auth = CodexAuth::new(
        h.http.clone(),
        &h.store,
        DeviceCodeHandlerService::new(handler.clone()),
        config,
    );
    let error = auth
        .authenticate_with(LoginMethod::Browser)
        .await
        .unwrap_err();
    assert!(
        matches!(error, CodexAuthError::BrowserLoginTimedOut(_)),
        "{error:?}"
    );
    assert_eq!(handler.outcomes(), [false]);
    let port = shown_port(&handler).await;
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
}

#[tokio::test]
async fn a_second_login_on_the_same_port_cancels_the_first() {
    let h = Harness::start().await;
    let waiting = idle_browser();
    let first = auth(&h, &waiting, vec![0]);
    let pending = tokio::spawn(async move { first.authenticate_with(LoginMethod::Browser).await });
    let port = shown_port(&waiting).await;

    let (handler, visit) = browser(None);
    let token = auth(&h, &handler, vec![port])
        .authenticate_with(LoginMethod::Browser)
        .await
        .unwrap();
    let error = pending.await.unwrap().unwrap_err();
    assert!(matches!(error, CodexAuthError::LoginCancelled), "{error:?}");
    assert_eq!(visit.await.unwrap().path, "/success");
    assert_eq!(redirect_port(&handler.browser_urls()[0]), port);
    assert_eq!(
        h.tokens().load().await.unwrap().unwrap().access,
        token.access
    );
}

#[tokio::test]
async fn a_port_held_by_a_stranger_falls_back_to_the_next() {
    let h = Harness::start().await;
    // Holds the port and hangs up on `/cancel`.
    let stranger = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let busy = stranger.local_addr().unwrap().port();
    let stranger = tokio::spawn(async move {
        loop {
            let _ = stranger.accept().await;
        }
    });
    let (handler, _visit) = browser(None);
    auth(&h, &handler, vec![busy, 0])
        .authenticate_with(LoginMethod::Browser)
        .await
        .unwrap();
    assert_ne!(redirect_port(&handler.browser_urls()[0]), busy);

    let handler = idle_browser();
    let error = auth(&h, &handler, vec![busy])
        .authenticate_with(LoginMethod::Browser)
        .await
        .unwrap_err();
    match error {
        CodexAuthError::CallbackPortsBusy { ports } => assert_eq!(ports, [busy]),
        other => panic!("{other:?}"),
    }
    assert!(handler.browser_urls().is_empty());
    stranger.abort();
}

/// The login URL and callback carry no secret: the code verifier never leaves the
/// exchange, and the handler is only ever shown the challenge.
#[tokio::test]
async fn the_verifier_is_only_sent_to_the_token_endpoint() {
    let h = Harness::start().await;
    let (_, handler, _) = sign_in(&h).await;
    let requests = h.server.requests();
    let exchange = exchange(&h);
    let verifier = exchange.field("code_verifier").unwrap().as_str().unwrap();
    let url = &handler.browser_urls()[0];
    assert!(!url.contains(verifier));
    let elsewhere = requests
        .iter()
        .filter(|r| r.path != "/oauth/token")
        .any(|r| format!("{:?} {:?}", r.query, r.body).contains(verifier));
    assert!(!elsewhere);
}

/// Steps through the redirects by hand: `/success` says nothing before a sign-in, the
/// token is stored before the browser is sent to `/success`, and a reloaded callback
/// cannot decide the login a second time.
#[tokio::test]
async fn the_token_is_stored_before_the_browser_hears_of_it() {
    let h = Harness::start().await;
    let tokens = h.tokens();
    let (sender, steps) = oneshot::channel();
    let sender = Mutex::new(Some(sender));
    let handler = RecordingDeviceCodeHandler::with_browser(move |url| {
        let (url, tokens) = (url.to_owned(), tokens.clone());
        let sender = sender.lock().unwrap().take().unwrap();
        tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let base = format!("http://127.0.0.1:{}", redirect_port(&url));
            let get = |url: String| {
                let client = client.clone();
                async move {
                    let response = client.get(url).send().await.unwrap();
                    let location = response
                        .headers()
                        .get("location")
                        .map(|l| l.to_str().unwrap().to_owned());
                    (response.status().as_u16(), location)
                }
            };
            let early = get(format!("{base}/success")).await.0;
            let (_, callback) = get(url).await;
            let callback = callback.unwrap();
            let (status, location) = get(callback.clone()).await;
            let stored = tokens.load().await.unwrap().is_some();
            let reload = get(callback).await.0;
            let success = get(format!("{base}/success")).await.0;
            let _ = sender.send((early, status, location, stored, reload, success));
        });
    });
    auth(&h, &handler, vec![0])
        .authenticate_with(LoginMethod::Browser)
        .await
        .unwrap();
    let (early, status, location, stored, reload, success) = steps.await.unwrap();
    assert_eq!(early, 404, "/success before any sign-in");
    assert_eq!((status, location.as_deref()), (302, Some("/success")));
    assert!(stored, "stored before the redirect to /success");
    assert_eq!(reload, 409, "a reloaded callback is refused");
    assert_eq!(success, 200);
}
