use std::time::Duration;

/// Configuration of [`HttpClient::new`](crate::HttpClient::new).
///
/// The defaults follow the Codex CLI: 10 s connect timeout, 300 s per-read timeout,
/// 4 transient retries with a 200 ms exponential backoff base.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Timeout for establishing a connection (TCP + TLS).
    pub connect_timeout: Duration,
    /// Timeout for each read from the socket; never a total timeout, so long streams live.
    pub read_timeout: Duration,
    /// Retries of transient failures (connect errors, timeouts, resets, 5xx).
    pub max_retries: u32,
    /// Delay before the first transient retry; doubled on each further retry, with jitter.
    pub backoff_base: Duration,
    /// Upper bound of a single transient-retry delay.
    pub backoff_max: Duration,
    /// Longest `Retry-After` (on 429/503) that is waited for; longer ones are returned as is.
    pub retry_after_max: Duration,
    /// How many times a request is re-sent after honouring a `Retry-After`.
    pub max_retry_after_attempts: u32,
    /// `User-Agent` header sent with each request, if set.
    pub user_agent: Option<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(300),
            max_retries: 4,
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(10),
            retry_after_max: Duration::from_secs(60),
            max_retry_after_attempts: 2,
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

    /// Sets [`max_retries`](Self::max_retries) and [`backoff_base`](Self::backoff_base).
    pub fn with_retries(mut self, max_retries: u32, backoff_base: Duration) -> Self {
        self.max_retries = max_retries;
        self.backoff_base = backoff_base;
        self
    }

    /// Sets [`retry_after_max`](Self::retry_after_max) and
    /// [`max_retry_after_attempts`](Self::max_retry_after_attempts).
    pub fn with_retry_after(mut self, max_delay: Duration, max_attempts: u32) -> Self {
        self.retry_after_max = max_delay;
        self.max_retry_after_attempts = max_attempts;
        self
    }

    /// Sets [`user_agent`](Self::user_agent).
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }
}
