//! Building the Responses request body from a provider-neutral [`Prompt`].

mod headers;
mod items;

use clanka_model::{
    AiError, Compact, Message, Prompt, ReasoningSummary, SystemPlacement, ToolChoice,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::ResponsesConfig;

pub(crate) use headers::HeaderSet;
pub(crate) use items::push_message;

/// Options the backend rejects, refused before anything is sent.
const REFUSED_EXTRA: [&str; 3] = ["top_p", "max_output_tokens", "temperature"];

/// One Responses request, in the field order the official client serializes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponsesRequest {
    /// Model slug.
    pub model: String,
    /// The system prompt, when it goes in its own field (never empty then); with
    /// [`SystemPlacement::Developer`] it is the first input item instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// History items.
    pub input: Vec<Value>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    /// Stable per conversation, for prompt caching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_cache_key: Option<String>,
    /// Verbosity and structured output format.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Value>,
    /// Extra top-level fields from [`ProviderOptions::extra`](clanka_model::ProviderOptions::extra).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The sticky-routing token of the turn (`x-codex-turn-state`), sent as a header
    /// over HTTP and in `client_metadata` over WebSocket; never part of the body's
    /// settings, so it does not break incremental WebSocket input.
    #[serde(skip)]
    pub turn_state: Option<String>,
    /// `x-codex-turn-metadata` (a header over HTTP, `client_metadata` over
    /// WebSocket): what kind of request this is, set for compactions.
    #[serde(skip)]
    pub turn_metadata: Option<String>,
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
        let mut input = Vec::with_capacity(prompt.messages.len() + 1);
        if let Some(head) = &head {
            push_message(&mut input, head);
        }
        items::push_items(&mut input, &prompt.messages)?;
        let compacting = prompt.compact == Some(Compact::Trigger);
        if compacting {
            // A request control, never part of the history.
            input.push(json!({"type": "compaction_trigger"}));
        }
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
