//! The `kvalitet` command line: argument parsing, printing and exit codes.
//! The only module that prints or decides how the process ends.
//!
//! Exit codes: 0 everything succeeded; 1 the command ran but some rules or
//! tables failed (what succeeded is written); 2 nothing could be done
//! (bad arguments, unreadable directories).

mod catalog;
mod explain;
mod synth;

use crate::data::{DataSource, Schema};
use crate::engine::{Limits, Period, PeriodKind, RuleEngine};
use crate::runner::{self, RunOptions, UnitLevel};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Quality measures for Danish municipal elderly care and health.
#[derive(Parser)]
#[command(name = "kvalitet", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate every rule against a data directory and write results.parquet and results.csv.
    Run(RunArgs),
    /// Compile every rule and validate the data, without running the batch.
    Check(CheckArgs),
    /// Show which citizens make up one measure's number, and its plan.
    Explain(explain::ExplainArgs),
    /// List the catalogue's areas, drivers and measures, or show one measure.
    Catalog(catalog::CatalogArgs),
    /// Generate synthetic input data.
    Synth(synth::SynthArgs),
    /// Generate a small dataset, run every rule on it and say where to look.
    Demo(synth::DemoArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    /// Data directory with one Parquet, Arrow IPC or CSV file (or folder) per table.
    #[arg(long)]
    data: PathBuf,
    /// Directory of rules, one <measure id>.rhai per measure.
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    /// Directory to write results.parquet and results.csv to.
    #[arg(long)]
    out: PathBuf,
    /// First period: YYYY-MM, YYYY-Qn or YYYY.
    #[arg(long)]
    from: String,
    /// Last period (inclusive): YYYY-MM, YYYY-Qn or YYYY.
    #[arg(long)]
    to: String,
    /// Period length: month, quarter or year.
    #[arg(long, default_value = "month")]
    every: String,
    /// Unit levels to group by, comma-separated: kommune, plejeenhed, region.
    #[arg(long, default_value = "kommune,plejeenhed,region")]
    by: String,
    /// Directory of the catalogue (measure directions, suppression thresholds, national values);
    /// default: the catalogue built into kvalitet.
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Confidence level of the intervals, e.g. 0.95 or 0.9.
    #[arg(long, default_value_t = 0.95)]
    ci_level: f64,
    /// Interval for proportions: wilson (score interval) or clopper-pearson (exact).
    #[arg(long, default_value = "wilson")]
    proportion_ci: String,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Data directory to validate (and to check the rules' plans against).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Directory of rules.
    #[arg(long, default_value = "rules")]
    rules: PathBuf,
    /// Period to build the plans for: YYYY-MM, YYYY-Qn or YYYY (default: this month).
    #[arg(long)]
    period: Option<String>,
    /// Directory of the catalogue the rules must belong to; default: the built-in catalogue.
    #[arg(long)]
    catalog: Option<PathBuf>,
}

/// Runs the command line and returns the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Explain(args) => explain::explain(args),
        Command::Catalog(args) => catalog::catalog(args),
        Command::Synth(args) => synth::synth(args),
        Command::Demo(args) => synth::demo(args),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Parses a period bound; `end` picks the last day of it.
fn parse_bound(text: &str, what: &str) -> anyhow::Result<Period> {
    Period::parse(text)
        .ok_or_else(|| anyhow::anyhow!("--{what} {text:?} is not a period; write YYYY-MM, YYYY-Qn or YYYY"))
}

fn parse_levels(text: &str) -> anyhow::Result<Vec<UnitLevel>> {
    text.split(',')
        .map(|l| {
            UnitLevel::parse(l)
                .ok_or_else(|| anyhow::anyhow!("--by: unknown unit level {l:?}; use kommune, plejeenhed or region"))
        })
        .collect()
}

/// The run's statistics options from `--ci-level` and `--proportion-ci`.
fn statistics_options(level: f64, proportion_ci: &str) -> anyhow::Result<runner::StatisticsOptions> {
    if !(level > 0.0 && level < 1.0) {
        anyhow::bail!("--ci-level {level}: give a level between 0 and 1, such as 0.95");
    }
    let proportion_ci = match proportion_ci {
        "wilson" => crate::stats::interval::CiMethod::Wilson,
        "clopper-pearson" => crate::stats::interval::CiMethod::ClopperPearson,
        other => anyhow::bail!("--proportion-ci {other:?}: use wilson or clopper-pearson"),
    };
    Ok(runner::StatisticsOptions { level, proportion_ci, ..Default::default() })
}

/// The catalogue in `dir`, or the one built into kvalitet.
fn load_catalog(dir: Option<&std::path::Path>) -> anyhow::Result<crate::catalog::Catalog> {
    Ok(match dir {
        Some(dir) => crate::catalog::Catalog::load(dir)?,
        None => crate::catalog::Catalog::standard(),
    })
}

/// Opens the data directory and prints every table problem as a warning.
fn open_data(dir: &std::path::Path) -> anyhow::Result<(Arc<DataSource>, usize)> {
    let data = DataSource::open(dir, &Schema::standard())?;
    let problems = data.problems();
    for problem in &problems {
        eprintln!("data error: {problem}");
    }
    Ok((Arc::new(data), problems.len()))
}

fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let kind = PeriodKind::parse(&args.every)
        .ok_or_else(|| anyhow::anyhow!("--every {:?}: use month, quarter or year", args.every))?;
    let from = parse_bound(&args.from, "from")?;
    let to = parse_bound(&args.to, "to")?;
    if to.end < from.start {
        anyhow::bail!("--to {} is before --from {}", args.to, args.from);
    }
    let periods = Period::range(from.start, to.end, kind);
    let levels = parse_levels(&args.by)?;
    let statistics = statistics_options(args.ci_level, &args.proportion_ci)?;
    let catalog = load_catalog(args.catalog.as_deref())?;
    let (data, data_problems) = open_data(&args.data)?;
    let engine = RuleEngine::new(data.clone(), Limits::default());
    let rules = runner::compile_rules(&engine, &args.rules)?;
    if rules.is_empty() {
        anyhow::bail!("no rules (*.rhai) in {}", args.rules.display());
    }
    let bar =
        if args.quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new(rules.len() as u64) };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} rules {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let options = RunOptions {
        periods: periods.clone(),
        levels,
        catalog_version: catalog.version.clone(),
        settings: runner::MeasureSettings::all_from_catalog(&catalog, kind),
        statistics,
    };
    let mut outcome = runner::run(&engine, rules, &data, &catalog.kommuner, &options, |done, _, id| {
        bar.set_position(done as u64);
        bar.set_message(id.to_string());
    })?;
    bar.finish_and_clear();
    let written = crate::runner::output::write_results(&mut outcome.results, &args.out)?;
    for note in &outcome.notes {
        eprintln!("note: {note}");
    }
    for failure in &outcome.failures {
        eprintln!("rule error: {}", failure.error);
    }
    println!(
        "{} rules × {} periods ({} to {}) → {} result rows in {:.1} s; {} rule(s) failed",
        outcome.rules_total,
        periods.len(),
        periods[0].label(),
        periods[periods.len() - 1].label(),
        outcome.results.height(),
        outcome.seconds,
        outcome.failures.len()
    );
    for path in written {
        println!("wrote {}", path.display());
    }
    Ok(if outcome.failures.is_empty() && data_problems == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let (data, data_problems) = match &args.data {
        Some(dir) => open_data(dir)?,
        None => (Arc::new(DataSource::empty()), 0),
    };
    let period = match &args.period {
        Some(text) => parse_bound(text, "period")?,
        None => Period::containing(chrono::Local::now().date_naive(), PeriodKind::Month),
    };
    let engine = RuleEngine::new(data.clone(), Limits::default());
    let rules = runner::compile_rules(&engine, &args.rules)?;
    let mut failed = 0;
    for rule in &rules {
        let result = rule
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|rule| if args.data.is_some() { engine.evaluate(rule, &period).map(|_| ()) } else { Ok(()) });
        match (result, rule) {
            (Ok(()), Ok(rule)) => println!("ok    {}", rule.id),
            (Err(error), _) => {
                failed += 1;
                eprintln!("rule error: {error}");
            }
            (Ok(()), Err(_)) => unreachable!("a failed compile is an error"),
        }
    }
    if let Some(dir) = &args.data {
        let tables = data.table_names();
        println!(
            "data  {}: {} tables ({}), {} problem(s)",
            dir.display(),
            tables.len(),
            tables.join(", "),
            data_problems
        );
        let schema = Schema::standard();
        let missing = data.missing_standard_tables(&schema);
        if !missing.is_empty() {
            println!("note  standard tables not present: {}", missing.join(", "));
        }
    }
    // Every rule belongs to a catalogue measure, and every measure's rule exists.
    let catalog_ok = match load_catalog(args.catalog.as_deref())?.check_rules(&args.rules) {
        Ok(()) => true,
        Err(error) => {
            eprintln!("catalogue error: {error}");
            false
        }
    };
    println!("{} rule(s), {} failed", rules.len(), failed);
    Ok(if failed == 0 && data_problems == 0 && catalog_ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
