//! `grep`: matches, filters, ignore rules, limits, bad regexes.

use super::*;

/// Sources with matches, plus ignored, hidden, `.git` and binary files that match too.
fn project() -> (TempDir, Workspace) {
    let (dir, ws) = workspace();
    put(&ws, ".gitignore", "target/\n*.log\n");
    put(&ws, "src/main.rs", "fn main() {\n    let Foo = 1;\n}\n");
    put(&ws, "src/lib.rs", "// foo here\nstruct Foo;\n");
    put(&ws, "target/out.rs", "struct Foo;\n");
    put(&ws, "app.log", "Foo\n");
    put(&ws, ".hidden.rs", "Foo\n");
    put(&ws, ".git/config", "Foo\n");
    put(&ws, "data.bin", b"Foo\0\x01");
    (dir, ws)
}

async fn grep(ws: &Workspace, args: Value) -> Result<String, ToolError> {
    call("grep", ws, args).await
}

#[tokio::test]
async fn finds_matching_lines_skipping_ignored_hidden_and_binary_files() {
    let (_dir, ws) = project();
    let found = grep(&ws, json!({"pattern": "Foo"})).await.unwrap();
    assert_eq!(
        found,
        "src/lib.rs:2: struct Foo;\nsrc/main.rs:2:     let Foo = 1;"
    );
}

#[tokio::test]
async fn case_insensitive_glob_and_path_filters() {
    let (_dir, ws) = project();
    let found = grep(&ws, json!({"pattern": "foo", "case_insensitive": true})).await;
    assert_eq!(
        found.unwrap(),
        "src/lib.rs:1: // foo here\nsrc/lib.rs:2: struct Foo;\nsrc/main.rs:2:     let Foo = 1;"
    );
    let found = grep(&ws, json!({"pattern": "Foo", "glob": "main.*"})).await;
    assert_eq!(found.unwrap(), "src/main.rs:2:     let Foo = 1;");
    let found = grep(&ws, json!({"pattern": "Foo", "path": "src/lib.rs"})).await;
    assert_eq!(found.unwrap(), "src/lib.rs:2: struct Foo;");
    let found = grep(&ws, json!({"pattern": r"^\s+let"})).await;
    assert_eq!(found.unwrap(), "src/main.rs:2:     let Foo = 1;");
    let none = grep(&ws, json!({"pattern": "zzz"})).await.unwrap();
    assert_eq!(none, "No matches for `zzz`.");
}

#[tokio::test]
async fn caps_matches_with_a_note_and_shortens_long_lines() {
    let (_dir, ws) = workspace();
    let many: String = (1..=150).map(|n| format!("hit {n}\n")).collect();
    put(&ws, "many.txt", many);
    let found = grep(&ws, json!({"pattern": "hit"})).await.unwrap();
    let lines: Vec<&str> = found.lines().collect();
    assert_eq!(lines.len(), 101);
    assert_eq!(lines[99], "many.txt:100: hit 100");
    assert_eq!(
        lines[100],
        "[... 50 more matches not shown (150 in all); narrow `pattern`, `path` or `glob`, or raise `limit`]"
    );
    let two = grep(&ws, json!({"pattern": "hit 1\\d$", "limit": 2}))
        .await
        .unwrap();
    assert!(
        two.starts_with("many.txt:10: hit 10\nmany.txt:11: hit 11\n[... 8 more"),
        "{two}"
    );

    put(&ws, "wide.txt", format!("needle {}", "z".repeat(1_000)));
    let found = grep(&ws, json!({"pattern": "needle"})).await.unwrap();
    assert_eq!(
        found,
        format!(
            "wide.txt:1: needle {} [... 707 more bytes]",
            "z".repeat(293)
        )
    );
}

#[tokio::test]
async fn invalid_regex_is_an_invalid_argument() {
    let (_dir, ws) = project();
    match grep(&ws, json!({"pattern": "fn (main"})).await {
        Err(ToolError::InvalidArguments(message)) => {
            assert!(
                message.starts_with("field `pattern` is not a valid regex: "),
                "{message}"
            );
            assert!(message.contains("unclosed group"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let bad_glob = grep(&ws, json!({"pattern": "x", "glob": "{a"})).await;
    assert!(
        matches!(bad_glob, Err(ToolError::InvalidArguments(m)) if m.starts_with("field `glob`"))
    );
}
