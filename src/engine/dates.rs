//! Dates, spans and evaluation periods as rules see them.
//!
//! A rule is evaluated once per [`Period`]; `period.start` and `period.end`
//! are the first and last day of it (both inclusive). Spans (`months(6)`,
//! `days(7)`, `hours(48)`) move dates and date columns.

use chrono::{Datelike, Months, NaiveDate};
use std::fmt;

/// The granularity of evaluation periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    /// Parse `month`, `quarter` or `year`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "month" | "maaned" | "måned" => Some(Self::Month),
            "quarter" | "kvartal" => Some(Self::Quarter),
            "year" | "aar" | "år" => Some(Self::Year),
            _ => None,
        }
    }

    fn months(self) -> u32 {
        match self {
            Self::Month => 1,
            Self::Quarter => 3,
            Self::Year => 12,
        }
    }
}

/// One evaluation period: a calendar month, quarter or year.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub start: NaiveDate,
    /// The last day of the period (inclusive).
    pub end: NaiveDate,
    pub kind: PeriodKind,
}

impl Period {
    /// The period of `kind` that contains `date`.
    pub fn containing(date: NaiveDate, kind: PeriodKind) -> Self {
        let month0 = (date.month0() / kind.months()) * kind.months();
        let start = NaiveDate::from_ymd_opt(date.year(), month0 + 1, 1).expect("valid month");
        let end = start + Months::new(kind.months()) - chrono::Days::new(1);
        Self { start, end, kind }
    }

    /// The month, quarter or year that runs from `start` to `end`.
    pub fn from_dates(start: NaiveDate, end: NaiveDate) -> Option<Self> {
        [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year]
            .into_iter()
            .map(|kind| Self::containing(start, kind))
            .find(|p| p.start == start && p.end == end)
    }

    /// Parse `2024` (year), `2024-Q2` (quarter) or `2024-03` (month).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some((year, quarter)) = text.split_once(['Q', 'q']) {
            let year: i32 = year.trim_end_matches('-').parse().ok()?;
            let quarter: u32 = quarter.parse().ok().filter(|q| (1..=4).contains(q))?;
            let date = NaiveDate::from_ymd_opt(year, quarter * 3 - 2, 1)?;
            return Some(Self::containing(date, PeriodKind::Quarter));
        }
        if let Some((year, month)) = text.split_once('-') {
            let date = NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)?;
            return Some(Self::containing(date, PeriodKind::Month));
        }
        let year: i32 = text.parse().ok().filter(|_| text.len() == 4)?;
        Some(Self::containing(NaiveDate::from_ymd_opt(year, 1, 1)?, PeriodKind::Year))
    }

    /// Every period of `kind` from the one containing `from` to the one
    /// containing `to`, in order.
    pub fn range(from: NaiveDate, to: NaiveDate, kind: PeriodKind) -> Vec<Self> {
        let mut periods = Vec::new();
        let mut period = Self::containing(from, kind);
        while period.start <= to {
            let next = period.end + chrono::Days::new(1);
            periods.push(period);
            period = Self::containing(next, kind);
        }
        periods
    }

    /// The period of the same kind just before this one.
    pub fn previous(&self) -> Self {
        Self::containing(self.start - chrono::Days::new(1), self.kind)
    }

    /// A label such as `2024`, `2024-Q2` or `2024-03`.
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Year => format!("{}", self.start.year()),
            PeriodKind::Quarter => format!("{}-Q{}", self.start.year(), self.start.month0() / 3 + 1),
            PeriodKind::Month => format!("{}-{:02}", self.start.year(), self.start.month()),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// A length of time written in a rule: `months(6)`, `days(7)`, `hours(48)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub months: i64,
    pub days: i64,
    pub hours: i64,
}

impl Span {
    /// Adds `sign` times this span to a date; `None` for a span with hours
    /// (dates have no hours) or a date out of range.
    pub fn shift(self, date: NaiveDate, sign: i64) -> Option<NaiveDate> {
        if self.hours != 0 {
            return None;
        }
        let months = self.months * sign;
        let moved = if months >= 0 {
            date.checked_add_months(Months::new(months as u32))
        } else {
            date.checked_sub_months(Months::new((-months) as u32))
        };
        let days = self.days * sign;
        moved.and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(days)))
    }

    /// Polars duration string (`6mo3d48h`) for `dt().offset_by`.
    pub fn polars_offset(self, sign: i64) -> String {
        let mut text = String::new();
        for (value, unit) in [(self.months, "mo"), (self.days, "d"), (self.hours, "h")] {
            if value != 0 {
                text.push_str(&format!("{}{unit}", value * sign));
            }
        }
        if text.is_empty() {
            text.push_str("0d");
        }
        text
    }
}

impl std::ops::Add for Span {
    type Output = Span;
    fn add(self, other: Span) -> Span {
        Span { months: self.months + other.months, days: self.days + other.days, hours: self.hours + other.hours }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.months != 0 {
            parts.push(format!("months({})", self.months));
        }
        if self.days != 0 {
            parts.push(format!("days({})", self.days));
        }
        if self.hours != 0 {
            parts.push(format!("hours({})", self.hours));
        }
        if parts.is_empty() {
            parts.push("days(0)".into());
        }
        f.write_str(&parts.join(" + "))
    }
}

/// Whole years between `birth` and `at` (age on that day).
pub fn age_on(birth: NaiveDate, at: NaiveDate) -> i32 {
    let mut age = at.year() - birth.year();
    if (at.month(), at.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_parse_and_bound() {
        let q = Period::parse("2024-Q1").unwrap();
        assert_eq!((q.start, q.end), (d(2024, 1, 1), d(2024, 3, 31)));
        let m = Period::parse("2024-02").unwrap();
        assert_eq!(m.end, d(2024, 2, 29)); // leap year
        assert_eq!(Period::parse("2023").unwrap().end, d(2023, 12, 31));
        assert_eq!(m.previous().label(), "2024-01");
        assert!(Period::parse("2024-13").is_none());
        assert!(Period::parse("24").is_none());
        assert_eq!(Period::from_dates(d(2024, 1, 1), d(2024, 3, 31)), Some(q));
        assert_eq!(Period::from_dates(d(2024, 2, 1), d(2024, 2, 29)), Some(m));
        assert_eq!(Period::from_dates(d(2024, 2, 1), d(2024, 2, 28)), None);
    }

    #[test]
    fn ranges_cover_from_to() {
        let quarters = Period::range(d(2023, 11, 5), d(2024, 4, 1), PeriodKind::Quarter);
        let labels: Vec<_> = quarters.iter().map(Period::label).collect();
        assert_eq!(labels, ["2023-Q4", "2024-Q1", "2024-Q2"]);
    }

    #[test]
    fn spans_move_dates() {
        let six = Span { months: 6, ..Span::default() };
        // 31 August minus six months is the last day of February.
        assert_eq!(six.shift(d(2024, 8, 31), -1).unwrap(), d(2024, 2, 29));
        let week = Span { days: 7, ..Span::default() };
        assert_eq!(week.shift(d(2024, 12, 28), 1).unwrap(), d(2025, 1, 4));
        assert_eq!((six + week).polars_offset(-1), "-6mo-7d");
        assert!(Span { hours: 1, ..Span::default() }.shift(d(2024, 1, 1), 1).is_none());
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(d(1944, 3, 1), d(2024, 2, 29)), 79);
        assert_eq!(age_on(d(1944, 3, 1), d(2024, 3, 1)), 80);
    }
}
