mod common;
mod faults;
mod replay;
mod sse;
mod ws;
