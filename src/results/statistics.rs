//! Statistics as a pass over result rows: confidence intervals, small-number
//! suppression (primary and complementary), development and level markers,
//! and SPC signals per series. The formulas live in [`crate::stats`]; this
//! module decides which applies to which row.
//!
//! The pass takes the rows to publish and, optionally, [`Earlier`] rows:
//! results of earlier periods (the period before a run, or a store's
//! history). Earlier rows are the previous period of the development
//! marker, and — when asked — earlier points of each SPC series, so a run
//! of one month can still get a run chart over many. Only the rows to
//! publish come back.
//!
//! The thresholds, the ±1 % band and the decimals come from the catalogue
//! ([`MeasureSettings::from_catalog`]); nothing here is a constant.

use super::{LevelReference, ResultRow, RowStatistics, Spc, UnitLevel};
use crate::catalog::{Catalog, Unit};
use crate::engine::{MeasureKind, PeriodKind};
use crate::stats::interval::{self, CiMethod};
use crate::stats::markers::{self, Band, Direction};
use crate::stats::spc::{self, Baseline, MovingRange};
use crate::stats::suppression::{self, Cell, Counted, ParentStatus, SuppressionReason, Thresholds};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How one measure's rows are treated, from its catalogue entry.
#[derive(Debug, Clone)]
pub struct MeasureSettings {
    pub direction: Direction,
    /// Decimals shown; markers compare values rounded to these.
    pub decimals: u32,
    pub thresholds: Thresholds,
    /// The yellow band of the markers.
    pub band: Band,
    /// The published national value to compare with: (stratum, value).
    pub national: Option<(String, f64)>,
    /// SPC baseline: the periods (labels) the centre line is computed from.
    pub spc_baseline: Vec<String>,
    /// SPC splits: periods (labels) where a new part of the series starts.
    pub spc_splits: Vec<String>,
}

impl MeasureSettings {
    /// The settings of a measure the catalogue says nothing particular
    /// about: no direction, one decimal, and the catalogue's suppression
    /// thresholds and band (`nationale-maal.toml`).
    pub fn defaults(catalog: &Catalog) -> Self {
        Self {
            direction: Direction::None,
            decimals: 1,
            thresholds: catalog.national.suppression.thresholds(),
            band: catalog.national.comparison.band(),
            national: None,
            spc_baseline: Vec::new(),
            spc_splits: Vec::new(),
        }
    }

    /// The settings a catalogue measure asks for, for periods of `kind`:
    /// its direction, decimals (by unit unless given), suppression
    /// thresholds, and the published national value (the indicator's
    /// latest year) where the measure maps to a national indicator — for
    /// `national_yearly_only` measures (yearly rates) only in yearly runs.
    pub fn from_catalog(catalog: &Catalog, id: &str, kind: PeriodKind) -> Option<Self> {
        let measure = catalog.measure(id)?;
        let configured = measure.statistics.clone().unwrap_or_default();
        let defaults = Self::defaults(catalog);
        let national = configured.national_indicator.as_deref().and_then(|indicator| {
            if configured.national_yearly_only && kind != PeriodKind::Year {
                return None;
            }
            let year = catalog.indicator(indicator)?.year;
            let value = catalog.national_value(indicator, year)?;
            Some((configured.national_stratum.clone().unwrap_or_else(|| "alle".into()), value))
        });
        Some(Self {
            direction: measure.direction,
            decimals: configured.decimals.unwrap_or(match measure.unit {
                Unit::Antal | Unit::Dage => 0,
                _ => 1,
            }),
            thresholds: Thresholds {
                min_denominator: configured.min_denominator.unwrap_or(defaults.thresholds.min_denominator),
                min_numerator: configured.min_numerator.unwrap_or(defaults.thresholds.min_numerator),
            },
            national,
            spc_baseline: configured.spc_baseline,
            spc_splits: configured.spc_split,
            ..defaults
        })
    }
}

/// The settings of every measure of a run.
#[derive(Debug, Clone)]
pub struct Settings {
    by_measure: HashMap<String, MeasureSettings>,
    default: MeasureSettings,
}

impl Settings {
    /// Settings for every catalogue measure, for periods of `kind`; other
    /// measures get [`MeasureSettings::defaults`].
    pub fn from_catalog(catalog: &Catalog, kind: PeriodKind) -> Self {
        let by_measure = catalog
            .measures()
            .filter_map(|(_, m)| Some((m.id.clone(), MeasureSettings::from_catalog(catalog, &m.id, kind)?)))
            .collect();
        Self { by_measure, default: MeasureSettings::defaults(catalog) }
    }

    /// Explicit settings per measure over `default`.
    pub fn new(by_measure: HashMap<String, MeasureSettings>, default: MeasureSettings) -> Self {
        Self { by_measure, default }
    }

    /// The settings of a measure.
    pub fn get(&self, measure: &str) -> &MeasureSettings {
        self.by_measure.get(measure).unwrap_or(&self.default)
    }
}

/// Run-wide statistics options.
#[derive(Debug, Clone)]
pub struct StatisticsOptions {
    /// Confidence level, e.g. 0.95.
    pub level: f64,
    /// Interval for proportions: Wilson (default) or Clopper–Pearson.
    pub proportion_ci: CiMethod,
    /// Off: only the core, provenance and kind columns (for timing the cost
    /// of statistics).
    pub enabled: bool,
}

impl Default for StatisticsOptions {
    fn default() -> Self {
        Self { level: 0.95, proportion_ci: CiMethod::Wilson, enabled: true }
    }
}

/// Results of earlier periods that the statistics may look back on.
#[derive(Debug, Clone, Default)]
pub struct Earlier {
    /// The rows, with or without statistics (rows without are suppressed
    /// here by the same rules; rows with keep what they carry).
    pub rows: Vec<ResultRow>,
    /// Whether the rows are also earlier points of the SPC series (a
    /// store's history), or only the previous period of the development
    /// marker (the period before a run).
    pub in_spc: bool,
}

/// The parent unit of a unit: plejeenhed → kommune, kommune → region.
#[derive(Debug, Clone, Default)]
pub struct Parents(HashMap<UnitLevel, HashMap<String, (UnitLevel, String)>>);

impl Parents {
    /// No units placed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that the unit `code` at `level` lies in `parent`.
    pub fn insert(&mut self, level: UnitLevel, code: impl Into<String>, parent: (UnitLevel, String)) {
        self.0.entry(level).or_default().insert(code.into(), parent);
    }

    /// The parent of the unit `code` at `level`, when known (looked up
    /// without copying the code: this runs once per result row).
    pub fn get(&self, level: UnitLevel, code: &str) -> Option<&(UnitLevel, String)> {
        self.0.get(&level)?.get(code)
    }
}

/// A row's key within one measure, period and stratum.
type Key<'a> = (&'a str, chrono::NaiveDate, UnitLevel, &'a str, &'a str);

fn key(row: &ResultRow) -> Key<'_> {
    (&row.measure_id, row.period.start, row.unit_level, &row.unit_code, &row.stratum)
}

fn count(x: Option<f64>) -> u64 {
    x.map(|v| v.max(0.0).round() as u64).unwrap_or(0)
}

/// The confidence interval of one row, in the value's scale.
fn interval(row: &ResultRow, value: Option<f64>, options: &StatisticsOptions) -> Option<(f64, f64, CiMethod)> {
    let level = options.level;
    match row.kind {
        MeasureKind::Proportion => {
            let (x, n) = (count(row.numerator), count(row.denominator));
            let (ci, method) = match options.proportion_ci {
                CiMethod::ClopperPearson => (interval::clopper_pearson(x, n, level)?, CiMethod::ClopperPearson),
                _ => (interval::wilson(x, n, level)?, CiMethod::Wilson),
            };
            let scale = row.kind.scale();
            Some((ci.low * scale, ci.high * scale, method))
        }
        MeasureKind::Rate { per } => {
            let ci = interval::rate_interval(count(row.numerator), row.denominator?, per, level)?;
            Some((ci.low, ci.high, CiMethod::PoissonExact))
        }
        MeasureKind::Count => {
            let ci = interval::poisson_exact(count(row.numerator), level)?;
            Some((ci.low, ci.high, CiMethod::PoissonExact))
        }
        MeasureKind::Mean => {
            let ci = interval::t_interval(value?, row.value_sd?, count(row.denominator), level)?;
            Some((ci.low, ci.high, CiMethod::T))
        }
        MeasureKind::Median => {
            let ci = interval::median_interval(row.median_values.as_deref()?, level)?;
            Some((ci.interval.low, ci.interval.high, CiMethod::MedianOrderStatistics))
        }
    }
}

/// The numerator and denominator suppression works on: counts are their own
/// denominator (a count under the numerator threshold is hidden).
fn cell_counts(row: &ResultRow) -> Option<(u64, u64)> {
    match row.kind {
        MeasureKind::Proportion | MeasureKind::Rate { .. } => Some((count(row.numerator), count(row.denominator))),
        MeasureKind::Count => Some((count(row.numerator), count(row.numerator))),
        MeasureKind::Mean | MeasureKind::Median => None,
    }
}

fn thresholds_for(row: &ResultRow, settings: &MeasureSettings) -> Thresholds {
    match row.kind {
        // A count is its own denominator: only the numerator threshold applies.
        MeasureKind::Count => Thresholds {
            min_denominator: settings.thresholds.min_numerator,
            min_numerator: settings.thresholds.min_numerator,
        },
        _ => settings.thresholds,
    }
}

fn primary(row: &ResultRow, settings: &MeasureSettings) -> Option<SuppressionReason> {
    let t = thresholds_for(row, settings);
    match cell_counts(row) {
        Some((x, n)) => suppression::primary(x, n, &t),
        None => suppression::primary_count(count(row.denominator), &t),
    }
}

/// Complementary suppression to a fixed point: for every parent (kommune in
/// region, plejeenhed in kommune, and a unit's `alle` row for the values
/// of a breakdown) hide further siblings until no hidden count can be
/// derived by subtraction; a parent whose children cannot be protected is
/// hidden too. Citizens without a plejeenhed make the kommune
/// larger than the sum of its plejeenheder; that remainder is treated as
/// published (the cautious assumption). Rows in `fixed` keep what they
/// carry (earlier results that were published as they are).
fn complementary(
    rows: &[&ResultRow],
    hidden: &mut [Option<SuppressionReason>],
    fixed: &[bool],
    parents: &Parents,
    settings: &Settings,
) {
    // Parent row index → child row indices.
    let index: HashMap<(&str, chrono::NaiveDate, &str, UnitLevel, &str), usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            ((r.measure_id.as_str(), r.period.start, r.stratum.as_str(), r.unit_level, r.unit_code.as_str()), i)
        })
        .collect();
    let mut families: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut breakdowns: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        if cell_counts(row).is_none() || fixed[i] {
            continue;
        }
        if let Some((level, code)) = parents.get(row.unit_level, &row.unit_code)
            && let Some(&p) =
                index.get(&(row.measure_id.as_str(), row.period.start, row.stratum.as_str(), *level, code.as_str()))
        {
            families.entry(p).or_default().push(i);
        }
        // A breakdown (type=fald, type=medicinering …) partitions the
        // unit's `alle` row the same way.
        if row.stratum.contains('=')
            && let Some(&p) =
                index.get(&(row.measure_id.as_str(), row.period.start, "alle", row.unit_level, row.unit_code.as_str()))
        {
            breakdowns.entry(p).or_default().push(i);
        }
    }
    // Which sibling is hidden to protect another can depend on the order
    // the cells are tried in; the rows come from Polars in no set order, so
    // families and their children are put in the order of their keys: the
    // same numbers are then always suppressed the same way.
    let key = |i: usize| {
        let r = rows[i];
        (r.measure_id.as_str(), r.period.start, r.unit_level, r.unit_code.as_str(), r.stratum.as_str())
    };
    let mut families: Vec<(usize, Vec<usize>)> = families.into_iter().chain(breakdowns).collect();
    for (_, children) in &mut families {
        children.sort_by_key(|&c| key(c));
    }
    families.sort_by_key(|(parent, _)| key(*parent));
    for _ in 0..10 {
        let mut changed = false;
        for (parent, children) in &families {
            let parent = *parent;
            let t = thresholds_for(rows[parent], settings.get(&rows[parent].measure_id));
            let (px, pn) = cell_counts(rows[parent]).expect("parents of counted rows are counted");
            let mut cells: Vec<Cell> = children
                .iter()
                .map(|&c| {
                    let (x, n) = cell_counts(rows[c]).expect("counted");
                    Cell { numerator: x, denominator: n, suppressed: hidden[c] }
                })
                .collect();
            let (sx, sn) = cells.iter().fold((0, 0), |(a, b), c| (a + c.numerator, b + c.denominator));
            let remainder = px > sx || pn > sn;
            if remainder {
                // The remainder outside every child, assumed known to a reader.
                cells.push(Cell {
                    numerator: px.saturating_sub(sx),
                    denominator: pn.saturating_sub(sn),
                    suppressed: None,
                });
            }
            let status = if hidden[parent].is_some() { ParentStatus::Suppressed } else { ParentStatus::Published };
            let counted = match rows[parent].kind {
                MeasureKind::Count => Counted::Events,
                _ => Counted::Fraction,
            };
            let outcome = suppression::complementary(&cells, status, &t, counted);
            for (k, &c) in children.iter().enumerate() {
                if hidden[c].is_none() && outcome.cells[k].is_some() {
                    hidden[c] = outcome.cells[k];
                    changed = true;
                }
            }
            // The remainder is no published row that could be hidden: when
            // protection needs it hidden, only hiding the parent protects.
            let needs_remainder = remainder && outcome.cells[children.len()].is_some();
            if (!outcome.protected || needs_remainder) && hidden[parent].is_none() && !fixed[parent] {
                hidden[parent] = Some(SuppressionReason::Complementary);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// The totals over every kommune in the data for one (measure, period,
/// stratum), for the kinds whose value follows from them.
#[derive(Clone, Copy)]
struct Total {
    numerator: f64,
    denominator: f64,
    value: f64,
    kind: MeasureKind,
}

type TotalKey<'a> = (&'a str, chrono::NaiveDate, &'a str);

/// Whether two sums of the same numbers are equal up to the order they
/// were added in.
fn same_sum(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn overall_values<'a>(rows: &[&'a ResultRow]) -> HashMap<TotalKey<'a>, Total> {
    let mut sums: HashMap<TotalKey<'a>, (f64, f64, MeasureKind)> = HashMap::new();
    for row in rows.iter().filter(|r| r.unit_level == UnitLevel::Kommune) {
        let entry = sums
            .entry((row.measure_id.as_str(), row.period.start, row.stratum.as_str()))
            .or_insert((0.0, 0.0, row.kind));
        entry.0 += row.numerator.unwrap_or(0.0);
        entry.1 += row.denominator.unwrap_or(0.0);
    }
    sums.into_iter()
        .filter_map(|(key, (x, n, kind))| {
            let value = match kind {
                MeasureKind::Proportion | MeasureKind::Rate { .. } | MeasureKind::Mean => kind.scale() * x / n,
                MeasureKind::Count | MeasureKind::Median => return None,
            };
            (n > 0.0).then_some((key, Total { numerator: x, denominator: n, value, kind }))
        })
        .collect()
}

/// Anhøj rules and Shewhart limits for each series (measure, level, unit,
/// stratum) over the periods present, split at the configured periods.
/// `published[i]` says whether `rows[i]` is shown, `report[i]` whether the
/// row gets its SPC outputs.
fn spc(rows: &[&ResultRow], published: &[bool], report: &[bool], settings: &Settings) -> Vec<Spc> {
    let mut out = vec![Spc::default(); rows.len()];
    let mut series: BTreeMap<(&str, UnitLevel, &str, &str), Vec<usize>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        series.entry((&row.measure_id, row.unit_level, &row.unit_code, &row.stratum)).or_default().push(i);
    }
    for ((measure, ..), mut members) in series {
        if !members.iter().any(|&i| report[i]) {
            continue;
        }
        members.sort_by_key(|&i| rows[i].period.start);
        let settings = settings.get(measure);
        let labels: Vec<String> = members.iter().map(|&i| rows[i].period.label()).collect();
        let mut bounds = vec![0];
        bounds.extend((1..members.len()).filter(|&k| settings.spc_splits.contains(&labels[k])));
        bounds.push(members.len());
        for window in bounds.windows(2) {
            let (from, to) = (window[0], window[1]);
            let part = &members[from..to];
            let baseline_points: Vec<usize> =
                (from..to).filter(|&k| settings.spc_baseline.contains(&labels[k])).map(|k| k - from).collect();
            let baseline = if baseline_points.is_empty() { Baseline::All } else { Baseline::Points(&baseline_points) };
            let published = |i: usize| published[i];
            let point_values: Vec<f64> = part
                .iter()
                .map(|&i| if published(i) { rows[i].computed_value().unwrap_or(f64::NAN) } else { f64::NAN })
                .collect();
            let counts: Vec<u64> =
                part.iter().map(|&i| if published(i) { count(rows[i].numerator) } else { 0 }).collect();
            let runs = spc::run_chart(&point_values, baseline);
            let chart = match rows[part[0]].kind {
                MeasureKind::Proportion => {
                    let n: Vec<u64> =
                        part.iter().map(|&i| if published(i) { count(rows[i].denominator) } else { 0 }).collect();
                    spc::p_chart(&counts, &n, baseline).map(|c| (c, MeasureKind::Proportion.scale()))
                }
                MeasureKind::Rate { per } => {
                    let n: Vec<f64> = part
                        .iter()
                        .map(|&i| if published(i) { rows[i].denominator.unwrap_or(0.0) } else { 0.0 })
                        .collect();
                    spc::u_chart(&counts, &n, baseline).map(|c| (c, per))
                }
                MeasureKind::Count => {
                    let exposure: Vec<f64> = part.iter().map(|&i| if published(i) { 1.0 } else { 0.0 }).collect();
                    spc::u_chart(&counts, &exposure, baseline).map(|c| (c, 1.0))
                }
                MeasureKind::Mean | MeasureKind::Median => {
                    spc::i_chart(&point_values, baseline, MovingRange::Screened).map(|c| (c, 1.0))
                }
            };
            for (k, &i) in part.iter().enumerate() {
                let point = chart.as_ref().map(|(c, scale)| (c.points[k], *scale));
                out[i] = Spc {
                    median: runs.map(|r| r.median),
                    run_signal: runs.map(|r| r.run_signal),
                    crossings_signal: runs.map(|r| r.crossings_signal),
                    lcl: point.and_then(|(p, s)| p.lower.map(|v| v * s)),
                    ucl: point.and_then(|(p, s)| p.upper.map(|v| v * s)),
                    outside: point.and_then(|(p, _)| p.value.map(|_| p.outside)),
                };
            }
        }
    }
    out
}

/// Adds the statistics to `rows` and returns them (without `earlier`). A
/// suppressed row keeps its place with its value, interval and control
/// limits empty.
pub fn apply(
    mut rows: Vec<ResultRow>,
    earlier: &Earlier,
    parents: &Parents,
    settings: &Settings,
    options: &StatisticsOptions,
) -> Vec<ResultRow> {
    if !options.enabled {
        for row in &mut rows {
            row.statistics = None;
        }
        return rows;
    }
    // Earlier rows for the same key as a new row are replaced by it.
    let current: HashSet<Key> = rows.iter().map(key).collect();
    let earlier_rows: Vec<&ResultRow> = earlier.rows.iter().filter(|r| !current.contains(&key(r))).collect();
    let all: Vec<&ResultRow> = rows.iter().chain(earlier_rows.iter().copied()).collect();
    let new = rows.len();
    // Earlier rows that carry statistics keep their suppression as published.
    let fixed: Vec<bool> = (0..all.len()).map(|i| i >= new && all[i].statistics.is_some()).collect();

    let mut hidden: Vec<Option<SuppressionReason>> = all
        .iter()
        .zip(&fixed)
        .map(|(r, &fixed)| match (&r.statistics, fixed) {
            (Some(s), true) => s.suppressed.then_some(s.suppression_reason.unwrap_or(SuppressionReason::Complementary)),
            _ => primary(r, settings.get(&r.measure_id)),
        })
        .collect();
    complementary(&all, &mut hidden, &fixed, parents, settings);

    let overall = overall_values(&all);
    // The overall value is shown only when its totals pass the thresholds
    // and no kommune row behind it is hidden: with one kommune it is that
    // kommune's value.
    let mut overall_hidden: HashSet<TotalKey> = all
        .iter()
        .zip(&hidden)
        .filter(|(r, h)| h.is_some() && r.unit_level == UnitLevel::Kommune)
        .map(|(r, _)| (r.measure_id.as_str(), r.period.start, r.stratum.as_str()))
        .collect();
    for (key, total) in &overall {
        let thresholds = settings.get(key.0).thresholds;
        let fails = match total.kind {
            MeasureKind::Mean => suppression::primary_count(count(Some(total.denominator)), &thresholds),
            _ => suppression::primary(count(Some(total.numerator)), count(Some(total.denominator)), &thresholds),
        };
        if fails.is_some() {
            overall_hidden.insert(*key);
        }
    }
    let by_key: HashMap<Key, usize> = all.iter().enumerate().map(|(i, r)| (key(r), i)).collect();
    // The value a reader sees: none for a hidden row.
    let shown: Vec<Option<f64>> =
        all.iter().zip(&hidden).map(|(r, h)| if h.is_some() { None } else { r.computed_value() }).collect();

    // SPC runs on the published points only: a suppressed point's value or
    // counts would show through the median or its control limits.
    let in_spc: Vec<usize> = (0..all.len()).filter(|&i| i < new || earlier.in_spc).collect();
    let spc_rows: Vec<&ResultRow> = in_spc.iter().map(|&i| all[i]).collect();
    let spc_published: Vec<bool> = in_spc.iter().map(|&i| hidden[i].is_none()).collect();
    let spc_report: Vec<bool> = in_spc.iter().map(|&i| i < new).collect();
    let spc_out = spc(&spc_rows, &spc_published, &spc_report, settings);

    let mut computed = Vec::with_capacity(new);
    for (i, row) in rows.iter().enumerate() {
        let s = settings.get(&row.measure_id);
        let suppressed = hidden[i].is_some();
        let ci = interval(row, row.computed_value(), options);
        let previous = by_key
            .get(&(row.measure_id.as_str(), row.period.previous().start, row.unit_level, &row.unit_code, &row.stratum))
            .and_then(|&j| shown[j]);
        let development = match (shown[i], previous) {
            (Some(now), Some(before)) => markers::development(now, before, s.decimals, s.direction, s.band),
            _ => None,
        };
        let national = s.national.as_ref().filter(|(stratum, _)| *stratum == row.stratum).map(|(_, v)| *v);
        let total_key = (row.measure_id.as_str(), row.period.start, row.stratum.as_str());
        let total = overall.get(&total_key).copied();
        // A row that holds all of the data is the overall value itself
        // (its sums may differ from the kommuner's in the last bit: the
        // engine adds decimals in no set order).
        let is_everything = total.is_some_and(|t| {
            row.numerator.is_some_and(|n| same_sum(n, t.numerator))
                && row.denominator.is_some_and(|d| same_sum(d, t.denominator))
        });
        let (reference, which) = match (national, total) {
            (Some(v), _) => (Some(v), Some(LevelReference::National)),
            (None, Some(t)) if !is_everything => (Some(t.value), Some(LevelReference::Overall)),
            _ => (None, None),
        };
        let level = match (shown[i], reference) {
            (Some(value), Some(reference)) => markers::level(value, reference, s.decimals, s.direction, s.band),
            _ => None,
        };
        let spc_index = in_spc.binary_search(&i).expect("every new row is in the SPC series");
        let mut spc = spc_out[spc_index];
        if suppressed {
            spc.lcl = None;
            spc.ucl = None;
        }
        computed.push(RowStatistics {
            ci_low: ci.filter(|_| !suppressed).map(|c| c.0),
            ci_high: ci.filter(|_| !suppressed).map(|c| c.1),
            ci_method: ci.map(|c| c.2),
            suppressed,
            suppression_reason: hidden[i],
            development,
            level,
            level_reference: level.and(which),
            national_value: national,
            overall_value: total.filter(|_| !overall_hidden.contains(&total_key)).map(|t| t.value),
            spc,
        });
    }
    for (row, statistics) in rows.iter_mut().zip(computed) {
        if statistics.suppressed {
            row.value = None;
        }
        row.statistics = Some(Box::new(statistics));
    }
    rows
}
