//! A real `redis-server` for tests: the one at `CLANKA_TEST_REDIS_URL` when it is set
//! (CI starts one), else one this process starts on a free loopback port, which stops
//! when the process ends, killed or not.
//!
//! # Example
//!
//! ```no_run
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use clanka_kv::{KeyValueStore, RedisStore};
//!
//! let url = clanka_kv::test_redis::url()?;
//! let store = KeyValueStore::new(RedisStore::connect(&url).await?);
//! store.set("greeting", "hi").await?;
//! # Ok(())
//! # }
//! ```

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The variable naming a Redis server the tests use instead of starting one.
pub const URL_VARIABLE: &str = "CLANKA_TEST_REDIS_URL";

/// How long a started server may take to answer `PING`.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// Why no server could be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TestRedisError {
    /// `redis-server` could not be run (the OS's message).
    #[error("redis-server could not be started (install the Debian package redis-server): {0}")]
    Spawn(String),
    /// It ran, but did not answer in time.
    #[error("redis-server on 127.0.0.1:{port} did not answer PING within {seconds} s")]
    NoAnswer {
        /// The port it was started on.
        port: u16,
        /// How long it was given.
        seconds: u64,
    },
}

/// A `redis-server` this process started; dropping it stops the server.
#[derive(Debug)]
pub struct TestRedis {
    url: String,
    /// The guard's stdin: when it closes (on drop, or when this process ends in any
    /// way) the guard kills the server and waits for it to exit.
    stop: Option<ChildStdin>,
    guard: Child,
}

impl TestRedis {
    /// Starts a server on a free loopback port, without persistence, and waits until
    /// it answers.
    pub fn start() -> Result<Self, TestRedisError> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| spawn_error(&e))?
            .port();
        // A shell that holds the server and waits on its stdin: end of input, which
        // comes when this process ends, stops the server.
        let script = r#"redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no & server=$!
read -r _ || true
kill "$server" 2>/dev/null
wait "$server""#;
        let mut guard = Command::new("sh")
            .args(["-c", script, "sh", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| spawn_error(&e))?;
        let stop = guard.stdin.take();
        let server = Self {
            url: format!("redis://127.0.0.1:{port}"),
            stop,
            guard,
        };
        let deadline = Instant::now() + START_TIMEOUT;
        while !answers(port) {
            if Instant::now() > deadline {
                return Err(TestRedisError::NoAnswer {
                    port,
                    seconds: START_TIMEOUT.as_secs(),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        drop(self.stop.take());
        let _ = self.guard.wait();
    }
}

fn spawn_error(error: &std::io::Error) -> TestRedisError {
    TestRedisError::Spawn(error.to_string())
}

/// Whether a server on `port` answers `PING`.
fn answers(port: u16) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut reply = [0; 5];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG"
}

/// The URL of the tests' server: `CLANKA_TEST_REDIS_URL`, else a server started once
/// for this process (it stops when the process ends).
pub fn url() -> Result<String, TestRedisError> {
    if let Ok(url) = std::env::var(URL_VARIABLE) {
        return Ok(url);
    }
    static STARTED: OnceLock<Result<TestRedis, TestRedisError>> = OnceLock::new();
    STARTED
        .get_or_init(TestRedis::start)
        .as_ref()
        .map(|server| server.url.clone())
        .map_err(Clone::clone)
}
