use tower::Layer;

use super::Prefix;

/// Layer that applies [`Prefix`], scoping a store to the keys under one prefix.
///
/// See the [`Prefix`] docs for what each request becomes.
#[derive(Debug, Clone)]
pub struct PrefixLayer {
    prefix: String,
}

impl PrefixLayer {
    /// Creates a layer that scopes stores to `prefix` (for example `"codex.auth/"`).
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }
}

impl<S> Layer<S> for PrefixLayer {
    type Service = Prefix<S>;

    fn layer(&self, inner: S) -> Prefix<S> {
        Prefix::new(inner, self.prefix.clone())
    }
}
