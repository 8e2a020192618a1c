//! # kvalitet
//!
//! A rule engine for quality measurement in Danish municipal elderly care and
//! health. Measures from KL's inspiration catalogue and the national goals
//! are written as Rhai rules that build Polars lazy plans; the runner
//! evaluates them for every period, unit and stratum, the statistics add
//! intervals, suppression, markers and SPC signals, and the results are one
//! long table.
//!
//! Every face — the command line, the notebook kernel, the report — stands
//! on a [`Workspace`]: data, catalogue and rules opened once.
//!
//! ```no_run
//! use kvalitet::engine::{Period, PeriodKind};
//! use kvalitet::results::{self, UnitLevel};
//! use kvalitet::workspace::{Request, Sources, Workspace};
//!
//! let workspace = Workspace::open(&Sources::standard("demo/data"))?;
//! let quarter = Period::parse("2025-Q1").unwrap();
//! let request = Request::new(Period::range(quarter.start, quarter.end, PeriodKind::Month), UnitLevel::ALL.to_vec());
//! let outcome = workspace.run(&request, |p| eprintln!("{}/{} {}", p.done, p.total, p.rule_id))?;
//! results::write(&outcome.results, std::path::Path::new("out"))?;
//! # Ok::<(), kvalitet::Error>(())
//! ```
//!
//! | module | owns |
//! | --- | --- |
//! | [`catalog`] | the catalogue in `catalog/*.toml` |
//! | [`stats`] | pure statistics: intervals, suppression, markers, SPC, funnels |
//! | [`synth`] | seeded synthetic data |
//! | [`data`] | reading and validating input tables |
//! | [`engine`] | the Rhai rule language and sandbox; rules to lazy plans |
//! | [`results`] | the results schema, typed rows, reading and writing, statistics over results |
//! | [`runner`] | measures × periods × unit levels to result rows |
//! | [`store`] | the results store of scheduled runs: history, run log, lock |
//! | [`workspace`] | data + catalogue + rules opened once; evaluate, explain, run, notebook cells |
//! | [`report`] | results → static HTML pages and an Excel workbook |
//! | [`display`] | Danish formatting, HTML tables and SVG charts as MIME bundles, for the report, the kernel and evcxr |
//! | [`kernel`] | the Jupyter kernel: the wire protocol around notebook cells |
//! | [`cli`] | the command line |

pub mod catalog;
pub mod cli;
pub mod data;
pub mod display;
pub mod engine;
pub mod error;
pub mod kernel;
pub mod report;
pub mod results;
pub mod runner;
pub mod stats;
pub mod store;
pub mod synth;
pub mod workspace;

pub use error::{Error, Result};
pub use polars;
pub use workspace::Workspace;
