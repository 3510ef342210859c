//! [`Toolkit`]: the tools an agent offers, by name.

use std::sync::Arc;

use clanka_model::{ModelProfile, Tool};

use crate::ToolService;

/// The tools an agent offers, in order. Cheap to clone.
///
/// Start from [`Toolkit::codex`] (the built-in set) or [`Toolkit::new`], add or
/// replace tools with [`with`](Self::with), remove them with
/// [`without`](Self::without).
///
/// # Example
///
/// ```
/// use clanka_model::ModelProfile;
/// use clanka_tools::{ToolError, ToolService, Toolkit};
///
/// let hello = ToolService::typed("hello", "Says hello.", |_: serde_json::Value, _ctx| async {
///     Ok::<_, ToolError>("hello")
/// });
/// let toolkit = Toolkit::codex().with(hello).without("exec_command").without("write_stdin");
/// let names: Vec<String> = toolkit
///     .definitions(Some(&ModelProfile::new("gpt-5.5")))
///     .into_iter()
///     .map(|tool| tool.name)
///     .collect();
/// assert!(names.contains(&"hello".to_owned()) && names.contains(&"apply_patch".to_owned()));
/// assert!(!names.contains(&"exec_command".to_owned()));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Toolkit {
    tools: Arc<Vec<ToolService>>,
}

impl Toolkit {
    /// No tools.
    pub fn new() -> Self {
        Self::default()
    }

    /// The built-in set: the Codex tool surface (`exec_command` and `write_stdin`, or
    /// the `shell` / `shell_command` a model's catalogue entry names; `apply_patch`,
    /// freeform or JSON as the entry says; `view_image` for models that read images)
    /// and the bounded file tools (`read_file`, `list_files`, `grep`, `write_file`).
    pub fn codex() -> Self {
        crate::codex::tools()
            .into_iter()
            .fold(Self::new(), |toolkit, tool| toolkit.with(tool))
    }

    /// This toolkit with `tool`, replacing a tool of the same name.
    #[must_use]
    pub fn with(self, tool: ToolService) -> Self {
        let mut tools = Arc::unwrap_or_clone(self.tools);
        match tools.iter().position(|t| t.name() == tool.name()) {
            Some(index) => tools[index] = tool,
            None => tools.push(tool),
        }
        Self {
            tools: Arc::new(tools),
        }
    }

    /// This toolkit without the tool called `name`.
    #[must_use]
    pub fn without(self, name: &str) -> Self {
        let mut tools = Arc::unwrap_or_clone(self.tools);
        tools.retain(|tool| tool.name() != name);
        Self {
            tools: Arc::new(tools),
        }
    }

    /// The tool called `name`.
    pub fn get(&self, name: &str) -> Option<&ToolService> {
        self.tools.iter().find(|tool| tool.name() == name)
    }

    /// Every tool, in order.
    pub fn tools(&self) -> &[ToolService] {
        &self.tools
    }

    /// The definitions offered to `model` (each tool decides whether and in which form).
    pub fn definitions(&self, model: Option<&ModelProfile>) -> Vec<Tool> {
        self.tools
            .iter()
            .filter_map(|tool| tool.spec(model))
            .collect()
    }
}
