//! The closed list of data sources (`catalog/datakilder.toml`) that
//! measures name in `data_sources`.

use super::area::{entries, parse_toml};
use super::error::{CatalogError, Problem};
use serde::{Deserialize, Serialize};

/// One data source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Datakilde {
    /// Stable id, e.g. `flis`, `lokal-opgoerelse`.
    pub id: String,
    /// Danish name, e.g. "Lokal opgørelse".
    pub name: String,
    /// What it is.
    pub description: String,
}

/// Parses `datakilder.toml`; ids must be unique.
pub(crate) fn parse(file: &str, text: &str) -> Result<Vec<Datakilde>, CatalogError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        datakilder: Vec<toml::Value>,
    }
    let raw: Raw = parse_toml(file, text)?;
    let mut problems = Vec::new();
    let list: Vec<Datakilde> = entries(file, "datakilde", raw.datakilder, &mut problems);
    for (i, d) in list.iter().enumerate() {
        if list[..i].iter().any(|e| e.id == d.id) {
            problems.push(CatalogError::entry(
                file,
                format!("datakilde {}", d.id),
                Problem::DuplicateId { other: "datakilde".into(), file: file.into() },
            ));
        }
    }
    CatalogError::from_list(problems)?;
    Ok(list)
}
