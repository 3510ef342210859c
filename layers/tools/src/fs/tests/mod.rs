//! Tests of the tools against real temporary directories and real processes.

mod args;
mod grep;
mod list_files;
mod read_file;
mod write_file;

use std::path::Path;

use serde_json::{Value, json};
use tempfile::TempDir;

use super::{ToolError, Workspace};
use crate::PathError;

/// A fresh workspace in a temporary directory.
fn workspace() -> (TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let workspace = Workspace::new(dir.path()).unwrap();
    (dir, workspace)
}

/// Writes `content` to `relative` inside the workspace, creating parents.
fn put(workspace: &Workspace, relative: &str, content: impl AsRef<[u8]>) {
    let path = workspace.root().join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// Runs the built-in tool called `name` with `args`; its text, or its error.
async fn call(name: &str, workspace: &Workspace, args: Value) -> Result<String, ToolError> {
    let tool = crate::Toolkit::codex().get(name).unwrap();
    let request = crate::ToolRequest {
        call: clanka_model::ToolCall::new("call_1", name, args.to_string()),
        context: crate::ToolContext::new(workspace.clone()),
    };
    tool.call(request).await.map(|output| output.text)
}

/// The arguments that make each file tool touch `path`.
fn args_touching(name: &str, path: &str) -> Value {
    match name {
        "write_file" => json!({"path": path, "content": "x"}),
        "grep" => json!({"pattern": "x", "path": path}),
        _ => json!({"path": path}),
    }
}

const FILE_TOOLS: [&str; 4] = ["read_file", "write_file", "list_files", "grep"];

#[tokio::test]
async fn paths_outside_the_workspace_are_refused_by_every_file_tool() {
    let (_dir, ws) = workspace();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "x secret").unwrap();
    std::os::unix::fs::symlink(outside.path(), ws.root().join("out")).unwrap();
    for tool in FILE_TOOLS {
        for (path, expected) in [
            ("../x", PathError::Outside("../x".into())),
            ("/etc/passwd", PathError::Outside("/etc/passwd".into())),
            ("out/secret", PathError::SymlinkEscape("out/secret".into())),
            ("out", PathError::SymlinkEscape("out".into())),
        ] {
            let result = call(tool, &ws, args_touching(tool, path)).await;
            match result {
                Err(ToolError::Path(error)) => assert_eq!(error, expected, "{tool} {path}"),
                other => panic!("{tool} {path}: expected a path error, got {other:?}"),
            }
        }
    }
    assert_eq!(
        std::fs::read_to_string(outside.path().join("secret")).unwrap(),
        "x secret"
    );
    assert!(!outside.path().join("x").exists());
}

#[tokio::test]
async fn walks_do_not_follow_symlinks_out_of_the_workspace() {
    let (_dir, ws) = workspace();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "the secret").unwrap();
    std::os::unix::fs::symlink(outside.path(), ws.root().join("out")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), ws.root().join("s.txt")).unwrap();
    put(&ws, "a.txt", "no secret here\n");
    let listed = call("list_files", &ws, json!({})).await.unwrap();
    assert_eq!(listed, "a.txt");
    let found = call("grep", &ws, json!({"pattern": "the secret"}))
        .await
        .unwrap();
    assert_eq!(found, "No matches for `the secret`.");
}

#[test]
fn definitions_are_closed_object_schemas() {
    let definitions = crate::Toolkit::codex().definitions(None);
    let names: Vec<&str> = definitions.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "exec_command",
            "write_stdin",
            "apply_patch",
            "update_plan",
            "view_image",
            "read_file",
            "list_files",
            "grep",
            "write_file"
        ]
    );
    for tool in &definitions {
        let schema = &tool.parameters;
        assert_eq!(schema["type"], "object", "{}", tool.name);
        assert_eq!(schema["additionalProperties"], false, "{}", tool.name);
        let properties = schema["properties"].as_object().unwrap();
        for required in schema["required"].as_array().unwrap() {
            assert!(
                properties.contains_key(required.as_str().unwrap()),
                "{}",
                tool.name
            );
        }
        assert!(tool.description.len() > 60, "{}", tool.name);
    }
}

/// Whether the file at `path` exists in the workspace.
fn exists(workspace: &Workspace, relative: &str) -> bool {
    Path::new(&workspace.root().join(relative)).exists()
}
