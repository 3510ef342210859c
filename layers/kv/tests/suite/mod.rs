mod conformance;
mod file;
mod lock;
