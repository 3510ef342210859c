//! Decorating clients with the auth layers.

use std::sync::Arc;

use clanka_http::HttpClient;
use clanka_socket::WebSocketConstructor;

use crate::{AuthLayer, CodexAuth, TokenSource};

impl CodexAuth {
    /// `http` with [`AuthLayer`] on top, taking tokens from this service.
    ///
    /// Keep using the undecorated client for the auth service itself.
    pub fn authenticate_http(&self, http: HttpClient) -> HttpClient {
        http.with_layer(AuthLayer::new(self.token_source()))
    }

    /// `sockets` with [`AuthLayer`] on top (it decorates handshakes too), taking tokens from this service.
    pub fn authenticate_sockets(&self, sockets: WebSocketConstructor) -> WebSocketConstructor {
        sockets.with_layer(AuthLayer::new(self.token_source()))
    }

    /// This service as a shared [`TokenSource`].
    pub fn token_source(&self) -> Arc<dyn TokenSource> {
        Arc::new(self.clone())
    }
}
