//! Integration tests of clanka-mock over real loopback sockets.

// Helpers outside `#[test]` functions unwrap too; a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::needless_pass_by_value
)]

mod suite;
