//! Rule test cases: a small TOML file per rule with the data it is tried on
//! and the numbers worked out by hand (`tests/rules/<measure-id>.toml` for
//! the standard rules; an analyst keeps cases for their own rules the same
//! way, and `kvalitet test` checks them).
//!
//! ```toml
//! # Denominator: … = 4; numerator: … = 3. 3/4 = 75 %.
//! period = "2024-03"
//! fixture = "../fixtures/small"   # optional base data, relative to this file
//! [tables]                        # optional tables as CSV text, over the fixture
//! svar = """
//! undersoegelse;respondent_id;…
//! """
//! [[expect]]
//! level = "kommune"
//! unit = "461"
//! stratum = "alle"                # default
//! numerator = 3                   # numerator, denominator, value: each optional
//! denominator = 4
//! value = 75.0
//! ```
//!
//! `absent = true` in an `[[expect]]` says there is no such row;
//! `not_computable = true` at the top says the data lack a table or column
//! the rule needs. The case runs the one rule for the one period at every
//! unit level, without statistics (no suppression), in a fresh directory.

use super::{Request, Sources, Workspace};
use crate::engine::{Period, RulesSource};
use crate::error::{Error, Result};
use crate::results::{ResultRow, UnitLevel};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One case file.
#[derive(Debug, Clone)]
pub struct RuleCase {
    pub file: PathBuf,
    /// The measure (and rule) id: the file name without `.toml`.
    pub measure: String,
    pub period: Period,
    /// The base data directory, resolved against the case file's folder.
    pub fixture: Option<PathBuf>,
    /// Tables as CSV text, written over the fixture's.
    pub tables: BTreeMap<String, String>,
    pub expect: Vec<Expected>,
    /// The rule is expected to be not computable with these data.
    pub not_computable: bool,
}

/// One expected result row.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub level: UnitLevel,
    pub unit: String,
    pub stratum: String,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub value: Option<f64>,
    /// No row is expected.
    pub absent: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpected {
    level: String,
    unit: String,
    #[serde(default = "alle")]
    stratum: String,
    numerator: Option<f64>,
    denominator: Option<f64>,
    value: Option<f64>,
    #[serde(default)]
    absent: bool,
}

fn alle() -> String {
    "alle".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    period: String,
    fixture: Option<String>,
    #[serde(default)]
    tables: BTreeMap<String, String>,
    #[serde(default)]
    expect: Vec<RawExpected>,
    #[serde(default)]
    not_computable: bool,
}

impl RuleCase {
    /// Reads a case file.
    pub fn read(file: &Path) -> Result<Self> {
        let bad = |message: String| Error::Case { file: file.to_path_buf(), message };
        let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
        let raw: Raw = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let measure = file
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| bad("the file name is not a measure id".into()))?
            .to_string();
        let period = Period::parse(&raw.period)
            .ok_or_else(|| bad(format!("period \"{}\" is not YYYY-MM, YYYY-Qn or YYYY", raw.period)))?;
        if raw.expect.is_empty() && !raw.not_computable {
            return Err(bad("the case expects nothing: add [[expect]] rows or not_computable = true".into()));
        }
        let expect = raw
            .expect
            .into_iter()
            .map(|e| {
                let level = UnitLevel::parse(&e.level)
                    .ok_or_else(|| bad(format!("level \"{}\" is not kommune, plejeenhed or region", e.level)))?;
                let RawExpected { unit, stratum, numerator, denominator, value, absent, .. } = e;
                Ok(Expected { level, unit, stratum, numerator, denominator, value, absent })
            })
            .collect::<Result<Vec<_>>>()?;
        let folder = file.parent().unwrap_or(Path::new("."));
        Ok(Self {
            file: file.to_path_buf(),
            measure,
            period,
            fixture: raw.fixture.map(|f| folder.join(f)),
            tables: raw.tables,
            expect,
            not_computable: raw.not_computable,
        })
    }

    /// Every `*.toml` case in `dir`, by name.
    pub fn read_dir(dir: &Path) -> Result<Vec<Self>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        files.iter().map(|f| Self::read(f)).collect()
    }

    /// Runs the case's rule from `rules` on its data and returns what did
    /// not hold, one line each (empty when the case passes).
    pub fn check(&self, rules: &RulesSource) -> Result<Vec<String>> {
        let data = tempfile::tempdir().map_err(|e| Error::io(Path::new("temporary directory"), e))?;
        self.write_data(data.path())?;
        let sources = Sources { data: Some(data.path().to_path_buf()), catalog: None, rules: rules.clone() };
        let workspace = Workspace::open(&sources)?;
        let mut problems: Vec<String> = workspace.data_problems().iter().map(|p| format!("data: {p}")).collect();
        let rule = workspace.rule(&self.measure)?;
        let mut request = Request::new(vec![self.period.clone()], UnitLevel::ALL.to_vec());
        request.statistics.enabled = false;
        let rows = match workspace.evaluate(rule, &request) {
            Ok(results) => results.rows,
            Err(Error::Rule(error)) if error.not_computable && self.not_computable => return Ok(problems),
            Err(Error::Rule(error)) if error.not_computable => {
                problems.push(error.to_string());
                return Ok(problems);
            }
            Err(error) => return Err(error),
        };
        if self.not_computable {
            problems.push(format!("expected not computable, got {} rows", rows.len()));
        }
        for expected in &self.expect {
            problems.extend(compare(expected, &rows));
        }
        Ok(problems)
    }

    /// The fixture's files, then the case's tables over them.
    fn write_data(&self, dir: &Path) -> Result<()> {
        if let Some(fixture) = &self.fixture {
            for entry in std::fs::read_dir(fixture).map_err(|e| Error::io(fixture, e))? {
                let path = entry.map_err(|e| Error::io(fixture, e))?.path();
                let name = path.file_name().unwrap_or_default();
                if path.is_file() {
                    std::fs::copy(&path, dir.join(name)).map_err(|e| Error::io(&path, e))?;
                }
            }
        }
        for (table, text) in &self.tables {
            for other in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?.filter_map(|e| e.ok()) {
                if other.path().file_stem().is_some_and(|s| s == table.as_str()) {
                    std::fs::remove_file(other.path()).map_err(|e| Error::io(other.path(), e))?;
                }
            }
            let path = dir.join(format!("{table}.csv"));
            std::fs::write(&path, format!("{}\n", text.trim_matches('\n'))).map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    }
}

/// What differs between an expected row and the rows found.
fn compare(expected: &Expected, rows: &[ResultRow]) -> Vec<String> {
    let place = format!("{} {} {}", expected.level.name(), expected.unit, expected.stratum);
    let found = rows
        .iter()
        .find(|r| r.unit_level == expected.level && r.unit_code == expected.unit && r.stratum == expected.stratum);
    let Some(row) = found else {
        if expected.absent {
            return Vec::new();
        }
        let mut present: Vec<String> =
            rows.iter().map(|r| format!("{} {} {}", r.unit_level.name(), r.unit_code, r.stratum)).collect();
        present.sort();
        return vec![format!("{place}: no such row (rows: {})", present.join(", "))];
    };
    if expected.absent {
        return vec![format!("{place}: expected no row, found value {:?}", row.value)];
    }
    let mut problems = Vec::new();
    for (what, wanted, got) in [
        ("numerator", expected.numerator, row.numerator),
        ("denominator", expected.denominator, row.denominator),
        ("value", expected.value, row.value),
    ] {
        if let Some(wanted) = wanted
            && !got.is_some_and(|got| (got - wanted).abs() <= 1e-9 * wanted.abs().max(1.0))
        {
            problems.push(format!("{place}: {what} {got:?}, expected {wanted}"));
        }
    }
    problems
}
