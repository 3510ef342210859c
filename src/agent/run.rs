//! The agent loop: stream the model, run the tools it calls, repeat until done.

use clanka_model::{Message, Prompt, ProviderOptions, Usage};
use clanka_tools::ToolContext;

use super::emit::Emitter;
use super::handle::Inner;
use super::turn::{Turn, stream_turn};
use super::{AgentError, Output, instructions, toolbox};

/// Runs `prompt` on `history` until the model completes the task; returns the summary.
///
/// Model errors end the run: retries belong to the model (stream failures) and its
/// HTTP client (request failures), each with its own budget, so nothing here sends
/// a request again.
///
/// The history only ever holds whole exchanges (an assistant message together with
/// the results of all its tool calls), so a run dropped midway leaves it valid.
pub(crate) async fn run(
    inner: &Inner,
    history: &mut Vec<Message>,
    prompt: String,
    system: Option<&str>,
    emitter: &Emitter,
) -> Result<String, AgentError> {
    emitter
        .emit(Output::AgentStart {
            model: inner.model_name.clone(),
            prompt: prompt.clone(),
        })
        .await;
    history.push(Message::user(prompt));
    let head = instructions::developer_messages(&inner.workspace, &inner.exec, system);
    let tools = toolbox::definitions(inner);
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
    let mut totals = Usage::default();
    for _ in 0..inner.config.max_turns {
        history.extend(inner.steering.drain().into_iter().map(Message::user));
        let request = Prompt::new()
            .system(instructions::system_prompt())
            .messages(head.iter().cloned())
            .messages(history.iter().cloned())
            .tools(tools.iter().cloned())
            .options(options.clone());
        let response = match stream_turn(inner, request, emitter).await? {
            Turn::Complete(response) => response,
            Turn::Interrupted(partial) => {
                history.extend(partial);
                continue;
            }
        };
        report_usage(&mut totals, &response.usage, emitter).await;
        let calls: Vec<_> = response.tool_calls().cloned().collect();
        if calls.is_empty() {
            let summary = response.text();
            history.extend(response.into_message());
            emitter
                .emit(Output::AgentFinished {
                    summary: summary.clone(),
                })
                .await;
            return Ok(summary);
        }
        let results = toolbox::run_all(inner, &context, &calls, emitter).await;
        history.extend(response.into_message());
        let mut completion = None;
        for result in results {
            completion = completion.or(result.completion);
            history.push(Message::ToolResult {
                call_id: result.id,
                output: result.output.text,
                is_error: result.output.is_error,
                images: result.output.images,
            });
        }
        if let Some(summary) = completion {
            emitter
                .emit(Output::AgentFinished {
                    summary: summary.clone(),
                })
                .await;
            return Ok(summary);
        }
    }
    Err(AgentError::TooManyTurns(inner.config.max_turns))
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
