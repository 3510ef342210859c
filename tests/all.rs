//! End-to-end tests of the clanka crate: real recipes, real directories, loopback servers.

mod suite;
