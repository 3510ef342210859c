mod agent;
mod agent_control;
mod cli;
mod codex;
mod graph;
mod model;
