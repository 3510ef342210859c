//! One-line summaries of tool arguments.

use serde_json::Value;

/// A short, human summary of a tool call's arguments: the command of `shell`, the
/// path of file tools, the files of a patch, the task of `delegate`.
pub fn summarize_arguments(name: &str, arguments: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(arguments) else {
        return String::new();
    };
    let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default();
    let summary = match name {
        "shell" => text("command").to_owned(),
        "read_file" | "write_file" => text("path").to_owned(),
        "list_files" => [text("path"), text("pattern")].join(" ").trim().to_owned(),
        "grep" => format!("{} {}", text("pattern"), text("path"))
            .trim()
            .to_owned(),
        "delegate" => text("task").to_owned(),
        "todo" => text("action").to_owned(),
        "task_complete" => String::new(),
        "apply_patch" => patch_files(text("input")),
        _ => arguments.to_owned(),
    };
    let line = summary.lines().next().unwrap_or_default();
    match line.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

fn patch_files(patch: &str) -> String {
    patch
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            [
                ("*** Add File: ", "+"),
                ("*** Update File: ", "~"),
                ("*** Delete File: ", "-"),
            ]
            .iter()
            .find_map(|(prefix, mark)| {
                line.strip_prefix(prefix)
                    .map(|path| format!("{mark}{path}"))
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}
