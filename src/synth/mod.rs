//! Seeded synthetic data: every standard input table for one municipality,
//! a few, or the whole country, realistic enough that every measure gives a
//! plausible, non-trivial value.
//!
//! Real citizen data cannot leave a municipality, so the demo, the tests,
//! the notebooks and the benchmarks run on this. `kvalitet synth` and
//! `kvalitet demo` call [`generate`].
//!
//! # How it works
//!
//! Each municipality (real name and code from `catalog/kommuner.toml`) gets
//! random *effects* — how it differs from the national average in home care
//! take-up, reassessment intervals, screen visits, preventable admissions,
//! days after completed treatment, rehabilitation delays, triage speed,
//! antipsychotics, medication reviews, staff turnover, absence, adverse-event
//! reporting and satisfaction — and plejeenheder with effects of their own,
//! so comparisons and funnel plots show real spread. Several measures drift
//! over the years (reassessment, screen visits, antipsychotics, rehabilitation
//! delays, triage action plans), and admissions follow the seasons, so run
//! charts have something to show.
//!
//! Citizens are simulated one month at a time from 1 January of the year
//! *before* the first requested year (so 6- and 12-month look-backs are
//! complete from the first month) to 31 December of the last: death,
//! dementia, home care, nursing home, a latent need level 0–4 that drifts
//! (faster in care, better after everyday rehabilitation, worse after
//! admissions), admissions, nursing conditions and antipsychotics; every
//! table is then derived from that life.
//!
//! # The tables
//!
//! | table | generated as |
//! |---|---|
//! | `borgere` | every inhabitant; ages from Denmark's pyramid (65+ ≈ 21 %, 80+ ≈ 5.4 %, 90+ ≈ 0.8 %; a municipality's 65+ weight varies ±12 %), more women among the oldest, births (10.5 per 1000 a year), deaths by a Gompertz law (1.4 % a year at 65, 10 % at 85) raised in care, dementia diagnoses (prevalent ones dated back, new ones during the window, 15 % soon after moving into a nursing home) |
//! | `tilknytning` | the highest-priority place on each day — nursing home (`plejebolig`), temporary stay (`midlertidig`), home care group, home nursing group, rehabilitation centre (`eget_hjem`) — as non-overlapping rows, ended at death |
//! | `plejeenheder` | per municipality, sized by its inhabitants: hjemmeplejegrupper (one per ~160 recipients: "Hjemmeplejen Nord", "Hjemmeplejen Skovvang" …), plejecentre (one per ~45 residents: "Plejecenter Rosehaven" …), sygeplejegrupper, genoptræningscentre and a demensteam |
//! | `indsatser` | home care for about 7 % of 65+ in their own home (30 % of 85–89) and a nursing home for about 2.5 %, both steady over the years; per spell: SEL § 83a everyday rehabilitation (55 % of new spells, 8–12 weeks; a third then need no more help), SEL § 83 practical help, personal care (once the need level reaches 1), meals; Ældreloven "Helhedspleje" for new grants to 67+ from 1 July 2025 in a fifth of municipalities; SEL § 86 training, § 84 temporary stays, SUL § 138 medication and nursing, SUL § 140 rehabilitation; a fixed team on 40–95 % of home care grants |
//! | `tilstande`, `vurderinger` | 2–8 FSIII functional conditions per period of care (more as the need level rises; memory and orientation with dementia), assessed at the start, then at log-normal intervals with a municipality median of 5–13 months (shorter by 8 % a year), after 40 % of discharges and at moves; levels 0–4 follow the need level. Nursing conditions (wounds, pressure ulcers, nutrition, bladder, bowel, pain) with log-normal durations (medians 30–120 days), assessed about monthly |
//! | `besoeg` | only in the requested years (by far the largest table): personal care in slots through the day (0.5 + 0.6 × need level visits a day), everyday rehabilitation, cleaning every other week, nurse visits for nursing conditions (1–4 a week); none while admitted, on a temporary stay or in a nursing home. Most day visits by three regular carers (a unit's continuity 45–90 %), the rest by the team or the whole unit, never by an absent employee; screen visits for a growing share of citizens (about a third, growing 30 % a year) |
//! | `indlaeggelser` | admissions by age and care (about 0.11 a year at 65, 0.8 in home care), 18 % more in winter, 80–90 % acute for older citizens, a quarter to a third of those preventable, 30-day readmissions after 7–14 % of discharges, stays of a few days, days after completed treatment for about 10 % (municipality effect ×0.4–2.7) |
//! | `genoptraening` | after 18–30 % of discharges of older citizens: referral on the day of discharge, start after a log-normal delay (municipality median 4–9 days, shorter by 6 % a year), 4 % never started |
//! | `triage` | while in care: yellow (0.2–0.5 a month, and after half of discharges) and red (before a third of acute admissions), back to green later; action plans after log-normal delays (yellow median ~20 h, red ~1 h, unit and municipality effects), a few missing |
//! | `screeninger` | TOBS with every yellow and red triage, nutrition screening when care starts and yearly in nursing homes, preventive talks offered at 75 and yearly from 82 (62 % completed), dementia screening before most new diagnoses |
//! | `medicin` | chronic drugs of older citizens (1 + 0.12 a year over 60, 2.5 more in care; dose-dispensed for 60 % of those in care), anti-dementia drugs, antipsychotics (ATC N05A) for citizens with dementia as an on/off process (start 2.4 % a month, 1.5× in nursing homes, falling 5 % a year; stop 7 %), a few others on antipsychotics or lithium |
//! | `medicingennemgange` | while SUL § 138 is active: 55 % soon after it starts, then every 7–20 months (municipality median) |
//! | `uth` | adverse events of citizens in care (~0.08 a month, 1.5× in nursing homes; municipality and unit reporting cultures) and about one a month per unit without a citizen; types and severities as reported nationally; learning for half of the serious ones |
//! | `medarbejdere`, `fravaer`, `kurser` | staff per unit sized by its citizens, a leader each; 12–28 % leave a year (more in the first year) and are replaced; short and long sickness (about 5 % of days), a sick child, other absence; about 0.7 courses a year |
//! | `svar` | the yearly user-satisfaction survey (BTU hjemmepleje / plejebolig, October, 35–45 % respond) on the 1–5 scale, lower where continuity is poor; the staff survey (APV, September) |
//! | `befolkning` | counted from `borgere`: inhabitants on 1 January of every simulated year by municipality, age (0–110) and sex |
//!
//! # Plausibility targets
//!
//! What the rules give at kommune level in a month, over many generated
//! municipalities (the integration tests check six of them, with wider
//! ranges, on one small municipality):
//!
//! - reassessed within 6 months (`po.2a`): 60–95 %, rising;
//! - screen visits (`po.4c`, % of visits): 3–17 %, rising;
//! - preventable admissions 65+ (`po.2`): 2.5–8 per 1000 a month (the
//!   national report's 40–90 a year), higher in winter;
//! - antipsychotics among citizens with dementia (`de.2c`): 12–28 %, falling;
//! - rehabilitation started within 7 days (`gt.1a`): 60–95 %;
//! - distinct employees per visited citizen (`po.5b`): 8–12 a month;
//! - readmissions 65+ (`po.5`): 1–4 per 1000 a month; days after completed
//!   treatment (`sp.4b`): 0.1–0.6 per admission; medication reviews within
//!   12 months (`sp.4b`): 55–85 %; action plans on time after yellow and red
//!   triage (`po.2b`): 65–95 %; nursing-home residents with a dementia
//!   diagnosis (`de.1`): 35–50 %; median length of nursing conditions
//!   (`sp.2b`): 40–65 days; adverse events (`sp.3b`): about 2.5 a month per
//!   1000 inhabitants.
//!
//! # Determinism and scale
//!
//! Every random draw comes from a stream seeded by the seed, the
//! municipality and the citizen (see the `random` module), so the same options give
//! byte-identical files whatever the number of threads. Citizens are
//! generated in chunks of at most 100 000, in parallel; `besoeg` is written
//! as one part file per chunk (`besoeg/part-00000.parquet` …), each with
//! one Parquet row group per calendar month (so that a month's plan reads a
//! twelfth of it), the other tables once at the end. The whole country:
//!
//! ```text
//! cargo run --release -- synth --kommuner 98 --years 1 --out /tmp/national
//! ```
//!
//! writes 6.1 million citizens and 110 million rows (69 million visits in
//! 117 part files, 476 MB); measured on 2 cores on 26 November 2026: 75 s (1.4
//! million rows a second), 9.6 GB peak memory. Memory grows with the
//! citizen-level tables other than `besoeg`, which are kept until the end.

mod demography;
mod kommune;
mod life;
mod local;
mod names;
mod random;
mod rows;
mod tables;
mod time;

pub use tables::TABLES;

use crate::catalog::{Kommune as CatalogKommune, Kommuner};
use polars::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Citizens per chunk (a chunk's visits are one part file).
const CHUNK: u32 = 100_000;

/// The table written as a folder of part files, one per chunk.
const PARTED: &str = "besoeg";

/// The file format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Parquet,
    /// `;`-separated, `dd-mm-yyyy` dates, like a Danish export.
    Csv,
    /// Arrow IPC (`.arrow`).
    Ipc,
}

impl OutputFormat {
    /// Parses `parquet`, `csv` or `ipc` (also `arrow`).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "parquet" => Some(Self::Parquet),
            "csv" => Some(Self::Csv),
            "ipc" | "arrow" => Some(Self::Ipc),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Parquet => "parquet",
            Self::Csv => "csv",
            Self::Ipc => "arrow",
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// The municipalities.
    pub kommuner: Vec<CatalogKommune>,
    /// Inhabitants in all, shared by population; `None`: every inhabitant.
    pub citizens: Option<u64>,
    /// The first requested year (one year of history is simulated before it).
    pub start_year: i32,
    pub years: u32,
    pub seed: u64,
    pub format: OutputFormat,
    /// Worker threads; 0 uses every core. The output does not depend on it.
    pub threads: usize,
}

impl SynthOptions {
    /// Two years ending with 2025, seed 1, Parquet, every core.
    pub fn new(kommuner: Vec<CatalogKommune>) -> Self {
        Self {
            kommuner,
            citizens: None,
            start_year: 2024,
            years: 2,
            seed: 1,
            format: OutputFormat::Parquet,
            threads: 0,
        }
    }
}

/// The municipality `kvalitet demo` (and a notebook's `use_data("demo")`)
/// generates: small enough for seconds, large enough that most numbers
/// are not suppressed.
pub const DEMO_KOMMUNE: &str = "Odder";

/// The version of what the generator writes: raise it when its tables or
/// values change, so that a cached demo dataset is generated again.
pub const DATA_VERSION: u32 = 2;

/// The demo's options: `kommune` for `years` years ending with 2025.
pub fn demo_options(kommune: CatalogKommune, years: u32) -> SynthOptions {
    SynthOptions { years, start_year: 2026 - years as i32, ..SynthOptions::new(vec![kommune]) }
}

/// Rows written to one table.
#[derive(Debug, Clone)]
pub struct TableSummary {
    pub name: &'static str,
    pub rows: usize,
    pub files: usize,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct Summary {
    pub tables: Vec<TableSummary>,
    pub kommuner: usize,
    /// Inhabitants on the first simulated day.
    pub citizens: u64,
    pub seconds: f64,
}

impl Summary {
    /// Rows in all tables.
    pub fn rows(&self) -> usize {
        self.tables.iter().map(|t| t.rows).sum()
    }

    /// Rows written per second.
    pub fn rows_per_second(&self) -> f64 {
        self.rows() as f64 / self.seconds.max(1e-9)
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("{0}")]
    Options(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Write { path: PathBuf, source: PolarsError },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SynthError + '_ {
    move |source| SynthError::Io { path: path.to_path_buf(), source }
}

/// Municipalities ordered from the most to the fewest inhabitants.
fn by_size(kommuner: &Kommuner) -> Vec<&CatalogKommune> {
    let mut sorted: Vec<&CatalogKommune> = kommuner.kommuner.iter().collect();
    sorted.sort_by(|a, b| b.indbyggere.cmp(&a.indbyggere).then(a.kode.cmp(&b.kode)));
    sorted
}

/// The default: the middle municipality by population (Tårnby, ~43,500).
pub fn default_kommune(kommuner: &Kommuner) -> CatalogKommune {
    let sorted = by_size(kommuner);
    sorted[sorted.len() / 2].clone()
}

/// `n` municipalities spread evenly from the largest to the smallest (all
/// of them when `n` is 98 or more), in catalogue order.
pub fn spread_kommuner(kommuner: &Kommuner, n: usize) -> Vec<CatalogKommune> {
    let sorted = by_size(kommuner);
    let n = n.clamp(1, sorted.len());
    let mut chosen: Vec<&CatalogKommune> = (0..n).map(|i| sorted[((2 * i + 1) * sorted.len()) / (2 * n)]).collect();
    chosen.sort_by_key(|k| kommuner.kommuner.iter().position(|c| c.kode == k.kode));
    chosen.into_iter().cloned().collect()
}

/// Inhabitants per municipality: their populations, or `total` shared in
/// proportion to them (largest remainders).
fn shares(kommuner: &[CatalogKommune], total: Option<u64>) -> Vec<u32> {
    let Some(total) = total else {
        return kommuner.iter().map(|k| k.indbyggere as u32).collect();
    };
    let sum: u64 = kommuner.iter().map(|k| k.indbyggere).sum::<u64>().max(1);
    let exact: Vec<f64> = kommuner.iter().map(|k| total as f64 * k.indbyggere as f64 / sum as f64).collect();
    let mut counts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut order: Vec<usize> = (0..kommuner.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    let missing = total - counts.iter().sum::<u64>();
    for &i in order.iter().take(missing as usize) {
        counts[i] += 1;
    }
    counts.into_iter().map(|c| c as u32).collect()
}

/// Runs `f` for `0..n` on `threads` threads; results in index order.
fn parallel<T: Send>(n: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, n.max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let value = f(i);
                    *slots[i].lock().expect("no panics while holding the lock") = Some(value);
                }
            });
        }
    });
    slots.into_iter().map(|s| s.into_inner().expect("not poisoned").expect("every index ran")).collect()
}

/// Writes visits as Parquet with one row group per calendar month, as a
/// care system's export month by month would be: a reader of one period
/// skips the other months' row groups by their statistics instead of
/// reading the whole file. Within a month the visits keep their order (by
/// citizen), which keeps the id columns' runs short to store.
fn write_month_by_month(visits: &DataFrame, path: &Path) -> Result<(), SynthError> {
    let failed = |source| SynthError::Write { path: path.to_path_buf(), source };
    let month = col("tidspunkt").dt().year() * lit(12) + col("tidspunkt").dt().month().cast(DataType::Int32);
    let sorted = visits
        .clone()
        .lazy()
        .with_column(month.alias("month"))
        .sort(["month"], SortMultipleOptions::default().with_maintain_order(true))
        .collect()
        .map_err(failed)?;
    let months = sorted.column("month").and_then(|c| c.i32().cloned()).map_err(failed)?;
    let sorted = sorted.drop("month").map_err(failed)?;
    let file = std::fs::File::create(path).map_err(io_error(path))?;
    let mut writer = std::io::BufWriter::new(file);
    let mut batched = ParquetWriter::new(&mut writer).batched(sorted.schema()).map_err(failed)?;
    let mut start = 0;
    for end in 1..=sorted.height() {
        if end == sorted.height() || months.get(end) != months.get(start) {
            let mut rows = sorted.slice(start as i64, end - start);
            rows.rechunk_mut();
            batched.write_batch(&rows).map_err(failed)?;
            start = end;
        }
    }
    batched.finish().map_err(failed)?;
    use std::io::Write;
    writer.flush().map_err(io_error(path))
}

/// Writes one frame in `format`.
fn write_frame(frame: &mut DataFrame, path: &Path, format: OutputFormat) -> Result<(), SynthError> {
    let file = std::fs::File::create(path).map_err(io_error(path))?;
    let mut writer = std::io::BufWriter::new(file);
    let written = match format {
        OutputFormat::Parquet => ParquetWriter::new(&mut writer).finish(frame).map(|_| ()),
        OutputFormat::Ipc => IpcWriter::new(&mut writer).finish(frame),
        OutputFormat::Csv => CsvWriter::new(&mut writer)
            .include_header(true)
            .with_separator(b';')
            .with_date_format(Some("%d-%m-%Y".into()))
            .with_datetime_format(Some("%d-%m-%Y %H:%M".into()))
            .finish(frame),
    };
    written.map_err(|source| SynthError::Write { path: path.to_path_buf(), source })?;
    use std::io::Write;
    writer.flush().map_err(io_error(path))
}

/// Removes tables an earlier run left in `out` (files named after a
/// standard table, and `besoeg/` when it holds only part files), so that
/// formats never mix.
fn clear_earlier(out: &Path) -> Result<(), SynthError> {
    for name in TABLES {
        for ext in ["parquet", "csv", "arrow"] {
            let file = out.join(format!("{name}.{ext}"));
            if file.is_file() {
                std::fs::remove_file(&file).map_err(io_error(&file))?;
            }
        }
    }
    let folder = out.join(PARTED);
    if folder.is_dir() {
        let entries = std::fs::read_dir(&folder).map_err(io_error(&folder))?;
        for entry in entries {
            let path = entry.map_err(io_error(&folder))?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if !name.starts_with("part-") {
                return Err(SynthError::Options(format!(
                    "{} holds files that are not generated parts ({name}); choose another --out",
                    folder.display()
                )));
            }
        }
        std::fs::remove_dir_all(&folder).map_err(io_error(&folder))?;
    }
    Ok(())
}

/// One chunk's citizens: (municipality, first citizen, citizen after last).
type Chunk = (usize, u32, u32);

/// Generates every standard table into `out` and says what was written.
/// `progress` is called with (chunks done, chunks in all).
pub fn generate(
    options: &SynthOptions,
    out: &Path,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Summary, SynthError> {
    let started = Instant::now();
    if options.kommuner.is_empty() {
        return Err(SynthError::Options("no municipalities chosen".into()));
    }
    if !(1..=50).contains(&options.years) {
        return Err(SynthError::Options(format!("--years {} must be 1 to 50", options.years)));
    }
    if let Some(n) = options.citizens.filter(|n| !(1..=100_000_000).contains(n)) {
        return Err(SynthError::Options(format!("--citizens {n} must be 1 to 100,000,000")));
    }
    if !(1900..=2200).contains(&options.start_year) {
        return Err(SynthError::Options(format!("--start-year {} is out of range", options.start_year)));
    }
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    std::fs::create_dir_all(out).map_err(io_error(out))?;
    clear_earlier(out)?;
    let parts = out.join(PARTED);
    std::fs::create_dir_all(&parts).map_err(io_error(&parts))?;

    let calendar = time::Calendar::new(options.start_year, options.years);
    let citizens = shares(&options.kommuner, options.citizens);
    let plan = local::Plan::from_catalog(&crate::catalog::Catalog::standard());
    let worlds: Vec<(kommune::Kommune, tables::Rows)> = parallel(options.kommuner.len(), threads, |i| {
        let mut rows = tables::Rows::default();
        let world = kommune::Kommune::build(&options.kommuner[i], citizens[i], &calendar, options.seed, &mut rows);
        local::kommune(&world, &plan, &calendar, options.seed, &mut rows);
        (world, rows)
    });
    let chunks: Vec<Chunk> = worlds
        .iter()
        .enumerate()
        .flat_map(|(k, (world, _))| {
            let total = world.citizens + world.births;
            (0..total.div_ceil(CHUNK)).map(move |c| (k, c * CHUNK, ((c + 1) * CHUNK).min(total)))
        })
        .collect();
    let done = AtomicUsize::new(0);
    progress(0, chunks.len());
    let results = parallel(chunks.len(), threads, |c| -> Result<(tables::Rows, rows::Population, usize), SynthError> {
        let (k, first, last) = chunks[c];
        let world = &worlds[k].0;
        let context = rows::Context { kommune: world, calendar: &calendar, seed: options.seed, local: &plan };
        let mut out_rows = tables::Rows::default();
        let mut population = rows::Population::new(&calendar);
        for index in first..last {
            let mut rng = random::Rng::stream(options.seed, random::Purpose::Life, &[world.number, u64::from(index)]);
            let person = life::Person::new(world, index, &calendar, &mut rng);
            let lived = life::simulate(&person, world, &calendar, &mut rng);
            population.add(&person, &lived);
            rows::citizen(&context, &person, &lived, &mut out_rows);
        }
        let mut visits = std::mem::take(&mut out_rows.besoeg).into_frame();
        let path = parts.join(format!("part-{c:05}.{}", options.format.extension()));
        match options.format {
            OutputFormat::Parquet => write_month_by_month(&visits, &path)?,
            format => write_frame(&mut visits, &path, format)?,
        }
        let count = visits.height();
        progress(done.fetch_add(1, Ordering::Relaxed) + 1, chunks.len());
        Ok((out_rows, population, count))
    });

    // Assemble the other tables: municipality rows first, then chunks in order.
    let mut per_table: Vec<Vec<DataFrame>> = vec![Vec::new(); TABLES.len()];
    let mut visits = 0;
    let mut populations: Vec<Option<rows::Population>> = vec![None; worlds.len()];
    let collect = |rows: tables::Rows, per_table: &mut Vec<Vec<DataFrame>>| {
        for (i, (_, frame)) in rows.into_frames().into_iter().enumerate() {
            if frame.height() > 0 || per_table[i].is_empty() {
                per_table[i].push(frame);
            }
        }
    };
    let mut kommune_codes = Vec::new();
    for (world, rows) in worlds {
        kommune_codes.push(world.kode.clone());
        collect(rows, &mut per_table);
    }
    for (c, result) in results.into_iter().enumerate() {
        let (rows, population, count) = result?;
        visits += count;
        collect(rows, &mut per_table);
        match &mut populations[chunks[c].0] {
            Some(total) => total.merge(&population),
            slot => *slot = Some(population),
        }
    }
    let mut counted = tables::Rows::default();
    for (kode, population) in kommune_codes.iter().zip(&populations) {
        if let Some(population) = population {
            population.write(kode, &mut counted);
        }
    }
    collect(counted, &mut per_table);

    let mut summary = Vec::new();
    for (name, frames) in TABLES.iter().zip(per_table) {
        if *name == PARTED {
            summary.push(TableSummary { name, rows: visits, files: chunks.len() });
            continue;
        }
        let mut frames = frames.into_iter();
        let mut frame = frames.next().expect("every table has a frame");
        for more in frames {
            frame.vstack_mut_owned(more).map_err(|source| SynthError::Write { path: out.join(name), source })?;
        }
        frame.rechunk_mut();
        let path = out.join(format!("{name}.{}", options.format.extension()));
        write_frame(&mut frame, &path, options.format)?;
        summary.push(TableSummary { name, rows: frame.height(), files: 1 });
    }
    Ok(Summary {
        tables: summary,
        kommuner: options.kommuner.len(),
        citizens: citizens.iter().map(|c| u64::from(*c)).sum(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choosing_municipalities() {
        let all = Kommuner::standard();
        assert_eq!(default_kommune(&all).navn, "Tårnby");
        assert_eq!(spread_kommuner(&all, 98).len(), 98);
        let three = spread_kommuner(&all, 3);
        assert_eq!(three.len(), 3);
        assert!(three.iter().any(|k| k.indbyggere > 60_000) && three.iter().any(|k| k.indbyggere < 30_000));
    }

    #[test]
    fn shares_add_up() {
        let all = Kommuner::standard();
        let three = spread_kommuner(&all, 3);
        let counts = shares(&three, Some(10_001));
        assert_eq!(counts.iter().map(|c| u64::from(*c)).sum::<u64>(), 10_001);
        assert_eq!(shares(&three, None)[0] as u64, three[0].indbyggere);
    }
}
