//! The results store of scheduled runs (`--store DIR`): every run's results
//! as a Parquet dataset partitioned by measure and period in hive-style
//! folders (`results/measure=po.2a…/period=2025-03/<run id>.parquet`,
//! readable by Polars, DuckDB or Spark as they are), a run log with one
//! record per run (`runs/<run id>.json`), and a lock so that two runs never
//! write at once.
//!
//! A run becomes visible all at once. Its files are first written under
//! hidden names (`.<run id>.parquet.tmp`, which dataset readers skip), then
//! its record is committed with one atomic rename, then the files are
//! renamed to their final names. The next run, holding the lock, finishes
//! the renames of a committed run and deletes the files of a run that never
//! committed (killed), whose record it marks as interrupted. Readers take,
//! per measure and period, the file of the newest complete run.

use crate::results::{self, ResultRow, Results, RuleInputs};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What can go wrong with a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// Another run holds the lock.
    #[error(
        "the store {} is in use by another run (pid {} on {}, started {}); wait for it with --wait, or remove {} if \
         that process is gone",
        store.display(), holder.pid, holder.host, holder.started, store.join(LOCK).display()
    )]
    Locked { store: PathBuf, holder: Holder },
    /// A file of the store cannot be read.
    #[error("{}: {message}; the store is damaged (run `kvalitet store verify`)", path.display())]
    Damaged { path: PathBuf, message: String },
}

type Result<T> = std::result::Result<T, StoreError>;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_path_buf(), source }
}

const LOCK: &str = "lock";
const RUNS: &str = "runs";
const RESULTS: &str = "results";

/// Who holds the lock.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    /// When the run started (RFC 3339).
    pub started: String,
}

impl Holder {
    fn me() -> Self {
        Self { pid: std::process::id(), host: host_name(), started: chrono::Utc::now().to_rfc3339() }
    }

    /// Whether the holder is a process on this machine that has ended.
    /// (Only Linux's `/proc` tells; elsewhere a lock is never taken over.)
    fn is_gone(&self) -> bool {
        self.host == host_name()
            && Path::new("/proc/self").exists()
            && !Path::new(&format!("/proc/{}", self.pid)).exists()
    }
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

/// The store's lock, held while the value lives.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    /// A stale lock of a dead process that was taken over.
    pub took_over: Option<Holder>,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Started and not committed (yet).
    Running,
    /// Committed: its results are the store's.
    Complete,
    /// Killed or failed before it committed; nothing of it is visible.
    Interrupted,
}

/// One run in the run log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    pub run_id: String,
    pub status: RunStatus,
    /// RFC 3339.
    pub started: String,
    pub finished: Option<String>,
    /// kvalitet's version.
    pub version: String,
    pub inputs_sha256: String,
    pub catalog_version: String,
    /// The periods evaluated (`2025-03` …).
    pub periods: Vec<String>,
    pub rules_total: usize,
    /// Rules that failed, with their errors.
    pub failed: Vec<(String, String)>,
    pub rows: usize,
    /// The result files of the run, relative to the store.
    pub files: Vec<String>,
    pub holder: Holder,
    /// What each rule evaluated in the run was evaluated from.
    #[serde(default)]
    pub evaluated: BTreeMap<String, RuleInputs>,
    /// The input tables that were valid in the run, with their hashes.
    #[serde(default)]
    pub valid_tables: BTreeMap<String, String>,
}

impl RunRecord {
    /// The record of a run that starts now.
    pub fn start(run_id: &str, inputs_sha256: &str, catalog_version: &str, periods: Vec<String>) -> Self {
        Self {
            run_id: run_id.to_string(),
            status: RunStatus::Running,
            started: chrono::Utc::now().to_rfc3339(),
            finished: None,
            version: env!("CARGO_PKG_VERSION").to_string(),
            inputs_sha256: inputs_sha256.to_string(),
            catalog_version: catalog_version.to_string(),
            periods,
            rules_total: 0,
            failed: Vec::new(),
            rows: 0,
            files: Vec::new(),
            holder: Holder::me(),
            evaluated: BTreeMap::new(),
            valid_tables: BTreeMap::new(),
        }
    }
}

/// A results store on disk.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// Opens the store in `dir`, creating it if it does not exist.
    pub fn open(dir: &Path) -> Result<Self> {
        for sub in [RUNS, RESULTS] {
            let path = dir.join(sub);
            std::fs::create_dir_all(&path).map_err(io(&path))?;
        }
        Ok(Self { dir: dir.to_path_buf() })
    }

    /// The store's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Takes the lock: at once (or [`StoreError::Locked`]), or waiting up to
    /// `wait` for the holder to finish. A lock left by a process on this
    /// machine that no longer runs is taken over.
    pub fn lock(&self, wait: Option<Duration>) -> Result<Lock> {
        let path = self.dir.join(LOCK);
        let deadline = wait.map(|w| std::time::Instant::now() + w);
        let mut took_over = None;
        loop {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let holder = serde_json::to_vec(&Holder::me()).expect("a holder serializes");
                    file.write_all(&holder).and_then(|()| file.sync_all()).map_err(io(&path))?;
                    return Ok(Lock { path, took_over });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder =
                        std::fs::read(&path).ok().and_then(|bytes| serde_json::from_slice::<Holder>(&bytes).ok());
                    match holder {
                        Some(holder) if holder.is_gone() => {
                            std::fs::remove_file(&path).map_err(io(&path))?;
                            took_over = Some(holder);
                            continue;
                        }
                        Some(holder) => {
                            if deadline.is_some_and(|d| std::time::Instant::now() < d) {
                                std::thread::sleep(Duration::from_millis(200));
                                continue;
                            }
                            return Err(StoreError::Locked { store: self.dir.clone(), holder });
                        }
                        // Being written by its holder this very moment.
                        None => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
                Err(e) => return Err(io(&path)(e)),
            }
        }
    }

    /// Every run in the log, oldest first.
    pub fn runs(&self) -> Result<Vec<RunRecord>> {
        let dir = self.dir.join(RUNS);
        let mut runs = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let path = entry.map_err(io(&dir))?.path();
            if path.extension().is_some_and(|e| e == "json") {
                let bytes = std::fs::read(&path).map_err(io(&path))?;
                let record: RunRecord = serde_json::from_slice(&bytes)
                    .map_err(|e| StoreError::Damaged { path: path.clone(), message: e.to_string() })?;
                runs.push(record);
            }
        }
        runs.sort_by(|a, b| a.started.cmp(&b.started).then(a.run_id.cmp(&b.run_id)));
        Ok(runs)
    }

    fn record_path(&self, run_id: &str) -> PathBuf {
        self.dir.join(RUNS).join(format!("{run_id}.json"))
    }

    /// Writes a run's record with one atomic rename.
    pub fn write_record(&self, _lock: &Lock, record: &RunRecord) -> Result<()> {
        let path = self.record_path(&record.run_id);
        let bytes = serde_json::to_vec_pretty(record).expect("a record serializes");
        results::write_atomically(&path, |file| file.write_all(&bytes)).map_err(io(&path))
    }

    /// Brings the store to a consistent state after a run that was killed:
    /// finishes the renames of committed runs, deletes the files of runs that
    /// never committed and marks them interrupted. Returns the ids of the
    /// runs marked. `runs` is the run log as read under `lock`.
    pub fn recover(&self, lock: &Lock, runs: &[RunRecord]) -> Result<Vec<String>> {
        let complete: std::collections::HashSet<&str> =
            runs.iter().filter(|r| r.status == RunStatus::Complete).map(|r| r.run_id.as_str()).collect();
        for file in hidden_files(&self.dir.join(RESULTS))? {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let run_id = name.trim_start_matches('.').trim_end_matches(".parquet.tmp");
            if complete.contains(run_id) {
                let target = file.with_file_name(format!("{run_id}.parquet"));
                std::fs::rename(&file, &target).map_err(io(&file))?;
            } else {
                std::fs::remove_file(&file).map_err(io(&file))?;
            }
        }
        let mut marked = Vec::new();
        for record in runs.iter().filter(|r| r.status == RunStatus::Running) {
            let record = RunRecord { status: RunStatus::Interrupted, ..record.clone() };
            self.write_record(lock, &record)?;
            marked.push(record.run_id);
        }
        Ok(marked)
    }

    /// Publishes a run: writes its results partitioned by measure and period,
    /// commits its record (now complete, with the files listed) and gives
    /// the files their final names.
    pub fn publish(&self, lock: &Lock, results: &Results, mut record: RunRecord) -> Result<RunRecord> {
        let mut partitions: std::collections::BTreeMap<(&str, String), Vec<ResultRow>> = Default::default();
        for row in &results.rows {
            partitions.entry((row.measure_id.as_str(), row.period.label())).or_default().push(row.clone());
        }
        let mut hidden = Vec::new();
        for ((measure, period), rows) in partitions {
            let folder = self.dir.join(RESULTS).join(format!("measure={measure}")).join(format!("period={period}"));
            std::fs::create_dir_all(&folder).map_err(io(&folder))?;
            let path = folder.join(format!(".{}.parquet.tmp", record.run_id));
            let mut frame = results::to_frame(&rows, true);
            let file = std::fs::File::create(&path).map_err(io(&path))?;
            polars::prelude::ParquetWriter::new(file)
                .finish(&mut frame)
                .map_err(|e| StoreError::Io { path: path.clone(), source: std::io::Error::other(e) })?;
            hidden.push(path);
        }
        record.status = RunStatus::Complete;
        record.finished = Some(chrono::Utc::now().to_rfc3339());
        record.rows = results.rows.len();
        record.files = hidden
            .iter()
            .map(|p| {
                let name = format!("{}.parquet", record.run_id);
                let relative = p.strip_prefix(&self.dir).unwrap_or(p).with_file_name(name);
                relative.display().to_string()
            })
            .collect();
        self.write_record(lock, &record)?;
        for path in hidden {
            let target = path.with_file_name(format!("{}.parquet", record.run_id));
            std::fs::rename(&path, &target).map_err(io(&path))?;
        }
        Ok(record)
    }

    /// The store's results: per measure and period, those of the newest
    /// complete run that evaluated it.
    pub fn current(&self) -> Result<Results> {
        self.current_of(&self.runs()?)
    }

    /// As [`Store::current`], with the run log already read.
    pub fn current_of(&self, runs: &[RunRecord]) -> Result<Results> {
        let order: std::collections::HashMap<&str, usize> = runs
            .iter()
            .enumerate()
            .filter(|(_, r)| r.status == RunStatus::Complete)
            .map(|(i, r)| (r.run_id.as_str(), i))
            .collect();
        let mut rows = Vec::new();
        for partition in partitions(&self.dir.join(RESULTS))? {
            let mut newest: Option<(usize, PathBuf)> = None;
            for entry in std::fs::read_dir(&partition).map_err(io(&partition))? {
                let path = entry.map_err(io(&partition))?.path();
                let Some(run_id) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".parquet"))
                else {
                    continue;
                };
                if let Some(&i) = order.get(run_id)
                    && newest.as_ref().is_none_or(|(j, _)| i > *j)
                {
                    newest = Some((i, path));
                }
            }
            if let Some((_, path)) = newest {
                rows.extend(read_rows(&path)?);
            }
        }
        Ok(Results::new(rows))
    }

    /// The tables the newest complete run found valid, with their hashes:
    /// the same files need not be checked again.
    pub fn valid_tables(&self) -> Result<BTreeMap<String, String>> {
        let runs = self.runs()?;
        Ok(runs.into_iter().rev().find(|r| r.status == RunStatus::Complete).map(|r| r.valid_tables).unwrap_or_default())
    }

    /// Per rule, what its current rows of each period were evaluated from:
    /// the newest complete run that evaluated the rule for that period.
    pub fn up_to_date(runs: &[RunRecord]) -> BTreeMap<String, Vec<RuleInputs>> {
        let mut newest: BTreeMap<(String, String), RuleInputs> = BTreeMap::new();
        for run in runs.iter().filter(|r| r.status == RunStatus::Complete) {
            for (rule, inputs) in &run.evaluated {
                for period in &inputs.periods {
                    newest.insert((rule.clone(), period.clone()), RuleInputs { periods: Vec::new(), ..inputs.clone() });
                }
            }
        }
        let mut out: BTreeMap<String, Vec<RuleInputs>> = BTreeMap::new();
        for ((rule, period), inputs) in newest {
            let list = out.entry(rule).or_default();
            match list.iter_mut().find(|i| RuleInputs { periods: Vec::new(), ..(*i).clone() } == inputs) {
                Some(same) => same.periods.push(period),
                None => list.push(RuleInputs { periods: vec![period], ..inputs }),
            }
        }
        out
    }

    /// Every complete run's rows of `measure`, oldest run first: how its
    /// values changed from run to run.
    pub fn history(&self, measure: &str) -> Result<Vec<(RunRecord, Vec<ResultRow>)>> {
        let folder = self.dir.join(RESULTS).join(format!("measure={measure}"));
        let mut out = Vec::new();
        for run in self.runs()?.into_iter().filter(|r| r.status == RunStatus::Complete) {
            let mut rows = Vec::new();
            for period in std::fs::read_dir(&folder).into_iter().flatten() {
                let file = period.map_err(io(&folder))?.path().join(format!("{}.parquet", run.run_id));
                if file.exists() {
                    rows.extend(read_rows(&file)?);
                }
            }
            if !rows.is_empty() {
                out.push((run, rows));
            }
        }
        Ok(out)
    }

    /// Reads every result file of every complete run and returns the
    /// problems found (a file that cannot be read, a listed file missing).
    pub fn verify(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        for run in self.runs()?.iter().filter(|r| r.status == RunStatus::Complete) {
            for file in &run.files {
                let path = self.dir.join(file);
                if !path.exists() {
                    problems.push(format!("{}: missing (listed by run {})", path.display(), run.run_id));
                } else if let Err(e) = read_rows(&path) {
                    problems.push(e.to_string());
                }
            }
        }
        Ok(problems)
    }
}

/// The rows of one result file.
fn read_rows(path: &Path) -> Result<Vec<ResultRow>> {
    let damaged = |message: String| StoreError::Damaged { path: path.to_path_buf(), message };
    let file = std::fs::File::open(path).map_err(io(path))?;
    use polars::prelude::SerReader;
    let frame = polars::prelude::ParquetReader::new(file).finish().map_err(|e| damaged(e.to_string()))?;
    results::from_frame(&frame).map_err(damaged)
}

/// The `measure=…/period=…` folders.
fn partitions(results: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for measure in std::fs::read_dir(results).map_err(io(results))? {
        let measure = measure.map_err(io(results))?.path();
        if !measure.is_dir() {
            continue;
        }
        for period in std::fs::read_dir(&measure).map_err(io(&measure))? {
            let period = period.map_err(io(&measure))?.path();
            if period.is_dir() {
                out.push(period);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Files of runs not yet published (`.<run id>.parquet.tmp`).
fn hidden_files(results: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for partition in partitions(results)? {
        for entry in std::fs::read_dir(&partition).map_err(io(&partition))? {
            let path = entry.map_err(io(&partition))?.path();
            if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.') && n.ends_with(".tmp")) {
                out.push(path);
            }
        }
    }
    Ok(out)
}
