//! `list_files`: ignore rules, globs, limits.

use super::*;

/// A small project with ignored, hidden and `.git` files.
fn project() -> (TempDir, Workspace) {
    let (dir, ws) = workspace();
    put(&ws, ".gitignore", "target/\n*.log\n");
    put(&ws, "src/main.rs", "fn main() {}\n");
    put(&ws, "src/lib/mod.rs", "// lib\n");
    put(&ws, "src/lib/.ignore", "generated.rs\n");
    put(&ws, "src/lib/generated.rs", "// generated\n");
    put(&ws, "README.md", "# readme\n");
    put(&ws, "notes/a.txt", "a\n");
    put(&ws, "target/debug/out.rs", "// built\n");
    put(&ws, "app.log", "log\n");
    put(&ws, ".env", "SECRET=1\n");
    put(&ws, ".git/config", "[core]\n");
    (dir, ws)
}

async fn list(ws: &Workspace, args: Value) -> Result<String, ToolError> {
    call("list_files", ws, args).await
}

#[tokio::test]
async fn lists_sorted_files_respecting_ignore_files_without_git() {
    let (_dir, ws) = project();
    let listed = list(&ws, json!({})).await.unwrap();
    assert_eq!(
        listed,
        "README.md\nnotes/a.txt\nsrc/lib/mod.rs\nsrc/main.rs"
    );
}

#[tokio::test]
async fn lists_a_subdirectory_with_paths_from_the_root() {
    let (_dir, ws) = project();
    let listed = list(&ws, json!({"path": "src"})).await.unwrap();
    assert_eq!(listed, "src/lib/mod.rs\nsrc/main.rs");
    let listed = list(&ws, json!({"path": "src/lib/"})).await.unwrap();
    assert_eq!(listed, "src/lib/mod.rs");
}

#[tokio::test]
async fn filters_with_globs() {
    let (_dir, ws) = project();
    for (pattern, expected) in [
        ("*.rs", "src/lib/mod.rs\nsrc/main.rs"),
        ("**/*.rs", "src/lib/mod.rs\nsrc/main.rs"),
        ("src/*.rs", "src/main.rs"),
        ("*.{md,txt}", "README.md\nnotes/a.txt"),
        ("*.py", "No files match `*.py`."),
    ] {
        let listed = list(&ws, json!({"pattern": pattern})).await.unwrap();
        assert_eq!(listed, expected, "{pattern}");
    }
    let listed = list(&ws, json!({"path": "src", "pattern": "src/lib/*"})).await;
    assert_eq!(listed.unwrap(), "src/lib/mod.rs");
}

#[tokio::test]
async fn caps_the_list_with_a_note() {
    let (_dir, ws) = project();
    let listed = list(&ws, json!({"limit": 2})).await.unwrap();
    assert_eq!(
        listed,
        "README.md\nnotes/a.txt\n[... 2 more files not listed; narrow `path` or `pattern`, or raise `limit`]"
    );
}

#[tokio::test]
async fn bad_globs_and_missing_directories_are_errors() {
    let (_dir, ws) = project();
    match list(&ws, json!({"pattern": "src/[a"})).await {
        Err(ToolError::InvalidArguments(message)) => {
            assert!(message.starts_with("field `pattern`: "), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let missing = list(&ws, json!({"path": "nope"})).await.unwrap_err();
    assert_eq!(missing.to_string(), "`nope` does not exist");
    let empty = tempfile::tempdir().unwrap();
    let empty = Workspace::new(empty.path()).unwrap();
    assert_eq!(list(&empty, json!({})).await.unwrap(), "No files.");
}
