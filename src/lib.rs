//! # kvalitet
//!
//! A rule engine for quality measurement in Danish municipal elderly care and
//! health. Measures from KL's inspiration catalogue and the national goals
//! are written as Rhai rules that build Polars lazy plans; the runner
//! evaluates them for every period, unit and stratum and writes one long
//! results table.
//!
//! ```no_run
//! use kvalitet::catalog::Kommuner;
//! use kvalitet::data::{DataSource, Schema};
//! use kvalitet::engine::{Limits, Period, RuleEngine};
//! use kvalitet::runner::{self, RunOptions, UnitLevel};
//! use std::{path::Path, sync::Arc};
//!
//! let data = Arc::new(DataSource::open(Path::new("data"), &Schema::standard())?);
//! let engine = RuleEngine::new(data.clone(), Limits::default());
//! let rules = runner::compile_rules(&engine, Path::new("rules"))?;
//! let options = RunOptions {
//!     periods: vec![Period::parse("2024-Q1").unwrap()],
//!     levels: vec![UnitLevel::Kommune],
//!     catalog_version: "2025.1".into(),
//!     settings: Default::default(),
//!     statistics: Default::default(),
//! };
//! let outcome = runner::run(&engine, rules, &data, &Kommuner::standard(), &options, |_, _, _| {})?;
//! println!("{}", outcome.results);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod catalog;
pub mod cli;
pub mod data;
pub mod engine;
pub mod runner;
pub mod stats;
pub mod synth;

pub use polars;
