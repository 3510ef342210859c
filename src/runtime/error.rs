//! Errors of building a service graph.

use super::context::{MissingService, ServiceId};

/// Boxed error returned by recipes.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a graph could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A recipe requires a service that nothing in the graph (or the starting
    /// context) provides. Reported before anything is built.
    #[error("service `{service}` is required by recipe `{recipe}` but nothing provides it")]
    MissingService {
        /// The service nobody provides.
        service: ServiceId,
        /// The recipe that requires it.
        recipe: String,
    },
    /// A recipe's constructor failed.
    #[error("recipe `{recipe}` failed to build")]
    Failed {
        /// The recipe that failed.
        recipe: String,
        /// What went wrong.
        #[source]
        source: BoxError,
    },
    /// A recipe finished without one of the services it declared.
    #[error("recipe `{recipe}` did not provide `{service}`, which it declares")]
    NotProvided {
        /// The service that is missing from the recipe's output.
        service: ServiceId,
        /// The recipe.
        recipe: String,
    },
}

impl BuildError {
    /// The recipe the error is about.
    pub fn recipe(&self) -> &str {
        match self {
            Self::MissingService { recipe, .. }
            | Self::Failed { recipe, .. }
            | Self::NotProvided { recipe, .. } => recipe,
        }
    }

    pub(crate) fn missing(recipe: &str, missing: MissingService) -> Self {
        Self::MissingService {
            service: missing.service,
            recipe: recipe.to_owned(),
        }
    }
}
