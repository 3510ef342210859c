//! A 200-turn session: the size of its record in the file store, the time to load
//! it (criterion, against reading the same bytes as one file), and the request
//! bytes of one more turn before and after a compaction. `cargo bench --bench
//! session`.
//!
//! Each turn is the shape of a coding turn: a reasoning item with 1 KiB of
//! encrypted content (random, as the backend's is), a command call and its 2 KiB
//! output. The figures are printed once before the timings.

#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use clanka::session::{NewSession, SessionStore};
use clanka_kv::KeyValueStore;
use clanka_model::{AssistantItem, Message, Prompt, ToolCall, Usage};
use clanka_responses::{ResponsesConfig, ResponsesRequest};
use criterion::{Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;

const TURNS: usize = 200;
const ID: &str = "bench-session";

fn encrypted(rng: &mut fastrand::Rng, bytes: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..bytes)
        .map(|_| char::from(ALPHABET[rng.usize(..64)]))
        .collect()
}

fn turn(rng: &mut fastrand::Rng, n: usize) -> [Message; 2] {
    let output: String = (0..40)
        .map(|i| format!("src/file_{n}_{i}.rs: ok\n"))
        .collect::<String>();
    [
        Message::Assistant {
            items: vec![
                AssistantItem::Reasoning {
                    id: Some(format!("rs_{n}")),
                    summary: vec![format!("Step {n}: checking the next file.")],
                    encrypted_content: Some(encrypted(rng, 1024)),
                },
                AssistantItem::ToolCall(ToolCall::new(
                    format!("call_{n}"),
                    "exec_command",
                    format!(r#"{{"cmd":"cargo check -p crate_{n}"}}"#),
                )),
            ],
        },
        Message::tool_result(format!("call_{n}"), output.repeat(2)),
    ]
}

fn request_bytes(history: &[Message]) -> usize {
    let prompt = Prompt::new()
        .system("You are a coding agent.")
        .messages(history.iter().cloned());
    let request =
        ResponsesRequest::build(&prompt, &ResponsesConfig::new("gpt-6.1-sol"), "c").unwrap();
    serde_json::to_string(&request).unwrap().len()
}

fn bench(c: &mut Criterion) {
    let runtime = Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kv = KeyValueStore::file_system(dir.path().join("store")).unwrap();
    let store = SessionStore::new(&kv);
    let mut rng = fastrand::Rng::with_seed(7);
    let mut history = vec![Message::user("Check every crate and fix what fails.")];
    runtime.block_on(async {
        let recorder = store
            .create(NewSession::new(
                ID,
                dir.path(),
                "gpt-6.1-sol",
                "check every crate",
            ))
            .await
            .unwrap();
        for n in 0..TURNS {
            history.extend(turn(&mut rng, n));
            recorder.sync(&history, Usage::default()).await.unwrap();
        }
    });
    let files: Vec<_> = std::fs::read_dir(dir.path().join("store"))
        .unwrap()
        .flatten()
        .collect();
    let bytes: u64 = files.iter().map(|f| f.metadata().unwrap().len()).sum();
    let history_json = serde_json::to_vec(&history).unwrap();
    println!(
        "session of {TURNS} turns: {} files, {bytes} bytes on disk (the history alone as one JSON document: {} bytes)",
        files.len(),
        history_json.len()
    );
    let compacted = vec![
        history[0].clone(),
        Message::Assistant {
            items: vec![AssistantItem::Compaction {
                id: Some("cmp_1".into()),
                encrypted_content: encrypted(&mut rng, 8 * 1024),
            }],
        },
    ];
    let mut next = history.clone();
    next.extend(turn(&mut rng, TURNS));
    let mut after = compacted;
    after.extend(turn(&mut rng, TURNS));
    println!(
        "request bytes of turn {}: {} uncompacted, {} after a compaction (8 KiB compaction item)",
        TURNS + 1,
        request_bytes(&next),
        request_bytes(&after)
    );

    let mut group = c.benchmark_group("session_200_turns");
    group.bench_function("load", |b| {
        b.to_async(&runtime).iter(|| async {
            let session = store.load(ID).await.unwrap();
            assert_eq!(session.history.len(), history.len());
        });
    });
    let whole = dir.path().join("whole.json");
    std::fs::write(&whole, &history_json).unwrap();
    group.bench_function("read_one_file_baseline", |b| {
        b.iter(|| {
            let bytes = std::fs::read(&whole).unwrap();
            let parsed: Vec<Message> = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(parsed.len(), history.len());
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
