//! The way to the server, as reqwest takes it for HTTPS: TCP directly or through a
//! proxy's `CONNECT` tunnel, then TLS verified by the platform's trust store.

use std::fmt;
use std::sync::Arc;

use http::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::proxy::matcher::Matcher;
use rustls::ClientConfig;
use rustls::pki_types::CertificateDer;
use tokio::net::TcpStream;
use tokio_tungstenite::Connector;
use tokio_tungstenite::tungstenite::error::TlsError;
use tower::ServiceExt as _;

use crate::config::Proxy;
use crate::{SocketConfig, SocketError};

/// The proxy rules and TLS settings of one [`Tungstenite`](super::Tungstenite),
/// made once.
pub(super) struct Transport {
    /// A configured proxy URL that does not parse fails each connect: it is never
    /// taken as "no proxy".
    proxy: Result<Matcher, String>,
    /// A TLS setup that failed (the platform verifier, a bad extra root) fails each
    /// `wss://` connect, and only those.
    tls: Result<Arc<ClientConfig>, rustls::Error>,
}

impl Transport {
    pub(super) fn new(config: &SocketConfig) -> Self {
        let proxy = match &config.proxy {
            Proxy::FromEnv => Ok(Matcher::from_env()),
            Proxy::Direct => Ok(Matcher::builder().build()),
            Proxy::Url { url, no_proxy } => checked(url).map(|()| {
                Matcher::builder()
                    .all(url.as_str())
                    .no(no_proxy.as_str())
                    .build()
            }),
        };
        Self {
            proxy,
            tls: tls_config(&config.root_certificates),
        }
    }

    /// A TCP stream to the host and port of `uri` (`ws://` or `wss://`), tunnelled
    /// through the proxy the rules choose for it.
    pub(super) async fn open(&self, uri: &Uri, secure: bool) -> Result<TcpStream, SocketError> {
        let host = uri.host().unwrap_or_default();
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        // The proxy rules are written for the HTTP schemes.
        let scheme = if secure { "https" } else { "http" };
        let target: Uri = format!("{scheme}://{host}:{port}")
            .parse()
            .map_err(|error| SocketError::InvalidRequest(http::Error::from(error).into()))?;
        let matcher = self
            .proxy
            .as_ref()
            .map_err(|error| SocketError::Proxy(error.clone().into()))?;
        let Some(proxy) = matcher.intercept(&target) else {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            return TcpStream::connect((bare, port))
                .await
                .map_err(SocketError::Io);
        };
        tracing::debug!(
            proxy = proxy.uri().host().unwrap_or_default(),
            "websocket through a proxy tunnel"
        );
        let mut tunnel = Tunnel::new(proxy.uri().clone(), HttpConnector::new());
        if let Some(credentials) = proxy.basic_auth() {
            tunnel = tunnel.with_auth(credentials.clone());
        }
        let io = tunnel
            .oneshot(target)
            .await
            .map_err(|error| SocketError::Proxy(Box::new(error)))?;
        Ok(io.into_inner())
    }

    /// The TLS connector of `wss://` connections.
    pub(super) fn tls(&self) -> Result<Connector, SocketError> {
        match &self.tls {
            Ok(config) => Ok(Connector::Rustls(Arc::clone(config))),
            Err(error) => Err(SocketError::Tls(TlsError::Rustls(Box::new(error.clone())))),
        }
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("tls", &self.tls.is_ok())
            .finish_non_exhaustive()
    }
}

/// `Ok` when `url` (with or without its scheme, as the proxy rules take it) names a
/// host; the error never repeats the URL, which may hold credentials.
fn checked(url: &str) -> Result<(), String> {
    let full = if url.contains("://") {
        url.to_owned()
    } else {
        format!("http://{url}")
    };
    match full.parse::<Uri>() {
        Ok(uri) if uri.host().is_some_and(|host| !host.is_empty()) => Ok(()),
        Ok(_) => Err("the configured proxy URL names no host".to_owned()),
        Err(error) => Err(format!("the configured proxy URL does not parse: {error}")),
    }
}

/// rustls with the platform verifier (the OS trust store, as reqwest uses it) plus
/// `roots`, on the workspace's one crypto provider.
fn tls_config(roots: &[Vec<u8>]) -> Result<Arc<ClientConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = roots.iter().map(|der| CertificateDer::from(der.clone()));
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(roots, Arc::clone(&provider))?;
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}
