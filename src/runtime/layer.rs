//! Recipes that build services from other services, and their combinators.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::context::{Context, ServiceId};
use super::error::BoxError;
use super::scope::Scope;
use super::services::Services;

type BuildFn =
    Arc<dyn Fn(Context, Scope) -> BoxFuture<'static, Result<Context, BoxError>> + Send + Sync>;

pub(crate) struct Recipe {
    pub(crate) name: Cow<'static, str>,
    pub(crate) requires: Vec<ServiceId>,
    /// Services the recipe reads when the graph gives them (optional dependencies).
    pub(crate) reads: Vec<ServiceId>,
    pub(crate) provides: Vec<ServiceId>,
    pub(crate) build: BuildFn,
}

pub(crate) enum Node {
    Recipe(Recipe),
    Provide { outer: Layer, inner: Layer },
    ProvideMerge { outer: Layer, inner: Layer },
    Merge(Vec<Layer>),
    Fresh(Layer),
}

/// A recipe that builds services into a [`Context`]: Effect's `Layer`.
///
/// Not a tower `Layer` (a decorator of one service): a runtime `Layer` declares
/// which services it requires and provides, and builds the latter from the
/// former. Recipes compose with [`provide`](Layer::provide),
/// [`provide_merge`](Layer::provide_merge), [`merge`](Layer::merge) and
/// [`fresh`](Layer::fresh); [`build`](Layer::build) checks the whole graph first,
/// then builds each recipe value once.
///
/// A `Layer` is a cheap `Arc` handle. Its identity is the memoization key: clone
/// a recipe to share it, call the function that made it again (or `fresh()`) to
/// get a second instance.
///
/// # Example
///
/// ```
/// use clanka::runtime::Layer;
///
/// #[derive(Clone)]
/// struct Config { greeting: String }
/// #[derive(Clone)]
/// struct Greeter { line: String }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let config = Layer::succeed(Config { greeting: "hello".into() });
/// let greeter = Layer::effect("greeter", |(config,): (Config,)| async move {
///     Ok::<_, std::convert::Infallible>(Greeter { line: format!("{}, world", config.greeting) })
/// });
///
/// let runtime = greeter.provide(&config).build().await.unwrap();
/// assert_eq!(runtime.get::<Greeter>().unwrap().line, "hello, world");
/// runtime.shutdown().await;
/// # });
/// ```
#[derive(Clone)]
pub struct Layer {
    pub(crate) node: Arc<Node>,
}

impl Layer {
    /// A recipe that provides `value` as it is.
    pub fn succeed<T: Clone + Send + Sync + 'static>(value: T) -> Self {
        let name = std::any::type_name::<T>();
        Self::from_context(name, Vec::new(), vec![ServiceId::of::<T>()], move |_, _| {
            let value = value.clone();
            async move { Ok(Context::empty().add(value)) }
        })
    }

    /// A recipe that builds one service `T` from the services `R` with an async function.
    pub fn effect<R, T, F, Fut, E>(name: impl Into<Cow<'static, str>>, make: F) -> Self
    where
        R: Services,
        T: Clone + Send + Sync + 'static,
        F: Fn(R) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        Self::scoped(name, move |deps: R, _scope| make(deps))
    }

    /// Like [`Layer::effect`], with the build's [`Scope`] to register finalizers on.
    pub fn scoped<R, T, F, Fut, E>(name: impl Into<Cow<'static, str>>, make: F) -> Self
    where
        R: Services,
        T: Clone + Send + Sync + 'static,
        F: Fn(R, Scope) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        Self::from_context(
            name,
            R::ids(),
            vec![ServiceId::of::<T>()],
            move |ctx, scope| {
                let deps = R::from_context(&ctx);
                let made = deps.map(|deps| make(deps, scope));
                async move {
                    let value = made.map_err(BoxError::from)?.await.map_err(Into::into)?;
                    Ok(Context::empty().add(value))
                }
            },
        )
    }

    /// The general recipe: reads anything from the whole input context (which holds at
    /// least `requires`) and returns a context holding at least `provides`.
    ///
    /// Only the declared `provides` leave the recipe. Reading the whole context is how
    /// a recipe captures its parent's services (a sub-agent's model, for example).
    pub fn from_context<F, Fut>(
        name: impl Into<Cow<'static, str>>,
        requires: Vec<ServiceId>,
        provides: Vec<ServiceId>,
        build: F,
    ) -> Self
    where
        F: Fn(Context, Scope) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Context, BoxError>> + Send + 'static,
    {
        let build: BuildFn = Arc::new(move |ctx, scope| Box::pin(build(ctx, scope)));
        Self::from_node(Node::Recipe(Recipe {
            name: name.into(),
            requires,
            reads: Vec::new(),
            provides,
            build,
        }))
    }

    /// Declares the services this recipe reads when the graph gives them (its
    /// optional dependencies), so that [`check`](Self::check) reports one the graph
    /// provides out of its reach. Only for a recipe (a no-op on combinators).
    #[must_use]
    pub fn reads(self, services: Vec<ServiceId>) -> Self {
        match &*self.node {
            Node::Recipe(recipe) => Self::from_node(Node::Recipe(Recipe {
                name: recipe.name.clone(),
                requires: recipe.requires.clone(),
                reads: services,
                provides: recipe.provides.clone(),
                build: Arc::clone(&recipe.build),
            })),
            _ => self,
        }
    }

    /// Feeds the services of `dependency` into this recipe's requirements.
    ///
    /// The result provides only this recipe's services and requires what
    /// `dependency` requires plus whatever this recipe still lacks (Effect's
    /// `Layer.provide`).
    #[must_use]
    pub fn provide(&self, dependency: &Layer) -> Self {
        Self::from_node(Node::Provide {
            outer: self.clone(),
            inner: dependency.clone(),
        })
    }

    /// Like [`provide`](Layer::provide), but the result provides the services of
    /// both (Effect's `Layer.provideMerge`).
    #[must_use]
    pub fn provide_merge(&self, dependency: &Layer) -> Self {
        Self::from_node(Node::ProvideMerge {
            outer: self.clone(),
            inner: dependency.clone(),
        })
    }

    /// Builds both recipes from the same input; the result provides the services of both.
    #[must_use]
    pub fn merge(&self, other: &Layer) -> Self {
        Self::merge_all([self.clone(), other.clone()])
    }

    /// Builds every recipe from the same input; later recipes win on overlap.
    pub fn merge_all(layers: impl IntoIterator<Item = Layer>) -> Self {
        Self::from_node(Node::Merge(layers.into_iter().collect()))
    }

    /// A recipe that builds a new instance even where this one was already built in
    /// the same graph (Effect's `Layer.fresh`). The recipes inside it are not shared
    /// with the rest of the graph either.
    #[must_use]
    pub fn fresh(&self) -> Self {
        Self::from_node(Node::Fresh(self.clone()))
    }

    /// The services this recipe provides.
    pub fn provides(&self) -> Vec<ServiceId> {
        let mut out = Vec::new();
        self.collect_provides(&mut out);
        dedup(out)
    }

    /// The services this recipe needs from outside (its open requirements).
    pub fn requires(&self) -> Vec<ServiceId> {
        let mut open = Vec::new();
        self.collect_requires(&mut open);
        dedup(open)
    }

    /// A short name for messages: the recipe's name, or the combinator's.
    pub fn name(&self) -> Cow<'static, str> {
        match &*self.node {
            Node::Recipe(recipe) => recipe.name.clone(),
            Node::Provide { outer, .. } | Node::ProvideMerge { outer, .. } => outer.name(),
            Node::Merge(layers) => {
                let names: Vec<_> = layers.iter().map(Layer::name).collect();
                Cow::Owned(format!("merge({})", names.join(", ")))
            }
            Node::Fresh(inner) => Cow::Owned(format!("fresh({})", inner.name())),
        }
    }

    fn collect_provides(&self, out: &mut Vec<ServiceId>) {
        match &*self.node {
            Node::Recipe(recipe) => out.extend(recipe.provides.iter().copied()),
            Node::Provide { outer, .. } => outer.collect_provides(out),
            Node::ProvideMerge { outer, inner } => {
                inner.collect_provides(out);
                outer.collect_provides(out);
            }
            Node::Merge(layers) => layers.iter().for_each(|l| l.collect_provides(out)),
            Node::Fresh(inner) => inner.collect_provides(out),
        }
    }

    fn collect_requires(&self, out: &mut Vec<ServiceId>) {
        match &*self.node {
            Node::Recipe(recipe) => out.extend(recipe.requires.iter().copied()),
            Node::Provide { outer, inner } | Node::ProvideMerge { outer, inner } => {
                inner.collect_requires(out);
                let supplied = inner.provides();
                out.extend(
                    outer
                        .requires()
                        .into_iter()
                        .filter(|id| !supplied.contains(id)),
                );
            }
            Node::Merge(layers) => layers.iter().for_each(|l| l.collect_requires(out)),
            Node::Fresh(inner) => inner.collect_requires(out),
        }
    }

    fn from_node(node: Node) -> Self {
        Self {
            node: Arc::new(node),
        }
    }

    /// The memoization key: the identity of this recipe value.
    pub(crate) fn key(&self) -> usize {
        Arc::as_ptr(&self.node) as *const () as usize
    }
}

fn dedup(ids: Vec<ServiceId>) -> Vec<ServiceId> {
    let mut seen = HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

impl fmt::Debug for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layer")
            .field("name", &self.name())
            .field("requires", &self.requires())
            .field("provides", &self.provides())
            .finish()
    }
}
