//! Errors of the mock server.

/// Everything that can go wrong while starting or configuring the mock.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// The listening socket could not be bound.
    #[error("could not bind {addr}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The bound address could not be read back.
    #[error("could not read the local address")]
    LocalAddr(#[source] std::io::Error),
    /// A scenario file could not be read.
    #[error("could not read scenario file {path}")]
    ScenarioRead {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A scenario could not be parsed.
    #[error("invalid scenario")]
    ScenarioParse(#[source] serde_json::Error),
    /// The TLS certificates or configuration could not be made.
    #[error("could not set up TLS")]
    Tls(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A file could not be written (e.g. the CA certificate).
    #[error("could not write {path}")]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The server task failed.
    #[error("server task failed")]
    Serve(#[source] std::io::Error),
}
