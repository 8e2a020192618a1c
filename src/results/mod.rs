//! The results model: one row per measure × period × unit level × unit ×
//! stratum, as typed rows ([`ResultRow`]) and as the long table written to
//! Parquet and CSV ([`Results`]).
//!
//! | file | owns |
//! | --- | --- |
//! | [`schema`] | the columns, their types and order — the one definition |
//! | [`statistics`] | intervals, suppression, markers and SPC as a pass over rows (plus earlier rows, when given) |
//! | this file | typed rows, conversion to and from frames, the writer, the reader, the people's CSV |
//!
//! Results written by an earlier run read back as typed rows
//! ([`Results::read`]), and the statistics can be recomputed from them
//! without running a rule: every row keeps its measure kind, rate
//! multiplier, the standard deviation of a mean and the sorted values of a
//! median.

pub mod schema;
pub mod statistics;

pub use statistics::{Earlier, MeasureSettings, StatisticsOptions};

use crate::engine::{MeasureKind, Period};
use crate::error::{Error, Result};
use crate::stats::{CiMethod, Development, Level, SuppressionReason};
use polars::prelude::*;
use schema::{COLUMNS, ColumnType, Role};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The levels results are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitLevel {
    Kommune,
    Plejeenhed,
    Region,
}

impl UnitLevel {
    /// All levels, in report order.
    pub const ALL: [UnitLevel; 3] = [Self::Kommune, Self::Plejeenhed, Self::Region];

    /// Parses `kommune`, `plejeenhed` or `region`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.name() == text.trim())
    }

    /// The name in the results' `unit_level` column.
    pub fn name(self) -> &'static str {
        match self {
            Self::Kommune => "kommune",
            Self::Plejeenhed => "plejeenhed",
            Self::Region => "region",
        }
    }
}

/// Where a number came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Provenance {
    /// The run: UTC time and the start of the inputs' hash.
    pub run_id: String,
    /// SHA-256 of the rule's source.
    pub rule_sha256: String,
    /// SHA-256 over every input file.
    pub inputs_sha256: String,
    pub catalog_version: String,
}

/// What the level marker compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelReference {
    /// The published national value.
    National,
    /// The value over all units in the data.
    Overall,
}

impl LevelReference {
    /// `"national"` or `"overall"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::National => "national",
            Self::Overall => "overall",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::National, Self::Overall].into_iter().find(|r| r.as_str() == text)
    }
}

/// What one rule's rows were evaluated from: its hash, the hashes of the
/// tables it read, the catalogue's version, and the periods. A store skips
/// a rule × period pair whose inputs are unchanged.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RuleInputs {
    pub rule_sha256: String,
    pub tables: std::collections::BTreeMap<String, String>,
    pub catalog_version: String,
    /// Period labels (`2025-03`).
    pub periods: Vec<String>,
}

/// Run-chart and control-chart outputs for one point of a series.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spc {
    pub median: Option<f64>,
    pub run_signal: Option<bool>,
    pub crossings_signal: Option<bool>,
    pub lcl: Option<f64>,
    pub ucl: Option<f64>,
    pub outside: Option<bool>,
}

/// The statistics of one row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowStatistics {
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub ci_method: Option<CiMethod>,
    pub suppressed: bool,
    pub suppression_reason: Option<SuppressionReason>,
    pub development: Option<Development>,
    pub level: Option<Level>,
    pub level_reference: Option<LevelReference>,
    pub national_value: Option<f64>,
    pub overall_value: Option<f64>,
    pub spc: Spc,
}

/// A text many result rows share (a measure id, a unit's code and name, a
/// stratum), stored once: nationally a run has millions of rows and a few
/// thousand distinct labels, and a `String` per row and field was a
/// gigabyte.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label(Arc<str>);

impl Label {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Label {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Label {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Label {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for Label {
    fn from(text: &str) -> Self {
        Label(text.into())
    }
}

impl From<String> for Label {
    fn from(text: String) -> Self {
        Label(text.into())
    }
}

impl PartialEq<str> for Label {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Label {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Label {
    fn eq(&self, other: &String) -> bool {
        &*self.0 == other.as_str()
    }
}

impl PartialEq<Label> for String {
    fn eq(&self, other: &Label) -> bool {
        self.as_str() == &*other.0
    }
}

impl From<&Label> for String {
    fn from(label: &Label) -> Self {
        label.0.to_string()
    }
}

/// Hands out one shared [`Label`] per distinct text.
#[derive(Default)]
struct Labels(std::collections::HashSet<Label>);

impl Labels {
    fn get(&mut self, text: &str) -> Label {
        if let Some(label) = self.0.get(text) {
            return label.clone();
        }
        let label = Label::from(text);
        self.0.insert(label.clone());
        label
    }
}

/// One result row.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    pub measure_id: Label,
    pub period: Period,
    pub unit_level: UnitLevel,
    pub unit_code: Label,
    pub unit_name: Label,
    pub stratum: Label,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// Empty for a suppressed row.
    pub value: Option<f64>,
    pub kind: MeasureKind,
    /// The standard deviation of a mean's values.
    pub value_sd: Option<f64>,
    /// The sorted values of a median (for its order-statistic interval).
    pub median_values: Option<Vec<f64>>,
    /// Shared by the rows of one rule in one run (millions of rows
    /// nationally; four strings each would be a gigabyte).
    pub provenance: Arc<Provenance>,
    /// `None` when statistics were not computed (boxed: a row waiting for
    /// its statistics is half the size).
    pub statistics: Option<Box<RowStatistics>>,
}

impl ResultRow {
    /// The value, or where suppression blanked it, the value computed from
    /// the counts (proportions, rates, counts and means keep their counts
    /// in Parquet); a suppressed median's value is gone.
    pub fn computed_value(&self) -> Option<f64> {
        self.value.or_else(|| match self.kind {
            MeasureKind::Count => self.numerator,
            MeasureKind::Median => None,
            _ => match (self.numerator, self.denominator) {
                (Some(x), Some(n)) if n > 0.0 => Some(x / n * self.kind.scale()),
                _ => None,
            },
        })
    }

    /// Whether the row is suppressed (never, when statistics are off).
    pub fn suppressed(&self) -> bool {
        self.statistics.as_ref().is_some_and(|s| s.suppressed)
    }
}

/// A results table: typed rows and the frame written to disk.
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub rows: Vec<ResultRow>,
}

impl Results {
    /// Rows sorted as written: measure, period, unit level, unit, stratum
    /// (rows with equal keys keep their order).
    pub fn new(mut rows: Vec<ResultRow>) -> Self {
        rows.sort_by(|a, b| {
            (a.measure_id.as_str(), a.period.start, a.unit_level.name(), a.unit_code.as_str(), a.stratum.as_str()).cmp(
                &(b.measure_id.as_str(), b.period.start, b.unit_level.name(), b.unit_code.as_str(), b.stratum.as_str()),
            )
        });
        Self { rows }
    }

    /// Whether the rows carry statistics.
    pub fn has_statistics(&self) -> bool {
        self.rows.first().is_some_and(|r| r.statistics.is_some())
    }

    /// The long table with every column of [`schema::COLUMNS`] (the
    /// statistics columns only when computed).
    pub fn to_frame(&self) -> DataFrame {
        to_frame(&self.rows, self.has_statistics())
    }

    /// Reads a results table written by [`write()`] (Parquet, or the
    /// people's CSV, whose withheld counts read back empty).
    pub fn read(path: &Path) -> Result<Self> {
        let frame = read_frame(path)?;
        let rows = from_frame(&frame).map_err(|message| Error::Results { file: path.to_path_buf(), message })?;
        Ok(Self { rows })
    }

    /// The results of one measure.
    pub fn measure(&self, id: &str) -> impl Iterator<Item = &ResultRow> {
        self.rows.iter().filter(move |r| r.measure_id == id)
    }
}

fn read_frame(path: &Path) -> Result<DataFrame> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let frame = if is_csv {
        let schema: Schema = COLUMNS
            .iter()
            .filter(|c| c.for_people)
            .map(|c| {
                // Dates are parsed below; booleans and text read as they are.
                let dtype = if c.column_type == ColumnType::Date { DataType::String } else { c.column_type.dtype() };
                Field::new(c.name.into(), dtype)
            })
            .collect();
        let frame = CsvReadOptions::default()
            .with_has_header(true)
            .with_schema_overwrite(Some(std::sync::Arc::new(schema)))
            .into_reader_with_file_handle(file)
            .finish();
        frame.and_then(|f| {
            f.lazy()
                .with_columns([
                    col("period_start").str().to_date(StrptimeOptions::default()),
                    col("period_end").str().to_date(StrptimeOptions::default()),
                ])
                .collect()
        })
    } else {
        ParquetReader::new(file).finish()
    };
    frame.map_err(|e| Error::Results {
        file: path.to_path_buf(),
        message: format!("cannot read it as a results table: {}", crate::data::polars_message(&e)),
    })
}

/// A typed column reader over a frame, with messages naming the column.
struct Reader<'a> {
    frame: &'a DataFrame,
}

impl Reader<'_> {
    fn column(&self, name: &str) -> std::result::Result<Option<Column>, String> {
        let Some(found) = self.frame.column(name).ok() else {
            let required = schema::column_named(name).is_some_and(|c| c.role == Role::Core);
            return if required { Err(format!("column {name} is missing")) } else { Ok(None) };
        };
        let dtype = schema::column_named(name).map(|c| c.column_type.dtype()).unwrap_or(DataType::String);
        found
            .cast(&dtype)
            .map(Some)
            .map_err(|e| format!("column {name} is not {dtype}: {}", crate::data::polars_message(&e)))
    }

    fn text(&self, name: &str) -> std::result::Result<Vec<Option<String>>, String> {
        Ok(match self.column(name)? {
            Some(c) => c.str().map_err(|e| e.to_string())?.iter().map(|v| v.map(str::to_string)).collect(),
            None => vec![None; self.frame.height()],
        })
    }

    fn float(&self, name: &str) -> std::result::Result<Vec<Option<f64>>, String> {
        Ok(match self.column(name)? {
            Some(c) => c.f64().map_err(|e| e.to_string())?.iter().collect(),
            None => vec![None; self.frame.height()],
        })
    }

    fn boolean(&self, name: &str) -> std::result::Result<Vec<Option<bool>>, String> {
        Ok(match self.column(name)? {
            Some(c) => c.bool().map_err(|e| e.to_string())?.iter().collect(),
            None => vec![None; self.frame.height()],
        })
    }

    fn date(&self, name: &str) -> std::result::Result<Vec<Option<chrono::NaiveDate>>, String> {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
        Ok(match self.column(name)? {
            Some(c) => c
                .date()
                .map_err(|e| e.to_string())?
                .physical()
                .iter()
                .map(|d| d.and_then(|d| epoch.checked_add_signed(chrono::TimeDelta::days(d.into()))))
                .collect(),
            None => vec![None; self.frame.height()],
        })
    }

    fn lists(&self, name: &str) -> std::result::Result<Vec<Option<Vec<f64>>>, String> {
        Ok(match self.column(name)? {
            Some(c) => {
                let lists = c.list().map_err(|e| e.to_string())?;
                (0..lists.len())
                    .map(|i| lists.get_as_series(i).and_then(|s| s.f64().ok().map(|v| v.iter().flatten().collect())))
                    .collect()
            }
            None => vec![None; self.frame.height()],
        })
    }
}

/// The text in row `i` of a column that must have one; `at` names the
/// place in the message.
fn required<'a>(
    values: &'a [Option<String>],
    i: usize,
    at: &dyn Fn(&str) -> String,
    column: &str,
) -> std::result::Result<&'a str, String> {
    values[i].as_deref().ok_or_else(|| format!("{}: empty, expected a value", at(column)))
}

/// Typed rows from a results frame; the message names the column and row.
pub fn from_frame(frame: &DataFrame) -> std::result::Result<Vec<ResultRow>, String> {
    let r = Reader { frame };
    let (measure, start, end) = (r.text("measure_id")?, r.date("period_start")?, r.date("period_end")?);
    let (level, unit, name, stratum) =
        (r.text("unit_level")?, r.text("unit_code")?, r.text("unit_name")?, r.text("stratum")?);
    let (numerator, denominator, value) = (r.float("numerator")?, r.float("denominator")?, r.float("value")?);
    let (run_id, rule, inputs, catalog) =
        (r.text("run_id")?, r.text("rule_sha256")?, r.text("inputs_sha256")?, r.text("catalog_version")?);
    let (kind, per, sd, values) =
        (r.text("measure_kind")?, r.float("rate_per")?, r.float("value_sd")?, r.lists("median_values")?);
    let with_statistics = frame.column("suppressed").is_ok();
    let (ci_low, ci_high, ci_method) = (r.float("ci_low")?, r.float("ci_high")?, r.text("ci_method")?);
    let (suppressed, reason) = (r.boolean("suppressed")?, r.text("suppression_reason")?);
    let (development, level_marker, reference) = (r.text("development")?, r.text("level")?, r.text("level_reference")?);
    let (national, overall) = (r.float("national_value")?, r.float("overall_value")?);
    let (spc_median, spc_run, spc_crossings) =
        (r.float("spc_median")?, r.boolean("spc_run_signal")?, r.boolean("spc_crossings_signal")?);
    let (spc_lcl, spc_ucl, spc_outside) = (r.float("spc_lcl")?, r.float("spc_ucl")?, r.boolean("spc_outside")?);

    let mut rows: Vec<ResultRow> = Vec::with_capacity(frame.height());
    let mut labels = Labels::default();
    for i in 0..frame.height() {
        // Rows of one rule in one run share their provenance.
        let read = Provenance {
            run_id: run_id[i].clone().unwrap_or_default(),
            rule_sha256: rule[i].clone().unwrap_or_default(),
            inputs_sha256: inputs[i].clone().unwrap_or_default(),
            catalog_version: catalog[i].clone().unwrap_or_default(),
        };
        let provenance = match rows.last() {
            Some(previous) if *previous.provenance == read => Arc::clone(&previous.provenance),
            _ => Arc::new(read),
        };
        let at = |column: &str| format!("row {}: column {column}", i + 1);
        let (Some(start), Some(end)) = (start[i], end[i]) else {
            return Err(format!("{}: empty, expected a date", at("period_start/period_end")));
        };
        let period = Period::from_dates(start, end)
            .ok_or_else(|| format!("{}: {start} to {end} is not a month, quarter or year", at("period_start")))?;
        let unit_level = required(&level, i, &at, "unit_level")?;
        let unit_level = UnitLevel::parse(unit_level)
            .ok_or_else(|| format!("{}: {unit_level:?} is not kommune, plejeenhed or region", at("unit_level")))?;
        // Files written before the kind was stored read as proportions
        // when they have a denominator, else as counts.
        let kind_name = kind[i]
            .clone()
            .unwrap_or_else(|| if denominator[i].is_some() { "proportion".to_string() } else { "count".to_string() });
        let measure_kind = MeasureKind::parse(&kind_name, per[i])
            .ok_or_else(|| format!("{}: unknown measure kind {kind_name:?}", at("measure_kind")))?;
        let parse = |values: &[Option<String>], column: &str, known: &dyn Fn(&str) -> bool| match &values[i] {
            Some(text) if !known(text) => Err(format!("{}: unknown value {text:?}", at(column))),
            _ => Ok(()),
        };
        parse(&ci_method, "ci_method", &|t| CiMethod::parse(t).is_some())?;
        parse(&development, "development", &|t| Development::parse(t).is_some())?;
        parse(&level_marker, "level", &|t| Level::parse(t).is_some())?;
        parse(&reference, "level_reference", &|t| LevelReference::parse(t).is_some())?;
        parse(&reason, "suppression_reason", &|t| SuppressionReason::parse_da(t).is_some())?;
        let statistics = with_statistics.then(|| {
            Box::new(RowStatistics {
                ci_low: ci_low[i],
                ci_high: ci_high[i],
                ci_method: ci_method[i].as_deref().and_then(CiMethod::parse),
                suppressed: suppressed[i].unwrap_or(false),
                suppression_reason: reason[i].as_deref().and_then(SuppressionReason::parse_da),
                development: development[i].as_deref().and_then(Development::parse),
                level: level_marker[i].as_deref().and_then(Level::parse),
                level_reference: reference[i].as_deref().and_then(LevelReference::parse),
                national_value: national[i],
                overall_value: overall[i],
                spc: Spc {
                    median: spc_median[i],
                    run_signal: spc_run[i],
                    crossings_signal: spc_crossings[i],
                    lcl: spc_lcl[i],
                    ucl: spc_ucl[i],
                    outside: spc_outside[i],
                },
            })
        });
        let unit_name = name[i].as_deref().or(unit[i].as_deref()).unwrap_or_default();
        rows.push(ResultRow {
            measure_id: labels.get(required(&measure, i, &at, "measure_id")?),
            period,
            unit_level,
            unit_code: labels.get(required(&unit, i, &at, "unit_code")?),
            unit_name: labels.get(unit_name),
            stratum: labels.get(required(&stratum, i, &at, "stratum")?),
            numerator: numerator[i],
            denominator: denominator[i],
            value: value[i],
            kind: measure_kind,
            value_sd: sd[i],
            median_values: values[i].clone(),
            provenance,
            statistics,
        });
    }
    Ok(rows)
}

/// The long table of `rows`; the statistics columns only when
/// `with_statistics`.
pub fn to_frame(rows: &[ResultRow], with_statistics: bool) -> DataFrame {
    let stats = |f: &dyn Fn(&RowStatistics) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter().map(|r| r.statistics.as_deref().and_then(f)).collect()
    };
    let flags = |f: &dyn Fn(&RowStatistics) -> Option<bool>| -> Vec<Option<bool>> {
        rows.iter().map(|r| r.statistics.as_deref().and_then(f)).collect()
    };
    let texts = |f: &dyn Fn(&RowStatistics) -> Option<String>| -> Vec<Option<String>> {
        rows.iter().map(|r| r.statistics.as_deref().and_then(f)).collect()
    };
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let days = |d: chrono::NaiveDate| (d - epoch).num_days() as i32;
    let mut columns = Vec::with_capacity(COLUMNS.len());
    for c in COLUMNS.iter().filter(|c| with_statistics || c.role != Role::Statistics) {
        let name: PlSmallStr = c.name.into();
        let column = match c.name {
            "measure_id" => Column::new(name, rows.iter().map(|r| r.measure_id.as_str()).collect::<Vec<_>>()),
            "period_start" => Column::new(name, rows.iter().map(|r| days(r.period.start)).collect::<Vec<_>>()),
            "period_end" => Column::new(name, rows.iter().map(|r| days(r.period.end)).collect::<Vec<_>>()),
            "unit_level" => Column::new(name, rows.iter().map(|r| r.unit_level.name()).collect::<Vec<_>>()),
            "unit_code" => Column::new(name, rows.iter().map(|r| r.unit_code.as_str()).collect::<Vec<_>>()),
            "unit_name" => Column::new(name, rows.iter().map(|r| r.unit_name.as_str()).collect::<Vec<_>>()),
            "stratum" => Column::new(name, rows.iter().map(|r| r.stratum.as_str()).collect::<Vec<_>>()),
            "numerator" => Column::new(name, rows.iter().map(|r| r.numerator).collect::<Vec<_>>()),
            "denominator" => Column::new(name, rows.iter().map(|r| r.denominator).collect::<Vec<_>>()),
            "value" => Column::new(name, rows.iter().map(|r| r.value).collect::<Vec<_>>()),
            "run_id" => Column::new(name, rows.iter().map(|r| r.provenance.run_id.as_str()).collect::<Vec<_>>()),
            "rule_sha256" => {
                Column::new(name, rows.iter().map(|r| r.provenance.rule_sha256.as_str()).collect::<Vec<_>>())
            }
            "inputs_sha256" => {
                Column::new(name, rows.iter().map(|r| r.provenance.inputs_sha256.as_str()).collect::<Vec<_>>())
            }
            "catalog_version" => {
                Column::new(name, rows.iter().map(|r| r.provenance.catalog_version.as_str()).collect::<Vec<_>>())
            }
            "ci_low" => Column::new(name, stats(&|s| s.ci_low)),
            "ci_high" => Column::new(name, stats(&|s| s.ci_high)),
            "ci_method" => Column::new(name, texts(&|s| s.ci_method.map(|m| m.as_str().to_string()))),
            "suppressed" => Column::new(name, flags(&|s| Some(s.suppressed))),
            "suppression_reason" => Column::new(name, texts(&|s| s.suppression_reason.map(|r| r.label_da()))),
            "development" => Column::new(name, texts(&|s| s.development.map(|d| d.as_str().to_string()))),
            "level" => Column::new(name, texts(&|s| s.level.map(|l| l.as_str().to_string()))),
            "level_reference" => Column::new(name, texts(&|s| s.level_reference.map(|l| l.as_str().to_string()))),
            "national_value" => Column::new(name, stats(&|s| s.national_value)),
            "overall_value" => Column::new(name, stats(&|s| s.overall_value)),
            "spc_median" => Column::new(name, stats(&|s| s.spc.median)),
            "spc_run_signal" => Column::new(name, flags(&|s| s.spc.run_signal)),
            "spc_crossings_signal" => Column::new(name, flags(&|s| s.spc.crossings_signal)),
            "spc_lcl" => Column::new(name, stats(&|s| s.spc.lcl)),
            "spc_ucl" => Column::new(name, stats(&|s| s.spc.ucl)),
            "spc_outside" => Column::new(name, flags(&|s| s.spc.outside)),
            "measure_kind" => Column::new(name, rows.iter().map(|r| r.kind.name()).collect::<Vec<_>>()),
            "rate_per" => Column::new(name, rows.iter().map(|r| r.kind.per()).collect::<Vec<_>>()),
            "value_sd" => Column::new(name, rows.iter().map(|r| r.value_sd).collect::<Vec<_>>()),
            "median_values" => {
                let lists: Vec<Option<Series>> = rows
                    .iter()
                    .map(|r| r.median_values.as_ref().map(|v| Series::new(PlSmallStr::EMPTY, v.as_slice())))
                    .collect();
                let mut series = Series::new(name, lists);
                if series.dtype() != &c.column_type.dtype() {
                    series = series.cast(&c.column_type.dtype()).expect("a list of floats casts to itself");
                }
                series.into_column()
            }
            other => unreachable!("every schema column is written; {other} is missing here"),
        };
        let column = if c.column_type == ColumnType::Date {
            column.cast(&DataType::Date).expect("days since the epoch are dates")
        } else {
            column
        };
        columns.push(column);
    }
    DataFrame::new_infer_height(columns).expect("columns of equal length")
}

/// The results as shown to people: the numerator and denominator of a
/// suppressed row are withheld too, not only its value, and list columns
/// are left out.
pub fn for_people(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let mut shown = frame.clone();
    for c in COLUMNS.iter().filter(|c| !c.for_people) {
        if shown.column(c.name).is_ok() {
            shown = shown.drop(c.name)?;
        }
    }
    if shown.column("suppressed").is_err() {
        return Ok(shown);
    }
    let withheld =
        |c: &str| when(col("suppressed")).then(lit(Null {}).cast(DataType::Float64)).otherwise(col(c)).alias(c);
    shown.lazy().with_columns([withheld("numerator"), withheld("denominator")]).collect()
}

/// Rows per piece of a results file: [`write()`] holds one piece's frame
/// at a time, not a frame of every row (nationally millions, next to the
/// rows themselves); also the Parquet row group size.
const ROWS_PER_PIECE: usize = 512 * 512;

/// Writes `results` as `results.parquet` (complete, for analysis) and
/// `results.csv` (for people: suppressed counts withheld) in `dir`
/// (created if missing) and returns the two paths. Each file is written
/// piece by piece to a temporary file and renamed into place.
pub fn write(results: &Results, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let parquet = dir.join("results.parquet");
    let csv = dir.join("results.csv");
    let with_statistics = results.has_statistics();
    let pieces = || results.rows.chunks(ROWS_PER_PIECE).map(|rows| to_frame(rows, with_statistics));
    let empty = to_frame(&[], with_statistics);
    write_atomically(&parquet, |file| {
        let mut writer = ParquetWriter::new(file).batched(empty.schema()).map_err(std::io::Error::other)?;
        for piece in pieces() {
            writer.write_batch(&piece).map_err(std::io::Error::other)?;
        }
        writer.finish().map(|_| ()).map_err(std::io::Error::other)
    })
    .map_err(|e| Error::io(&parquet, e))?;
    let shown_schema =
        for_people(&empty).map_err(|e| Error::query("withholding suppressed counts", &e))?.schema().clone();
    write_atomically(&csv, |file| {
        let mut writer =
            CsvWriter::new(file).include_header(true).batched(&shown_schema).map_err(std::io::Error::other)?;
        for piece in pieces() {
            writer.write_batch(&for_people(&piece).map_err(std::io::Error::other)?).map_err(std::io::Error::other)?;
        }
        writer.finish().map_err(std::io::Error::other)
    })
    .map_err(|e| Error::io(&csv, e))?;
    Ok(vec![parquet, csv])
}

/// Writes to a temporary file next to `path`, flushes it to disk and renames
/// it to `path`. On any error the temporary file is removed. The file gets
/// the permissions `File::create` would give it (readable by the group
/// and others under the usual umask), not a temporary file's owner-only.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kvalitet-").suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder.tempfile_in(dir)?;
    write(temp.as_file_mut())?;
    temp.as_file_mut().flush()?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
