mod conformance;
mod file;
mod lock;
mod redis;
