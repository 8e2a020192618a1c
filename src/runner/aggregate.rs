//! From a measure definition to the lazy plan of its result rows: one row
//! per unit level × unit × stratum, with numerator, denominator and value.
//!
//! Rule authors never write this group-by: the runner attributes every
//! measured row to its units and strata (see [`super::units`]) and
//! aggregates here, the same way for every rule.

use super::units::{Attributed, Dimensions, level_column, stratum_needs};
use crate::engine::api::date_lit;
use crate::engine::measure::Derived;
use crate::engine::{Measure, MeasureKind, Period};
use crate::results::UnitLevel;
use crate::results::schema::{self, Role};
use polars::prelude::*;

/// Flags on a proportion's denominator rows.
pub mod flag {
    pub const NUMERATOR: &str = "__numerator";
    pub const EXCLUDED: &str = "__excluded";
    pub const EXCEPTION: &str = "__exception";
    pub const DENOMINATOR: &str = "__denominator";
}

/// The plans for one measure in one period.
pub struct MeasurePlans {
    /// The result rows: the core and kind columns of [`schema::COLUMNS`].
    pub results: LazyFrame,
    /// For proportions: the check that the numerator is a subset of the
    /// denominator.
    pub orphan_check: Option<OrphanCheck>,
    /// Unit levels or strata left out because the data cannot attribute them.
    pub skipped: Vec<String>,
}

fn keys(measure: &Measure) -> Vec<Expr> {
    measure.key.iter().map(|k| col(k.as_str())).collect()
}

fn member_flag(table: LazyFrame, measure: &Measure, flag_name: &str) -> LazyFrame {
    table.select(keys(measure)).unique_generic(None, UniqueKeepStrategy::Any).with_column(lit(true).alias(flag_name))
}

/// A proportion's distinct denominator members with their flags: in the
/// numerator, excluded, an exception, and counted in the denominator.
///
/// Shortcuts give the same result as the general joins: a denominator
/// known to be distinct on the key (a standard table's key, `unique(..)`)
/// is not made distinct again, and a numerator made from the denominator by
/// `filter(p)`, `semi_join(other, on)` or `anti_join(other, on)` is flagged
/// on the denominator's rows by evaluating `p` or joining `other` instead
/// of joining the numerator back on the key. When the denominator has
/// several rows per key, such flagged rows become one per key (any of them)
/// in one group-by, in the numerator when one of the key's rows is: making
/// the rows distinct and joining the numerator's keys back would compute
/// the table twice.
pub fn proportion_population(measure: &Measure) -> LazyFrame {
    let key = keys(measure);
    let base = &measure.base;
    let distinct = base.distinct_on(&measure.key);
    let numerator = measure.numerator.as_ref().expect("a proportion has a numerator");
    let flagged_rows = match &numerator.derived {
        Some(Derived::Filter { parent, predicate }) if *parent == base.id => {
            Some(base.frame.clone().with_column(predicate.clone().fill_null(lit(false)).alias(flag::NUMERATOR)))
        }
        Some(Derived::Join { parent, other, on, matched }) if *parent == base.id => {
            let on: Vec<Expr> = on.iter().map(|c| col(c.as_str())).collect();
            let matches = (**other)
                .clone()
                .select(on.clone())
                .unique_generic(None, UniqueKeepStrategy::Any)
                .with_column(lit(true).alias(flag::NUMERATOR));
            let in_numerator =
                if *matched { col(flag::NUMERATOR).fill_null(lit(false)) } else { col(flag::NUMERATOR).is_null() };
            Some(
                base.frame
                    .clone()
                    .join(matches, on.clone(), on, JoinArgs::new(JoinType::Left))
                    .with_column(in_numerator.alias(flag::NUMERATOR)),
            )
        }
        _ => None,
    };
    let mut population = match flagged_rows {
        Some(rows) if distinct => rows,
        Some(rows) => {
            let mut grouped: Vec<PlSmallStr> = measure.key.iter().map(|k| k.as_str().into()).collect();
            grouped.push(flag::NUMERATOR.into());
            rows.group_by(key.clone())
                .agg([all().exclude_cols(grouped).as_expr().first(), col(flag::NUMERATOR).any(true)])
        }
        None => {
            let members = if distinct {
                base.frame.clone()
            } else {
                base.frame.clone().unique_generic(Some(key.clone()), UniqueKeepStrategy::Any)
            };
            members
                .join(
                    member_flag(numerator.frame.clone(), measure, flag::NUMERATOR),
                    key.clone(),
                    key.clone(),
                    JoinArgs::new(JoinType::Left),
                )
                .with_column(col(flag::NUMERATOR).fill_null(lit(false)))
        }
    };
    let roles = [(measure.exclusions.as_ref(), flag::EXCLUDED), (measure.exceptions.as_ref(), "__exception_listed")];
    for (table, flag_name) in roles {
        population = match table {
            Some(table) => population
                .join(
                    member_flag(table.frame.clone(), measure, flag_name),
                    key.clone(),
                    key.clone(),
                    JoinArgs::new(JoinType::Left),
                )
                .with_column(col(flag_name).fill_null(lit(false))),
            None => population.with_column(lit(false).alias(flag_name)),
        };
    }
    population
        .with_column(col("__exception_listed").and(col(flag::NUMERATOR).not()).alias(flag::EXCEPTION))
        .with_column(col(flag::EXCLUDED).not().and(col(flag::EXCEPTION).not()).alias(flag::DENOMINATOR))
        .drop(cols(["__exception_listed"]))
}

/// The check that every numerator member is in the (initial) denominator,
/// done cheaply by counting: the distinct numerator members against those
/// the denominator's numerator flags found. Only when they differ is the
/// anti-join run to name an example.
pub struct OrphanCheck {
    /// One row, column `n`: distinct numerator members.
    pub members: LazyFrame,
    /// One row, column `n`: denominator members flagged as in the numerator.
    pub found: LazyFrame,
    /// Numerator members missing from the denominator: `n` and an `example`.
    pub missing: LazyFrame,
}

fn orphan_check(measure: &Measure) -> Option<OrphanCheck> {
    // Only a proportion's numerator must lie inside its denominator; a
    // rate's events need not be members of the population table.
    if measure.kind != MeasureKind::Proportion {
        return None;
    }
    let numerator = measure.numerator.as_ref()?;
    if numerator.derived_from(&measure.base) {
        // A filter or semi-join of the denominator is a subset of it.
        return None;
    }
    let key = keys(measure);
    let distinct = numerator.frame.clone().select(key.clone()).unique_generic(None, UniqueKeepStrategy::Any);
    let example = key
        .iter()
        .map(|k| k.clone().cast(DataType::String))
        .reduce(|a, b| a + lit(", ") + b)
        .expect("a key has columns");
    Some(OrphanCheck {
        members: distinct.clone().select([len().cast(DataType::UInt64).alias("n")]),
        found: proportion_population(measure).select([col(flag::NUMERATOR).sum().cast(DataType::UInt64).alias("n")]),
        missing: distinct
            .join(measure.base.frame.clone().select(key.clone()), key.clone(), key, JoinArgs::new(JoinType::Anti))
            .select([len().alias("n"), example.first().alias("example")]),
    })
}

/// How many of a group's rows `mask` keeps, weighted by `antal` when the
/// rows carry one (a table of counts rather than one row per event).
fn row_count(attributed: &mut Attributed) -> PolarsResult<impl Fn(Expr) -> Expr + use<>> {
    let weighted = attributed.frame.collect_schema()?.get("antal").is_some();
    Ok(move |mask: Expr| if weighted { col("antal").filter(mask).sum().cast(DataType::Float64) } else { count(mask) })
}

/// How many of a group's rows `mask` keeps, as a number.
fn count(mask: Expr) -> Expr {
    mask.sum().cast(DataType::Float64)
}

/// The aggregations of one stratum: named expressions over the rows `mask`
/// keeps (the stratum's rows with a unit).
type Aggregations<'a> = &'a dyn Fn(Expr) -> Vec<(&'static str, Expr)>;

/// Groups `frame` by `level` once, every stratum's aggregations side by
/// side (each over its own rows), then makes one piece per stratum with the
/// units that have rows in it. Nothing filters the rows below the group-by:
/// the attributed rows stay one common sub-plan, which Polars computes once
/// for every level and stratum (a filter per stratum would be pushed into it
/// and make each piece compute the rows again).
fn grouped(attributed: &Attributed, level: UnitLevel, measure: &Measure, aggregations: Aggregations) -> Vec<LazyFrame> {
    let unit = col(level_column(level));
    let known = unit.clone().is_not_null();
    let piece = |by: Vec<Expr>, masks: Vec<Expr>| {
        let mut aggs = Vec::new();
        for (i, mask) in masks.into_iter().enumerate() {
            aggs.push(count(mask.clone()).alias(format!("__n{i}")));
            aggs.extend(aggregations(mask).into_iter().map(|(name, e)| e.alias(format!("{name}{i}"))));
        }
        attributed.frame.clone().group_by(by).agg(aggs)
    };
    let names: Vec<&str> = aggregations(lit(true)).into_iter().map(|(name, _)| name).collect();
    // Stratum `i` of a grouped frame: the units with rows in it, its
    // columns under their own names.
    let stratum = |grouped: LazyFrame, i: usize, label: Expr| {
        let mut select = vec![col("unit_code"), label.alias("stratum")];
        select.extend(names.iter().map(|name| col(format!("{name}{i}")).alias(*name)));
        grouped.filter(col(format!("__n{i}")).gt(lit(0.0))).select(select)
    };
    let mut pieces = Vec::new();
    let masks: Vec<Expr> = measure.strata.iter().map(|s| attributed.stratum_filter(s).and(known.clone())).collect();
    if !masks.is_empty() {
        let by_unit = piece(vec![unit.clone().alias("unit_code")], masks);
        for (i, s) in measure.strata.iter().enumerate() {
            pieces.push(stratum(by_unit.clone(), i, lit(s.name())));
        }
    }
    if let Some(column) = &measure.breakdown {
        let by = vec![unit.alias("unit_code"), col(column.as_str()).cast(DataType::String).alias("__value")];
        let label = lit(format!("{column}=")) + col("__value").fill_null(lit("ukendt"));
        pieces.push(stratum(piece(by, vec![known]), 0, label));
    }
    pieces.into_iter().map(|p| p.with_column(lit(level.name()).alias("unit_level"))).collect()
}

/// Which of the requested levels and the measure's strata `frames` can all
/// be attributed to; the rest are reported as skipped.
fn coverage(
    frames: &[&Attributed],
    levels: &[UnitLevel],
    measure: &Measure,
    skipped: &mut Vec<String>,
) -> (Vec<UnitLevel>, Measure) {
    let has = |c: &str| frames.iter().all(|f| f.has(c));
    let usable_levels: Vec<UnitLevel> = levels
        .iter()
        .copied()
        .filter(|l| {
            let ok = has(level_column(*l));
            if !ok {
                skipped.push(format!("unit level {} (the measured rows have no {} attribute)", l.name(), l.name()));
            }
            ok
        })
        .collect();
    let mut measure = measure.clone();
    measure.strata.retain(|s| {
        let ok = stratum_needs(s).is_none_or(has);
        if !ok {
            skipped.push(format!("stratum {} (the measured rows cannot be attributed to it)", s.name()));
        }
        ok
    });
    (usable_levels, measure)
}

/// Builds the result plan of `measure` for `period`, grouped by `levels`.
pub fn plan(
    measure_id: &str,
    measure: &Measure,
    period: &Period,
    levels: &[UnitLevel],
    dimensions: &Dimensions,
) -> PolarsResult<MeasurePlans> {
    let mut skipped = Vec::new();
    let end = period.end;
    // Only the attributes the levels and strata use are computed.
    let needs: Vec<&str> =
        levels.iter().map(|l| level_column(*l)).chain(measure.strata.iter().filter_map(stratum_needs)).collect();
    let pieces: Vec<LazyFrame> = match measure.kind {
        MeasureKind::Proportion => {
            let population = proportion_population(measure).filter(col(flag::DENOMINATOR));
            let attributed = dimensions.attach_for_counting(population, end, &needs)?;
            let (levels, measure) = coverage(&[&attributed], levels, measure, &mut skipped);
            let aggregations = |mask: Expr| {
                vec![("numerator", count(col(flag::NUMERATOR).and(mask.clone()))), ("denominator", count(mask))]
            };
            levels
                .iter()
                .flat_map(|l| grouped(&attributed, *l, &measure, &aggregations))
                .map(|p| {
                    p.with_column((col("numerator") / col("denominator") * lit(measure.kind.scale())).alias("value"))
                })
                .collect()
        }
        MeasureKind::Rate { per } => {
            let events = measure.numerator.as_ref().expect("a rate has events");
            let mut events = dimensions.attach_for_counting(events.frame.clone(), end, &needs)?;
            let mut population = dimensions.attach_for_counting(measure.base.frame.clone(), end, &needs)?;
            let (levels, measure) = coverage(&[&events, &population], levels, measure, &mut skipped);
            let (event_count, population_count) = (row_count(&mut events)?, row_count(&mut population)?);
            let event_count = move |mask: Expr| vec![("numerator", event_count(mask))];
            let population_count = move |mask: Expr| vec![("denominator", population_count(mask))];
            let join_on = [col("unit_level"), col("unit_code"), col("stratum")];
            levels
                .iter()
                .flat_map(|l| {
                    let e = grouped(&events, *l, &measure, &event_count);
                    let p = grouped(&population, *l, &measure, &population_count);
                    p.into_iter().zip(e).map(|(p, e)| {
                        p.join(e, join_on.clone(), join_on.clone(), JoinArgs::new(JoinType::Left))
                            .with_column(col("numerator").fill_null(lit(0.0)))
                            .with_column((col("numerator") / col("denominator") * lit(per)).alias("value"))
                    })
                })
                .collect()
        }
        MeasureKind::Count => {
            let mut attributed = dimensions.attach_for_counting(measure.base.frame.clone(), end, &needs)?;
            let (levels, measure) = coverage(&[&attributed], levels, measure, &mut skipped);
            let counted = row_count(&mut attributed)?;
            let aggregations = move |mask: Expr| vec![("numerator", counted(mask))];
            levels
                .iter()
                .flat_map(|l| grouped(&attributed, *l, &measure, &aggregations))
                .map(|p| {
                    p.with_columns([
                        lit(Null {}).cast(DataType::Float64).alias("denominator"),
                        col("numerator").alias("value"),
                    ])
                })
                .collect()
        }
        MeasureKind::Mean | MeasureKind::Median => {
            let column = measure.column.as_deref().expect("mean and median have a column");
            let values = measure.base.frame.clone().filter(col(column).is_not_null());
            let attributed = dimensions.attach_for_counting(values, end, &needs)?;
            let (levels, measure) = coverage(&[&attributed], levels, measure, &mut skipped);
            let x = col(column).cast(DataType::Float64);
            let mean = measure.kind == MeasureKind::Mean;
            let aggregations = move |mask: Expr| {
                let x = x.clone().filter(mask.clone());
                if mean {
                    vec![
                        ("numerator", x.clone().sum()),
                        ("denominator", count(mask)),
                        ("value", x.clone().mean()),
                        (SD, x.std(1)),
                    ]
                } else {
                    vec![
                        ("numerator", lit(Null {}).cast(DataType::Float64)),
                        ("denominator", count(mask)),
                        ("value", x.clone().median()),
                        // The sorted values, for the median's confidence interval.
                        (VALUES, x.sort(SortOptions::default())),
                    ]
                }
            };
            levels.iter().flat_map(|l| grouped(&attributed, *l, &measure, &aggregations)).collect()
        }
    };
    let per = match measure.kind.per() {
        Some(per) => lit(per),
        None => lit(Null {}).cast(DataType::Float64),
    };
    let sd = if measure.kind == MeasureKind::Mean { col(SD) } else { lit(Null {}).cast(DataType::Float64) };
    let values = if measure.kind == MeasureKind::Median {
        col(VALUES)
    } else {
        lit(Null {}).cast(DataType::List(Box::new(DataType::Float64)))
    };
    let columns = [
        lit(measure_id).alias("measure_id"),
        date_lit(period.start).alias("period_start"),
        date_lit(period.end).alias("period_end"),
        col("unit_level"),
        col("unit_code").cast(DataType::String),
        col("stratum"),
        col("numerator").cast(DataType::Float64),
        col("denominator").cast(DataType::Float64),
        col("value").cast(DataType::Float64),
        lit(measure.kind.name()).alias("measure_kind"),
        per.alias("rate_per"),
        sd.alias(SD),
        values.alias(VALUES),
    ];
    let results = if pieces.is_empty() {
        empty_results()
    } else {
        let stacked =
            concat(pieces.into_iter().map(|p| p.select(columns.clone())).collect::<Vec<_>>(), UnionArgs::default())?;
        stacked
            .join(
                dimensions.names(),
                [col("unit_level"), col("unit_code")],
                [col("unit_level"), col("unit_code")],
                JoinArgs::new(JoinType::Left),
            )
            .with_column(col("unit_name").fill_null(col("unit_code")))
            .select(output_columns().map(|c| col(c.name)).collect::<Vec<_>>())
    };
    Ok(MeasurePlans { results, orphan_check: orphan_check(measure), skipped })
}

/// The standard deviation of a mean's values.
const SD: &str = "value_sd";
/// The sorted values of a median.
const VALUES: &str = "median_values";

/// The columns a plan produces: the core and kind columns of the results
/// schema (provenance and statistics come later).
fn output_columns() -> impl Iterator<Item = &'static schema::ResultColumn> {
    schema::COLUMNS.iter().filter(|c| matches!(c.role, Role::Core | Role::Kind))
}

/// An empty frame with the plan's columns and types.
pub fn empty_results() -> LazyFrame {
    let schema: Schema = output_columns().map(|c| Field::new(c.name.into(), c.column_type.dtype())).collect();
    DataFrame::empty_with_schema(&schema).lazy()
}
