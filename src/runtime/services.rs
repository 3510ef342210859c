//! Tuples of services that a recipe reads from a [`Context`].

use super::context::{Context, MissingService, ServiceId};

/// A tuple of service handles read from (or written to) a [`Context`] together.
///
/// Implemented for `()` and for tuples of up to eight `Clone + Send + Sync` types, so a
/// recipe can declare its dependencies as a type: `(HttpClient, KeyValueStore)`.
pub trait Services: Sized + Send + 'static {
    /// The ids of the services in the tuple, in order.
    fn ids() -> Vec<ServiceId>;

    /// Reads every service of the tuple from `ctx`.
    fn from_context(ctx: &Context) -> Result<Self, MissingService>;

    /// Adds every service of the tuple to `ctx`.
    fn add_to(self, ctx: Context) -> Context;
}

impl Services for () {
    fn ids() -> Vec<ServiceId> {
        Vec::new()
    }

    fn from_context(_: &Context) -> Result<Self, MissingService> {
        Ok(())
    }

    fn add_to(self, ctx: Context) -> Context {
        ctx
    }
}

macro_rules! tuple_services {
    ($($name:ident),+) => {
        impl<$($name),+> Services for ($($name,)+)
        where
            $($name: Clone + Send + Sync + 'static),+
        {
            fn ids() -> Vec<ServiceId> {
                vec![$(ServiceId::of::<$name>()),+]
            }

            fn from_context(ctx: &Context) -> Result<Self, MissingService> {
                Ok(($(ctx.get::<$name>()?,)+))
            }

            #[allow(non_snake_case)]
            fn add_to(self, ctx: Context) -> Context {
                let ($($name,)+) = self;
                $(let ctx = ctx.add($name);)+
                ctx
            }
        }
    };
}

tuple_services!(A);
tuple_services!(A, B);
tuple_services!(A, B, C);
tuple_services!(A, B, C, D);
tuple_services!(A, B, C, D, E);
tuple_services!(A, B, C, D, E, F);
tuple_services!(A, B, C, D, E, F, G);
tuple_services!(A, B, C, D, E, F, G, H);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_round_trip_through_a_context() {
        let ctx = (1u8, "two", 3.0f64).add_to(Context::empty());
        let (a, b, c) = <(u8, &str, f64)>::from_context(&ctx).unwrap();
        assert_eq!((a, b, c), (1, "two", 3.0));
        assert_eq!(<(u8, u16)>::ids()[1], ServiceId::of::<u16>());
        assert!(<(u8, u16)>::from_context(&ctx).is_err());
    }
}
