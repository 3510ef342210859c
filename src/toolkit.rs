//! Recipes for the agent's tools: the built-in set, and tools added or removed like
//! any other layer of the graph.
//!
//! # Example
//!
//! ```
//! use clanka::runtime::Layer;
//! use clanka::toolkit;
//! use clanka_tools::{ToolError, ToolService, Toolkit};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let hello = ToolService::typed("hello", "Says hello.", |_: serde_json::Value, _ctx| async {
//!     Ok::<_, ToolError>("hello")
//! });
//! let tools = toolkit::with(hello)
//!     .provide(&toolkit::without("write_file").provide(&toolkit::layer_codex()));
//! let runtime = tools.build().await.unwrap();
//! let toolkit: Toolkit = runtime.get().unwrap();
//! assert!(toolkit.get("hello").is_some() && toolkit.get("write_file").is_none());
//! # });
//! ```

pub use clanka_tools::*;

use crate::runtime::{Context, Layer, ServiceId};

/// A recipe providing the built-in [`Toolkit::codex`].
pub fn layer_codex() -> Layer {
    layer(Toolkit::codex())
}

/// A recipe providing `toolkit`.
pub fn layer(toolkit: Toolkit) -> Layer {
    Layer::succeed(toolkit)
}

/// A recipe that adds `tool` to the [`Toolkit`] it is provided with (replacing a tool
/// of the same name).
pub fn with(tool: ToolService) -> Layer {
    change("toolkit::with", move |toolkit| toolkit.with(tool.clone()))
}

/// A recipe that removes the tool called `name` from the [`Toolkit`] it is provided with.
pub fn without(name: impl Into<String>) -> Layer {
    let name = name.into();
    change("toolkit::without", move |toolkit| toolkit.without(&name))
}

fn change(
    label: &'static str,
    change: impl Fn(Toolkit) -> Toolkit + Send + Sync + 'static,
) -> Layer {
    let id = vec![ServiceId::of::<Toolkit>()];
    let change = std::sync::Arc::new(change);
    Layer::from_context(label, id.clone(), id, move |ctx, _| {
        let change = change.clone();
        async move {
            let toolkit: Toolkit = ctx.get()?;
            Ok(Context::empty().add(change(toolkit)))
        }
    })
}
