//! The client part of the CLI's graph, pointed at a mock: file store, HTTP client,
//! sockets, a recording device-code prompt, and `codex::layer_client`.

use std::path::Path;
use std::time::Duration;

use clanka::codex;
use clanka::runtime::Layer;
use clanka::{http, kv, socket};
use clanka_codex::{CodexAuthConfig, DeviceCodeHandlerService, RecordingDeviceCodeHandler};
use clanka_http::HttpConfig;
use clanka_mock::MockServer;
use clanka_socket::SocketConfig;

pub(super) fn client(server: &MockServer, store: &Path) -> Layer {
    let base = Layer::merge_all([
        http::layer_reqwest(HttpConfig::default()),
        socket::layer_tungstenite(SocketConfig::default()),
        kv::layer_file_system(store),
        codex::layer_prompt(DeviceCodeHandlerService::new(
            RecordingDeviceCodeHandler::default(),
        )),
    ]);
    let auth = CodexAuthConfig::new()
        .with_issuer(server.issuer_url())
        .with_base_url(server.codex_base_url())
        .with_interactive(true)
        .with_poll_safety_margin(Duration::ZERO);
    codex::layer_client(auth).provide(&base)
}
