//! The catalogue's error type. Every error names the file, and where it is
//! about one entry (a measure, a driver, an indicator, a CSV line), the
//! entry too:
//!
//! ```text
//! catalog/areas/sygepleje.toml: measure sp.2b.x: unknown unit "pct"; expected one of andel, procent, …
//! ```

use std::fmt;

/// Something wrong with the catalogue files or with the rules directory
/// measured against them.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A file or directory could not be read.
    #[error("{file}: cannot read it: {source}")]
    Read {
        /// The file, as the catalogue names it (e.g. `catalog/kommuner.toml`).
        file: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid TOML or CSV, or its top level is wrong (a
    /// missing or unknown section).
    #[error("{file}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// What the parser said.
        message: String,
    },
    /// One entry of a file is wrong.
    #[error("{file}: {entry}: {problem}")]
    Entry {
        /// The file.
        file: String,
        /// The entry, e.g. `measure po.2a.revurderet-tilstand-6mdr` or `line 57`.
        entry: String,
        /// What is wrong with it.
        problem: Problem,
    },
    /// A rule file that no measure or indicator names with `rule = "..."`.
    #[error(
        "{file}: no measure or national indicator in the catalogue has rule = \"{rule}\"; add the measure to \
         catalog/ (or rename the file to the id of the measure it computes)"
    )]
    OrphanRule {
        /// The rule file.
        file: String,
        /// Its stem, the rule name.
        rule: String,
    },
    /// More than one of the above, each on its own line.
    #[error("{} problems in the catalogue:\n{}", .0.len(), Lines(.0))]
    Several(Vec<CatalogError>),
}

impl CatalogError {
    /// The single problems: the list of [`CatalogError::Several`], or this one.
    pub fn problems(&self) -> Vec<&CatalogError> {
        match self {
            CatalogError::Several(all) => all.iter().collect(),
            one => vec![one],
        }
    }

    /// Turns a list of problems into a result: `Ok` when empty, the one
    /// error, or [`CatalogError::Several`].
    pub(crate) fn from_list(mut list: Vec<CatalogError>) -> Result<(), CatalogError> {
        match list.len() {
            0 => Ok(()),
            1 => Err(list.remove(0)),
            _ => Err(CatalogError::Several(list)),
        }
    }

    pub(crate) fn entry(file: &str, entry: impl Into<String>, problem: Problem) -> Self {
        CatalogError::Entry { file: file.to_string(), entry: entry.into(), problem }
    }
}

/// What is wrong with one entry.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    /// The entry does not deserialize: a missing or unknown field, a wrong
    /// type, or a value outside its closed list (unit, direction, level).
    #[error("{0}")]
    Invalid(String),
    /// The id is already used by another entry.
    #[error("id also used by a {other} in {file}")]
    DuplicateId {
        /// What the other entry is, e.g. `measure` or `driver`.
        other: String,
        /// Its file.
        file: String,
    },
    /// A reference to something that does not exist: a node, a data source,
    /// an indicator, a goal number, a municipality or region code.
    #[error("unknown {what} \"{id}\"{}", hint(.suggestion))]
    Unknown {
        /// What kind of thing, e.g. `node`, `data source`, `indicator`.
        what: &'static str,
        /// The id that was not found.
        id: String,
        /// The closest existing id, when one is close.
        suggestion: Option<String>,
    },
    /// A driver that the goal does not reach (no parent, or its parent is
    /// not a primary driver of the same area).
    #[error("not reachable from the goal: {0}")]
    Unreachable(String),
    /// Any other inconsistency, said in words.
    #[error("{0}")]
    Inconsistent(String),
}

fn hint(suggestion: &Option<String>) -> String {
    suggestion.as_ref().map(|s| format!(" (did you mean \"{s}\"?)")).unwrap_or_default()
}

struct Lines<'a>(&'a [CatalogError]);

impl fmt::Display for Lines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {e}")?;
        }
        Ok(())
    }
}
