//! The results store of scheduled runs: history across runs, the run log,
//! the lock, and a store left behind by a killed run.

use crate::common::{copy_tree, fixture_copy, kvalitet, output, repo, walk, workspace};
use kvalitet::engine::Period;
use kvalitet::results::UnitLevel;
use kvalitet::results::statistics::{MeasureSettings, Settings};
use kvalitet::stats::suppression::Thresholds;
use kvalitet::store::{RunRecord, RunStatus, Store};
use kvalitet::workspace::Request;
use std::path::Path;

const SKAERM: &str = "po.4c.skaermbesoeg";

/// `kvalitet run` of the fixture for `period` into `store`.
fn run_into(store: &Path, period: &str) -> (i32, String, String) {
    output(
        kvalitet()
            .args(["run", "--quiet", "--data", "tests/fixtures/small", "--from", period, "--to", period, "--store"])
            .arg(store),
    )
}

/// A request for `periods` with every number shown (thresholds 0).
fn open_request(periods: &[&str]) -> Request {
    let catalog = kvalitet::catalog::Catalog::standard();
    let open = MeasureSettings {
        thresholds: Thresholds { min_denominator: 0, min_numerator: 0 },
        ..MeasureSettings::defaults(&catalog)
    };
    let mut request =
        Request::new(periods.iter().map(|p| Period::parse(p).unwrap()).collect(), vec![UnitLevel::Kommune]);
    request.settings = Some(Settings::new(Default::default(), open));
    request
}

#[test]
fn a_run_of_one_month_sees_the_history_of_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let workspace = workspace(&repo("tests/fixtures/small"), &repo("rules"));
    let lock = store.lock(None).unwrap();
    // February alone, stored: po.4c 0/1 (I01 by V10).
    let february = workspace.run(&open_request(&["2024-02"]), |_| {}).unwrap();
    let record = RunRecord::start("r1", workspace.inputs_sha256(), "test", vec!["2024-02".into()]);
    store.publish(&lock, &february.results, record).unwrap();
    // March alone, with the store's history: the SPC series is [0, 60], as
    // when both months are run at once (statistics.rs), so its median is 30.
    let mut march = open_request(&["2024-03"]);
    march.history = store.current().unwrap().rows;
    let march = workspace.run(&march, |_| {}).unwrap();
    let both = workspace.run(&open_request(&["2024-02", "2024-03"]), |_| {}).unwrap();
    let spc_median = |results: &kvalitet::results::Results| {
        let row = results
            .rows
            .iter()
            .find(|r| r.measure_id == SKAERM && r.period.label() == "2024-03" && r.stratum == "alle")
            .unwrap();
        row.statistics.as_ref().unwrap().spc.median
    };
    assert_eq!(spc_median(&march.results), Some(30.0));
    assert_eq!(spc_median(&march.results), spc_median(&both.results));
}

#[test]
fn runs_are_logged_and_the_newest_run_of_a_period_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    assert_eq!(run_into(&store, "2024-02").0, 0);
    let (code, stdout, stderr) = run_into(&store, "2024-03");
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("stored run "), "{stdout}");
    // March again, all of it (--full; without it nothing would be evaluated
    // again): the store keeps both runs' files, and the newest is current.
    let (code, _, stderr) = output(
        kvalitet()
            .args([
                "run",
                "--quiet",
                "--full",
                "--data",
                "tests/fixtures/small",
                "--from",
                "2024-03",
                "--to",
                "2024-03",
            ])
            .arg("--store")
            .arg(&store),
    );
    assert_eq!(code, 0, "{stderr}");
    let runs = Store::open(&store).unwrap().runs().unwrap();
    assert_eq!(runs.len(), 3);
    assert!(runs.iter().all(|r| r.status == RunStatus::Complete && r.failed.is_empty()));
    let march = store.join(format!("results/measure={SKAERM}/period=2024-03"));
    assert_eq!(std::fs::read_dir(&march).unwrap().count(), 2, "a file per run, hive-style");
    let current = Store::open(&store).unwrap().current().unwrap();
    let of_march: Vec<_> =
        current.rows.iter().filter(|r| r.measure_id == SKAERM && r.period.label() == "2024-03").collect();
    assert!(!of_march.is_empty() && of_march.iter().all(|r| r.provenance.run_id == runs[2].run_id));
    // What the operator reads.
    let (code, stdout, _) = output(kvalitet().args(["status", "--store"]).arg(&store));
    assert_eq!(code, 0);
    assert!(stdout.contains("3 run(s)") && stdout.matches("complete").count() == 3, "{stdout}");
    let (code, stdout, _) = output(kvalitet().args(["store", "verify", "--store"]).arg(&store));
    assert_eq!((code, stdout.trim_end().ends_with("0 problem(s)")), (0, true), "{stdout}");
}

#[test]
fn a_second_run_is_refused_while_one_holds_the_store_and_a_stale_lock_is_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store")).unwrap();
    // Held by a live process (this test): exit code 3, naming the holder.
    let lock = store.lock(None).unwrap();
    let (code, _, stderr) = run_into(store.dir(), "2024-03");
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains(&format!("is in use by another run (pid {} on ", std::process::id())), "{stderr}");
    drop(lock);
    // Left by a process that has ended: taken over, with a note.
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_string();
    let stale = format!("{{\"pid\":{pid},\"host\":\"{host}\",\"started\":\"2025-01-01T02:00:00+00:00\"}}");
    std::fs::write(store.dir().join("lock"), stale).unwrap();
    let (code, _, stderr) = run_into(store.dir(), "2024-03");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(&format!("took over the lock of pid {pid} on {host}")), "{stderr}");
    assert!(!store.dir().join("lock").exists(), "released at the end");
}

#[test]
fn a_run_killed_before_it_committed_leaves_nothing_and_is_marked() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("store");
    assert_eq!(run_into(&store_dir, "2024-03").0, 0);
    let store = Store::open(&store_dir).unwrap();
    let before = store.current().unwrap().rows.len();
    // What a kill during publishing leaves: a started record, hidden files.
    let lock = store.lock(None).unwrap();
    let killed = RunRecord::start("killed-run", "x", "test", vec!["2024-03".into()]);
    store.write_record(&lock, &killed).unwrap();
    drop(lock);
    let partition = store_dir.join(format!("results/measure={SKAERM}/period=2024-03"));
    std::fs::write(partition.join(".killed-run.parquet.tmp"), b"half a file").unwrap();
    assert_eq!(store.current().unwrap().rows.len(), before, "the killed run is not visible");
    let (code, _, stderr) = run_into(&store_dir, "2024-02");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("run killed-run was interrupted before it finished"), "{stderr}");
    assert!(!partition.join(".killed-run.parquet.tmp").exists());
    let runs = store.runs().unwrap();
    assert_eq!(runs.iter().find(|r| r.run_id == "killed-run").unwrap().status, RunStatus::Interrupted);
}

#[test]
fn a_damaged_file_is_named_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("store");
    assert_eq!(run_into(&store_dir, "2024-03").0, 0);
    let partition = store_dir.join(format!("results/measure={SKAERM}/period=2024-03"));
    let file = std::fs::read_dir(&partition).unwrap().next().unwrap().unwrap().path();
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let (code, _, stderr) = output(kvalitet().args(["store", "verify", "--store"]).arg(&store_dir));
    assert_eq!(code, 1);
    assert!(stderr.contains(&file.display().to_string()) && stderr.contains("the store is damaged"), "{stderr}");
}

/// The store after a kill: every record reads, every complete run's files
/// read, no file of another run is visible, and the current results read.
fn assert_consistent(store: &Store) {
    let runs = store.runs().expect("every record reads");
    assert_eq!(store.verify().unwrap(), Vec::<String>::new());
    let complete: Vec<&str> =
        runs.iter().filter(|r| r.status == RunStatus::Complete).map(|r| r.run_id.as_str()).collect();
    for partition in std::fs::read_dir(store.dir().join("results")).unwrap() {
        for period in std::fs::read_dir(partition.unwrap().path()).unwrap() {
            for file in std::fs::read_dir(period.unwrap().path()).unwrap() {
                let name = file.unwrap().file_name().into_string().unwrap();
                if let Some(run_id) = name.strip_suffix(".parquet") {
                    assert!(complete.contains(&run_id), "{name} is visible but its run did not complete");
                }
            }
        }
    }
    store.current().expect("the current results read");
}

#[test]
fn a_run_killed_at_any_point_leaves_the_store_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("store");
    let spawn = || {
        kvalitet()
            .args(["run", "--quiet", "--data", "tests/fixtures/small", "--from", "2024-03", "--to", "2024-03"])
            .arg("--store")
            .arg(&store_dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    // One whole run first, timed: the kills are spread over that time.
    let started = std::time::Instant::now();
    assert!(spawn().wait().unwrap().success());
    let whole = started.elapsed();
    let store = Store::open(&store_dir).unwrap();
    let hidden = |store: &Store| {
        walk(&store.dir().join("results")).iter().any(|p| p.to_string_lossy().ends_with(".parquet.tmp"))
    };
    for k in 0..24 {
        let mut child = spawn();
        if k < 18 {
            // Spread over the run's life, from its first millisecond.
            std::thread::sleep(whole.mul_f64(k as f64 / 17.0));
        } else {
            // During the write: as soon as the run's hidden files appear.
            let until = std::time::Instant::now() + whole * 3;
            while !hidden(&store) && std::time::Instant::now() < until {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
        let _ = child.kill();
        child.wait().unwrap();
        assert_consistent(&store);
    }
    // The next run recovers and completes.
    assert!(spawn().wait().unwrap().success());
    assert_consistent(&store);
    assert!(!hidden(&store), "nothing of a killed run is left");
    let runs = store.runs().unwrap();
    assert!(runs.iter().all(|r| r.status != RunStatus::Running), "every killed run is marked");
    assert_eq!(runs.last().unwrap().status, RunStatus::Complete);
}

/// `kvalitet run` for March 2024 of `data` with `rules` into `store`; the
/// ids of the rules the run evaluated.
fn evaluated_by(store: &Path, data: &Path, rules: &Path) -> Vec<String> {
    let (code, _, stderr) = output(
        kvalitet()
            .args(["run", "--quiet", "--from", "2024-03", "--to", "2024-03", "--data"])
            .arg(data)
            .arg("--rules")
            .arg(rules)
            .arg("--store")
            .arg(store),
    );
    assert_eq!(code, 0, "{stderr}");
    let runs = Store::open(store).unwrap().runs().unwrap();
    runs.last().unwrap().evaluated.keys().cloned().collect()
}

#[test]
fn a_run_evaluates_only_what_changed_since_the_last() {
    let (dir, fixture) = (tempfile::tempdir().unwrap(), fixture_copy());
    let (store, data, rules) = (dir.path().join("store"), fixture.path().to_path_buf(), dir.path().join("rules"));
    copy_tree(&repo("rules"), &rules);
    let all = evaluated_by(&store, &data, &rules);
    assert!(all.len() > 30, "{all:?}");
    // Nothing changed: nothing evaluated, and the store's results stay.
    assert_eq!(evaluated_by(&store, &data, &rules), Vec::<String>::new());
    let current = Store::open(&store).unwrap().current().unwrap();
    assert!(current.rows.iter().any(|r| r.measure_id == SKAERM));
    // One rule edited (a comment is an edit): that rule only.
    let path = rules.join("sp.3b.uth-pr-maaned.rhai");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}// redigeret\n")).unwrap();
    assert_eq!(evaluated_by(&store, &data, &rules), ["sp.3b.uth-pr-maaned"]);
    // One table replaced (a row added to uth): exactly the rules that read it.
    let uth = data.join("uth.csv");
    let mut text = std::fs::read_to_string(&uth).unwrap();
    text.push_str("U99;15-03-2024;PE1;B01;fald;mild;nej\n");
    std::fs::write(&uth, text).unwrap();
    let reading_uth: Vec<String> = all
        .iter()
        .filter(|id| std::fs::read_to_string(rules.join(format!("{id}.rhai"))).unwrap().contains("table(\"uth\")"))
        .cloned()
        .collect();
    assert!(reading_uth.len() >= 3, "{reading_uth:?}");
    assert_eq!(evaluated_by(&store, &data, &rules), reading_uth);
}

#[test]
fn history_shows_a_value_that_changed_because_a_table_changed() {
    let (dir, fixture) = (tempfile::tempdir().unwrap(), fixture_copy());
    let (store, data) = (dir.path().join("store"), fixture.path().to_path_buf());
    let run = || {
        let (code, _, stderr) = output(
            kvalitet()
                .args(["run", "--quiet", "--from", "2024-03", "--to", "2024-03", "--data"])
                .arg(&data)
                .arg("--store")
                .arg(&store),
        );
        assert_eq!(code, 0, "{stderr}");
    };
    run();
    // A late registration: one more adverse event in March (5 → 6).
    let uth = data.join("uth.csv");
    let text = std::fs::read_to_string(&uth).unwrap() + "U99;15-03-2024;PE1;B01;fald;mild;nej\n";
    std::fs::write(&uth, text).unwrap();
    run();
    let (code, stdout, stderr) = output(
        kvalitet()
            .args(["history", "sp.3b.uth-pr-maaned", "--period", "2024-03", "--unit", "461", "--store"])
            .arg(&store),
    );
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("2024-03")).collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].contains("5.00") && lines[0].ends_with("(first run)"), "{stdout}");
    assert!(lines[1].contains("6.00") && lines[1].ends_with("table uth"), "{stdout}");

    // Another late event (PE1, fald), and a report: the moved values are
    // marked with what they were: kommune 6 → 7 and fald 3 → 4, PE1 3 → 4
    // and fald 2 → 3; medicinering, tryksår and PE2 are unchanged.
    let text = std::fs::read_to_string(&uth).unwrap() + "U98;16-03-2024;PE1;B02;fald;mild;nej\n";
    std::fs::write(&uth, text).unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = output(
        kvalitet()
            .args(["run", "--quiet", "--report", "--from", "2024-03", "--to", "2024-03", "--data"])
            .arg(&data)
            .arg("--store")
            .arg(&store)
            .arg("--out")
            .arg(&out),
    );
    assert_eq!(code, 0, "{stderr}");
    let page = std::fs::read_to_string(out.join("report/maal-sp.3b.uth-pr-maaned.html")).unwrap();
    assert_eq!(page.matches("ændret siden sidste kørsel").count(), 4);
    for was in [6, 3, 3, 2] {
        assert!(page.contains(&format!("<small class=\"moved\">ændret siden sidste kørsel (før {was})</small>")));
    }
}

#[test]
fn a_run_logs_json_lines_for_collectors() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = output(
        kvalitet()
            .args(["run", "--log-format", "json", "--data", "tests/fixtures/small", "--from", "2024-03", "--to"])
            .args(["2024-03", "--store"])
            .arg(dir.path().join("store")),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "everything is on stdout, as JSON");
    let events: Vec<serde_json::Value> =
        stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}"))).collect();
    let kinds: Vec<&str> = events.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"not_computable"), "{kinds:?}");
    // One event per evaluated rule with its cost; the peak memory is known
    // on Linux, and a process that ran rules has used some.
    let rules: Vec<&serde_json::Value> = events.iter().filter(|e| e["event"] == "rule").collect();
    assert!(rules.len() > 100, "{} rule events", rules.len());
    for rule in &rules {
        assert!(rule["seconds"].as_f64().unwrap() >= 0.0, "{rule}");
        assert!(rule["peak_memory_bytes"].as_u64().unwrap() > 1 << 20, "{rule}");
    }
    let run = events.iter().find(|e| e["event"] == "run").unwrap();
    assert_eq!(run["periods"], serde_json::json!(["2024-03"]));
    assert_eq!(run["failed"], 0);
    assert_eq!(events.last().unwrap()["event"], "stored");
}

#[test]
fn two_runs_started_together_with_wait_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let spawn = |period: &str| {
        kvalitet()
            .args(["run", "--quiet", "--wait", "--data", "tests/fixtures/small", "--from", period, "--to", period])
            .arg("--store")
            .arg(&store)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn("2024-02"), spawn("2024-03"));
    for child in [first, second] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let runs = Store::open(&store).unwrap().runs().unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r.status == RunStatus::Complete));
    // One after the other: the second started (took the lock) after the
    // first finished.
    let time = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap();
    assert!(time(runs[0].finished.as_ref().unwrap()) <= time(&runs[1].started), "{runs:?}");
}

#[test]
fn tables_that_validated_before_are_not_checked_again_until_they_change() {
    let (dir, fixture) = (tempfile::tempdir().unwrap(), fixture_copy());
    let (store, data) = (dir.path().join("store"), fixture.path().to_path_buf());
    let tables = std::fs::read_dir(&data).unwrap().count();
    let run = |period: &str| {
        output(
            kvalitet()
                .args(["run", "--quiet", "--from", period, "--to", period, "--data"])
                .arg(&data)
                .arg("--store")
                .arg(&store),
        )
    };
    let (code, _, stderr) = run("2024-03");
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("not checked again"), "{stderr}");
    let (code, _, stderr) = run("2024-02");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(&format!("note: {tables} table(s) unchanged since the store's last run")), "{stderr}");
    a_changed_file_is_checked_again(&data, tables, || run("2024-03"));
}

/// Breaks a date in `uth.csv` of `data` (which has `tables` tables) and
/// runs again: that file is checked again and its error found, the other
/// tables are not checked.
fn a_changed_file_is_checked_again(data: &Path, tables: usize, run: impl Fn() -> (i32, String, String)) {
    let uth = data.join("uth.csv");
    let text = std::fs::read_to_string(&uth).unwrap() + "U99;31-02-2024;PE1;B01;fald;mild;nej\n";
    std::fs::write(&uth, text).unwrap();
    let (code, _, stderr) = run();
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(&format!("note: {} table(s) unchanged", tables - 1)), "{stderr}");
    assert!(stderr.contains("uth.csv, line 8, column dato: \"31-02-2024\" is not a date"), "{stderr}");
}

#[test]
fn without_a_store_tables_that_validated_before_are_remembered_in_the_cache_directory() {
    let (cache, fixture) = (tempfile::tempdir().unwrap(), fixture_copy());
    let data = fixture.path().to_path_buf();
    let tables = std::fs::read_dir(&data).unwrap().count();
    let out = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        output(
            kvalitet()
                .env("KVALITET_CACHE_DIR", cache.path())
                .args(["run", "--quiet", "--from", "2024-03", "--to", "2024-03", "--data"])
                .arg(&data)
                .arg("--out")
                .arg(out.path())
                .args(extra),
        )
    };
    let (code, _, stderr) = run(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("not checked again"), "{stderr}");
    let (code, _, stderr) = run(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "note: {tables} table(s) unchanged since an earlier run or check found them valid; not checked again \
             (--revalidate checks them)"
        )),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["--revalidate"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("not checked again"), "{stderr}");
    a_changed_file_is_checked_again(&data, tables, || run(&[]));
}
