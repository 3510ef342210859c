//! Keys of the config file that no setting reads (a typo, a key of another
//! version), found by walking the file against the settings' own shape.

use std::path::Path;

use figment::providers::{Format, Toml};
use figment::value::{Dict, Value};
use figment::{Profile, Provider};

use super::Config;

/// Tables whose keys are names the user chooses.
const FREE_TABLES: &[&str] = &["mcp_servers", "env.set"];

/// The dotted keys of `path` that [`Config`] does not have.
pub(super) fn unknown_keys(path: &Path) -> Vec<String> {
    // A file that does not parse has no keys to name: loading it reports the error,
    // with the file's name.
    let Ok(data) = Toml::file_exact(path).data() else {
        return Vec::new();
    };
    let Some(file) = data.get(&Profile::Default) else {
        return Vec::new();
    };
    let known = serde_json::to_value(Config::defaults()).unwrap_or_default();
    let mut unknown = Vec::new();
    walk(file, &known, "", &mut unknown);
    unknown
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
