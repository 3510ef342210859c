//! End-to-end tests of the clanka crate: real recipes, real directories, loopback servers.

// `allow-unwrap-in-tests` covers `#[test]` functions only, not the suite's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
