mod agent;
mod agent_control;
mod cli;
mod codex;
mod common;
mod graph;
mod model;
