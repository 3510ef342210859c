//! The effect-style runtime: a typed [`Context`] of services and [`Layer`] recipes
//! that build services from other services.
//!
//! A recipe declares what it requires and provides; [`Layer::provide`],
//! [`Layer::provide_merge`], [`Layer::merge`] and [`Layer::fresh`] compose recipes
//! with Effect's meaning. [`Layer::build`] checks the whole graph before running
//! anything, builds each recipe value once (so two models given the same client
//! recipe share one client), and returns a [`Runtime`] whose [`Scope`] releases
//! resources in reverse order.
//!
//! # Example
//!
//! ```
//! use clanka::runtime::{BuildError, Layer};
//!
//! #[derive(Clone)]
//! struct Store;
//! #[derive(Clone)]
//! struct Cache;
//!
//! let store = Layer::effect("store", |(): ()| async { Ok::<_, BuildError>(Store) });
//! let cache = Layer::effect("cache", |(_store,): (Store,)| async { Ok::<_, BuildError>(Cache) });
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // Forgetting to provide the store is caught before anything is built.
//! let err = cache.build().await.unwrap_err();
//! assert!(matches!(err, BuildError::MissingService { .. }));
//! assert_eq!(err.recipe(), "cache");
//!
//! let runtime = cache.provide_merge(&store).build().await.unwrap();
//! assert!(runtime.get::<Store>().is_ok() && runtime.get::<Cache>().is_ok());
//! # });
//! ```

mod build;
mod check;
mod context;
mod error;
mod layer;
mod scope;
mod services;

pub use build::Runtime;
pub use check::{GraphCheck, GraphProblem};
pub use context::{Context, MissingService, ServiceId};
pub use error::{BoxError, BuildError};
pub use layer::Layer;
pub use scope::Scope;
pub use services::Services;
