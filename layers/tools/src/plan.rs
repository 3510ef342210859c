//! `update_plan`: the agent's plan, as Codex models are trained to keep it. The plan
//! is the model's own notes; the tool checks its shape and acknowledges it.

use clanka_model::Tool;
use serde::Deserialize;
use serde_json::json;

use crate::{ToolOutput, ToolRequest, ToolService, invalid, parse_args};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Args {
    #[allow(dead_code)]
    explanation: Option<String>,
    plan: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    step: String,
    status: Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Status {
    Pending,
    InProgress,
    Completed,
}

/// `update_plan`.
pub(crate) fn update_plan() -> ToolService {
    let definition = Tool::new(
        "update_plan",
        "Updates the task plan.\nProvide an optional explanation and a list of plan items, each with a step and status.\nAt most one step can be in_progress at a time.",
        json!({
            "type": "object",
            "properties": {
                "explanation": {"type": "string"},
                "plan": {
                    "type": "array",
                    "description": "The list of steps",
                    "items": {
                        "type": "object",
                        "properties": {
                            "step": {"type": "string"},
                            "status": {"type": "string", "description": "One of: pending, in_progress, completed"}
                        },
                        "required": ["step", "status"],
                        "additionalProperties": false
                    }
                }
            },
            "required": ["plan"],
            "additionalProperties": false
        }),
    );
    ToolService::from_fn(definition, |request: ToolRequest| async move {
        let args: Args = parse_args(&request.call.arguments)?;
        let running = args
            .plan
            .iter()
            .filter(|s| s.status == Status::InProgress)
            .count();
        if running > 1 {
            return Err(invalid("at most one step can be in_progress at a time"));
        }
        Ok(ToolOutput::text("Plan updated"))
    })
    .with_describe(|call| {
        let Ok(args) = parse_args::<Args>(&call.arguments) else {
            return String::new();
        };
        let done = args
            .plan
            .iter()
            .filter(|s| s.status == Status::Completed)
            .count();
        let current = args
            .plan
            .iter()
            .find(|s| s.status == Status::InProgress)
            .map_or(String::new(), |s| format!(": {}", s.step));
        crate::text::first_line(&format!("{done}/{} done{current}", args.plan.len()), 80)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ToolContext, Workspace};

    #[tokio::test]
    async fn a_plan_is_acknowledged_and_summarized() {
        let dir = tempfile::tempdir().unwrap();
        let tool = update_plan();
        let args = r#"{"plan":[{"step":"read","status":"completed"},{"step":"patch","status":"in_progress"},{"step":"test","status":"pending"}]}"#;
        let call = clanka_model::ToolCall::new("c1", "update_plan", args);
        assert_eq!(tool.describe(&call), "1/3 done: patch");
        let context = ToolContext::new(Workspace::new(dir.path()).unwrap());
        let output = tool
            .call(crate::ToolRequest {
                call,
                context: context.clone(),
            })
            .await
            .unwrap();
        assert_eq!(output.text, "Plan updated");
        let two =
            r#"{"plan":[{"step":"a","status":"in_progress"},{"step":"b","status":"in_progress"}]}"#;
        let call = clanka_model::ToolCall::new("c2", "update_plan", two);
        assert!(
            tool.call(crate::ToolRequest { call, context })
                .await
                .is_err()
        );
    }
}
