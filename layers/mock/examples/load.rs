//! Load check: 200 concurrent SSE turns against an in-process mock on loopback.
//!
//! Run with `cargo run -p clanka-mock --release --example load [-- TURNS]`.

#![allow(clippy::print_stdout, clippy::print_stderr)] // an example reports on stdout

use std::time::{Duration, Instant};

use clanka_mock::{MockOptions, MockServer};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let turns: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let server = MockServer::start(MockOptions::default()).await?;
    let url = format!("{}/responses", server.codex_base_url());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(turns)
        .build()?;
    let started = Instant::now();
    let tasks: Vec<_> = (0..turns)
        .map(|i| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move { turn(&client, &url, i).await })
        })
        .collect();
    let mut errors = 0;
    let mut slowest = Duration::ZERO;
    for task in tasks {
        match task.await {
            Ok(Ok(took)) => slowest = slowest.max(took),
            Ok(Err(error)) => {
                errors += 1;
                eprintln!("turn failed: {error}");
            }
            Err(join) => {
                errors += 1;
                eprintln!("task failed: {join}");
            }
        }
    }
    let elapsed = started.elapsed();
    let recorded = server.response_requests().len();
    println!(
        "turns={turns} errors={errors} elapsed={elapsed:?} slowest_turn={slowest:?} recorded={recorded}"
    );
    server.shutdown().await;
    if errors > 0 {
        Err(format!("{errors} turns failed").into())
    } else {
        Ok(())
    }
}

/// One full SSE turn; succeeds only with a 200 and a final `response.completed`.
async fn turn(client: &reqwest::Client, url: &str, i: usize) -> Result<Duration, String> {
    let started = Instant::now();
    let body = json!({
        "model": "gpt-5.5", "store": false, "stream": true, "prompt_cache_key": format!("load-{i}"),
        "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": format!("turn {i}")}]}],
    });
    let response = client
        .post(url)
        .bearer_auth("sk-mock")
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != 200 {
        return Err(format!("status {}", response.status()));
    }
    let text = response.text().await.map_err(|e| e.to_string())?;
    let last = text.trim_end().rsplit("\n\n").next().unwrap_or_default();
    if !last.starts_with("event: response.completed") {
        return Err(format!(
            "stream did not end with response.completed: {last}"
        ));
    }
    Ok(started.elapsed())
}
