//! What a rule returns: a measure definition over lazy tables.
//!
//! The kinds follow the scoring types of HL7 FHIR's Measure resource
//! (proportion, ratio/rate, continuous variable, cohort) and its population
//! roles: a proportion has a denominator, a numerator and optional
//! denominator exclusions (removed from the denominator whatever the
//! numerator says, e.g. citizens who died) and denominator exceptions
//! (removed only when the numerator is not met, e.g. a documented reason not
//! to act). The runner turns a [`Measure`] into grouped results; nothing here
//! executes a query.

use polars::prelude::{Expr, LazyFrame};
use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// A lazy table as rules see it, with a name for messages and what the
/// engine knows of its lineage (which lets the runner skip work a
/// hand-written query would skip too).
#[derive(Clone)]
pub struct Table {
    pub frame: LazyFrame,
    /// Where the table came from, e.g. `indsatser` or `indsatser.filter(..)`.
    pub origin: String,
    /// Identity of this table value, for lineage.
    pub id: u64,
    /// Columns known to identify its rows (a standard table's key, the
    /// columns of `unique(..)` or `group_by(..)`).
    pub unique_key: Option<Vec<String>>,
    /// How it was made from another table, when that keeps it a subset.
    pub derived: Option<Derived>,
    /// The many-to-one joins in its plan, to locate a violation.
    pub joins: Vec<JoinCheck>,
    /// The input tables it reads, by name.
    pub sources: BTreeSet<String>,
}

/// A join that expects at most one row of `right` per key, with its place
/// in the rule: Polars checks the expectation while the plan runs, and a
/// violation is reported at this line.
#[derive(Clone)]
pub struct JoinCheck {
    /// 1-based line of the join in the rule.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// The join as written, e.g. `join(table("besoeg"), "medarbejder_id")`.
    pub step: String,
    /// The right side.
    pub right: LazyFrame,
    /// The key columns.
    pub on: Vec<String>,
}

/// A table made from a parent table in a way that keeps it a subset of
/// the parent's rows.
#[derive(Clone)]
pub enum Derived {
    /// `parent.filter(predicate)`.
    Filter { parent: u64, predicate: Expr },
    /// `parent.semi_join(other, on)` (`matched`), or
    /// `parent.anti_join(other, on)` (not `matched`).
    Join { parent: u64, other: Box<LazyFrame>, on: Vec<String>, matched: bool },
}

impl Derived {
    /// The table this one was made from.
    pub fn parent(&self) -> u64 {
        match self {
            Self::Filter { parent, .. } | Self::Join { parent, .. } => *parent,
        }
    }
}

impl Table {
    /// A new table value with a fresh identity.
    pub fn new(frame: LazyFrame, origin: String, unique_key: Option<Vec<String>>, derived: Option<Derived>) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self {
            frame,
            origin,
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            unique_key,
            derived,
            joins: Vec::new(),
            sources: BTreeSet::new(),
        }
    }

    /// Whether rows are known to be distinct on `key` (it contains a
    /// known unique key).
    pub fn distinct_on(&self, key: &[String]) -> bool {
        self.unique_key.as_ref().is_some_and(|unique| unique.iter().all(|c| key.contains(c)))
    }

    /// Whether this table is known to be a subset of `other`'s rows.
    pub fn derived_from(&self, other: &Table) -> bool {
        self.derived.as_ref().is_some_and(|d| d.parent() == other.id)
    }
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Table({})", self.origin)
    }
}

/// How a measure turns its tables into a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MeasureKind {
    /// Distinct numerator keys over distinct denominator keys, in percent.
    Proportion,
    /// Events per `per` of the population.
    Rate { per: f64 },
    /// Number of rows.
    Count,
    /// Mean of a column.
    Mean,
    /// Median of a column.
    Median,
}

impl MeasureKind {
    /// The kind named by [`MeasureKind::name`]; a rate needs its `per`.
    pub fn parse(name: &str, per: Option<f64>) -> Option<Self> {
        match name {
            "proportion" => Some(Self::Proportion),
            "rate" => Some(Self::Rate { per: per? }),
            "count" => Some(Self::Count),
            "mean" => Some(Self::Mean),
            "median" => Some(Self::Median),
            _ => None,
        }
    }

    /// What `numerator / denominator` is multiplied by to give the value:
    /// 100 for a proportion (percent), `per` for a rate, 1 otherwise.
    pub fn scale(&self) -> f64 {
        match self {
            Self::Proportion => 100.0,
            Self::Rate { per } => *per,
            Self::Count | Self::Mean | Self::Median => 1.0,
        }
    }

    /// A rate's `per` (e.g. 1000), else `None`.
    pub fn per(&self) -> Option<f64> {
        match self {
            Self::Rate { per } => Some(*per),
            _ => None,
        }
    }

    /// The kind's name as used in rules and output.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Proportion => "proportion",
            Self::Rate { .. } => "rate",
            Self::Count => "count",
            Self::Mean => "mean",
            Self::Median => "median",
        }
    }
}

/// A stratum is a filter on citizens' attributes as of the period end; it
/// is not a partition (65+ includes 80+).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stratum {
    /// Everybody: `alle`.
    All,
    /// Aged at least N at the period end: `65+`, `67+`, `80+`, `90+`.
    AgeAtLeast(u32),
    /// Living in the given form of housing: `plejebolig`, `eget_hjem`.
    Bolig(String),
    /// With a dementia diagnosis dated on or before the period end: `demens`.
    Demens,
}

impl Stratum {
    /// The strata a rule can name.
    pub const HELP: &'static str =
        "alle, an age band such as 65+ / 67+ / 80+ / 90+, plejebolig, eget_hjem, midlertidig or demens";

    /// Parse a stratum name as written in a rule.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "alle" => Some(Self::All),
            "demens" => Some(Self::Demens),
            "plejebolig" | "eget_hjem" | "midlertidig" => Some(Self::Bolig(text.to_string())),
            _ => {
                let age = text.strip_suffix('+')?.parse().ok()?;
                Some(Self::AgeAtLeast(age))
            }
        }
    }

    /// The name written in the results' `stratum` column.
    pub fn name(&self) -> String {
        match self {
            Self::All => "alle".into(),
            Self::AgeAtLeast(age) => format!("{age}+"),
            Self::Bolig(bolig) => bolig.clone(),
            Self::Demens => "demens".into(),
        }
    }
}

/// A measure definition as returned by a rule.
#[derive(Debug, Clone)]
pub struct Measure {
    pub kind: MeasureKind,
    /// Proportion: the denominator. Rate: the population. Count, mean,
    /// median: the table measured.
    pub base: Table,
    /// Proportion: the numerator. Rate: the events.
    pub numerator: Option<Table>,
    /// Mean and median: the column measured.
    pub column: Option<String>,
    /// Removed from the denominator whatever the numerator says.
    pub exclusions: Option<Table>,
    /// Removed from the denominator only when not in the numerator.
    pub exceptions: Option<Table>,
    /// The columns that identify a member of a proportion's populations.
    pub key: Vec<String>,
    /// The strata to report, in order.
    pub strata: Vec<Stratum>,
    /// A column of the base table whose values become extra strata
    /// (`type=fald`, `type=medicinering` …).
    pub breakdown: Option<String>,
}

impl Measure {
    /// The input tables the measure reads, by name.
    pub fn tables(&self) -> BTreeSet<String> {
        [Some(&self.base), self.numerator.as_ref(), self.exclusions.as_ref(), self.exceptions.as_ref()]
            .into_iter()
            .flatten()
            .flat_map(|t| t.sources.iter().cloned())
            .collect()
    }

    /// Every checked join in the measure's tables.
    pub fn join_checks(&self) -> impl Iterator<Item = &JoinCheck> {
        [Some(&self.base), self.numerator.as_ref(), self.exclusions.as_ref(), self.exceptions.as_ref()]
            .into_iter()
            .flatten()
            .flat_map(|t| t.joins.iter())
    }

    /// A measure of `kind` over `base` with the defaults: key `borger_id`,
    /// stratum `alle`.
    pub fn new(kind: MeasureKind, base: Table) -> Self {
        Self {
            kind,
            base,
            numerator: None,
            column: None,
            exclusions: None,
            exceptions: None,
            key: vec!["borger_id".into()],
            strata: vec![Stratum::All],
            breakdown: None,
        }
    }
}
