//! [`ResponsesModel`]: the Codex Responses API as a tower service from
//! [`Prompt`] to [`PartStream`].

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use clanka_http::HttpClient;
use clanka_model::{AiError, Compact, LanguageModel, PartStream, Prompt};
use clanka_socket::WebSocketConstructor;
use futures_util::FutureExt as _;
use futures_util::future::{Ready, ready};
use tower::Service;

use crate::lru::Lru;
use crate::request::{HeaderSet, Input, ResponsesRequest, TURN_METADATA};
use crate::retry::{Attempt, Failure, Open, RetryPolicy, retrying};
use crate::turn_state::{TURN_STATE, TurnSlot, TurnStates};
use crate::ws::{Connections, Opened};
use crate::{ResponsesConfig, sse};

/// A Codex model streamed over SSE ([`sse`](Self::sse)) or one persistent WebSocket
/// per conversation ([`websocket`](Self::websocket)). Cheap to clone; clones share
/// their sockets.
///
/// The HTTP client and socket constructor must already authenticate (see
/// `clanka_codex::CodexAuth::authenticate_http`); this type adds the Responses
/// headers, body, retries and decoding.
#[derive(Clone)]
pub struct ResponsesModel {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    config: Arc<ResponsesConfig>,
    /// Prompt-cache key and session id of requests whose options name no conversation.
    conversation: String,
    sockets: Option<Connections>,
    turns: Arc<TurnStates>,
    /// The encoded input of each conversation's last request, reused by its next.
    inputs: std::sync::Mutex<Lru<Input>>,
}

impl ResponsesModel {
    /// The model over HTTP: one POST answered with SSE per attempt.
    pub fn sse(http: HttpClient, config: ResponsesConfig) -> Self {
        Self::build(http, None, config)
    }

    /// The model over WebSockets, falling back to `http` if the backend answers 426.
    pub fn websocket(
        http: HttpClient,
        sockets: WebSocketConstructor,
        config: ResponsesConfig,
    ) -> Self {
        Self::build(http, Some(sockets), config)
    }

    fn build(
        http: HttpClient,
        sockets: Option<WebSocketConstructor>,
        config: ResponsesConfig,
    ) -> Self {
        let config = Arc::new(config);
        let capacity = config.max_conversations;
        Self {
            inner: Arc::new(Inner {
                sockets: sockets.map(|s| Connections::new(s, config.clone())),
                http,
                config,
                conversation: uuid::Uuid::new_v4().to_string(),
                turns: Arc::default(),
                inputs: std::sync::Mutex::new(Lru::new(capacity)),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ResponsesConfig {
        &self.inner.config
    }

    /// Whether this model streams over WebSockets (and has not fallen back to SSE).
    pub fn uses_websocket(&self) -> bool {
        self.inner.sockets.as_ref().is_some_and(|s| !s.fell_back())
    }

    /// This model behind the provider-neutral [`LanguageModel`] handle.
    pub fn language_model(self) -> LanguageModel {
        LanguageModel::new(self)
    }

    /// Streams the response to `prompt`. Invalid requests fail here; everything else
    /// arrives on the stream, after retries.
    pub fn stream(&self, prompt: &Prompt) -> Result<PartStream, AiError> {
        let conversation = (self.inner.config.conversation_of(&prompt.options))
            .unwrap_or_else(|| self.inner.conversation.clone());
        let previous = self.inner.inputs().get(&conversation).cloned();
        let mut request = ResponsesRequest::build_after(
            prompt,
            &self.inner.config,
            &self.inner.conversation,
            previous.as_ref(),
        )?;
        drop(previous);
        self.inner
            .inputs()
            .insert(&conversation, request.input.clone(), |_| true);
        match prompt.compact {
            Some(Compact::Trigger) if !self.inner.config.compaction_trigger => {
                return Err(AiError::Unsupported {
                    option: "compaction through a trigger item (ChatGPT sign-in only)".to_owned(),
                });
            }
            Some(Compact::Endpoint) => {
                let (http, config) = (self.inner.http.clone(), self.inner.config.clone());
                return Ok(crate::compact::endpoint(http, config, request));
            }
            _ => {}
        }
        let turn = (prompt.options.turn_id.as_ref())
            .or(self.inner.config.options.turn_id.as_ref())
            .map(|turn| TurnSlot::new(self.inner.turns.clone(), turn.clone()));
        if let Some(turn) = &turn {
            request.turn_state = self.inner.turns.get(turn.id());
        }
        let request = Arc::new(request);
        let policy = RetryPolicy {
            backoff: self.inner.config.retry,
            classify: self.inner.config.classify_error,
        };
        let inner = self.inner.clone();
        let open: Open = Box::new(move || {
            let inner = inner.clone();
            let request = request.clone();
            let turn = turn.clone();
            async move { inner.attempt(request, turn).await }.boxed()
        });
        Ok(retrying(policy, open))
    }
}

impl Inner {
    fn inputs(&self) -> std::sync::MutexGuard<'_, Lru<Input>> {
        self.inputs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn attempt(
        &self,
        request: Arc<ResponsesRequest>,
        turn: Option<TurnSlot>,
    ) -> Result<Attempt, Failure> {
        if let Some(sockets) = self.sockets.as_ref().filter(|s| !s.fell_back()) {
            match sockets.open(request.clone(), turn.clone()).await? {
                Opened::Socket(attempt) => return Ok(attempt),
                Opened::Fallback => {}
            }
        }
        let body = serde_json::to_string(&*request).map_err(|e| AiError::InvalidRequest {
            message: format!("request did not serialize: {e}"),
        })?;
        let mut headers = HeaderSet::Http.headers(request.conversation());
        if let Some(state) = request.turn_state.as_deref()
            && let Ok(value) = http::HeaderValue::from_str(state)
        {
            headers.insert(TURN_STATE, value);
        }
        if let Some(metadata) = request.turn_metadata.as_deref()
            && let Ok(value) = http::HeaderValue::from_str(metadata)
        {
            headers.insert(TURN_METADATA, value);
        }
        let events = sse::post(&self.http, &self.config, &headers, body).map_err(Failure::spent)?;
        Ok(Box::pin(sse::parts(events, &self.config, turn)))
    }
}

impl Service<Prompt> for ResponsesModel {
    type Response = PartStream;
    type Error = AiError;
    type Future = Ready<Result<PartStream, AiError>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, prompt: Prompt) -> Self::Future {
        ready(self.stream(&prompt))
    }
}

impl fmt::Debug for ResponsesModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponsesModel")
            .field("model", &self.inner.config.model)
            .field("websocket", &self.uses_websocket())
            .finish_non_exhaustive()
    }
}
