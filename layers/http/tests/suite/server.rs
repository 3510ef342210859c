//! A tiny scripted HTTP/1.1 server on loopback that records the requests it receives.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the body of a reply is written.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    /// All at once.
    Full(&'static str),
    /// `sent` bytes of a `len`-byte body, then nothing for a long time.
    Stall { sent: usize, len: usize },
    /// `len` bytes, one every `every`.
    Drip { len: usize, every: Duration },
}

/// One scripted response.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: Body,
}

impl Reply {
    pub(crate) fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Body::Full("ok"),
        }
    }

    pub(crate) fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    pub(crate) fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }
}

/// The server: replies in script order (the last one repeats), one request per connection.
pub(crate) struct TestServer {
    pub(crate) url: String,
    count: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
}

impl TestServer {
    pub(crate) async fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/path?token=secret",
            listener.local_addr().unwrap()
        );
        let count = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (c, h) = (count.clone(), heads.clone());
        tokio::spawn(async move {
            loop {
                let (mut stream, _) = listener.accept().await.unwrap();
                let (c, h, replies) = (c.clone(), h.clone(), replies.clone());
                tokio::spawn(async move {
                    let head = read_request(&mut stream).await;
                    h.lock().unwrap().push(head);
                    let n = c.fetch_add(1, Ordering::SeqCst);
                    let reply = &replies[n.min(replies.len() - 1)];
                    write_reply(stream, reply).await;
                });
            }
        });
        Self { url, count, heads }
    }

    pub(crate) fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    pub(crate) fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// Reads the request head and drains its body (content-length or chunked).
async fn read_request(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed before the request head");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
    let done = |body: &[u8]| {
        if head.contains("transfer-encoding: chunked") {
            body.ends_with(b"0\r\n\r\n")
        } else {
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .map_or(0, |v| v.trim().parse::<usize>().unwrap());
            body.len() >= len
        }
    };
    while !done(&buf[end..]) {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed before the request body");
        buf.extend_from_slice(&chunk[..n]);
    }
    head
}

async fn write_reply(mut stream: TcpStream, reply: &Reply) {
    let len = match &reply.body {
        Body::Full(s) => s.len(),
        Body::Stall { len, .. } | Body::Drip { len, .. } => *len,
    };
    let mut head = format!("HTTP/1.1 {} X\r\ncontent-length: {len}\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    match &reply.body {
        Body::Full(s) => stream.write_all(s.as_bytes()).await.unwrap(),
        Body::Stall { sent, .. } => {
            stream.write_all(&vec![b'x'; *sent]).await.unwrap();
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Body::Drip { len, every } => {
            for _ in 0..*len {
                tokio::time::sleep(*every).await;
                if stream.write_all(b"x").await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = stream.shutdown().await;
}
