//! An HTTP proxy that only tunnels (`CONNECT`), for testing clients behind a
//! corporate proxy: it records every tunnel asked for, can demand credentials, and
//! can send a target to another address (so a client that skips the proxy finds
//! nothing there).
//!
//! # Example
//!
//! ```
//! use clanka_mock::ConnectProxy;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let proxy = ConnectProxy::start().await.unwrap();
//! assert!(proxy.url().starts_with("http://127.0.0.1:"));
//! assert!(proxy.tunnels().is_empty());
//! # });
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::common::lock;

/// The longest request head read before the proxy gives up on a client.
const MAX_HEAD: usize = 16 * 1024;

/// One tunnel a client asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyTunnel {
    /// `host:port` of the `CONNECT` line.
    pub target: String,
    /// The `Proxy-Authorization` header, if sent.
    pub authorization: Option<String>,
    /// Whether the tunnel was opened (credentials right, target reachable).
    pub opened: bool,
}

#[derive(Debug, Default)]
struct Shared {
    tunnels: Vec<ProxyTunnel>,
    routes: HashMap<String, SocketAddr>,
    authorization: Option<String>,
}

/// A `CONNECT` proxy on a free loopback port; stops when dropped.
#[derive(Debug)]
pub struct ConnectProxy {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    task: JoinHandle<()>,
}

impl ConnectProxy {
    /// Starts the proxy on `127.0.0.1`.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Mutex::new(Shared::default()));
        let task = tokio::spawn(accept(listener, Arc::clone(&shared)));
        Ok(Self { addr, shared, task })
    }

    /// `http://127.0.0.1:<port>`, for `HTTPS_PROXY` and the like.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Tunnels to `target` (`host:port`) go to `to` instead.
    pub fn route(&self, target: impl Into<String>, to: SocketAddr) {
        self.lock().routes.insert(target.into(), to);
    }

    /// Demands `Proxy-Authorization: <value>` (`Basic …`); others get `407`.
    pub fn require_authorization(&self, value: impl Into<String>) {
        self.lock().authorization = Some(value.into());
    }

    /// The tunnels asked for so far, in order.
    pub fn tunnels(&self) -> Vec<ProxyTunnel> {
        self.lock().tunnels.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        lock(&self.shared)
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept(listener: TcpListener, shared: Arc<Mutex<Shared>>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            // Out of descriptors or a reset client: wait instead of spinning.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            continue;
        };
        tokio::spawn(serve(client, Arc::clone(&shared)));
    }
}

/// Reads one request head, answers it, and for a good `CONNECT` pipes bytes both ways
/// until either side closes.
async fn serve(mut client: TcpStream, shared: Arc<Mutex<Shared>>) {
    let Some(head) = read_head(&mut client).await else {
        return;
    };
    let mut lines = head.split("\r\n");
    let request = lines.next().unwrap_or_default();
    let mut words = request.split(' ');
    let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
        let _ = client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    let authorization = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("proxy-authorization")
            .then(|| value.trim().to_owned())
    });
    let (required, route) = {
        let shared = lock(&shared);
        (
            shared.authorization.clone(),
            shared.routes.get(target).copied(),
        )
    };
    let mut tunnel = ProxyTunnel {
        target: target.to_owned(),
        authorization: authorization.clone(),
        opened: false,
    };
    let upstream = if required.is_some() && required != authorization {
        let _ = client
            .write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                  proxy-authenticate: Basic realm=\"mock\"\r\ncontent-length: 0\r\n\r\n",
            )
            .await;
        None
    } else {
        let upstream = match route {
            Some(addr) => TcpStream::connect(addr).await,
            None => TcpStream::connect(target).await,
        };
        if upstream.is_err() {
            let _ = client
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
        upstream.ok()
    };
    tunnel.opened = upstream.is_some();
    lock(&shared).tunnels.push(tunnel);
    let Some(mut upstream) = upstream else {
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .await
        .is_ok()
    {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}

/// The request head (up to the blank line), or `None` when the client sends more
/// than [`MAX_HEAD`] bytes or goes away. A client sends nothing after the head of a
/// `CONNECT` until the proxy answers, so reading byte by byte loses nothing.
async fn read_head(client: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= MAX_HEAD {
            return None;
        }
        head.push(client.read_u8().await.ok()?);
    }
    String::from_utf8(head).ok()
}
