mod auth;
mod binary;
mod common;
mod faults;
mod scenario;
mod sse;
mod validation;
mod ws;
