//! The composition root: builds clanka's service graph and shows what it built.
//!
//! For now this wires the base services (key-value store, HTTP client, WebSocket
//! constructor); the Codex auth, model and agent recipes join the graph as they land.
//!
//! ```text
//! cargo run --example cli                  # memory store, prints the graph
//! cargo run --example cli -- --store DIR   # file store in DIR
//! ```
#![allow(clippy::print_stdout)] // a command-line program prints

use std::path::PathBuf;

use anyhow::Context as _;
use clanka::config::ConfigLoader;
use clanka::runtime::Layer;
use clanka::{http, kv, socket};
use clanka_http::{HttpClient, HttpConfig};
use clanka_kv::KeyValueStore;
use clanka_socket::{SocketConfig, WebSocketConstructor};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let store_dir = parse_args()?;
    let config = ConfigLoader::new().load()?;

    // Recipes: each is built once per graph however many recipes use it.
    let store = match &store_dir {
        Some(dir) => kv::layer_file_system(dir),
        None => kv::layer_memory(),
    };
    let services = Layer::merge_all([
        store,
        http::layer_reqwest(HttpConfig::default()),
        socket::layer_tungstenite(SocketConfig::default()),
    ]);

    println!("clanka: building the service graph");
    println!("  requires: {:?}", services.requires());
    for service in services.provides() {
        println!("  provides: {service}");
    }
    let runtime = services.build().await.context("building the graph")?;

    let store: KeyValueStore = runtime.get()?;
    let _http: HttpClient = runtime.get()?;
    let _sockets: WebSocketConstructor = runtime.get()?;

    let auth = store.prefixed("codex.auth/");
    auth.set("example", "written through a prefixed store")
        .await?;
    let keys = store.keys().await?;
    println!("store keys after a prefixed write: {keys:?}");
    println!("codex backend (from config): {}", config.codex.base_url);

    runtime.shutdown().await;
    println!("released every service");
    Ok(())
}

fn parse_args() -> anyhow::Result<Option<PathBuf>> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(None),
        (Some("--store"), Some(dir)) => Ok(Some(PathBuf::from(dir))),
        _ => anyhow::bail!("usage: cli [--store DIR]"),
    }
}
