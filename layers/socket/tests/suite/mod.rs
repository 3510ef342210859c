mod connect;
mod proxy;
mod server;
