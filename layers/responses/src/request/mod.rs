//! Building the Responses request body from a provider-neutral [`Prompt`].

mod headers;
mod input;
mod items;

use clanka_model::{
    AiError, Compact, Message, Prompt, ReasoningSummary, SystemPlacement, ToolChoice,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::ResponsesConfig;

pub(crate) use headers::HeaderSet;
pub use input::Input;
pub(crate) use input::{Encoded, Items};
pub(crate) use items::message_items;

/// Options the backend rejects, refused before anything is sent.
const REFUSED_EXTRA: [&str; 3] = ["top_p", "max_output_tokens", "temperature"];

/// One Responses request, in the field order the official client serializes.
#[derive(Debug, Clone)]
pub struct ResponsesRequest {
    /// Model slug.
    pub model: String,
    /// The system prompt, when it goes in its own field (never empty then); with
    /// [`SystemPlacement::Developer`] it is the first input item instead.
    pub instructions: Option<String>,
    /// History items, encoded once per message.
    pub input: Input,
    /// Function tools.
    pub tools: Vec<Value>,
    /// `"auto"`, `"none"`, `"required"` or a named function.
    pub tool_choice: Value,
    /// Whether the model may call several tools at once.
    pub parallel_tool_calls: bool,
    /// `{effort, summary}`.
    pub reasoning: Value,
    /// Always `false`: the ChatGPT backend stores nothing.
    pub store: bool,
    /// Always `true`.
    pub stream: bool,
    /// Always `["reasoning.encrypted_content"]`, so reasoning can be replayed.
    pub include: Vec<&'static str>,
    /// `priority`, `flex`, … when set.
    pub service_tier: Option<String>,
    /// Stable per conversation, for prompt caching.
    pub prompt_cache_key: Option<String>,
    /// Verbosity and structured output format.
    pub text: Option<Value>,
    /// Extra top-level fields from [`ProviderOptions::extra`](clanka_model::ProviderOptions::extra).
    pub extra: Map<String, Value>,
    /// The sticky-routing token of the turn (`x-codex-turn-state`), sent as a header
    /// over HTTP and in `client_metadata` over WebSocket; never part of the body's
    /// settings, so it does not break incremental WebSocket input.
    pub turn_state: Option<String>,
    /// `x-codex-turn-metadata` (a header over HTTP, `client_metadata` over
    /// WebSocket): what kind of request this is, set for compactions.
    pub turn_metadata: Option<String>,
}

/// The wire form of a request: the whole body, or over WebSocket a
/// `response.create` that may continue `previous_response_id` with new items only.
pub(crate) struct Body<'a> {
    pub(crate) kind: Option<&'static str>,
    pub(crate) previous_response_id: Option<&'a str>,
    pub(crate) client_metadata: Option<Map<String, Value>>,
    request: &'a ResponsesRequest,
    input: Items<'a>,
}

impl Serialize for Body<'_> {
    /// The fields in the official client's order; unset ones left out; then the
    /// extra fields.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let r = self.request;
        let mut map = serializer.serialize_map(None)?;
        if let Some(kind) = self.kind {
            map.serialize_entry("type", kind)?;
        }
        map.serialize_entry("model", &r.model)?;
        if let Some(instructions) = &r.instructions {
            map.serialize_entry("instructions", instructions)?;
        }
        if let Some(previous) = self.previous_response_id {
            map.serialize_entry("previous_response_id", previous)?;
        }
        map.serialize_entry("input", &self.input)?;
        map.serialize_entry("tools", &r.tools)?;
        map.serialize_entry("tool_choice", &r.tool_choice)?;
        map.serialize_entry("parallel_tool_calls", &r.parallel_tool_calls)?;
        map.serialize_entry("reasoning", &r.reasoning)?;
        map.serialize_entry("store", &r.store)?;
        map.serialize_entry("stream", &r.stream)?;
        map.serialize_entry("include", &r.include)?;
        if let Some(tier) = &r.service_tier {
            map.serialize_entry("service_tier", tier)?;
        }
        if let Some(key) = &r.prompt_cache_key {
            map.serialize_entry("prompt_cache_key", key)?;
        }
        if let Some(text) = &r.text {
            map.serialize_entry("text", text)?;
        }
        for (key, value) in &r.extra {
            map.serialize_entry(key, value)?;
        }
        if let Some(metadata) = &self.client_metadata {
            map.serialize_entry("client_metadata", metadata)?;
        }
        map.end()
    }
}

impl Serialize for ResponsesRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body(0).serialize(serializer)
    }
}

/// The header (over WebSocket, the `client_metadata` key) of [`ResponsesRequest::turn_metadata`].
pub(crate) const TURN_METADATA: &str = "x-codex-turn-metadata";

/// The turn metadata of a compaction request, as the official client sends it.
const COMPACTION_METADATA: &str = r#"{"request_kind":"compaction","compaction":{"trigger":"auto","implementation":"responses_compaction_v2"}}"#;

impl ResponsesRequest {
    /// Builds the body for `prompt`; `conversation_id` keys the prompt cache when the
    /// prompt's options name none.
    pub fn build(
        prompt: &Prompt,
        config: &ResponsesConfig,
        conversation_id: &str,
    ) -> Result<Self, AiError> {
        Self::build_after(prompt, config, conversation_id, None)
    }

    /// [`build`](Self::build), reusing the encoded messages of `previous` (the last
    /// request of the conversation) that `prompt` shares.
    pub(crate) fn build_after(
        prompt: &Prompt,
        config: &ResponsesConfig,
        conversation_id: &str,
        previous: Option<&Input>,
    ) -> Result<Self, AiError> {
        let options = config.effective_options(&prompt.options);
        if options.temperature.is_some() {
            return Err(unsupported("temperature"));
        }
        if options.max_output_tokens.is_some() {
            return Err(unsupported("max_output_tokens"));
        }
        if let Some(key) = REFUSED_EXTRA
            .iter()
            .find(|k| options.extra.contains_key(**k))
        {
            return Err(unsupported(key));
        }
        if options
            .extra
            .get("store")
            .is_some_and(|v| v != &Value::Bool(false))
        {
            return Err(unsupported("store"));
        }
        let mut reasoning = Map::new();
        if let Some(effort) = options.reasoning_effort {
            reasoning.insert("effort".into(), json!(effort.as_str()));
        }
        if let Some(summary) = options
            .reasoning_summary
            .filter(|s| *s != ReasoningSummary::None)
        {
            reasoning.insert("summary".into(), json!(summary.as_str()));
        }
        let mut text = Map::new();
        if let Some(verbosity) = options.verbosity {
            text.insert("verbosity".into(), json!(verbosity.as_str()));
        }
        if let Some(format) = &prompt.response_format {
            text.insert(
                "format".into(),
                json!({"type": "json_schema", "name": format.name, "strict": format.strict,
                       "schema": format.schema}),
            );
        }
        let system = prompt.system.as_deref().filter(|s| !s.trim().is_empty());
        let (instructions, head) = match options.system_placement {
            Some(SystemPlacement::Developer) => (None, system.map(Message::developer)),
            Some(SystemPlacement::Instructions) | None => (
                Some(system.unwrap_or(&config.default_instructions).to_owned()),
                None,
            ),
        };
        // The compaction trigger is a request control, never part of the history.
        let compacting = prompt.compact == Some(Compact::Trigger);
        let input = Input::encode(head.as_ref(), &prompt.messages, compacting, previous)?;
        let mut extra = options.extra;
        extra.remove("store");
        Ok(Self {
            model: config.model.clone(),
            instructions,
            input,
            tools: prompt.tools.iter().map(tool).collect(),
            tool_choice: tool_choice(&prompt.tool_choice),
            parallel_tool_calls: options.parallel_tool_calls.unwrap_or(true),
            reasoning: Value::Object(reasoning),
            store: false,
            stream: true,
            include: vec!["reasoning.encrypted_content"],
            service_tier: options.service_tier,
            prompt_cache_key: Some(
                options
                    .conversation_id
                    .unwrap_or_else(|| conversation_id.to_owned()),
            ),
            text: (!text.is_empty()).then_some(Value::Object(text)),
            extra,
            turn_state: None,
            turn_metadata: compacting.then(|| COMPACTION_METADATA.to_owned()),
        })
    }

    /// Whether every field but `input` equals `other`'s, so `other` may continue it
    /// incrementally over WebSocket.
    pub(crate) fn same_settings(&self, other: &Self) -> bool {
        self.model == other.model
            && self.instructions == other.instructions
            && self.tools == other.tools
            && self.tool_choice == other.tool_choice
            && self.parallel_tool_calls == other.parallel_tool_calls
            && self.reasoning == other.reasoning
            && self.service_tier == other.service_tier
            && self.prompt_cache_key == other.prompt_cache_key
            && self.text == other.text
            && self.extra == other.extra
    }

    /// The wire form with the items of the messages from index `first` on.
    pub(crate) fn body(&self, first: usize) -> Body<'_> {
        Body {
            kind: None,
            previous_response_id: None,
            client_metadata: None,
            request: self,
            input: Items(self.input.messages().get(first..).unwrap_or_default()),
        }
    }

    /// The conversation id used for session headers.
    pub(crate) fn conversation(&self) -> &str {
        self.prompt_cache_key.as_deref().unwrap_or_default()
    }
}

fn tool(tool: &clanka_model::Tool) -> Value {
    match &tool.grammar {
        Some(grammar) => json!({
            "type": "custom",
            "name": tool.name,
            "description": tool.description,
            "format": {"type": "grammar", "syntax": grammar.syntax, "definition": grammar.definition},
        }),
        None => json!({
            "type": "function",
            "name": tool.name,
            "description": tool.description,
            "strict": tool.strict,
            "parameters": tool.parameters,
        }),
    }
}

fn tool_choice(choice: &ToolChoice) -> Value {
    match choice {
        ToolChoice::Auto => json!("auto"),
        ToolChoice::None => json!("none"),
        ToolChoice::Required => json!("required"),
        ToolChoice::Tool(name) => json!({"type": "function", "name": name}),
    }
}

fn unsupported(option: &str) -> AiError {
    AiError::Unsupported {
        option: option.to_owned(),
    }
}

#[cfg(test)]
mod tests;
