//! Building a checked graph of recipes, memoized, inside one scope.

use std::collections::{HashMap, HashSet};
use std::fmt;

use futures_util::future::BoxFuture;

use super::check::GraphProblem;
use super::context::{Context, MissingService};
use super::error::BuildError;
use super::layer::{Layer, Node, Recipe};
use super::scope::Scope;

impl Layer {
    /// Checks the graph, then builds every recipe in it, each recipe value once.
    ///
    /// A graph with an unmet requirement fails with [`BuildError::MissingService`]
    /// before any recipe runs. If a recipe fails, the finalizers registered so far run
    /// (in reverse order) before the error is returned.
    pub async fn build(&self) -> Result<Runtime, BuildError> {
        self.build_with(&Context::empty()).await
    }

    /// Like [`build`](Layer::build), with services already available from `context`.
    ///
    /// The runtime's context holds `context` and what the graph provides.
    pub async fn build_with(&self, context: &Context) -> Result<Runtime, BuildError> {
        let available: HashSet<_> = context.services().into_iter().collect();
        if let Err(check) = self.check_with(&available) {
            for problem in &check.problems {
                match problem {
                    GraphProblem::Missing { service, recipe } => {
                        return Err(BuildError::MissingService {
                            service: *service,
                            recipe: recipe.clone(),
                        });
                    }
                    // A misplaced optional service does not stop the build: it is
                    // said, since it is ignored.
                    unreachable => tracing::warn!("{unreachable}"),
                }
            }
        }
        let scope = Scope::new();
        let mut builder = Builder::new(scope.clone());
        match builder.build(self, context.clone()).await {
            Ok(built) => Ok(Runtime {
                context: context.merge(&built),
                scope,
            }),
            Err(error) => {
                scope.close().await;
                Err(error)
            }
        }
    }
}

/// One build: the memo map and the scope its recipes register finalizers on.
struct Builder {
    memo: HashMap<usize, Context>,
    scope: Scope,
}

impl Builder {
    fn new(scope: Scope) -> Self {
        Self {
            memo: HashMap::new(),
            scope,
        }
    }

    fn build<'a>(
        &'a mut self,
        layer: &'a Layer,
        input: Context,
    ) -> BoxFuture<'a, Result<Context, BuildError>> {
        Box::pin(async move {
            if let Some(built) = self.memo.get(&layer.key()) {
                return Ok(built.clone());
            }
            let built = match &*layer.node {
                Node::Recipe(recipe) => self.run(recipe, input).await?,
                Node::Provide { outer, inner } => {
                    let supplied = self.build(inner, input.clone()).await?;
                    self.build(outer, input.merge(&supplied)).await?
                }
                Node::ProvideMerge { outer, inner } => {
                    let supplied = self.build(inner, input.clone()).await?;
                    let own = self.build(outer, input.merge(&supplied)).await?;
                    supplied.merge(&own)
                }
                Node::Merge(layers) => {
                    let mut all = Context::empty();
                    for layer in layers {
                        all = all.merge(&self.build(layer, input.clone()).await?);
                    }
                    all
                }
                Node::Fresh(inner) => Builder::new(self.scope.clone()).build(inner, input).await?,
            };
            self.memo.insert(layer.key(), built.clone());
            Ok(built)
        })
    }

    async fn run(&mut self, recipe: &Recipe, input: Context) -> Result<Context, BuildError> {
        if let Some(service) = recipe.requires.iter().find(|id| !input.contains(**id)) {
            return Err(BuildError::missing(
                &recipe.name,
                MissingService { service: *service },
            ));
        }
        tracing::debug!(recipe = %recipe.name, "building");
        let output = (recipe.build)(input, self.scope.clone())
            .await
            .map_err(|source| BuildError::Failed {
                recipe: recipe.name.to_string(),
                source,
            })?;
        if let Some(service) = recipe.provides.iter().find(|id| !output.contains(**id)) {
            return Err(BuildError::NotProvided {
                service: *service,
                recipe: recipe.name.to_string(),
            });
        }
        Ok(output.only(&recipe.provides))
    }
}

/// The services a graph built, alive until [`shutdown`](Runtime::shutdown) or drop.
///
/// Dropping a runtime releases its resources too, without waiting: on a tokio
/// runtime the finalizers run in a spawned task. Call `shutdown().await` to know
/// they have finished.
pub struct Runtime {
    context: Context,
    scope: Scope,
}

impl Runtime {
    /// Every service the graph built, plus the context it was built with.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// A clone of the service `T`.
    pub fn get<T: Clone + 'static>(&self) -> Result<T, MissingService> {
        self.context.get()
    }

    /// The scope the graph's finalizers are registered on.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Releases every resource of the graph, last built first, and waits for it.
    pub async fn shutdown(self) {
        self.scope.close().await;
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.scope.close_detached();
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("services", &self.context)
            .field("scope", &self.scope)
            .finish()
    }
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;
