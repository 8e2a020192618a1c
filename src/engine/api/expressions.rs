//! Column expressions: `col(..)`, literals, operators, tests such as
//! `is_in` and `between`, `when/then/otherwise`, and the aggregations used
//! in `group_by(..).agg([..])`.

use super::{Api, Date, Expr, Res, When, date_lit, def, error, literal, series_of};
use polars::prelude as pl;
use rhai::{Array, Dynamic, FLOAT, INT, ImmutableString};

/// Registers operator `op` for expression ⊕ value and value ⊕ expression,
/// for every literal type a rule can write.
macro_rules! binary {
    ($api:ident, $op:literal, $doc:literal, $f:expr) => {{
        let f: fn(pl::Expr, pl::Expr) -> pl::Expr = $f;
        def!($api, $op, concat!("Expr ", $op, " Expr -> Expr"), $doc, move |a: Expr, b: Expr| Expr(f(a.0, b.0)));
        binary!(@one $api, $op, f, INT, "int");
        binary!(@one $api, $op, f, FLOAT, "float");
        binary!(@one $api, $op, f, bool, "bool");
        binary!(@one $api, $op, f, ImmutableString, "text");
        binary!(@one $api, $op, f, Date, "Date");
    }};
    (@one $api:ident, $op:literal, $f:ident, $t:ty, $name:literal) => {{
        def!($api, $op, concat!("Expr ", $op, " ", $name, " -> Expr"), "", move |a: Expr, b: $t| -> Res<Expr> {
            Ok(Expr($f(a.0, literal(&Dynamic::from(b))?)))
        });
        def!($api, $op, concat!($name, " ", $op, " Expr -> Expr"), "", move |a: $t, b: Expr| -> Res<Expr> {
            Ok(Expr($f(literal(&Dynamic::from(a))?, b.0)))
        });
    }};
}

pub(super) fn register(api: &mut Api) {
    def!(api, "col", "col(name) -> Expr", "The column of that name.", |name: ImmutableString| Expr(pl::col(
        name.as_str()
    )));
    def!(
        api,
        "lit",
        "lit(value) -> Expr",
        "A constant: a number, text, true/false or date.",
        |v: Dynamic| -> Res<Expr> { Ok(Expr(literal(&v)?)) }
    );

    binary!(api, "==", "Equal.", |a, b| a.eq(b));
    binary!(api, "!=", "Not equal.", |a, b| a.neq(b));
    binary!(api, "<", "Less than.", |a, b| a.lt(b));
    binary!(api, "<=", "Less than or equal.", |a, b| a.lt_eq(b));
    binary!(api, ">", "Greater than.", |a, b| a.gt(b));
    binary!(api, ">=", "Greater than or equal.", |a, b| a.gt_eq(b));
    binary!(api, "&", "And: both conditions hold (`&&` does not work on columns).", |a, b| a.and(b));
    binary!(api, "|", "Or: either condition holds (`||` does not work on columns).", |a, b| a.or(b));
    binary!(api, "+", "Sum.", |a, b| a + b);
    binary!(api, "-", "Difference; of two date columns, a duration.", |a, b| a - b);
    binary!(api, "*", "Product.", |a, b| a * b);
    binary!(api, "/", "Quotient.", |a, b| a / b);
    def!(api, "!", "!Expr -> Expr", "Not: the condition does not hold.", |a: Expr| Expr(a.0.not()));
    def!(api, "-", "-Expr -> Expr", "", |a: Expr| Expr(pl::lit(0) - a.0));

    def!(
        api,
        "alias",
        "expr.alias(name) -> Expr",
        "Names the expression's column.",
        |e: Expr, name: ImmutableString| { Expr(e.0.alias(name.as_str())) }
    );
    def!(api, "is_null", "expr.is_null() -> Expr", "True where the value is empty.", |e: Expr| Expr(e.0.is_null()));
    def!(api, "is_not_null", "expr.is_not_null() -> Expr", "True where there is a value.", |e: Expr| Expr(
        e.0.is_not_null()
    ));
    def!(api, "fill_null", "expr.fill_null(value) -> Expr", "Replaces empty values by `value`.", |e: Expr,
                                                                                                  v: Dynamic|
     -> Res<Expr> {
        Ok(Expr(e.0.fill_null(literal(&v)?)))
    });
    def!(
        api,
        "is_in",
        "expr.is_in([values]) -> Expr",
        "True where the value is one of a list of texts or numbers, e.g. `col(\"lovgrundlag\").is_in([\"SEL83\", \"SEL83a\"])`.",
        |e: Expr, values: Array| -> Res<Expr> {
            let series = series_of(&values)?;
            Ok(Expr(e.0.is_in(pl::lit(series).implode(false), false)))
        }
    );
    def!(
        api,
        "between",
        "expr.between(low: Date, high: Date) -> Expr",
        "True where the value lies from `low` to `high`, both included; with dates, whole days (also for date-time columns).",
        |e: Expr, low: Date, high: Date| {
            // Whole days: `high` includes its day also for datetime columns.
            let next = high.0 + chrono::Days::new(1);
            Expr(e.0.clone().gt_eq(date_lit(low.0)).and(e.0.lt(date_lit(next))))
        }
    );
    def!(api, "between", "expr.between(low, high) -> Expr", "", |e: Expr, low: Dynamic, high: Dynamic| -> Res<Expr> {
        Ok(Expr(e.0.is_between(literal(&low)?, literal(&high)?, pl::ClosedInterval::Both)))
    });
    def!(
        api,
        "starts_with",
        "expr.starts_with(prefix) -> Expr",
        "True where the text starts with `prefix` (ATC codes: `N05A`).",
        |e: Expr, prefix: ImmutableString| { Expr(e.0.str().starts_with(pl::lit(prefix.as_str()))) }
    );
    def!(
        api,
        "contains",
        "expr.contains(text) -> Expr",
        "True where the text contains `text`.",
        |e: Expr, text: ImmutableString| { Expr(e.0.str().contains_literal(pl::lit(text.as_str()))) }
    );
    def!(api, "to_int", "expr.to_int() -> Expr", "As a whole number.", |e: Expr| Expr(e.0.cast(pl::DataType::Int64)));
    def!(api, "to_float", "expr.to_float() -> Expr", "As a decimal number.", |e: Expr| Expr(
        e.0.cast(pl::DataType::Float64)
    ));
    def!(api, "to_str", "expr.to_str() -> Expr", "As text.", |e: Expr| Expr(e.0.cast(pl::DataType::String)));
    def!(api, "abs", "expr.abs() -> Expr", "The absolute value.", |e: Expr| Expr(e.0.abs()));
    def!(api, "round", "expr.round(decimals) -> Expr", "Rounded to `decimals` decimals.", |e: Expr, decimals: INT| {
        Expr(e.0.round(decimals.max(0) as u32, pl::RoundMode::default()))
    });

    // Aggregations, for group_by(..).agg([..]).
    def!(api, "count", "expr.count() -> Expr", "In agg([..]): the number of values.", |e: Expr| Expr(e.0.count()));
    def!(api, "n_unique", "expr.n_unique() -> Expr", "In agg([..]): the number of distinct values.", |e: Expr| Expr(
        e.0.n_unique()
    ));
    def!(api, "sum", "expr.sum() -> Expr", "In agg([..]): the sum.", |e: Expr| Expr(e.0.sum()));
    def!(api, "mean", "expr.mean() -> Expr", "In agg([..]): the mean.", |e: Expr| Expr(e.0.mean()));
    def!(api, "median", "expr.median() -> Expr", "In agg([..]): the median.", |e: Expr| Expr(e.0.median()));
    def!(api, "min", "expr.min() -> Expr", "In agg([..]): the smallest value.", |e: Expr| Expr(e.0.min()));
    def!(api, "max", "expr.max() -> Expr", "In agg([..]): the largest value.", |e: Expr| Expr(e.0.max()));
    def!(api, "first", "expr.first() -> Expr", "In agg([..]): the first value.", |e: Expr| Expr(e.0.first()));
    def!(api, "last", "expr.last() -> Expr", "In agg([..]): the last value.", |e: Expr| Expr(e.0.last()));
    def!(api, "any", "expr.any() -> Expr", "In agg([..]): true when any value is true.", |e: Expr| Expr(e.0.any(true)));
    def!(api, "all", "expr.all() -> Expr", "In agg([..]): true when every value is true.", |e: Expr| Expr(
        e.0.all(true)
    ));

    def!(
        api,
        "when",
        "when(condition).then(value).otherwise(value) -> Expr",
        "A value chosen by conditions: `when(c1).then(a).when(c2).then(b).otherwise(c)`.",
        |cond: Expr| When { branches: Vec::new(), pending: Some(cond.0) }
    );
    def!(
        api,
        "then",
        "when(..).then(value) -> When",
        "The value where the preceding `when` holds.",
        |mut w: When, value: Dynamic| -> Res<When> {
            let cond = w.pending.take().ok_or_else(|| error("then(..) must follow when(..)"))?;
            w.branches.push((cond, literal(&value)?));
            Ok(w)
        }
    );
    def!(api, "when", "when(..).then(..).when(condition) -> When", "", |mut w: When, cond: Expr| -> Res<When> {
        if w.pending.is_some() {
            return Err(error("when(..) must be followed by then(..)"));
        }
        w.pending = Some(cond.0);
        Ok(w)
    });
    def!(
        api,
        "otherwise",
        "when(..).then(..).otherwise(value) -> Expr",
        "The value where no `when` holds.",
        |w: When, value: Dynamic| -> Res<Expr> {
            if w.pending.is_some() {
                return Err(error("when(..) must be followed by then(..) before otherwise(..)"));
            }
            let mut result = literal(&value)?;
            for (cond, then) in w.branches.into_iter().rev() {
                result = pl::when(cond).then(then).otherwise(result);
            }
            Ok(Expr(result))
        }
    );
}
