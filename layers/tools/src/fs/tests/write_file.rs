//! `write_file`: parents, atomic replace, permissions, refusals.

use std::os::unix::fs::PermissionsExt;

use super::*;

async fn write(ws: &Workspace, path: &str, content: &str) -> Result<String, ToolError> {
    call("write_file", ws, json!({"path": path, "content": content})).await
}

#[tokio::test]
async fn creates_parent_directories_and_leaves_no_temp_file() {
    let (_dir, ws) = workspace();
    let message = write(&ws, "a/b/c.txt", "x\ny\n").await.unwrap();
    assert_eq!(message, "Wrote 2 lines to a/b/c.txt");
    assert_eq!(
        std::fs::read_to_string(ws.root().join("a/b/c.txt")).unwrap(),
        "x\ny\n"
    );
    let names: Vec<_> = std::fs::read_dir(ws.root().join("a/b"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["c.txt"]);
    assert_eq!(
        write(&ws, "one.txt", "single").await.unwrap(),
        "Wrote 1 line to one.txt"
    );
}

#[tokio::test]
async fn replaces_an_existing_file_and_keeps_its_permissions() {
    let (_dir, ws) = workspace();
    put(&ws, "run.sh", "old old old\n");
    let path = ws.root().join("run.sh");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o751)).unwrap();
    write(&ws, "./run.sh", "#!/bin/sh\necho new\n")
        .await
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "#!/bin/sh\necho new\n"
    );
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o751);
}

#[tokio::test]
async fn writes_through_a_symlink_inside_the_workspace() {
    let (_dir, ws) = workspace();
    put(&ws, "real/target.txt", "before");
    std::os::unix::fs::symlink(
        ws.root().join("real/target.txt"),
        ws.root().join("link.txt"),
    )
    .unwrap();
    write(&ws, "link.txt", "after").await.unwrap();
    assert_eq!(
        std::fs::read_to_string(ws.root().join("real/target.txt")).unwrap(),
        "after"
    );
    let link = std::fs::symlink_metadata(ws.root().join("link.txt")).unwrap();
    assert!(link.file_type().is_symlink());
}

#[tokio::test]
async fn refuses_directories() {
    let (_dir, ws) = workspace();
    put(&ws, "dir/x.txt", "x");
    let error = write(&ws, "dir", "content").await.unwrap_err();
    assert_eq!(error.to_string(), "`dir` is a directory, not a file");
    assert!(matches!(write(&ws, ".", "c").await, Err(ToolError::IsDirectory(p)) if p == "."));
    assert!(exists(&ws, "dir/x.txt"));
}
