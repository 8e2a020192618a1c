//! `kvalitet run --store DIR`, `kvalitet status` and `kvalitet store verify`:
//! runs added to a results store, and what an operator looks at.

use crate::results::RuleInputs;
use crate::store::{Lock, RunRecord, RunStatus, Store};
use crate::workspace::{Request, RunOutcome, Workspace};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct StatusArgs {
    /// The results store.
    #[arg(long, default_value = "kvalitet-store")]
    store: PathBuf,
    /// How many of the last runs to show.
    #[arg(long, default_value_t = 10)]
    last: usize,
}

#[derive(clap::Args)]
pub struct StoreArgs {
    #[command(subcommand)]
    command: StoreCommand,
}

#[derive(clap::Subcommand)]
enum StoreCommand {
    /// Read every result file of every complete run; exit code 1 when one is missing or damaged.
    Verify {
        /// The results store.
        #[arg(long, default_value = "kvalitet-store")]
        store: PathBuf,
    },
}

/// `--store DIR [--wait] [--full]`.
pub struct Options<'a> {
    pub dir: &'a Path,
    pub wait: bool,
    pub full: bool,
}

/// A store being written by this run: its lock and the run's record.
pub struct Open {
    store: Store,
    lock: Lock,
    record: RunRecord,
}

/// Locks the store, brings it to a consistent state, gives the run its id
/// and the store's history, and logs the run as started.
pub fn begin(workspace: &Workspace, request: &mut Request, options: Options, log: super::Log) -> anyhow::Result<Open> {
    let store = Store::open(options.dir)?;
    // "Wait" is for as long as the other run takes; a day bounds a hung one.
    let lock = store.lock(options.wait.then(|| Duration::from_secs(24 * 3600)))?;
    if let Some(holder) = &lock.took_over {
        log.say(
            "note",
            &format!(
                "took over the lock of pid {} on {} (started {}), which no longer runs",
                holder.pid, holder.host, holder.started
            ),
        );
    }
    // The run log, read once under the lock.
    let runs = store.runs()?;
    for run_id in store.recover(&lock, &runs)? {
        log.say("note", &format!("run {run_id} was interrupted before it finished; nothing of it is in the store"));
    }
    request.history = store.current_of(&runs)?.rows;
    if !options.full {
        request.up_to_date = Store::up_to_date(&runs);
    }
    let run_id = workspace.new_run_id();
    request.run_id = Some(run_id.clone());
    let periods = request.periods.iter().map(|p| p.label()).collect();
    let record = RunRecord::start(&run_id, workspace.inputs_sha256(), &workspace.catalog().version, periods);
    store.write_record(&lock, &record)?;
    Ok(Open { store, lock, record })
}

/// Publishes the run's results, completes its record and returns the
/// store.
pub fn publish(
    open: Open,
    outcome: &RunOutcome,
    valid_tables: std::collections::BTreeMap<String, String>,
    log: super::Log,
) -> anyhow::Result<Store> {
    let Open { store, lock, mut record } = open;
    record.rules_total = outcome.rules_total;
    record.evaluated = outcome.evaluated.clone();
    record.valid_tables = valid_tables;
    record.failed = outcome.failures.iter().map(|f| (f.rule_id.clone(), f.error.to_string())).collect();
    let record = store.publish(&lock, &outcome.results, record)?;
    log.event(
        &format!(
            "stored run {} in {}: {} rows in {} files",
            record.run_id,
            store.dir().display(),
            record.rows,
            record.files.len()
        ),
        serde_json::json!({ "event": "stored", "run_id": record.run_id, "store": store.dir(), "rows": record.rows,
            "files": record.files.len() }),
    );
    Ok(store)
}

pub fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    if !args.store.join("runs").is_dir() {
        anyhow::bail!(
            "{}: not a results store (no runs/ folder); `kvalitet run --store` makes one",
            args.store.display()
        );
    }
    let store = Store::open(&args.store)?;
    let runs = store.runs()?;
    println!("{}: {} run(s)", args.store.display(), runs.len());
    for run in runs.iter().rev().take(args.last) {
        let seconds = run.finished.as_deref().and_then(|f| {
            let start = chrono::DateTime::parse_from_rfc3339(&run.started).ok()?;
            let end = chrono::DateTime::parse_from_rfc3339(f).ok()?;
            Some((end - start).num_milliseconds() as f64 / 1000.0)
        });
        let status = match run.status {
            RunStatus::Complete => "complete",
            RunStatus::Running => "running",
            RunStatus::Interrupted => "interrupted",
        };
        let periods = match (run.periods.first(), run.periods.last()) {
            (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
            (Some(a), _) => a.clone(),
            _ => "-".into(),
        };
        println!(
            "{}  {status:<11}  started {}  {}  periods {periods}  {} rules, {} failed, {} rows",
            run.run_id,
            run.started,
            seconds.map_or("-".into(), |s| format!("{s:.1} s")),
            run.rules_total,
            run.failed.len(),
            run.rows
        );
        for (rule, error) in &run.failed {
            println!("    failed {rule}: {error}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn store(args: StoreArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        StoreCommand::Verify { store } => {
            let problems = Store::open(&store)?.verify()?;
            for problem in &problems {
                eprintln!("damaged: {problem}");
            }
            println!("{}: {} problem(s)", store.display(), problems.len());
            Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

#[derive(clap::Args)]
pub struct HistoryArgs {
    /// The measure's id.
    measure: String,
    /// The results store.
    #[arg(long, default_value = "kvalitet-store")]
    store: PathBuf,
    /// Only this period (YYYY-MM, YYYY-Qn, YYYY).
    #[arg(long)]
    period: Option<String>,
    /// The unit level: kommune, plejeenhed or region.
    #[arg(long, default_value = "kommune")]
    level: String,
    /// Only this unit (kommune code, plejeenhed id, region code).
    #[arg(long)]
    unit: Option<String>,
    /// The stratum.
    #[arg(long, default_value = "alle")]
    stratum: String,
}

/// What changed in a rule's inputs between two runs: its rule file, tables,
/// the catalogue.
fn changed(before: Option<&RuleInputs>, now: Option<&RuleInputs>) -> String {
    let (Some(before), Some(now)) = (before, now) else { return "–".into() };
    let mut what = Vec::new();
    if before.rule_sha256 != now.rule_sha256 {
        what.push("the rule".to_string());
    }
    let tables: Vec<&str> =
        now.tables.iter().filter(|(t, h)| before.tables.get(*t) != Some(*h)).map(|(t, _)| t.as_str()).collect();
    if !tables.is_empty() {
        what.push(format!("table {}", tables.join(", ")));
    }
    if before.catalog_version != now.catalog_version {
        what.push("the catalogue".to_string());
    }
    if what.is_empty() { "nothing".into() } else { what.join("; ") }
}

/// `kvalitet history`: how a measure's values changed from run to run, and
/// which inputs changed.
pub fn history(args: HistoryArgs) -> anyhow::Result<ExitCode> {
    let level = crate::results::UnitLevel::parse(&args.level)
        .ok_or_else(|| anyhow::anyhow!("--level {:?}: use kommune, plejeenhed or region", args.level))?;
    let period = args.period.as_deref().map(|p| super::parse_period(p, "period")).transpose()?;
    let store = Store::open(&args.store)?;
    let history = store.history(&args.measure)?;
    if history.is_empty() {
        anyhow::bail!("{}: no results for {} in the store", args.store.display(), args.measure);
    }
    println!("{} · {} · {}", args.measure, args.level, args.stratum);
    println!(
        "period      unit          run                              value       numerator/denominator  changed since the run before"
    );
    // Per period and unit, the run before's inputs of this rule.
    let mut last: std::collections::HashMap<(String, String), Option<&RuleInputs>> = Default::default();
    for (run, rows) in &history {
        let inputs = run.evaluated.get(&args.measure);
        let mut shown: Vec<&crate::results::ResultRow> = rows
            .iter()
            .filter(|r| r.unit_level == level && r.stratum == args.stratum)
            .filter(|r| period.as_ref().is_none_or(|p| &r.period == p))
            .filter(|r| args.unit.as_ref().is_none_or(|u| &r.unit_code == u))
            .collect();
        shown.sort_by(|a, b| (a.period.start, &a.unit_code).cmp(&(b.period.start, &b.unit_code)));
        for row in shown {
            let key = (row.period.label(), row.unit_code.to_string());
            let since = match last.get(&key) {
                Some(before) => changed(*before, inputs),
                None => "(first run)".into(),
            };
            let value = if row.suppressed() {
                "suppressed".to_string()
            } else {
                row.value.map_or("-".into(), |v| format!("{v:.2}"))
            };
            let counts = if row.suppressed() {
                "-".to_string()
            } else {
                format!(
                    "{}/{}",
                    row.numerator.map_or("-".into(), |n| format!("{n}")),
                    row.denominator.map_or("-".into(), |d| format!("{d}"))
                )
            };
            println!("{:<11} {:<13} {:<32} {:<11} {:<22} {since}", key.0, row.unit_code, run.run_id, value, counts);
            last.insert(key, inputs);
        }
    }
    Ok(ExitCode::SUCCESS)
}
