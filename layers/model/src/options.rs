//! Provider options: typed common settings plus a free-form escape hatch.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ParseOptionError;

/// Settings a provider may honour for one request; every field is optional.
///
/// A provider ignores what it has no notion of, and returns
/// [`AiError::Unsupported`](crate::AiError::Unsupported) for a setting it rejects
/// (the Codex backend rejects `temperature` and `max_output_tokens`). `extra` carries
/// provider-specific keys the typed fields do not cover.
///
/// # Example
///
/// ```
/// use clanka_model::{ProviderOptions, ReasoningEffort};
///
/// let defaults = ProviderOptions::default().reasoning_effort(ReasoningEffort::Medium);
/// let turn = ProviderOptions::default()
///     .reasoning_effort("high".parse().unwrap())
///     .conversation_id("thread-1");
/// let merged = turn.merge_over(&defaults);
/// assert_eq!(merged.reasoning_effort, Some(ReasoningEffort::High));
/// assert_eq!(merged.conversation_id.as_deref(), Some("thread-1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderOptions {
    /// How hard a reasoning model thinks before answering.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<ReasoningEffort>,
    /// Whether and how the provider summarizes the model's reasoning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_summary: Option<ReasoningSummary>,
    /// How long the model's answers are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verbosity: Option<Verbosity>,
    /// Service tier, as the provider spells it (e.g. `priority`, `flex`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    /// Whether the model may call several tools in one response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel_tool_calls: Option<bool>,
    /// Stable id of the conversation, used by providers for prompt caching and
    /// session headers (Codex: `prompt_cache_key`, `session-id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Id of the user turn this request belongs to (a task and its tool rounds):
    /// providers scope per-turn state to it (Codex: the `x-codex-turn-state` routing
    /// token echoed on the follow-up requests of a turn).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub turn_id: Option<String>,
    /// Where the system prompt goes, when the provider offers a choice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_placement: Option<SystemPlacement>,
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Upper bound on the tokens generated for this response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u64>,
    /// Provider-specific settings, passed through by providers that know them.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl ProviderOptions {
    /// Sets [`reasoning_effort`](Self::reasoning_effort).
    pub fn reasoning_effort(mut self, effort: ReasoningEffort) -> Self {
        self.reasoning_effort = Some(effort);
        self
    }

    /// Sets [`reasoning_summary`](Self::reasoning_summary).
    pub fn reasoning_summary(mut self, summary: ReasoningSummary) -> Self {
        self.reasoning_summary = Some(summary);
        self
    }

    /// Sets [`verbosity`](Self::verbosity).
    pub fn verbosity(mut self, verbosity: Verbosity) -> Self {
        self.verbosity = Some(verbosity);
        self
    }

    /// Sets [`service_tier`](Self::service_tier).
    pub fn service_tier(mut self, tier: impl Into<String>) -> Self {
        self.service_tier = Some(tier.into());
        self
    }

    /// Sets [`parallel_tool_calls`](Self::parallel_tool_calls).
    pub fn parallel_tool_calls(mut self, parallel: bool) -> Self {
        self.parallel_tool_calls = Some(parallel);
        self
    }

    /// Sets [`conversation_id`](Self::conversation_id).
    pub fn conversation_id(mut self, id: impl Into<String>) -> Self {
        self.conversation_id = Some(id.into());
        self
    }

    /// Sets [`turn_id`](Self::turn_id).
    pub fn turn_id(mut self, id: impl Into<String>) -> Self {
        self.turn_id = Some(id.into());
        self
    }

    /// Sets [`system_placement`](Self::system_placement).
    pub fn system_placement(mut self, placement: SystemPlacement) -> Self {
        self.system_placement = Some(placement);
        self
    }

    /// Sets one provider-specific key in [`extra`](Self::extra).
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }

    /// These options with every unset field taken from `defaults`.
    ///
    /// Set fields of `self` win; `extra` keys are merged, `self`'s winning on conflict.
    pub fn merge_over(&self, defaults: &ProviderOptions) -> ProviderOptions {
        let mut extra = defaults.extra.clone();
        extra.extend(self.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        ProviderOptions {
            reasoning_effort: self.reasoning_effort.or(defaults.reasoning_effort),
            reasoning_summary: self.reasoning_summary.or(defaults.reasoning_summary),
            verbosity: self.verbosity.or(defaults.verbosity),
            service_tier: or_clone(&self.service_tier, &defaults.service_tier),
            parallel_tool_calls: self.parallel_tool_calls.or(defaults.parallel_tool_calls),
            conversation_id: or_clone(&self.conversation_id, &defaults.conversation_id),
            turn_id: or_clone(&self.turn_id, &defaults.turn_id),
            system_placement: self.system_placement.or(defaults.system_placement),
            temperature: self.temperature.or(defaults.temperature),
            max_output_tokens: self.max_output_tokens.or(defaults.max_output_tokens),
            extra,
        }
    }
}

fn or_clone(value: &Option<String>, default: &Option<String>) -> Option<String> {
    value.as_ref().or(default.as_ref()).cloned()
}

/// Declares a lowercase string enum with `as_str`, `Display` and `FromStr`.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// The lowercase name, as serialized.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseOptionError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(ParseOptionError { kind: $kind, value: s.to_owned() }),
                }
            }
        }
    };
}

string_enum! {
    /// Reasoning effort: `none`, `minimal`, `low`, `medium`, `high`, `xhigh`, `max` or
    /// `ultra`. Which ones a model takes is its catalogue's say
    /// ([`ModelProfile::supported_efforts`](crate::ModelProfile::supported_efforts)).
    ReasoningEffort, "reasoning effort" {
        /// No reasoning.
        None => "none",
        /// As little reasoning as possible.
        Minimal => "minimal",
        /// Low effort.
        Low => "low",
        /// Medium effort.
        Medium => "medium",
        /// High effort.
        High => "high",
        /// Extra-high effort.
        Xhigh => "xhigh",
        /// Maximum effort.
        Max => "max",
        /// Maximum effort, delegating on its own.
        Ultra => "ultra",
    }
}

string_enum! {
    /// Where a provider puts the system prompt: its own `instructions` field, or
    /// `developer` messages at the head of the input (what the Codex CLI sends when
    /// signed in with ChatGPT).
    SystemPlacement, "system placement" {
        /// A top-level instructions field.
        Instructions => "instructions",
        /// Developer messages before the conversation.
        Developer => "developer",
    }
}

string_enum! {
    /// Reasoning summary mode: `auto`, `concise`, `detailed` or `none` (no summary).
    ReasoningSummary, "reasoning summary" {
        /// The provider picks the level of detail.
        Auto => "auto",
        /// Short summaries.
        Concise => "concise",
        /// Detailed summaries.
        Detailed => "detailed",
        /// No summary.
        None => "none",
    }
}

string_enum! {
    /// Answer verbosity: `low`, `medium` or `high`.
    Verbosity, "verbosity" {
        /// Terse answers.
        Low => "low",
        /// Medium-length answers.
        Medium => "medium",
        /// Long answers.
        High => "high",
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    #[test]
    fn parses_and_prints_lowercase_names() {
        assert_eq!(
            "XHigh".parse::<ReasoningEffort>().unwrap(),
            ReasoningEffort::Xhigh
        );
        assert_eq!(ReasoningSummary::Concise.to_string(), "concise");
        assert_eq!(" low ".parse::<Verbosity>().unwrap(), Verbosity::Low);
        let err = "huge".parse::<ReasoningEffort>().unwrap_err();
        assert_eq!(err.to_string(), "unknown reasoning effort `huge`");
    }

    #[test]
    fn merge_over_prefers_set_fields_and_merges_extra() {
        let defaults = ProviderOptions::default()
            .reasoning_effort(ReasoningEffort::Medium)
            .service_tier("flex")
            .extra("a", 1)
            .extra("b", 1);
        let turn = ProviderOptions::default()
            .verbosity(Verbosity::High)
            .service_tier("priority")
            .extra("b", 2);
        let merged = turn.merge_over(&defaults);
        let expected = ProviderOptions::default()
            .reasoning_effort(ReasoningEffort::Medium)
            .verbosity(Verbosity::High)
            .service_tier("priority")
            .extra("a", 1)
            .extra("b", 2);
        assert_eq!(merged, expected);
    }

    #[test]
    fn serializes_only_set_fields() {
        let options = ProviderOptions::default()
            .reasoning_summary(ReasoningSummary::Auto)
            .parallel_tool_calls(true);
        let value = serde_json::to_value(&options).unwrap();
        assert_eq!(
            value,
            json!({"reasoning_summary": "auto", "parallel_tool_calls": true})
        );
        assert_eq!(
            serde_json::from_value::<ProviderOptions>(value).unwrap(),
            options
        );
    }
}
