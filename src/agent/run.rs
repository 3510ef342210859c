//! The agent loop: stream the model, run the tools it calls, repeat until done;
//! compact the history when the context fills up, and record each exchange in the
//! session.

use std::sync::Arc;

use clanka_model::{AiError, Message, Prompt, ProviderOptions, ResponseFormat, Usage};
use clanka_tools::ToolContext;
use futures_util::future::BoxFuture;

use super::compact::{self, Budget};
use super::config::SendOptions;
use super::emit::Emitter;
use super::output::{AgentError, Output};
use super::record::SessionLog;
use super::state::{History, Inner};
use super::turn::{Turn, stream_turn};
use super::{instructions, toolbox};

/// The name of the schema of a send's final answer.
const OUTPUT_SCHEMA_NAME: &str = "final_answer";

/// Runs `prompt` on `history` until the model completes the task; returns the summary.
///
/// Model errors end the run: retries belong to the model (stream failures) and its
/// HTTP client (request failures), each with its own budget, so nothing here sends
/// a request again, except once after compacting a request the model found too long.
///
/// The history only ever holds whole exchanges (an assistant message together with
/// the results of all its tool calls), so a run dropped midway leaves it valid; each
/// whole exchange is recorded in the session, when the agent has one.
pub(crate) async fn run(
    inner: &Inner,
    history: &mut Vec<Arc<Message>>,
    prompt: String,
    send: &SendOptions,
    emitter: &Emitter,
) -> Result<String, AgentError> {
    emitter
        .emit(Output::AgentStart {
            model: inner.model_name.clone(),
            prompt: prompt.clone(),
        })
        .await;
    let mut session = SessionLog::start(inner, &prompt, emitter).await;
    history.push(Arc::new(Message::user(prompt)));
    let head =
        instructions::developer_messages(&inner.workspace, &inner.exec, send.system.as_deref());
    let tools = toolbox::definitions(inner, send.output_schema.as_ref());
    // The tools' state for this run (exec sessions): dropped, with its processes,
    // when the run ends.
    let context = ToolContext::new(inner.workspace.clone())
        .with_model(inner.profile.clone())
        .with_exec(inner.exec.clone())
        .with_approvals(inner.approvals.clone());
    // One turn per send: the provider echoes its per-turn routing token within it.
    let options = ProviderOptions::default()
        .conversation_id(inner.conversation.clone())
        .turn_id(uuid::Uuid::new_v4().to_string());
    let mut base = Prompt::new()
        .system(instructions::system_prompt())
        .messages(head)
        .tools(tools)
        .options(options);
    if let Some(schema) = &send.output_schema {
        base = base.response_format(ResponseFormat::json_schema(
            OUTPUT_SCHEMA_NAME,
            schema.clone(),
        ));
    }
    let mut budget = Budget::new(inner);
    let mut totals = Usage::default();
    let mut overflowed = false;
    for _ in 0..inner.config.max_turns {
        history.extend(
            inner
                .steering
                .drain()
                .into_iter()
                .map(|text| Arc::new(Message::user(text))),
        );
        let context_tokens = budget.context(&base.messages, history);
        if budget.due(context_tokens, history)
            && compact::compact(inner, &base, history, &mut budget, context_tokens, emitter)
                .await
                .is_some()
        {
            session.replace(history, emitter).await;
        }
        let response = match stream_turn(inner, with(&base, history), emitter).await {
            Ok(Turn::Complete(response)) => response,
            Ok(Turn::Interrupted(partial)) => {
                history.extend(partial.map(Arc::new));
                session.save(history, emitter).await;
                continue;
            }
            Err(AiError::ContextWindowExceeded { message }) if !overflowed => {
                // Compact once and send again; a second overflow ends the run.
                overflowed = true;
                tracing::warn!(%message, "the request was too long for the model; compacting");
                let before = budget.context(&base.messages, history);
                if compact::compact(inner, &base, history, &mut budget, before, emitter)
                    .await
                    .is_none()
                {
                    return Err(AiError::ContextWindowExceeded { message }.into());
                }
                session.replace(history, emitter).await;
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        let usage = response.usage;
        report_usage(&mut totals, &usage, emitter).await;
        session.add_usage(usage);
        let calls: Vec<_> = response.tool_calls().cloned().collect();
        if calls.is_empty() {
            let summary = response.text();
            history.extend(response.into_message().map(Arc::new));
            session.save(history, emitter).await;
            let result = send
                .output_schema
                .as_ref()
                .and_then(|_| serde_json::from_str(summary.trim()).ok());
            finished(emitter, &summary, result).await;
            return Ok(summary);
        }
        let results = toolbox::run_all(inner, &context, &calls, emitter, run_subagent).await;
        history.extend(response.into_message().map(Arc::new));
        // The usage counts the context up to the answer; the tool results are new.
        budget.observe(&usage, history.len());
        let mut completion = None;
        for result in results {
            completion = completion.or(result.completion);
            history.push(Arc::new(Message::ToolResult {
                call_id: result.id,
                output: result.output.text,
                is_error: result.output.is_error,
                images: result.output.images,
            }));
        }
        session.save(history, emitter).await;
        if let Some(done) = completion {
            finished(emitter, &done.summary, done.result).await;
            return Ok(done.summary);
        }
    }
    Err(AgentError::TooManyTurns(inner.config.max_turns))
}

/// Runs a sub-agent on `task` with a history of its own; returns its summary and
/// that history. (Boxed: an agent runs sub-agents, so the future is recursive.)
fn run_subagent<'a>(
    inner: &'a Inner,
    task: String,
    emitter: &'a Emitter,
) -> BoxFuture<'a, (Result<String, AgentError>, History)> {
    Box::pin(async move {
        let mut history = Vec::new();
        let result = run(inner, &mut history, task, &SendOptions::default(), emitter).await;
        (result, history)
    })
}

/// `base` with `history` after its head.
fn with(base: &Prompt, history: &[Arc<Message>]) -> Prompt {
    base.clone().messages(history.iter().cloned())
}

async fn finished(emitter: &Emitter, summary: &str, result: Option<serde_json::Value>) {
    emitter
        .emit(Output::AgentFinished {
            summary: summary.to_owned(),
            result,
        })
        .await;
}

async fn report_usage(totals: &mut Usage, usage: &Usage, emitter: &Emitter) {
    *totals += *usage;
    emitter
        .emit(Output::Usage {
            context_tokens: usage.input_tokens + usage.output_tokens,
            input_tokens: totals.input_tokens,
            output_tokens: totals.output_tokens,
        })
        .await;
}
