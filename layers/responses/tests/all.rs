//! Integration tests of clanka-responses against clanka-mock over loopback.

// `allow-unwrap-in-tests` covers `#[test]` functions only, not the suite's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
