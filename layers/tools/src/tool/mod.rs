//! The tool contract: a [`ToolService`] is what the model sees (a [`Tool`] definition,
//! which may depend on the model) and a tower service that runs a call.

mod context;
mod error;
mod typed;

use std::fmt;
use std::sync::Arc;

use clanka_model::{ModelProfile, Tool, ToolCall};
use futures_util::future::BoxFuture;
use tower::util::BoxCloneSyncService;
use tower::{Service, ServiceExt as _};

pub use context::{RunState, ToolContext};
pub use error::{MAX_OUTPUT_BYTES, ToolError, invalid, parse_args};
pub(crate) use error::{blocking, relative};
pub use typed::schema_of;

/// One call of a tool: what the model sent, and where it runs.
#[derive(Debug, Clone)]
pub struct ToolRequest {
    /// The call: its id, the tool's name, and the arguments (JSON text, or the raw
    /// input of a freeform call).
    pub call: ToolCall,
    /// The run the call belongs to.
    pub context: ToolContext,
}

/// What a tool gives back to the model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolOutput {
    /// The text the model reads.
    pub text: String,
    /// Images (`data:` URLs) the model sees after the text.
    pub images: Vec<String>,
    /// Whether the tool failed (the text says how).
    pub is_error: bool,
    /// What people are shown instead of `text`, when it differs (e.g. a command's
    /// output without the header the model reads).
    pub display: Option<String>,
}

impl ToolOutput {
    /// A successful text output.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    /// A failed output: the model reads `text` as the error.
    pub fn error(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            is_error: true,
            ..Self::default()
        }
    }

    /// This output showing `display` to people instead of the text.
    #[must_use]
    pub fn with_display(mut self, display: impl Into<String>) -> Self {
        self.display = Some(display.into());
        self
    }

    /// What people are shown.
    pub fn shown(&self) -> &str {
        self.display.as_deref().unwrap_or(&self.text)
    }

    /// This output with an image (a `data:` URL) after the text.
    pub fn with_image(mut self, url: impl Into<String>) -> Self {
        self.images.push(url.into());
        self
    }
}

impl From<String> for ToolOutput {
    fn from(text: String) -> Self {
        Self::text(text)
    }
}

impl From<&str> for ToolOutput {
    fn from(text: &str) -> Self {
        Self::text(text)
    }
}

type Erased = BoxCloneSyncService<ToolRequest, ToolOutput, ToolError>;
type SpecFn = Arc<dyn Fn(Option<&ModelProfile>) -> Option<Tool> + Send + Sync>;
type DescribeFn = Arc<dyn Fn(&ToolCall) -> String + Send + Sync>;

/// A tool: a name, the definition the model sees, and a tower service that runs calls.
///
/// The definition is asked per model (`spec`), so one tool can offer the form a model
/// was trained on (a freeform `apply_patch` or a JSON one) or stay away from a model
/// that cannot use it (`view_image` without image input). Cheap to clone.
///
/// # Example
///
/// ```
/// use clanka_tools::{ToolError, ToolService};
/// use schemars::JsonSchema;
/// use serde::Deserialize;
///
/// /// The arguments of `weather`.
/// #[derive(Deserialize, JsonSchema)]
/// struct Args {
///     /// A city name.
///     city: String,
/// }
///
/// let weather = ToolService::typed("weather", "Today's weather in a city.", |args: Args, _ctx| async move {
///     Ok::<_, ToolError>(format!("Sunny in {}", args.city))
/// });
/// let tool = weather.spec(None).unwrap();
/// assert_eq!(tool.parameters["properties"]["city"]["type"], "string");
/// ```
#[derive(Clone)]
pub struct ToolService {
    name: Arc<str>,
    spec: SpecFn,
    serial: bool,
    describe: DescribeFn,
    service: Erased,
}

impl ToolService {
    /// A tool called `definition.name`, run by `service`.
    pub fn new<S>(definition: Tool, service: S) -> Self
    where
        S: Service<ToolRequest, Response = ToolOutput, Error = ToolError>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        let name: Arc<str> = Arc::from(definition.name.as_str());
        Self {
            name,
            spec: Arc::new(move |_| Some(definition.clone())),
            serial: false,
            describe: Arc::new(describe_first_string),
            service: BoxCloneSyncService::new(service),
        }
    }

    /// A tool run by an async function of the request.
    pub fn from_fn<F, Fut>(definition: Tool, run: F) -> Self
    where
        F: Fn(ToolRequest) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<ToolOutput, ToolError>> + Send + 'static,
    {
        Self::new(definition, tower::service_fn(run))
    }

    /// Sets the definition per model: `spec(None)` is asked for models without a
    /// catalogue entry; returning `None` leaves the tool out for that model.
    #[must_use]
    pub fn with_spec(
        mut self,
        spec: impl Fn(Option<&ModelProfile>) -> Option<Tool> + Send + Sync + 'static,
    ) -> Self {
        self.spec = Arc::new(spec);
        self
    }

    /// Marks the tool as changing the workspace: its calls run one after another, in
    /// the order the model made them, while other tools run concurrently.
    #[must_use]
    pub fn serial(mut self, serial: bool) -> Self {
        self.serial = serial;
        self
    }

    /// Sets the one-line summary of a call shown to people (default: the first string
    /// argument).
    #[must_use]
    pub fn with_describe(
        mut self,
        describe: impl Fn(&ToolCall) -> String + Send + Sync + 'static,
    ) -> Self {
        self.describe = Arc::new(describe);
        self
    }

    /// The name calls use.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The definition offered to `model`, or `None` when the tool is left out for it.
    pub fn spec(&self, model: Option<&ModelProfile>) -> Option<Tool> {
        (self.spec)(model)
    }

    /// Whether calls run one after another (see [`serial`](Self::serial)).
    pub fn is_serial(&self) -> bool {
        self.serial
    }

    /// A one-line summary of `call` for people.
    pub fn describe(&self, call: &ToolCall) -> String {
        (self.describe)(call)
    }

    /// Runs one call.
    pub fn call(&self, request: ToolRequest) -> BoxFuture<'static, Result<ToolOutput, ToolError>> {
        Box::pin(self.service.clone().oneshot(request))
    }
}

/// The first string value among the call's JSON arguments, or its freeform input.
fn describe_first_string(call: &ToolCall) -> String {
    let summary = match serde_json::from_str::<serde_json::Value>(&call.arguments) {
        Ok(serde_json::Value::Object(fields)) => fields
            .values()
            .find_map(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        _ => call.arguments.clone(),
    };
    crate::text::first_line(&summary, 80)
}

impl fmt::Debug for ToolService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolService")
            .field("name", &self.name)
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}
