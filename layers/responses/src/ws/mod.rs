//! The WebSocket transport: one persistent socket per conversation, requests
//! queued so that two responses never share a socket, incremental input with
//! `previous_response_id`, reconnects, and a one-way fallback to SSE on 426.

mod session;
mod stream;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clanka_model::AiError;
use clanka_socket::{SocketError, WebSocketConstructor};
use tokio::sync::Mutex;

use crate::ResponsesConfig;
use crate::lru::Lru;
use crate::request::{HeaderSet, ResponsesRequest};
use crate::retry::Attempt;
use crate::turn_state::TurnSlot;

pub(crate) use session::Session;

/// The sockets of one model instance.
#[derive(Debug)]
pub(crate) struct Connections {
    sockets: WebSocketConstructor,
    config: Arc<ResponsesConfig>,
    /// A socket per conversation, at most `max_conversations`: past that the least
    /// recently used idle one closes (one, never all). A conversation whose socket
    /// closed connects again and sends its next request in full, then continues
    /// incrementally.
    sessions: std::sync::Mutex<Lru<Arc<Mutex<Session>>>>,
    fallback: AtomicBool,
}

/// What an attempt over the WebSocket transport turned into.
pub(crate) enum Opened {
    /// Parts streaming over the socket.
    Socket(Attempt),
    /// The backend refused WebSockets (426): use SSE from now on.
    Fallback,
}

impl Connections {
    pub(crate) fn new(sockets: WebSocketConstructor, config: Arc<ResponsesConfig>) -> Self {
        Self {
            sockets,
            sessions: std::sync::Mutex::new(Lru::new(config.max_conversations)),
            config,
            fallback: AtomicBool::new(false),
        }
    }

    /// Whether a handshake was answered 426, so the model uses SSE for its lifetime.
    pub(crate) fn fell_back(&self) -> bool {
        self.fallback.load(Ordering::Relaxed)
    }

    /// Sends `request` on its conversation's socket, connecting first if needed.
    pub(crate) async fn open(
        &self,
        request: Arc<ResponsesRequest>,
        turn: Option<TurnSlot>,
    ) -> Result<Opened, AiError> {
        let session = self.session(request.conversation());
        let mut session = session.lock_owned().await;
        if session.needs_connect(self.config.max_socket_age) {
            match self.connect(request.conversation()).await {
                Ok(socket) => session.attach(socket),
                Err(error) if error.status() == Some(http::StatusCode::UPGRADE_REQUIRED) => {
                    tracing::warn!("websocket upgrade refused (426); using HTTPS for this model");
                    self.fallback.store(true, Ordering::Relaxed);
                    return Ok(Opened::Fallback);
                }
                Err(error) => return Err(handshake_error(error)),
            }
        }
        let incremental = session.send_create(&request).await?;
        Ok(Opened::Socket(stream::parts(
            session,
            request,
            incremental,
            &self.config,
            turn,
        )))
    }

    fn session(&self, conversation: &str) -> Arc<Mutex<Session>> {
        let mut sessions = self
            .sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(session) = sessions.get(conversation) {
            return session.clone();
        }
        let session = Arc::new(Mutex::new(Session::default()));
        // A session streaming a response (locked) is never the one to go.
        sessions.insert(conversation, session.clone(), |s| s.try_lock().is_ok());
        session
    }

    async fn connect(&self, conversation: &str) -> Result<clanka_socket::WebSocket, SocketError> {
        let mut request = WebSocketConstructor::request(self.config.websocket_url())
            .body(())
            .map_err(|e| SocketError::Service(e.into()))?;
        *request.headers_mut() = HeaderSet::WebSocket.headers(conversation);
        self.sockets.connect(request).await
    }
}

fn handshake_error(error: SocketError) -> AiError {
    match error {
        SocketError::Handshake { status, body } => {
            crate::status::from_status(status.as_u16(), body.unwrap_or_default().as_bytes(), None)
        }
        other => AiError::transport(other),
    }
}
