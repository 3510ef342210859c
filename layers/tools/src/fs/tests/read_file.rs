//! `read_file`: numbering, ranges, caps and refusals.

use super::*;

async fn read(ws: &Workspace, args: Value) -> Result<String, ToolError> {
    call("read_file", ws, args).await
}

/// `count` lines `line 1`, `line 2`, ...
fn numbered_lines(count: usize) -> String {
    (1..=count).map(|n| format!("line {n}\n")).collect()
}

#[tokio::test]
async fn reads_a_file_with_numbered_lines() {
    let (_dir, ws) = workspace();
    put(
        &ws,
        "src/main.rs",
        "fn main() {\n    println!(\"hi\");\n}\n",
    );
    let text = read(&ws, json!({"path": "src/main.rs"})).await.unwrap();
    assert_eq!(
        text,
        "    1\tfn main() {\n    2\t    println!(\"hi\");\n    3\t}\n"
    );
}

#[tokio::test]
async fn reads_a_line_range() {
    let (_dir, ws) = workspace();
    put(&ws, "a.txt", numbered_lines(10));
    let text = read(
        &ws,
        json!({"path": "a.txt", "start_line": 3, "end_line": 5}),
    )
    .await;
    assert_eq!(
        text.unwrap(),
        "    3\tline 3\n    4\tline 4\n    5\tline 5\n"
    );
    let tail = read(
        &ws,
        json!({"path": "a.txt", "start_line": 9, "end_line": 50}),
    )
    .await;
    assert_eq!(tail.unwrap(), "    9\tline 9\n   10\tline 10\n");
    let only = read(&ws, json!({"path": "a.txt", "end_line": 1})).await;
    assert_eq!(only.unwrap(), "    1\tline 1\n");
}

#[tokio::test]
async fn bad_ranges_are_invalid_arguments() {
    let (_dir, ws) = workspace();
    put(&ws, "a.txt", numbered_lines(10));
    for (args, expected) in [
        (
            json!({"path": "a.txt", "start_line": 11}),
            "field `start_line`: 11 is past the end of `a.txt`, which has 10 lines",
        ),
        (
            json!({"path": "a.txt", "start_line": 0}),
            "field `start_line`: lines are numbered from 1",
        ),
        (
            json!({"path": "a.txt", "start_line": 5, "end_line": 4}),
            "field `end_line`: 4 is before start_line 5",
        ),
    ] {
        match read(&ws, args).await {
            Err(ToolError::InvalidArguments(message)) => assert_eq!(message, expected),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn long_files_are_capped_by_lines_with_a_hint() {
    let (_dir, ws) = workspace();
    put(&ws, "big.txt", numbered_lines(2_500));
    let text = read(&ws, json!({"path": "big.txt"})).await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2_001);
    assert_eq!(lines[1_999], " 2000\tline 2000");
    assert_eq!(
        lines[2_000],
        "[... showing lines 1-2000 of 2500; use start_line=2001 to read more]"
    );
    let rest = read(&ws, json!({"path": "big.txt", "start_line": 2001}))
        .await
        .unwrap();
    assert_eq!(rest.lines().count(), 500);
    assert!(rest.starts_with(" 2001\tline 2001\n"));
    assert!(rest.ends_with(" 2500\tline 2500\n"));
}

#[tokio::test]
async fn wide_files_are_capped_by_bytes_and_long_lines_shortened() {
    let (_dir, ws) = workspace();
    let line = "x".repeat(1_000);
    put(&ws, "wide.txt", format!("{line}\n").repeat(300));
    let text = read(&ws, json!({"path": "wide.txt"})).await.unwrap();
    // Each numbered line is 5 + 1 + 1000 + 1 = 1007 bytes; 260 fit in 256 KiB.
    assert_eq!(text.lines().count(), 261);
    assert!(text.ends_with("\n[... showing lines 1-260 of 300; use start_line=261 to read more]"));

    put(&ws, "long.txt", "y".repeat(3_000));
    let text = read(&ws, json!({"path": "long.txt"})).await.unwrap();
    assert_eq!(
        text,
        format!("    1\t{} [... 1000 more bytes]\n", "y".repeat(2_000))
    );
}

#[tokio::test]
async fn refuses_binary_files_directories_and_missing_files() {
    let (_dir, ws) = workspace();
    put(&ws, "data.bin", b"abc\0def");
    put(&ws, "dir/x.txt", "x");
    let binary = read(&ws, json!({"path": "data.bin"})).await.unwrap_err();
    assert_eq!(
        binary.to_string(),
        "`data.bin` is a binary file (it contains NUL bytes)"
    );
    let dir = read(&ws, json!({"path": "dir"})).await.unwrap_err();
    assert_eq!(dir.to_string(), "`dir` is a directory, not a file");
    let missing = read(&ws, json!({"path": "dir/nope.txt"}))
        .await
        .unwrap_err();
    assert_eq!(missing.to_string(), "`dir/nope.txt` does not exist");
}

#[tokio::test]
async fn empty_and_non_utf8_files_are_readable() {
    let (_dir, ws) = workspace();
    put(&ws, "empty.txt", "");
    put(&ws, "latin1.txt", b"caf\xe9\r\nok\n");
    assert_eq!(
        read(&ws, json!({"path": "empty.txt"})).await.unwrap(),
        "(`empty.txt` is empty)"
    );
    let text = read(&ws, json!({"path": "latin1.txt"})).await.unwrap();
    assert_eq!(text, "    1\tcaf\u{fffd}\n    2\tok\n");
}

#[tokio::test]
async fn a_named_pipe_is_refused_without_blocking() {
    let (_dir, ws) = workspace();
    let fifo = ws.root().join("pipe");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let outcome = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        read(&ws, json!({"path": "pipe"})),
    )
    .await
    .expect("read_file must not block on a FIFO");
    match outcome {
        Err(ToolError::NotAFile { path, kind }) => {
            assert_eq!((path.as_str(), kind), ("pipe", "named pipe"))
        }
        other => panic!("{other:?}"),
    }
    let devices = read(&ws, json!({"path": "/dev/null"})).await;
    assert!(
        matches!(devices, Err(ToolError::Path(_))),
        "outside the workspace anyway"
    );
}

#[tokio::test]
async fn binary_content_is_told_from_the_first_bytes_of_a_huge_file() {
    let (_dir, ws) = workspace();
    let file = std::fs::File::create(ws.root().join("sparse.bin")).unwrap();
    file.set_len(1 << 40).unwrap(); // 1 TiB of holes, never read past its start
    let outcome = read(&ws, json!({"path": "sparse.bin"})).await;
    assert!(matches!(outcome, Err(ToolError::Binary(_))), "{outcome:?}");
}
