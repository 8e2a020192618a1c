//! Integration tests: one module per command or area.

mod common;
mod data;
mod engine;
mod rules;
mod run;
