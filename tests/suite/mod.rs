mod codex;
mod graph;
