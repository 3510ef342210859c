//! The model catalogue: which models this sign-in may use, their context windows,
//! efforts and tools. Fetched from `GET {base}/models` when signed in with ChatGPT,
//! cached in the key-value store, and built in (the official client 0.169.0's
//! catalogue) when it cannot be fetched.

mod cache;
mod wire;

use clanka_model::{ModelProfile, ReasoningEffort};
use serde_json::Value;

pub(crate) use cache::{CatalogCache, ETAG_HEADER};

/// The official client version whose catalogue and protocol clanka follows; sent as
/// `client_version` so the backend lists the models such a client may use.
pub const CLIENT_VERSION: &str = "0.169.0";

/// The model used with an API key when none is configured: a model of the built-in
/// catalogue that the public API serves (`supported_in_api`) and that takes the
/// classic tool list.
pub const API_KEY_DEFAULT_MODEL: &str = "gpt-5.5";

/// The structured fields of the official client 0.169.0's bundled catalogue.
const BUILT_IN: &str = include_str!("models-0.169.0.json");

/// Where a catalogue came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogSource {
    /// Fetched from the backend during this run.
    Fetched,
    /// Read from the key-value store, fetched by an earlier run.
    Cached,
    /// Built in: the backend was not asked (API key) or could not answer.
    BuiltIn,
}

/// The models a sign-in may use, in the backend's order (`priority`, lower first).
///
/// # Example
///
/// ```
/// use clanka_codex::ModelCatalog;
///
/// let catalog = ModelCatalog::built_in();
/// let primary = catalog.default_model().unwrap();
/// assert_eq!(primary.slug, "gpt-6.1-sol");
/// assert!(catalog.check("gpt-5.3-codex", None).is_err(), "retired");
/// ```
#[derive(Debug, Clone)]
pub struct ModelCatalog {
    models: Vec<ModelProfile>,
    source: CatalogSource,
    etag: Option<String>,
}

/// Why a configured model or effort cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// The catalogue does not offer the model.
    #[error("the model `{model}` is not available with this sign-in; available models: {}", .available.join(", "))]
    UnknownModel {
        /// The model asked for.
        model: String,
        /// The listed models, in the catalogue's order.
        available: Vec<String>,
    },
    /// The model does not take the reasoning effort.
    #[error("the model `{model}` does not support reasoning effort `{effort}`; supported: {}", .supported.join(", "))]
    UnsupportedEffort {
        /// The model.
        model: String,
        /// The effort asked for.
        effort: String,
        /// The efforts it takes.
        supported: Vec<String>,
    },
}

impl ModelCatalog {
    /// The built-in catalogue.
    pub fn built_in() -> Self {
        let value: Value = serde_json::from_str(BUILT_IN).unwrap_or(Value::Null);
        let models = value
            .get("models")
            .and_then(Value::as_array)
            .map(|models| wire::profiles(models))
            .unwrap_or_default();
        Self {
            models,
            source: CatalogSource::BuiltIn,
            etag: None,
        }
    }

    /// A catalogue of the entries of a `/models` body. An empty list means the
    /// built-in catalogue, as the official client reads it.
    pub fn from_entries(models: &[Value], source: CatalogSource, etag: Option<String>) -> Self {
        let models = wire::profiles(models);
        if models.is_empty() {
            return Self::built_in();
        }
        Self {
            models,
            source,
            etag,
        }
    }

    /// Every model, listed or hidden, in the catalogue's order.
    pub fn models(&self) -> &[ModelProfile] {
        &self.models
    }

    /// Where the catalogue came from.
    pub fn source(&self) -> CatalogSource {
        self.source
    }

    /// The backend's version tag of the catalogue, when it was fetched.
    pub fn etag(&self) -> Option<&str> {
        self.etag.as_deref()
    }

    /// The model named `slug`.
    pub fn get(&self, slug: &str) -> Option<&ModelProfile> {
        self.models.iter().find(|model| model.slug == slug)
    }

    /// The default model: the first listed one (the backend's own default).
    pub fn default_model(&self) -> Option<&ModelProfile> {
        self.models
            .iter()
            .find(|model| model.listed)
            .or(self.models.first())
    }

    /// The default sub-agent model: the first listed model that takes `low` effort,
    /// run at `low`. The catalogue has no price field, so "cheaper" is the effort.
    pub fn subagent_model(&self) -> Option<&ModelProfile> {
        self.models
            .iter()
            .find(|model| model.listed && model.supports(ReasoningEffort::Low))
            .or(self.default_model())
    }

    /// `slug`'s profile when the catalogue offers it and it takes `effort`.
    pub fn check(
        &self,
        slug: &str,
        effort: Option<ReasoningEffort>,
    ) -> Result<&ModelProfile, CatalogError> {
        let Some(model) = self.get(slug) else {
            return Err(CatalogError::UnknownModel {
                model: slug.to_owned(),
                available: self
                    .models
                    .iter()
                    .filter(|m| m.listed)
                    .map(|m| m.slug.clone())
                    .collect(),
            });
        };
        match effort {
            Some(effort) if !model.supports(effort) => Err(CatalogError::UnsupportedEffort {
                model: slug.to_owned(),
                effort: effort.to_string(),
                supported: model
                    .supported_efforts
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            }),
            _ => Ok(model),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_catalogue_orders_by_priority_and_knows_efforts() {
        let catalog = ModelCatalog::built_in();
        assert_eq!(catalog.models().len(), 12);
        assert_eq!(catalog.default_model().unwrap().slug, "gpt-6.1-sol");
        assert_eq!(catalog.subagent_model().unwrap().slug, "gpt-6.1-sol");
        let gpt55 = catalog.get("gpt-5.5").unwrap();
        assert_eq!(gpt55.context_window, Some(258_400));
        assert_eq!(gpt55.truncation.limit, 10_000);
        assert!(!catalog.get("codex-auto-review").unwrap().listed);
        let error = catalog
            .check("gpt-5.5", Some(ReasoningEffort::Ultra))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the model `gpt-5.5` does not support reasoning effort `ultra`; supported: low, medium, high, xhigh"
        );
        let error = catalog.check("gpt-5.4", None).unwrap_err().to_string();
        assert!(
            error.starts_with("the model `gpt-5.4` is not available"),
            "{error}"
        );
        assert!(error.contains("gpt-6.1-sol, gpt-6-astra"), "{error}");
        assert!(
            !error.contains("codex-auto-review"),
            "hidden models are not offered"
        );
    }

    #[test]
    fn odd_entries_are_skipped_not_fatal() {
        let entries = vec![
            serde_json::json!({"slug": "a", "priority": 2, "supported_reasoning_levels": [{"effort": "galactic"}, {"effort": "low"}]}),
            serde_json::json!({"display_name": "no slug"}),
            serde_json::json!({"slug": "b", "priority": 1, "visibility": "hide"}),
        ];
        let catalog = ModelCatalog::from_entries(&entries, CatalogSource::Fetched, None);
        assert_eq!(catalog.source(), CatalogSource::Fetched);
        let slugs: Vec<_> = catalog.models().iter().map(|m| m.slug.as_str()).collect();
        assert_eq!(slugs, ["b", "a"]);
        assert_eq!(catalog.default_model().unwrap().slug, "a", "b is hidden");
        assert_eq!(
            catalog.get("a").unwrap().supported_efforts,
            [ReasoningEffort::Low]
        );
        let empty = ModelCatalog::from_entries(&[], CatalogSource::Fetched, None);
        assert_eq!(empty.source(), CatalogSource::BuiltIn);
        assert_eq!(empty.models().len(), 12);
    }
}
