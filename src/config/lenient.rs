//! Settings written as text or as values of their own type: environment variables
//! carry text only (`CLANKA_AGENT__COMPACT_AT=2000`, `CLANKA_SANDBOX__NETWORK=true`),
//! a file may write `2000` or `"2000"`. Text is parsed by the type's own `FromStr`,
//! whose error says what is allowed; empty text means unset (or the default).

use std::fmt::Display;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// A value of its own type, or text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Written<T> {
    Value(T),
    Text(String),
}

/// `text`, trimmed, parsed; `None` when empty.
fn parse<T, E>(text: &str, what: &str) -> Result<Option<T>, E>
where
    T: FromStr,
    T::Err: Display,
    E: serde::de::Error,
{
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|error: T::Err| {
        let error = error.to_string();
        if error.contains(text) {
            E::custom(error)
        } else {
            E::custom(format!("`{text}` is not {what} ({error})"))
        }
    })
}

/// An optional value of type `T` (described as `what` when text does not parse).
fn optional<'de, D, T>(deserializer: D, what: &str) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + FromStr,
    T::Err: Display,
{
    match Option::<Written<T>>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Written::Value(value)) => Ok(Some(value)),
        Some(Written::Text(text)) => parse(&text, what),
    }
}

/// An optional number (`u64` tokens, `f64` seconds).
pub(super) fn number<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + FromStr,
    T::Err: Display,
{
    optional(deserializer, "a number")
}

/// An optional boolean: `true` or `false`, as text also `1`/`0` or `yes`/`no`;
/// unset or empty leaves the default.
pub(super) fn switch<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    match Option::<Written<bool>>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Written::Value(value)) => Ok(Some(value)),
        Some(Written::Text(text)) => match text.trim() {
            "true" | "1" | "yes" => Ok(Some(true)),
            "false" | "0" | "no" => Ok(Some(false)),
            "" => Ok(None),
            other => Err(D::Error::custom(format!(
                "`{other}` is not a boolean (true or false)"
            ))),
        },
    }
}

/// A name of a closed set (`SandboxMode`, `ApprovalPolicy`), by its `FromStr`;
/// empty means the default.
pub(super) fn name<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr + Default,
    T::Err: Display,
{
    let text = String::deserialize(deserializer)?;
    Ok(parse(&text, "a known name")?.unwrap_or_default())
}

/// A boolean, written as [`switch`] reads it; empty is `false`.
pub(super) fn boolean<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(switch(deserializer)?.unwrap_or(false))
}
