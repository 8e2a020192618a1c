//! `kvalitet report` (results → HTML pages and Excel), and the report step
//! of `kvalitet run --report` and `kvalitet demo`.

use super::rules_source;
use crate::catalog::Catalog;
use crate::engine::RulesSource;
use crate::report::{self, Options, Selection};
use crate::results::Results;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ReportArgs {
    /// A results.parquet written by `kvalitet run` or `kvalitet demo`, or the directory holding it.
    #[arg(long)]
    results: PathBuf,
    /// Directory to write the pages (index.html …) and results.xlsx to (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Measures to highlight: ids or globs, comma-separated (po.2a.*,de.2c.*), or a file listing one per line.
    #[arg(long)]
    select: Option<String>,
    /// Directory of the catalogue [default: the catalogue built into kvalitet].
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Directory of rules, read only for each rule's source text [default: the rules built into kvalitet].
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Also write resultater.csv for a Danish spreadsheet (';', decimal comma, dd-mm-yyyy; suppressed counts empty).
    #[arg(long)]
    csv: bool,
}

/// The results file a `--results` argument names.
fn results_file(path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_dir() {
        let file = path.join("results.parquet");
        if !file.is_file() {
            anyhow::bail!(
                "--results {}: the directory has no results.parquet; run `kvalitet run` (or `kvalitet demo`) first",
                path.display()
            );
        }
        return Ok(file);
    }
    if !path.is_file() {
        anyhow::bail!("--results {}: no such file or directory", path.display());
    }
    Ok(path.to_path_buf())
}

/// Writes the report and says where it is.
pub fn write_report(
    results: &Results,
    catalog: &Catalog,
    rules: &RulesSource,
    options: &Options,
    out: &Path,
) -> anyhow::Result<()> {
    for pattern in options.selection.unmatched(catalog) {
        eprintln!("warning: --select {pattern:?} matches no measure of the catalogue");
    }
    let written = report::write(results, catalog, rules, options, out)?;
    println!(
        "wrote the report: {} ({} pages) and {} — {:.1} MB in all; open index.html in a browser",
        written.index.display(),
        written.pages,
        written.workbook.display(),
        written.bytes as f64 / 1e6
    );
    if let Some(csv) = &written.csv {
        println!("wrote {}", csv.display());
    }
    Ok(())
}

pub fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let file = results_file(&args.results)?;
    let results = Results::read(&file)?;
    if results.rows.is_empty() {
        anyhow::bail!("{}: the results table has no rows", file.display());
    }
    let catalog = match &args.catalog {
        Some(dir) => Catalog::load(dir)?,
        None => Catalog::standard(),
    };
    let selection = match &args.select {
        Some(arg) => Selection::parse(arg)?,
        None => Selection::default(),
    };
    let options = Options { selection, danish_csv: args.csv, ..Default::default() };
    write_report(&results, &catalog, &rules_source(args.rules.as_deref()), &options, &args.out)?;
    Ok(ExitCode::SUCCESS)
}
