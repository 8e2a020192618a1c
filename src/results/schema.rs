//! The results table's columns, defined once: names, types, order, and
//! which of them people see. The writer, the reader, the statistics and the
//! tests all take the columns from here.
//!
//! Columns are added over time, never renamed (DESIGN.md, "Results
//! table"). A file written before a column existed reads back with that
//! column empty, as long as it has every [`Role::Core`] column.

use polars::prelude::{DataType, Field, Schema};

/// What a column is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Which number this is and the number itself; always present.
    Core,
    /// Where the number came from.
    Provenance,
    /// Intervals, suppression, markers and SPC; present when statistics
    /// were computed.
    Statistics,
    /// What the statistics need to be recomputed from stored results: the
    /// measure kind, its rate multiplier, the standard deviation of a mean
    /// and the sorted values of a median.
    Kind,
}

/// The type of a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Date,
    Float,
    Bool,
    /// A list of floats (the values behind a median).
    FloatList,
}

impl ColumnType {
    /// The Polars type written to Parquet.
    pub fn dtype(self) -> DataType {
        match self {
            Self::Text => DataType::String,
            Self::Date => DataType::Date,
            Self::Float => DataType::Float64,
            Self::Bool => DataType::Boolean,
            Self::FloatList => DataType::List(Box::new(DataType::Float64)),
        }
    }
}

/// One column of the results table.
#[derive(Debug, Clone, Copy)]
pub struct ResultColumn {
    pub name: &'static str,
    pub column_type: ColumnType,
    pub role: Role,
    /// Written to the people's CSV (list columns are not).
    pub for_people: bool,
}

const fn column(name: &'static str, column_type: ColumnType, role: Role) -> ResultColumn {
    let for_people = !matches!(column_type, ColumnType::FloatList);
    ResultColumn { name, column_type, role, for_people }
}

use ColumnType::{Bool, Date, Float, FloatList, Text};
use Role::{Core, Kind, Provenance, Statistics};

/// Every column, in the order they are written.
pub const COLUMNS: [ResultColumn; 34] = [
    column("measure_id", Text, Core),
    column("period_start", Date, Core),
    column("period_end", Date, Core),
    column("unit_level", Text, Core),
    column("unit_code", Text, Core),
    column("unit_name", Text, Core),
    column("stratum", Text, Core),
    column("numerator", Float, Core),
    column("denominator", Float, Core),
    column("value", Float, Core),
    column("run_id", Text, Provenance),
    column("rule_sha256", Text, Provenance),
    column("inputs_sha256", Text, Provenance),
    column("catalog_version", Text, Provenance),
    column("ci_low", Float, Statistics),
    column("ci_high", Float, Statistics),
    column("ci_method", Text, Statistics),
    column("suppressed", Bool, Statistics),
    column("suppression_reason", Text, Statistics),
    column("development", Text, Statistics),
    column("level", Text, Statistics),
    column("level_reference", Text, Statistics),
    column("national_value", Float, Statistics),
    column("overall_value", Float, Statistics),
    column("spc_median", Float, Statistics),
    column("spc_run_signal", Bool, Statistics),
    column("spc_crossings_signal", Bool, Statistics),
    column("spc_lcl", Float, Statistics),
    column("spc_ucl", Float, Statistics),
    column("spc_outside", Bool, Statistics),
    column("measure_kind", Text, Kind),
    column("rate_per", Float, Kind),
    column("value_sd", Float, Kind),
    column("median_values", FloatList, Kind),
];

/// The columns with a role, in order.
pub fn columns(role: Role) -> impl Iterator<Item = &'static ResultColumn> {
    COLUMNS.iter().filter(move |c| c.role == role)
}

/// The column of that name.
pub fn column_named(name: &str) -> Option<&'static ResultColumn> {
    COLUMNS.iter().find(|c| c.name == name)
}

/// The Polars schema of a results table, with or without the statistics
/// columns.
pub fn polars_schema(with_statistics: bool) -> Schema {
    COLUMNS
        .iter()
        .filter(|c| with_statistics || c.role != Statistics)
        .map(|c| Field::new(c.name.into(), c.column_type.dtype()))
        .collect()
}
