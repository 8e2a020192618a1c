//! `kvalitet synth` (write synthetic input data) and `kvalitet demo`
//! (generate a small dataset, run every rule on it, write the report, say
//! where to look).

use super::{open, rules_source, run_and_write};
use crate::catalog::Kommuner;
use crate::engine::{Period, PeriodKind};
use crate::results::UnitLevel;
use crate::synth::{self, OutputFormat, Summary, SynthOptions};
use crate::workspace::{Request, Sources};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct SynthArgs {
    /// Directory to write the tables to (created if missing; tables an earlier run wrote there are replaced).
    #[arg(long)]
    out: PathBuf,
    /// Generate this many municipalities, spread from the largest to the smallest (98: the whole country).
    #[arg(long, conflicts_with = "kommune")]
    kommuner: Option<usize>,
    /// Generate these municipalities, by name or code, comma-separated
    /// (default: the middle one by population).
    #[arg(long, value_delimiter = ',')]
    kommune: Vec<String>,
    /// Inhabitants in all, shared by population (default: every inhabitant of the chosen municipalities).
    #[arg(long)]
    citizens: Option<u64>,
    /// Number of years.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=50))]
    years: u32,
    /// First year (default: the years end with 2025).
    #[arg(long)]
    start_year: Option<i32>,
    /// Seed; the same arguments and seed give byte-identical files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// File format: parquet, csv (Danish style: `;`, dd-mm-yyyy) or ipc.
    #[arg(long, default_value = "parquet")]
    format: String,
    /// Worker threads (default: every core); the output does not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Directory for the data (DIR/data), the results (DIR/results.parquet, DIR/results.csv) and the report
    /// (DIR/report).
    #[arg(long, default_value = "demo")]
    out: PathBuf,
    /// Municipality to generate, by name or code.
    #[arg(long, default_value = synth::DEMO_KOMMUNE)]
    kommune: String,
    /// Number of years of data, ending with 2025; the rules run for the last year's months, the years before
    /// are the history their windows look back into.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=50))]
    years: u32,
    /// Directory of rules to run [default: the rules built into kvalitet].
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Directory of the catalogue; default: the catalogue built into kvalitet.
    #[arg(long)]
    catalog: Option<PathBuf>,
}

fn find_kommune(kommuner: &Kommuner, name: &str) -> anyhow::Result<crate::catalog::Kommune> {
    kommuner.find(name).cloned().ok_or_else(|| {
        anyhow::anyhow!("--kommune {name:?}: no such municipality; write a name such as Odense or a code such as 461")
    })
}

/// Generates with a progress bar.
fn generate(options: &SynthOptions, out: &Path, quiet: bool) -> anyhow::Result<Summary> {
    let bar = super::progress_bar(quiet, 0, "{spinner} [{bar:30}] {pos}/{len} chunks of citizens {elapsed}");
    let summary = synth::generate(options, out, &|done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    Ok(summary)
}

pub fn synth(args: SynthArgs) -> anyhow::Result<ExitCode> {
    let catalog = Kommuner::standard();
    let kommuner = match (args.kommuner, args.kommune.is_empty()) {
        (Some(n), _) => synth::spread_kommuner(&catalog, n),
        (None, false) => args.kommune.iter().map(|name| find_kommune(&catalog, name)).collect::<anyhow::Result<_>>()?,
        (None, true) => vec![synth::default_kommune(&catalog)],
    };
    let format = OutputFormat::parse(&args.format)
        .ok_or_else(|| anyhow::anyhow!("--format {:?}: use parquet, csv or ipc", args.format))?;
    let options = SynthOptions {
        kommuner,
        citizens: args.citizens,
        start_year: args.start_year.unwrap_or(2026 - args.years as i32),
        years: args.years,
        seed: args.seed,
        format,
        threads: args.threads.unwrap_or(0),
    };
    let summary = generate(&options, &args.out, args.quiet)?;
    for table in &summary.tables {
        let files = if table.files > 1 { format!(" in {} files", table.files) } else { String::new() };
        println!("{:>20} {:>12} rows{files}", table.name, table.rows);
    }
    println!(
        "{} municipalities, {} citizens, {} to {}: {} rows in {:.1} s ({:.0} rows/s) → {}",
        summary.kommuner,
        summary.citizens,
        options.start_year,
        options.start_year + options.years as i32 - 1,
        summary.rows(),
        summary.seconds,
        summary.rows_per_second(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let kommune = find_kommune(&Kommuner::standard(), &args.kommune)?;
    let name = kommune.navn.clone();
    let options = synth::demo_options(kommune, args.years);
    let data = args.out.join("data");
    let summary = generate(&options, &data, false)?;
    let end_year = options.start_year + options.years as i32 - 1;
    println!(
        "generated {name} ({} citizens, {}–{end_year}): {} rows in {:.1} s → {}",
        summary.citizens,
        options.start_year,
        summary.rows(),
        summary.seconds,
        data.display()
    );
    let sources =
        Sources { data: Some(data.clone()), catalog: args.catalog.clone(), rules: rules_source(args.rules.as_deref()) };
    let workspace = open(&sources)?;
    // The last year's months: the years before it are the history that
    // windows such as "the last 6 months" look back into. A region holds
    // only this one kommune, so its rows would repeat the kommune's.
    let first =
        Period::containing(chrono::NaiveDate::from_ymd_opt(end_year, 1, 1).expect("a valid year"), PeriodKind::Month);
    let last =
        Period::containing(chrono::NaiveDate::from_ymd_opt(end_year, 12, 1).expect("a valid year"), PeriodKind::Month);
    let request = Request::new(
        Period::range(first.start, last.end, PeriodKind::Month),
        vec![UnitLevel::Kommune, UnitLevel::Plejeenhed],
    );
    let outputs = super::Outputs { out: Some(&args.out), store: None };
    let code = run_and_write(&workspace, &request, outputs, (false, super::Log { json: false }), true)?;
    let out = args.out.display();
    println!("\nWhere to look:");
    println!(
        "  {out}/report/index.html  the report: overview, driver diagrams, a page per measure (open it in a browser)"
    );
    println!("  {out}/report/results.xlsx  the same numbers for a spreadsheet");
    println!("  {out}/results.csv      one row per measure × month × unit × stratum (open it in a spreadsheet)");
    println!("  {out}/results.parquet  the same, for Polars, DuckDB or a notebook");
    println!("  {out}/data/            the synthetic input tables the rules read");
    println!(
        "  kvalitet explain po.2a.revurderet-tilstand-6mdr --data {out}/data --period {end_year}-06   who is counted, and why"
    );
    Ok(code)
}
