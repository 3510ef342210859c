//! The SSE transport: one POST per attempt through eventsource-client with reconnect
//! disabled, so a finished or failed stream is never sent again.

use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use clanka_http::HttpClient;
use clanka_model::{AiError, StreamPart};
use eventsource_client::{self as es, Client as _, ReconnectOptions, SSE};
use futures_util::future::BoxFuture;
use futures_util::{Stream, StreamExt as _};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::ResponsesConfig;
use crate::config::HeaderObserver;
use crate::decode::{Decoded, EventDecoder};
use crate::idle::IdleTimer;
use crate::outbox::Outbox;
use crate::retry::Failure;
use crate::transport::ClientTransport;
use crate::turn_state::{TURN_STATE, TurnSlot};

/// Largest error body read for an error message.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

type Events = es::BoxStream<Result<SSE, es::Error>>;

/// Starts the POST of `body` to `url`; nothing is sent until the stream is polled.
pub(crate) fn post(
    http: &HttpClient,
    config: &ResponsesConfig,
    headers: &HeaderMap,
    body: String,
) -> Result<Events, AiError> {
    let mut builder = es::ClientBuilder::for_url(&config.responses_url())
        .map_err(|e| invalid(format!("bad responses URL: {e}")))?
        .method("POST".to_owned())
        .body(body)
        .reconnect(
            ReconnectOptions::reconnect(false)
                .retry_initial(false)
                .build(),
        );
    for (name, value) in headers {
        let value = value
            .to_str()
            .map_err(|e| invalid(format!("bad header `{name}`: {e}")))?;
        builder = builder
            .header(name.as_str(), value)
            .map_err(|e| invalid(format!("bad header `{name}`: {e}")))?;
    }
    Ok(builder
        .build_with_transport(ClientTransport::new(http.clone(), config.compress_requests))
        .stream())
}

/// The parts of one SSE response, ending after `response.completed` or at the first
/// failure. Failures before the response headers arrived are the HTTP client's
/// (already retried); later ones are the stream's.
pub(crate) fn parts(
    events: Events,
    config: &ResponsesConfig,
    turn: Option<TurnSlot>,
) -> impl Stream<Item = Result<StreamPart, Failure>> + Send + 'static {
    Parts {
        events,
        decoder: EventDecoder::new(),
        outbox: Outbox::default(),
        scratch: Vec::new(),
        idle: IdleTimer::new(config.idle_timeout),
        connected: false,
        mapping: None,
        turn,
        observer: config.on_response_headers.clone(),
    }
}

struct Parts {
    events: Events,
    decoder: EventDecoder,
    outbox: Outbox,
    scratch: Vec<StreamPart>,
    idle: IdleTimer,
    /// Whether the response headers arrived: later errors are disconnects.
    connected: bool,
    /// An error status being read into a failure.
    mapping: Option<BoxFuture<'static, AiError>>,
    /// Where the turn's routing token goes.
    turn: Option<TurnSlot>,
    observer: Option<HeaderObserver>,
}

impl Stream for Parts {
    type Item = Result<StreamPart, Failure>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.outbox.take() {
                return Poll::Ready(item.map(|item| item.map_err(|e| this.failure(e))));
            }
            if let Some(mapping) = this.mapping.as_mut() {
                let error = ready!(mapping.as_mut().poll(cx));
                this.mapping = None;
                this.outbox.fail(error);
                continue;
            }
            let event = match this.events.poll_next_unpin(cx) {
                Poll::Ready(event) => {
                    this.idle.touch();
                    event
                }
                Poll::Pending => {
                    ready!(this.idle.poll_expired(cx));
                    this.outbox.fail(AiError::IdleTimeout {
                        after: this.idle.limit,
                    });
                    continue;
                }
            };
            this.on_event(event);
        }
    }
}

impl Parts {
    fn on_event(&mut self, event: Option<Result<SSE, es::Error>>) {
        match event {
            Some(Ok(SSE::Event(event))) => {
                let decoded = self.decoder.decode(&event.data, &mut self.scratch);
                match decoded {
                    Decoded::Continue => {}
                    Decoded::Completed => self.outbox.finish(),
                    // Parts before the failure still reach the consumer first.
                    Decoded::Failed(error) => self.outbox.fail(error),
                }
                if let (Some(turn), Some(token)) = (&self.turn, self.decoder.take_turn_state()) {
                    turn.offer(&token);
                }
                self.outbox.extend(self.scratch.drain(..));
            }
            Some(Ok(SSE::Connected(details))) => {
                self.connected = true;
                let headers = header_map(details.response());
                if let Some(snapshot) = crate::rate_limits::from_headers(&headers) {
                    self.outbox.push(StreamPart::RateLimits(snapshot));
                }
                let token = headers.get(TURN_STATE).and_then(|v| v.to_str().ok());
                if let (Some(turn), Some(token)) = (&self.turn, token) {
                    turn.offer(token);
                }
                if let Some(observer) = &self.observer {
                    observer.observe(&headers);
                }
            }
            Some(Ok(SSE::Comment(_))) => {}
            Some(Err(error)) if self.connected => {
                self.outbox.fail(AiError::StreamDisconnected {
                    message: format!("stream failed before response.completed: {error}"),
                });
            }
            Some(Err(error)) => self.mapping = Some(Box::pin(map_error(error, self.idle.limit))),
            None => self.outbox.fail(AiError::StreamDisconnected {
                message: "stream closed before response.completed".to_owned(),
            }),
        }
    }

    /// Errors before the response headers come from the HTTP client, which retried them.
    fn failure(&self, error: AiError) -> Failure {
        if self.connected {
            Failure::stream(error)
        } else {
            Failure::spent(error)
        }
    }
}

/// Maps an eventsource-client error; an error status reads (a bounded part of) the body.
async fn map_error(error: es::Error, idle_timeout: Duration) -> AiError {
    match error {
        es::Error::UnexpectedResponse(response, body) => {
            let headers = header_map(&response);
            let body = read_limited(body.into_stream(), idle_timeout).await;
            crate::status::from_status(response.status(), &body, Some(&headers))
        }
        es::Error::Eof | es::Error::UnexpectedEof => AiError::StreamDisconnected {
            message: "stream closed before response.completed".to_owned(),
        },
        es::Error::TimedOut => AiError::IdleTimeout {
            after: idle_timeout,
        },
        es::Error::Transport(error) => AiError::transport(error),
        other => AiError::StreamDisconnected {
            message: other.to_string(),
        },
    }
}

async fn read_limited(mut body: launchdarkly_sdk_transport::ByteStream, idle: Duration) -> Vec<u8> {
    let mut bytes = Vec::new();
    while bytes.len() < ERROR_BODY_LIMIT {
        match tokio::time::timeout(idle, body.next()).await {
            Ok(Some(Ok(chunk))) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    bytes.truncate(ERROR_BODY_LIMIT);
    bytes
}

fn header_map(response: &es::Response) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for key in response.get_header_keys() {
        let Ok(name) = HeaderName::from_bytes(key.as_bytes()) else {
            continue;
        };
        for value in response.get_header_values(key).unwrap_or_default() {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.append(name.clone(), value);
            }
        }
    }
    headers
}

fn invalid(message: String) -> AiError {
    AiError::InvalidRequest { message }
}
