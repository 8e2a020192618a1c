//! The machine-readable description of the standard input tables
//! (`catalog/tables.toml`), used to validate data when it is loaded.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The schema shipped with kvalitet.
pub const STANDARD_TABLES: &str = include_str!("../../catalog/tables.toml");

/// The type of a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    String,
    Int,
    Float,
    Bool,
    Date,
    Datetime,
}

impl ColumnType {
    /// How the type is written for people, with the accepted input forms.
    pub fn expected(&self) -> &'static str {
        match self {
            Self::String => "text",
            Self::Int => "a whole number",
            Self::Float => "a number (decimal comma or point)",
            Self::Bool => "true/false (also ja/nej, 1/0)",
            Self::Date => "a date (dd-mm-yyyy or yyyy-mm-dd)",
            Self::Datetime => "a date and time (dd-mm-yyyy hh:mm or yyyy-mm-ddThh:mm:ss)",
        }
    }
}

/// One column of a standard table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSchema {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnType,
    #[serde(default)]
    pub nullable: bool,
    /// Whether a file may leave the column out (a later addition to the
    /// table that not every municipality has): the measures that need it
    /// are then not computable with those data.
    #[serde(default)]
    pub optional: bool,
    /// The closed list of allowed values, if any.
    #[serde(default)]
    pub values: Vec<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub description: String,
}

/// One standard table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSchema {
    pub description: String,
    /// Columns whose values together identify a row.
    pub key: Vec<String>,
    pub columns: Vec<ColumnSchema>,
}

impl TableSchema {
    /// The column of that name.
    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// All standard tables by name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    pub tables: BTreeMap<String, TableSchema>,
}

impl Schema {
    /// The schema shipped with kvalitet (`catalog/tables.toml`).
    pub fn standard() -> Self {
        Self::parse(std::path::Path::new("catalog/tables.toml"), STANDARD_TABLES)
            .expect("catalog/tables.toml is valid; a test checks it")
    }

    /// Parses a schema in the format of `catalog/tables.toml`; `file` names
    /// it in errors.
    pub fn parse(file: &std::path::Path, text: &str) -> Result<Self, super::DataError> {
        let schema: Schema = toml::from_str(text).map_err(|e| super::DataError::file(file, e.to_string()))?;
        for (name, table) in &schema.tables {
            for key in &table.key {
                if table.column(key).is_none() {
                    return Err(super::DataError::file(
                        file,
                        format!("table {name}: key column {key} is not among its columns"),
                    ));
                }
            }
        }
        Ok(schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_schema_parses_with_keys_among_columns() {
        let schema = Schema::standard();
        assert!(schema.tables.len() >= 18);
        assert_eq!(schema.tables["borgere"].key, ["borger_id"]);
        assert_eq!(schema.tables["vurderinger"].column("niveau").unwrap().max, Some(4));
    }
}
