//! The built-in tool set, and which of its forms a model gets.

use clanka_model::{Grammar, ModelProfile, PatchTool, ShellTool, Tool, ToolCallKind};
use serde::Deserialize;
use serde_json::json;

use crate::fs::{grep, list_files, read_file, write_file};
use crate::{
    ToolError, ToolOutput, ToolRequest, ToolService, exec, image, parse_args, patch, plan,
};

/// The grammar of a freeform `apply_patch`, as the official client declares it.
const PATCH_GRAMMAR: &str = include_str!("patch/apply_patch.lark");

/// Every built-in tool, in the order they are offered.
pub(crate) fn tools() -> Vec<ToolService> {
    vec![
        exec::exec_command(),
        exec::write_stdin(),
        exec::shell(),
        exec::shell_command(),
        apply_patch(),
        plan::update_plan(),
        image::view_image(),
        file_tool(read_file::definition(), false, |r| {
            Box::pin(async move { read_file::run(r.context.workspace(), &r.call.arguments).await })
        }),
        file_tool(list_files::definition(), false, |r| {
            Box::pin(async move { list_files::run(r.context.workspace(), &r.call.arguments).await })
        }),
        file_tool(grep::definition(), false, |r| {
            Box::pin(async move { grep::run(r.context.workspace(), &r.call.arguments).await })
        }),
        file_tool(write_file::definition(), true, |r| {
            Box::pin(async move { write_file::run(&r.context, &r.call.arguments).await })
        }),
    ]
}

/// Whether `model` gets `exec_command` and `write_stdin` (every current Codex model,
/// and models without a catalogue entry).
pub(crate) fn offers_unified_exec(model: Option<&ModelProfile>) -> bool {
    model.is_none_or(|m| m.shell == ShellTool::UnifiedExec)
}

/// Whether `model`'s catalogue entry names the one-shot shell tool `kind`.
pub(crate) fn offers_shell(model: Option<&ModelProfile>, kind: ShellTool) -> bool {
    model.is_some_and(|m| m.shell == kind)
}

type Run = fn(ToolRequest) -> futures_util::future::BoxFuture<'static, Result<String, ToolError>>;

fn file_tool(definition: Tool, serial: bool, run: Run) -> ToolService {
    ToolService::from_fn(definition, move |request: ToolRequest| async move {
        run(request).await.map(ToolOutput::text)
    })
    .serial(serial)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatchArgs {
    input: String,
}

const PATCH_DESCRIPTION: &str = "Use the `apply_patch` tool to edit files. This is a FREEFORM tool, so do not wrap the patch in JSON.";

/// `apply_patch`: a freeform tool taking the raw patch for models trained on it, a
/// function taking `{"input": patch}` otherwise. Applied all or nothing.
fn apply_patch() -> ToolService {
    let function = Tool::new(
        "apply_patch",
        "Edits files with a patch, applied all or nothing:\n\
         *** Begin Patch\n*** Add File: path\n+new line\n*** Update File: path\n*** Move to: new/path (optional)\n\
         @@ optional context line, e.g. a function signature\n context line\n-removed line\n+added line\n\
         *** Delete File: path\n*** End Patch\n\
         Each hunk needs about 3 lines of unchanged context around a change. Paths are relative to the working directory.",
        json!({
            "type": "object",
            "properties": {"input": {"type": "string", "description": "The whole patch, from *** Begin Patch to *** End Patch."}},
            "required": ["input"],
            "additionalProperties": false
        }),
    );
    let freeform = Tool::freeform(
        "apply_patch",
        PATCH_DESCRIPTION,
        Grammar {
            syntax: "lark".into(),
            definition: PATCH_GRAMMAR.into(),
        },
    );
    ToolService::from_fn(function.clone(), |request: ToolRequest| async move {
        let text = match request.call.kind {
            ToolCallKind::Freeform => request.call.arguments,
            ToolCallKind::Function => parse_args::<PatchArgs>(&request.call.arguments)?.input,
        };
        // Parsed once: the approver is asked about exactly the paths applied.
        let parsed = patch::parse_patch(&text).map_err(ToolError::from)?;
        request
            .context
            .permit_write("apply_patch", parsed.paths())
            .await?;
        let workspace = request.context.workspace().clone();
        let began = std::time::Instant::now();
        let summary = crate::tool::blocking(move |_| {
            patch::apply(&workspace, parsed).map_err(ToolError::from)
        })
        .await?;
        Ok(ToolOutput::text(format!(
            "Exit code: 0\nWall time: {:.1} seconds\nOutput:\n{summary}\n",
            began.elapsed().as_secs_f64()
        ))
        .with_display(summary.to_string()))
    })
    .serial(true)
    .with_spec(move |model| {
        Some(match model.and_then(|m| m.apply_patch) {
            Some(PatchTool::Freeform) => freeform.clone(),
            _ => function.clone(),
        })
    })
    .with_describe(|call| {
        let patch = match call.kind {
            ToolCallKind::Freeform => call.arguments.clone(),
            ToolCallKind::Function => parse_args::<PatchArgs>(&call.arguments)
                .map(|a| a.input)
                .unwrap_or_default(),
        };
        patch::touched_files(&patch)
    })
}
