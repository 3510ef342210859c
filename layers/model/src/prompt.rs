//! The request a language model answers: system prompt, history, tools and options.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{Message, ProviderOptions, Response, ResponseFormat, Tool, ToolChoice, UserPart};

/// Everything one model request needs, independent of the provider.
///
/// Serializable, so the agent can persist a conversation and reload it. Messages are
/// shared (`Arc`): a prompt built from a long history for each turn copies pointers,
/// not the history, and providers may recognize the messages they sent before.
///
/// # Example
///
/// ```
/// use clanka_model::{Prompt, Tool, ToolChoice};
/// use serde_json::json;
///
/// let prompt = Prompt::new()
///     .system("You are a coding agent.")
///     .user("What is in this directory?")
///     .tool(Tool::new("shell", "Runs a command.", json!({"type": "object"})))
///     .tool_choice(ToolChoice::Auto);
/// assert_eq!(prompt.messages.len(), 1);
/// assert!(prompt.missing_tool_results().is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prompt {
    /// The system prompt (Codex: `instructions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The conversation so far, oldest first.
    pub messages: Vec<Arc<Message>>,
    /// Tools the model may call.
    pub tools: Vec<Tool>,
    /// Whether and which tool the model must call.
    pub tool_choice: ToolChoice,
    /// Asks for a JSON answer matching a schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat>,
    /// Provider settings for this request.
    pub options: ProviderOptions,
    /// Asks the provider to compact the conversation instead of answering: the
    /// response then holds one [`AssistantItem::Compaction`](crate::AssistantItem::Compaction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compact: Option<Compact>,
}

/// How a provider is asked to compact a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compact {
    /// An ordinary request whose input ends with a compaction trigger, answered
    /// with a compaction item (Codex "remote compaction v2", ChatGPT sign-in).
    Trigger,
    /// A request to the provider's compaction endpoint (Codex `POST
    /// /responses/compact`).
    Endpoint,
}

impl Prompt {
    /// An empty prompt: no system prompt, no messages, no tools, `ToolChoice::Auto`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the system prompt.
    pub fn system(mut self, text: impl Into<String>) -> Self {
        self.system = Some(text.into());
        self
    }

    /// Appends a user message with one text part.
    pub fn user(self, text: impl Into<String>) -> Self {
        self.message(Message::user(text))
    }

    /// Appends a user message made of `parts` (text and images).
    pub fn user_parts(self, parts: impl IntoIterator<Item = UserPart>) -> Self {
        self.message(Message::User {
            content: parts.into_iter().collect(),
        })
    }

    /// Appends a developer message.
    pub fn developer(self, text: impl Into<String>) -> Self {
        self.message(Message::developer(text))
    }

    /// Appends one message (a `Message`, or an `Arc<Message>` shared with a history).
    pub fn message(mut self, message: impl Into<Arc<Message>>) -> Self {
        self.messages.push(message.into());
        self
    }

    /// Appends several messages.
    pub fn messages<M: Into<Arc<Message>>>(
        mut self,
        messages: impl IntoIterator<Item = M>,
    ) -> Self {
        self.messages.extend(messages.into_iter().map(Into::into));
        self
    }

    /// Adds a tool.
    pub fn tool(mut self, tool: Tool) -> Self {
        self.tools.push(tool);
        self
    }

    /// Adds several tools.
    pub fn tools(mut self, tools: impl IntoIterator<Item = Tool>) -> Self {
        self.tools.extend(tools);
        self
    }

    /// Sets the tool choice.
    pub fn tool_choice(mut self, choice: ToolChoice) -> Self {
        self.tool_choice = choice;
        self
    }

    /// Sets the response format.
    pub fn response_format(mut self, format: ResponseFormat) -> Self {
        self.response_format = Some(format);
        self
    }

    /// Asks for a JSON answer matching `schema` (strict), named `name`: Codex sends
    /// `text.format = {type: "json_schema", name, schema, strict: true}`.
    pub fn output_schema(self, name: impl Into<String>, schema: serde_json::Value) -> Self {
        self.response_format(ResponseFormat::json_schema(name, schema))
    }

    /// Asks the provider to compact the conversation (see [`Compact`]).
    pub fn compact(mut self, how: Compact) -> Self {
        self.compact = Some(how);
        self
    }

    /// Sets the provider options.
    pub fn options(mut self, options: ProviderOptions) -> Self {
        self.options = options;
        self
    }

    /// Appends a collected response's items as an assistant message (nothing if it has none).
    pub fn push_response(&mut self, response: Response) {
        if let Some(message) = response.into_message() {
            self.messages.push(Arc::new(message));
        }
    }

    /// Call ids of tool calls that have no [`Message::ToolResult`] yet, in call order.
    ///
    /// A provider request is valid only when this is empty (see [`Message`]).
    pub fn missing_tool_results(&self) -> Vec<&str> {
        let answered: Vec<&str> = self
            .messages
            .iter()
            .filter_map(|message| match &**message {
                Message::ToolResult { call_id, .. } => Some(call_id.as_str()),
                _ => None,
            })
            .collect();
        self.messages
            .iter()
            .flat_map(|message| message.tool_calls())
            .map(|call| call.id.as_str())
            .filter(|id| !answered.contains(id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;
    use crate::{AssistantItem, ReasoningEffort};

    fn conversation() -> Prompt {
        Prompt::new()
            .system("be brief")
            .user_parts([
                UserPart::text("what is this?"),
                UserPart::image("data:image/png;base64,AA=="),
            ])
            .message(Message::Assistant {
                items: vec![
                    AssistantItem::Reasoning {
                        id: Some("rs_1".into()),
                        summary: vec!["looking".into()],
                        encrypted_content: Some("opaque".into()),
                    },
                    AssistantItem::tool_call("call_1", "shell", r#"{"command":"ls"}"#),
                ],
            })
            .message(Message::tool_error("call_1", "permission denied"))
            .developer("stay in the repo")
            .tool(Tool::new("shell", "Runs a command.", json!({"type": "object"})).strict(true))
            .tool_choice(ToolChoice::Tool("shell".into()))
            .response_format(ResponseFormat::json_schema(
                "answer",
                json!({"type": "object"}),
            ))
            .options(ProviderOptions::default().reasoning_effort(ReasoningEffort::Low))
    }

    #[test]
    fn round_trips_through_json() {
        let prompt = conversation();
        let text = serde_json::to_string(&prompt).unwrap();
        assert_eq!(serde_json::from_str::<Prompt>(&text).unwrap(), prompt);
    }

    #[test]
    fn serializes_messages_by_role_and_type() {
        let value = serde_json::to_value(conversation()).unwrap();
        assert_eq!(
            value["messages"][1],
            json!({"role": "assistant", "items": [
                {"type": "reasoning", "id": "rs_1", "summary": ["looking"], "encrypted_content": "opaque"},
                {"type": "tool_call", "id": "call_1", "name": "shell", "arguments": "{\"command\":\"ls\"}"},
            ]})
        );
        assert_eq!(value["tool_choice"], json!({"tool": "shell"}));
        assert_eq!(value["options"], json!({"reasoning_effort": "low"}));
    }

    #[test]
    fn empty_json_is_an_empty_prompt() {
        assert_eq!(serde_json::from_str::<Prompt>("{}").unwrap(), Prompt::new());
    }

    #[test]
    fn finds_unanswered_tool_calls() {
        let prompt = conversation().message(Message::Assistant {
            items: vec![
                AssistantItem::tool_call("call_2", "shell", "{}"),
                AssistantItem::tool_call("call_3", "shell", "{}"),
            ],
        });
        let prompt = prompt.message(Message::tool_result("call_3", "ok"));
        assert_eq!(prompt.missing_tool_results(), ["call_2"]);
    }
}
