#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

//! Using clanka from outside: a store backend built from the public types passes the
//! public conformance suite, and a tower stack around the model governs whole
//! streams (a concurrency limit of one across two streams, a timeout ending a slow
//! one) against the mock.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use clanka::kv::{KeyValueStore, KvError, KvRequest, KvResponse, LockGuard, ResponseFuture};
use clanka::model::{self, AiError, LanguageModel, Prompt, ProviderOptions};
use clanka::{codex, mock};

/// A store of its own: a map, and one async mutex per lock name.
#[derive(Clone, Default)]
struct MapStore {
    values: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
    locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl tower::Service<KvRequest> for MapStore {
    type Response = KvResponse;
    type Error = KvError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), KvError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: KvRequest) -> ResponseFuture {
        let mut values = self.values.lock().unwrap();
        let response = match request {
            KvRequest::Get { key } => KvResponse::Value(values.get(&key).cloned()),
            KvRequest::Set { key, value } | KvRequest::SetFenced { key, value, .. } => {
                values.insert(key, value);
                KvResponse::Done
            }
            KvRequest::SetMany { entries } => {
                values.extend(entries);
                KvResponse::Done
            }
            KvRequest::Remove { key } => {
                values.remove(&key);
                KvResponse::Done
            }
            KvRequest::Clear => {
                values.clear();
                KvResponse::Done
            }
            KvRequest::Keys => KvResponse::Keys(values.keys().cloned().collect()),
            KvRequest::Lock { name } => {
                let mutex = Arc::clone(self.locks.lock().unwrap().entry(name.clone()).or_default());
                return ResponseFuture::new(async move {
                    Ok(KvResponse::Locked(LockGuard::new(
                        name,
                        mutex.lock_owned().await,
                    )))
                });
            }
            _ => {
                return ResponseFuture::ready(Err(KvError::UnexpectedResponse {
                    request: "unknown",
                }));
            }
        };
        ResponseFuture::ready(Ok(response))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_of_our_own_passes_the_public_suite() {
    clanka::kv::conformance::run(|| async { KeyValueStore::new(MapStore::default()) }).await;
}

/// A model on the mock whose answers take about a second to stream.
async fn slow_model(server: &mock::MockServer) -> LanguageModel {
    let client = mock::layer_signed_in(server).await;
    let runtime = codex::model("gpt-5.5", ProviderOptions::default())
        .provide(&client)
        .build()
        .await
        .unwrap();
    runtime.get().unwrap()
}

fn slow_answer() -> mock::ScriptedResponse {
    mock::ScriptedResponse::new()
        .message_deltas(["one ", "two ", "three"])
        .delay(Duration::from_millis(100))
}

#[tokio::test]
async fn a_tower_stack_governs_whole_streams() {
    let scenario = mock::Scenario::new().model("gpt-5.5", vec![slow_answer(); 8]);
    let server = mock::MockServer::start(mock::MockOptions::default().with_scenario(scenario))
        .await
        .unwrap();
    let limited = slow_model(&server)
        .await
        .layer(tower::ServiceBuilder::new().layer(model::concurrency_limit(1)));
    let started = std::time::Instant::now();
    let (a, b) = tokio::join!(
        limited.generate(Prompt::new().user("first")),
        limited.generate(Prompt::new().user("second"))
    );
    assert_eq!(a.unwrap().text(), "one two three");
    assert_eq!(b.unwrap().text(), "one two three");
    let both = started.elapsed();
    // Built before the clock starts: only the stream is timed, as above.
    let alone = slow_model(&server).await;
    let started = std::time::Instant::now();
    let single = alone.generate(Prompt::new().user("alone")).await.unwrap();
    assert_eq!(single.text(), "one two three");
    let one = started.elapsed();
    assert!(
        both >= one + one / 2,
        "the second stream waited for the first: {both:?} vs {one:?}"
    );

    let hurried = slow_model(&server)
        .await
        .layer(model::timeout(Duration::from_millis(200)));
    let error = hurried
        .generate(Prompt::new().user("late"))
        .await
        .unwrap_err();
    assert!(matches!(error, AiError::Timeout { .. }), "{error:?}");
}
