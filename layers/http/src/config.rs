use std::time::Duration;

use crate::Backoff;

/// Configuration of [`HttpClient::new`](crate::HttpClient::new).
///
/// The defaults follow the Codex CLI: 10 s connect timeout, 300 s per-read timeout,
/// 4 retries of request-level failures with a 200 ms exponential backoff base, and
/// server-named delays honoured up to 60 s ([`Backoff::default`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Timeout for establishing a connection (TCP + TLS).
    pub connect_timeout: Duration,
    /// Timeout for each read from the socket; never a total timeout, so long streams live.
    pub read_timeout: Duration,
    /// Retries of request-level failures (connect errors, timeouts, resets, 5xx, and
    /// 429/503 answers that name a delay) and the waits between them.
    pub retry: Backoff,
    /// `User-Agent` header sent with each request, if set.
    pub user_agent: Option<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(300),
            retry: Backoff::default(),
            user_agent: None,
        }
    }
}

impl HttpConfig {
    /// Sets [`connect_timeout`](Self::connect_timeout).
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets [`read_timeout`](Self::read_timeout).
    pub fn with_read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Sets the retry count and first backoff delay of [`retry`](Self::retry).
    pub fn with_retries(mut self, max_retries: u32, backoff_base: Duration) -> Self {
        self.retry = self
            .retry
            .with_max_retries(max_retries)
            .with_base(backoff_base);
        self
    }

    /// Sets [`retry`](Self::retry).
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.retry = backoff;
        self
    }

    /// Sets [`user_agent`](Self::user_agent).
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }
}
