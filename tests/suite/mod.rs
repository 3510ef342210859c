mod agent;
mod agent_control;
mod codex;
mod graph;
mod model;
