//! Shared helpers: paths, running the binary, opening a workspace on a
//! fixture, reading result rows.

use kvalitet::engine::{Period, RulesSource};
use kvalitet::polars::prelude::*;
use kvalitet::results::statistics::{MeasureSettings, Settings};
use kvalitet::results::{StatisticsOptions, UnitLevel};
use kvalitet::workspace::{Request, RuleFailure, Sources, Workspace};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A path inside the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The `kvalitet` binary, run from the repository root, remembering no
/// validated tables between runs (a cache directory that cannot exist):
/// each test sees every table checked, whatever ran before it.
pub fn kvalitet() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kvalitet"));
    command.current_dir(repo("")).env("KVALITET_CACHE_DIR", "/dev/null/kvalitet");
    command
}

/// Runs the binary and returns (exit code, stdout, stderr).
pub fn output(command: &mut Command) -> (i32, String, String) {
    let out = command.output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs a command and snapshots what a user sees — success, exit code,
/// stdout and stderr — with temporary paths, the repository's path, run
/// ids and timings filtered, in the style of uv's `uv_snapshot!`. The
/// snapshot is `tests/it/snapshots/<name>.snap`.
#[track_caller]
pub fn snapshot_command(name: &str, command: &mut Command) {
    let (code, stdout, stderr) = output(command);
    let text = format!(
        "success: {}\nexit_code: {code}\n----- stdout -----\n{stdout}\n----- stderr -----\n{stderr}",
        code == 0
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(&regex_escape(&repo("").display().to_string()), "[REPO]/");
    settings.add_filter(r"/tmp/\.tmp[A-Za-z0-9]+", "[TEMP]");
    settings.add_filter(r"\d{8}T\d{6}Z-[0-9a-f]{8}", "[RUN_ID]");
    settings.add_filter(r"\d+\.\d+ s\b", "[TIME] s");
    settings.bind(|| insta::assert_snapshot!(name, text));
}

fn regex_escape(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '/' { c.to_string() } else { format!("\\{c}") }).collect()
}

/// The directory of one demo run, made once per test process: `kvalitet
/// demo --kommune Læsø --years 1` (every rule, every month of 2025, every
/// unit level), run from a directory without rules — the binary's own
/// rules are used. Holds `data/`, `results.parquet`, `results.csv`, and
/// the command's stdout in `stdout.txt`.
pub fn demo_results() -> &'static Path {
    static DEMO: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let (code, stdout, stderr) = output(
            kvalitet()
                .current_dir(elsewhere.path())
                .args(["demo", "--kommune", "Læsø", "--years", "1", "--out"])
                .arg(dir.path()),
        );
        assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
        std::fs::write(dir.path().join("stdout.txt"), stdout).unwrap();
        dir
    })
    .path()
}

/// A workspace on `data` with the rules in `rules` and the built-in
/// catalogue; the data must load without problems.
pub fn workspace(data: &Path, rules: &Path) -> Workspace {
    let sources =
        Sources { data: Some(data.to_path_buf()), catalog: None, rules: RulesSource::Dir(rules.to_path_buf()) };
    let workspace = Workspace::open(&sources).expect("the workspace opens");
    assert!(workspace.data_problems().is_empty(), "fixture problems: {:?}", workspace.data_problems());
    workspace
}

/// What a run of the fixture gave: the results as the long table.
pub struct Outcome {
    pub results: DataFrame,
    pub failures: Vec<RuleFailure>,
    pub notes: Vec<String>,
}

/// Runs every rule in `rules` over `data` for one period at all levels,
/// without statistics (the fixture's small numbers would all be
/// suppressed; `statistics.rs` tests those).
pub fn run_rules(data: &Path, rules: &Path, period: &str) -> Outcome {
    let statistics = StatisticsOptions { enabled: false, ..Default::default() };
    run_options(data, rules, &[period], None, statistics)
}

/// Runs every rule over `data` for the given periods with statistics
/// settings per measure (measures not listed get the catalogue's defaults).
pub fn run_with(data: &Path, rules: &Path, periods: &[&str], settings: HashMap<String, MeasureSettings>) -> Outcome {
    let default = MeasureSettings::defaults(&kvalitet::catalog::Catalog::standard());
    run_options(data, rules, periods, Some(Settings::new(settings, default)), StatisticsOptions::default())
}

fn run_options(
    data: &Path,
    rules: &Path,
    periods: &[&str],
    settings: Option<Settings>,
    statistics: StatisticsOptions,
) -> Outcome {
    let request = Request {
        periods: periods.iter().map(|p| Period::parse(p).expect("period")).collect(),
        levels: UnitLevel::ALL.to_vec(),
        statistics,
        settings,
        history: Vec::new(),
        run_id: None,
        up_to_date: Default::default(),
        execution: Default::default(),
        release_tables: false,
    };
    let outcome = workspace(data, rules).run(&request, |_| {}).expect("run");
    Outcome { results: outcome.results.to_frame(), failures: outcome.failures, notes: outcome.notes }
}

/// One column's value in the single row matching the keys.
pub fn cell(
    results: &DataFrame,
    measure: &str,
    period: &str,
    level: &str,
    unit: &str,
    stratum: &str,
    column: &str,
) -> AnyValue<'static> {
    let start = chrono::NaiveDate::parse_from_str(period, "%Y-%m-%d").expect("period start");
    let found = matching(
        results,
        measure,
        level,
        unit,
        stratum,
        col("period_start").eq(kvalitet::engine::api::date_lit(start)),
    );
    found.column(column).unwrap().get(0).unwrap().into_static()
}

/// The one row of `measure` at `level`/`unit`/`stratum` that also meets
/// `also`; panics when it is missing or not unique.
fn matching(results: &DataFrame, measure: &str, level: &str, unit: &str, stratum: &str, also: Expr) -> DataFrame {
    let found = results
        .clone()
        .lazy()
        .filter(
            col("measure_id")
                .eq(lit(measure))
                .and(col("unit_level").eq(lit(level)))
                .and(col("unit_code").eq(lit(unit)))
                .and(col("stratum").eq(lit(stratum)))
                .and(also),
        )
        .collect()
        .expect("filter");
    assert_eq!(found.height(), 1, "expected one row for {measure} {level} {unit} {stratum}, found {found}");
    found
}

/// The numerator, denominator and value of one result row; panics when the
/// row is missing or not unique.
pub fn row(
    results: &DataFrame,
    measure: &str,
    level: &str,
    unit: &str,
    stratum: &str,
) -> (Option<f64>, Option<f64>, Option<f64>) {
    let found = matching(results, measure, level, unit, stratum, lit(true));
    let get = |c: &str| found.column(c).unwrap().f64().unwrap().get(0);
    (get("numerator"), get("denominator"), get("value"))
}

/// Asserts numerator, denominator and value of a row (value to 1e-9).
#[track_caller]
pub fn assert_row(
    results: &DataFrame,
    measure: &str,
    level: &str,
    unit: &str,
    stratum: &str,
    expected: (Option<f64>, Option<f64>, f64),
) {
    let (numerator, denominator, value) = row(results, measure, level, unit, stratum);
    assert_eq!((numerator, denominator), (expected.0, expected.1), "{measure} {level} {unit} {stratum}");
    let value = value.expect("a value");
    assert!(
        (value - expected.2).abs() < 1e-9,
        "{measure} {level} {unit} {stratum}: value {value}, expected {}",
        expected.2
    );
}

/// Strata present for a measure at a unit.
pub fn strata(results: &DataFrame, measure: &str, level: &str, unit: &str) -> Vec<String> {
    let found = results
        .clone()
        .lazy()
        .filter(
            col("measure_id")
                .eq(lit(measure))
                .and(col("unit_level").eq(lit(level)))
                .and(col("unit_code").eq(lit(unit))),
        )
        .select([col("stratum")])
        .collect()
        .expect("filter");
    let column = found.column("stratum").unwrap().str().unwrap().clone();
    (0..column.len()).filter_map(|i| column.get(i).map(str::to_string)).collect()
}

/// A temporary directory holding a copy of the small fixture.
pub fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(repo("tests/fixtures/small")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

/// Every file under `dir`, in any depth.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Copies every file under `from` to the same place under `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for file in walk(from) {
        let target = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, target).unwrap();
    }
}
