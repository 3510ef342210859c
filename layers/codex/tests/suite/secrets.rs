//! No token appears in tracing output across login, request, 401, refresh and retry.

use std::io::Write;
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;

use super::browser::{exchange, sign_in};
use super::common::Harness;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Buffer {
    /// Captures every event of this thread (the test's runtime) until the guard drops.
    fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
        let buffer = Buffer::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(buffer.clone())
            .with_ansi(false)
            .finish();
        (buffer, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test]
async fn no_token_in_tracing_output() {
    let (buffer, _default) = Buffer::capture();

    let h = Harness::start().await;
    let auth = h.auth(true);
    let client = auth.authenticate_http(h.http.clone());
    assert_eq!(h.post_responses(&client).await.unwrap().status(), 200);
    let first = h.tokens().load().await.unwrap().unwrap();
    h.server.expire_all_access_tokens();
    assert_eq!(h.post_responses(&client).await.unwrap().status(), 200);
    let second = h.tokens().load().await.unwrap().unwrap();
    tracing::info!(?first, %second.access, "tokens as the test sees them");
    auth.logout().await.unwrap();

    let log = buffer.text();
    assert!(log.contains("codex token refreshed"), "{log}");
    assert!(log.contains("signed out of codex"), "{log}");
    for secret in [
        &first.access,
        &first.refresh,
        &second.access,
        &second.refresh,
    ] {
        assert!(!log.contains(secret.expose()), "token leaked into:\n{log}");
    }
}

/// The browser login's code verifier and authorization code stay out of the logs too.
#[tokio::test]
async fn no_secret_in_tracing_output_of_a_browser_login() {
    let (buffer, _default) = Buffer::capture();
    let h = Harness::start().await;
    let (token, _, _) = sign_in(&h).await;
    let exchange = exchange(&h);
    let field = |name| exchange.field(name).unwrap().as_str().unwrap().to_owned();
    let log = buffer.text();
    assert!(log.contains("signed in to codex"), "{log}");
    for secret in [
        token.access.expose().to_owned(),
        token.refresh.expose().to_owned(),
        field("code_verifier"),
        field("code"),
    ] {
        assert!(!log.contains(&secret), "secret leaked into:\n{log}");
    }
}
