//! A crate whose only clanka dependency is `clanka`: its tests compile the README's
//! examples, run a store backend of its own through the public conformance suite,
//! and put a tower stack around the model.

#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
