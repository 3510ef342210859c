//! A string that never shows itself in `Debug` or `Display`.

use std::fmt;
use std::sync::Arc;

/// A secret string (access token, refresh token, API key) whose `Debug` and `Display`
/// print `<redacted>`.
///
/// The value is reachable only through [`Secret::expose`], so it cannot slip into a
/// log line, an error message or a tracing field by formatting.
///
/// # Example
///
/// ```
/// use clanka_codex::Secret;
///
/// let key = Secret::new("sk-live-123");
/// assert_eq!(format!("{key} {key:?}"), "<redacted> Secret(<redacted>)");
/// assert_eq!(key.expose(), "sk-live-123");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Arc::from(value.into()))
    }

    /// The secret value itself; never format or log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_redacts() {
        let secret = Secret::new("hunter2");
        let shown = format!("{secret} {secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(secret.expose(), "hunter2");
    }
}
