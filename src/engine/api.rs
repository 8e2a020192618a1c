//! The functions and types a rule can use, registered into a raw Rhai engine.
//!
//! Everything here builds Polars lazy plans: expressions ([`Expr`]) combine
//! with operators (`>=`, `&`, `|`, `!`, `+` …), tables ([`Table`]) gain
//! filters, joins and aggregations, and measure constructors wrap tables into
//! a [`Measure`]. No function reads a row: the data work happens later, in
//! Polars. Every table operation resolves the plan's schema at once, so a
//! missing column is reported at the line of the rule that names it.

use super::dates::{Period, Span};
use super::measure::{Derived, Measure, MeasureKind, Stratum, Table};
use crate::data::{TableSource, polars_message};
use chrono::NaiveDate;
use polars::prelude::{self as pl, JoinArgs, JoinType, LazyFrame, NamedFrom, PlSmallStr, SortMultipleOptions};
use rhai::{Array, Dynamic, Engine, EvalAltResult, FLOAT, INT, ImmutableString, Position};
use std::sync::Arc;

/// A Polars expression in a rule.
#[derive(Clone, Debug)]
pub struct Expr(pub pl::Expr);

/// A `when(..).then(..)` chain waiting for `otherwise`.
#[derive(Clone, Debug)]
pub struct When {
    branches: Vec<(pl::Expr, pl::Expr)>,
    pending: Option<pl::Expr>,
}

/// A table grouped by columns, waiting for `agg`.
#[derive(Clone, Debug)]
pub struct Grouped {
    table: Table,
    by: Vec<String>,
}

/// A date in a rule (`period.start`, `period.end - months(6)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

type Res<T> = Result<T, Box<EvalAltResult>>;

/// A runtime error raised from a registered function; Rhai adds the
/// position of the call in the rule.
pub fn error(message: impl Into<String>) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(message.into().into(), Position::NONE))
}

/// A Polars `Date` literal (Polars' `lit` of a chrono date is a datetime).
pub fn date_lit(date: NaiveDate) -> pl::Expr {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    pl::lit(pl::Scalar::new_date((date - epoch).num_days() as i32))
}

/// Turns a rule value into an expression: expressions stay, numbers, strings,
/// booleans and dates become literals.
fn literal(value: &Dynamic) -> Res<pl::Expr> {
    if let Some(e) = value.clone().try_cast::<Expr>() {
        return Ok(e.0);
    }
    if let Some(d) = value.clone().try_cast::<Date>() {
        return Ok(date_lit(d.0));
    }
    if let Ok(i) = value.as_int() {
        return Ok(pl::lit(i));
    }
    if let Ok(f) = value.as_float() {
        return Ok(pl::lit(f));
    }
    if let Ok(b) = value.as_bool() {
        return Ok(pl::lit(b));
    }
    if let Some(s) = value.clone().try_cast::<ImmutableString>() {
        return Ok(pl::lit(s.as_str()));
    }
    if value.is_unit() {
        return Ok(pl::lit(pl::Null {}));
    }
    Err(error(format!("expected a column expression, number, text, true/false or date, found {}", value.type_name())))
}

/// Turns a rule value naming columns (`"borger_id"` or `["a", "b"]`) into names.
fn column_names(value: &Dynamic) -> Res<Vec<String>> {
    if let Some(s) = value.clone().try_cast::<ImmutableString>() {
        return Ok(vec![s.to_string()]);
    }
    if let Some(items) = value.clone().try_cast::<Array>() {
        return items
            .iter()
            .map(|item| {
                item.clone()
                    .try_cast::<ImmutableString>()
                    .map(|s| s.to_string())
                    .ok_or_else(|| error(format!("expected a column name in quotes, found {}", item.type_name())))
            })
            .collect();
    }
    Err(error(format!("expected a column name or a list of column names, found {}", value.type_name())))
}

/// Turns a rule value selecting columns (names or expressions) into expressions.
fn selection(value: &Dynamic) -> Res<Vec<pl::Expr>> {
    let items = match value.clone().try_cast::<Array>() {
        Some(items) => items,
        None => vec![value.clone()],
    };
    items
        .iter()
        .map(|item| match item.clone().try_cast::<ImmutableString>() {
            Some(name) => Ok(pl::col(name.as_str())),
            None => item
                .clone()
                .try_cast::<Expr>()
                .map(|e| e.0)
                .ok_or_else(|| error(format!("expected a column name or expression, found {}", item.type_name()))),
        })
        .collect()
}

impl Table {
    /// A new table from `frame`, checked by resolving its schema so that a
    /// wrong column name fails here, at the rule's line.
    fn derive(&self, frame: LazyFrame, step: &str) -> Res<Table> {
        self.derive_with(frame, step, None, None)
    }

    /// Like [`Table::derive`], recording what stays known: a unique key and
    /// how the new table is a subset of this one.
    fn derive_with(
        &self,
        frame: LazyFrame,
        step: &str,
        unique_key: Option<Vec<String>>,
        derived: Option<Derived>,
    ) -> Res<Table> {
        let mut frame = frame;
        frame.collect_schema().map_err(|e| error(format!("in {}.{step}: {}", self.origin, polars_message(&e))))?;
        Ok(Table::new(frame, format!("{}.{step}", self.origin), unique_key, derived))
    }

    fn columns(&self) -> Vec<String> {
        self.frame.clone().collect_schema().map(|s| s.iter_names().map(|n| n.to_string()).collect()).unwrap_or_default()
    }
}

fn join(left: &Table, right: &Table, on: &Dynamic, how: JoinType, step: &str) -> Res<Table> {
    join_keeping(left, right, on, how, step, |_| (None, None))
}

/// A join where the result keeps some of what is known about `left`:
/// `keep(on)` gives its unique key and lineage.
fn join_keeping(
    left: &Table,
    right: &Table,
    on: &Dynamic,
    how: JoinType,
    step: &str,
    keep: impl FnOnce(&[String]) -> (Option<Vec<String>>, Option<Derived>),
) -> Res<Table> {
    let names = column_names(on)?;
    for name in &names {
        for table in [left, right] {
            if !table.columns().iter().any(|c| c == name) {
                return Err(error(format!(
                    "{step}: {} has no column \"{name}\" to join on (columns: {})",
                    table.origin,
                    table.columns().join(", ")
                )));
            }
        }
    }
    let keys: Vec<pl::Expr> = names.iter().map(|n| pl::col(n.as_str())).collect();
    let frame = left.frame.clone().join(right.frame.clone(), keys.clone(), keys, JoinArgs::new(how));
    let (unique_key, derived) = keep(&names);
    left.derive_with(frame, &format!("{step}({})", right.origin), unique_key, derived)
}

fn measure_with_strata(mut m: Measure, strata: Array) -> Res<Measure> {
    let mut parsed = Vec::new();
    for item in strata {
        let name = item
            .clone()
            .try_cast::<ImmutableString>()
            .ok_or_else(|| error(format!("strata are names in quotes, found {}", item.type_name())))?;
        let stratum = Stratum::parse(&name)
            .ok_or_else(|| error(format!("unknown stratum \"{name}\"; expected {}", Stratum::HELP)))?;
        parsed.push(stratum);
    }
    if parsed.is_empty() {
        return Err(error("strata([]) is empty; give at least \"alle\""));
    }
    m.strata = parsed;
    Ok(m)
}

fn check_column(table: &Table, column: &str, what: &str) -> Res<()> {
    if table.columns().iter().any(|c| c == column) {
        Ok(())
    } else {
        Err(error(format!(
            "{what}: {} has no column \"{column}\" (columns: {})",
            table.origin,
            table.columns().join(", ")
        )))
    }
}

/// Registers operators `op` for expression ⊕ value and value ⊕ expression.
macro_rules! binary {
    ($engine:ident, $op:literal, $f:expr) => {{
        let f: fn(pl::Expr, pl::Expr) -> pl::Expr = $f;
        $engine.register_fn($op, move |a: Expr, b: Expr| Expr(f(a.0, b.0)));
        binary!(@one $engine, $op, f, INT);
        binary!(@one $engine, $op, f, FLOAT);
        binary!(@one $engine, $op, f, bool);
        binary!(@one $engine, $op, f, ImmutableString);
        binary!(@one $engine, $op, f, Date);
    }};
    (@one $engine:ident, $op:literal, $f:ident, $t:ty) => {{
        $engine.register_fn($op, move |a: Expr, b: $t| -> Res<Expr> { Ok(Expr($f(a.0, literal(&Dynamic::from(b))?))) });
        $engine.register_fn($op, move |a: $t, b: Expr| -> Res<Expr> { Ok(Expr($f(literal(&Dynamic::from(a))?, b.0))) });
    }};
}

/// Registers every type and function of the rule language into `engine`.
pub fn register(engine: &mut Engine, source: Arc<dyn TableSource>) {
    engine
        .register_type_with_name::<Expr>("Expr")
        .register_type_with_name::<Table>("Table")
        .register_type_with_name::<Grouped>("GroupedTable")
        .register_type_with_name::<Measure>("Measure")
        .register_type_with_name::<When>("When")
        .register_type_with_name::<Date>("Date")
        .register_type_with_name::<Span>("Span")
        .register_type_with_name::<Period>("Period");

    register_expressions(engine);
    register_dates(engine);
    register_tables(engine, source);
    register_measures(engine);
}

fn register_expressions(engine: &mut Engine) {
    engine.register_fn("col", |name: ImmutableString| Expr(pl::col(name.as_str())));
    engine.register_fn("lit", |v: Dynamic| -> Res<Expr> { Ok(Expr(literal(&v)?)) });

    binary!(engine, "==", |a, b| a.eq(b));
    binary!(engine, "!=", |a, b| a.neq(b));
    binary!(engine, "<", |a, b| a.lt(b));
    binary!(engine, "<=", |a, b| a.lt_eq(b));
    binary!(engine, ">", |a, b| a.gt(b));
    binary!(engine, ">=", |a, b| a.gt_eq(b));
    binary!(engine, "&", |a, b| a.and(b));
    binary!(engine, "|", |a, b| a.or(b));
    binary!(engine, "+", |a, b| a + b);
    binary!(engine, "-", |a, b| a - b);
    binary!(engine, "*", |a, b| a * b);
    binary!(engine, "/", |a, b| a / b);
    engine.register_fn("!", |a: Expr| Expr(a.0.not()));
    engine.register_fn("-", |a: Expr| Expr(pl::lit(0) - a.0));

    engine.register_fn("alias", |e: Expr, name: ImmutableString| Expr(e.0.alias(name.as_str())));
    engine.register_fn("is_null", |e: Expr| Expr(e.0.is_null()));
    engine.register_fn("is_not_null", |e: Expr| Expr(e.0.is_not_null()));
    engine.register_fn("fill_null", |e: Expr, v: Dynamic| -> Res<Expr> { Ok(Expr(e.0.fill_null(literal(&v)?))) });
    engine.register_fn("is_in", |e: Expr, values: Array| -> Res<Expr> {
        let series = series_of(&values)?;
        Ok(Expr(e.0.is_in(pl::lit(series).implode(false), false)))
    });
    engine.register_fn("between", |e: Expr, low: Date, high: Date| {
        // Whole days: `high` includes its day also for datetime columns.
        let next = high.0 + chrono::Days::new(1);
        Expr(e.0.clone().gt_eq(date_lit(low.0)).and(e.0.lt(date_lit(next))))
    });
    engine.register_fn("between", |e: Expr, low: Dynamic, high: Dynamic| -> Res<Expr> {
        Ok(Expr(e.0.is_between(literal(&low)?, literal(&high)?, pl::ClosedInterval::Both)))
    });
    engine.register_fn("starts_with", |e: Expr, prefix: ImmutableString| {
        Expr(e.0.str().starts_with(pl::lit(prefix.as_str())))
    });
    engine.register_fn("contains", |e: Expr, text: ImmutableString| {
        Expr(e.0.str().contains_literal(pl::lit(text.as_str())))
    });
    engine.register_fn("to_int", |e: Expr| Expr(e.0.cast(pl::DataType::Int64)));
    engine.register_fn("to_float", |e: Expr| Expr(e.0.cast(pl::DataType::Float64)));
    engine.register_fn("to_str", |e: Expr| Expr(e.0.cast(pl::DataType::String)));
    engine.register_fn("abs", |e: Expr| Expr(e.0.abs()));
    engine.register_fn("round", |e: Expr, decimals: INT| {
        Expr(e.0.round(decimals.max(0) as u32, pl::RoundMode::default()))
    });

    // Aggregations, for group_by(..).agg([..]).
    engine.register_fn("count", |e: Expr| Expr(e.0.count()));
    engine.register_fn("n_unique", |e: Expr| Expr(e.0.n_unique()));
    engine.register_fn("sum", |e: Expr| Expr(e.0.sum()));
    engine.register_fn("mean", |e: Expr| Expr(e.0.mean()));
    engine.register_fn("median", |e: Expr| Expr(e.0.median()));
    engine.register_fn("min", |e: Expr| Expr(e.0.min()));
    engine.register_fn("max", |e: Expr| Expr(e.0.max()));
    engine.register_fn("first", |e: Expr| Expr(e.0.first()));
    engine.register_fn("last", |e: Expr| Expr(e.0.last()));
    engine.register_fn("any", |e: Expr| Expr(e.0.any(true)));
    engine.register_fn("all", |e: Expr| Expr(e.0.all(true)));

    engine.register_fn("when", |cond: Expr| When { branches: Vec::new(), pending: Some(cond.0) });
    engine.register_fn("then", |mut w: When, value: Dynamic| -> Res<When> {
        let cond = w.pending.take().ok_or_else(|| error("then(..) must follow when(..)"))?;
        w.branches.push((cond, literal(&value)?));
        Ok(w)
    });
    engine.register_fn("when", |mut w: When, cond: Expr| -> Res<When> {
        if w.pending.is_some() {
            return Err(error("when(..) must be followed by then(..)"));
        }
        w.pending = Some(cond.0);
        Ok(w)
    });
    engine.register_fn("otherwise", |w: When, value: Dynamic| -> Res<Expr> {
        if w.pending.is_some() {
            return Err(error("when(..) must be followed by then(..) before otherwise(..)"));
        }
        let mut result = literal(&value)?;
        for (cond, then) in w.branches.into_iter().rev() {
            result = pl::when(cond).then(then).otherwise(result);
        }
        Ok(Expr(result))
    });
}

fn series_of(values: &Array) -> Res<pl::Series> {
    let name = PlSmallStr::from_static("values");
    if values.iter().all(|v| v.is_string()) {
        let items: Vec<String> = values.iter().map(|v| v.clone().cast::<ImmutableString>().to_string()).collect();
        return Ok(pl::Series::new(name, items));
    }
    if values.iter().all(|v| v.is_int()) {
        let items: Vec<i64> = values.iter().map(|v| v.as_int().unwrap_or_default()).collect();
        return Ok(pl::Series::new(name, items));
    }
    if values.iter().all(|v| v.is_int() || v.is_float()) {
        let items: Vec<f64> =
            values.iter().map(|v| v.as_float().or_else(|_| v.as_int().map(|i| i as f64)).unwrap_or_default()).collect();
        return Ok(pl::Series::new(name, items));
    }
    Err(error("is_in([..]) takes a list of texts or a list of numbers"))
}

fn register_dates(engine: &mut Engine) {
    engine.register_get("start", |p: &mut Period| Date(p.start));
    engine.register_get("end", |p: &mut Period| Date(p.end));
    engine.register_get("label", |p: &mut Period| p.label());
    engine.register_fn("to_string", |p: &mut Period| p.label());
    engine.register_fn("to_string", |d: &mut Date| d.0.to_string());
    engine.register_fn("to_debug", |d: &mut Date| d.0.to_string());
    engine.register_fn("to_string", |s: &mut Span| s.to_string());

    engine.register_fn("date", |y: INT, m: INT, d: INT| -> Res<Date> {
        NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32)
            .map(Date)
            .ok_or_else(|| error(format!("date({y}, {m}, {d}) is not a valid date")))
    });
    engine.register_fn("months", |n: INT| Span { months: n, ..Span::default() });
    engine.register_fn("days", |n: INT| Span { days: n, ..Span::default() });
    engine.register_fn("hours", |n: INT| Span { hours: n, ..Span::default() });
    engine.register_fn("+", |a: Span, b: Span| a + b);
    engine.register_fn("+", |d: Date, s: Span| -> Res<Date> { s.shift(d.0, 1).map(Date).map_err(error) });
    engine.register_fn("-", |d: Date, s: Span| -> Res<Date> { s.shift(d.0, -1).map(Date).map_err(error) });
    engine.register_fn("+", |e: Expr, s: Span| Expr(e.0.dt().offset_by(pl::lit(s.polars_offset(1)))));
    engine.register_fn("-", |e: Expr, s: Span| Expr(e.0.dt().offset_by(pl::lit(s.polars_offset(-1)))));
    for (op, f) in [
        ("==", (|a, b| a == b) as fn(Date, Date) -> bool),
        ("!=", |a, b| a != b),
        ("<", |a, b| a < b),
        ("<=", |a, b| a <= b),
        (">", |a, b| a > b),
        (">=", |a, b| a >= b),
    ] {
        engine.register_fn(op, move |a: Date, b: Date| f(a, b));
    }

    // Date parts and durations of expressions.
    engine.register_fn("year", |e: Expr| Expr(e.0.dt().year()));
    engine.register_fn("month", |e: Expr| Expr(e.0.dt().month()));
    engine.register_fn("day", |e: Expr| Expr(e.0.dt().day()));
    engine.register_fn("hour", |e: Expr| Expr(e.0.dt().hour()));
    engine.register_fn("date", |e: Expr| Expr(e.0.dt().date()));
    engine.register_fn("total_days", |e: Expr| Expr(e.0.dt().total_days(false)));
    engine.register_fn("total_hours", |e: Expr| Expr(e.0.dt().total_hours(false)));

    // Domain helpers.
    engine.register_fn("active_on", |d: Date| active_between("start", "slut", d, d));
    engine.register_fn("active_on", |d: Date, from: ImmutableString, to: ImmutableString| {
        active_between(&from, &to, d, d)
    });
    engine.register_fn("active_between", |a: Date, b: Date| active_between("start", "slut", a, b));
    engine.register_fn("active_between", |a: Date, b: Date, from: ImmutableString, to: ImmutableString| {
        active_between(&from, &to, a, b)
    });
    engine.register_fn("age_at", |birth: Expr, at: Date| Expr(age_at(birth.0, at.0)));
    engine.register_fn("shift_end", |e: Expr| Expr(shift_end(e.0)));
}

/// Rows whose `[from, to]` interval (open when `to` is empty) overlaps the
/// days `a..=b`.
fn active_between(from: &str, to: &str, a: Date, b: Date) -> Expr {
    let starts = pl::col(from).lt_eq(date_lit(b.0));
    let not_ended = pl::col(to).is_null().or(pl::col(to).gt_eq(date_lit(a.0)));
    Expr(starts.and(not_ended))
}

/// Whole years from the date in `birth` to `at`.
pub fn age_at(birth: pl::Expr, at: NaiveDate) -> pl::Expr {
    use chrono::Datelike;
    let month = birth.clone().dt().month().cast(pl::DataType::Int32);
    let day = birth.clone().dt().day().cast(pl::DataType::Int32);
    let (m, d) = (at.month() as i32, at.day() as i32);
    let birthday_ahead = month.clone().gt(pl::lit(m)).or(month.eq(pl::lit(m)).and(day.gt(pl::lit(d))));
    pl::lit(at.year())
        - birth.dt().year().cast(pl::DataType::Int32)
        - pl::when(birthday_ahead).then(pl::lit(1)).otherwise(pl::lit(0))
}

/// The end of the shift a datetime falls in. Shifts: day 07–15, evening
/// 15–23, night 23–07 (the night shift ends at 07 the next day).
fn shift_end(at: pl::Expr) -> pl::Expr {
    let hour = at.clone().dt().hour();
    let midnight = at.dt().date().cast(pl::DataType::Datetime(pl::TimeUnit::Microseconds, None));
    let plus = |offset: &str| midnight.clone().dt().offset_by(pl::lit(offset));
    pl::when(hour.clone().lt(pl::lit(7)))
        .then(plus("7h"))
        .when(hour.clone().lt(pl::lit(15)))
        .then(plus("15h"))
        .when(hour.lt(pl::lit(23)))
        .then(plus("23h"))
        .otherwise(plus("31h"))
}

fn register_tables(engine: &mut Engine, source: Arc<dyn TableSource>) {
    engine.register_fn("table", move |name: ImmutableString| -> Res<Table> {
        let frame = source.table(&name).map_err(error)?;
        Ok(Table::new(frame, format!("table(\"{name}\")"), source.key(&name), None))
    });
    engine.register_fn("filter", |t: &mut Table, cond: Expr| {
        let derived = Derived::Filter { parent: t.id, predicate: cond.0.clone() };
        t.derive_with(t.frame.clone().filter(cond.0), "filter(..)", t.unique_key.clone(), Some(derived))
    });
    engine.register_fn("select", |t: &mut Table, columns: Dynamic| -> Res<Table> {
        let exprs = selection(&columns)?;
        // The key survives when its columns are selected as they are.
        let names: Vec<String> = column_names(&columns).unwrap_or_default();
        let unique_key = t.unique_key.clone().filter(|key| key.iter().all(|k| names.contains(k)));
        t.derive_with(t.frame.clone().select(exprs), "select(..)", unique_key, None)
    });
    engine.register_fn("with_column", |t: &mut Table, e: Expr| {
        t.derive(t.frame.clone().with_column(e.0), "with_column(..)")
    });
    engine.register_fn("with_column", |t: &mut Table, name: ImmutableString, e: Expr| {
        let unique_key = t.unique_key.clone().filter(|key| !key.iter().any(|k| k == name.as_str()));
        t.derive_with(
            t.frame.clone().with_column(e.0.alias(name.as_str())),
            &format!("with_column(\"{name}\", ..)"),
            unique_key,
            None,
        )
    });
    engine.register_fn("drop", |t: &mut Table, columns: Dynamic| -> Res<Table> {
        let names = column_names(&columns)?;
        for name in &names {
            check_column(t, name, "drop")?;
        }
        let keep: Vec<pl::Expr> =
            t.columns().into_iter().filter(|c| !names.contains(c)).map(|c| pl::col(c.as_str())).collect();
        t.derive(t.frame.clone().select(keep), "drop(..)")
    });
    engine.register_fn("rename", |t: &mut Table, from: ImmutableString, to: ImmutableString| -> Res<Table> {
        check_column(t, &from, "rename")?;
        t.derive(t.frame.clone().rename([from.as_str()], [to.as_str()], true), "rename(..)")
    });
    engine.register_fn("unique", |t: &mut Table| {
        let all = t.columns();
        t.derive_with(t.frame.clone().unique_generic(None, pl::UniqueKeepStrategy::Any), "unique()", Some(all), None)
    });
    engine.register_fn("unique", |t: &mut Table, columns: Dynamic| -> Res<Table> {
        let names = column_names(&columns)?;
        for name in &names {
            check_column(t, name, "unique")?;
        }
        let subset = names.iter().map(|n| pl::col(n.as_str())).collect();
        t.derive_with(
            t.frame.clone().unique_generic(Some(subset), pl::UniqueKeepStrategy::Any),
            "unique(..)",
            Some(names),
            None,
        )
    });
    engine.register_fn("sort", |t: &mut Table, columns: Dynamic| -> Res<Table> {
        let names = column_names(&columns)?;
        t.derive(t.frame.clone().sort(names, SortMultipleOptions::default()), "sort(..)")
    });
    engine.register_fn("sort", |t: &mut Table, columns: Dynamic, descending: bool| -> Res<Table> {
        let names = column_names(&columns)?;
        let options = SortMultipleOptions::default().with_order_descending(descending);
        t.derive(t.frame.clone().sort(names, options), "sort(..)")
    });
    engine
        .register_fn("head", |t: &mut Table, n: INT| t.derive(t.frame.clone().limit(n.max(0) as u32 as _), "head(..)"));
    engine.register_fn("union", |t: &mut Table, other: Table| {
        let frame = pl::concat([t.frame.clone(), other.frame], pl::UnionArgs::default())
            .map_err(|e| error(format!("union: {}", polars_message(&e))))?;
        t.derive(frame, &format!("union({})", other.origin))
    });
    engine
        .register_fn("join", |t: &mut Table, other: Table, on: Dynamic| join(t, &other, &on, JoinType::Inner, "join"));
    engine.register_fn("left_join", |t: &mut Table, other: Table, on: Dynamic| {
        join(t, &other, &on, JoinType::Left, "left_join")
    });
    engine.register_fn("semi_join", |t: &mut Table, other: Table, on: Dynamic| {
        let (parent, unique_key, other_frame) = (t.id, t.unique_key.clone(), Box::new(other.frame.clone()));
        join_keeping(t, &other, &on, JoinType::Semi, "semi_join", |names| {
            (unique_key, Some(Derived::SemiJoin { parent, other: other_frame, on: names.to_vec() }))
        })
    });
    engine.register_fn("anti_join", |t: &mut Table, other: Table, on: Dynamic| {
        let unique_key = t.unique_key.clone();
        join_keeping(t, &other, &on, JoinType::Anti, "anti_join", |_| (unique_key, None))
    });
    engine.register_fn("group_by", |t: &mut Table, columns: Dynamic| -> Res<Grouped> {
        let by = column_names(&columns)?;
        for name in &by {
            check_column(t, name, "group_by")?;
        }
        Ok(Grouped { table: t.clone(), by })
    });
    engine.register_fn("agg", |g: &mut Grouped, aggregations: Array| -> Res<Table> {
        let mut exprs = Vec::new();
        for item in aggregations {
            let e = item.clone().try_cast::<Expr>().ok_or_else(|| {
                error(format!("agg([..]) takes expressions such as col(\"x\").count(), found {}", item.type_name()))
            })?;
            exprs.push(e.0);
        }
        let keys: Vec<pl::Expr> = g.by.iter().map(|n| pl::col(n.as_str())).collect();
        let frame = g.table.frame.clone().group_by(keys).agg(exprs);
        g.table.derive_with(frame, &format!("group_by({:?}).agg(..)", g.by), Some(g.by.clone()), None)
    });
    engine.register_fn("columns", |t: &mut Table| -> Array { t.columns().into_iter().map(Dynamic::from).collect() });
}

fn register_measures(engine: &mut Engine) {
    engine.register_fn("proportion", |numerator: Table, denominator: Table| {
        let mut m = Measure::new(MeasureKind::Proportion, denominator);
        m.numerator = Some(numerator);
        m
    });
    engine.register_fn("rate", |events: Table, population: Table, per: INT| -> Res<Measure> {
        rate(events, population, per as FLOAT)
    });
    engine.register_fn("rate", |events: Table, population: Table, per: FLOAT| -> Res<Measure> {
        rate(events, population, per)
    });
    engine.register_fn("count", |t: Table| Measure::new(MeasureKind::Count, t));
    engine.register_fn("mean", |t: Table, column: ImmutableString| -> Res<Measure> {
        check_column(&t, &column, "mean")?;
        let mut m = Measure::new(MeasureKind::Mean, t);
        m.column = Some(column.to_string());
        Ok(m)
    });
    engine.register_fn("median", |t: Table, column: ImmutableString| -> Res<Measure> {
        check_column(&t, &column, "median")?;
        let mut m = Measure::new(MeasureKind::Median, t);
        m.column = Some(column.to_string());
        Ok(m)
    });
    engine.register_fn("exclusions", |mut m: Measure, t: Table| -> Res<Measure> {
        require_proportion(&m, "exclusions")?;
        m.exclusions = Some(t);
        Ok(m)
    });
    engine.register_fn("exceptions", |mut m: Measure, t: Table| -> Res<Measure> {
        require_proportion(&m, "exceptions")?;
        m.exceptions = Some(t);
        Ok(m)
    });
    engine.register_fn("key", |mut m: Measure, columns: Dynamic| -> Res<Measure> {
        m.key = column_names(&columns)?;
        Ok(m)
    });
    engine.register_fn("strata", measure_with_strata);
    engine.register_fn("breakdown", |mut m: Measure, column: ImmutableString| -> Res<Measure> {
        check_column(&m.base, &column, "breakdown")?;
        m.breakdown = Some(column.to_string());
        Ok(m)
    });
}

fn rate(events: Table, population: Table, per: FLOAT) -> Res<Measure> {
    if per.is_nan() || per <= 0.0 {
        return Err(error(format!("rate(..) needs a positive `per` such as 1000, found {per}")));
    }
    let mut m = Measure::new(MeasureKind::Rate { per }, population);
    m.numerator = Some(events);
    Ok(m)
}

fn require_proportion(m: &Measure, what: &str) -> Res<()> {
    if m.kind == MeasureKind::Proportion {
        Ok(())
    } else {
        Err(error(format!("{what}(..) applies to proportion(..) measures, not to {}(..)", m.kind.name())))
    }
}
