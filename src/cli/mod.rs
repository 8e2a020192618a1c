//! The `kvalitet` command line: argument parsing, printing and exit codes.
//! The only module that prints or decides how the process ends; the work
//! itself is the library's ([`crate::workspace`]).
//!
//! Exit codes: 0 everything succeeded; 1 the command ran but some rules or
//! tables failed (what succeeded is written); 2 nothing could be done
//! (bad arguments, unreadable directories).

mod catalog;
mod explain;
mod kernel;
mod report;
mod store;
mod synth;
mod test;

use crate::data::Validated;
use crate::engine::{Period, PeriodKind, RulesSource};
use crate::results::{self, StatisticsOptions, UnitLevel};
use crate::stats::CiMethod;
use crate::workspace::remembered::Remembered;
use crate::workspace::{Execution, Request, RuleCost, RunOutcome, Sources, Workspace};
use clap::{Parser, Subcommand};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    /// Generate a small dataset, run every rule on it, write the report and say where to look.
    Demo(synth::DemoArgs),
    /// The Jupyter kernel for Rhai cells: `kernel install`, or run it on a connection file.
    Kernel(kernel::KernelArgs),
    /// Write the report (HTML pages and results.xlsx) from a results table.
    Report(report::ReportArgs),
    /// Check rules against their hand-worked test cases (one <measure id>.toml per rule).
    Test(test::TestArgs),
    /// Summarise the last runs of a results store.
    Status(store::StatusArgs),
    /// Check a results store: `store verify`.
    Store(store::StoreArgs),
    /// How a measure's values changed from run to run in a results store, and which inputs changed.
    History(store::HistoryArgs),
}

/// The options that say which rules, catalogue and statistics a run uses.
#[derive(clap::Args)]
struct RunSettings {
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
    /// Confidence level of the intervals, e.g. 0.95 or 0.9.
    #[arg(long, default_value_t = 0.95)]
    ci_level: f64,
    /// Interval for proportions: wilson (score interval) or clopper-pearson (exact).
    #[arg(long, default_value = "wilson")]
    proportion_ci: String,
    /// Execute each rule's plans one period after the other (for the
    /// benchmark's comparison; the default chooses by the data's size).
    #[arg(long, hide = true, conflicts_with = "together")]
    plan_by_plan: bool,
    /// Execute each rule's plans together, also on data too large for
    /// memory (for the benchmark's comparison).
    #[arg(long, hide = true)]
    together: bool,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Data directory with one Parquet, Arrow IPC or CSV file (or folder) per table.
    #[arg(long)]
    data: PathBuf,
    /// Directory of rules, one <measure id>.rhai per measure, and helper modules in lib/
    /// [default: the rules built into kvalitet].
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Directory to write results.parquet and results.csv to.
    #[arg(long, required_unless_present = "store")]
    out: Option<PathBuf>,
    /// Results store to add this run to (history, run log, lock); see `kvalitet status`.
    #[arg(long)]
    store: Option<PathBuf>,
    /// With --store: wait for a run that holds the store instead of failing with exit code 3.
    #[arg(long, requires = "store")]
    wait: bool,
    /// With --store: evaluate every rule and period, also those up to date in the store.
    #[arg(long, requires = "store")]
    full: bool,
    /// Without --store: check every table, also those that validated before in the same files under this
    /// build of kvalitet (remembered in the user's cache directory; see the README).
    #[arg(long, conflicts_with = "store")]
    revalidate: bool,
    #[command(flatten)]
    settings: RunSettings,
    /// Directory of the catalogue (measure directions, suppression thresholds, national values);
    /// default: the catalogue built into kvalitet.
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
    /// How the run reports: text for people, or json (one object per line on stdout) for log collectors.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    /// Also write the report (HTML pages and results.xlsx) into OUT/report.
    #[arg(long)]
    report: bool,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Data directory to validate (and to check the rules' plans against).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Directory of rules [default: the rules built into kvalitet].
    #[arg(long)]
    rules: Option<PathBuf>,
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
    if !matches!(cli.command, Command::Kernel(_)) {
        quiet_on_closed_pipe();
    }
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Explain(args) => explain::explain(args),
        Command::Catalog(args) => catalog::catalog(args),
        Command::Synth(args) => synth::synth(args),
        Command::Demo(args) => synth::demo(args),
        Command::Kernel(args) => kernel::kernel(args),
        Command::Report(args) => report::report(args),
        Command::Test(args) => test::test(args),
        Command::Status(args) => store::status(args),
        Command::Store(args) => store::store(args),
        Command::History(args) => store::history(args),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            let locked = matches!(error.downcast_ref(), Some(crate::store::StoreError::Locked { .. }));
            ExitCode::from(if locked { 3 } else { 2 })
        }
    }
}

/// A closed stdout (`kvalitet catalog | head`) ends the process as it
/// ends any Unix tool — by SIGPIPE, quietly — instead of a panic on the
/// next `println!`. Not for the kernel, whose clients may go away while it
/// writes to their sockets.
fn quiet_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to its default, before any
    // thread is started, has no memory effects.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// A progress bar on stderr, or none: with `--quiet`, when stderr is not a
/// terminal (a log file, a pipe), or when `NO_COLOR` asks for plain output.
fn progress_bar(quiet: bool, length: u64, template: &str) -> indicatif::ProgressBar {
    let plain = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if quiet || plain || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(length);
    bar.set_style(indicatif::ProgressStyle::with_template(template).expect("a valid template").progress_chars("=> "));
    bar
}

/// Parses a period given as `--{what}`.
fn parse_period(text: &str, what: &str) -> anyhow::Result<Period> {
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

impl RunSettings {
    /// The request these options describe.
    fn request(&self) -> anyhow::Result<Request> {
        let kind = PeriodKind::parse(&self.every)
            .ok_or_else(|| anyhow::anyhow!("--every {:?}: use month, quarter or year", self.every))?;
        let from = parse_period(&self.from, "from")?;
        let to = parse_period(&self.to, "to")?;
        if to.end < from.start {
            anyhow::bail!("--to {} is before --from {}", self.to, self.from);
        }
        if !(self.ci_level > 0.0 && self.ci_level < 1.0) {
            anyhow::bail!("--ci-level {}: give a level between 0 and 1, such as 0.95", self.ci_level);
        }
        let proportion_ci = match self.proportion_ci.as_str() {
            "wilson" => CiMethod::Wilson,
            "clopper-pearson" => CiMethod::ClopperPearson,
            other => anyhow::bail!("--proportion-ci {other:?}: use wilson or clopper-pearson"),
        };
        Ok(Request {
            periods: Period::range(from.start, to.end, kind),
            levels: parse_levels(&self.by)?,
            statistics: StatisticsOptions { level: self.ci_level, proportion_ci, ..Default::default() },
            settings: None,
            history: Vec::new(),
            run_id: None,
            up_to_date: Default::default(),
            execution: match (self.plan_by_plan, self.together) {
                (true, _) => Some(Execution::PlanByPlan),
                (_, true) => Some(Execution::Together),
                _ => None,
            },
            release_tables: true,
        })
    }
}

/// `--rules DIR`, or the rules built into kvalitet.
fn rules_source(dir: Option<&Path>) -> RulesSource {
    match dir {
        Some(dir) => RulesSource::Dir(dir.to_path_buf()),
        None => RulesSource::Standard,
    }
}

/// The measure ids of every rule of a rules source.
fn rule_ids(rules: &RulesSource) -> anyhow::Result<BTreeSet<String>> {
    Ok(rules.rule_files()?.iter().filter_map(|(path, _)| crate::engine::rule_id(path)).collect())
}

/// Opens a workspace and prints every data problem as it was found.
fn open(sources: &Sources) -> anyhow::Result<Workspace> {
    open_checked(sources, &Validated::new())
}

/// As [`open`], not checking again the tables found valid before in the
/// same files.
fn open_checked(sources: &Sources, checked: &Validated) -> anyhow::Result<Workspace> {
    let workspace = Workspace::open_checked(sources, checked)?;
    for problem in workspace.data_problems() {
        eprintln!("data error: {problem}");
    }
    for warning in workspace.data().warnings() {
        eprintln!("warning: {warning}");
    }
    Ok(workspace)
}

/// Where a run goes: a results folder, a store (and whether to wait for
/// its lock), or both.
struct Outputs<'a> {
    out: Option<&'a Path>,
    store: Option<store::Options<'a>>,
}

/// Where a run's messages go: text for people (notes and errors on stderr,
/// the summary on stdout), or one JSON object per line on stdout.
#[derive(Clone, Copy)]
struct Log {
    json: bool,
}

impl Log {
    /// A note or warning (`kind`: "note", "warning", "rule_error").
    fn say(self, kind: &str, message: &str) {
        if self.json {
            println!("{}", serde_json::json!({ "event": kind, "message": message }));
        } else {
            eprintln!("{}: {message}", kind.replace('_', " "));
        }
    }

    /// An event: its text for people, its fields for collectors.
    fn event(self, text: &str, fields: serde_json::Value) {
        if self.json {
            println!("{fields}");
        } else {
            println!("{text}");
        }
    }
}

/// Runs every rule of `workspace`, writes the results to the outputs (and
/// the report to `out/report` when `with_report`) and prints what happened;
/// the exit code says whether anything failed.
fn run_and_write(
    workspace: &Workspace,
    request: &Request,
    outputs: Outputs,
    (quiet, log): (bool, Log),
    with_report: bool,
) -> anyhow::Result<ExitCode> {
    for warning in workspace.catalogue_warnings() {
        log.say("warning", &warning);
    }
    if workspace.rules().is_empty() {
        return Err(crate::error::Error::NoRules(workspace.rules_source().label()).into());
    }
    let mut request = request.clone();
    let store = match outputs.store {
        Some(options) => Some(store::begin(workspace, &mut request, options, log)?),
        None => None,
    };
    let bar =
        progress_bar(quiet || log.json, workspace.rules().len() as u64, "{spinner} [{bar:30}] {pos}/{len} rules {msg}");
    let outcome = workspace.run(&request, |progress| {
        bar.set_position(progress.done as u64);
        bar.set_message(progress.rule_id.to_string());
    })?;
    bar.finish_and_clear();
    print_outcome(&outcome, &request, log);
    let store = match store {
        Some(open) => Some(store::publish(open, &outcome, workspace.data().valid_tables(), log)?),
        None => None,
    };
    let failed = !outcome.failures.is_empty() || !workspace.data_problems().is_empty();
    let Some(out) = outputs.out else {
        return Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS });
    };
    // Values a later run changed (late registrations) are marked in the
    // report, with what the store held before.
    let moved = if with_report { crate::report::moved(&outcome.results, &request.history) } else { Default::default() };
    // With a store, the results folder gets the store's current results:
    // the rows evaluated now and those up to date from earlier runs.
    let written = match store {
        Some(store) => store.current()?,
        None => outcome.results,
    };
    for path in results::write(&written, out)? {
        log.event(&format!("wrote {}", path.display()), serde_json::json!({ "event": "wrote", "path": path }));
    }
    if with_report {
        let options = crate::report::Options { moved, ..Default::default() };
        report::write_report(&written, workspace.catalog(), workspace.rules_source(), &options, &out.join("report"))?;
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn print_outcome(outcome: &RunOutcome, request: &Request, log: Log) {
    for note in &outcome.notes {
        log.say("note", note);
    }
    if log.json {
        for (rule, reason) in &outcome.not_computable {
            println!("{}", serde_json::json!({ "event": "not_computable", "rule": rule, "message": reason }));
        }
        for failure in &outcome.failures {
            let e = &failure.error;
            println!(
                "{}",
                serde_json::json!({ "event": "rule_error", "rule": failure.rule_id, "file": e.path, "line": e.line,
                    "column": e.column, "message": e.message })
            );
        }
        for cost in &outcome.costs {
            println!(
                "{}",
                serde_json::json!({ "event": "rule", "rule": cost.rule_id, "seconds": cost.seconds,
                    "peak_memory_bytes": cost.peak_bytes })
            );
        }
        let periods: Vec<String> = request.periods.iter().map(|p| p.label()).collect();
        println!(
            "{}",
            serde_json::json!({ "event": "run", "run_id": outcome.run_id, "rules": outcome.rules_total,
                "periods": periods, "rows": outcome.results.rows.len(), "seconds": outcome.seconds,
                "failed": outcome.failures.len(), "skipped": outcome.skipped })
        );
        return;
    }
    // Rules lacking the same table are said together: 80 lines would hide the rest.
    let mut lacking: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (rule, reason) in &outcome.not_computable {
        let reason = reason.strip_prefix("not computable with these data: ").unwrap_or(reason);
        lacking.entry(reason).or_default().push(rule);
    }
    if !lacking.is_empty() {
        eprintln!(
            "note: {} rule(s) left out, not computable with these data (`kvalitet check --data` lists them):",
            outcome.not_computable.len()
        );
    }
    for (reason, rules) in lacking {
        let more = if rules.len() > 2 { format!(" and {} more", rules.len() - 2) } else { String::new() };
        eprintln!("  {reason}: {}{more}", rules[..rules.len().min(2)].join(", "));
    }
    for failure in &outcome.failures {
        eprintln!("rule error: {}", failure.error);
    }
    if outcome.skipped > 0 {
        println!(
            "{} rule × period pair(s) up to date in the store, not evaluated again (--full evaluates them)",
            outcome.skipped
        );
    }
    // Where a long run's time and memory went.
    if outcome.seconds >= 10.0 {
        let mut slowest: Vec<&RuleCost> = outcome.costs.iter().filter(|c| c.seconds >= 1.0).collect();
        slowest.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
        let listed: Vec<String> = slowest.iter().take(3).map(|c| format!("{} {:.1} s", c.rule_id, c.seconds)).collect();
        if !listed.is_empty() {
            println!("slowest rules: {}", listed.join(", "));
        }
        let mut largest: Vec<(&str, u64)> =
            outcome.costs.iter().filter_map(|c| Some((c.rule_id.as_str(), c.peak_bytes?))).collect();
        largest.sort_by_key(|c| std::cmp::Reverse(c.1));
        let listed: Vec<String> =
            largest.iter().take(3).map(|(id, bytes)| format!("{id} {:.1} GB", *bytes as f64 / 1e9)).collect();
        if !listed.is_empty() {
            println!("peak memory while a rule ran (tables held included): {}", listed.join(", "));
        }
    }
    let periods = &request.periods;
    println!(
        "{} rules × {} periods ({} to {}) → {} result rows in {:.1} s; {} rule(s) failed",
        outcome.rules_total,
        periods.len(),
        periods[0].label(),
        periods[periods.len() - 1].label(),
        outcome.results.rows.len(),
        outcome.seconds,
        outcome.failures.len()
    );
}

fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let request = args.settings.request()?;
    let sources = Sources {
        data: Some(args.data.clone()),
        catalog: args.catalog.clone(),
        rules: rules_source(args.rules.as_deref()),
    };
    let log = Log { json: args.log_format == "json" };
    // Tables found valid before (by the store's last run, or by an earlier
    // run or check of this build) are not checked again when their files
    // are the same.
    let memory = Remembered::user();
    let (checked, by_whom) = match &args.store {
        Some(_) if args.full => (Validated::new(), ""),
        Some(dir) if dir.join("runs").is_dir() => {
            (crate::store::Store::open(dir)?.valid_tables()?.into_iter().collect(), "the store's last run")
        }
        Some(_) => (Validated::new(), ""),
        None if args.revalidate => (Validated::new(), ""),
        None => (memory.load(), "an earlier run or check"),
    };
    let workspace = open_checked(&sources, &checked)?;
    let unchanged = workspace.data().checked_before();
    if !unchanged.is_empty() {
        let again = if args.store.is_some() { "--full" } else { "--revalidate" };
        log.say(
            "note",
            &format!(
                "{} table(s) unchanged since {by_whom} found them valid; not checked again ({again} checks them)",
                unchanged.len()
            ),
        );
    }
    if args.store.is_none() {
        memory.remember(workspace.data().valid_tables());
    }
    let store = args.store.as_deref().map(|dir| store::Options { dir, wait: args.wait, full: args.full });
    run_and_write(&workspace, &request, Outputs { out: args.out.as_deref(), store }, (args.quiet, log), args.report)
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let period = match &args.period {
        Some(text) => parse_period(text, "period")?,
        None => Period::containing(chrono::Local::now().date_naive(), PeriodKind::Month),
    };
    let rules = rules_source(args.rules.as_deref());
    let sources = Sources { data: args.data.clone(), catalog: args.catalog.clone(), rules: rules.clone() };
    // `check` checks every table, and remembers the valid ones for `run`.
    let workspace = open(&sources)?;
    Remembered::user().remember(workspace.data().valid_tables());
    let mut failed = 0;
    for error in crate::engine::library::check_library(&rules) {
        failed += 1;
        eprintln!("rule error: {error}");
    }
    for rule in workspace.rules() {
        let result = match rule {
            Ok(rule) if args.data.is_some() => workspace.check_rule(rule, &period),
            Ok(_) => Ok(()),
            Err(error) => Err(error.clone()),
        };
        match (result, rule) {
            (Ok(()), Ok(rule)) => println!("ok    {}", rule.id),
            (Err(error), Ok(rule)) if error.not_computable => println!("n/a   {}: {}", rule.id, error.message),
            (Err(error), _) => {
                failed += 1;
                eprintln!("rule error: {error}");
            }
            (Ok(()), Err(_)) => unreachable!("a failed compile is an error"),
        }
    }
    if let Some(dir) = &args.data {
        let data = workspace.data();
        let tables = data.table_names();
        println!(
            "data  {}: {} tables ({}), {} problem(s)",
            dir.display(),
            tables.len(),
            tables.join(", "),
            workspace.data_problems().len()
        );
        let schema = crate::data::Schema::standard();
        let missing = data.missing_standard_tables(&schema);
        if !missing.is_empty() {
            println!("note  standard tables not present: {}", missing.join(", "));
        }
    }
    // Every rule belongs to a catalogue measure; the measures without a rule
    // here are coverage, not an error (a municipality may keep 3–5).
    let ids = rule_ids(&rules)?;
    let catalog_ok = match workspace.catalog().check_rules(&rules.label(), &ids) {
        Ok(()) => true,
        Err(error) => {
            eprintln!("catalogue error: {error}");
            false
        }
    };
    for coverage in workspace.catalog().coverage(&ids) {
        println!(
            "cover {}: {} of {} measures have a rule here ({} in the catalogue)",
            coverage.area.title, coverage.computed, coverage.measures, coverage.with_rule
        );
    }
    println!("{} rule(s), {} failed", workspace.rules().len(), failed);
    let ok = failed == 0 && workspace.data_problems().is_empty() && catalog_ok;
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
