//! Settings of the auth service: issuer, client id, interactivity, API key, timings.

use std::io::IsTerminal;
use std::time::Duration;

use clanka_responses::{CHATGPT_BASE_URL, OPENAI_BASE_URL};

use crate::Secret;

/// The OAuth issuer of ChatGPT sign-in.
pub const DEFAULT_ISSUER: &str = "https://auth.openai.com";
/// The Codex CLI's OAuth client id.
pub const CLIENT_ID: &str = "app_EMoamEEZ73f0CkXaXp7hrann";

/// Settings of [`CodexAuth`](crate::CodexAuth).
///
/// [`CodexAuthConfig::new`] is fixed and non-interactive (for tests and libraries);
/// [`CodexAuthConfig::from_env`] looks at the terminal, `CI`, `OPENAI_API_KEY` and
/// `OPENAI_BASE_URL`. `Debug` redacts the API key.
///
/// # Example
///
/// ```
/// use clanka_codex::CodexAuthConfig;
///
/// let config = CodexAuthConfig::new()
///     .with_issuer("http://127.0.0.1:8080")
///     .with_interactive(true);
/// assert_eq!(config.base_url(), "https://chatgpt.com/backend-api/codex");
/// assert_eq!(config.with_api_key("sk-1").base_url(), "https://api.openai.com/v1");
/// ```
#[derive(Debug, Clone)]
pub struct CodexAuthConfig {
    /// The OAuth issuer, without a trailing `/`.
    pub issuer: String,
    /// The OAuth client id.
    pub client_id: String,
    /// Whether a login may be started when no usable token exists.
    pub interactive: bool,
    /// API-key mode: send `Bearer <key>` and skip OAuth entirely.
    pub api_key: Option<Secret>,
    /// Overrides the responses base URL ([`CodexAuthConfig::base_url`]).
    pub base_url: Option<String>,
    /// The API base of API-key mode when `base_url` is unset (`OPENAI_BASE_URL`, else
    /// [`OPENAI_BASE_URL`]).
    pub api_base_url: Option<String>,
    /// Refresh when the access token has less than this left (300 s, as the official
    /// client does).
    pub refresh_margin: Duration,
    /// Added to the server's polling interval during device login (3 s).
    pub poll_safety_margin: Duration,
    /// How long to wait for a device code to be approved (15 minutes).
    pub device_timeout: Duration,
    /// Loopback ports tried in order for the browser login's callback (1455, then 1457,
    /// the ports registered with the issuer). Port 0 picks a free one (tests, mocks).
    pub callback_ports: Vec<u16>,
    /// How long to wait for the browser login to come back (15 minutes).
    pub browser_timeout: Duration,
}

impl Default for CodexAuthConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl CodexAuthConfig {
    /// The defaults: the OpenAI issuer, not interactive, no API key.
    pub fn new() -> Self {
        Self {
            issuer: DEFAULT_ISSUER.to_owned(),
            client_id: CLIENT_ID.to_owned(),
            interactive: false,
            api_key: None,
            base_url: None,
            api_base_url: None,
            refresh_margin: Duration::from_secs(300),
            poll_safety_margin: Duration::from_secs(3),
            device_timeout: Duration::from_secs(15 * 60),
            callback_ports: vec![1455, 1457],
            browser_timeout: Duration::from_secs(15 * 60),
        }
    }

    /// The defaults, adjusted from the environment: interactive when stdin and stderr are
    /// terminals and `CI` is unset; API-key mode when `OPENAI_API_KEY` is set; the API
    /// base of API-key mode from `OPENAI_BASE_URL`.
    pub fn from_env() -> Self {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        let mut config = Self::new().with_interactive(detect_interactive());
        config.api_key = var("OPENAI_API_KEY").map(Secret::new);
        config.api_base_url = var("OPENAI_BASE_URL");
        config
    }

    /// Sets the OAuth issuer.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into().trim_end_matches('/').to_owned();
        self
    }

    /// Sets the OAuth client id.
    pub fn with_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// Sets whether a login may start on its own.
    pub fn with_interactive(mut self, interactive: bool) -> Self {
        self.interactive = interactive;
        self
    }

    /// Switches to API-key mode.
    pub fn with_api_key(mut self, key: impl Into<Secret>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Overrides the responses base URL.
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sets [`refresh_margin`](Self::refresh_margin): how long before the access token
    /// expires it is refreshed.
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Sets the safety margin added to the device polling interval.
    pub fn with_poll_safety_margin(mut self, margin: Duration) -> Self {
        self.poll_safety_margin = margin;
        self
    }

    /// Sets the device-login deadline.
    pub fn with_device_timeout(mut self, timeout: Duration) -> Self {
        self.device_timeout = timeout;
        self
    }

    /// Sets the loopback ports tried for the browser login's callback.
    pub fn with_callback_ports(mut self, ports: impl Into<Vec<u16>>) -> Self {
        self.callback_ports = ports.into();
        self
    }

    /// Sets the browser-login deadline.
    pub fn with_browser_timeout(mut self, timeout: Duration) -> Self {
        self.browser_timeout = timeout;
        self
    }

    /// The responses base URL: the override, else the API base in API-key mode
    /// (`api_base_url`, else `https://api.openai.com/v1`), else the ChatGPT Codex base.
    pub fn base_url(&self) -> String {
        let url = match (&self.base_url, &self.api_key) {
            (Some(url), _) => url,
            (None, Some(_)) => self.api_base_url.as_deref().unwrap_or(OPENAI_BASE_URL),
            (None, None) => CHATGPT_BASE_URL,
        };
        url.trim_end_matches('/').to_owned()
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }
}

/// Whether this process may prompt: stdin and stderr are terminals and `CI` is unset.
pub fn detect_interactive() -> bool {
    std::env::var_os("CI").is_none()
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
}
