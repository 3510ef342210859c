mod common;
mod faults;
mod sse;
mod ws;
