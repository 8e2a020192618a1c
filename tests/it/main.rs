//! Integration tests: one module per command or area.

mod agreement;
mod architecture;
mod catalog;
mod cli;
mod common;
mod data;
mod engine;
mod hostile;
mod kernel;
mod properties;
mod report;
mod rule_cases;
mod rules;
mod run;
mod statistics;
mod store;
mod synth;
mod workspace;
