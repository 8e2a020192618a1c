//! The Danish CSV (`resultater.csv`, on request): the results as a Danish
//! spreadsheet expects them — `;` between fields, decimal commas,
//! `dd-mm-yyyy` dates, a UTF-8 byte order mark — with suppressed values,
//! intervals and counts left empty.

use crate::display::format;
use crate::results::{ResultRow, Results, RowStatistics};

/// The header.
const HEADER: [&str; 17] = [
    "measure_id",
    "period_start",
    "period_end",
    "unit_level",
    "unit_code",
    "unit_name",
    "stratum",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "suppressed",
    "suppression_reason",
    "development",
    "level",
    "national_value",
];

/// A number with a decimal comma and every digit kept (no thousands
/// separator, so that it reads back as a number).
fn number(value: Option<f64>) -> String {
    value.filter(|v| v.is_finite()).map(|v| v.to_string().replace('.', ",")).unwrap_or_default()
}

/// A field, quoted when it holds `;`, `"` or a line break.
fn field(text: &str) -> String {
    if text.contains([';', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

fn fields(row: &ResultRow) -> [String; 17] {
    let stat = |f: &dyn Fn(&RowStatistics) -> Option<String>| row.statistics.as_deref().and_then(f).unwrap_or_default();
    let hidden = row.suppressed();
    let shown = |v: Option<f64>| if hidden { String::new() } else { number(v) };
    [
        field(&row.measure_id),
        format::date_short(row.period.start),
        format::date_short(row.period.end),
        row.unit_level.name().to_string(),
        field(&row.unit_code),
        field(&row.unit_name),
        field(&row.stratum),
        shown(row.numerator),
        shown(row.denominator),
        shown(row.value),
        shown(row.statistics.as_ref().and_then(|s| s.ci_low)),
        shown(row.statistics.as_ref().and_then(|s| s.ci_high)),
        stat(&|s| Some(if s.suppressed { "ja" } else { "nej" }.to_string())),
        field(&stat(&|s| s.suppression_reason.map(|r| r.label_da()))),
        stat(&|s| s.development.map(|d| d.as_str().to_string())),
        stat(&|s| s.level.map(|l| l.as_str().to_string())),
        number(row.statistics.as_ref().and_then(|s| s.national_value)),
    ]
}

/// The whole file, byte order mark included.
pub fn danish_csv(results: &Results) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADER.join(";"));
    out.push_str("\r\n");
    for row in &results.rows {
        out.push_str(&fields(row).join(";"));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{MeasureKind, Period};
    use crate::results::UnitLevel;
    use crate::stats::SuppressionReason;

    #[test]
    fn danish_fields_and_withheld_counts() {
        let row = |name: &str, counts: (f64, f64), suppressed: bool| ResultRow {
            measure_id: "po.2a.revurderet-tilstand-6mdr".into(),
            period: Period::parse("2025-03").unwrap(),
            unit_level: UnitLevel::Plejeenhed,
            unit_code: "P1".into(),
            unit_name: name.into(),
            stratum: "alle".into(),
            numerator: Some(counts.0),
            denominator: Some(counts.1),
            value: (!suppressed).then_some(100.0 * counts.0 / counts.1),
            kind: MeasureKind::Proportion,
            value_sd: None,
            median_values: None,
            provenance: Default::default(),
            statistics: Some(Box::new(RowStatistics {
                suppressed,
                suppression_reason: suppressed.then_some(SuppressionReason::NumeratorBelow(5)),
                ci_low: (!suppressed).then_some(40.5),
                ci_high: (!suppressed).then_some(60.25),
                ..Default::default()
            })),
        };
        let results = Results { rows: vec![row("Nord; Syd", (25.0, 50.0), false), row("Øst", (3.0, 17.0), true)] };
        let text = danish_csv(&results);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert!(lines[0].starts_with("\u{feff}measure_id;period_start;period_end;"));
        assert_eq!(
            lines[1],
            "po.2a.revurderet-tilstand-6mdr;01-03-2025;31-03-2025;plejeenhed;P1;\"Nord; Syd\";alle;25;50;50;40,5;60,25;\
             nej;;;;"
        );
        assert_eq!(
            lines[2],
            "po.2a.revurderet-tilstand-6mdr;01-03-2025;31-03-2025;plejeenhed;P1;Øst;alle;;;;;;ja;tæller under 5;;;"
        );
    }
}
