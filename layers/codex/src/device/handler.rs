//! The capability that shows a device code to the user.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the user needs to approve a device login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCodePrompt {
    /// The page to open (`{issuer}/codex/device`).
    pub verification_url: String,
    /// The code to enter there (short-lived, shown to the user by design).
    pub user_code: String,
    /// How long the code stays valid.
    pub expires_in: Duration,
}

/// Shows a device code, or the URL of a browser login, and the progress of its approval.
///
/// Used as `Arc<dyn DeviceCodeHandler>`, usually through [`DeviceCodeHandlerService`].
pub trait DeviceCodeHandler: Send + Sync + 'static {
    /// A device code was issued: show the URL and the code.
    fn show(&self, prompt: &DeviceCodePrompt);

    /// A browser login started: the user has to open `authorize_url` on this machine.
    ///
    /// Must not block: the callback server starts after it returns. The default logs
    /// the URL (a warning), for handlers written before browser login existed.
    fn open_browser(&self, authorize_url: &str) {
        tracing::warn!(url = authorize_url, "open this URL to sign in to Codex");
    }

    /// Still waiting for approval, `elapsed` after the code or URL was shown (about
    /// once a second).
    fn waiting(&self, _elapsed: Duration) {}

    /// The login finished, successfully or not.
    fn finished(&self, _success: bool) {}
}

/// The cloneable device-code handler a recipe graph provides: an `Arc<dyn DeviceCodeHandler>`.
///
/// # Example
///
/// ```
/// use clanka_codex::{DeviceCodeHandlerService, RecordingDeviceCodeHandler};
///
/// let recorder = RecordingDeviceCodeHandler::default();
/// let handler = DeviceCodeHandlerService::new(recorder.clone());
/// # let _ = (handler, DeviceCodeHandlerService::console());
/// ```
#[derive(Clone)]
pub struct DeviceCodeHandlerService {
    inner: Arc<dyn DeviceCodeHandler>,
}

impl DeviceCodeHandlerService {
    /// Wraps a handler.
    pub fn new(handler: impl DeviceCodeHandler) -> Self {
        Self {
            inner: Arc::new(handler),
        }
    }

    /// The console handler ([`ConsoleDeviceCodeHandler`](crate::ConsoleDeviceCodeHandler)).
    pub fn console() -> Self {
        Self::new(crate::ConsoleDeviceCodeHandler::new())
    }
}

impl DeviceCodeHandler for DeviceCodeHandlerService {
    fn show(&self, prompt: &DeviceCodePrompt) {
        self.inner.show(prompt);
    }

    fn open_browser(&self, authorize_url: &str) {
        self.inner.open_browser(authorize_url);
    }

    fn waiting(&self, elapsed: Duration) {
        self.inner.waiting(elapsed);
    }

    fn finished(&self, success: bool) {
        self.inner.finished(success);
    }
}

impl fmt::Debug for DeviceCodeHandlerService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceCodeHandlerService")
            .finish_non_exhaustive()
    }
}

/// A function that plays the browser for a URL.
type Browser = Arc<dyn Fn(&str) + Send + Sync>;

/// A handler that records prompts, browser URLs and outcomes, for tests.
///
/// [`with_browser`](Self::with_browser) also passes every browser URL to a function,
/// which can play the browser (follow the redirects with an HTTP client).
#[derive(Clone, Default)]
pub struct RecordingDeviceCodeHandler {
    prompts: Arc<Mutex<Vec<DeviceCodePrompt>>>,
    urls: Arc<Mutex<Vec<String>>>,
    browser: Option<Browser>,
    outcomes: Arc<Mutex<Vec<bool>>>,
}

impl RecordingDeviceCodeHandler {
    /// A recorder that also calls `browser` with every URL a browser login shows.
    pub fn with_browser(browser: impl Fn(&str) + Send + Sync + 'static) -> Self {
        Self {
            browser: Some(Arc::new(browser)),
            ..Self::default()
        }
    }

    /// Every browser-login URL shown so far.
    pub fn browser_urls(&self) -> Vec<String> {
        self.urls.lock().map(|u| u.clone()).unwrap_or_default()
    }

    /// Every prompt shown so far.
    pub fn prompts(&self) -> Vec<DeviceCodePrompt> {
        self.prompts.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// The outcome of every finished login so far.
    pub fn outcomes(&self) -> Vec<bool> {
        self.outcomes.lock().map(|o| o.clone()).unwrap_or_default()
    }
}

impl DeviceCodeHandler for RecordingDeviceCodeHandler {
    fn show(&self, prompt: &DeviceCodePrompt) {
        if let Ok(mut prompts) = self.prompts.lock() {
            prompts.push(prompt.clone());
        }
    }

    fn open_browser(&self, authorize_url: &str) {
        if let Ok(mut urls) = self.urls.lock() {
            urls.push(authorize_url.to_owned());
        }
        if let Some(browser) = &self.browser {
            browser(authorize_url);
        }
    }

    fn finished(&self, success: bool) {
        if let Ok(mut outcomes) = self.outcomes.lock() {
            outcomes.push(success);
        }
    }
}

impl fmt::Debug for RecordingDeviceCodeHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordingDeviceCodeHandler")
            .field("prompts", &self.prompts())
            .field("outcomes", &self.outcomes())
            .finish_non_exhaustive()
    }
}
