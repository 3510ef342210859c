use reqwest_retry::RetryError;
use tower::BoxError;

/// Error returned by [`HttpClient`](crate::HttpClient) and the services it wraps.
///
/// Messages never include header values (they may carry bearer tokens).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The reqwest client could not be built from the configuration.
    #[error("failed to build the http client")]
    Build(#[source] reqwest::Error),
    /// The connection to the server could not be established.
    #[error("failed to connect to the server")]
    Connect(#[source] reqwest::Error),
    /// The request timed out (connect timeout or per-read timeout).
    #[error("http request timed out")]
    Timeout(#[source] reqwest::Error),
    /// Any other transport failure (reset, protocol error, invalid request, ..).
    #[error("http request failed")]
    Transport(#[source] reqwest::Error),
    /// A reqwest middleware failed.
    #[error("http middleware failed")]
    Middleware(#[source] BoxError),
    /// A tower layer wrapped around the client failed.
    #[error("http service failed")]
    Service(#[source] BoxError),
}

impl HttpError {
    /// Returns true if the request timed out.
    pub fn is_timeout(&self) -> bool {
        self.reqwest().is_some_and(reqwest::Error::is_timeout)
    }

    /// Returns true if the connection could not be established.
    pub fn is_connect(&self) -> bool {
        self.reqwest().is_some_and(reqwest::Error::is_connect)
    }

    fn reqwest(&self) -> Option<&reqwest::Error> {
        match self {
            Self::Build(e) | Self::Connect(e) | Self::Timeout(e) | Self::Transport(e) => Some(e),
            Self::Middleware(_) | Self::Service(_) => None,
        }
    }
}

impl From<reqwest::Error> for HttpError {
    fn from(err: reqwest::Error) -> Self {
        if err.is_timeout() {
            Self::Timeout(err)
        } else if err.is_connect() {
            Self::Connect(err)
        } else {
            Self::Transport(err)
        }
    }
}

impl From<reqwest_middleware::Error> for HttpError {
    fn from(err: reqwest_middleware::Error) -> Self {
        match err {
            reqwest_middleware::Error::Reqwest(err) => err.into(),
            // reqwest-retry wraps every final error, retried or not: unwrap it.
            reqwest_middleware::Error::Middleware(err) => match err.downcast::<RetryError>() {
                Ok(RetryError::WithRetries { err, .. } | RetryError::Error(err)) => err.into(),
                Err(err) => Self::Middleware(err.into()),
            },
        }
    }
}

impl From<BoxError> for HttpError {
    /// Recovers an [`HttpError`] or a reqwest error boxed by a tower layer; anything else
    /// becomes [`HttpError::Service`].
    fn from(err: BoxError) -> Self {
        let err = match err.downcast::<HttpError>() {
            Ok(err) => return *err,
            Err(err) => err,
        };
        match err.downcast::<reqwest::Error>() {
            Ok(err) => (*err).into(),
            Err(err) => Self::Service(err),
        }
    }
}
