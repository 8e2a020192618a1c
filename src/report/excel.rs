//! The workbook for people (`results.xlsx`): an overview sheet, one sheet
//! per area (the kommuner over every period) and the long table (every row,
//! every unit), all in the same Danish columns; the results files keep the
//! machine columns (interval method, SPC limits, provenance). Numbers are
//! numbers with Danish display formats (Excel shows `12,5 %` in a Danish
//! locale), header rows are frozen, columns have sensible widths. A
//! suppressed cell is blank with a note saying why; its value, interval,
//! numerator and denominator are not written anywhere in the workbook.

use super::model::Model;
use crate::display::format::{self, ValueFormat};
use crate::display::html;
use crate::error::{Error, Result};
use crate::results::{ResultRow, Results, UnitLevel};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Note, Workbook, Worksheet, XlsxError};
use std::collections::HashMap;
use std::path::Path;

/// The sheet of the long table.
const LONG_SHEET: &str = "Alle resultater";
/// The overview sheet.
const OVERVIEW_SHEET: &str = "Oversigt";

/// A column: header, width (characters), and how a row fills it.
struct Col<'r> {
    header: &'static str,
    width: f64,
    cell: Box<dyn Fn(&ResultRow) -> Cell + 'r>,
}

/// What goes in a cell.
enum Cell {
    Text(String),
    /// A number in the measure's format (its decimals and unit).
    Value(Option<f64>),
    /// A whole count.
    Count(Option<f64>),
    Date(chrono::NaiveDate),
    /// Withheld because the row is suppressed: blank, with a note.
    Withheld,
}

/// Formats made once per workbook.
struct Formats {
    header: Format,
    date: Format,
    count: Format,
    values: HashMap<(u32, String), Format>,
}

impl Formats {
    fn new() -> Self {
        Self {
            header: Format::new().set_bold().set_text_wrap().set_border_bottom(FormatBorder::Thin),
            date: Format::new().set_num_format("dd-mm-yyyy"),
            count: Format::new().set_num_format("#,##0"),
            values: HashMap::new(),
        }
    }

    /// `#,##0.0" %"`: the decimals and unit of a measure.
    fn value(&mut self, format: &ValueFormat) -> &Format {
        self.values.entry((format.decimals, format.suffix.clone())).or_insert_with(|| {
            let digits =
                if format.decimals == 0 { String::new() } else { format!(".{}", "0".repeat(format.decimals as usize)) };
            let suffix = if format.suffix.is_empty() {
                String::new()
            } else {
                format!("\" {}\"", format.suffix.replace('"', ""))
            };
            Format::new().set_num_format(format!("#,##0{digits}{suffix}"))
        })
    }
}

fn xlsx(path: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::io(path, std::io::Error::other(e.to_string()))
}

/// The note on a withheld cell.
fn withheld_note(row: &ResultRow) -> Note {
    let why = row.statistics.as_ref().and_then(|s| s.suppression_reason).map(|r| r.label_da());
    Note::new(format!(
        "Diskretioneret ({}): værdien, intervallet, tælleren og nævneren vises ikke.",
        why.unwrap_or_else(|| "små tal".into())
    ))
    .add_author_prefix(false)
}

/// Writes `rows` under a header row with `columns`; freezes the header,
/// sets widths and an autofilter. With `notes`, a withheld row gets a note
/// saying why (the long table says it in its own column instead: a note on
/// each of thousands of rows would be most of the file).
fn write_rows(
    sheet: &mut Worksheet,
    rows: &[&ResultRow],
    (columns, notes): (&[Col], bool),
    model: &Model,
    formats: &mut Formats,
    path: &Path,
) -> Result<()> {
    let e = xlsx(path);
    for (c, col) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, col.header, &formats.header).map_err(&e)?;
        sheet.set_column_width(c as u16, col.width).map_err(&e)?;
    }
    let mut value_formats: HashMap<&str, ValueFormat> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let value_format =
            value_formats.entry(row.measure_id.as_str()).or_insert_with(|| model.format(&row.measure_id)).clone();
        let mut noted = false;
        for (c, col) in columns.iter().enumerate() {
            let c = c as u16;
            match (col.cell)(row) {
                Cell::Text(t) => {
                    sheet.write_string(r, c, t).map_err(&e)?;
                }
                Cell::Value(Some(v)) => {
                    let f = formats.value(&value_format);
                    sheet.write_number_with_format(r, c, v, f).map_err(&e)?;
                }
                Cell::Count(Some(v)) => {
                    sheet.write_number_with_format(r, c, v, &formats.count).map_err(&e)?;
                }
                Cell::Date(d) => {
                    use chrono::Datelike;
                    let date = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8).map_err(&e)?;
                    sheet.write_date_with_format(r, c, &date, &formats.date).map_err(&e)?;
                }
                Cell::Withheld => {
                    // One note per row, on its first withheld cell.
                    if notes && !noted {
                        sheet.insert_note(r, c, &withheld_note(row)).map_err(&e)?;
                        noted = true;
                    }
                }
                Cell::Value(None) | Cell::Count(None) => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(&e)?;
    if !columns.is_empty() {
        sheet.autofilter(0, 0, rows.len() as u32, columns.len() as u16 - 1).map_err(&e)?;
    }
    Ok(())
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// A number that a suppressed row withholds.
fn guarded(row: &ResultRow, value: Option<f64>, cell: fn(Option<f64>) -> Cell) -> Cell {
    if row.suppressed() { Cell::Withheld } else { cell(value) }
}

fn stat<T>(row: &ResultRow, f: impl Fn(&crate::results::RowStatistics) -> Option<T>) -> Option<T> {
    row.statistics.as_deref().and_then(f)
}

/// The columns people read: measure, period, unit, stratum, value, interval,
/// counts, markers.
fn people_columns<'r>(model: &'r Model<'r>, points: &'r html::SeriesPoints) -> Vec<Col<'r>> {
    let words = move |row: &ResultRow, which: usize| -> Cell {
        let key = (row.measure_id.clone(), row.unit_level, row.unit_code.clone(), row.stratum.clone());
        let shown = points.get(&key).copied().unwrap_or(0);
        let marker = html::markers(row, model.direction(&row.measure_id), shown)[which].clone();
        text(marker.map(|m| m.long).unwrap_or_default())
    };
    vec![
        Col { header: "Måling", width: 34.0, cell: Box::new(|r| text(&r.measure_id)) },
        Col { header: "Titel", width: 50.0, cell: Box::new(move |r| text(model.title(&r.measure_id))) },
        Col { header: "Periode", width: 14.0, cell: Box::new(|r| text(format::period(&r.period))) },
        Col { header: "Periodens start", width: 11.0, cell: Box::new(|r| Cell::Date(r.period.start)) },
        Col { header: "Niveau", width: 11.0, cell: Box::new(|r| text(html::level_da(r.unit_level))) },
        Col { header: "Enhedskode", width: 10.0, cell: Box::new(|r| text(&r.unit_code)) },
        Col { header: "Enhed", width: 24.0, cell: Box::new(|r| text(&r.unit_name)) },
        Col { header: "Gruppe", width: 10.0, cell: Box::new(|r| text(&r.stratum)) },
        Col { header: "Værdi", width: 12.0, cell: Box::new(|r| guarded(r, r.value, Cell::Value)) },
        Col {
            header: "Nedre grænse", width: 11.0, cell: Box::new(|r| guarded(r, stat(r, |s| s.ci_low), Cell::Value))
        },
        Col {
            header: "Øvre grænse", width: 11.0, cell: Box::new(|r| guarded(r, stat(r, |s| s.ci_high), Cell::Value))
        },
        Col { header: "Tæller", width: 10.0, cell: Box::new(|r| guarded(r, r.numerator, Cell::Count)) },
        Col { header: "Nævner", width: 10.0, cell: Box::new(|r| guarded(r, r.denominator, Cell::Count)) },
        Col {
            header: "Diskretioneret",
            width: 22.0,
            cell: Box::new(|r| {
                text(if r.suppressed() {
                    html::suppressed_text(stat(r, |s| s.suppression_reason))
                } else {
                    String::new()
                })
            }),
        },
        Col { header: "Udvikling", width: 30.0, cell: Box::new(move |r| words(r, 0)) },
        Col { header: "Niveau mod reference", width: 34.0, cell: Box::new(move |r| words(r, 1)) },
        Col { header: "SPC", width: 40.0, cell: Box::new(move |r| words(r, 2)) },
    ]
}

/// A worksheet name: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    let clean: String = title.chars().map(|c| if "[]:*?/\\".contains(c) { '-' } else { c }).collect();
    clean.chars().take(31).collect()
}

/// Writes `results.xlsx` at `path`.
pub fn write(results: &Results, model: &Model, path: &Path) -> Result<()> {
    let e = xlsx(path);
    let mut workbook = Workbook::new();
    let mut formats = Formats::new();

    // Overview: each kommune's latest value of every measured measure.
    let mut overview: Vec<&ResultRow> = Vec::new();
    for kommune in &model.kommuner {
        for measure in model.measured() {
            if let Some(row) = model.main_stratum(measure).and_then(|s| model.latest(measure, kommune, s)) {
                overview.push(row);
            }
        }
    }
    let all: Vec<&ResultRow> = results.rows.iter().collect();
    let points = html::series_points(&all);
    let with_area = || {
        let mut columns = people_columns(model, &points);
        columns.insert(
            0,
            Col {
                header: "Område",
                width: 16.0,
                cell: Box::new(move |r| text(model.area_of(&r.measure_id).map(|a| a.title.as_str()).unwrap_or("–"))),
            },
        );
        columns
    };
    let sheet = workbook.add_worksheet().set_name(OVERVIEW_SHEET).map_err(&e)?;
    write_rows(sheet, &overview, (&with_area(), true), model, &mut formats, path)?;

    // One sheet per area: the kommuner (and regions) over every period; the
    // plejeenheder are in the long table.
    for area in &model.catalog.areas {
        let rows: Vec<&ResultRow> = area
            .measures
            .iter()
            .flat_map(|m| model.rows(&m.id).iter().copied())
            .filter(|r| r.unit_level != UnitLevel::Plejeenhed)
            .collect();
        let sheet = workbook.add_worksheet().set_name(sheet_name(&area.title)).map_err(&e)?;
        if rows.is_empty() {
            let measured = area.measures.iter().any(|m| !model.rows(&m.id).is_empty());
            let text = if measured {
                "Områdets målinger er kun opgjort for plejeenheder; de står i arket «Alle resultater».".to_string()
            } else {
                format!("Ingen af de {} målinger i området er målt.", area.measures.len())
            };
            sheet.write_string(0, 0, text).map_err(&e)?;
            sheet.set_column_width(0, 60).map_err(&e)?;
            continue;
        }
        write_rows(sheet, &rows, (&people_columns(model, &points), true), model, &mut formats, path)?;
    }

    // The long table: every row, every unit.
    let sheet = workbook.add_worksheet().set_name(LONG_SHEET).map_err(&e)?;
    write_rows(sheet, &all, (&with_area(), false), model, &mut formats, path)?;

    let bytes = workbook.save_to_buffer().map_err(&e)?;
    std::fs::write(path, bytes).map_err(|err| Error::io(path, err))
}
