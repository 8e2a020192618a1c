//! The library's error type: every way a call into kvalitet can fail, each
//! variant carrying what a person needs to fix it (the file, the rule line,
//! the table, the unit).
//!
//! Lower modules keep their own precise types ([`DataError`] names file,
//! line and column; [`RuleError`] names the rule file, line and column;
//! [`CatalogError`] names the catalogue file and entry); [`Error`] wraps
//! them so that one `?` works across the library. Only the command line
//! turns errors into text and exit codes.

use crate::catalog::CatalogError;
use crate::data::DataError;
use crate::engine::RuleError;
use std::path::PathBuf;

/// Anything that can go wrong in a library call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input data that could not be read or is not valid.
    #[error("data error: {0}")]
    Data(DataError),
    /// A rule that does not compile, build a plan or run.
    #[error("rule error: {0}")]
    Rule(RuleError),
    /// The catalogue, or a rules directory measured against it.
    #[error("catalogue error: {0}")]
    Catalog(CatalogError),
    /// A results file that cannot be read back or is not a kvalitet results
    /// table.
    #[error("results error: {file}: {message}")]
    Results {
        /// The file.
        file: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A rule test case file that is not valid.
    #[error("rule case error: {}: {message}", file.display())]
    Case {
        /// The case file.
        file: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A file or directory that could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A query failed inside Polars outside any one rule (attributing
    /// units, computing statistics).
    #[error("{context}: {message}")]
    Query {
        /// What was being done, e.g. `computing statistics`.
        context: String,
        /// Polars' message, first line.
        message: String,
    },
    /// No rule with that measure id.
    #[error("no rule {id} in {}{}", rules.display(), suggestion_text(suggestions))]
    UnknownRule {
        /// The measure id asked for.
        id: String,
        /// The rules directory (or `rules` for the built-in rules).
        rules: PathBuf,
        /// Ids of rules that are close.
        suggestions: Vec<String>,
    },
    /// A rules directory without rules.
    #[error("no rules (*.rhai) in {}", .0.display())]
    NoRules(PathBuf),
    /// An evaluation asked for no periods.
    #[error("no periods to evaluate")]
    NoPeriods,
    /// The evaluation was interrupted (notebook interrupt, Ctrl-C).
    #[error("interrupted")]
    Interrupted,
}

impl Error {
    /// A Polars failure while doing `context`.
    pub fn query(context: impl Into<String>, error: &polars::prelude::PolarsError) -> Self {
        Self::Query { context: context.into(), message: crate::data::polars_message(error) }
    }

    /// An I/O failure on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }
}

fn suggestion_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() { String::new() } else { format!("; did you mean {}?", suggestions.join(", ")) }
}

// The wrapped errors are the message, not a cause behind it: an error
// chain would print them twice.
impl From<DataError> for Error {
    fn from(error: DataError) -> Self {
        Self::Data(error)
    }
}

impl From<RuleError> for Error {
    fn from(error: RuleError) -> Self {
        Self::Rule(error)
    }
}

impl From<CatalogError> for Error {
    fn from(error: CatalogError) -> Self {
        Self::Catalog(error)
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
