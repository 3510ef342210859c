//! `--output-schema FILE`: the final answer as one JSON object on stdout, valid
//! against the schema, as `codex exec --output-schema` prints it.

use std::path::Path;

use serde_json::Value;

/// A schema file, read and compiled.
pub(crate) struct OutputSchema {
    /// The schema, sent as the structured output format.
    pub(crate) schema: Value,
    validator: jsonschema::Validator,
}

impl OutputSchema {
    /// Reads and compiles `path`.
    pub(crate) fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the output schema {}: {e}", path.display()))?;
        let schema: Value = serde_json::from_str(&text)
            .map_err(|e| format!("the output schema {} is not JSON: {e}", path.display()))?;
        let validator = jsonschema::validator_for(&schema).map_err(|e| {
            format!(
                "the output schema {} is not a valid JSON schema: {e}",
                path.display()
            )
        })?;
        Ok(Self { schema, validator })
    }

    /// The JSON text to print for the run's `result`, or why there is none.
    pub(crate) fn output(&self, result: Option<&Value>, summary: &str) -> Result<String, String> {
        let Some(result) = result else {
            return Err(format!(
                "the model's final answer is not a JSON object: {}",
                summary.lines().next().unwrap_or("")
            ));
        };
        let problems: Vec<String> = self
            .validator
            .iter_errors(result)
            .map(|error| {
                let path = error.instance_path().to_string();
                let at = if path.is_empty() {
                    "(root)".to_owned()
                } else {
                    path
                };
                format!("{at}: {}", error.masked())
            })
            .collect();
        if problems.is_empty() {
            Ok(result.to_string())
        } else {
            Err(format!(
                "the model's final answer does not match the output schema: {}",
                problems.join("; ")
            ))
        }
    }
}
