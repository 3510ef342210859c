mod common;
mod faults;
#[path = "../support/record.rs"]
mod record;
mod replay;
mod sse;
mod ws;
