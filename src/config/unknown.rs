//! Keys of the config file that no setting reads (a typo, a key of another
//! version), found by walking the file against the settings' own shape.

use std::path::Path;

use figment::providers::{Format, Toml};
use figment::value::{Dict, Value};
use figment::{Profile, Provider};

use super::{Config, ConfigError};

/// Tables whose keys are names the user chooses.
const FREE_TABLES: &[&str] = &["mcp_servers", "env.set"];

/// The dotted keys of `path` that [`Config`] does not have.
pub(super) fn unknown_keys(path: &Path) -> Result<Vec<String>, ConfigError> {
    let data = Toml::file_exact(path)
        .data()
        .map_err(|e| ConfigError::Invalid(Box::new(e)))?;
    let Some(file) = data.get(&Profile::Default) else {
        return Ok(Vec::new());
    };
    let known = serde_json::to_value(Config::defaults()).unwrap_or_default();
    let mut unknown = Vec::new();
    walk(file, &known, "", &mut unknown);
    Ok(unknown)
}

fn walk(file: &Dict, known: &serde_json::Value, prefix: &str, unknown: &mut Vec<String>) {
    for (key, value) in file {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let Some(shape) = known.get(key) else {
            unknown.push(path);
            continue;
        };
        if FREE_TABLES.contains(&path.as_str()) {
            continue;
        }
        if let (Value::Dict(_, inner), serde_json::Value::Object(_)) = (value, shape) {
            walk(inner, shape, &path, unknown);
        }
    }
}
