//! The runner: one measure × every period × the requested unit levels,
//! planned and executed with Polars' `collect_all` so that plans sharing
//! scans and sub-plans are executed once (or, on large data, plan by plan
//! on the streaming engine); and the members behind one number.
//!
//! The runner knows nothing of statistics, files or the catalogue: it
//! turns measures into result rows ([`crate::results::ResultRow`]) and says
//! what failed, with the rule's file and line.

pub mod aggregate;
pub mod units;

pub use units::Dimensions;

use crate::engine::{Measure, MeasureKind, Period, RuleError};
use crate::results::{self, ResultRow, UnitLevel};
use aggregate::{MeasurePlans, flag};
use polars::prelude::*;
use std::path::Path;

/// What identifies the rule (or notebook measure) being run, for messages
/// and provenance.
#[derive(Debug, Clone, Copy)]
pub struct RuleRef<'a> {
    /// The measure id the rows are written under.
    pub id: &'a str,
    /// The file errors point at.
    pub path: &'a Path,
}

/// The rows of one rule, and notes on what it could not be grouped by.
#[derive(Debug, Clone, Default)]
pub struct RuleRows {
    pub rows: Vec<ResultRow>,
    /// Unit levels or strata the measured rows cannot be attributed to.
    pub notes: Vec<String>,
    /// The input tables the rule read, by name.
    pub tables: std::collections::BTreeSet<String>,
}

/// How the plans of one rule's periods are executed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Execution {
    /// In one `collect_all` on Polars' in-memory engine: scans and common
    /// sub-plans are shared. Best when the data fit in memory: the
    /// streaming engine's start-up per plan costs more than it saves.
    #[default]
    Together,
    /// One plan after the other, each on Polars' streaming engine, which
    /// reads, filters, joins and groups in morsels: one period's rows at a
    /// time, never a whole column of a table scanned from its files. The
    /// choice for data with a table too large for memory, where it is also
    /// the faster (see the README's benchmark).
    PlanByPlan,
}

impl Execution {
    fn engine(self) -> Engine {
        match self {
            Execution::Together => Engine::InMemory,
            Execution::PlanByPlan => Engine::Streaming,
        }
    }
}

/// Evaluates `measure` for every period and groups it by `levels`, the
/// plans executed as `execution` says. `measure(period)` builds the measure
/// of one period (a rule's script, or a notebook function).
pub fn run_rule(
    rule: RuleRef,
    measure: impl Fn(&Period) -> Result<Measure, RuleError>,
    periods: &[Period],
    levels: &[UnitLevel],
    dimensions: &Dimensions,
    execution: Execution,
) -> Result<RuleRows, RuleError> {
    let mut notes = Vec::new();
    let mut plans = Vec::new();
    let mut measures = Vec::new();
    for period in periods {
        let measure = measure(period)?;
        let plan = aggregate::plan(rule.id, &measure, period, levels, dimensions)
            .map_err(|e| RuleError::whole(rule.path, crate::data::polars_message(&e)))?;
        if period == &periods[0] {
            notes.extend(plan.skipped.iter().map(|s| format!("{}: skipped {s}", rule.id)));
        }
        plans.push(plan);
        measures.push(measure);
    }
    let tables = measures.iter().flat_map(Measure::tables).collect();
    let frame = match execution {
        Execution::Together => execute(rule, plans, &measures, execution.engine())?,
        Execution::PlanByPlan => {
            let mut stacked = aggregate::empty_results().collect().expect("an empty frame collects");
            for (plan, measure) in plans.into_iter().zip(&measures) {
                let frame = execute(rule, vec![plan], std::slice::from_ref(measure), execution.engine())?;
                stacked.vstack_mut(&frame).map_err(|e| RuleError::whole(rule.path, e.to_string()))?;
            }
            stacked
        }
    };
    let rows = results::from_frame(&frame).map_err(|message| {
        RuleError::whole(rule.path, format!("the results of the plan do not fit the results table: {message}"))
    })?;
    Ok(RuleRows { rows, notes, tables })
}

/// Executes one rule's plans together on `engine`; the subset checks'
/// counts come back first.
fn execute(
    rule: RuleRef,
    plans: Vec<MeasurePlans>,
    measures: &[Measure],
    engine: Engine,
) -> Result<DataFrame, RuleError> {
    let checks: Vec<&aggregate::OrphanCheck> = plans.iter().filter_map(|p| p.orphan_check.as_ref()).collect();
    let mut dsl = Vec::new();
    for check in &checks {
        dsl.push(check.members.clone().logical_plan);
        dsl.push(check.found.clone().logical_plan);
    }
    for plan in &plans {
        dsl.push(plan.results.clone().logical_plan);
    }
    let failed = |e: PolarsError| {
        locate_join_violation(rule, measures, &e).unwrap_or_else(|| {
            RuleError::whole(rule.path, format!("the plan failed when run: {}", crate::data::polars_message(&e)))
        })
    };
    let frames = LazyFrame::collect_all_with_engine(dsl, engine, OptFlags::default()).map_err(failed)?;
    let (check_frames, result_frames) = frames.split_at(2 * checks.len());
    let count = |frame: &DataFrame| frame.column("n").ok().and_then(|c| c.u64().ok()?.get(0)).unwrap_or(0);
    for (check, counts) in checks.iter().zip(check_frames.chunks(2)) {
        if count(&counts[0]) == count(&counts[1]) {
            continue;
        }
        let missing = check.missing.clone().collect().map_err(failed)?;
        let n = missing.column("n").ok().and_then(|c| c.cast(&DataType::UInt64).ok()?.u64().ok()?.get(0)).unwrap_or(0);
        let example =
            missing.column("example").ok().and_then(|c| c.str().ok()?.get(0).map(str::to_string)).unwrap_or_default();
        return Err(RuleError::whole(
            rule.path,
            format!(
                "the numerator has {n} member(s) that are not in the denominator (for example {example}); a \
                 numerator must be a subset of its denominator"
            ),
        ));
    }
    let mut results = aggregate::empty_results().collect().expect("an empty frame collects");
    for frame in result_frames {
        results.vstack_mut(frame).map_err(|e| RuleError::whole(rule.path, e.to_string()))?;
    }
    Ok(results)
}

/// When a plan failed because a many-to-one join found several rows per
/// key, the join's line in the rule and an example key; found by checking
/// each join's right side (only after a failure).
fn locate_join_violation(rule: RuleRef, measures: &[Measure], error: &PolarsError) -> Option<RuleError> {
    if !error.to_string().contains("did not fulfill") {
        return None;
    }
    for check in measures.iter().flat_map(Measure::join_checks) {
        let on: Vec<Expr> = check.on.iter().map(|c| col(c.as_str())).collect();
        let duplicated = check
            .right
            .clone()
            .group_by(on.clone())
            .agg([len().alias("__rows")])
            .filter(col("__rows").gt(lit(1)))
            .sort(check.on.clone(), SortMultipleOptions::default())
            .limit(1)
            .collect()
            .ok()?;
        if duplicated.height() == 0 {
            continue;
        }
        let key: Vec<String> = check
            .on
            .iter()
            .map(|c| {
                let value = duplicated.column(c).ok().and_then(|v| v.get(0).ok().map(|v| v.to_string()));
                format!("{c} = {}", value.unwrap_or_default())
            })
            .collect();
        let rows = duplicated.column("__rows").ok().and_then(|c| c.get(0).ok().map(|v| v.to_string()));
        return Some(RuleError {
            path: rule.path.to_path_buf(),
            line: check.line,
            column: check.column,
            message: format!(
                "{}: the other table must have at most one row per key, but {} has {} rows; write join_many (or \
                 left_join_many) if every row should be paired with every match",
                check.step,
                key.join(", "),
                rows.unwrap_or_default()
            ),
            not_computable: false,
        });
    }
    None
}

/// The members behind a measure's numbers in one period: one row per
/// member (key columns, then `taeller`/`udelukket`/`undtagelse`/`naevner`
/// flags for a proportion, or the measured column), sorted by key, for the
/// unit `unit` at `level` or for all units.
pub fn members(
    measure: &Measure,
    period: &Period,
    level: UnitLevel,
    unit: Option<&str>,
    dimensions: &Dimensions,
) -> PolarsResult<DataFrame> {
    let listed = match measure.kind {
        MeasureKind::Proportion => aggregate::proportion_population(measure),
        _ => measure.base.frame.clone(),
    };
    let column = units::level_column(level);
    let mut frame = dimensions.attach(listed, period.end, &[column])?.frame;
    if let Some(unit) = unit {
        frame = frame.filter(col(column).eq(lit(unit)));
    }
    let schema = frame.collect_schema()?;
    let mut shown: Vec<Expr> =
        measure.key.iter().filter(|k| schema.get(k.as_str()).is_some()).map(|k| col(k.as_str())).collect();
    if measure.kind == MeasureKind::Proportion {
        let yes_no = |c: &str, name: &str| when(col(c)).then(lit("ja")).otherwise(lit("nej")).alias(name);
        shown.extend([
            yes_no(flag::NUMERATOR, "taeller"),
            yes_no(flag::EXCLUDED, "udelukket"),
            yes_no(flag::EXCEPTION, "undtagelse"),
            yes_no(flag::DENOMINATOR, "naevner"),
        ]);
    } else if let Some(column) = &measure.column {
        shown.push(col(column.as_str()));
    }
    frame.select(shown).sort(measure.key.clone(), SortMultipleOptions::default()).collect()
}

/// The optimized Polars plan of a measure's result rows in one period at
/// `level`.
pub fn explain_plan(
    measure_id: &str,
    measure: &Measure,
    period: &Period,
    level: UnitLevel,
    dimensions: &Dimensions,
) -> PolarsResult<String> {
    aggregate::plan(measure_id, measure, period, &[level], dimensions)?.results.explain(true)
}

/// The first and last `edge` rows of a lazy table (all of it when it has
/// at most `2 × edge` rows), and how many rows it has: what a notebook
/// shows of a table without reading the middle into memory.
pub fn preview(frame: &LazyFrame, edge: usize) -> PolarsResult<(DataFrame, usize)> {
    let rows = frame.clone().select([len().alias("rows")]).collect()?;
    let total = rows.column("rows")?.u32()?.get(0).unwrap_or(0) as usize;
    if total <= 2 * edge {
        return Ok((frame.clone().collect()?, total));
    }
    let mut shown = frame.clone().limit(edge as u32).collect()?;
    shown.vstack_mut(&frame.clone().tail(edge as u32).collect()?)?;
    Ok((shown, total))
}
