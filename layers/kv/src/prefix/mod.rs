//! Middleware that scopes a key-value store to the keys under one prefix.

mod layer;

pub use layer::PrefixLayer;

use std::{
    mem,
    task::{Context, Poll},
};

use tower::{Service, ServiceExt};

use crate::{KvError, KvRequest, KvResponse, ResponseFuture};

/// Middleware that scopes a key-value store to the keys under one prefix.
///
/// `Get`, `Set`, `Remove` and `Lock` get the prefix prepended; `Keys` lists only the
/// keys under the prefix, with the prefix stripped; `Clear` removes only those keys
/// (one `Remove` each, so it is not atomic). Prefixes are plain strings: include the
/// separator yourself (`"codex.auth/"`).
///
/// # Example
///
/// ```
/// use clanka_kv::{KeyValueStore, MemoryStore, PrefixLayer};
/// use tower::ServiceBuilder;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), clanka_kv::KvError> {
/// let memory = MemoryStore::new();
/// let auth = KeyValueStore::new(
///     ServiceBuilder::new()
///         .layer(PrefixLayer::new("codex.auth/"))
///         .service(memory.clone()),
/// );
/// auth.set("tokens", "{}").await?;
/// assert_eq!(KeyValueStore::new(memory).keys().await?, ["codex.auth/tokens"]);
/// assert_eq!(auth.keys().await?, ["tokens"]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Prefix<S> {
    inner: S,
    prefix: String,
}

impl<S> Prefix<S> {
    /// Scopes `inner` to the keys starting with `prefix`.
    pub fn new(inner: S, prefix: impl Into<String>) -> Self {
        Self {
            inner,
            prefix: prefix.into(),
        }
    }

    /// Returns a [`PrefixLayer`] that wraps services with this middleware.
    pub fn layer(prefix: impl Into<String>) -> PrefixLayer {
        PrefixLayer::new(prefix)
    }

    /// The prefix prepended to keys.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Gets a reference to the inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Gets a mutable reference to the inner service.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Consumes `self`, returning the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn scoped(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

impl<S> Service<KvRequest> for Prefix<S>
where
    S: Service<KvRequest, Response = KvResponse, Error = KvError> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = KvResponse;
    type Error = KvError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), KvError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: KvRequest) -> ResponseFuture {
        let request = match request {
            KvRequest::Get { key } => KvRequest::Get {
                key: self.scoped(&key),
            },
            KvRequest::Set { key, value } => KvRequest::Set {
                key: self.scoped(&key),
                value,
            },
            KvRequest::SetFenced { key, value, fence } => KvRequest::SetFenced {
                key: self.scoped(&key),
                value,
                fence,
            },
            KvRequest::SetMany { entries } => KvRequest::SetMany {
                entries: entries
                    .into_iter()
                    .map(|(key, value)| (self.scoped(&key), value))
                    .collect(),
            },
            KvRequest::Remove { key } => KvRequest::Remove {
                key: self.scoped(&key),
            },
            KvRequest::Lock { name } => KvRequest::Lock {
                name: self.scoped(&name),
            },
            KvRequest::Keys => {
                let keys = self.inner.call(KvRequest::Keys);
                let prefix = self.prefix.clone();
                return ResponseFuture::new(async move {
                    let keys = expect_keys(keys.await?)?;
                    Ok(KvResponse::Keys(strip(&prefix, keys)))
                });
            }
            KvRequest::Clear => {
                // The readied service answers `Keys`; a clone does the removals.
                let clone = self.inner.clone();
                let inner = mem::replace(&mut self.inner, clone);
                return ResponseFuture::new(clear(inner, self.prefix.clone()));
            }
        };
        ResponseFuture::new(self.inner.call(request))
    }
}

async fn clear<S>(mut inner: S, prefix: String) -> Result<KvResponse, KvError>
where
    S: Service<KvRequest, Response = KvResponse, Error = KvError>,
{
    let keys = expect_keys(inner.call(KvRequest::Keys).await?)?;
    for key in keys.into_iter().filter(|key| key.starts_with(&prefix)) {
        inner.ready().await?.call(KvRequest::Remove { key }).await?;
    }
    Ok(KvResponse::Done)
}

fn expect_keys(response: KvResponse) -> Result<Vec<String>, KvError> {
    match response {
        KvResponse::Keys(keys) => Ok(keys),
        _ => Err(KvError::UnexpectedResponse { request: "keys" }),
    }
}

fn strip(prefix: &str, keys: Vec<String>) -> Vec<String> {
    keys.into_iter()
        .filter_map(|key| key.strip_prefix(prefix).map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use tower::{ServiceBuilder, ServiceExt};

    use super::*;
    use crate::{KeyValueStore, MemoryStore};

    async fn keys<S>(service: S) -> Vec<String>
    where
        S: Service<KvRequest, Response = KvResponse, Error = KvError>,
    {
        expect_keys(service.oneshot(KvRequest::Keys).await.unwrap()).unwrap()
    }

    #[tokio::test]
    async fn scopes_every_request() {
        let memory = MemoryStore::new();
        let outer = KeyValueStore::new(memory.clone());
        outer.set("other", "1").await.unwrap();
        outer.set("p/", "root").await.unwrap();
        let scoped = ServiceBuilder::new()
            .layer(PrefixLayer::new("p/"))
            .service(memory.clone());
        let set = KvRequest::Set {
            key: "a".into(),
            value: b"2".to_vec(),
        };
        scoped.clone().oneshot(set).await.unwrap();
        assert_eq!(outer.get_string("p/a").await.unwrap().as_deref(), Some("2"));
        assert_eq!(keys(scoped.clone()).await, ["", "a"]);

        let guard = scoped.clone().oneshot(KvRequest::Lock { name: "l".into() });
        let KvResponse::Locked(guard) = guard.await.unwrap() else {
            panic!("no lock guard")
        };
        assert_eq!(guard.name(), "p/l");

        scoped.clone().oneshot(KvRequest::Clear).await.unwrap();
        assert_eq!(keys(scoped).await, Vec::<String>::new());
        assert_eq!(outer.keys().await.unwrap(), ["other"]);
    }

    #[tokio::test]
    async fn nested_prefixes_compose() {
        let memory = MemoryStore::new();
        let inner = Prefix::new(Prefix::new(memory.clone(), "a/"), "b/");
        assert_eq!(inner.prefix(), "b/");
        let set = KvRequest::Set {
            key: "k".into(),
            value: Vec::new(),
        };
        inner.clone().oneshot(set).await.unwrap();
        assert_eq!(keys(memory).await, ["a/b/k"]);
        assert_eq!(keys(inner.into_inner()).await, ["b/k"]);
    }
}
