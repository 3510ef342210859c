//! Scale: long conversations and many conversations against clanka-mock, with the mock
//! in a child process (this binary again, `SCALE_MOCK=1`) so that the CPU and memory
//! measured are the client's alone. `cargo bench -p clanka-responses --bench scale`.
//!
//! 1. **Long conversation**: 200 turns, each adding a 1 KiB user message (a tool
//!    result's size) to the history; the client's CPU per turn (the thread's CPU
//!    time: the client runs on one current-thread runtime) at turns 1–10 and
//!    191–200, and the bytes sent per turn, over SSE and WebSocket; a bare reqwest
//!    POST of turn 200's body as the floor.
//! 2. **Concurrent conversations** (10 / 100 / 500, three turns each) on one shared
//!    WebSocket model and on a model each: turns/s, p50/p99 latency, client CPU per
//!    turn, resident memory per conversation, handshakes, errors.
//! 3. **Staggered with pauses** (n = 9 / 50 / 200): conversations arriving 2 ms
//!    apart, 10 turns each with 20 ms pauses (a tool running) on one shared WebSocket
//!    model: handshakes and incremental turns.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    missing_docs
)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clanka_mock::{MockOptions, MockServer, RecordKind};
use clanka_model::{Prompt, ProviderOptions};
use clanka_responses::{ResponsesConfig, ResponsesModel, ResponsesRequest};
use futures_util::StreamExt as _;
use nix::time::{ClockId, clock_gettime};
use serde_json::{Value, json};

#[path = "support/client.rs"]
mod client;

/// A user message of about 1 KiB: what a tool result adds to a history.
fn tool_sized(turn: usize) -> String {
    (0..100).map(|i| format!("t{turn}w{i} ")).collect()
}

fn main() {
    if std::env::var_os("SCALE_MOCK").is_some() {
        mock_process();
        return;
    }
    let mut mock = Mock::spawn();
    long_conversation(&mut mock);
    concurrent(&mut mock);
    staggered(&mut mock);
}

// ---- the mock, in a child process ----

/// The child: serves the mock, answers `stats` and `clear` on stdin.
fn mock_process() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // The default reply quotes the user's last message: keep replies short.
    let server = runtime
        .block_on(MockServer::start(MockOptions::default()))
        .unwrap();
    println!("{}", server.codex_base_url());
    for line in std::io::stdin().lock().lines() {
        match line.unwrap().as_str() {
            "stats" => println!("{}", stats(&server)),
            "clear" => {
                server.clear_requests();
                println!("{{}}");
            }
            _ => break,
        }
    }
}

fn stats(server: &MockServer) -> Value {
    let requests = server.requests();
    let of = |kind: RecordKind| requests.iter().filter(move |r| r.kind == kind);
    let messages: Vec<_> = of(RecordKind::WebSocketMessage).collect();
    let posts: Vec<_> = requests
        .iter()
        .filter(|r| r.kind != RecordKind::WebSocketMessage && r.is_responses())
        .collect();
    json!({
        "handshakes": of(RecordKind::WebSocketHandshake).count(),
        "messages": messages.len(),
        "incremental": messages.iter().filter(|m| m.body.get("previous_response_id").is_some()).count(),
        "message_bytes": messages.iter().map(|m| m.body.to_string().len()).sum::<usize>(),
        "posts": posts.len(),
        "post_bytes": posts.iter().map(|m| m.body.to_string().len()).sum::<usize>(),
    })
}

struct Mock {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    url: String,
}

impl Mock {
    fn spawn() -> Self {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env("SCALE_MOCK", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut url = String::new();
        stdout.read_line(&mut url).unwrap();
        Self {
            _child: child,
            stdin,
            stdout,
            url: url.trim().to_owned(),
        }
    }

    fn ask(&mut self, command: &str) -> Value {
        writeln!(self.stdin, "{command}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    }

    fn config(&self) -> ResponsesConfig {
        ResponsesConfig::new("gpt-5.5").base_url(&self.url)
    }
}

// ---- measurements ----

fn thread_cpu() -> Duration {
    Duration::from(clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID).unwrap())
}

fn process_cpu() -> Duration {
    Duration::from(clock_gettime(ClockId::CLOCK_PROCESS_CPUTIME_ID).unwrap())
}

/// Resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// One turn: streams the response to `prompt` and appends it.
async fn turn(model: &ResponsesModel, prompt: &mut Prompt) -> Result<(), String> {
    let mut stream = model.stream(prompt).map_err(|e| e.to_string())?;
    let mut collector = clanka_model::ResponseCollector::new();
    while let Some(part) = stream.next().await {
        collector.push(&part.map_err(|e| e.to_string())?);
    }
    prompt.push_response(collector.finish().map_err(|e| e.to_string())?);
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    ms(sorted[index])
}

// ---- 1. the long conversation ----

fn long_conversation(mock: &mut Mock) {
    const TURNS: usize = 200;
    println!("## 1. A 200-turn conversation (client CPU per turn, ms; bytes sent per turn)");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut rows = Vec::new();
    for websocket in [false, true] {
        let config = mock.config();
        let model = if websocket {
            ResponsesModel::websocket(client::http(), client::sockets(), config)
        } else {
            ResponsesModel::sse(client::http(), config)
        };
        mock.ask("clear");
        let options = ProviderOptions::default().conversation_id(format!("long-{websocket}"));
        let start = Prompt::new()
            .system("You are a coding agent.")
            .options(options);
        let (prompt, cpu) = runtime.block_on(async move {
            let mut prompt = start;
            let mut cpu = Vec::with_capacity(TURNS);
            for n in 0..TURNS {
                prompt = prompt.user(tool_sized(n));
                let before = thread_cpu();
                turn(&model, &mut prompt).await.unwrap();
                cpu.push(thread_cpu() - before);
            }
            (prompt, cpu)
        });
        let stats = mock.ask("stats");
        let bytes =
            stats["message_bytes"].as_u64().unwrap() + stats["post_bytes"].as_u64().unwrap();
        let early: Duration = cpu[..10].iter().sum::<Duration>() / 10;
        let late: Duration = cpu[TURNS - 10..].iter().sum::<Duration>() / 10;
        let total: Duration = cpu.iter().sum();
        let name = if websocket { "websocket" } else { "sse" };
        println!(
            "{name:>9}: turns 1–10 {:.3} ms, turns 191–200 {:.3} ms ({:.2}×), whole conversation {:.1} ms, {} bytes sent ({} per turn)",
            ms(early),
            ms(late),
            late.as_secs_f64() / early.as_secs_f64(),
            ms(total),
            bytes,
            bytes / TURNS as u64
        );
        rows.push((total, late, prompt));
    }
    let (sse_total, sse_late, prompt) = &rows[0];
    let (ws_total, _, _) = &rows[1];
    println!(
        "websocket / sse, whole conversation: {:.2}×",
        ws_total.as_secs_f64() / sse_total.as_secs_f64()
    );
    // The floor: a bare reqwest POST of turn 200's body, reading the whole answer.
    let config = mock.config();
    let body =
        serde_json::to_string(&ResponsesRequest::build(prompt, &config, "floor").unwrap()).unwrap();
    let client = reqwest::Client::new();
    let floor = runtime.block_on(async {
        let mut spent = Duration::ZERO;
        for _ in 0..10 {
            let before = thread_cpu();
            let response = client
                .post(config.responses_url())
                .bearer_auth("sk-mock")
                .header("content-type", "application/json")
                .header("accept", "text/event-stream")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            response.bytes().await.unwrap();
            spent += thread_cpu() - before;
        }
        spent / 10
    });
    println!(
        "bare POST of turn 200's body ({} bytes): {:.3} ms; sse at turns 191–200: {:.2}× that\n",
        body.len(),
        ms(floor),
        sse_late.as_secs_f64() / floor.as_secs_f64()
    );
}

// ---- 2. concurrent conversations ----

fn concurrent(mock: &mut Mock) {
    const TURNS: usize = 3;
    println!("## 2. Concurrent conversations ({TURNS} turns each, WebSocket)");
    println!(
        "| n | models | turns/s | p50 ms | p99 ms | client CPU ms/turn | RSS KiB/conversation | handshakes | errors |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for n in [10, 100, 500] {
        for shared in [true, false] {
            mock.ask("clear");
            let config = mock.config().max_conversations(1024);
            let one = ResponsesModel::websocket(client::http(), client::sockets(), config.clone());
            let models: Vec<ResponsesModel> = (0..n)
                .map(|_| {
                    if shared {
                        one.clone()
                    } else {
                        ResponsesModel::websocket(client::http(), client::sockets(), config.clone())
                    }
                })
                .collect();
            let rss_before = rss_kib();
            let cpu_before = process_cpu();
            let started = Instant::now();
            let results = runtime.block_on(async {
                let tasks = models.iter().enumerate().map(|(i, model)| {
                    let model = model.clone();
                    tokio::spawn(async move {
                        let options = ProviderOptions::default().conversation_id(format!("c-{i}"));
                        let mut prompt = Prompt::new().options(options);
                        let mut latencies = Vec::new();
                        let mut errors = 0;
                        for t in 0..TURNS {
                            prompt = prompt.user(format!("turn {t} of {i}"));
                            let began = Instant::now();
                            if turn(&model, &mut prompt).await.is_err() {
                                errors += 1;
                            }
                            latencies.push(began.elapsed());
                        }
                        (latencies, errors, prompt)
                    })
                });
                futures_util::future::join_all(tasks).await
            });
            let wall = started.elapsed();
            let cpu = process_cpu() - cpu_before;
            let rss = rss_kib().saturating_sub(rss_before);
            let mut latencies: Vec<Duration> = Vec::new();
            let mut errors = 0;
            let mut kept = Vec::new();
            for result in results {
                let (l, e, prompt) = result.unwrap();
                latencies.extend(l);
                errors += e;
                kept.push(prompt);
            }
            latencies.sort();
            let turns = (n * TURNS) as f64;
            let stats = mock.ask("stats");
            println!(
                "| {n} | {} | {:.0} | {:.1} | {:.1} | {:.3} | {} | {} | {errors} |",
                if shared { "one shared" } else { "one each" },
                turns / wall.as_secs_f64(),
                percentile(&latencies, 0.5),
                percentile(&latencies, 0.99),
                ms(cpu) / turns,
                rss / n as u64,
                stats["handshakes"],
            );
            drop((models, one, kept));
        }
    }
    println!();
}

// ---- 3. staggered with pauses ----

fn staggered(mock: &mut Mock) {
    const TURNS: usize = 10;
    println!(
        "## 3. Staggered conversations with pauses (2 ms apart, {TURNS} turns, 20 ms pauses, one shared WebSocket model)"
    );
    println!("| n | handshakes | incremental turns | p50 ms | bytes sent |");
    println!("| --- | --- | --- | --- | --- |");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for n in [9, 50, 200] {
        mock.ask("clear");
        let model = Arc::new(ResponsesModel::websocket(
            client::http(),
            client::sockets(),
            mock.config(),
        ));
        let mut latencies = runtime.block_on(async {
            let mut tasks = Vec::new();
            for i in 0..n {
                let model = Arc::clone(&model);
                tasks.push(tokio::spawn(async move {
                    let options = ProviderOptions::default().conversation_id(format!("s-{n}-{i}"));
                    let mut prompt = Prompt::new().options(options);
                    let mut latencies = Vec::new();
                    for t in 0..TURNS {
                        prompt = prompt.user(format!("step {t}"));
                        let began = Instant::now();
                        turn(&model, &mut prompt).await.unwrap();
                        latencies.push(began.elapsed());
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    latencies
                }));
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            let mut all = Vec::new();
            for task in tasks {
                all.extend(task.await.unwrap());
            }
            all
        });
        latencies.sort();
        let stats = mock.ask("stats");
        println!(
            "| {n} | {} | {}/{} | {:.1} | {} |",
            stats["handshakes"],
            stats["incremental"],
            n * TURNS,
            percentile(&latencies, 0.5),
            stats["message_bytes"],
        );
    }
}
