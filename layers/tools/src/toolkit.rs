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
    sources: Arc<Vec<Arc<dyn ToolSource>>>,
}

/// Tools that come and go (an MCP server's): asked for their current list whenever
/// the toolkit is.
pub trait ToolSource: Send + Sync + std::fmt::Debug {
    /// The tools offered now.
    fn tools(&self) -> Vec<ToolService>;
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
            sources: self.sources,
        }
    }

    /// This toolkit with the tools of `source` (after its own; a tool of the toolkit
    /// wins over a source's of the same name).
    #[must_use]
    pub fn with_source(self, source: Arc<dyn ToolSource>) -> Self {
        let mut sources = Arc::unwrap_or_clone(self.sources);
        sources.push(source);
        Self {
            tools: self.tools,
            sources: Arc::new(sources),
        }
    }

    /// This toolkit without the tool called `name`.
    #[must_use]
    pub fn without(self, name: &str) -> Self {
        let mut tools = Arc::unwrap_or_clone(self.tools);
        tools.retain(|tool| tool.name() != name);
        Self {
            tools: Arc::new(tools),
            sources: self.sources,
        }
    }

    /// The tool called `name`.
    pub fn get(&self, name: &str) -> Option<ToolService> {
        self.tools
            .iter()
            .find(|tool| tool.name() == name)
            .cloned()
            .or_else(|| {
                self.sources
                    .iter()
                    .flat_map(|source| source.tools())
                    .find(|tool| tool.name() == name)
            })
    }

    /// Every tool, in order: the toolkit's own, then its sources' current ones.
    pub fn tools(&self) -> Vec<ToolService> {
        let mut tools: Vec<ToolService> = self.tools.to_vec();
        for tool in self.sources.iter().flat_map(|source| source.tools()) {
            if !tools.iter().any(|t| t.name() == tool.name()) {
                tools.push(tool);
            }
        }
        tools
    }

    /// The definitions offered to `model` (each tool decides whether and in which form).
    pub fn definitions(&self, model: Option<&ModelProfile>) -> Vec<Tool> {
        self.tools()
            .iter()
            .filter_map(|tool| tool.spec(model))
            .collect()
    }
}
