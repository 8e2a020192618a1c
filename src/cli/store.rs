//! `kvalitet run --store DIR`, `kvalitet status` and `kvalitet store verify`:
//! runs added to a results store, and what an operator looks at.

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
pub fn begin(workspace: &Workspace, request: &mut Request, options: Options) -> anyhow::Result<Open> {
    let store = Store::open(options.dir)?;
    // "Wait" is for as long as the other run takes; a day bounds a hung one.
    let lock = store.lock(options.wait.then(|| Duration::from_secs(24 * 3600)))?;
    if let Some(holder) = &lock.took_over {
        eprintln!(
            "note: took over the lock of pid {} on {} (started {}), which no longer runs",
            holder.pid, holder.host, holder.started
        );
    }
    for run_id in store.recover(&lock)? {
        eprintln!("note: run {run_id} was interrupted before it finished; nothing of it is in the store");
    }
    request.history = store.current()?.rows;
    if !options.full {
        request.up_to_date = store.up_to_date()?;
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
pub fn publish(open: Open, outcome: &RunOutcome) -> anyhow::Result<Store> {
    let Open { store, lock, mut record } = open;
    record.rules_total = outcome.rules_total;
    record.evaluated = outcome.evaluated.clone();
    record.failed = outcome.failures.iter().map(|f| (f.rule_id.clone(), f.error.to_string())).collect();
    let record = store.publish(&lock, &outcome.results, record)?;
    println!(
        "stored run {} in {}: {} rows in {} files",
        record.run_id,
        store.dir().display(),
        record.rows,
        record.files.len()
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
