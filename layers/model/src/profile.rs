//! What a model can take, and the tools it was trained on: its provider's catalogue
//! entry, in provider-neutral terms.

use serde::{Deserialize, Serialize};

use crate::ReasoningEffort;

/// One model of a provider's catalogue.
///
/// The agent reads it to size its context (compaction), cap tool output, pick the
/// shell and patch tools the model knows, and know whether it accepts images.
///
/// # Example
///
/// ```
/// use clanka_model::{ModelProfile, ReasoningEffort};
///
/// let profile = ModelProfile::new("gpt-5.5")
///     .with_context_window(272_000, 95)
///     .with_efforts(ReasoningEffort::Medium, [ReasoningEffort::Low, ReasoningEffort::Medium]);
/// assert_eq!(profile.context_window, Some(258_400));
/// assert!(profile.supports(ReasoningEffort::Low));
/// assert!(!profile.supports(ReasoningEffort::Xhigh));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelProfile {
    /// The name requests use.
    pub slug: String,
    /// The name people read.
    pub display_name: String,
    /// Tokens a conversation may use: the window times the usable share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u64>,
    /// The effort used when a request names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_effort: Option<ReasoningEffort>,
    /// The efforts the model accepts (empty: unknown, anything goes).
    #[serde(default)]
    pub supported_efforts: Vec<ReasoningEffort>,
    /// How much of a tool's output to give back to the model.
    pub truncation: TruncationPolicy,
    /// Whether the model reads images.
    pub images: bool,
    /// The shell tool the model was trained on.
    pub shell: ShellTool,
    /// The patch tool the model was trained on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_patch: Option<PatchTool>,
    /// Whether the model may call several tools in one response.
    pub parallel_tool_calls: bool,
    /// Whether the provider lists the model for people to pick.
    pub listed: bool,
    /// Rank in the catalogue, lower first.
    pub priority: i64,
}

impl ModelProfile {
    /// A profile with the defaults of a current Codex model: 10,000-token tool output,
    /// images, `exec_command` and a freeform `apply_patch`, parallel calls, listed.
    pub fn new(slug: impl Into<String>) -> Self {
        let slug = slug.into();
        Self {
            display_name: slug.clone(),
            slug,
            context_window: None,
            default_effort: None,
            supported_efforts: Vec::new(),
            truncation: TruncationPolicy::tokens(10_000),
            images: true,
            shell: ShellTool::UnifiedExec,
            apply_patch: Some(PatchTool::Freeform),
            parallel_tool_calls: true,
            listed: true,
            priority: 0,
        }
    }

    /// Sets [`context_window`](Self::context_window) to `window × percent / 100`.
    pub fn with_context_window(mut self, window: u64, percent: u64) -> Self {
        self.context_window = Some(window.saturating_mul(percent) / 100);
        self
    }

    /// Sets the default and supported efforts.
    pub fn with_efforts(
        mut self,
        default: ReasoningEffort,
        supported: impl IntoIterator<Item = ReasoningEffort>,
    ) -> Self {
        self.default_effort = Some(default);
        self.supported_efforts = supported.into_iter().collect();
        self
    }

    /// Whether requests may ask for `effort` (always, when the efforts are unknown).
    pub fn supports(&self, effort: ReasoningEffort) -> bool {
        self.supported_efforts.is_empty() || self.supported_efforts.contains(&effort)
    }
}

/// How much of a tool's output a model is given: the head and tail are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruncationPolicy {
    /// What `limit` counts.
    pub mode: TruncationMode,
    /// The most kept.
    pub limit: u64,
}

impl TruncationPolicy {
    /// At most `limit` tokens (estimated as 4 bytes each).
    pub fn tokens(limit: u64) -> Self {
        Self {
            mode: TruncationMode::Tokens,
            limit,
        }
    }

    /// The limit in bytes.
    pub fn bytes(&self) -> u64 {
        match self.mode {
            TruncationMode::Tokens => self.limit.saturating_mul(4),
            TruncationMode::Bytes => self.limit,
        }
    }
}

/// What a [`TruncationPolicy`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TruncationMode {
    /// Tokens, estimated as 4 bytes each.
    Tokens,
    /// Bytes.
    Bytes,
}

/// The shell tool a model was trained on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShellTool {
    /// `exec_command` (a command line, kept running past its first output) and
    /// `write_stdin`.
    UnifiedExec,
    /// `shell` with an argument vector.
    Shell,
    /// `shell_command` with a command line.
    ShellCommand,
    /// No shell.
    Disabled,
}

/// How a model sends patches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatchTool {
    /// A custom tool whose input is the raw patch, following a grammar.
    Freeform,
    /// A function tool with the patch in a JSON string.
    Function,
}
