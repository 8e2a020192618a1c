//! Checking and typing one input file against its table schema.
//!
//! Each check is an expression marking the rows that fail it; all checks of
//! a file are counted (how many rows fail, and the first one) in one pass
//! of Polars' streaming engine, so a large Parquet file is scanned once and
//! never held in memory. A failing check becomes a [`DataError`] naming the
//! file, the row (the line, for CSV) and the column. A table's key is
//! checked on 64-bit hashes of it (8 bytes per row).

use super::DataError;
use super::schema::{ColumnType, TableSchema};
use polars::prelude::*;
use std::path::Path;

/// How rows are numbered in messages for a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowNumbering {
    /// CSV: the line in the file (the header is line 1).
    CsvLine,
    /// Parquet / Arrow IPC: the 1-based row.
    Row,
}

impl RowNumbering {
    /// The number people see for the 0-based row `index`.
    fn number(self, index: u64) -> u64 {
        match self {
            Self::CsvLine => index + 2,
            Self::Row => index + 1,
        }
    }

    fn word(self, plural: bool) -> &'static str {
        match (self, plural) {
            (Self::CsvLine, false) => "line",
            (Self::CsvLine, true) => "lines",
            (Self::Row, false) => "row",
            (Self::Row, true) => "rows",
        }
    }

    fn describe(self, index: u64) -> String {
        format!("{} {}", self.word(false), self.number(index))
    }

    fn describe_all(self, indices: &[u64]) -> String {
        let numbers: Vec<String> = indices.iter().map(|i| self.number(*i).to_string()).collect();
        format!("{} {}", self.word(numbers.len() > 1), numbers.join(", "))
    }
}

const DATE_FORMATS: [&str; 4] = ["%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"];
const DATETIME_FORMATS: [&str; 8] = [
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
];
const TRUE_WORDS: [&str; 6] = ["true", "1", "ja", "j", "sand", "x"];
const FALSE_WORDS: [&str; 5] = ["false", "0", "nej", "n", "falsk"];

/// A CPR number with its hyphen, `DDMMYY-SSSS`, with a valid day and month.
const CPR_WITH_HYPHEN: &str = r"^\s*(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{2}-[0-9]{4}\s*$";
/// Ten digits whose first six are a valid `DDMMYY`.
const CPR_TEN_DIGITS: &str = r"^\s*(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{6}\s*$";

fn strptime(format: &str) -> StrptimeOptions {
    StrptimeOptions { format: Some(format.into()), strict: false, exact: true, cache: true }
}

fn datetime_type() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, None)
}

/// The expression turning column `name` of type `actual` into `target`, or
/// None when no conversion makes sense (a date column where a number is due).
fn coerce(name: &str, actual: &DataType, target: ColumnType) -> Option<Expr> {
    let c = col(name);
    let text = || c.clone().str().strip_chars(lit(Null {}));
    Some(match (target, actual) {
        // A column already of the type is left as it is: a cast, even to
        // the same type, would keep a filter on it from reaching the
        // Parquet reader, which skips the row groups the filter rules out.
        (ColumnType::String, DataType::String)
        | (ColumnType::Int, DataType::Int64)
        | (ColumnType::Float, DataType::Float64)
        | (ColumnType::Datetime, DataType::Datetime(TimeUnit::Microseconds, None)) => c,
        (ColumnType::String, dt) if dt.is_integer() => c.cast(DataType::String),
        (ColumnType::Int, dt) if dt.is_integer() => c.cast(DataType::Int64),
        (ColumnType::Int, DataType::String) => text().cast(DataType::Int64),
        (ColumnType::Float, dt) if dt.is_primitive_numeric() => c.cast(DataType::Float64),
        (ColumnType::Float, DataType::String) => {
            text().str().replace_all(lit(","), lit("."), true).cast(DataType::Float64)
        }
        (ColumnType::Bool, DataType::Boolean) => c,
        (ColumnType::Bool, dt) if dt.is_integer() => {
            when(c.clone().eq(lit(1))).then(lit(true)).when(c.eq(lit(0))).then(lit(false)).otherwise(lit(Null {}))
        }
        (ColumnType::Bool, DataType::String) => {
            let lower = text().str().to_lowercase();
            when(lower.clone().is_in(lit(Series::new("t".into(), TRUE_WORDS)).implode(false), false))
                .then(lit(true))
                .when(lower.is_in(lit(Series::new("f".into(), FALSE_WORDS)).implode(false), false))
                .then(lit(false))
                .otherwise(lit(Null {}).cast(DataType::Boolean))
        }
        (ColumnType::Date, DataType::Date) => c,
        (ColumnType::Date, DataType::Datetime(_, _)) => c.dt().date(),
        (ColumnType::Date, DataType::String) => {
            let parsed: Vec<Expr> = DATE_FORMATS.iter().map(|f| text().str().to_date(strptime(f))).collect();
            coalesce(&parsed)
        }
        (ColumnType::Datetime, DataType::Datetime(_, _)) | (ColumnType::Datetime, DataType::Date) => {
            c.cast(datetime_type())
        }
        (ColumnType::Datetime, DataType::String) => {
            let mut parsed: Vec<Expr> = DATETIME_FORMATS
                .iter()
                .map(|f| text().str().to_datetime(Some(TimeUnit::Microseconds), None, strptime(f), lit("raise")))
                .collect();
            parsed.extend(DATE_FORMATS.iter().map(|f| text().str().to_date(strptime(f)).cast(datetime_type())));
            coalesce(&parsed)
        }
        _ => return None,
    })
}

/// The typed form of a text column outside the schema: the first of whole
/// number, number, date, date and time, true/false that every value fits.
fn infer_text_column(frame: &LazyFrame, name: &str) -> Option<Expr> {
    let candidates: Vec<Expr> =
        [ColumnType::Int, ColumnType::Float, ColumnType::Date, ColumnType::Datetime, ColumnType::Bool]
            .iter()
            .filter_map(|t| coerce(name, &DataType::String, *t))
            .collect();
    let value = col(name);
    let failures: Vec<Expr> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| value.clone().is_not_null().and(c.clone().is_null()).sum().alias(format!("c{i}")))
        .chain([value.clone().is_not_null().sum().alias("present")])
        .collect();
    let counts = frame.clone().select(failures).collect().ok()?;
    let count = |name: &str| counts.column(name).ok()?.cast(&DataType::UInt64).ok()?.u64().ok()?.get(0);
    if count("present")? == 0 {
        return None;
    }
    (0..candidates.len()).find(|i| count(&format!("c{i}")) == Some(0)).map(|i| candidates[i].clone())
}

/// One question asked of a file: which rows fail, and how to say so.
struct Check {
    column: Option<String>,
    failing: Expr,
    /// Show the offending value in the message (never for CPR-like values).
    show_value: bool,
    message: String,
    /// The file fails only when the failing rows are more than half of the
    /// column's values (a pattern that random ids match now and then).
    majority: bool,
}

/// Types the file's columns as the schema says and runs every check
/// (none when `checked`: the same file passed them before).
/// Returns the typed frame, or every problem found.
pub fn validate_file(
    path: &Path,
    frame: LazyFrame,
    schema: Option<&TableSchema>,
    numbering: RowNumbering,
    checked: bool,
) -> Result<LazyFrame, Vec<DataError>> {
    let mut frame = frame;
    let actual = frame.collect_schema().map_err(|e| vec![DataError::file(path, e.to_string())])?;
    let mut errors = Vec::new();
    let mut typed: Vec<Expr> = Vec::new();
    let mut checks: Vec<Check> = Vec::new();

    if let Some(schema) = schema {
        for column in &schema.columns {
            let Some(dtype) = actual.get(&column.name) else {
                if column.optional {
                    continue;
                }
                errors.push(DataError::column(
                    path,
                    &column.name,
                    format!(
                        "the column is missing; expected {} ({}). Columns found: {}",
                        column.kind.expected(),
                        column.description,
                        super::clip(&actual.iter_names().map(|n| super::clip(n)).collect::<Vec<_>>().join(", "))
                    ),
                ));
                continue;
            };
            let Some(converted) = coerce(&column.name, dtype, column.kind) else {
                errors.push(DataError::column(
                    path,
                    &column.name,
                    format!("the column has type {dtype}, expected {}", column.kind.expected()),
                ));
                continue;
            };
            let value = col(column.name.as_str());
            checks.push(Check {
                column: Some(column.name.clone()),
                failing: value.clone().is_not_null().and(converted.clone().is_null()),
                show_value: true,
                message: format!("is not {}", column.kind.expected()),
                majority: false,
            });
            if !column.nullable {
                checks.push(Check {
                    column: Some(column.name.clone()),
                    failing: value.clone().is_null(),
                    show_value: false,
                    message: "is empty; the column must have a value in every row".into(),
                    majority: false,
                });
            }
            if !column.values.is_empty() {
                let allowed = Series::new("allowed".into(), column.values.clone());
                checks.push(Check {
                    column: Some(column.name.clone()),
                    failing: converted
                        .clone()
                        .is_not_null()
                        .and(converted.clone().is_in(lit(allowed).implode(false), false).not()),
                    show_value: true,
                    message: format!("is not one of the allowed values: {}", column.values.join(", ")),
                    majority: false,
                });
            }
            if let Some(min) = column.min {
                checks.push(Check {
                    column: Some(column.name.clone()),
                    failing: converted.clone().lt(lit(min)),
                    show_value: true,
                    message: format!("is below the smallest allowed value {min}"),
                    majority: false,
                });
            }
            if let Some(max) = column.max {
                checks.push(Check {
                    column: Some(column.name.clone()),
                    failing: converted.clone().gt(lit(max)),
                    show_value: true,
                    message: format!("is above the largest allowed value {max}"),
                    majority: false,
                });
            }
            typed.push(converted.alias(column.name.as_str()));
        }
    }
    // Columns outside the schema: text from CSV is typed by what it holds.
    for (name, dtype) in actual.iter() {
        if schema.is_some_and(|s| s.column(name).is_some()) {
            continue;
        }
        let inferred = match (dtype, numbering) {
            (DataType::String, RowNumbering::CsvLine) => infer_text_column(&frame, name),
            _ => None,
        };
        typed.push(inferred.unwrap_or_else(|| col(name.as_str())).alias(name.as_str()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    for (name, dtype) in actual.iter() {
        checks.extend(cpr_checks(name, dtype));
    }
    // The same files passed these checks before.
    if checked {
        checks.clear();
    }
    errors.extend(run_checks(path, &frame, &checks, numbering)?);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(frame.select(typed))
}

/// The checks that refuse columns holding CPR numbers: a column is refused
/// when any value has the `DDMMYY-SSSS` form, or when more than half of its
/// values are ten digits starting with a valid `DDMMYY` (random ten-digit
/// ids start with a valid date only about 4 % of the time).
fn cpr_checks(name: &str, dtype: &DataType) -> Vec<Check> {
    let c = col(name);
    let (hyphenated, ten_digits) = match dtype {
        DataType::String => {
            (Some(c.clone().str().contains(lit(CPR_WITH_HYPHEN), true)), c.str().contains(lit(CPR_TEN_DIGITS), true))
        }
        dt if dt.is_integer() => {
            // Leading zeros are lost in number columns: 0101501234 is 101501234.
            let v = c.cast(DataType::Int64);
            let day = v.clone() / lit(100_000_000i64);
            let month = (v.clone() / lit(1_000_000i64)) % lit(100i64);
            let looks = v
                .clone()
                .gt_eq(lit(100_000_000i64))
                .and(v.lt(lit(10_000_000_000i64)))
                .and(day.clone().gt_eq(lit(1)))
                .and(day.lt_eq(lit(31)))
                .and(month.clone().gt_eq(lit(1)))
                .and(month.lt_eq(lit(12)));
            (None, looks)
        }
        _ => return Vec::new(),
    };
    let check = |failing: Expr, majority: bool| Check {
        column: Some(name.to_string()),
        failing,
        show_value: false,
        message: "looks like a CPR number; kvalitet takes pseudonymised data only (replace CPR numbers with a \
                  pseudonymous id such as borger_id). Nothing is computed from this file"
            .into(),
        majority,
    };
    hyphenated.map(|h| check(h, false)).into_iter().chain([check(ten_digits, true)]).collect()
}

/// Runs `checks` on a file in one streaming pass — per check, how many
/// rows fail and the first of them — so that a file larger than memory is
/// checked in bounded memory; the values shown in messages are read
/// afterwards, in one pass over the first failing rows only.
fn run_checks(
    path: &Path,
    frame: &LazyFrame,
    checks: &[Check],
    numbering: RowNumbering,
) -> Result<Vec<DataError>, Vec<DataError>> {
    if checks.is_empty() {
        return Ok(Vec::new());
    }
    let failed = |e: PolarsError| vec![DataError::file(path, crate::data::polars_message(&e))];
    let indexed = frame.clone().with_row_index("__row", None);
    let mut aggregates = Vec::new();
    for (i, check) in checks.iter().enumerate() {
        let failing = check.failing.clone().fill_null(lit(false));
        aggregates.push(failing.clone().cast(DataType::UInt64).sum().alias(format!("n{i}")));
        aggregates.push(
            when(failing)
                .then(col("__row").cast(DataType::UInt64))
                .otherwise(lit(Null {}))
                .min()
                .alias(format!("r{i}")),
        );
        if let (true, Some(column)) = (check.majority, &check.column) {
            aggregates.push(col(column.as_str()).is_not_null().cast(DataType::UInt64).sum().alias(format!("p{i}")));
        }
    }
    let counts = indexed.clone().select(aggregates).collect_with_engine(Engine::Streaming).map_err(failed)?;
    let counts = counts.unwrap_single();
    let number = |name: String| counts.column(&name).ok().and_then(|c| c.u64().ok()?.get(0));
    // The failing checks, with their first failing row.
    let found: Vec<(&Check, u64, Option<u64>)> = checks
        .iter()
        .enumerate()
        .filter_map(|(i, check)| {
            let n = number(format!("n{i}")).unwrap_or(0);
            let fails = n > 0 && !(check.majority && 2 * n <= number(format!("p{i}")).unwrap_or(0));
            fails.then(|| (check, n, number(format!("r{i}"))))
        })
        .collect();
    // The values the messages show, read in one more pass over those rows.
    let shown: Vec<(&str, u64)> = found
        .iter()
        .filter_map(|(check, _, row)| Some((check.column.as_deref().filter(|_| check.show_value)?, (*row)?)))
        .collect();
    let values = if shown.is_empty() {
        DataFrame::empty()
    } else {
        let rows = Series::new("rows".into(), shown.iter().map(|(_, r)| *r).collect::<Vec<u64>>());
        let mut columns: Vec<&str> = shown.iter().map(|(c, _)| *c).collect();
        columns.sort_unstable();
        columns.dedup();
        indexed
            .clone()
            .with_column(col("__row").cast(DataType::UInt64))
            .filter(col("__row").is_in(lit(rows).implode(false), false))
            .select(
                std::iter::once(col("__row"))
                    .chain(columns.iter().map(|c| col(*c).cast(DataType::String)))
                    .collect::<Vec<_>>(),
            )
            .collect()
            .map_err(failed)?
    };
    let value_at = |column: &str, row: u64| -> Option<String> {
        let at = values.column("__row").ok()?.u64().ok()?.iter().position(|r| r == Some(row))?;
        values.column(column).ok()?.str().ok()?.get(at).map(str::to_string)
    };
    let mut errors = Vec::new();
    for (check, n, row) in found {
        let value = match (&check.column, check.show_value, row) {
            (Some(column), true, Some(row)) => value_at(column, row),
            _ => None,
        };
        let mut message = match value {
            Some(v) => format!("{} {}", super::quote(&v), check.message),
            None => format!("the value {}", check.message),
        };
        if n > 1 {
            message.push_str(&format!(" ({n} rows like this)"));
        }
        errors.push(DataError {
            file: path.to_path_buf(),
            row: row.map(|r| numbering.describe(r)),
            column: check.column.clone(),
            message,
        });
    }
    Ok(errors)
}

/// Seeds of the key hash (any fixed values do).
const KEY_HASH_SEEDS: [u64; 4] = [0x6b76_616c, 0x6974_6574, 0x6e_6f67_6c65, 0x7365_6564];

/// Checks that the key columns identify rows in `frame`; the message names
/// the first duplicated key.
pub fn check_unique_key(
    table: &str,
    files: &[std::path::PathBuf],
    frame: &LazyFrame,
    key: &[String],
    numbering: RowNumbering,
) -> Result<(), DataError> {
    let keys: Vec<Expr> = key.iter().map(|k| col(k.as_str())).collect();
    let failed = |e: PolarsError| DataError::file(&files[0], crate::data::polars_message(&e));
    // The key's 64-bit hashes, read in a streaming pass and sorted, show
    // which hashes repeat while holding 8 bytes per row instead of the key
    // (a hash table of the keys themselves took 10 GB for the 68 million
    // visits of the national data); only rows with such a hash are then
    // compared by their key (a repeated hash is nearly always a repeated
    // key, but not always).
    let hash = keys
        .iter()
        .map(|k| k.clone().hash(KEY_HASH_SEEDS[0], KEY_HASH_SEEDS[1], KEY_HASH_SEEDS[2], KEY_HASH_SEEDS[3]))
        .reduce(|h, next| h * lit(0x0000_0100_0000_01b3u64) + next)
        .expect("a key has columns")
        .alias("__hash");
    let hashes = frame.clone().select([hash.clone()]).collect_with_engine(Engine::Streaming).map_err(failed)?;
    let mut sorted: Vec<u64> = {
        let hashes = hashes.unwrap_single();
        let column = hashes.column("__hash").map_err(failed)?.u64().map_err(failed)?;
        column.iter().flatten().collect()
    };
    sorted.sort_unstable();
    let mut repeated: Vec<u64> = sorted.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    drop(sorted);
    if repeated.is_empty() {
        return Ok(());
    }
    repeated.dedup();
    let repeated = Series::new("repeated".into(), repeated);
    let duplicates = frame
        .clone()
        .filter(hash.is_in(lit(repeated).implode(false), false))
        .group_by(keys.clone())
        .agg([len().alias("__n")])
        .filter(col("__n").gt(lit(1)))
        .sort(key.to_vec(), SortMultipleOptions::default())
        .limit(1)
        .collect()
        .map_err(failed)?;
    let shown: Vec<String> = key
        .iter()
        .map(|k| {
            let value = duplicates
                .column(k)
                .ok()
                .and_then(|c| c.cast(&DataType::String).ok())
                .and_then(|c| c.str().ok().and_then(|s| s.get(0).map(str::to_string)))
                .unwrap_or_default();
            format!("{k}={}", super::clip(&value))
        })
        .collect();
    let count = duplicates.column("__n").ok().and_then(|c| c.u32().ok().and_then(|c| c.get(0))).unwrap_or(2);
    let rows = row_numbers_of(frame, key, &duplicates).map(|rows| numbering.describe_all(&rows));
    Err(DataError {
        file: files[0].clone(),
        row: rows,
        column: Some(key.join(", ")),
        message: format!(
            "duplicate key {} ({count} rows); each row of table {table} must have its own {}",
            shown.join(", "),
            key.join(" + ")
        ),
    })
}

/// The 0-based indices of the first rows carrying the duplicated key.
fn row_numbers_of(frame: &LazyFrame, key: &[String], duplicate: &DataFrame) -> Option<Vec<u64>> {
    let mut condition = lit(true);
    for k in key {
        let value = duplicate.column(k).ok()?.get(0).ok()?.into_static();
        condition =
            condition.and(col(k.as_str()).eq(lit(Scalar::new(duplicate.column(k).ok()?.dtype().clone(), value))));
    }
    let rows =
        frame.clone().with_row_index("__row", None).filter(condition).select([col("__row")]).limit(5).collect().ok()?;
    Some(rows.column("__row").ok()?.cast(&DataType::UInt64).ok()?.u64().ok()?.into_no_null_iter().collect())
}
