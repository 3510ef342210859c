//! The typed service map that recipes read from and write to.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Names a service by the Rust type of its handle.
///
/// Two ids are equal when their types are; the name is kept for messages.
#[derive(Clone, Copy)]
pub struct ServiceId {
    type_id: TypeId,
    name: &'static str,
}

impl ServiceId {
    /// The id of the service whose handle type is `T`.
    pub fn of<T: 'static>() -> Self {
        Self {
            type_id: TypeId::of::<T>(),
            name: std::any::type_name::<T>(),
        }
    }

    /// The full Rust type name of the service handle.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl PartialEq for ServiceId {
    fn eq(&self, other: &Self) -> bool {
        self.type_id == other.type_id
    }
}

impl Eq for ServiceId {}

impl Hash for ServiceId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.type_id.hash(state);
    }
}

impl fmt::Debug for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A service was asked for that the context does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("service `{service}` is not in the context")]
pub struct MissingService {
    /// The missing service.
    pub service: ServiceId,
}

#[derive(Clone)]
struct Entry {
    id: ServiceId,
    value: Arc<dyn Any + Send + Sync>,
}

/// An immutable map from service type to service handle.
///
/// Cloning is an `Arc` clone; [`Context::add`] and [`Context::merge`] return a
/// new context and leave the original untouched. Handles are stored once and
/// handed out as clones, so they should be cheap to clone (an `Arc` inside).
///
/// # Example
///
/// ```
/// use clanka::runtime::Context;
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Greeting(&'static str);
///
/// let ctx = Context::empty().add(Greeting("hi"));
/// assert_eq!(ctx.get::<Greeting>().unwrap(), Greeting("hi"));
/// assert!(ctx.get::<String>().is_err());
/// ```
#[derive(Clone, Default)]
pub struct Context {
    entries: Arc<HashMap<TypeId, Entry>>,
}

impl Context {
    /// A context holding no services.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Returns a context that also holds `value`, replacing any service of the same type.
    #[must_use]
    pub fn add<T: Clone + Send + Sync + 'static>(&self, value: T) -> Self {
        let mut entries = (*self.entries).clone();
        let id = ServiceId::of::<T>();
        entries.insert(
            id.type_id,
            Entry {
                id,
                value: Arc::new(value),
            },
        );
        Self {
            entries: Arc::new(entries),
        }
    }

    /// A clone of the service whose handle type is `T`.
    pub fn get<T: Clone + 'static>(&self) -> Result<T, MissingService> {
        self.entries
            .get(&TypeId::of::<T>())
            .and_then(|entry| entry.value.downcast_ref::<T>())
            .cloned()
            .ok_or(MissingService {
                service: ServiceId::of::<T>(),
            })
    }

    /// Whether the context holds the service `id`.
    pub fn contains(&self, id: ServiceId) -> bool {
        self.entries.contains_key(&id.type_id)
    }

    /// Returns a context with the services of both; `other` wins where both hold one.
    #[must_use]
    pub fn merge(&self, other: &Context) -> Self {
        if other.entries.is_empty() {
            return self.clone();
        }
        if self.entries.is_empty() {
            return other.clone();
        }
        let mut entries = (*self.entries).clone();
        entries.extend(other.entries.iter().map(|(k, v)| (*k, v.clone())));
        Self {
            entries: Arc::new(entries),
        }
    }

    /// A context holding only the services of `self` whose ids are in `ids`.
    #[must_use]
    pub fn only(&self, ids: &[ServiceId]) -> Self {
        let entries = ids
            .iter()
            .filter_map(|id| {
                self.entries
                    .get(&id.type_id)
                    .map(|e| (id.type_id, e.clone()))
            })
            .collect();
        Self {
            entries: Arc::new(entries),
        }
    }

    /// The ids of the services held, sorted by name.
    pub fn services(&self) -> Vec<ServiceId> {
        let mut ids: Vec<ServiceId> = self.entries.values().map(|e| e.id).collect();
        ids.sort_by_key(|id| id.name);
        ids
    }

    /// How many services the context holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the context holds no service.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl fmt::Debug for Context {
    // Only names: service handles may hold secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.services()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct A(u32);
    #[derive(Clone, Debug, PartialEq)]
    struct B(&'static str);

    #[test]
    fn add_is_immutable_and_get_clones() {
        let empty = Context::empty();
        let one = empty.add(A(1));
        assert!(empty.is_empty());
        assert_eq!(one.get::<A>().unwrap(), A(1));
        let replaced = one.add(A(2));
        assert_eq!(one.get::<A>().unwrap(), A(1));
        assert_eq!(replaced.get::<A>().unwrap(), A(2));
        assert_eq!(replaced.len(), 1);
    }

    #[test]
    fn missing_service_names_the_type() {
        let err = Context::empty().get::<B>().unwrap_err();
        assert_eq!(err.service, ServiceId::of::<B>());
        let message = err.to_string();
        assert!(message.contains("context::tests::B"), "{message}");
    }

    #[test]
    fn merge_prefers_the_right_side() {
        let left = Context::empty().add(A(1)).add(B("left"));
        let right = Context::empty().add(A(2));
        let merged = left.merge(&right);
        assert_eq!(merged.get::<A>().unwrap(), A(2));
        assert_eq!(merged.get::<B>().unwrap(), B("left"));
        assert_eq!(left.get::<A>().unwrap(), A(1));
    }

    #[test]
    fn only_keeps_the_named_services() {
        let ctx = Context::empty().add(A(1)).add(B("b"));
        let only = ctx.only(&[ServiceId::of::<B>()]);
        assert_eq!(only.services(), vec![ServiceId::of::<B>()]);
    }

    #[test]
    fn debug_shows_names_not_values() {
        let ctx = Context::empty().add(B("secret"));
        let text = format!("{ctx:?}");
        assert!(text.contains("B"));
        assert!(!text.contains("secret"));
    }
}
