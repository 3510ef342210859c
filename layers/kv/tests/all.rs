//! Integration tests of clanka-kv: one conformance suite against every backend,
//! plus tests specific to the file backend.

// `allow-unwrap-in-tests` covers `#[test]` functions only, not the suite's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
