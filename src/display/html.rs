//! HTML: escaping, marker badges, a notebook-style table of any Polars
//! frame, and the results table.
//!
//! Every text that comes from data, rules or the catalogue goes through
//! [`escape`] (a unit named `<script>…</script>` shows as text). Styles are
//! inline, so a fragment looks the same in a notebook, in evcxr and in the
//! report; the classes (`kv-…`) let a page's stylesheet add to them.
//! Suppressed values are shown as suppressed, with the reason — never as 0
//! and never as an empty cell.

use super::format::{self, ValueFormat};
use super::marker::{self, Marker};
use crate::catalog::Catalog;
use crate::engine::MeasureKind;
use crate::results::{Label, ResultRow, UnitLevel};
use crate::stats::markers::Direction;
use crate::stats::suppression::SuppressionReason;
use polars::prelude::{Column, DataFrame, DataType};
use std::collections::HashMap;

/// Tables longer than this show their first and last [`EDGE_ROWS`] rows
/// with an ellipsis row between.
pub const MAX_ROWS: usize = 20;
/// Rows shown at each end of a long table.
pub const EDGE_ROWS: usize = 10;

/// `text` with `& < > " '` escaped, safe in element content and in quoted
/// attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A marker as an inline badge: colour, symbol and word, the full wording
/// as its tooltip.
pub fn badge(marker: &Marker) -> String {
    format!(
        "<span class=\"kv-badge kv-{}\" title=\"{}\" style=\"color:{};background:{};border:1px solid {};\
         border-radius:3px;padding:0 .3em;white-space:nowrap\">{} {}</span>",
        marker.tone.name(),
        escape(&marker.long),
        marker.tone.colour(),
        marker.tone.background(),
        marker.tone.colour(),
        marker.symbol,
        escape(&marker.word)
    )
}

/// "diskretioneret (tæller under 5)": the words for a suppressed value.
pub fn suppressed_text(reason: Option<SuppressionReason>) -> String {
    match reason {
        Some(reason) => format!("diskretioneret ({})", reason.label_da()),
        None => "diskretioneret".to_string(),
    }
}

/// A suppressed value as HTML: the word and the reason, marked so that it
/// cannot be read as a number.
pub fn suppressed_cell(reason: Option<SuppressionReason>) -> String {
    let why = reason.map(|r| r.label_da()).unwrap_or_else(|| "små tal".to_string());
    format!(
        "<span class=\"kv-suppressed\" style=\"color:#555;font-style:italic\">diskretioneret</span> \
         <small class=\"kv-reason\">({})</small>",
        escape(&why)
    )
}

/// The value of a row as HTML: the number with its unit, the suppression
/// with its reason, or "ingen værdi".
pub fn value_cell(row: &ResultRow, format: &ValueFormat) -> String {
    if row.suppressed() {
        return suppressed_cell(row.statistics.as_ref().and_then(|s| s.suppression_reason));
    }
    match row.value {
        Some(v) => escape(&format.value(v)),
        None => "<span class=\"kv-missing\" style=\"color:#555;font-style:italic\">ingen værdi</span>".to_string(),
    }
}

/// The value of a row as plain text.
pub fn value_text(row: &ResultRow, format: &ValueFormat) -> String {
    if row.suppressed() {
        return suppressed_text(row.statistics.as_ref().and_then(|s| s.suppression_reason));
    }
    row.value.map(|v| format.value(v)).unwrap_or_else(|| "ingen værdi".to_string())
}

/// The interval of a row (`10,2–14,8`), or `–` when there is none (a
/// suppressed row never shows one).
pub fn interval_text(row: &ResultRow, format: &ValueFormat) -> String {
    match row.statistics.as_ref() {
        Some(s) if !s.suppressed => match (s.ci_low, s.ci_high) {
            (Some(low), Some(high)) => format.interval(low, high),
            _ => "–".to_string(),
        },
        _ => "–".to_string(),
    }
}

/// Numerator and denominator as people see them: `45 / 120` for
/// proportions and rates, the count for counts, `n = 120` for means and
/// medians; `–` for a suppressed row, whose counts are withheld.
pub fn counts_text(row: &ResultRow) -> String {
    if row.suppressed() {
        return "–".to_string();
    }
    let n = |x: Option<f64>| x.map(format::count).unwrap_or_else(|| "–".to_string());
    match row.kind {
        MeasureKind::Proportion | MeasureKind::Rate { .. } => format!("{} / {}", n(row.numerator), n(row.denominator)),
        MeasureKind::Count => n(row.numerator),
        MeasureKind::Mean | MeasureKind::Median => format!("n = {}", n(row.denominator)),
    }
}

/// The measure's direction from the catalogue; none for a measure it does
/// not know.
pub fn direction(catalog: &Catalog, measure_id: &str) -> Direction {
    catalog.measure(measure_id).map(|m| m.direction).unwrap_or(Direction::None)
}

/// The development, level and SPC markers of a row (`points`: the number of
/// shown points of its series, for the SPC reading).
pub fn markers(row: &ResultRow, direction: Direction, points: usize) -> [Option<Marker>; 3] {
    let Some(s) = row.statistics.as_ref() else {
        return [None, None, None];
    };
    [
        s.development.map(|d| marker::development(d, direction)),
        s.level.map(|l| marker::level(l, s.level_reference, direction)),
        marker::spc(s, points),
    ]
}

/// The Danish name of a unit level.
pub fn level_da(level: UnitLevel) -> &'static str {
    match level {
        UnitLevel::Kommune => "kommune",
        UnitLevel::Plejeenhed => "plejeenhed",
        UnitLevel::Region => "region",
    }
}

/// The row indices shown of a table of `height` rows: all, or the first and
/// last [`EDGE_ROWS`] with `None` for the ellipsis between.
fn shown_rows(height: usize) -> Vec<Option<usize>> {
    if height <= MAX_ROWS {
        (0..height).map(Some).collect()
    } else {
        (0..EDGE_ROWS).map(Some).chain([None]).chain((height - EDGE_ROWS..height).map(Some)).collect()
    }
}

const TABLE_STYLE: &str = "border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:90%";
const TH_STYLE: &str = "border-bottom:1px solid #888;padding:2px 8px;text-align:left;vertical-align:bottom";
const TD_STYLE: &str = "border-bottom:1px solid #ddd;padding:2px 8px;vertical-align:top";

/// One formatted cell of a frame: the text, or `None` for null.
fn frame_cells(column: &Column, rows: &[Option<usize>]) -> (Vec<Option<String>>, bool) {
    let dtype = column.dtype();
    let at = |f: &dyn Fn(usize) -> Option<String>| rows.iter().map(|r| r.and_then(f)).collect::<Vec<_>>();
    if dtype.is_integer()
        && let Ok(ints) = column.cast(&DataType::Int64)
        && let Ok(ints) = ints.i64()
    {
        return (
            at(&|i| {
                ints.get(i).map(|v| if v.unsigned_abs() < 1 << 52 { format::count(v as f64) } else { v.to_string() })
            }),
            true,
        );
    }
    if dtype.is_float()
        && let Ok(floats) = column.cast(&DataType::Float64)
        && let Ok(floats) = floats.f64()
    {
        return (at(&|i| floats.get(i).map(float_text)), true);
    }
    if let (DataType::Boolean, Ok(b)) = (dtype, column.bool()) {
        return (at(&|i| b.get(i).map(|v| if v { "ja" } else { "nej" }.to_string())), false);
    }
    if let (DataType::String, Ok(s)) = (dtype, column.str()) {
        return (at(&|i| s.get(i).map(str::to_string)), false);
    }
    if let (DataType::Date, Ok(d)) = (dtype, column.date()) {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
        let days = d.physical();
        let date = |i: usize| {
            days.get(i)
                .and_then(|d| epoch.checked_add_signed(chrono::TimeDelta::days(d.into())))
                .map(format::date_short)
        };
        return (at(&date), false);
    }
    let other =
        |i: usize| column.get(i).ok().filter(|v| !v.is_null()).map(|v| v.to_string().trim_matches('"').to_string());
    (at(&other), false)
}

/// A float in a frame: up to four decimals, trailing zeros dropped (one
/// kept): `12,5`, `0,1235`, `3,0`.
fn float_text(value: f64) -> String {
    if !value.is_finite() {
        return if value.is_nan() {
            "NaN".into()
        } else if value > 0.0 {
            "∞".into()
        } else {
            "-∞".into()
        };
    }
    let mut text = format::number(value, 4);
    while text.ends_with('0') && !text.ends_with(",0") {
        text.pop();
    }
    text
}

/// A notebook-style table of any frame: a shape line, column names with
/// their types, the first and last rows of a long frame with an ellipsis
/// row, numbers the Danish way. Returns (HTML, plain text).
pub fn frame_table(frame: &DataFrame) -> (String, String) {
    frame_excerpt(frame, frame.height())
}

/// Like [`frame_table`] for a frame of `total` rows of which `frame`
/// holds only the first and last [`EDGE_ROWS`] (a long lazy table whose
/// middle was never read).
pub fn frame_excerpt(frame: &DataFrame, total: usize) -> (String, String) {
    let rows = if total > frame.height() {
        let edge = frame.height() / 2;
        (0..edge).map(Some).chain([None]).chain((edge..frame.height()).map(Some)).collect()
    } else {
        shown_rows(frame.height())
    };
    let columns: Vec<(String, String, Vec<Option<String>>, bool)> = frame
        .columns()
        .iter()
        .map(|c| {
            let (cells, numeric) = frame_cells(c, &rows);
            (c.name().to_string(), c.dtype().to_string(), cells, numeric)
        })
        .collect();
    let shape = format!(
        "{} × {}",
        format::counted(total, "række", "rækker"),
        format::counted(frame.width(), "kolonne", "kolonner")
    );
    let mut html = format!(
        "<div class=\"kv-frame\"><div class=\"kv-shape\" style=\"color:#555;font-size:85%\">{shape}</div>\
         <table class=\"kv-table\" style=\"{TABLE_STYLE}\"><thead><tr>"
    );
    for (name, dtype, _, numeric) in &columns {
        let align = if *numeric { ";text-align:right" } else { "" };
        html.push_str(&format!(
            "<th style=\"{TH_STYLE}{align}\">{}<br><small style=\"color:#666;font-weight:normal\">{}</small></th>",
            escape(name),
            escape(dtype)
        ));
    }
    html.push_str("</tr></thead><tbody>");
    for (k, row) in rows.iter().enumerate() {
        html.push_str("<tr>");
        for (_, _, cells, numeric) in &columns {
            let align = if *numeric { ";text-align:right" } else { "" };
            let text = match (row, &cells[k]) {
                (None, _) => "…".to_string(),
                (Some(_), Some(text)) => escape(text),
                (Some(_), None) => "<span style=\"color:#888\">null</span>".to_string(),
            };
            html.push_str(&format!("<td style=\"{TD_STYLE}{align}\">{text}</td>"));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div>");

    let headers: Vec<String> = columns.iter().map(|(n, d, ..)| format!("{n} ({d})")).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(k, row)| {
            columns
                .iter()
                .map(|(_, _, cells, _)| match row {
                    None => "…".to_string(),
                    Some(_) => cells[k].clone().unwrap_or_else(|| "null".into()),
                })
                .collect()
        })
        .collect();
    let numeric: Vec<bool> = columns.iter().map(|c| c.3).collect();
    let plain = format!("{shape}\n{}", format::text_table(&headers, &body, &numeric));
    (html, plain)
}

/// The number of shown points of each series, by measure, level, unit and
/// stratum.
pub type SeriesPoints = HashMap<(Label, UnitLevel, Label, Label), usize>;

/// The number of shown points of each series among `rows`.
pub fn series_points(rows: &[&ResultRow]) -> SeriesPoints {
    let mut points = HashMap::new();
    for row in rows {
        let entry = points
            .entry((row.measure_id.clone(), row.unit_level, row.unit_code.clone(), row.stratum.clone()))
            .or_insert(0);
        if row.value.is_some() && !row.suppressed() {
            *entry += 1;
        }
    }
    points
}

/// The results table: measure, period, unit, stratum, value with unit,
/// interval, numerator/denominator, development, level and SPC markers;
/// suppressed rows say so and why. Returns (HTML, plain text).
pub fn results_table(rows: &[ResultRow], catalog: &Catalog) -> (String, String) {
    let all: Vec<&ResultRow> = rows.iter().collect();
    let points = series_points(&all);
    let shown = shown_rows(rows.len());
    let mut formats: HashMap<&str, ValueFormat> = HashMap::new();
    for row in rows {
        formats
            .entry(row.measure_id.as_str())
            .or_insert_with(|| ValueFormat::for_measure(catalog, &row.measure_id, row.kind));
    }
    let headers = [
        "Måling",
        "Periode",
        "Enhed",
        "Gruppe",
        "Værdi",
        "Konfidensinterval",
        "Tæller / nævner",
        "Udvikling",
        "Niveau",
        "SPC",
    ];
    let numeric = [false, false, false, false, true, true, true, false, false, false];
    let shape = format::counted(rows.len(), "resultat", "resultater");
    let mut html = format!(
        "<div class=\"kv-results\"><div class=\"kv-shape\" style=\"color:#555;font-size:85%\">{shape}</div>\
         <table class=\"kv-table\" style=\"{TABLE_STYLE}\"><thead><tr>"
    );
    for (h, n) in headers.iter().zip(numeric) {
        let align = if n { ";text-align:right" } else { "" };
        html.push_str(&format!("<th style=\"{TH_STYLE}{align}\">{h}</th>"));
    }
    html.push_str("</tr></thead><tbody>");
    let mut plain_rows = Vec::new();
    for index in &shown {
        let Some(i) = index else {
            html.push_str(&format!("<tr><td colspan=\"{}\" style=\"{TD_STYLE}\">…</td></tr>", headers.len()));
            plain_rows.push(vec!["…".to_string(); headers.len()]);
            continue;
        };
        let row = &rows[*i];
        let format = &formats[row.measure_id.as_str()];
        let direction = direction(catalog, &row.measure_id);
        let key = (row.measure_id.clone(), row.unit_level, row.unit_code.clone(), row.stratum.clone());
        let [development, level, spc] = markers(row, direction, points[&key]);
        let title = catalog.measure(&row.measure_id).map(|m| m.title.as_str());
        let badge_or_dash = |m: &Option<Marker>| m.as_ref().map(badge).unwrap_or_else(|| "–".to_string());
        let word_or_dash =
            |m: &Option<Marker>| m.as_ref().map(|m| format!("{} {}", m.symbol, m.word)).unwrap_or_else(|| "–".into());
        let measure_html = match title {
            Some(t) => format!("{}<br><small style=\"color:#666\">{}</small>", escape(t), escape(&row.measure_id)),
            None => escape(&row.measure_id),
        };
        let cells = [
            measure_html,
            escape(&format::period(&row.period)),
            format!("{}<br><small style=\"color:#666\">{}</small>", escape(&row.unit_name), level_da(row.unit_level)),
            escape(&row.stratum),
            value_cell(row, format),
            escape(&interval_text(row, format)),
            escape(&counts_text(row)),
            badge_or_dash(&development),
            badge_or_dash(&level),
            badge_or_dash(&spc),
        ];
        html.push_str(if row.suppressed() { "<tr class=\"kv-suppressed-row\">" } else { "<tr>" });
        for (cell, n) in cells.iter().zip(numeric) {
            let align = if n { ";text-align:right" } else { "" };
            html.push_str(&format!("<td style=\"{TD_STYLE}{align}\">{cell}</td>"));
        }
        html.push_str("</tr>");
        plain_rows.push(vec![
            row.measure_id.to_string(),
            format::period(&row.period),
            format!("{} ({})", row.unit_name, level_da(row.unit_level)),
            row.stratum.to_string(),
            value_text(row, format),
            interval_text(row, format),
            counts_text(row),
            word_or_dash(&development),
            word_or_dash(&level),
            word_or_dash(&spc),
        ]);
    }
    html.push_str("</tbody></table></div>");
    let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    let plain = format!("{shape}\n{}", format::text_table(&headers, &plain_rows, &numeric));
    (html, plain)
}

/// A catalogue entry as an HTML card and as text: title, place in the
/// driver diagram, description, data sources, interpretation, unit,
/// direction, window and population. Returns (HTML, plain text).
pub fn catalog_entry(catalog: &Catalog, id: &str) -> (String, String) {
    use crate::catalog::{Entry, Node};
    let mut fields: Vec<(&str, String)> = Vec::new();
    let title = match catalog.entry(id) {
        Some(Entry::Measure(area, m)) => {
            let place = match area.node(&m.node) {
                Some(Node::Goal(goal)) => format!("{} · mål: {}", area.title, goal.title),
                Some(Node::Driver(driver)) => format!("{} · {} {}", area.title, driver.id, driver.title),
                None => area.title.clone(),
            };
            fields.push(("Område", place));
            fields.push(("Uddybende", m.description.clone()));
            let sources: Vec<String> = m
                .data_sources
                .iter()
                .map(|s| catalog.datakilde(s).map(|d| d.name.clone()).unwrap_or_else(|| s.clone()))
                .collect();
            fields.push(("Datakilder", sources.join(", ")));
            if let Some(note) = &m.interpretation {
                fields.push(("Fortolkning", note.clone()));
            }
            fields.push(("Enhed", m.unit.label_da().to_string()));
            fields.push(("Retning", m.direction.label_da().to_string()));
            if let Some(population) = &m.population {
                fields.push(("Population", population.clone()));
            }
            if let Some(window) = &m.window {
                fields.push(("Tidsvindue", window.clone()));
            }
            fields.push((
                "Regel",
                m.rule.as_ref().map(|r| format!("rules/{r}.rhai")).unwrap_or_else(|| "ingen regel endnu".into()),
            ));
            m.title.clone()
        }
        Some(Entry::Indicator(indicator)) => {
            fields.push(("Nationalt mål", format!("mål {}", indicator.goal)));
            fields.push(("Enhed", indicator.unit.label_da().to_string()));
            fields.push(("Retning", indicator.direction.label_da().to_string()));
            indicator.title.clone()
        }
        None => {
            return (
                format!("<p>Intet i kataloget med id {}</p>", escape(id)),
                format!("Intet i kataloget med id {id}"),
            );
        }
    };
    let mut html = format!(
        "<div class=\"kv-catalog\"><div style=\"font-weight:bold;font-size:110%\">{}</div>\
         <div style=\"color:#555;font-size:85%\">{}</div><table style=\"{TABLE_STYLE}\">",
        escape(&title),
        escape(id)
    );
    let mut plain = format!("{title}\n{id}\n");
    for (label, value) in &fields {
        html.push_str(&format!(
            "<tr><th style=\"{TH_STYLE};border-bottom:1px solid #ddd\">{}</th><td style=\"{TD_STYLE}\">{}</td></tr>",
            escape(label),
            escape(value)
        ));
        plain.push_str(&format!("{label}: {value}\n"));
    }
    html.push_str("</table></div>");
    (html, plain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(escape("a & \"b\" 'c'"), "a &amp; &quot;b&quot; &#39;c&#39;");
    }

    #[test]
    fn a_frame_shows_shape_types_and_danish_numbers() {
        let frame = df!(
            "navn" => ["<b>x</b>", "y"],
            "antal" => [1234i64, 5],
            "andel" => [Some(12.5f64), None],
        )
        .unwrap();
        let (html, plain) = frame_table(&frame);
        assert!(html.contains("2 rækker × 3 kolonner"), "{html}");
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;") && !html.contains("<b>x"), "{html}");
        assert!(html.contains("antal<br><small style=\"color:#666;font-weight:normal\">i64</small>"), "{html}");
        assert!(html.contains(">1.234</td>") && html.contains(">12,5</td>") && html.contains(">null</span>"), "{html}");
        assert_eq!(
            plain,
            "2 rækker × 3 kolonner\n\
             navn (str)  antal (i64)  andel (f64)\n\
             ----------  -----------  -----------\n\
             <b>x</b>          1.234         12,5\n\
             y                     5         null\n"
        );
    }

    fn result(unit: &str, counts: (f64, f64), statistics: crate::results::RowStatistics) -> ResultRow {
        let suppressed = statistics.suppressed;
        ResultRow {
            measure_id: "po.2a.revurderet-tilstand-6mdr".into(),
            period: crate::engine::Period::parse("2025-03").unwrap(),
            unit_level: UnitLevel::Plejeenhed,
            unit_code: unit.into(),
            unit_name: format!("<i>{unit}</i>").into(),
            stratum: "alle".into(),
            numerator: Some(counts.0),
            denominator: Some(counts.1),
            value: (!suppressed).then_some(100.0 * counts.0 / counts.1),
            kind: MeasureKind::Proportion,
            value_sd: None,
            median_values: None,
            provenance: Default::default(),
            statistics: Some(Box::new(statistics)),
        }
    }

    #[test]
    fn the_results_table_marks_suppressed_rows_and_reads_without_colour() {
        use crate::results::{LevelReference, RowStatistics};
        use crate::stats::{Development, Level};
        let shown = RowStatistics {
            ci_low: Some(60.1),
            ci_high: Some(70.25),
            development: Some(Development::Positive),
            level: Some(Level::Worse),
            level_reference: Some(LevelReference::Overall),
            ..Default::default()
        };
        let hidden = RowStatistics {
            suppressed: true,
            suppression_reason: Some(SuppressionReason::NumeratorBelow(5)),
            ..Default::default()
        };
        let rows = [result("P1", (1305.0, 2000.0), shown), result("P2", (3.0, 17.0), hidden)];
        let (html, plain) = results_table(&rows, &Catalog::standard());
        insta::assert_snapshot!(plain);
        assert!(html.contains("&lt;i&gt;P1&lt;/i&gt;") && !html.contains("<i>"));
        assert!(html.contains(">diskretioneret</span> <small class=\"kv-reason\">(tæller under 5)</small>"));
        assert!(!html.contains("3 / 17") && !html.contains("17,6"), "suppressed counts are withheld");
        assert!(html.contains("▲ Positiv</span>") && html.contains("▼ Dårligere</span>"), "symbols and words");
    }

    #[test]
    fn a_long_frame_shows_head_and_tail() {
        let frame = df!("i" => (0..100i64).collect::<Vec<_>>()).unwrap();
        let (html, plain) = frame_table(&frame);
        assert_eq!(html.matches("<tr>").count(), 1 + 2 * EDGE_ROWS + 1);
        assert!(html.contains(">…</td>") && html.contains(">99</td>") && !html.contains(">50</td>"));
        assert!(plain.starts_with("100 rækker × 1 kolonne\n"), "{plain}");
    }
}
