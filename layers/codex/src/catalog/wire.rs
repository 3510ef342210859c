//! The entries of `GET {base}/models`, read leniently: every field but `slug` may be
//! missing, unknown fields and values are skipped, so a catalogue from a newer
//! backend still loads.

use clanka_model::{
    ModelProfile, PatchTool, ReasoningEffort, ShellTool, TruncationMode, TruncationPolicy,
};
use serde::Deserialize;
use serde_json::Value;

/// One catalogue entry as the backend sends it.
#[derive(Debug, Deserialize)]
pub(super) struct WireModel {
    slug: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    priority: Option<i64>,
    #[serde(default)]
    context_window: Option<u64>,
    #[serde(default)]
    max_context_window: Option<u64>,
    #[serde(default)]
    effective_context_window_percent: Option<u64>,
    #[serde(default)]
    default_reasoning_level: Option<String>,
    #[serde(default)]
    supported_reasoning_levels: Vec<Value>,
    #[serde(default)]
    shell_type: Option<String>,
    #[serde(default)]
    apply_patch_tool_type: Option<String>,
    #[serde(default)]
    truncation_policy: Option<WireTruncation>,
    #[serde(default)]
    input_modalities: Option<Vec<String>>,
    #[serde(default)]
    supports_parallel_tool_calls: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct WireTruncation {
    mode: String,
    limit: u64,
}

/// The usable share of the window when the entry does not say (the official default).
const DEFAULT_PERCENT: u64 = 95;

impl WireModel {
    pub(super) fn into_profile(self) -> ModelProfile {
        let mut profile = ModelProfile::new(self.slug);
        if let Some(name) = self.display_name {
            profile.display_name = name;
        }
        let window = self.context_window.or(self.max_context_window);
        if let Some(window) = window {
            let percent = self
                .effective_context_window_percent
                .unwrap_or(DEFAULT_PERCENT);
            profile = profile.with_context_window(window, percent);
        }
        profile.default_effort = self.default_reasoning_level.and_then(|e| e.parse().ok());
        profile.supported_efforts = self
            .supported_reasoning_levels
            .iter()
            .filter_map(|level| {
                level
                    .get("effort")?
                    .as_str()?
                    .parse::<ReasoningEffort>()
                    .ok()
            })
            .collect();
        if let Some(shell) = self.shell_type.as_deref() {
            profile.shell = match shell {
                "unified_exec" => ShellTool::UnifiedExec,
                "shell_command" => ShellTool::ShellCommand,
                "disabled" => ShellTool::Disabled,
                _ => ShellTool::Shell,
            };
        }
        profile.apply_patch = match self.apply_patch_tool_type.as_deref() {
            Some("freeform") => Some(PatchTool::Freeform),
            Some("function") => Some(PatchTool::Function),
            _ => None,
        };
        if let Some(policy) = self.truncation_policy {
            let mode = match policy.mode.as_str() {
                "bytes" => TruncationMode::Bytes,
                _ => TruncationMode::Tokens,
            };
            profile.truncation = TruncationPolicy {
                mode,
                limit: policy.limit,
            };
        }
        if let Some(modalities) = self.input_modalities {
            profile.images = modalities.iter().any(|m| m == "image");
        }
        profile.parallel_tool_calls = self.supports_parallel_tool_calls.unwrap_or(true);
        profile.listed = self.visibility.as_deref().is_none_or(|v| v == "list");
        profile.priority = self.priority.unwrap_or(i64::MAX);
        profile
    }
}

/// The profiles of a `{"models": [...]}` body; entries that do not decode are skipped
/// (with a warning), as one odd entry must not cost the whole catalogue.
pub(super) fn profiles(models: &[Value]) -> Vec<ModelProfile> {
    let mut profiles: Vec<ModelProfile> = models
        .iter()
        .filter_map(
            |entry| match serde_json::from_value::<WireModel>(entry.clone()) {
                Ok(model) => Some(model.into_profile()),
                Err(error) => {
                    tracing::warn!(%error, "skipping a model catalogue entry that does not decode");
                    None
                }
            },
        )
        .collect();
    profiles.sort_by_key(|profile| profile.priority);
    profiles
}
