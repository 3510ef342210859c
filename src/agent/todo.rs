//! The `todo` tool: the agent's plan, kept per agent.

use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};

use clanka_model::Tool;
use serde::Deserialize;
use serde_json::json;

use super::tools::{ToolError, invalid, parse_args};

/// The plan: items with a status.
#[derive(Debug, Default)]
pub(crate) struct Todos {
    items: Mutex<Vec<Item>>,
}

#[derive(Debug, Clone)]
struct Item {
    text: String,
    status: Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Status {
    Pending,
    InProgress,
    Done,
}

#[derive(Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
enum Args {
    Add { items: Vec<String> },
    Update { id: usize, status: Status },
    List {},
}

pub(crate) fn definition() -> Tool {
    Tool::new(
        "todo",
        "Keeps your plan for this task. `add` appends items (pending), `update` sets the \
         status of item `id` (1-based) to pending, in_progress or done, `list` shows the plan. \
         Every action returns the whole plan.",
        json!({
            "type": "object",
            "properties": {
                "action": {"type": "string", "enum": ["add", "update", "list"]},
                "items": {"type": "array", "items": {"type": "string"}, "description": "add: the new items"},
                "id": {"type": "integer", "minimum": 1, "description": "update: the item number"},
                "status": {"type": "string", "enum": ["pending", "in_progress", "done"]}
            },
            "required": ["action"],
            "additionalProperties": false
        }),
    )
}

impl Todos {
    pub(crate) fn run(&self, arguments: &str) -> Result<String, ToolError> {
        let args: Args = parse_args(arguments)?;
        let mut items = self.items.lock().unwrap_or_else(PoisonError::into_inner);
        match args {
            Args::Add { items: new } => items.extend(new.into_iter().map(|text| Item {
                text,
                status: Status::Pending,
            })),
            Args::Update { id, status } => {
                let count = items.len();
                let item = id
                    .checked_sub(1)
                    .and_then(|index| items.get_mut(index))
                    .ok_or_else(|| {
                        invalid(&format!("there is no item {id}; the plan has {count}"))
                    })?;
                item.status = status;
            }
            Args::List {} => {}
        }
        Ok(render(&items))
    }
}

fn render(items: &[Item]) -> String {
    if items.is_empty() {
        return "The plan is empty.".to_owned();
    }
    let mut out = String::new();
    for (index, item) in items.iter().enumerate() {
        let mark = match item.status {
            Status::Pending => "[ ]",
            Status::InProgress => "[~]",
            Status::Done => "[x]",
        };
        let _ = writeln!(out, "{}. {mark} {}", index + 1, item.text);
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::Todos;

    #[test]
    fn add_update_and_list() {
        let todos = Todos::default();
        todos
            .run(r#"{"action":"add","items":["read","patch"]}"#)
            .unwrap();
        let plan = todos
            .run(r#"{"action":"update","id":2,"status":"in_progress"}"#)
            .unwrap();
        assert_eq!(plan, "1. [ ] read\n2. [~] patch");
        assert!(
            todos
                .run(r#"{"action":"update","id":3,"status":"done"}"#)
                .is_err()
        );
        assert_eq!(todos.run(r#"{"action":"list"}"#).unwrap(), plan);
    }
}
