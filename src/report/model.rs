//! What the pages are drawn from: the results indexed by measure and
//! series, the kommuner the report is about, each measure's main stratum
//! and latest row, and the catalogue's words for it.

use super::Selection;
use crate::catalog::{Area, Catalog};
use crate::display::format::ValueFormat;
use crate::display::measure_title;
use crate::results::{ResultRow, Results, UnitLevel};
use crate::stats::markers::Direction;
use std::collections::{BTreeMap, BTreeSet};

/// A unit the report shows: level, code and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unit {
    pub level: UnitLevel,
    pub code: String,
    pub name: String,
}

/// The results arranged for the pages.
pub struct Model<'a> {
    pub catalog: &'a Catalog,
    pub selection: &'a Selection,
    /// Rows by measure id, each list sorted by period, level, unit, stratum.
    by_measure: BTreeMap<&'a str, Vec<&'a ResultRow>>,
    /// The kommuner in the results, by name.
    pub kommuner: Vec<Unit>,
    /// Run ids and catalogue versions of the rows, for the footer.
    pub runs: BTreeSet<&'a str>,
    pub catalog_versions: BTreeSet<&'a str>,
}

impl<'a> Model<'a> {
    /// Indexes `results`.
    pub fn new(results: &'a Results, catalog: &'a Catalog, selection: &'a Selection) -> Self {
        let mut by_measure: BTreeMap<&str, Vec<&ResultRow>> = BTreeMap::new();
        let mut kommuner = BTreeSet::new();
        let (mut runs, mut catalog_versions) = (BTreeSet::new(), BTreeSet::new());
        for row in &results.rows {
            by_measure.entry(row.measure_id.as_str()).or_default().push(row);
            if row.unit_level == UnitLevel::Kommune {
                kommuner.insert((row.unit_name.to_string(), row.unit_code.to_string()));
            }
            if !row.provenance.run_id.is_empty() {
                runs.insert(row.provenance.run_id.as_str());
            }
            if !row.provenance.catalog_version.is_empty() {
                catalog_versions.insert(row.provenance.catalog_version.as_str());
            }
        }
        for rows in by_measure.values_mut() {
            rows.sort_by(|a, b| {
                (a.period.start, a.unit_level, &a.unit_code, &a.stratum).cmp(&(
                    b.period.start,
                    b.unit_level,
                    &b.unit_code,
                    &b.stratum,
                ))
            });
        }
        let kommuner =
            kommuner.into_iter().map(|(name, code)| Unit { level: UnitLevel::Kommune, code, name }).collect();
        Self { catalog, selection, by_measure, kommuner, runs, catalog_versions }
    }

    /// The ids of every measure with results, catalogue measures first in
    /// catalogue order, then the others by id.
    pub fn measured(&self) -> Vec<&'a str> {
        let mut ids: Vec<&'a str> = self
            .catalog
            .measures()
            .filter_map(|(_, m)| self.by_measure.get_key_value(m.id.as_str()).map(|(k, _)| *k))
            .collect();
        ids.extend(self.outside_catalogue());
        ids
    }

    /// The measures with results that the catalogue does not know.
    pub fn outside_catalogue(&self) -> Vec<&'a str> {
        self.by_measure.keys().copied().filter(|id| self.catalog.measure(id).is_none()).collect()
    }

    /// Every row of a measure.
    pub fn rows(&self, measure: &str) -> &[&'a ResultRow] {
        self.by_measure.get(measure).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether the measure has rows for a unit (any unit when `unit` is
    /// `None`).
    pub fn is_measured(&self, measure: &str, unit: Option<&Unit>) -> bool {
        match unit {
            None => self.by_measure.contains_key(measure),
            Some(u) => self.rows(measure).iter().any(|r| r.unit_level == u.level && r.unit_code == u.code),
        }
    }

    /// The strata of a measure: `alle` first, then age bands by age, then
    /// the others by name.
    pub fn strata(&self, measure: &str) -> Vec<&'a str> {
        let set: BTreeSet<&str> = self.rows(measure).iter().map(|r| r.stratum.as_str()).collect();
        let mut strata: Vec<&str> = set.into_iter().collect();
        let age = |s: &str| s.strip_suffix('+').and_then(|n| n.parse::<u32>().ok());
        strata.sort_by_key(|s| match (*s == "alle", age(s)) {
            (true, _) => (0, 0, s.to_string()),
            (false, Some(a)) => (1, a, String::new()),
            _ => (2, 0, s.to_string()),
        });
        strata
    }

    /// The stratum a measure is summarised by: `alle` when reported, else
    /// the stratum its national indicator corresponds to, else the first.
    pub fn main_stratum(&self, measure: &str) -> Option<&'a str> {
        let strata = self.strata(measure);
        let national = self
            .catalog
            .measure(measure)
            .and_then(|m| m.statistics.as_ref())
            .and_then(|s| s.national_stratum.as_deref());
        strata
            .iter()
            .find(|s| **s == "alle")
            .or_else(|| national.and_then(|n| strata.iter().find(|s| **s == n)))
            .or(strata.first())
            .copied()
    }

    /// The rows of one series, in period order.
    pub fn series(&self, measure: &str, unit: &Unit, stratum: &str) -> Vec<&'a ResultRow> {
        self.rows(measure)
            .iter()
            .copied()
            .filter(|r| r.unit_level == unit.level && r.unit_code == unit.code && r.stratum == stratum)
            .collect()
    }

    /// The latest row of a series.
    pub fn latest(&self, measure: &str, unit: &Unit, stratum: &str) -> Option<&'a ResultRow> {
        self.series(measure, unit, stratum).into_iter().next_back()
    }

    /// The number of shown points of a series (for the SPC reading).
    pub fn points(&self, measure: &str, unit: &Unit, stratum: &str) -> usize {
        self.series(measure, unit, stratum).iter().filter(|r| r.value.is_some() && !r.suppressed()).count()
    }

    /// The units of a level that a measure has rows for, by name.
    pub fn units(&self, measure: &str, level: UnitLevel) -> Vec<Unit> {
        let set: BTreeSet<(String, String)> = self
            .rows(measure)
            .iter()
            .filter(|r| r.unit_level == level)
            .map(|r| (r.unit_name.to_string(), r.unit_code.to_string()))
            .collect();
        set.into_iter().map(|(name, code)| Unit { level, code, name }).collect()
    }

    /// The value format of a measure.
    pub fn format(&self, measure: &str) -> ValueFormat {
        let kind = self.rows(measure).first().map(|r| r.kind).unwrap_or(crate::engine::MeasureKind::Proportion);
        ValueFormat::for_measure(self.catalog, measure, kind)
    }

    /// The measure's title (its id when the catalogue does not know it).
    pub fn title(&self, measure: &'a str) -> &'a str {
        measure_title(self.catalog, measure)
    }

    /// The measure's direction (none when the catalogue does not know it).
    pub fn direction(&self, measure: &str) -> Direction {
        crate::display::html::direction(self.catalog, measure)
    }

    /// The area a measure belongs to.
    pub fn area_of(&self, measure: &str) -> Option<&'a Area> {
        self.catalog.measures().find(|(_, m)| m.id == measure).map(|(a, _)| a)
    }

    /// The file name of a measure's page.
    pub fn measure_page(measure: &str) -> String {
        format!("maal-{}.html", file_safe(measure))
    }
}

/// `text` with every character but ASCII letters, digits, `.`, `-` and `_`
/// replaced by `_`, for file names.
pub fn file_safe(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect()
}
