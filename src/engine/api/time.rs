//! Dates, spans and periods in rules, and the date helpers every measure
//! needs: the evaluation period (`period.start`, `period.end`), spans that
//! move dates by calendar months (`months(6)`), windows (`within`,
//! `within_last`), intervals active on a day (`active_on`), ages
//! (`age_at`) and shifts (`shift_end`).

use super::{Api, Date, Expr, Res, date_lit, def, error};
use crate::engine::dates::{Period, Span};
use chrono::NaiveDate;
use polars::prelude as pl;
use rhai::{INT, ImmutableString};

pub(super) fn register(api: &mut Api) {
    api.document("start", "period.start -> Date", "The first day of the period.");
    api.module.set_getter_fn("start", |p: &mut Period| Ok(Date(p.start)));
    api.document("end", "period.end -> Date", "The last day of the period (included).");
    api.module.set_getter_fn("end", |p: &mut Period| Ok(Date(p.end)));
    api.document("label", "period.label -> text", "The period as written: 2024-03, 2024-Q1 or 2024.");
    api.module.set_getter_fn("label", |p: &mut Period| Ok(p.label()));
    def!(
        api,
        "previous",
        "period.previous() -> Period",
        "The period of the same length just before.",
        |p: &mut Period| { p.previous() }
    );
    def!(
        api,
        "period",
        "period(label) -> Period",
        "The period 2024-03 (month), 2024-Q1 (quarter) or 2024 (year).",
        |label: ImmutableString| -> Res<Period> {
            Period::parse(&label).ok_or_else(|| {
                error(format!("period(\"{label}\"): write a month 2024-03, a quarter 2024-Q1 or a year 2024"))
            })
        }
    );
    api.module.set_native_fn("to_string", |p: &mut Period| Ok(p.label()));
    api.module.set_native_fn("to_debug", |p: &mut Period| Ok(p.label()));
    api.module.set_native_fn("to_string", |d: &mut Date| Ok(d.0.to_string()));
    api.module.set_native_fn("to_debug", |d: &mut Date| Ok(d.0.to_string()));
    api.module.set_native_fn("to_string", |s: &mut Span| Ok(s.to_string()));
    api.module.set_native_fn("to_debug", |s: &mut Span| Ok(s.to_string()));

    def!(api, "date", "date(year, month, day) -> Date", "A date, e.g. `date(2024, 3, 31)`.", |y: INT,
                                                                                              m: INT,
                                                                                              d: INT|
     -> Res<Date> {
        NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32)
            .map(Date)
            .ok_or_else(|| error(format!("date({y}, {m}, {d}) is not a valid date")))
    });
    def!(api, "months", "months(n) -> Span", "A span of n calendar months: `period.end - months(6)`.", |n: INT| Span {
        months: n,
        ..Span::default()
    });
    def!(api, "days", "days(n) -> Span", "A span of n days.", |n: INT| Span { days: n, ..Span::default() });
    def!(api, "hours", "hours(n) -> Span", "A span of n hours (for date-time columns).", |n: INT| Span {
        hours: n,
        ..Span::default()
    });
    def!(api, "+", "Span + Span -> Span", "", |a: Span, b: Span| a + b);
    def!(api, "+", "Date + Span -> Date", "", |d: Date, s: Span| -> Res<Date> { shift(d, s, 1) });
    def!(api, "-", "Date - Span -> Date", "", |d: Date, s: Span| -> Res<Date> { shift(d, s, -1) });
    def!(api, "+", "Expr + Span -> Expr", "", |e: Expr, s: Span| Expr(e.0.dt().offset_by(pl::lit(s.polars_offset(1)))));
    def!(api, "-", "Expr - Span -> Expr", "", |e: Expr, s: Span| Expr(
        e.0.dt().offset_by(pl::lit(s.polars_offset(-1)))
    ));
    for (op, f) in [
        ("==", (|a, b| a == b) as fn(Date, Date) -> bool),
        ("!=", |a, b| a != b),
        ("<", |a, b| a < b),
        ("<=", |a, b| a <= b),
        (">", |a, b| a > b),
        (">=", |a, b| a >= b),
    ] {
        api.module.set_native_fn(op, move |a: Date, b: Date| Ok(f(a, b)));
    }

    // Date parts and durations of expressions.
    def!(api, "year", "expr.year() -> Expr", "The year of a date.", |e: Expr| Expr(e.0.dt().year()));
    def!(api, "month", "expr.month() -> Expr", "The month (1–12) of a date.", |e: Expr| Expr(e.0.dt().month()));
    def!(api, "day", "expr.day() -> Expr", "The day of the month of a date.", |e: Expr| Expr(e.0.dt().day()));
    def!(api, "hour", "expr.hour() -> Expr", "The hour of a date-time.", |e: Expr| Expr(e.0.dt().hour()));
    def!(api, "date", "expr.date() -> Expr", "The date of a date-time.", |e: Expr| Expr(e.0.dt().date()));
    def!(
        api,
        "total_days",
        "duration.total_days() -> Expr",
        "A duration in whole days: `(col(\"slut\") - col(\"start\")).total_days()`.",
        |e: Expr| Expr(e.0.dt().total_days(false))
    );
    def!(api, "total_hours", "duration.total_hours() -> Expr", "A duration in whole hours.", |e: Expr| Expr(
        e.0.dt().total_hours(false)
    ));

    // Windows and intervals.
    def!(
        api,
        "within",
        "expr.within(period) -> Expr",
        "True where the date (or date-time) falls in the period, first and last day included.",
        |e: Expr, p: Period| within(e.0, p.start, p.end)
    );
    def!(
        api,
        "within_last",
        "expr.within_last(span, end: Date) -> Expr",
        "True where the date falls in the window of `span` that ends with the day `end`, e.g. the 6 months up to the period end: `col(\"vurderet\").within_last(months(6), period.end)`.",
        |e: Expr, span: Span, end: Date| -> Res<Expr> {
            let start = span.shift(end.0, -1).and_then(|d| Span { days: 1, ..Span::default() }.shift(d, 1));
            let start = start.ok_or_else(|| error(format!("the window of {span} before {} is out of range", end.0)))?;
            Ok(within(e.0, start, end.0))
        }
    );
    def!(
        api,
        "active_on",
        "active_on(date) -> Expr",
        "Rows whose `start` … `slut` interval (an empty `slut`: still active) includes the day; `active_on(date, \"from\", \"to\")` for other columns.",
        |d: Date| active_between("start", "slut", d, d)
    );
    def!(
        api,
        "active_on",
        "active_on(date, from_column, to_column) -> Expr",
        "",
        |d: Date, from: ImmutableString, to: ImmutableString| { active_between(&from, &to, d, d) }
    );
    def!(
        api,
        "active_between",
        "active_between(a: Date, b: Date) -> Expr",
        "Rows whose `start` … `slut` interval overlaps the days a … b.",
        |a: Date, b: Date| active_between("start", "slut", a, b)
    );
    def!(
        api,
        "active_between",
        "active_between(a, b, from_column, to_column) -> Expr",
        "",
        |a: Date, b: Date, from: ImmutableString, to: ImmutableString| { active_between(&from, &to, a, b) }
    );
    def!(
        api,
        "age_at",
        "age_at(birth: Expr, date) -> Expr",
        "Age in whole years on the day: `age_at(col(\"foedselsdato\"), period.end)`.",
        |birth: Expr, at: Date| Expr(age_at(birth.0, at.0))
    );
    def!(
        api,
        "shift_end",
        "shift_end(time: Expr) -> Expr",
        "The end of the shift a time falls in: day 07–15, evening 15–23, night 23–07.",
        |e: Expr| Expr(shift_end(e.0))
    );
}

fn shift(d: Date, s: Span, sign: i64) -> Res<Date> {
    s.shift(d.0, sign).map(Date).ok_or_else(|| {
        if s.hours != 0 {
            error(format!("cannot move the date {} by hours; compare a datetime column instead", d.0))
        } else {
            error(format!("date {} moved by {s} is out of range", d.0))
        }
    })
}

/// Whole days from `start` to `end`, both included, also for date-time
/// columns.
fn within(e: pl::Expr, start: NaiveDate, end: NaiveDate) -> Expr {
    let next = end + chrono::Days::new(1);
    Expr(e.clone().gt_eq(date_lit(start)).and(e.lt(date_lit(next))))
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
