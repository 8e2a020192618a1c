//! The report: results → static HTML pages and an Excel workbook. It reads
//! a results table and the catalogue, and a rule's source text for its
//! page; it never runs a rule or a query over input data.
//!
//! | file | owns |
//! | --- | --- |
//! | [`select`] | the measures a reader chose (`--select`) |
//! | `model.rs` | the results indexed for the pages: kommuner, series, main stratum, latest rows |
//! | `layout.rs` | the page shell and the stylesheet |
//! | `pages.rs` | overview, driver diagrams, a page per measure, national comparison |
//! | `excel.rs` | `results.xlsx`: overview, a sheet per area, the long table |
//! | `csv.rs` | `resultater.csv` on request: `;`, decimal commas, `dd-mm-yyyy` |
//!
//! The pages open from disk with no server and no network: one stylesheet
//! beside them, no script, every chart inline SVG. Text from the data, the
//! rules and the catalogue is escaped. Suppressed values are shown as
//! suppressed with the reason, never as 0 or blank, and their counts are
//! not written anywhere.
//!
//! ```no_run
//! use kvalitet::catalog::Catalog;
//! use kvalitet::engine::RulesSource;
//! use kvalitet::report::{self, Options};
//! use kvalitet::results::Results;
//! let results = Results::read(std::path::Path::new("demo/results.parquet"))?;
//! let written = report::write(&results, &Catalog::standard(), &RulesSource::Standard, &Options::default(), "demo/report".as_ref())?;
//! println!("{}", written.index.display());
//! # Ok::<(), kvalitet::Error>(())
//! ```

mod csv;
mod excel;
mod layout;
mod model;
mod pages;
pub mod select;

pub use select::Selection;

use crate::catalog::Catalog;
use crate::display::html::escape;
use crate::engine::RulesSource;
use crate::error::{Error, Result};
use crate::results::Results;
use model::Model;
use std::path::{Path, PathBuf};

/// What the report holds besides the pages and the workbook.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The measures to highlight.
    pub selection: Selection,
    /// Also write `resultater.csv` for a Danish spreadsheet.
    pub danish_csv: bool,
    /// Values that moved since an earlier run (late registrations): the
    /// value the earlier run computed, by row. Marked in the pages' tables.
    pub moved: Moved,
}

/// A row's place: measure, period start, level, unit, stratum.
pub type RowKey =
    (crate::results::Label, chrono::NaiveDate, crate::results::UnitLevel, crate::results::Label, crate::results::Label);

/// The place of `row`.
pub fn row_key(row: &crate::results::ResultRow) -> RowKey {
    (row.measure_id.clone(), row.period.start, row.unit_level, row.unit_code.clone(), row.stratum.clone())
}

/// The earlier value of each row whose value moved.
pub type Moved = std::collections::HashMap<RowKey, f64>;

/// The rows of `now` whose shown value differs from the same row in
/// `earlier` (neither suppressed), with the earlier value.
pub fn moved(now: &Results, earlier: &[crate::results::ResultRow]) -> Moved {
    let before: std::collections::HashMap<RowKey, f64> =
        earlier.iter().filter(|r| !r.suppressed()).filter_map(|r| Some((row_key(r), r.value?))).collect();
    now.rows
        .iter()
        .filter(|r| !r.suppressed())
        .filter_map(|r| {
            let was = *before.get(&row_key(r))?;
            (r.value.is_some_and(|v| (v - was).abs() > 1e-9 * was.abs().max(1.0))).then(|| (row_key(r), was))
        })
        .collect()
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Written {
    /// The page to open: `index.html`.
    pub index: PathBuf,
    /// The workbook.
    pub workbook: PathBuf,
    /// The Danish CSV, when asked for.
    pub csv: Option<PathBuf>,
    /// Number of HTML pages.
    pub pages: usize,
    /// Bytes written in all (pages, stylesheet, workbook).
    pub bytes: u64,
}

/// Writes the report for `results` into `out` (created if missing):
/// `index.html` and the other pages, `style.css`, `results.xlsx` and, when
/// asked, `resultater.csv`.
/// `rules` is read only for each rule's source text.
pub fn write(
    results: &Results,
    catalog: &Catalog,
    rules: &RulesSource,
    options: &Options,
    out: &Path,
) -> Result<Written> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let model = Model::new(results, catalog, &options.selection);
    let place = match model.kommuner.as_slice() {
        [one] => one.name.clone(),
        [] => "uden kommuner".to_string(),
        many => format!("{} kommuner", many.len()),
    };
    let runs: Vec<&str> = model.runs.iter().copied().collect();
    let versions: Vec<&str> = model.catalog_versions.iter().copied().collect();
    let footer = format!(
        "Lavet af kvalitet {} ud fra kørsel {} (katalog {}). Tal under grænserne for små tal er diskretioneret. \
         Rapporten læser kun resultaterne; den kører ingen regler.",
        env!("CARGO_PKG_VERSION"),
        escape(&if runs.is_empty() { "ukendt".to_string() } else { runs.join(", ") }),
        escape(&if versions.is_empty() { catalog.version.clone() } else { versions.join(", ") }),
    );
    let site = pages::Pages {
        model: &model,
        rules,
        site_name: format!("Kvalitetsrapport – {place}"),
        footer,
        moved: &options.moved,
    };
    let mut bytes = 0u64;
    let mut count = 0;
    let mut put = |file: &str, content: &[u8]| -> Result<()> {
        let path = out.join(file);
        std::fs::write(&path, content).map_err(|e| Error::io(&path, e))?;
        bytes += content.len() as u64;
        Ok(())
    };
    put("style.css", layout::STYLESHEET.as_bytes())?;
    for page in site.all() {
        put(&page.file, page.html.as_bytes())?;
        count += 1;
    }
    let csv = if options.danish_csv {
        put("resultater.csv", csv::danish_csv(results).as_bytes())?;
        Some(out.join("resultater.csv"))
    } else {
        None
    };
    let workbook = out.join("results.xlsx");
    excel::write(results, &model, &workbook)?;
    bytes += std::fs::metadata(&workbook).map_err(|e| Error::io(&workbook, e))?.len();
    Ok(Written { index: out.join("index.html"), workbook, csv, pages: count, bytes })
}
