//! How results look: HTML tables and SVG charts, written once for the
//! report, the Jupyter kernel and evcxr.
//!
//! | file | owns |
//! | --- | --- |
//! | [`format`](mod@format) | Danish numbers, values with their unit, intervals, dates and periods; plain-text tables |
//! | [`marker`] | the development, level and SPC markers as tone, symbol and words (readable without colour) |
//! | [`html`] | escaping, badges, the notebook table of any frame, the results table |
//! | [`svg`] | run chart, funnel plot, bars with intervals, sparkline — hand-written SVG with a text description |
//!
//! Every entry point returns a [`Bundle`]: a MIME bundle with `text/plain`
//! always, and `text/html` and/or `image/svg+xml`. Nothing here reads a
//! file or runs a query — it takes rows and frames and returns text —
//! except [`table_preview`]: a lazy table has no rows until its first and
//! last are read.
//!
//! ```
//! use kvalitet::display;
//! use kvalitet::polars::prelude::*;
//! let frame = df!("kommune" => ["Odder", "Læsø"], "andel" => [12.5, 1234.0]).unwrap();
//! let bundle = display::frame_table(&frame);
//! assert!(bundle.plain.contains("1.234,0"));
//! assert!(bundle.html.unwrap().contains("<td style="));
//! ```

pub mod format;
pub mod html;
pub mod marker;
pub mod svg;

use crate::catalog::Catalog;
use crate::engine::Table;
use crate::results::{ResultRow, Results};
use crate::workspace::Members;
use format::ValueFormat;
use polars::prelude::DataFrame;
use std::io::Write;

/// A MIME bundle: what a notebook, evcxr or a page can show of a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// `text/plain`: always there.
    pub plain: String,
    /// `text/html`.
    pub html: Option<String>,
    /// `image/svg+xml`.
    pub svg: Option<String>,
}

impl Bundle {
    fn of_html(html: String, plain: String) -> Self {
        Self { plain, html: Some(html), svg: None }
    }

    fn of_chart(chart: svg::Chart) -> Self {
        Self { plain: chart.plain, html: None, svg: chart.svg }
    }

    /// evcxr's rich display of any bundle — a chart as SVG, a table as
    /// HTML, with its text — so a cell that ends in `display::run_chart(..)`
    /// draws it.
    pub fn evcxr_display(&self) {
        print_evcxr(self);
    }
}

/// A notebook-style table of any frame (shape, column types, head and tail
/// of a long frame, Danish numbers).
pub fn frame_table(frame: &DataFrame) -> Bundle {
    let (html, plain) = html::frame_table(frame);
    Bundle::of_html(html, plain)
}

/// A notebook-style table of a long table of which only the first and
/// last rows were read: `frame` holds them, `total` is the table's length.
pub fn frame_excerpt(frame: &DataFrame, total: usize) -> Bundle {
    let (html, plain) = html::frame_excerpt(frame, total);
    Bundle::of_html(html, plain)
}

/// A lazy table of the rule language as a notebook shows it: its origin,
/// its shape, and its first and last rows (read now; the middle is not).
pub fn table_preview(table: &Table) -> crate::error::Result<Bundle> {
    let (shown, total) = crate::runner::preview(&table.frame, html::EDGE_ROWS)
        .map_err(|e| crate::error::Error::query(format!("reading {}", table.origin), &e))?;
    let mut bundle = frame_excerpt(&shown, total);
    bundle.plain = format!("{}\n{}", table.origin, bundle.plain);
    bundle.html = bundle
        .html
        .map(|h| format!("<div style=\"color:#555;font-size:85%\">{}</div>{h}", html::escape(&table.origin)));
    Ok(bundle)
}

/// A measure's or national indicator's catalogue entry as a card: title,
/// where it sits in the driver diagram, description, data sources,
/// interpretation, unit and direction.
pub fn catalog_entry(catalog: &Catalog, id: &str) -> Bundle {
    let (html, plain) = html::catalog_entry(catalog, id);
    Bundle::of_html(html, plain)
}

/// Preformatted text (a Polars plan, a rule's source) with a title.
pub fn preformatted(title: &str, text: &str) -> Bundle {
    let html = format!(
        "<div class=\"kv-pre\"><div style=\"font-weight:bold\">{}</div><pre style=\"white-space:pre-wrap\">{}</pre></div>",
        html::escape(title),
        html::escape(text)
    );
    Bundle::of_html(html, format!("{title}\n{text}"))
}

/// The results table: value with unit, interval, numerator/denominator,
/// development, level and SPC markers; suppressed rows say why.
pub fn results_table(rows: &[ResultRow], catalog: &Catalog) -> Bundle {
    let (html, plain) = html::results_table(rows, catalog);
    Bundle::of_html(html, plain)
}

/// The measure's title from the catalogue, or its id.
pub fn measure_title<'a>(catalog: &'a Catalog, measure_id: &'a str) -> &'a str {
    catalog
        .measure(measure_id)
        .map(|m| m.title.as_str())
        .or_else(|| catalog.indicator(measure_id).map(|i| i.title.as_str()))
        .unwrap_or(measure_id)
}

/// The value format of the rows' measure.
fn value_format(rows: &[&ResultRow], catalog: &Catalog) -> Option<ValueFormat> {
    rows.first().map(|r| ValueFormat::for_measure(catalog, &r.measure_id, r.kind))
}

/// A run chart of one series (one measure, unit and stratum). When `rows`
/// hold several series, the first row's series is drawn and the text says
/// how many rows were left out.
pub fn run_chart(rows: &[&ResultRow], catalog: &Catalog) -> Bundle {
    let Some(first) = rows.first() else {
        return Bundle { plain: "Ingen rækker at tegne.".into(), html: None, svg: None };
    };
    let series: Vec<&ResultRow> = rows
        .iter()
        .copied()
        .filter(|r| {
            r.measure_id == first.measure_id
                && r.unit_level == first.unit_level
                && r.unit_code == first.unit_code
                && r.stratum == first.stratum
        })
        .collect();
    let format = value_format(&series, catalog).expect("one row at least");
    let subtitle = format!("{} · {}", first.unit_name, first.stratum);
    let caption = svg::Caption { title: measure_title(catalog, &first.measure_id), subtitle: &subtitle };
    let mut bundle = Bundle::of_chart(svg::run_chart(&series, &format, &caption));
    if series.len() < rows.len() {
        bundle.plain.push_str(&format!(
            " ({} af andre serier er ikke tegnet.)",
            format::counted(rows.len() - series.len(), "række", "rækker")
        ));
    }
    bundle
}

/// The slice the rows share, in words: the period and stratum of the first
/// row (a funnel or bar chart is drawn for one period and stratum).
fn slice_words(first: &ResultRow) -> String {
    format!("{} · {}", format::period(&first.period), first.stratum)
}

/// A funnel plot across units for one period and stratum (the first row's;
/// other rows are left out).
pub fn funnel_plot(rows: &[&ResultRow], catalog: &Catalog) -> Bundle {
    let Some(first) = rows.first() else {
        return Bundle { plain: "Ingen rækker at tegne.".into(), html: None, svg: None };
    };
    let slice: Vec<&ResultRow> = rows
        .iter()
        .copied()
        .filter(|r| r.measure_id == first.measure_id && r.period == first.period && r.stratum == first.stratum)
        .collect();
    let format = value_format(&slice, catalog).expect("one row at least");
    let subtitle = slice_words(first);
    let caption = svg::Caption { title: measure_title(catalog, &first.measure_id), subtitle: &subtitle };
    Bundle::of_chart(svg::funnel(&slice, &format, html::direction(catalog, &first.measure_id), &caption))
}

/// Bars with intervals: ranked across units, or by stratum for one unit
/// (for one measure and period: the first row's).
pub fn bar_chart(rows: &[&ResultRow], catalog: &Catalog) -> Bundle {
    let Some(first) = rows.first() else {
        return Bundle { plain: "Ingen rækker at tegne.".into(), html: None, svg: None };
    };
    let slice: Vec<&ResultRow> =
        rows.iter().copied().filter(|r| r.measure_id == first.measure_id && r.period == first.period).collect();
    let format = value_format(&slice, catalog).expect("one row at least");
    let strata_vary = slice.iter().any(|r| r.stratum != first.stratum);
    let subtitle = if strata_vary {
        format!("{} · {}", first.unit_name, format::period(&first.period))
    } else {
        slice_words(first)
    };
    let caption = svg::Caption { title: measure_title(catalog, &first.measure_id), subtitle: &subtitle };
    Bundle::of_chart(svg::bars(&slice, &format, &caption))
}

impl Results {
    /// evcxr's rich display: the results table as HTML and as text, in one
    /// write to stdout (`EVCXR_BEGIN_CONTENT` … `EVCXR_END_CONTENT`). The
    /// catalogue is the built-in one. The one place outside the command
    /// line that prints: evcxr reads displays from stdout.
    pub fn evcxr_display(&self) {
        print_evcxr(&results_table(&self.rows, &Catalog::standard()));
    }
}

impl Table {
    /// evcxr's rich display: the table's first and last rows as HTML and
    /// text (the query runs now), or what went wrong.
    pub fn evcxr_display(&self) {
        let bundle = table_preview(self).unwrap_or_else(|e| Bundle { plain: e.to_string(), html: None, svg: None });
        print_evcxr(&bundle);
    }
}

impl Members {
    /// evcxr's rich display: the members behind a number as a table.
    pub fn evcxr_display(&self) {
        print_evcxr(&frame_table(&self.listing));
    }
}

/// Writes a bundle's evcxr blocks to stdout in one write.
fn print_evcxr(bundle: &Bundle) {
    let text = evcxr_text(bundle);
    let mut out = std::io::stdout().lock();
    // A closed stdout leaves nothing to show the error to.
    let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
}

/// The evcxr blocks of a bundle: HTML (or SVG) first, then plain text.
fn evcxr_text(bundle: &Bundle) -> String {
    let mut text = String::new();
    if let Some(html) = &bundle.html {
        text.push_str(&format!("EVCXR_BEGIN_CONTENT text/html\n{html}\nEVCXR_END_CONTENT\n"));
    }
    if let Some(svg) = &bundle.svg {
        text.push_str(&format!("EVCXR_BEGIN_CONTENT image/svg+xml\n{svg}\nEVCXR_END_CONTENT\n"));
    }
    text.push_str(&format!("EVCXR_BEGIN_CONTENT text/plain\n{}\nEVCXR_END_CONTENT\n", bundle.plain));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evcxr_blocks_come_html_first_then_text() {
        let bundle = Bundle { plain: "p".into(), html: Some("<b>h</b>".into()), svg: None };
        assert_eq!(
            evcxr_text(&bundle),
            "EVCXR_BEGIN_CONTENT text/html\n<b>h</b>\nEVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT text/plain\np\nEVCXR_END_CONTENT\n"
        );
    }

    #[test]
    fn a_chart_bundle_shows_in_evcxr_as_svg_then_text() {
        let bundle = Bundle { plain: "diagram".into(), html: None, svg: Some("<svg></svg>".into()) };
        assert_eq!(
            evcxr_text(&bundle),
            "EVCXR_BEGIN_CONTENT image/svg+xml\n<svg></svg>\nEVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT text/plain\ndiagram\nEVCXR_END_CONTENT\n"
        );
    }
}
