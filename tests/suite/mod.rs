mod codex;
mod graph;
mod model;
