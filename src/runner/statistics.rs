//! Statistics on every result row: confidence intervals, small-number
//! suppression (primary and complementary), development and level markers,
//! and SPC signals per series. The formulas live in [`crate::stats`]; this
//! module decides which applies to which row and writes the columns.
//!
//! Columns added: `ci_low, ci_high, ci_method, suppressed,
//! suppression_reason, development, level, level_reference, national_value,
//! overall_value, spc_median, spc_run_signal, spc_crossings_signal, spc_lcl,
//! spc_ucl, spc_outside`.

use crate::catalog::{Catalog, Unit};
use crate::engine::{MeasureKind, Period, PeriodKind};
use crate::stats::interval::{self, CiMethod};
use crate::stats::markers::{self, Direction};
use crate::stats::spc::{self, Baseline, MovingRange};
use crate::stats::suppression::{self, Cell, ParentStatus, SuppressionReason, Thresholds};
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};

/// How one measure's rows are treated, from its catalogue entry.
#[derive(Debug, Clone)]
pub struct MeasureSettings {
    pub direction: Direction,
    /// Decimals shown; markers compare values rounded to these.
    pub decimals: u32,
    pub thresholds: Thresholds,
    /// The published national value to compare with: (stratum, value).
    pub national: Option<(String, f64)>,
    /// SPC baseline: the periods (labels) the centre line is computed from.
    pub spc_baseline: Vec<String>,
    /// SPC splits: periods (labels) where a new part of the series starts.
    pub spc_splits: Vec<String>,
}

impl Default for MeasureSettings {
    fn default() -> Self {
        Self {
            direction: Direction::None,
            decimals: 1,
            thresholds: Thresholds::default(),
            national: None,
            spc_baseline: Vec::new(),
            spc_splits: Vec::new(),
        }
    }
}

impl MeasureSettings {
    /// The settings a catalogue measure asks for, for a run with periods of
    /// `kind`: its direction, decimals (by unit unless given), suppression
    /// thresholds, and the published national value (the indicator's
    /// latest year) where the measure maps to a national indicator — for
    /// `national_yearly_only` measures (yearly rates) only in yearly runs.
    pub fn from_catalog(catalog: &Catalog, id: &str, kind: PeriodKind) -> Option<Self> {
        let measure = catalog.measure(id)?;
        let configured = measure.statistics.clone().unwrap_or_default();
        let defaults = Thresholds::default();
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
                min_denominator: configured.min_denominator.unwrap_or(defaults.min_denominator),
                min_numerator: configured.min_numerator.unwrap_or(defaults.min_numerator),
            },
            national,
            spc_baseline: configured.spc_baseline,
            spc_splits: configured.spc_split,
        })
    }

    /// Settings for every catalogue measure that has a rule.
    pub fn all_from_catalog(catalog: &Catalog, kind: PeriodKind) -> HashMap<String, Self> {
        catalog
            .measures()
            .filter(|(_, m)| m.rule.is_some())
            .filter_map(|(_, m)| Some((m.id.clone(), Self::from_catalog(catalog, &m.id, kind)?)))
            .collect()
    }
}

/// Run-wide statistics options.
#[derive(Debug, Clone)]
pub struct StatisticsOptions {
    /// Confidence level, e.g. 0.95.
    pub level: f64,
    /// Interval for proportions: Wilson (default) or Clopper–Pearson.
    pub proportion_ci: CiMethod,
    /// Off: only the core and provenance columns (for timing the cost of
    /// statistics).
    pub enabled: bool,
}

impl Default for StatisticsOptions {
    fn default() -> Self {
        Self { level: 0.95, proportion_ci: CiMethod::Wilson, enabled: true }
    }
}

/// The parent unit of a unit: plejeenhed → kommune → region.
pub type Parents = HashMap<(String, String), (String, String)>;

/// Internal columns the aggregation adds for statistics; dropped here.
pub mod internal {
    pub const KIND: &str = "__kind";
    pub const PER: &str = "__per";
    pub const SD: &str = "__sd";
    pub const VALUES: &str = "__values";
}

struct Row {
    measure: String,
    period: String,
    level: String,
    unit: String,
    stratum: String,
    kind: MeasureKind,
    numerator: Option<f64>,
    denominator: Option<f64>,
    value: Option<f64>,
    sd: Option<f64>,
    values: Option<Vec<f64>>,
}

fn kind_of(name: &str, per: Option<f64>) -> MeasureKind {
    match name {
        "proportion" => MeasureKind::Proportion,
        "rate" => MeasureKind::Rate { per: per.unwrap_or(1000.0) },
        "count" => MeasureKind::Count,
        "mean" => MeasureKind::Mean,
        _ => MeasureKind::Median,
    }
}

fn rows(results: &DataFrame) -> PolarsResult<Vec<Row>> {
    let text = |c: &str| -> PolarsResult<Vec<String>> {
        let s = results.column(c)?.cast(&DataType::String)?;
        let s = s.str()?;
        Ok((0..s.len()).map(|i| s.get(i).unwrap_or_default().to_string()).collect())
    };
    let number = |c: &str| -> PolarsResult<Vec<Option<f64>>> {
        let s = results.column(c)?.cast(&DataType::Float64)?;
        let s = s.f64()?;
        Ok((0..s.len()).map(|i| s.get(i)).collect())
    };
    let (measure, period, level, unit, stratum, kind) = (
        text("measure_id")?,
        text("period_start")?,
        text("unit_level")?,
        text("unit_code")?,
        text("stratum")?,
        text(internal::KIND)?,
    );
    let (numerator, denominator, value, per, sd) =
        (number("numerator")?, number("denominator")?, number("value")?, number(internal::PER)?, number(internal::SD)?);
    let values = results.column(internal::VALUES)?.list()?.clone();
    Ok((0..results.height())
        .map(|i| Row {
            measure: measure[i].clone(),
            period: period[i].clone(),
            level: level[i].clone(),
            unit: unit[i].clone(),
            stratum: stratum[i].clone(),
            kind: kind_of(&kind[i], per[i]),
            numerator: numerator[i],
            denominator: denominator[i],
            value: value[i],
            sd: sd[i],
            values: values
                .get_as_series(i)
                .and_then(|s| s.f64().ok().map(|v| (0..v.len()).filter_map(|j| v.get(j)).collect::<Vec<f64>>())),
        })
        .collect())
}

fn count(x: Option<f64>) -> u64 {
    x.map(|v| v.max(0.0).round() as u64).unwrap_or(0)
}

/// The confidence interval of one row, in the value's scale.
fn interval(row: &Row, options: &StatisticsOptions) -> Option<(f64, f64, CiMethod)> {
    let level = options.level;
    match row.kind {
        MeasureKind::Proportion => {
            let (x, n) = (count(row.numerator), count(row.denominator));
            let ci = match options.proportion_ci {
                CiMethod::ClopperPearson => interval::clopper_pearson(x, n, level)?,
                _ => interval::wilson(x, n, level)?,
            };
            let method = if options.proportion_ci == CiMethod::ClopperPearson {
                CiMethod::ClopperPearson
            } else {
                CiMethod::Wilson
            };
            Some((ci.low * 100.0, ci.high * 100.0, method))
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
            let ci = interval::t_interval(row.value?, row.sd?, count(row.denominator), level)?;
            Some((ci.low, ci.high, CiMethod::T))
        }
        MeasureKind::Median => {
            let ci = interval::median_interval(row.values.as_deref()?, level)?;
            Some((ci.interval.low, ci.interval.high, CiMethod::MedianOrderStatistics))
        }
    }
}

/// The numerator and denominator suppression works on: counts are their own
/// denominator (a count under the numerator threshold is hidden).
fn cell_counts(row: &Row) -> Option<(u64, u64)> {
    match row.kind {
        MeasureKind::Proportion | MeasureKind::Rate { .. } => Some((count(row.numerator), count(row.denominator))),
        MeasureKind::Count => Some((count(row.numerator), count(row.numerator))),
        MeasureKind::Mean | MeasureKind::Median => None,
    }
}

fn thresholds_for(row: &Row, settings: &MeasureSettings) -> Thresholds {
    match row.kind {
        // A count is its own denominator: only the numerator threshold applies.
        MeasureKind::Count => Thresholds {
            min_denominator: settings.thresholds.min_numerator,
            min_numerator: settings.thresholds.min_numerator,
        },
        _ => settings.thresholds,
    }
}

fn primary(row: &Row, settings: &MeasureSettings) -> Option<SuppressionReason> {
    let t = thresholds_for(row, settings);
    match cell_counts(row) {
        Some((x, n)) => suppression::primary(x, n, &t),
        None => suppression::primary_count(count(row.denominator), &t),
    }
}

/// Complementary suppression to a fixed point: for every parent (kommune in
/// region, plejeenhed in kommune) hide further siblings until no hidden
/// count can be derived by subtraction; a parent whose children cannot be
/// protected is hidden too. Citizens without a plejeenhed make the kommune
/// larger than the sum of its plejeenheder; that remainder is treated as
/// published (the cautious assumption).
fn complementary(
    rows: &[Row],
    hidden: &mut [Option<SuppressionReason>],
    parents: &Parents,
    settings: &dyn Fn(&str) -> MeasureSettings,
) {
    // Parent row index → child row indices.
    let index: HashMap<(&str, &str, &str, &str, &str), usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            ((r.measure.as_str(), r.period.as_str(), r.stratum.as_str(), r.level.as_str(), r.unit.as_str()), i)
        })
        .collect();
    let mut families: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        if cell_counts(row).is_none() {
            continue;
        }
        if let Some((level, code)) = parents.get(&(row.level.clone(), row.unit.clone()))
            && let Some(&p) = index.get(&(
                row.measure.as_str(),
                row.period.as_str(),
                row.stratum.as_str(),
                level.as_str(),
                code.as_str(),
            ))
        {
            families.entry(p).or_default().push(i);
        }
    }
    for _ in 0..10 {
        let mut changed = false;
        for (&parent, children) in &families {
            let t = thresholds_for(&rows[parent], &settings(&rows[parent].measure));
            let (px, pn) = cell_counts(&rows[parent]).expect("parents of counted rows are counted");
            let mut cells: Vec<Cell> = children
                .iter()
                .map(|&c| {
                    let (x, n) = cell_counts(&rows[c]).expect("counted");
                    Cell { numerator: x, denominator: n, suppressed: hidden[c] }
                })
                .collect();
            let (sx, sn) = cells.iter().fold((0, 0), |(a, b), c| (a + c.numerator, b + c.denominator));
            if px > sx || pn > sn {
                // The remainder outside every child, assumed known to a reader.
                cells.push(Cell {
                    numerator: px.saturating_sub(sx),
                    denominator: pn.saturating_sub(sn),
                    suppressed: None,
                });
            }
            let status = if hidden[parent].is_some() { ParentStatus::Suppressed } else { ParentStatus::Published };
            let outcome = suppression::complementary(&cells, status, &t);
            for (k, &c) in children.iter().enumerate() {
                if hidden[c].is_none() && outcome.cells[k].is_some() {
                    hidden[c] = outcome.cells[k];
                    changed = true;
                }
            }
            if !outcome.protected && hidden[parent].is_none() {
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
    kind: MeasureKind,
    numerator: f64,
    denominator: f64,
    value: f64,
}

fn overall_values(rows: &[Row]) -> HashMap<(String, String, String), Total> {
    let mut sums: HashMap<(String, String, String), (f64, f64, MeasureKind)> = HashMap::new();
    for row in rows.iter().filter(|r| r.level == "kommune") {
        let entry =
            sums.entry((row.measure.clone(), row.period.clone(), row.stratum.clone())).or_insert((0.0, 0.0, row.kind));
        entry.0 += row.numerator.unwrap_or(0.0);
        entry.1 += row.denominator.unwrap_or(0.0);
    }
    sums.into_iter()
        .filter_map(|(key, (x, n, kind))| {
            let value = match kind {
                MeasureKind::Proportion => 100.0 * x / n,
                MeasureKind::Rate { per } => per * x / n,
                MeasureKind::Mean => x / n,
                MeasureKind::Count | MeasureKind::Median => return None,
            };
            (n > 0.0).then_some((key, Total { kind, numerator: x, denominator: n, value }))
        })
        .collect()
}

/// SPC outputs for one row.
#[derive(Default, Clone, Copy)]
struct Spc {
    median: Option<f64>,
    run_signal: Option<bool>,
    crossings_signal: Option<bool>,
    lcl: Option<f64>,
    ucl: Option<f64>,
    outside: Option<bool>,
}

/// Anhøj rules and Shewhart limits for each series (measure, level, unit,
/// stratum) over the periods present, split at the configured periods.
fn spc(rows: &[&Row], published: &[bool], periods: &[Period], settings: &dyn Fn(&str) -> MeasureSettings) -> Vec<Spc> {
    let mut out = vec![Spc::default(); rows.len()];
    let mut series: BTreeMap<(&str, &str, &str, &str), Vec<usize>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        series.entry((&row.measure, &row.level, &row.unit, &row.stratum)).or_default().push(i);
    }
    let label_of =
        |start: &str| periods.iter().find(|p| p.start.to_string() == start).map(|p| p.label()).unwrap_or_default();
    for ((measure, ..), mut members) in series {
        members.sort_by(|a, b| rows[*a].period.cmp(&rows[*b].period));
        let settings = settings(measure);
        let labels: Vec<String> = members.iter().map(|&i| label_of(&rows[i].period)).collect();
        let mut bounds = vec![0];
        bounds.extend((1..members.len()).filter(|&k| settings.spc_splits.contains(&labels[k])));
        bounds.push(members.len());
        for window in bounds.windows(2) {
            let (from, to) = (window[0], window[1]);
            let part = &members[from..to];
            let baseline_points: Vec<usize> =
                (from..to).filter(|&k| settings.spc_baseline.contains(&labels[k])).map(|k| k - from).collect();
            let baseline = if baseline_points.is_empty() { Baseline::All } else { Baseline::Points(&baseline_points) };
            let values: Vec<f64> =
                part.iter().map(|&i| if published[i] { rows[i].value.unwrap_or(f64::NAN) } else { f64::NAN }).collect();
            let counts: Vec<u64> =
                part.iter().map(|&i| if published[i] { count(rows[i].numerator) } else { 0 }).collect();
            let runs = spc::run_chart(&values, baseline);
            let chart = match rows[part[0]].kind {
                MeasureKind::Proportion => {
                    let n: Vec<u64> =
                        part.iter().map(|&i| if published[i] { count(rows[i].denominator) } else { 0 }).collect();
                    spc::p_chart(&counts, &n, baseline).map(|c| (c, 100.0))
                }
                MeasureKind::Rate { per } => {
                    let n: Vec<f64> = part
                        .iter()
                        .map(|&i| if published[i] { rows[i].denominator.unwrap_or(0.0) } else { 0.0 })
                        .collect();
                    spc::u_chart(&counts, &n, baseline).map(|c| (c, per))
                }
                MeasureKind::Count => {
                    let exposure: Vec<f64> = part.iter().map(|&i| if published[i] { 1.0 } else { 0.0 }).collect();
                    spc::u_chart(&counts, &exposure, baseline).map(|c| (c, 1.0))
                }
                MeasureKind::Mean | MeasureKind::Median => {
                    spc::i_chart(&values, baseline, MovingRange::Screened).map(|c| (c, 1.0))
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

/// Adds the statistics columns to `results` and drops the internal ones.
/// `lead` is the period just before the requested ones: its rows serve as
/// the previous period of the first requested period and are removed.
pub fn apply(
    results: DataFrame,
    periods: &[Period],
    lead: Option<&Period>,
    parents: &Parents,
    settings: &dyn Fn(&str) -> MeasureSettings,
    options: &StatisticsOptions,
) -> PolarsResult<DataFrame> {
    if !options.enabled {
        let out = match lead {
            Some(lead) => {
                results.lazy().filter(col("period_start").neq(crate::engine::api::date_lit(lead.start))).collect()?
            }
            None => results,
        };
        return Ok(out.drop_many([internal::KIND, internal::PER, internal::SD, internal::VALUES]));
    }
    let all = rows(&results)?;
    let settings_cache: HashMap<String, MeasureSettings> =
        all.iter().map(|r| (r.measure.clone(), settings(&r.measure))).collect();
    let get = |m: &str| settings_cache.get(m).cloned().unwrap_or_default();

    let mut hidden: Vec<Option<SuppressionReason>> = all.iter().map(|r| primary(r, &get(&r.measure))).collect();
    complementary(&all, &mut hidden, parents, &get);

    let overall = overall_values(&all);
    // The overall value is shown only when its totals pass the thresholds
    // and no kommune row behind it is hidden: with one kommune it is that
    // kommune's value.
    let mut overall_hidden: HashSet<(String, String, String)> = all
        .iter()
        .zip(&hidden)
        .filter(|(r, h)| h.is_some() && r.level == "kommune")
        .map(|(r, _)| (r.measure.clone(), r.period.clone(), r.stratum.clone()))
        .collect();
    for (key, total) in &overall {
        let thresholds = get(&key.0).thresholds;
        let fails = match total.kind {
            MeasureKind::Mean => suppression::primary_count(count(Some(total.denominator)), &thresholds),
            _ => suppression::primary(count(Some(total.numerator)), count(Some(total.denominator)), &thresholds),
        };
        if fails.is_some() {
            overall_hidden.insert(key.clone());
        }
    }
    let by_key: HashMap<(&str, &str, &str, &str, &str), usize> = all
        .iter()
        .enumerate()
        .map(|(i, r)| {
            ((r.measure.as_str(), r.period.as_str(), r.level.as_str(), r.unit.as_str(), r.stratum.as_str()), i)
        })
        .collect();
    let previous_start: HashMap<String, String> =
        periods.iter().map(|p| (p.start.to_string(), p.previous().start.to_string())).collect();

    let keep: Vec<bool> = all.iter().map(|r| lead.is_none_or(|l| r.period != l.start.to_string())).collect();
    let kept_rows: Vec<usize> = (0..all.len()).filter(|&i| keep[i]).collect();
    let kept: Vec<&Row> = kept_rows.iter().map(|&i| &all[i]).collect();
    // SPC runs on the published points only: a suppressed point's value or
    // counts would show through the median or its control limits.
    let published: Vec<bool> = kept_rows.iter().map(|&i| hidden[i].is_none()).collect();
    let spc_out = spc(&kept, &published, periods, &get);

    let n = kept.len();
    let (mut ci_low, mut ci_high, mut ci_method) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut suppressed, mut reason) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut development, mut level, mut level_reference) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut national_value, mut overall_value) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for (&i, row) in kept_rows.iter().zip(&kept) {
        let s = get(&row.measure);
        let ci = interval(row, options);
        ci_low.push(ci.map(|c| c.0));
        ci_high.push(ci.map(|c| c.1));
        ci_method.push(ci.map(|c| c.2.as_str()));
        suppressed.push(hidden[i].is_some());
        reason.push(hidden[i].map(|r| r.label_da()));

        let shown = |j: usize| if hidden[j].is_some() { None } else { all[j].value };
        let previous = previous_start.get(&row.period).and_then(|p| {
            by_key.get(&(row.measure.as_str(), p.as_str(), row.level.as_str(), row.unit.as_str(), row.stratum.as_str()))
        });
        development.push(match (shown(i), previous.and_then(|&j| shown(j))) {
            (Some(now), Some(before)) => markers::development(now, before, s.decimals, s.direction).map(|d| d.as_str()),
            _ => None,
        });
        let national = s.national.as_ref().filter(|(stratum, _)| *stratum == row.stratum).map(|(_, v)| *v);
        let total = overall.get(&(row.measure.clone(), row.period.clone(), row.stratum.clone())).copied();
        national_value.push(national);
        let key = (row.measure.clone(), row.period.clone(), row.stratum.clone());
        overall_value.push(total.filter(|_| !overall_hidden.contains(&key)).map(|t| t.value));
        // A row that holds all of the data is the overall value itself.
        let is_everything =
            total.is_some_and(|t| row.numerator == Some(t.numerator) && row.denominator == Some(t.denominator));
        let (reference, which) = match (national, total) {
            (Some(v), _) => (Some(v), Some("national")),
            (None, Some(t)) if !is_everything => (Some(t.value), Some("overall")),
            _ => (None, None),
        };
        let marker = match (shown(i), reference) {
            (Some(value), Some(reference)) => {
                markers::level(value, reference, s.decimals, s.direction).map(|l| l.as_str())
            }
            _ => None,
        };
        level.push(marker);
        level_reference.push(marker.and(which));
    }

    let mut out = results.filter(&BooleanChunked::from_slice("keep".into(), &keep))?;
    // Rows of suppressed cells keep their place; their value and interval
    // are empty.
    let blank = |v: Vec<Option<f64>>| -> Vec<Option<f64>> {
        v.into_iter().enumerate().map(|(k, x)| if suppressed[k] { None } else { x }).collect()
    };
    let value = out.column("value")?.f64()?.clone();
    out.with_column(Column::new("value".into(), blank((0..value.len()).map(|k| value.get(k)).collect())))?;
    let columns = vec![
        Column::new("ci_low".into(), blank(ci_low)),
        Column::new("ci_high".into(), blank(ci_high)),
        Column::new("ci_method".into(), ci_method),
        Column::new("suppressed".into(), suppressed.clone()),
        Column::new("suppression_reason".into(), reason),
        Column::new("development".into(), development),
        Column::new("level".into(), level),
        Column::new("level_reference".into(), level_reference),
        Column::new("national_value".into(), national_value),
        Column::new("overall_value".into(), overall_value),
        Column::new("spc_median".into(), spc_out.iter().map(|s| s.median).collect::<Vec<_>>()),
        Column::new("spc_run_signal".into(), spc_out.iter().map(|s| s.run_signal).collect::<Vec<_>>()),
        Column::new("spc_crossings_signal".into(), spc_out.iter().map(|s| s.crossings_signal).collect::<Vec<_>>()),
        Column::new("spc_lcl".into(), blank(spc_out.iter().map(|s| s.lcl).collect())),
        Column::new("spc_ucl".into(), blank(spc_out.iter().map(|s| s.ucl).collect())),
        Column::new("spc_outside".into(), spc_out.iter().map(|s| s.outside).collect::<Vec<_>>()),
    ];
    for column in columns {
        out.with_column(column)?;
    }
    Ok(out.drop_many([internal::KIND, internal::PER, internal::SD, internal::VALUES]))
}
