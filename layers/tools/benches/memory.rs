//! Peak memory of the file tools on a 1 GiB file of short lines: `read_file` of five
//! lines, and `apply_patch` updating it (refused by its size limit). Prints the peak
//! resident set (VmHWM) after each; run with
//! `cargo bench -p clanka-tools --bench memory`. Target: under 64 MB.

#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]

use std::io::Write as _;

use clanka_model::ToolCall;
use clanka_tools::{ToolContext, ToolRequest, Toolkit, Workspace};

const SIZE: u64 = 1 << 30;

/// Peak resident set of this process so far, in MB.
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024.0
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.txt");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let line = b"a short line of text, like a log\n";
    let mut written = 0;
    while written < SIZE {
        file.write_all(line).unwrap();
        written += line.len() as u64;
    }
    file.flush().unwrap();
    drop(file);
    let before = peak_mb();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let toolkit = Toolkit::codex();
    let context = ToolContext::new(Workspace::new(dir.path()).unwrap());
    let call = |name: &str, args: String| {
        let request = ToolRequest {
            call: ToolCall::new("c", name, args),
            context: context.clone(),
        };
        let tool = toolkit.get(name).unwrap();
        runtime.block_on(tool.call(request))
    };
    let started = std::time::Instant::now();
    let read = call("read_file", r#"{"path":"big.txt","end_line":5}"#.to_owned()).unwrap();
    println!(
        "read_file, 5 lines of a 1 GiB file: peak RSS {:.1} MB (before: {before:.1} MB), {:.2} s; last line: {}",
        peak_mb(),
        started.elapsed().as_secs_f64(),
        read.text.lines().last().unwrap_or_default()
    );
    let patch = "*** Begin Patch\n*** Update File: big.txt\n@@\n-a short line of text, like a log\n+changed\n*** End Patch\n";
    let args = serde_json::json!({"input": patch}).to_string();
    let started = std::time::Instant::now();
    let patched = call("apply_patch", args);
    println!(
        "apply_patch on the 1 GiB file: peak RSS {:.1} MB, {:.3} s; {}",
        peak_mb(),
        started.elapsed().as_secs_f64(),
        match patched {
            Ok(output) => output.text,
            Err(error) => format!("refused: {error}"),
        }
    );
}
