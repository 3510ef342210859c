//! Finalizers registered while building, released in reverse order.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::future::BoxFuture;

type Finalizer = Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send>;

#[derive(Default)]
struct State {
    finalizers: Vec<(String, Finalizer)>,
    closed: bool,
}

/// The lifetime of the services built by one [`Layer::build`](super::Layer::build).
///
/// Recipes register finalizers on it (close a connection, flush a file); they run
/// in reverse order of registration when the scope closes: when the
/// [`Runtime`](super::Runtime) is shut down or dropped, or when a build fails part way.
///
/// # Example
///
/// ```
/// use clanka::runtime::Scope;
/// use std::sync::{Arc, Mutex};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let log = Arc::new(Mutex::new(Vec::new()));
/// let scope = Scope::new();
/// for name in ["first", "second"] {
///     let log = log.clone();
///     scope.on_close(name, move || log.lock().unwrap().push(name));
/// }
/// scope.close().await;
/// assert_eq!(*log.lock().unwrap(), ["second", "first"]);
/// # });
/// ```
#[derive(Clone, Default)]
pub struct Scope {
    state: Arc<Mutex<State>>,
}

impl Scope {
    /// A new, open scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers an async finalizer, labelled for tracing.
    ///
    /// On a scope that is already closed the finalizer runs at once, detached.
    pub fn add_finalizer<F, Fut>(&self, label: impl Into<String>, finalizer: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let boxed: Finalizer = Box::new(move || Box::pin(finalizer()));
        let label = label.into();
        let mut state = self.lock();
        if state.closed {
            drop(state);
            run_detached(vec![(label, boxed)]);
        } else {
            state.finalizers.push((label, boxed));
        }
    }

    /// Registers a synchronous finalizer.
    pub fn on_close<F>(&self, label: impl Into<String>, finalizer: F)
    where
        F: FnOnce() + Send + 'static,
    {
        self.add_finalizer(label, move || async move { finalizer() });
    }

    /// Runs every finalizer, last registered first, and marks the scope closed.
    pub async fn close(&self) {
        for (label, finalizer) in self.take() {
            tracing::debug!(finalizer = %label, "releasing");
            finalizer().await;
        }
    }

    /// Whether the scope has been closed.
    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Closes the scope without waiting: on a tokio runtime the finalizers run in a
    /// spawned task; elsewhere on a small runtime of their own, before this returns.
    pub(crate) fn close_detached(&self) {
        let finalizers = self.take();
        if !finalizers.is_empty() {
            run_detached(finalizers);
        }
    }

    fn take(&self) -> Vec<(String, Finalizer)> {
        let mut state = self.lock();
        state.closed = true;
        let mut finalizers = std::mem::take(&mut state.finalizers);
        finalizers.reverse();
        finalizers
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A finalizer never runs under the lock, so a poisoned lock still holds
        // consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn run_detached(finalizers: Vec<(String, Finalizer)>) {
    let all = async move {
        for (label, finalizer) in finalizers {
            tracing::debug!(finalizer = %label, "releasing");
            finalizer().await;
        }
    };
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn(all);
        return;
    }
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(all),
        Err(error) => tracing::error!(%error, "could not start a runtime to release resources"),
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Scope")
            .field(
                "finalizers",
                &state.finalizers.iter().map(|(l, _)| l).collect::<Vec<_>>(),
            )
            .field("closed", &state.closed)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorder() -> (Arc<Mutex<Vec<&'static str>>>, Scope) {
        (Arc::new(Mutex::new(Vec::new())), Scope::new())
    }

    #[tokio::test]
    async fn close_runs_finalizers_in_reverse_once() {
        let (log, scope) = recorder();
        for name in ["a", "b", "c"] {
            let log = log.clone();
            scope.add_finalizer(name, move || async move { log.lock().unwrap().push(name) });
        }
        scope.close().await;
        scope.close().await;
        assert_eq!(*log.lock().unwrap(), ["c", "b", "a"]);
        assert!(scope.is_closed());
    }

    #[test]
    fn detached_close_without_a_runtime_runs_before_returning() {
        let (log, scope) = recorder();
        for name in ["a", "b"] {
            let log = log.clone();
            scope.on_close(name, move || log.lock().unwrap().push(name));
        }
        scope.close_detached();
        assert_eq!(*log.lock().unwrap(), ["b", "a"]);
    }

    #[tokio::test]
    async fn finalizer_added_after_close_still_runs() {
        let (log, scope) = recorder();
        scope.close().await;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let inner = log.clone();
        scope.on_close("late", move || {
            inner.lock().unwrap().push("late");
            let _ = tx.send(());
        });
        rx.await.unwrap();
        assert_eq!(*log.lock().unwrap(), ["late"]);
    }
}
