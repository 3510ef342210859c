//! Integration tests of clanka-codex against clanka-mock over loopback, with real temp dirs.

// `allow-unwrap-in-tests` covers `#[test]` functions only, not the suite's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
