mod connect;
mod server;
