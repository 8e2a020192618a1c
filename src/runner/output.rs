//! Writing the results table: `results.parquet` and `results.csv`, each
//! written to a temporary file in the output directory and renamed into
//! place, so a crash never leaves a half-written file.

use polars::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The provenance columns after the core result columns.
pub const PROVENANCE_COLUMNS: [&str; 4] = ["run_id", "rule_sha256", "inputs_sha256", "catalog_version"];

/// An empty results table with the core, internal and provenance columns.
pub fn empty_with_provenance() -> DataFrame {
    let mut frame = super::aggregate::empty_results().collect().expect("empty frame");
    for name in PROVENANCE_COLUMNS {
        frame.with_column(Column::new_empty(name.into(), &DataType::String)).expect("new column");
    }
    frame
}

/// The results as shown to people: the numerator and denominator of a
/// suppressed row are withheld too, not only its value.
pub fn for_people(results: &DataFrame) -> PolarsResult<DataFrame> {
    if results.column("suppressed").is_err() {
        return Ok(results.clone());
    }
    let withheld =
        |c: &str| when(col("suppressed")).then(lit(Null {}).cast(DataType::Float64)).otherwise(col(c)).alias(c);
    results.clone().lazy().with_columns([withheld("numerator"), withheld("denominator")]).collect()
}

/// Writes `results` as `results.parquet` (complete, for analysis) and
/// `results.csv` (for people: suppressed counts withheld) in `dir`
/// (created if missing) and returns the two paths.
pub fn write_results(results: &mut DataFrame, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let parquet = dir.join("results.parquet");
    let csv = dir.join("results.csv");
    write_atomically(&parquet, |file| {
        ParquetWriter::new(file).finish(results).map(|_| ()).map_err(std::io::Error::other)
    })?;
    let mut shown = for_people(results).map_err(std::io::Error::other)?;
    write_atomically(&csv, |file| {
        CsvWriter::new(file).include_header(true).finish(&mut shown).map_err(std::io::Error::other)
    })?;
    Ok(vec![parquet, csv])
}

/// Writes to a temporary file next to `path`, flushes it to disk and renames
/// it to `path`. On any error the temporary file is removed.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut temp = tempfile::Builder::new().prefix(".kvalitet-").suffix(".tmp").tempfile_in(dir)?;
    write(temp.as_file_mut())?;
    temp.as_file_mut().flush()?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
