//! Checking a graph without building it: every missing service, and every service a
//! recipe would read that the graph provides but out of that recipe's reach (a
//! misplaced `provide` or `merge`).

use std::collections::HashSet;
use std::fmt;

use super::context::ServiceId;
use super::layer::{Layer, Node};

/// A wiring mistake found by [`Layer::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GraphProblem {
    /// `recipe` requires `service` and nothing before it provides it.
    Missing {
        /// The service.
        service: ServiceId,
        /// The recipe that requires it.
        recipe: String,
    },
    /// `recipe` would read `service` when present, and the graph provides it, but not
    /// where `recipe` can see it: it is ignored.
    Unreachable {
        /// The service.
        service: ServiceId,
        /// The recipe that would read it.
        recipe: String,
    },
}

impl fmt::Display for GraphProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { service, recipe } => {
                write!(
                    f,
                    "`{recipe}` requires `{service}` and nothing provides it to it"
                )
            }
            Self::Unreachable { service, recipe } => write!(
                f,
                "`{recipe}` reads `{service}` when it is there, and the graph provides it, but not to `{recipe}` (provide it to it, or merge it on the side it is provided to)"
            ),
        }
    }
}

/// Every problem of a graph; see [`Layer::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphCheck {
    /// The problems, in the graph's order.
    pub problems: Vec<GraphProblem>,
}

impl fmt::Display for GraphCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        write!(
            f,
            "the graph has {} problem(s): {}",
            lines.len(),
            lines.join("; ")
        )
    }
}

impl std::error::Error for GraphCheck {}

impl Layer {
    /// Checks the graph without building anything: reports every requirement nothing
    /// meets, and every optional service a recipe reads that the graph provides out
    /// of its reach. `Ok` lists what the graph provides.
    ///
    /// # Example
    ///
    /// ```
    /// use clanka::runtime::{Context, GraphProblem, Layer, ServiceId};
    ///
    /// #[derive(Clone)]
    /// struct Config;
    /// #[derive(Clone)]
    /// struct Server;
    ///
    /// let server = Layer::from_context("server", vec![], vec![ServiceId::of::<Server>()], |_, _| async {
    ///     Ok(Context::empty().add(Server))
    /// })
    /// .reads(vec![ServiceId::of::<Config>()]);
    /// // Config merged next to the server, not provided to it: the server never sees it.
    /// let misplaced = server.merge(&Layer::succeed(Config));
    /// let problems = misplaced.check().unwrap_err().problems;
    /// assert!(matches!(&problems[0], GraphProblem::Unreachable { recipe, .. } if recipe == "server"));
    /// assert!(server.provide(&Layer::succeed(Config)).check().is_ok());
    /// ```
    pub fn check(&self) -> Result<Vec<ServiceId>, GraphCheck> {
        self.check_with(&HashSet::new())
    }

    /// [`check`](Self::check), with `available` already in the starting context.
    pub fn check_with(&self, available: &HashSet<ServiceId>) -> Result<Vec<ServiceId>, GraphCheck> {
        let everything: HashSet<ServiceId> = self
            .provides()
            .into_iter()
            .chain(available.iter().copied())
            .collect();
        let mut problems = Vec::new();
        let provided = walk(self, available, &everything, &mut problems);
        if problems.is_empty() {
            Ok(provided.into_iter().collect())
        } else {
            Err(GraphCheck { problems })
        }
    }
}

/// What `layer` provides given `available`; problems go to `problems`.
fn walk(
    layer: &Layer,
    available: &HashSet<ServiceId>,
    everything: &HashSet<ServiceId>,
    problems: &mut Vec<GraphProblem>,
) -> HashSet<ServiceId> {
    match &*layer.node {
        Node::Recipe(recipe) => {
            for service in recipe.requires.iter().filter(|id| !available.contains(id)) {
                problems.push(GraphProblem::Missing {
                    service: *service,
                    recipe: recipe.name.to_string(),
                });
            }
            for service in recipe
                .reads
                .iter()
                .filter(|id| !available.contains(id) && everything.contains(id))
            {
                problems.push(GraphProblem::Unreachable {
                    service: *service,
                    recipe: recipe.name.to_string(),
                });
            }
            recipe.provides.iter().copied().collect()
        }
        Node::Provide { outer, inner } | Node::ProvideMerge { outer, inner } => {
            let from_inner = walk(inner, available, everything, problems);
            let widened: HashSet<_> = available.union(&from_inner).copied().collect();
            let from_outer = walk(outer, &widened, everything, problems);
            match &*layer.node {
                Node::ProvideMerge { .. } => from_outer.union(&from_inner).copied().collect(),
                _ => from_outer,
            }
        }
        Node::Merge(layers) => layers
            .iter()
            .flat_map(|l| walk(l, available, everything, problems))
            .collect(),
        Node::Fresh(inner) => walk(inner, available, everything, problems),
    }
}
