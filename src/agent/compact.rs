//! Automatic compaction: when the context passes the threshold, the history is
//! replaced by the user's recent messages and a compaction of everything.
//!
//! Methods, in order: the provider's compaction through an ordinary request ending
//! with a trigger (Codex signed in with ChatGPT), then its compaction endpoint; a
//! summary the model writes itself (no tools) only when the provider has neither.
//! When every method fails the run goes on uncompacted, with a warning; it never
//! fails because of compaction.

use std::sync::Arc;

use clanka_model::{
    AiError, AssistantItem, Compact, Message, Prompt, TruncationPolicy, Usage, UserPart,
};

use super::emit::Emitter;
use super::output::Output;
use super::state::Inner;

/// Share of the context window at which compaction starts (the official client's).
const WINDOW_SHARE: (u64, u64) = (9, 10);
/// Most tokens of user messages kept through a compaction.
const KEPT_USER_TOKENS: u64 = 64_000;

/// Asks the model to summarise when the provider cannot compact.
const SUMMARIZE: &str = "Your context is nearly full. Write a summary of the work so far for another \
instance of you that continues it with none of this conversation: the task and the user's \
requirements, what was done and found (files, commands, results), decisions made, what is \
left, and anything that went wrong. Be complete and concrete; do not call tools.";

/// Starts a summary written by the model itself, kept as a user message.
const SUMMARY_PREFIX: &str = "A summary of the conversation so far, written by the model before \
its context was compacted; continue the work from it:\n\n";

/// When to compact: the threshold and what is known of the context's size.
#[derive(Debug)]
pub(crate) struct Budget {
    /// Compact at this many tokens.
    limit: Option<u64>,
    /// The model's context window: past it a request would fail.
    window: Option<u64>,
    /// The context after the last response (its usage) and the history's length then.
    known: Option<(u64, usize)>,
    /// A compaction failed in this send: only an overflow tries again.
    failed: bool,
}

impl Budget {
    pub(crate) fn new(inner: &Inner) -> Self {
        let window = inner.profile.as_ref().and_then(|p| p.context_window);
        Self {
            limit: inner
                .config
                .compact_at
                .or_else(|| window.map(|w| w * WINDOW_SHARE.0 / WINDOW_SHARE.1)),
            window,
            known: None,
            failed: false,
        }
    }

    /// The context's size if the request of `head` (the developer messages) and
    /// `history` were sent: the last usage plus an estimate of the messages added
    /// since, or an estimate of all the messages (the system prompt and tools, which
    /// the provider's usage counts, are left out of it).
    pub(crate) fn context(&self, head: &[Arc<Message>], history: &[Arc<Message>]) -> u64 {
        match self.known {
            Some((tokens, len)) if len <= history.len() => tokens + estimate(&history[len..]),
            _ => estimate(head) + estimate(history),
        }
    }

    /// Notes a response's usage; `len` is the history's length with it.
    pub(crate) fn observe(&mut self, usage: &Usage, len: usize) {
        if usage.input_tokens > 0 {
            self.known = Some((usage.input_tokens + usage.output_tokens, len));
        }
    }

    /// Whether a request of `context` tokens over `history` should compact first
    /// (never a history with nothing but user messages: there is nothing to compact).
    pub(crate) fn due(&self, context: u64, history: &[Arc<Message>]) -> bool {
        if history
            .iter()
            .all(|m| matches!(**m, Message::User { .. } | Message::Developer { .. }))
        {
            return false;
        }
        let over_limit = !self.failed && self.limit.is_some_and(|limit| context >= limit);
        let overflows = self.window.is_some_and(|window| context >= window);
        over_limit || overflows
    }

    /// The tokens of user messages a compaction keeps.
    fn kept_budget(&self) -> u64 {
        self.limit
            .map_or(KEPT_USER_TOKENS, |limit| (limit / 4).min(KEPT_USER_TOKENS))
    }
}

/// Tokens of `messages`, estimated at 4 bytes of JSON each.
pub(crate) fn estimate(messages: &[Arc<Message>]) -> u64 {
    serde_json::to_string(messages).map_or(0, |json| json.len() as u64 / 4)
}

/// Compacts `history` (sent with `base`'s system prompt, head and tools); on
/// success it is replaced and the method is returned. Emits the start and the end,
/// or a warning.
pub(crate) async fn compact(
    inner: &Inner,
    base: &Prompt,
    history: &mut Vec<Arc<Message>>,
    budget: &mut Budget,
    before: u64,
    emitter: &Emitter,
) -> Option<&'static str> {
    emitter
        .emit(Output::CompactionStarted {
            tokens_before: before,
        })
        .await;
    let kept = kept_user_messages(history, budget.kept_budget());
    let mut errors = Vec::new();
    let mut unsupported = 0;
    for (method, how) in [
        ("remote", Compact::Trigger),
        ("endpoint", Compact::Endpoint),
    ] {
        match remote(inner, base, history, how).await {
            Ok(item) => {
                let mut compacted = kept;
                compacted.push(Arc::new(Message::Assistant { items: vec![item] }));
                return Some(finish(history, compacted, budget, before, method, emitter).await);
            }
            Err(Failure::Unsupported) => unsupported += 1,
            Err(Failure::Failed(error)) => errors.push(format!("{method}: {error}")),
        }
    }
    if unsupported == 2 {
        match local(inner, base, history).await {
            Ok(summary) => {
                let mut compacted = kept;
                compacted.push(Arc::new(Message::user(format!(
                    "{SUMMARY_PREFIX}{summary}"
                ))));
                return Some(finish(history, compacted, budget, before, "local", emitter).await);
            }
            Err(error) => errors.push(format!("local: {error}")),
        }
    }
    budget.failed = true;
    let message = format!(
        "compaction failed ({}); continuing uncompacted",
        errors.join("; ")
    );
    tracing::warn!(tokens = before, "{message}");
    emitter.emit(Output::Warning { message }).await;
    None
}

async fn finish(
    history: &mut Vec<Arc<Message>>,
    compacted: Vec<Arc<Message>>,
    budget: &mut Budget,
    before: u64,
    method: &'static str,
    emitter: &Emitter,
) -> &'static str {
    *history = compacted;
    budget.known = None;
    budget.failed = false;
    let after = estimate(history);
    tracing::info!(before, after, method, "compacted the history");
    emitter
        .emit(Output::CompactionFinished {
            tokens_before: before,
            tokens_after: after,
            method: method.to_owned(),
        })
        .await;
    method
}

enum Failure {
    Unsupported,
    Failed(String),
}

/// The provider's compaction item for `history`.
async fn remote(
    inner: &Inner,
    base: &Prompt,
    history: &[Arc<Message>],
    how: Compact,
) -> Result<AssistantItem, Failure> {
    let mut prompt = base.clone().messages(history.iter().cloned()).compact(how);
    prompt.response_format = None;
    let response = inner
        .model
        .generate(prompt)
        .await
        .map_err(|error| match error {
            AiError::Unsupported { .. } => Failure::Unsupported,
            other => Failure::Failed(clanka_model::error_chain(&other)),
        })?;
    let total = response.items.len();
    let mut items: Vec<AssistantItem> = response
        .items
        .into_iter()
        .filter(|item| matches!(item, AssistantItem::Compaction { .. }))
        .collect();
    match (items.pop(), items.is_empty()) {
        (Some(item), true) => Ok(item),
        (found, _) => Err(Failure::Failed(format!(
            "expected exactly one compaction item, got {} of {total} output items",
            usize::from(found.is_some()) + items.len()
        ))),
    }
}

/// A summary the model writes of `history`, without tools.
async fn local(inner: &Inner, base: &Prompt, history: &[Arc<Message>]) -> Result<String, String> {
    let mut prompt = base
        .clone()
        .messages(history.iter().cloned())
        .user(SUMMARIZE);
    prompt.tools.clear();
    prompt.response_format = None;
    let response = inner
        .model
        .generate(prompt)
        .await
        .map_err(|error| clanka_model::error_chain(&error))?;
    let summary = response.text();
    if summary.trim().is_empty() {
        return Err("the model wrote no summary".to_owned());
    }
    Ok(summary)
}

/// The newest user messages (earlier summaries left out) whose text fits `budget`
/// tokens, oldest first; the message that crosses it is cut in the middle.
fn kept_user_messages(history: &[Arc<Message>], budget: u64) -> Vec<Arc<Message>> {
    let mut left = budget;
    let mut kept = Vec::new();
    for message in history.iter().rev() {
        let Message::User { content } = &**message else {
            continue;
        };
        let is_summary = content.iter().any(
            |part| matches!(part, UserPart::Text { text } if text.starts_with(SUMMARY_PREFIX)),
        );
        if is_summary {
            continue;
        }
        if left == 0 {
            break;
        }
        let content: Vec<UserPart> = content
            .iter()
            .map(|part| match part {
                UserPart::Text { text } => {
                    let tokens = text.len() as u64 / 4;
                    let shown = if tokens > left {
                        clanka_tools::truncate_output(text, TruncationPolicy::tokens(left))
                    } else {
                        text.clone()
                    };
                    left = left.saturating_sub(tokens);
                    UserPart::Text { text: shown }
                }
                image => image.clone(),
            })
            .collect();
        kept.push(Arc::new(Message::User { content }));
    }
    kept.reverse();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_user_messages_are_kept_within_the_budget() {
        let long = "x".repeat(4000);
        let history = vec![
            Message::user("first"),
            Message::Assistant {
                items: vec![AssistantItem::text("answer")],
            },
            Message::user(format!("{SUMMARY_PREFIX}old summary")),
            Message::user(long.clone()),
            Message::user("last"),
        ];
        let history: Vec<Arc<Message>> = history.into_iter().map(Arc::new).collect();
        let kept = kept_user_messages(&history, 10_000);
        assert_eq!(kept.len(), 3, "the summary is left out");
        assert_eq!(*kept[0], Message::user("first"));
        let kept = kept_user_messages(&history, 200);
        assert_eq!(kept.len(), 2);
        let Message::User { content } = &*kept[0] else {
            panic!()
        };
        let UserPart::Text { text } = &content[0] else {
            panic!()
        };
        assert!(
            text.len() < long.len() && text.contains("truncated"),
            "{text}"
        );
        assert_eq!(*kept[1], Message::user("last"));
    }
}
