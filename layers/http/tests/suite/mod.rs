mod client;
mod retry;
mod server;
mod timeout;
