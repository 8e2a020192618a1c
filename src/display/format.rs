//! Danish formatting of numbers, values with their unit, intervals, dates
//! and periods: decimal comma, `.` between thousands, `12,5 %`,
//! `2,4 pr. 1.000`, `3. marts 2025`, `1. kvartal 2025`.
//!
//! Numbers are rounded half away from zero on the shown decimals, as the
//! markers round them ([`crate::stats::markers::round_scaled`]), so a value
//! and its marker always agree.

use crate::catalog::{Catalog, Unit};
use crate::engine::{MeasureKind, Period, PeriodKind};
use crate::results::statistics::MeasureSettings;
use crate::stats::markers::round_scaled;
use chrono::{Datelike, NaiveDate};

/// The Danish month names, January first.
const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];

/// Three-letter Danish month abbreviations, for chart axes.
const MONTHS_SHORT: [&str; 12] = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];

/// `value` with `decimals` decimals, a decimal comma and `.` between
/// thousands: `1.234,5`. Non-finite values give `–`.
pub fn number(value: f64, decimals: u32) -> String {
    let Some(scaled) = round_scaled(value, decimals) else {
        return "–".to_string();
    };
    let digits = scaled.unsigned_abs().to_string();
    let decimals = decimals as usize;
    let digits = if digits.len() <= decimals { format!("{digits:0>width$}", width = decimals + 1) } else { digits };
    let (whole, fraction) = digits.split_at(digits.len() - decimals);
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 2);
    if scaled < 0 {
        out.push('-');
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push(',');
        out.push_str(fraction);
    }
    out
}

/// A count: whole number with `.` between thousands (`1.234`).
pub fn count(value: f64) -> String {
    number(value, 0)
}

/// How a measure's values are written: decimals and the unit after the
/// number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueFormat {
    /// Decimals shown (the catalogue's, which the markers use).
    pub decimals: u32,
    /// Written after the number, with a space: `%`, `pr. 1.000`, `dage`;
    /// empty for plain numbers.
    pub suffix: String,
}

impl ValueFormat {
    /// The format of a measure: the catalogue's unit and decimals, or for a
    /// measure the catalogue does not know, what its kind says (percent for
    /// proportions, `pr. <per>` for rates, one decimal).
    pub fn for_measure(catalog: &Catalog, measure_id: &str, kind: MeasureKind) -> Self {
        let decimals = MeasureSettings::from_catalog(catalog, measure_id, PeriodKind::Month)
            .map(|s| s.decimals)
            .unwrap_or_else(|| MeasureSettings::defaults(catalog).decimals);
        let suffix = match catalog.measure(measure_id).map(|m| m.unit) {
            Some(unit) => unit_suffix(unit).to_string(),
            None => match kind {
                MeasureKind::Proportion => "%".to_string(),
                MeasureKind::Rate { per } => format!("pr. {}", count(per)),
                MeasureKind::Count | MeasureKind::Mean | MeasureKind::Median => String::new(),
            },
        };
        Self { decimals, suffix }
    }

    /// `value` with its unit: `12,5 %`, `2,4 pr. 1.000`, `1.234`.
    pub fn value(&self, value: f64) -> String {
        let n = number(value, self.decimals);
        if self.suffix.is_empty() { n } else { format!("{n} {}", self.suffix) }
    }

    /// The number alone, without the unit.
    pub fn bare(&self, value: f64) -> String {
        number(value, self.decimals)
    }

    /// An interval `10,2–14,8` (without the unit).
    pub fn interval(&self, low: f64, high: f64) -> String {
        format!("{}–{}", number(low, self.decimals), number(high, self.decimals))
    }
}

/// What follows a number of this unit: `%` for proportions (the results
/// hold them as percent), `pr. 1.000` for rates, `dage`, `år`; nothing
/// for counts, means, medians, scores and indices.
pub fn unit_suffix(unit: Unit) -> &'static str {
    match unit {
        Unit::Andel | Unit::Procent => "%",
        Unit::Pr1000 | Unit::Pr10000 | Unit::Pr100000 => unit.label_da(),
        Unit::Dage => "dage",
        Unit::Aar => "år",
        Unit::Antal | Unit::Gennemsnit | Unit::Median | Unit::Score | Unit::Indeks | Unit::JaNej => "",
    }
}

/// `3. marts 2025`.
pub fn date(date: NaiveDate) -> String {
    format!("{}. {} {}", date.day(), MONTHS[date.month0() as usize], date.year())
}

/// `01-03-2025`: the short form of Danish exports, for tables.
pub fn date_short(date: NaiveDate) -> String {
    date.format("%d-%m-%Y").to_string()
}

/// `marts 2025`, `1. kvartal 2025` or `2025`.
pub fn period(period: &Period) -> String {
    let year = period.start.year();
    match period.kind {
        PeriodKind::Month => format!("{} {year}", MONTHS[period.start.month0() as usize]),
        PeriodKind::Quarter => format!("{}. kvartal {year}", period.start.month0() / 3 + 1),
        PeriodKind::Year => year.to_string(),
    }
}

/// A short label for a chart axis: `mar`, `1. kvt.`, `2025`; with the
/// year (`jan 2025`, `1. kvt. 2025`) when `with_year`.
pub fn period_short(period: &Period, with_year: bool) -> String {
    let year = period.start.year();
    let label = match period.kind {
        PeriodKind::Month => MONTHS_SHORT[period.start.month0() as usize].to_string(),
        PeriodKind::Quarter => format!("{}. kvt.", period.start.month0() / 3 + 1),
        PeriodKind::Year => return year.to_string(),
    };
    if with_year { format!("{label} {year}") } else { label }
}

/// `1 punkt`, `12 punkter`: a count with the singular or plural noun.
pub fn counted(n: usize, singular: &str, plural: &str) -> String {
    format!("{} {}", count(n as f64), if n == 1 { singular } else { plural })
}

/// A plain-text table: headers, a rule of dashes, rows; columns two
/// spaces apart, `right[i]` right-aligns column `i` (numbers). Every line
/// ends with a newline and has no trailing spaces.
pub fn text_table(headers: &[String], rows: &[Vec<String>], right: &[bool]) -> String {
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: &[String]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            let pad = " ".repeat(w.saturating_sub(width(cell)));
            if right.get(i).copied().unwrap_or(false) {
                text.push_str(&pad);
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&pad);
            }
        }
        format!("{}\n", text.trim_end())
    };
    let mut out = line(headers);
    out.push_str(&line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>()));
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_a_decimal_comma_and_thousands_points() {
        assert_eq!(number(12.5, 1), "12,5");
        assert_eq!(number(1234.0, 0), "1.234");
        assert_eq!(number(1234567.891, 2), "1.234.567,89");
        assert_eq!(number(999.95, 1), "1.000,0");
        assert_eq!(number(0.04, 1), "0,0");
        assert_eq!(number(0.05, 1), "0,1");
        assert_eq!(number(-1234.25, 1), "-1.234,3");
        assert_eq!(number(-0.04, 1), "0,0");
        assert_eq!(number(0.5, 3), "0,500");
        assert_eq!(number(100.0 * 57.0 / 200.0, 0), "29");
        assert_eq!(number(f64::NAN, 1), "–");
        assert_eq!(count(1000.0), "1.000");
    }

    #[test]
    fn values_carry_their_unit() {
        let catalog = Catalog::standard();
        let andel = ValueFormat::for_measure(&catalog, "po.2a.revurderet-tilstand-6mdr", MeasureKind::Proportion);
        assert_eq!(andel.value(12.5), "12,5 %");
        assert_eq!(andel.interval(10.24, 14.75), "10,2–14,8");
        let rate =
            ValueFormat::for_measure(&catalog, "po.2.forebyggelige-indlaeggelser", MeasureKind::Rate { per: 1000.0 });
        assert_eq!(rate.value(2.44), "2,4 pr. 1.000");
        let count = ValueFormat::for_measure(&catalog, "sp.3b.uth-pr-maaned", MeasureKind::Count);
        assert_eq!(count.value(1234.0), "1.234");
        let days = ValueFormat::for_measure(&catalog, "de.1.dage-diagnose-til-plejehjem", MeasureKind::Mean);
        assert_eq!(days.value(412.4), "412 dage");
        // A measure the catalogue does not know: by its kind.
        let unknown = ValueFormat::for_measure(&catalog, "xx.lokal", MeasureKind::Rate { per: 10000.0 });
        assert_eq!(unknown.value(3.25), "3,3 pr. 10.000");
        let unknown = ValueFormat::for_measure(&catalog, "xx.lokal", MeasureKind::Proportion);
        assert_eq!(unknown.value(50.0), "50,0 %");
    }

    #[test]
    fn dates_and_periods_in_danish() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 3).unwrap();
        assert_eq!(date(d), "3. marts 2025");
        assert_eq!(date_short(d), "03-03-2025");
        assert_eq!(period(&Period::parse("2025-03").unwrap()), "marts 2025");
        assert_eq!(period(&Period::parse("2025-Q1").unwrap()), "1. kvartal 2025");
        assert_eq!(period(&Period::parse("2025").unwrap()), "2025");
        assert_eq!(period_short(&Period::parse("2025-05").unwrap(), false), "maj");
        assert_eq!(period_short(&Period::parse("2025-01").unwrap(), true), "jan 2025");
        assert_eq!(period_short(&Period::parse("2024-Q4").unwrap(), true), "4. kvt. 2024");
        assert_eq!(counted(1, "punkt", "punkter"), "1 punkt");
        assert_eq!(counted(1200, "punkt", "punkter"), "1.200 punkter");
    }
}
