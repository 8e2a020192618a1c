//! Hand-written SVG charts, each with a short plain-text description: the
//! run chart (qicharts2 style), the funnel plot across units, bars with
//! intervals (ranked across units, or by stratum) and the sparkline of the
//! driver diagram.
//!
//! Charts take rows and draw them; they never compute a statistic the
//! results do not carry, except the funnel's limits, which come from
//! [`crate::stats::funnel`] around the pooled value of the published
//! units. A suppressed point is never drawn as a value: it leaves a gap
//! marked × and is named in the note. Every element a test or a stylesheet
//! needs has a class (`point`, `median`, `signal`, `limit`, `funnel-95` …).

use super::format::{self, ValueFormat};
use super::html::escape;
use super::marker::{MIN_SPC_POINTS, Tone};
use crate::engine::MeasureKind;
use crate::results::ResultRow;
use crate::stats::funnel::{FunnelZone, proportion_funnel, rate_funnel};
use crate::stats::markers::Direction;

/// A chart: the SVG (none when there is nothing to draw) and what it shows
/// in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// `image/svg+xml`; none when nothing can be drawn.
    pub svg: Option<String>,
    /// What the chart shows, in Danish words (`text/plain`).
    pub plain: String,
}

const FONT: &str = "font-family=\"system-ui,sans-serif\" font-size=\"11\"";
const INK: &str = "#222222";
const MUTED: &str = "#666666";
const GRID: &str = "#e6e6e6";
const LINE: &str = "#3a3a3a";
const MEDIAN: &str = "#777777";
const LIMIT: &str = "#9a9a9a";
const BAR: &str = "#a9b4c0";
/// Segments of each funnel limit curve.
const FUNNEL_SAMPLES: usize = 40;

/// What a chart is about: the measure's title and the series or slice
/// (unit, stratum, period) in words.
#[derive(Debug, Clone, Copy)]
pub struct Caption<'a> {
    /// The measure's title.
    pub title: &'a str,
    /// The unit, stratum or period shown, e.g. `Odder · alle`.
    pub subtitle: &'a str,
}

/// A linear or logarithmic map from data to pixels.
#[derive(Debug, Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
    log: bool,
}

impl Scale {
    fn linear(d0: f64, d1: f64, r0: f64, r1: f64) -> Self {
        Self { d0, d1, r0, r1, log: false }
    }

    fn at(&self, v: f64) -> f64 {
        let t = |x: f64| if self.log { x.max(f64::MIN_POSITIVE).log10() } else { x };
        let (a, b) = (t(self.d0), t(self.d1));
        if (b - a).abs() < f64::EPSILON {
            (self.r0 + self.r1) / 2.0
        } else {
            self.r0 + (t(v) - a) / (b - a) * (self.r1 - self.r0)
        }
    }
}

/// A step of 1, 2 or 5 times a power of ten giving about `target` steps.
fn nice_step(range: f64, target: usize) -> f64 {
    let raw = (range / target.max(1) as f64).max(f64::MIN_POSITIVE);
    let magnitude = 10f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// An axis over `[low, high]` widened to whole steps: (low, high, ticks,
/// decimals of the tick labels).
fn axis(low: f64, high: f64, target: usize) -> (f64, f64, Vec<f64>, u32) {
    let (low, high) = if high - low < 1e-9 {
        let pad = if low.abs() > 1e-9 { low.abs() * 0.1 } else { 1.0 };
        (low - pad, high + pad)
    } else {
        (low, high)
    };
    let step = nice_step(high - low, target);
    let (lo, hi) = ((low / step).floor() * step, (high / step).ceil() * step);
    let count = ((hi - lo) / step).round() as usize;
    let ticks = (0..=count).map(|k| lo + k as f64 * step).collect();
    let decimals = (-step.log10().floor()).max(0.0) as u32;
    (lo, hi, ticks, decimals)
}

/// Pixels with one decimal.
fn px(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 { format!("{}", r as i64) } else { format!("{r:.1}") }
}

/// The opening tag with the accessible name, the title and subtitle.
fn open(width: f64, height: f64, caption: &Caption, class: &str) -> String {
    let label = format!("{} – {}", caption.title, caption.subtitle);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"kv-chart {class}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
         height=\"{h}\" role=\"img\" aria-label=\"{label}\" {FONT}><title>{label}</title>\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\
         <text x=\"8\" y=\"16\" font-size=\"13\" font-weight=\"600\" fill=\"{INK}\">{title}</text>\
         <text x=\"8\" y=\"31\" fill=\"{MUTED}\">{subtitle}</text>",
        w = px(width),
        h = px(height),
        label = escape(&label),
        title = escape(&shorten(caption.title, (width / 7.0) as usize)),
        subtitle = escape(&shorten(caption.subtitle, (width / 6.0) as usize)),
    )
}

/// `text` cut to `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max.saturating_sub(1)).collect::<String>())
    }
}

/// Horizontal grid lines and y tick labels.
fn y_grid(out: &mut String, y: &Scale, ticks: &[f64], decimals: u32, left: f64, right: f64) {
    out.push_str(&format!("<g stroke=\"{GRID}\">"));
    for &t in ticks {
        let py = px(y.at(t));
        out.push_str(&format!(
            "<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{py}\" y2=\"{py}\"/>",
            px(left),
            px(right)
        ));
    }
    out.push_str(&format!("</g><g fill=\"{MUTED}\" text-anchor=\"end\">"));
    for &t in ticks {
        out.push_str(&format!(
            "<text class=\"tick\" x=\"{}\" y=\"{}\" dy=\"3.5\">{}</text>",
            px(left - 6.0),
            px(y.at(t)),
            format::number(t, decimals)
        ));
    }
    out.push_str("</g>");
}

/// A path through the points, broken where a point is missing; a level or
/// upright segment is written `H x` or `V y`, a repeated point not at all.
fn broken_path(points: &[Option<(f64, f64)>]) -> String {
    let mut d = String::new();
    let mut pen: Option<(String, String)> = None;
    for p in points {
        let Some((x, y)) = p else {
            pen = None;
            continue;
        };
        let (x, y) = (px(*x), px(*y));
        match &pen {
            None => d.push_str(&format!("M{x},{y}")),
            Some((last_x, last_y)) if *last_x == x && *last_y == y => {}
            Some((_, last_y)) if *last_y == y => d.push_str(&format!("H{x}")),
            Some((last_x, _)) if *last_x == x => d.push_str(&format!("V{y}")),
            Some(_) => d.push_str(&format!("L{x},{y}")),
        }
        pen = Some((x, y));
    }
    d
}

/// Whether the rows of one series signal in the runs analysis.
fn runs_signal(row: &ResultRow) -> bool {
    row.statistics.as_ref().is_some_and(|s| s.spc.run_signal == Some(true) || s.spc.crossings_signal == Some(true))
}

fn shown_value(row: &ResultRow) -> Option<f64> {
    if row.suppressed() { None } else { row.value.filter(|v| v.is_finite()) }
}

fn reason(row: &ResultRow) -> String {
    row.statistics.as_ref().and_then(|s| s.suppression_reason).map(|r| r.label_da()).unwrap_or_else(|| "små tal".into())
}

/// A run chart of one series in the qicharts2 style: the points joined by a
/// line, the median of each phase (dashed in the signal colour when the
/// Anhøj rules signal), control limits when the rows carry them, points
/// outside them marked, a new phase where the median changes.
/// `rows` must be one series (one measure, unit and stratum); they are
/// sorted by period here.
pub fn run_chart(rows: &[&ResultRow], format: &ValueFormat, caption: &Caption) -> Chart {
    let mut rows: Vec<&ResultRow> = rows.to_vec();
    rows.sort_by_key(|r| r.period.start);
    let values: Vec<Option<f64>> = rows.iter().map(|r| shown_value(r)).collect();
    let shown = values.iter().flatten().count();
    let spc = |r: &ResultRow| r.statistics.as_ref().map(|s| s.spc).unwrap_or_default();
    let suppressed: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].suppressed()).collect();
    let suppressed_labels: Vec<String> = suppressed.iter().map(|&i| format::period(&rows[i].period)).collect();

    // Phases: consecutive points sharing a median.
    let mut phases: Vec<(usize, usize, f64, bool)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let Some(m) = spc(row).median else { continue };
        match phases.last_mut() {
            Some((_, end, median, signal)) if *end + 1 == i && *median == m => {
                *end = i;
                *signal |= runs_signal(row);
            }
            _ => phases.push((i, i, m, runs_signal(row))),
        }
    }
    let signal = phases.iter().any(|p| p.3);
    let outside: Vec<usize> =
        (0..rows.len()).filter(|&i| values[i].is_some() && spc(rows[i]).outside == Some(true)).collect();

    // Words first: they are the chart's plain text and its notes.
    let mut notes: Vec<(String, Tone)> = Vec::new();
    if signal {
        notes.push(("Signal: ikke-tilfældig variation (Anhøj) – medianen er stiplet".into(), Tone::Signal));
    } else if shown < MIN_SPC_POINTS {
        notes.push((
            format!("For få punkter til at vurdere variation ({shown} af mindst {MIN_SPC_POINTS})"),
            Tone::Neutral,
        ));
    } else if !phases.is_empty() {
        notes.push(("Intet signal: tilfældig variation (Anhøj)".into(), Tone::Neutral));
    }
    if !suppressed.is_empty() {
        notes.push((
            format!("{} diskretioneret og ikke vist (×)", format::counted(suppressed.len(), "periode", "perioder")),
            Tone::Neutral,
        ));
    }
    let mut plain = format!("Seriediagram: {} – {}. ", caption.title, caption.subtitle);
    let first_last = rows.first().zip(rows.last());
    match (first_last, values.iter().rev().zip(rows.iter().rev()).find_map(|(v, r)| v.map(|v| (v, r)))) {
        (Some((first, last)), Some((latest, at))) => plain.push_str(&format!(
            "{} fra {} til {}; seneste viste værdi {} ({}). ",
            format::counted(shown, "vist punkt", "viste punkter"),
            format::period(&first.period),
            format::period(&last.period),
            format.value(latest),
            format::period(&at.period)
        )),
        _ => plain.push_str("Ingen viste værdier. "),
    }
    for (k, (start, end, median, _)) in phases.iter().enumerate() {
        let part = if phases.len() > 1 { format!("fase {} ", k + 1) } else { String::new() };
        plain.push_str(&format!(
            "Median {part}({} – {}): {}. ",
            format::period(&rows[*start].period),
            format::period(&rows[*end].period),
            format.value(*median)
        ));
    }
    for (note, _) in &notes {
        if !note.starts_with(|c: char| c.is_ascii_digit()) {
            plain.push_str(&format!("{}. ", note.trim_end_matches(" – medianen er stiplet")));
        }
    }
    if !outside.is_empty() {
        let names: Vec<String> = outside.iter().map(|&i| format::period(&rows[i].period)).collect();
        plain.push_str(&format!("Uden for kontrolgrænserne: {}. ", names.join(", ")));
    }
    if !suppressed.is_empty() {
        let why: Vec<String> =
            suppressed.iter().zip(&suppressed_labels).map(|(&i, p)| format!("{p} ({})", reason(rows[i]))).collect();
        plain.push_str(&format!("Diskretioneret og ikke vist: {}.", why.join(", ")));
    }
    let plain = plain.trim_end().to_string();
    if shown == 0 {
        return Chart { svg: None, plain };
    }

    let (width, height) = (640.0, 290.0);
    let (left, right, top, bottom) = (58.0, width - 20.0, 62.0, height - 52.0);
    let mut data: Vec<f64> = values.iter().flatten().copied().collect();
    data.extend(phases.iter().map(|p| p.2));
    for row in &rows {
        let s = spc(row);
        data.extend(s.lcl.into_iter().chain(s.ucl));
    }
    let (mut low, mut high) = data.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let pad = (high - low).max(high.abs() * 0.02) * 0.08;
    low -= pad;
    high += pad;
    if data.iter().all(|v| *v >= 0.0) {
        low = low.max(0.0);
    }
    if format.suffix == "%" {
        high = high.min(100.0);
    }
    let (y0, y1, ticks, decimals) = axis(low, high, 5);
    let y = Scale::linear(y0, y1, bottom, top);
    let n = rows.len() as f64;
    let step = (right - left) / n;
    let x = |i: usize| left + (i as f64 + 0.5) * step;

    let mut svg = open(width, height, caption, "kv-run-chart");
    for (k, (text, tone)) in notes.iter().enumerate() {
        svg.push_str(&format!(
            "<text class=\"note note-{}\" x=\"8\" y=\"{}\" fill=\"{}\">{}</text>",
            tone.name(),
            46 + 12 * k,
            if *tone == Tone::Neutral { MUTED } else { tone.colour() },
            escape(text)
        ));
    }
    y_grid(&mut svg, &y, &ticks, decimals, left, right);
    // x labels: every point when there is room, else every k-th; the year
    // on the first label and on every January.
    let every = ((n / 16.0).ceil() as usize).max(1);
    svg.push_str(&format!("<g fill=\"{MUTED}\" text-anchor=\"middle\">"));
    for (i, row) in rows.iter().enumerate() {
        if i % every != 0 {
            continue;
        }
        let with_year = i == 0 || row.period.start.format("%m").to_string() == "01";
        svg.push_str(&format!(
            "<text class=\"xlabel\" x=\"{}\" y=\"{}\">{}</text>",
            px(x(i)),
            px(bottom + 14.0),
            escape(&format::period_short(&row.period, false))
        ));
        if with_year && row.period.kind != crate::engine::PeriodKind::Year {
            svg.push_str(&format!(
                "<text class=\"xyear\" x=\"{}\" y=\"{}\">{}</text>",
                px(x(i)),
                px(bottom + 26.0),
                row.period.start.format("%Y")
            ));
        }
    }
    svg.push_str("</g>");
    // Control limits as steps.
    for (class, pick) in [("ucl", true), ("lcl", false)] {
        let steps: Vec<Option<(f64, f64)>> = rows
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                let s = spc(r);
                let v = if pick { s.ucl } else { s.lcl };
                let (a, b) = (x(i) - step / 2.0, x(i) + step / 2.0);
                [v.map(|v| (a, y.at(v.clamp(y0, y1)))), v.map(|v| (b, y.at(v.clamp(y0, y1))))]
            })
            .collect();
        if steps.iter().any(Option::is_some) {
            svg.push_str(&format!(
                "<path class=\"limit {class}\" d=\"{}\" fill=\"none\" stroke=\"{LIMIT}\" stroke-width=\"1\"/>",
                broken_path(&steps)
            ));
        }
    }
    // Medians, one per phase, and the splits between phases.
    for (k, (start, end, median, signal)) in phases.iter().enumerate() {
        let py = px(y.at(*median));
        let (colour, dash, width_px, class) = if *signal {
            (Tone::Signal.colour(), " stroke-dasharray=\"7 4\"", 2.0, "median signal")
        } else {
            (MEDIAN, "", 1.5, "median")
        };
        svg.push_str(&format!(
            "<line class=\"{class}\" x1=\"{}\" x2=\"{}\" y1=\"{py}\" y2=\"{py}\" stroke=\"{colour}\" \
             stroke-width=\"{width_px}\"{dash}><title>Median {}</title></line>",
            px(x(*start) - step / 2.0),
            px(x(*end) + step / 2.0),
            escape(&format.value(*median))
        ));
        svg.push_str(&format!(
            "<text class=\"median-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"10\" fill=\"{colour}\">\
             median {}</text>",
            px(x(*end) + step / 2.0 - 2.0),
            px(y.at(*median) - 4.0),
            escape(&format.bare(*median))
        ));
        if k > 0 {
            let split = px(x(*start) - step / 2.0);
            svg.push_str(&format!(
                "<line class=\"phase-split\" x1=\"{split}\" x2=\"{split}\" y1=\"{}\" y2=\"{}\" stroke=\"{MUTED}\" \
                 stroke-dasharray=\"2 3\"/><text x=\"{split}\" y=\"{}\" dx=\"3\" font-size=\"10\" fill=\"{MUTED}\">\
                 ny fase</text>",
                px(top),
                px(bottom),
                px(top + 9.0)
            ));
        }
    }
    // The line and the points.
    let path: Vec<Option<(f64, f64)>> = values.iter().enumerate().map(|(i, v)| v.map(|v| (x(i), y.at(v)))).collect();
    svg.push_str(&format!(
        "<path class=\"line\" d=\"{}\" fill=\"none\" stroke=\"{LINE}\" stroke-width=\"1.5\"/>",
        broken_path(&path)
    ));
    svg.push_str(&format!("<g class=\"points\" fill=\"{LINE}\">"));
    for (i, value) in values.iter().enumerate() {
        let label = format::period(&rows[i].period);
        match value {
            Some(v) if outside.contains(&i) => svg.push_str(&format!(
                "<circle class=\"point outside\" cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"{}\" stroke=\"{INK}\" \
                 stroke-width=\"1\"><title>{}: {} – uden for kontrolgrænserne</title></circle>",
                px(x(i)),
                px(y.at(*v)),
                Tone::Signal.colour(),
                escape(&label),
                escape(&format.value(*v))
            )),
            Some(v) => svg.push_str(&format!(
                "<circle class=\"point\" cx=\"{}\" cy=\"{}\" r=\"3.2\"><title>{}: {}</title></circle>",
                px(x(i)),
                px(y.at(*v)),
                escape(&label),
                escape(&format.value(*v))
            )),
            None if rows[i].suppressed() => svg.push_str(&format!(
                "<text class=\"suppressed\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"13\" \
                 fill=\"{MUTED}\">×<title>{}: diskretioneret ({})</title></text>",
                px(x(i)),
                px(bottom - 4.0),
                escape(&label),
                escape(&reason(rows[i]))
            )),
            None => {}
        }
    }
    svg.push_str("</g>");
    // Legend.
    let mut legend = vec!["● værdi".to_string(), "— median".to_string()];
    if signal {
        legend.push("╌ median med signal".into());
    }
    if rows.iter().any(|r| spc(r).ucl.is_some()) {
        legend.push("─ kontrolgrænser (grå)".into());
    }
    if !outside.is_empty() {
        legend.push("⬤ uden for grænserne".into());
    }
    if !suppressed.is_empty() {
        legend.push("× diskretioneret".into());
    }
    svg.push_str(&format!(
        "<text class=\"legend\" x=\"8\" y=\"{}\" font-size=\"10\" fill=\"{MUTED}\">{}</text></svg>",
        px(height - 8.0),
        escape(&legend.join("    "))
    ));
    Chart { svg: Some(svg), plain }
}

/// The tone of a unit outside its funnel: above is good when higher is
/// better.
fn funnel_tone(zone: FunnelZone, direction: Direction) -> Tone {
    let above = matches!(zone, FunnelZone::AboveInner | FunnelZone::AboveOuter);
    match (direction, above) {
        (Direction::None, _) => Tone::Undirected,
        (Direction::HigherIsBetter, true) | (Direction::LowerIsBetter, false) => Tone::Improvement,
        _ => Tone::Concern,
    }
}

/// A unit's name written beside its point in a funnel plot, with the box it
/// takes up (about 6 px a character at font size 11).
#[derive(Clone)]
struct Label {
    text: String,
    anchor_x: f64,
    /// Written to the left of the point (`text-anchor="end"`).
    end: bool,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Label {
    fn beside(cx: f64, cy: f64, text: &str, left: bool) -> Self {
        let width = 6.0 * text.chars().count() as f64;
        let anchor_x = if left { cx - 7.0 } else { cx + 7.0 };
        let (x0, x1) = if left { (anchor_x - width, anchor_x) } else { (anchor_x, anchor_x + width) };
        Label { text: text.to_string(), anchor_x, end: left, x0, x1, y0: cy - 6.0, y1: cy + 6.0 }
    }

    fn overlaps(&self, other: &Label) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }
}

/// A funnel plot of one period and stratum across units: each unit's value
/// against its denominator, the 95 % and 99.8 % limits (Spiegelhalter's
/// exact binomial or Poisson limits) around the pooled value of the shown
/// units, the units outside the 95 % limits named where their names do not overlap
/// (all of them in the caption). Only proportions and
/// rates have a funnel; suppressed units are left out and counted.
pub fn funnel(rows: &[&ResultRow], format: &ValueFormat, direction: Direction, caption: &Caption) -> Chart {
    let mut plain = format!("Tragtdiagram: {} – {}. ", caption.title, caption.subtitle);
    let kind = rows.first().map(|r| r.kind);
    let suppressed = rows.iter().filter(|r| r.suppressed()).count();
    let units: Vec<(&ResultRow, f64, f64, f64)> = rows
        .iter()
        .filter_map(|r| {
            let (x, n, v) = (r.numerator?, r.denominator?, shown_value(r)?);
            (n > 0.0).then_some((*r, x, n, v))
        })
        .collect();
    let per = match kind {
        Some(MeasureKind::Proportion) => 100.0,
        Some(MeasureKind::Rate { per }) => per,
        _ => {
            plain.push_str("Et tragtdiagram kræver en andel eller en rate; se søjlerne i stedet.");
            return Chart { svg: None, plain };
        }
    };
    if units.len() < 2 {
        plain.push_str("For få viste enheder til et tragtdiagram.");
        return Chart { svg: None, plain };
    }
    let (sx, sn) = units.iter().fold((0.0, 0.0), |(a, b), u| (a + u.1, b + u.2));
    let target = per * sx / sn;
    let limits = |n: f64| match kind {
        Some(MeasureKind::Proportion) => proportion_funnel(target / 100.0, n.round().max(1.0) as u64).map(|f| {
            let scale = |i: crate::stats::Interval| i.scaled(100.0);
            crate::stats::funnel::FunnelLimits { inner: scale(f.inner), outer: scale(f.outer) }
        }),
        _ => rate_funnel(target, n, per),
    };
    let zones: Vec<FunnelZone> =
        units.iter().map(|u| limits(u.2).map(|l| l.zone(u.3)).unwrap_or(FunnelZone::Inside)).collect();

    plain.push_str(&format!(
        "{}; samlet værdi {} (centerlinjen); 95 %- og 99,8 %-grænser. ",
        format::counted(units.len(), "vist enhed", "viste enheder"),
        format.value(target)
    ));
    let mut out: Vec<(usize, FunnelZone)> =
        zones.iter().enumerate().filter(|(_, z)| **z != FunnelZone::Inside).map(|(i, z)| (i, *z)).collect();
    out.sort_by(|a, b| units[b.0].3.total_cmp(&units[a.0].3));
    if out.is_empty() {
        plain.push_str("Alle enheder ligger inden for 95 %-grænserne. ");
    } else {
        let named: Vec<String> = out
            .iter()
            .map(|(i, z)| format!("{} ({}, {})", units[*i].0.unit_name, format.value(units[*i].3), z.label_da()))
            .collect();
        plain.push_str(&format!("Uden for 95 %-grænserne: {}. ", named.join("; ")));
    }
    if suppressed > 0 {
        plain.push_str(&format!(
            "{} diskretioneret og ikke vist.",
            format::counted(suppressed, "enhed er", "enheder er")
        ));
    }
    let plain = plain.trim_end().to_string();

    let (width, height) = (640.0, 380.0);
    let (left, right, top, bottom) = (58.0, width - 20.0, 48.0, height - 50.0);
    let (nmin, nmax) = units.iter().fold((f64::INFINITY, 0f64), |(a, b), u| (a.min(u.2), b.max(u.2)));
    let log = nmax / nmin > 8.0;
    let (d0, d1) = if log { (nmin / 1.4, nmax * 1.4) } else { ((nmin * 0.8).max(1.0), nmax * 1.08) };
    let x = Scale { d0, d1, r0: left, r1: right, log };
    let samples: Vec<f64> = (0..=FUNNEL_SAMPLES)
        .map(|k| {
            let t = k as f64 / FUNNEL_SAMPLES as f64;
            if log { d0 * (d1 / d0).powf(t) } else { d0 + (d1 - d0) * t }
        })
        .collect();
    let curves: Vec<(f64, crate::stats::funnel::FunnelLimits)> =
        samples.iter().filter_map(|&n| limits(n).map(|l| (n, l))).collect();
    // The y axis holds every point, the centre and the 95 % funnel at the
    // smallest shown unit.
    let mut data: Vec<f64> = units.iter().map(|u| u.3).collect();
    data.push(target);
    if let Some(l) = limits(nmin) {
        data.extend([l.inner.low, l.inner.high]);
    }
    let (mut low, mut high) = data.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let pad = (high - low) * 0.06;
    low = (low - pad).max(0.0);
    high += pad;
    if per == 100.0 {
        high = high.min(100.0);
    }
    let (y0, y1, ticks, decimals) = axis(low, high, 6);
    let y = Scale::linear(y0, y1, bottom, top);

    let mut svg = open(width, height, caption, "kv-funnel");
    y_grid(&mut svg, &y, &ticks, decimals, left, right);
    // x ticks: powers of 1, 2, 5 on a log axis, nice steps on a linear one.
    let x_ticks: Vec<f64> = if log {
        let mut t = Vec::new();
        let mut p = 10f64.powf(d0.log10().floor());
        while p <= d1 {
            for m in [1.0, 2.0, 5.0] {
                if (d0..=d1).contains(&(m * p)) {
                    t.push(m * p);
                }
            }
            p *= 10.0;
        }
        t
    } else {
        let step = nice_step(d1 - d0, 6);
        let mut v = (d0 / step).ceil() * step;
        let mut t = Vec::new();
        while v <= d1 {
            t.push(v);
            v += step;
        }
        t
    };
    svg.push_str(&format!("<g fill=\"{MUTED}\" text-anchor=\"middle\">"));
    for t in x_ticks {
        svg.push_str(&format!(
            "<text class=\"xlabel\" x=\"{}\" y=\"{}\">{}</text>",
            px(x.at(t)),
            px(bottom + 14.0),
            format::count(t)
        ));
    }
    svg.push_str("</g>");
    svg.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\">Nævner (enhedens størrelse){}</text>",
        px((left + right) / 2.0),
        px(bottom + 30.0),
        if log { ", logaritmisk akse" } else { "" }
    ));
    let clamp = |v: f64| y.at(v.clamp(y0, y1));
    for (class, dash, colour, pick) in [
        ("funnel-998 upper", "", LIMIT, 0),
        ("funnel-998 lower", "", LIMIT, 1),
        ("funnel-95 upper", " stroke-dasharray=\"5 3\"", MEDIAN, 2),
        ("funnel-95 lower", " stroke-dasharray=\"5 3\"", MEDIAN, 3),
    ] {
        let points: Vec<Option<(f64, f64)>> = curves
            .iter()
            .map(|(n, l)| {
                let v = [l.outer.high, l.outer.low, l.inner.high, l.inner.low][pick];
                Some((x.at(*n), clamp(v)))
            })
            .collect();
        svg.push_str(&format!(
            "<path class=\"{class}\" d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.2\"{dash}/>",
            broken_path(&points)
        ));
    }
    let cy = px(y.at(target));
    svg.push_str(&format!(
        "<line class=\"centre\" x1=\"{}\" x2=\"{}\" y1=\"{cy}\" y2=\"{cy}\" stroke=\"{LINE}\" stroke-width=\"1.2\">\
         <title>Samlet værdi {}</title></line>",
        px(left),
        px(right),
        escape(&format.value(target))
    ));
    // Points inside first, then the ones outside on top; the farthest out
    // (beyond 99.8 % first, then by distance from the centre in standard
    // errors) are named first, and a name that would overlap one already
    // written is left to the point's tooltip and the caption.
    let mut order: Vec<usize> = (0..units.len()).collect();
    let distance = |i: usize| (units[i].3 - target).abs() * units[i].2.sqrt();
    let outer = |i: usize| matches!(zones[i], FunnelZone::AboveOuter | FunnelZone::BelowOuter);
    order.sort_by(|&a, &b| {
        (zones[a] != FunnelZone::Inside)
            .cmp(&(zones[b] != FunnelZone::Inside))
            .then(outer(a).cmp(&outer(b)))
            .then(distance(a).total_cmp(&distance(b)))
    });
    let mut labels: Vec<Option<Label>> = vec![None; units.len()];
    let mut placed: Vec<Label> = Vec::new();
    for &i in order.iter().rev().take_while(|&&i| zones[i] != FunnelZone::Inside) {
        let (cx, cy) = (x.at(units[i].2), y.at(units[i].3));
        let text = shorten(&units[i].0.unit_name, 28);
        let label = Label::beside(cx, cy, &text, cx > right - 120.0);
        if !placed.iter().any(|p| p.overlaps(&label)) {
            placed.push(label.clone());
            labels[i] = Some(label);
        }
    }
    for i in order {
        let (row, _, n, v) = units[i];
        let (cx, cy) = (x.at(n), y.at(v));
        let title = format!("{}: {} (nævner {})", row.unit_name, format.value(v), format::count(n));
        if zones[i] == FunnelZone::Inside {
            svg.push_str(&format!(
                "<circle class=\"unit\" cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{LINE}\" fill-opacity=\"0.55\">\
                 <title>{}</title></circle>",
                px(cx),
                px(cy),
                escape(&title)
            ));
        } else {
            let tone = funnel_tone(zones[i], direction);
            svg.push_str(&format!(
                "<circle class=\"unit outside {}\" cx=\"{}\" cy=\"{}\" r=\"4.5\" fill=\"{}\" stroke=\"{INK}\" \
                 stroke-width=\"0.8\"><title>{} – {}</title></circle>",
                tone.name(),
                px(cx),
                px(cy),
                tone.colour(),
                escape(&title),
                escape(zones[i].label_da()),
            ));
            if let Some(label) = &labels[i] {
                svg.push_str(&format!(
                    "<text class=\"unit-label\" x=\"{}\" y=\"{}\" dy=\"3.5\" text-anchor=\"{}\" fill=\"{}\">{}</text>",
                    px(label.anchor_x),
                    px(cy),
                    if label.end { "end" } else { "start" },
                    tone.colour(),
                    escape(&label.text)
                ));
            }
        }
    }
    let unnamed = zones.iter().filter(|z| **z != FunnelZone::Inside).count() - placed.len();
    if unnamed > 0 {
        svg.push_str(&format!(
            "<text class=\"unnamed\" x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"10\" fill=\"{MUTED}\">{} \
             uden for grænserne er ikke navngivet her (se teksten under diagrammet)</text>",
            px(right),
            px(top - 6.0),
            format::counted(unnamed, "enhed", "enheder")
        ));
    }
    svg.push_str(&format!(
        "<text class=\"legend\" x=\"8\" y=\"{}\" font-size=\"10\" fill=\"{MUTED}\">— samlet værdi    ╌ 95 %-grænser    \
         ─ 99,8 %-grænser (grå)    ● enhed, navngivet uden for 95 %</text></svg>",
        px(height - 6.0)
    ));
    Chart { svg: Some(svg), plain }
}

/// Horizontal bars with their intervals: ranked by value across units, or
/// in the given order across strata. A suppressed row gets a line that says
/// so, never a bar. Across units the pooled value of the shown rows is
/// drawn as a reference (proportions and rates).
pub fn bars(rows: &[&ResultRow], format: &ValueFormat, caption: &Caption) -> Chart {
    let units_vary = rows.iter().any(|r| r.unit_code != rows[0].unit_code || r.unit_level != rows[0].unit_level);
    let strata_vary = rows.iter().any(|r| r.stratum != rows[0].stratum);
    let label = |r: &ResultRow| match (units_vary, strata_vary) {
        (true, true) => format!("{} · {}", r.unit_name, r.stratum),
        (false, true) => r.stratum.to_string(),
        _ => r.unit_name.to_string(),
    };
    let mut order: Vec<&ResultRow> = rows.to_vec();
    if units_vary {
        order.sort_by(|a, b| match (shown_value(a), shown_value(b)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.unit_name.cmp(&b.unit_name),
        });
    }
    let interval =
        |r: &ResultRow| r.statistics.as_ref().filter(|s| !s.suppressed).and_then(|s| Some((s.ci_low?, s.ci_high?)));
    let pooled = match rows.first().map(|r| r.kind) {
        Some(MeasureKind::Proportion | MeasureKind::Rate { .. }) if units_vary => {
            let (sx, sn) = rows
                .iter()
                .filter(|r| shown_value(r).is_some())
                .fold((0.0, 0.0), |(a, b), r| (a + r.numerator.unwrap_or(0.0), b + r.denominator.unwrap_or(0.0)));
            (sn > 0.0).then(|| rows[0].kind.scale() * sx / sn)
        }
        _ => None,
    };

    let mut plain = format!("Søjlediagram: {} – {}. ", caption.title, caption.subtitle);
    if let Some(p) = pooled {
        plain.push_str(&format!("Samlet værdi for de viste enheder {}. ", format.value(p)));
    }
    let lines: Vec<String> = order
        .iter()
        .map(|r| match shown_value(r) {
            Some(v) => match interval(r) {
                Some((a, b)) => format!("{}: {} ({})", label(r), format.value(v), format.interval(a, b)),
                None => format!("{}: {}", label(r), format.value(v)),
            },
            None if r.suppressed() => format!("{}: diskretioneret ({})", label(r), reason(r)),
            None => format!("{}: ingen værdi", label(r)),
        })
        .collect();
    plain.push_str(&lines.join("; "));
    if order.iter().all(|r| shown_value(r).is_none()) {
        return Chart { svg: None, plain };
    }

    let label_width = order.iter().map(|r| label(r).chars().count()).max().unwrap_or(0).min(34) as f64 * 6.4 + 12.0;
    let row_height = 20.0;
    let width = 640.0;
    let (left, right, top) = (8.0 + label_width, width - 70.0, 44.0);
    let height = top + row_height * order.len() as f64 + 40.0;
    let bottom = height - 34.0;
    let mut high = order
        .iter()
        .flat_map(|r| shown_value(r).into_iter().chain(interval(r).map(|i| i.1)))
        .chain(pooled)
        .fold(0.0f64, f64::max);
    if format.suffix == "%" {
        high = high.min(100.0);
    }
    let low = order.iter().filter_map(|r| shown_value(r)).fold(0.0f64, f64::min);
    let (x0, x1, ticks, decimals) = axis(low, high, 5);
    let x = Scale::linear(x0, x1, left, right);
    let mut svg = open(width, height, caption, "kv-bars");
    for t in &ticks {
        let tx = px(x.at(*t));
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{tx}\" x2=\"{tx}\" y1=\"{}\" y2=\"{}\" stroke=\"{GRID}\"/>\
             <text class=\"tick\" x=\"{tx}\" y=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
            px(top - 4.0),
            px(bottom),
            px(bottom + 14.0),
            format::number(*t, decimals)
        ));
    }
    for (k, r) in order.iter().enumerate() {
        let cy = top + row_height * (k as f64 + 0.5);
        svg.push_str(&format!(
            "<text class=\"bar-label\" x=\"{}\" y=\"{}\" dy=\"3.5\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
            px(left - 6.0),
            px(cy),
            escape(&shorten(&label(r), 34))
        ));
        match shown_value(r) {
            Some(v) => {
                let (a, b) = (x.at(0f64.max(x0)), x.at(v));
                svg.push_str(&format!(
                    "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{BAR}\">\
                     <title>{}: {}</title></rect>",
                    px(a.min(b)),
                    px(cy - 6.5),
                    px((b - a).abs()),
                    px(13.0),
                    escape(&label(r)),
                    escape(&format.value(v))
                ));
                let mut end = b;
                if let Some((lo, hi)) = interval(r) {
                    let (l, h) = (x.at(lo.max(x0)), x.at(hi.min(x1)));
                    end = end.max(h);
                    svg.push_str(&format!(
                        "<path class=\"ci\" d=\"M{l},{a1}V{b1}M{l},{m}H{h}M{h},{a1}V{b1}\" stroke=\"{INK}\" \
                         stroke-width=\"1.2\" fill=\"none\"/>",
                        l = px(l),
                        h = px(h),
                        m = px(cy),
                        a1 = px(cy - 4.0),
                        b1 = px(cy + 4.0)
                    ));
                }
                svg.push_str(&format!(
                    "<text class=\"bar-value\" x=\"{}\" y=\"{}\" dy=\"3.5\" fill=\"{INK}\">{}</text>",
                    px(end + 5.0),
                    px(cy),
                    escape(&format.bare(v))
                ));
            }
            None => svg.push_str(&format!(
                "<text class=\"suppressed\" x=\"{}\" y=\"{}\" dy=\"3.5\" font-style=\"italic\" fill=\"{MUTED}\">{}</text>",
                px(left + 4.0),
                px(cy),
                if r.suppressed() { format!("diskretioneret ({})", escape(&reason(r))) } else { "ingen værdi".into() }
            )),
        }
    }
    if let Some(p) = pooled {
        let px_ = px(x.at(p));
        svg.push_str(&format!(
            "<line class=\"reference\" x1=\"{px_}\" x2=\"{px_}\" y1=\"{}\" y2=\"{}\" stroke=\"{LINE}\" \
             stroke-dasharray=\"4 3\"><title>Samlet værdi {}</title></line>",
            px(top - 4.0),
            px(bottom),
            escape(&format.value(p))
        ));
    }
    let unit = if format.suffix.is_empty() { String::new() } else { format!(" ({})", format.suffix) };
    svg.push_str(&format!(
        "<text class=\"legend\" x=\"8\" y=\"{}\" fill=\"{MUTED}\">▬ værdi{}   ├┤ konfidensinterval{}</text></svg>",
        px(height - 6.0),
        escape(&unit),
        if pooled.is_some() { "   ╎ samlet værdi" } else { "" }
    ));
    Chart { svg: Some(svg), plain }
}

/// A sparkline of the last `max_points` periods of one series: the line,
/// the latest point, and the median (dashed in the signal colour when the
/// latest point's runs analysis signals). `None` when no point is shown.
pub fn sparkline(rows: &[&ResultRow], format: &ValueFormat, max_points: usize) -> Option<String> {
    let mut rows: Vec<&ResultRow> = rows.to_vec();
    rows.sort_by_key(|r| r.period.start);
    let rows = &rows[rows.len().saturating_sub(max_points)..];
    let values: Vec<Option<f64>> = rows.iter().map(|r| shown_value(r)).collect();
    let shown: Vec<f64> = values.iter().flatten().copied().collect();
    let last = *shown.last()?;
    let median = rows.last().and_then(|r| r.statistics.as_ref()).and_then(|s| s.spc.median);
    let signal = rows.last().is_some_and(|r| runs_signal(r));
    let (width, height, pad) = (120.0, 28.0, 3.0);
    let mut all = shown.clone();
    all.extend(median);
    let (low, high) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let (low, high) = if high - low < 1e-9 { (low - 1.0, high + 1.0) } else { (low, high) };
    let y = Scale::linear(low, high, height - pad, pad);
    let step = (width - 2.0 * pad) / (rows.len().max(2) - 1) as f64;
    let x = |i: usize| pad + i as f64 * step;
    let (min, max) = shown.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let title = format!(
        "{}: fra {} til {}; seneste {}",
        format::counted(rows.len(), "periode", "perioder"),
        format.value(min),
        format.value(max),
        format.value(last)
    );
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"kv-sparkline\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" \
         height=\"{h}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        w = px(width),
        h = px(height),
        t = escape(&title)
    );
    if let Some(m) = median {
        let my = px(y.at(m));
        let (colour, dash) =
            if signal { (Tone::Signal.colour(), " stroke-dasharray=\"4 2\"") } else { ("#aaaaaa", "") };
        svg.push_str(&format!(
            "<line class=\"median{}\" x1=\"0\" x2=\"{}\" y1=\"{my}\" y2=\"{my}\" stroke=\"{colour}\" \
             stroke-width=\"1\"{dash}/>",
            if signal { " signal" } else { "" },
            px(width)
        ));
    }
    let path: Vec<Option<(f64, f64)>> = values.iter().enumerate().map(|(i, v)| v.map(|v| (x(i), y.at(v)))).collect();
    svg.push_str(&format!(
        "<path class=\"line\" d=\"{}\" fill=\"none\" stroke=\"{LINE}\" stroke-width=\"1.3\"/>",
        broken_path(&path)
    ));
    // A point with no shown neighbour has no line: draw it as a dot.
    let last_index = values.iter().rposition(Option::is_some);
    for (i, v) in values.iter().enumerate() {
        let alone = (i == 0 || values[i - 1].is_none()) && values.get(i + 1).is_none_or(Option::is_none);
        match v {
            Some(v) if Some(i) == last_index => svg.push_str(&format!(
                "<circle class=\"point\" cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{LINE}\"/>",
                px(x(i)),
                px(y.at(*v))
            )),
            Some(v) if alone => svg.push_str(&format!(
                "<circle class=\"dot\" cx=\"{}\" cy=\"{}\" r=\"1.6\" fill=\"{LINE}\"/>",
                px(x(i)),
                px(y.at(*v))
            )),
            _ => {}
        }
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Period;
    use crate::results::{RowStatistics, Spc, UnitLevel};
    use crate::stats::SuppressionReason;

    fn row(month: u32, value: Option<f64>, spc: Spc) -> ResultRow {
        let period = Period::parse(&format!("2025-{month:02}")).unwrap();
        ResultRow {
            measure_id: "po.2a.revurderet-tilstand-6mdr".into(),
            period,
            unit_level: UnitLevel::Kommune,
            unit_code: "727".into(),
            unit_name: "Odder".into(),
            stratum: "alle".into(),
            numerator: value,
            denominator: Some(100.0),
            value,
            kind: MeasureKind::Proportion,
            value_sd: None,
            median_values: None,
            provenance: Default::default(),
            statistics: Some(Box::new(RowStatistics {
                suppressed: value.is_none(),
                suppression_reason: value.is_none().then_some(SuppressionReason::NumeratorBelow(5)),
                spc,
                ..Default::default()
            })),
        }
    }

    fn format() -> ValueFormat {
        ValueFormat { decimals: 1, suffix: "%".into() }
    }

    const CAPTION: Caption = Caption { title: "Revurderet", subtitle: "Odder · alle" };

    /// The value of attribute `name` of every element of class `class`.
    fn attrs(svg: &str, class: &str, name: &str) -> Vec<f64> {
        svg.match_indices(&format!("class=\"{class}\""))
            .map(|(at, _)| {
                let rest = &svg[at..];
                let start = rest.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                rest[start..start + rest[start..].find('"').unwrap()].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn a_run_chart_draws_every_point_and_the_median_where_it_belongs() {
        let spc = Spc { median: Some(50.0), run_signal: Some(false), crossings_signal: Some(false), ..Spc::default() };
        let values = [40.0, 60.0, 45.0, 55.0, 50.0, 42.0, 58.0, 47.0, 53.0, 44.0, 56.0, 50.0];
        let rows: Vec<ResultRow> = values.iter().enumerate().map(|(i, v)| row(i as u32 + 1, Some(*v), spc)).collect();
        let refs: Vec<&ResultRow> = rows.iter().rev().collect();
        let chart = run_chart(&refs, &format(), &CAPTION);
        let svg = chart.svg.unwrap();
        assert_eq!(svg.matches("class=\"point\"").count(), 12);
        // y axis: values 40–60 padded by 8 % of 20 → 38.4–61.6, widened to
        // whole steps of 5: 35–65 over pixels 238 (bottom) to 62 (top); the
        // median 50 sits at the middle, 150.
        let median_y = attrs(&svg, "median", "y1");
        assert_eq!(median_y, vec![150.0]);
        // The points are in period order: January's 40 is the first.
        let cy = attrs(&svg, "point", "cy");
        assert_eq!(cy[0], 208.7, "238 − (40 − 35)/30 · 176, to a tenth");
        assert!(!svg.contains("stroke-dasharray=\"7 4\""), "no signal, no dashes");
        assert!(svg.contains("Intet signal: tilfældig variation (Anhøj)"));
        assert!(chart.plain.contains("12 viste punkter fra januar 2025 til december 2025"), "{}", chart.plain);
        assert!(chart.plain.contains("Median (januar 2025 – december 2025): 50,0 %"), "{}", chart.plain);
    }

    #[test]
    fn a_signal_is_drawn_dashed_and_outside_points_marked() {
        let calm = Spc { median: Some(50.0), run_signal: Some(true), crossings_signal: Some(false), ..Spc::default() };
        let mut rows: Vec<ResultRow> = (1..=12).map(|m| row(m, Some(40.0 + m as f64), calm)).collect();
        let limits = Spc { lcl: Some(30.0), ucl: Some(70.0), ..calm };
        rows[3] = row(4, Some(80.0), Spc { outside: Some(true), ..limits });
        rows[4].statistics.as_mut().unwrap().spc = limits;
        let refs: Vec<&ResultRow> = rows.iter().collect();
        let svg = run_chart(&refs, &format(), &CAPTION).svg.unwrap();
        assert_eq!(svg.matches("class=\"median signal\"").count(), 1);
        assert!(svg.contains("stroke-dasharray=\"7 4\""));
        assert_eq!(svg.matches("class=\"point outside\"").count(), 1);
        assert_eq!(svg.matches("class=\"point\"").count(), 11);
        assert!(svg.contains("class=\"limit ucl\"") && svg.contains("class=\"limit lcl\""));
        assert!(svg.contains("Signal: ikke-tilfældig variation (Anhøj)"));
    }

    #[test]
    fn few_points_say_so_and_suppressed_points_leave_a_gap() {
        let spc = Spc { median: Some(50.0), run_signal: Some(false), crossings_signal: Some(false), ..Spc::default() };
        let rows = [row(1, Some(48.0), spc), row(2, None, spc), row(3, Some(52.0), spc)];
        let refs: Vec<&ResultRow> = rows.iter().collect();
        let chart = run_chart(&refs, &format(), &CAPTION);
        let svg = chart.svg.unwrap();
        assert_eq!(svg.matches("class=\"point\"").count(), 2);
        assert!(svg.contains("For få punkter til at vurdere variation (2 af mindst 12)"), "{svg}");
        assert!(svg.contains("class=\"suppressed\"") && svg.contains("februar 2025: diskretioneret (tæller under 5)"));
        // The line breaks at the gap: two pieces, each a lone point.
        let d = &svg[svg.find("class=\"line\" d=\"").unwrap() + 16..];
        assert_eq!(d[..d.find('"').unwrap()].matches('M').count(), 2);
        assert!(
            chart.plain.ends_with("Diskretioneret og ikke vist: februar 2025 (tæller under 5)."),
            "{}",
            chart.plain
        );
    }

    #[test]
    fn a_new_median_starts_a_phase() {
        let a = Spc { median: Some(40.0), run_signal: Some(false), crossings_signal: Some(false), ..Spc::default() };
        let b = Spc { median: Some(60.0), ..a };
        let rows: Vec<ResultRow> = (1..=12).map(|m| row(m, Some(50.0), if m <= 6 { a } else { b })).collect();
        let refs: Vec<&ResultRow> = rows.iter().collect();
        let svg = run_chart(&refs, &format(), &CAPTION).svg.unwrap();
        assert_eq!(svg.matches("class=\"median\"").count(), 2);
        assert_eq!(svg.matches("class=\"phase-split\"").count(), 1);
    }

    fn unit(code: &str, x: f64, n: f64) -> ResultRow {
        let mut r = row(3, Some(100.0 * x / n), Spc::default());
        r.unit_code = code.into();
        r.unit_name = format!("Enhed {code}").into();
        r.numerator = Some(x);
        r.denominator = Some(n);
        r
    }

    #[test]
    fn a_funnel_names_the_units_outside_its_limits() {
        // Pooled: 560 of 1120 = 50 %. Enhed 3 (19 of 20) is above the
        // 99.8 % limit at n = 20 (about 84 %); 48 % of 500 and 50,2 % of
        // 600 are inside the 95 % limits (about ±4,4 and ±4,0 points).
        let rows = [unit("1", 240.0, 500.0), unit("2", 301.0, 600.0), unit("3", 19.0, 20.0)];
        let refs: Vec<&ResultRow> = rows.iter().collect();
        let chart = funnel(&refs, &format(), Direction::HigherIsBetter, &CAPTION);
        let svg = chart.svg.unwrap();
        assert_eq!(svg.matches("class=\"unit\"").count(), 2);
        assert_eq!(svg.matches("class=\"unit outside improvement\"").count(), 1);
        assert!(svg.contains(">Enhed 3</text>"));
        assert!(chart.plain.contains("samlet værdi 50,0 %"), "{}", chart.plain);
        assert!(
            chart.plain.contains("Uden for 95 %-grænserne: Enhed 3 (95,0 %, Over 99,8 %-grænsen)"),
            "{}",
            chart.plain
        );
        assert!(svg.contains("class=\"funnel-95 upper\"") && svg.contains("class=\"funnel-998 lower\""));
    }

    #[test]
    fn a_crowded_funnel_names_only_the_units_whose_names_fit() {
        // 20 units of 1000: h0–h9 at 60,0–60,9 %, l0–l9 at 40,0–40,9 %.
        // Pooled (6045 + 4045) / 20000 = 50,45 %; the 99.8 % limits at
        // n = 1000 are about ±3,09 · √(0,5045 · 0,4955 / 1000) = ±4,9
        // points, so all 20 are outside. Each group spans 0,9 points, under
        // 9 px on the y axis, less than a name's 12 px: one name per group,
        // the farthest out (h9 and l0, both 10,45 points from the centre).
        let high = (0..10).map(|i| unit(&format!("h{i}"), 600.0 + i as f64, 1000.0));
        let low = (0..10).map(|i| unit(&format!("l{i}"), 400.0 + i as f64, 1000.0));
        let rows: Vec<ResultRow> = high.chain(low).collect();
        let refs: Vec<&ResultRow> = rows.iter().collect();
        let chart = funnel(&refs, &format(), Direction::HigherIsBetter, &CAPTION);
        let svg = chart.svg.unwrap();
        assert_eq!(svg.matches("class=\"unit outside ").count(), 20);
        assert_eq!(svg.matches("class=\"unit-label\"").count(), 2);
        assert!(svg.contains(">Enhed h9</text>") && svg.contains(">Enhed l0</text>"), "{svg}");
        assert!(svg.contains(">18 enheder uden for grænserne er ikke navngivet her"), "{svg}");
        assert_eq!(chart.plain.matches("Over 99,8 %-grænsen").count(), 10, "{}", chart.plain);
        assert_eq!(chart.plain.matches("Under 99,8 %-grænsen").count(), 10, "{}", chart.plain);
    }

    #[test]
    fn bars_rank_units_and_say_which_are_suppressed() {
        let mut hidden = unit("4", 3.0, 10.0);
        hidden.value = None;
        hidden.statistics.as_mut().unwrap().suppressed = true;
        hidden.statistics.as_mut().unwrap().suppression_reason = Some(SuppressionReason::DenominatorBelow(20));
        let rows = [unit("1", 25.0, 100.0), unit("2", 75.0, 100.0), hidden];
        let refs: Vec<&ResultRow> = rows.iter().collect();
        let chart = bars(&refs, &format(), &CAPTION);
        assert_eq!(
            chart.plain,
            "Søjlediagram: Revurderet – Odder · alle. Samlet værdi for de viste enheder 50,0 %. Enhed 2: 75,0 %; \
             Enhed 1: 25,0 %; Enhed 4: diskretioneret (nævner under 20)"
        );
        let svg = chart.svg.unwrap();
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
        assert!(svg.contains("diskretioneret (nævner under 20)"));
        assert!(!svg.contains(">30,0<"), "a suppressed value is never drawn");
    }

    #[test]
    fn a_sparkline_marks_the_latest_point() {
        let spc = Spc { median: Some(50.0), run_signal: Some(true), ..Spc::default() };
        let rows: Vec<ResultRow> = (1..=12).map(|m| row(m, Some(45.0 + m as f64), spc)).collect();
        let refs: Vec<&ResultRow> = rows.iter().collect();
        let svg = sparkline(&refs, &format(), 6).unwrap();
        assert!(svg.contains("6 perioder: fra 52,0 % til 57,0 %; seneste 57,0 %"), "{svg}");
        assert!(svg.contains("class=\"median signal\""));
        assert_eq!(svg.matches("<circle").count(), 1);
        // Points between gaps are dots.
        let gappy = [
            row(1, Some(50.0), spc),
            row(2, None, spc),
            row(3, Some(52.0), spc),
            row(4, None, spc),
            row(5, Some(51.0), spc),
        ];
        let refs: Vec<&ResultRow> = gappy.iter().collect();
        let svg = sparkline(&refs, &format(), 12).unwrap();
        assert_eq!((svg.matches("class=\"dot\"").count(), svg.matches("class=\"point\"").count()), (2, 1));
    }
}
