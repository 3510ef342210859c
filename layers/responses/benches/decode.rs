//! Decoding a recorded 10,000-delta SSE body: `serde_json::Value` parsing of each
//! `data:` payload alone (`floor`) against the whole `replay_sse` path
//! (eventsource-client, decoder, part stream). Target: `replay_sse` ≤ 1.5 × `floor`.
//! `decoder` (`EventDecoder` over the payloads) and `eventsource` (eventsource-client
//! alone, counting events) split `replay_sse` into its two halves.
//!
//! `items/10000` and `items/100000` decode responses of that many distinct items
//! (added, delta, done each) through `EventDecoder` and `ResponseCollector`: the time
//! per item must not grow with their number. The setup also times both sizes once
//! and fails if the larger costs more than 20× the smaller (linear is 10×,
//! quadratic 100×).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    missing_docs
)]

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use clanka_mock::{MockOptions, MockServer, Scenario, ScriptedResponse};
use clanka_model::StreamPart;
use clanka_responses::{EventDecoder, replay_sse};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use eventsource_client::{self as es, Client as _, ReconnectOptions};
use futures_util::{StreamExt as _, stream};
use launchdarkly_sdk_transport::{ByteStream, HttpTransport, ResponseFuture, TransportError};
use serde_json::Value;
use tokio::runtime::Runtime;

#[path = "../tests/support/record.rs"]
mod record;

const DELTAS: usize = 10_000;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The SSE body of one mock response: a message of `DELTAS` deltas.
fn record(runtime: &Runtime) -> Bytes {
    let deltas = (0..DELTAS).map(|i| format!("word{i} "));
    let scenario = Scenario::new().respond(ScriptedResponse::new().message_deltas(deltas));
    runtime.block_on(async {
        let options = MockOptions::default().with_scenario(scenario);
        let server = MockServer::start(options).await.unwrap();
        record::record(&server, "bench").await
    })
}

/// The `data:` payloads of an SSE body.
fn payloads(body: &[u8]) -> Vec<String> {
    std::str::from_utf8(body)
        .unwrap()
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .map(|data| data.strip_prefix(' ').unwrap_or(data).to_owned())
        .collect()
}

async fn replay(body: Bytes) -> Vec<StreamPart> {
    replay_sse([body]).map(|part| part.unwrap()).collect().await
}

/// One recorded body served as a 200 `text/event-stream` response.
#[derive(Clone)]
struct Served(Bytes);

impl HttpTransport for Served {
    fn request(&self, _request: http::Request<Option<Bytes>>) -> ResponseFuture {
        let body: ByteStream = Box::pin(stream::iter([Ok::<_, TransportError>(self.0.clone())]));
        let response = http::Response::builder()
            .status(200)
            .header("content-type", "text/event-stream")
            .body(body)
            .map_err(TransportError::new);
        Box::pin(async move { response })
    }
}

/// eventsource-client alone, configured as `replay_sse` does: the number of events.
async fn eventsource_only(body: Bytes) -> usize {
    let reconnect = ReconnectOptions::reconnect(false)
        .retry_initial(false)
        .build();
    let events = es::ClientBuilder::for_url("http://replay.invalid/responses")
        .unwrap()
        .reconnect(reconnect)
        .build_with_transport(Served(body))
        .stream();
    events
        .take_while(|event| std::future::ready(event.is_ok()))
        .filter(|event| std::future::ready(matches!(event, Ok(es::SSE::Event(_)))))
        .count()
        .await
}

fn decode(c: &mut Criterion) {
    let runtime = runtime();
    let body = record(&runtime);
    let payloads = payloads(&body);
    let parts = runtime.block_on(replay(body.clone()));
    let deltas = parts
        .iter()
        .filter(|p| matches!(p, StreamPart::TextDelta { .. }))
        .count();
    assert_eq!(deltas, DELTAS);
    assert_eq!(
        runtime.block_on(eventsource_only(body.clone())),
        payloads.len()
    );

    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(payloads.len() as u64));
    group.bench_function("floor", |b| {
        b.iter(|| {
            for payload in &payloads {
                black_box(serde_json::from_str::<Value>(payload).unwrap());
            }
        });
    });
    group.bench_function("decoder", |b| {
        b.iter(|| {
            let mut decoder = EventDecoder::new();
            let mut parts = Vec::new();
            for payload in &payloads {
                decoder.decode(payload, &mut parts);
            }
            black_box(parts)
        });
    });
    group.bench_function("eventsource", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(eventsource_only(body.clone()).await) });
    });
    group.bench_function("replay_sse", |b| {
        b.to_async(&runtime)
            .iter(|| async { black_box(replay(body.clone()).await) });
    });
    group.finish();
}

/// The payloads of one response with `n` distinct message items.
fn distinct_items(n: usize) -> Vec<String> {
    let mut payloads = vec![r#"{"type":"response.created","response":{"id":"resp_1"}}"#.to_owned()];
    for i in 0..n {
        payloads.push(format!(
            r#"{{"type":"response.output_item.added","item":{{"type":"message","id":"msg_{i}"}}}}"#
        ));
        payloads.push(format!(
            r#"{{"type":"response.output_text.delta","item_id":"msg_{i}","delta":"w{i} "}}"#
        ));
        payloads.push(format!(
            r#"{{"type":"response.output_item.done","item":{{"type":"message","id":"msg_{i}","content":[{{"type":"output_text","text":"w{i} "}}]}}}}"#
        ));
    }
    payloads.push(r#"{"type":"response.completed","response":{"id":"resp_1"}}"#.to_owned());
    payloads
}

/// Decodes and collects `payloads`; the number of items.
fn fold(payloads: &[String]) -> usize {
    let mut decoder = EventDecoder::new();
    let mut collector = clanka_model::ResponseCollector::new();
    let mut parts = Vec::new();
    for payload in payloads {
        decoder.decode(payload, &mut parts);
        for part in parts.drain(..) {
            collector.push(&part);
        }
    }
    collector.finish().unwrap().items.len()
}

fn best_of_three(payloads: &[String]) -> Duration {
    (0..3)
        .map(|_| {
            let started = std::time::Instant::now();
            black_box(fold(payloads));
            started.elapsed()
        })
        .min()
        .unwrap()
}

fn items(c: &mut Criterion) {
    let (small, large) = (distinct_items(10_000), distinct_items(100_000));
    assert_eq!(fold(&large), 100_000);
    let ratio = best_of_three(&large).as_secs_f64() / best_of_three(&small).as_secs_f64();
    eprintln!("items: 100,000 take {ratio:.1}× the time of 10,000 (linear: 10×)");
    assert!(ratio < 20.0, "decoding is not linear in items: {ratio:.1}×");

    let mut group = c.benchmark_group("items");
    for payloads in [&small, &large] {
        let n = (payloads.len() - 2) / 3;
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(n.to_string(), |b| b.iter(|| black_box(fold(payloads))));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    targets = decode, items
}
criterion_main!(benches);
