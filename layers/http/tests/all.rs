//! Integration tests of clanka-http against a loopback HTTP/1.1 server.

// `allow-unwrap-in-tests` covers `#[test]` functions only, not the suite's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
