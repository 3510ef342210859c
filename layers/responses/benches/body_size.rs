//! Request body size of a 100-turn conversation, as JSON and zstd-compressed (level 3,
//! as sent to the ChatGPT backend). Prints the figures; `cargo bench -p
//! clanka-responses --bench body_size`.
//!
//! Each turn is a user message, a reasoning item with 1 KiB of encrypted content
//! (random, as the backend's is: it does not compress), a shell call and its 2 KiB
//! output (this crate's own source, as a stand-in for real tool output), and a short
//! answer.

#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use clanka_model::{AssistantItem, Message, Prompt, ToolCall};
use clanka_responses::{ResponsesConfig, ResponsesRequest};

const TURNS: usize = 100;

fn encrypted(seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..1024)
        .map(|_| {
            char::from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                    [rng.usize(..64)],
            )
        })
        .collect()
}

fn main() {
    let source = include_str!("../src/sse.rs");
    let mut prompt = Prompt::new().system("You are a coding agent.");
    for turn in 0..TURNS {
        let offset = (turn * 997) % (source.len() - 2048);
        let start = source.floor_char_boundary(offset);
        let output = &source[start..source.floor_char_boundary(start + 2048)];
        prompt = prompt
            .user(format!(
                "Step {turn}: look at the next part of src/sse.rs and fix what is wrong."
            ))
            .message(Message::Assistant {
                items: vec![
                    AssistantItem::Reasoning {
                        id: Some(format!("rs_{turn}")),
                        summary: vec![format!("Reading part {turn} of the file.")],
                        encrypted_content: Some(encrypted(turn as u64)),
                    },
                    AssistantItem::ToolCall(ToolCall {
                        id: format!("call_{turn}"),
                        item_id: Some(format!("fc_{turn}")),
                        name: "exec_command".into(),
                        arguments: format!(r#"{{"cmd":"sed -n {turn},+60p src/sse.rs"}}"#),
                        kind: clanka_model::ToolCallKind::Function,
                    }),
                ],
            })
            .message(Message::tool_result(format!("call_{turn}"), output))
            .message(Message::Assistant {
                items: vec![AssistantItem::text(format!(
                    "Part {turn} looks right; the error handling matches the protocol."
                ))],
            });
    }
    let request =
        ResponsesRequest::build(&prompt, &ResponsesConfig::new("gpt-5.5"), "bench").unwrap();
    let json = serde_json::to_vec(&request).unwrap();
    let started = std::time::Instant::now();
    let packed = zstd::bulk::compress(&json, 3).unwrap();
    let took = started.elapsed();
    println!(
        "{TURNS}-turn request: {} bytes as JSON, {} bytes with zstd level 3 ({:.1} % of it, {} bytes saved), compressed in {:.2} ms",
        json.len(),
        packed.len(),
        packed.len() as f64 * 100.0 / json.len() as f64,
        json.len() - packed.len(),
        took.as_secs_f64() * 1000.0
    );
}
