//! One whole turn against an in-process mock, 2,000 text deltas per response: a bare
//! reqwest POST reading the body (`bare_reqwest`), `ResponsesModel::sse` (`sse`), and
//! `ResponsesModel::websocket` on an already connected socket (`websocket_warm`).
//! Targets: `sse` ≤ 1.2 × `bare_reqwest`; `websocket_warm` faster than `sse`.
//! `http_client` (the same POST through the project's `HttpClient`, reading the body)
//! splits the SSE overhead into HTTP stack and decoding.
//!
//! The mock's default reply quotes the last user message word by word, so a prompt of
//! 2,000 words makes every response (whatever its conversation) 2,002 message deltas
//! after a 3-delta reasoning summary. The WebSocket turns repeat one prompt, which does
//! not extend the previous response, so each is sent in full (no `previous_response_id`).
//!
//! Each turn runs in a task spawned on the runtime: criterion's `to_async` polls its
//! future on the benchmark thread, outside the workers, and the wake-up of that thread
//! for every chunk would otherwise dominate (about 30 ms of a 35 ms turn).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use clanka_http::HttpClient;
use clanka_mock::{MockOptions, MockServer, RecordKind};
use clanka_model::{Prompt, StreamPart};
use clanka_responses::{ResponsesConfig, ResponsesModel, ResponsesRequest};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use futures_util::StreamExt as _;
use tokio::runtime::Runtime;

#[path = "support/client.rs"]
mod client;

use client::{http, sockets};

const WORDS: usize = 2_000;

/// The request every benchmark sends, as the models build it.
struct Turn {
    prompt: Prompt,
    url: String,
    body: String,
}

/// Consumes a model turn; returns its number of text deltas.
async fn model_turn(model: ResponsesModel, turn: Arc<Turn>) -> usize {
    let mut stream = model.stream(&turn.prompt).unwrap();
    let mut deltas = 0;
    while let Some(part) = stream.next().await {
        if let StreamPart::TextDelta { .. } = part.unwrap() {
            deltas += 1;
        }
    }
    deltas
}

/// Posts the body and reads the whole response; returns its length.
async fn post(client: reqwest::Client, turn: Arc<Turn>) -> usize {
    let response = client
        .post(&turn.url)
        .bearer_auth("sk-mock")
        .header("content-type", "application/json")
        .header("accept", "text/event-stream")
        .body(turn.body.clone())
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    response.bytes().await.unwrap().len()
}

async fn post_through(http: HttpClient, turn: Arc<Turn>) -> usize {
    let request = http
        .request(reqwest::Method::POST, &turn.url)
        .header("content-type", "application/json")
        .header("accept", "text/event-stream")
        .body(turn.body.clone())
        .build()
        .unwrap();
    let response = http.execute(request).await.unwrap();
    response.bytes().await.unwrap().len()
}

/// Runs `future` on a runtime worker.
async fn spawned<T: Send + 'static>(future: impl Future<Output = T> + Send + 'static) -> T {
    tokio::spawn(future).await.unwrap()
}

fn turns(c: &mut Criterion) {
    let runtime: Runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = runtime
        .block_on(MockServer::start(MockOptions::default()))
        .unwrap();
    let config = ResponsesConfig::new("gpt-5.5").base_url(server.codex_base_url());
    let words: Vec<String> = (0..WORDS).map(|i| format!("w{i}")).collect();
    let prompt = Prompt::new().user(words.join(" "));
    let request = ResponsesRequest::build(&prompt, &config, "bench").unwrap();
    let turn = Arc::new(Turn {
        url: config.responses_url(),
        body: serde_json::to_string(&request).unwrap(),
        prompt,
    });
    let client = reqwest::Client::new();
    let stack = http();
    let sse = ResponsesModel::sse(http(), config.clone());
    let websocket = ResponsesModel::websocket(http(), sockets(), config);
    let warm_up = spawned(model_turn(websocket.clone(), turn.clone()));
    assert_eq!(runtime.block_on(warm_up), WORDS + 2);
    let sse_turn = spawned(model_turn(sse.clone(), turn.clone()));
    assert_eq!(runtime.block_on(sse_turn), WORDS + 2);

    let mut group = c.benchmark_group("turn");
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("bare_reqwest", |b| {
        b.to_async(&runtime)
            .iter(|| spawned(post(client.clone(), turn.clone())));
    });
    group.bench_function("http_client", |b| {
        b.to_async(&runtime)
            .iter(|| spawned(post_through(stack.clone(), turn.clone())));
    });
    group.bench_function("sse", |b| {
        b.to_async(&runtime)
            .iter(|| spawned(model_turn(sse.clone(), turn.clone())));
    });
    group.bench_function("websocket_warm", |b| {
        b.to_async(&runtime)
            .iter(|| spawned(model_turn(websocket.clone(), turn.clone())));
    });
    group.finish();

    let handshakes = server
        .requests()
        .iter()
        .filter(|r| r.kind == RecordKind::WebSocketHandshake)
        .count();
    assert_eq!(handshakes, 1, "the WebSocket turns shared one socket");
    runtime.block_on(server.shutdown());
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8));
    targets = turns
}
criterion_main!(benches);
