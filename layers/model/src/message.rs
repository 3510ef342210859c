//! Conversation history: user, developer and assistant messages and tool results.

use serde::{Deserialize, Serialize};

/// One entry of the conversation, tagged by `role` when serialized.
///
/// The system prompt is not a message: it is [`Prompt::system`](crate::Prompt::system).
///
/// Pairing rules providers rely on (the Codex backend rejects a request breaking them):
/// - every [`AssistantItem::ToolCall`] needs a later [`Message::ToolResult`] with the
///   same `call_id`, and every result needs its call;
/// - a [`AssistantItem::Reasoning`] item is kept together with the item it preceded
///   in the same assistant message (replay a response's items whole, in order).
///
/// # Example
///
/// ```
/// use clanka_model::{AssistantItem, Message};
///
/// let history = vec![
///     Message::user("list the files"),
///     Message::Assistant {
///         items: vec![AssistantItem::tool_call("call_1", "shell", r#"{"command":"ls"}"#)],
///     },
///     Message::tool_result("call_1", "Cargo.toml\nsrc"),
/// ];
/// assert_eq!(history[1].tool_calls().next().map(|c| c.id.as_str()), Some("call_1"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Message {
    /// Instructions added during the conversation, ranking above user text; providers
    /// without such a role send them as a system or user message.
    Developer {
        /// The instructions.
        text: String,
    },
    /// What the user said: text and images.
    User {
        /// The parts, in order.
        content: Vec<UserPart>,
    },
    /// What the model produced in one response, replayed as history.
    Assistant {
        /// The output items, in the order the model produced them.
        items: Vec<AssistantItem>,
    },
    /// The output of a tool call.
    ToolResult {
        /// The `id` of the [`AssistantItem::ToolCall`] this answers.
        call_id: String,
        /// What the tool returned (or its error text), as the model will read it.
        output: String,
        /// Whether the tool failed; providers without such a flag send only `output`.
        #[serde(default)]
        is_error: bool,
        /// Images the tool returned (`data:` URLs), after the text.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        images: Vec<String>,
    },
}

impl Message {
    /// A user message with one text part.
    pub fn user(text: impl Into<String>) -> Self {
        Self::User {
            content: vec![UserPart::text(text)],
        }
    }

    /// A developer message.
    pub fn developer(text: impl Into<String>) -> Self {
        Self::Developer { text: text.into() }
    }

    /// A successful tool result.
    pub fn tool_result(call_id: impl Into<String>, output: impl Into<String>) -> Self {
        Self::ToolResult {
            call_id: call_id.into(),
            output: output.into(),
            is_error: false,
            images: Vec::new(),
        }
    }

    /// A failed tool result; `output` tells the model what went wrong.
    pub fn tool_error(call_id: impl Into<String>, output: impl Into<String>) -> Self {
        Self::ToolResult {
            call_id: call_id.into(),
            output: output.into(),
            is_error: true,
            images: Vec::new(),
        }
    }

    /// The tool calls of an assistant message.
    pub fn tool_calls(&self) -> impl Iterator<Item = &ToolCall> {
        let items = match self {
            Self::Assistant { items } => items.as_slice(),
            _ => &[],
        };
        tool_calls(items)
    }
}

/// One part of a user message, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UserPart {
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
    /// An image, by URL.
    Image {
        /// A `data:image/png;base64,…` URL or an `https://` URL.
        url: String,
    },
}

impl UserPart {
    /// A text part.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text { text: text.into() }
    }

    /// An image part from a data URL or an `https://` URL.
    pub fn image(url: impl Into<String>) -> Self {
        Self::Image { url: url.into() }
    }
}

/// One output item of the model, as kept in history; tagged by `type`.
///
/// Item ids are the provider's (Codex `msg_…`, `rs_…`, `fc_…`); providers decide
/// whether to send them back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AssistantItem {
    /// Text the model wrote.
    Text {
        /// Provider item id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The text.
        text: String,
    },
    /// The model's reasoning: its readable summary and the opaque state to replay.
    Reasoning {
        /// Provider item id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// Summary paragraphs, possibly empty.
        #[serde(default)]
        summary: Vec<String>,
        /// Encrypted reasoning state; send it back unchanged so the model keeps its
        /// chain of thought across requests without the provider storing it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        encrypted_content: Option<String>,
    },
    /// A complete tool call.
    ToolCall(ToolCall),
    /// The provider's compaction of the conversation before it: opaque state that
    /// stands for the history it replaced. Replay it unchanged, in its place.
    Compaction {
        /// Provider item id (Codex `cmp_…`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The encrypted summary.
        encrypted_content: String,
    },
}

/// A complete tool call: in history ([`AssistantItem::ToolCall`]) and in a stream
/// ([`StreamPart::ToolCall`](crate::StreamPart::ToolCall)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    /// Call id, matched by [`Message::ToolResult::call_id`].
    pub id: String,
    /// Provider item id, distinct from the call id (Codex `fc_…`, `ctc_…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// Name of the tool.
    pub name: String,
    /// Arguments as raw JSON text, exactly as the model wrote them; for a
    /// [`ToolCallKind::Freeform`] call, the raw input.
    pub arguments: String,
    /// A function call with JSON arguments, or a freeform (custom) tool's raw input.
    #[serde(default, skip_serializing_if = "ToolCallKind::is_function")]
    pub kind: ToolCallKind,
}

/// How a tool call carries its input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolCallKind {
    /// A function call: JSON arguments matching the tool's schema.
    #[default]
    Function,
    /// A freeform (custom) tool call: raw text following the tool's grammar.
    Freeform,
}

impl ToolCallKind {
    /// Whether this is [`ToolCallKind::Function`].
    pub fn is_function(&self) -> bool {
        *self == Self::Function
    }
}

impl ToolCall {
    /// A function call without an item id.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        arguments: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            item_id: None,
            name: name.into(),
            arguments: arguments.into(),
            kind: ToolCallKind::Function,
        }
    }

    /// A freeform (custom) tool call carrying `input`, without an item id.
    pub fn freeform(
        id: impl Into<String>,
        name: impl Into<String>,
        input: impl Into<String>,
    ) -> Self {
        Self {
            kind: ToolCallKind::Freeform,
            ..Self::new(id, name, input)
        }
    }
}

impl AssistantItem {
    /// A text item without an id.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text {
            id: None,
            text: text.into(),
        }
    }

    /// A tool call without an item id.
    pub fn tool_call(
        id: impl Into<String>,
        name: impl Into<String>,
        arguments: impl Into<String>,
    ) -> Self {
        Self::ToolCall(ToolCall::new(id, name, arguments))
    }
}

/// The tool calls among `items`.
pub(crate) fn tool_calls(items: &[AssistantItem]) -> impl Iterator<Item = &ToolCall> {
    items.iter().filter_map(|item| match item {
        AssistantItem::ToolCall(call) => Some(call),
        _ => None,
    })
}
