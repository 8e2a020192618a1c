//! `kvalitet synth` and `kvalitet demo`: the generated data validate
//! against the schema, the seed fixes every byte, the demo runs end to end,
//! and measures computed on generated data land in plausible ranges.

use crate::common::{kvalitet, output, repo, row, run_with};
use kvalitet::catalog::Kommuner;
use kvalitet::data::{DataSource, Schema};
use kvalitet::polars::prelude::*;
use kvalitet::synth::{self, OutputFormat, SynthOptions, TABLES};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Small options: `citizens` inhabitants of Tårnby and Odder, one year.
fn small(citizens: u64, seed: u64) -> SynthOptions {
    let all = Kommuner::standard();
    let kommuner = vec![all.find("Tårnby").unwrap().clone(), all.find("Odder").unwrap().clone()];
    SynthOptions { citizens: Some(citizens), years: 1, start_year: 2025, seed, ..SynthOptions::new(kommuner) }
}

fn generate(options: &SynthOptions, dir: &Path) -> synth::Summary {
    synth::generate(options, dir, &|_, _| {}).expect("generation succeeds")
}

/// SHA-256 of every file under `dir`, by path relative to it.
fn hashes(dir: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let digest = Sha256::digest(std::fs::read(&path).unwrap());
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                found.insert(name, format!("{digest:x}"));
            }
        }
    }
    found
}

fn open(dir: &Path) -> DataSource {
    let data = DataSource::open(dir, &Schema::standard()).expect("the directory opens");
    assert!(data.problems().is_empty(), "problems: {:#?}", data.problems());
    assert!(data.missing_standard_tables(&Schema::standard()).is_empty());
    data
}

fn height(data: &DataSource, table: &str) -> usize {
    data.get(table).unwrap().frame().collect().unwrap().height()
}

#[test]
fn every_standard_table_is_generated_and_validates() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(&small(6_000, 1), dir.path());
    let schema = Schema::standard();
    let mut listed: Vec<&str> = schema.tables.keys().map(String::as_str).collect();
    let mut generated = TABLES.to_vec();
    listed.sort_unstable();
    generated.sort_unstable();
    assert_eq!(generated, listed, "the generator writes exactly the tables of catalog/tables.toml");
    let data = open(dir.path());
    for table in &summary.tables {
        assert!(table.rows > 0, "{} is empty", table.name);
        assert_eq!(height(&data, table.name), table.rows, "{}", table.name);
    }
    assert!(dir.path().join("besoeg/part-00000.parquet").is_file());
    assert_eq!(summary.citizens, 6_000);

    // befolkning counts exactly the citizens alive on 1 January.
    let jan1 = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let day = kvalitet::engine::api::date_lit(jan1);
    let alive = data
        .get("borgere")
        .unwrap()
        .frame()
        .filter(col("foedselsdato").lt_eq(day.clone()).and(col("doedsdato").is_null().or(col("doedsdato").gt_eq(day))))
        .collect()
        .unwrap()
        .height();
    let counted = data
        .get("befolkning")
        .unwrap()
        .frame()
        .filter(col("aar").eq(lit(2025)))
        .select([col("antal").sum()])
        .collect()
        .unwrap();
    assert_eq!(counted.column("antal").unwrap().get(0).unwrap().try_extract::<i64>().unwrap(), alive as i64);

    consistent(&data);
}

#[test]
fn visits_are_stored_one_row_group_per_month() {
    let dir = tempfile::tempdir().unwrap();
    generate(&small(3_000, 2), dir.path());
    let part = dir.path().join("besoeg/part-00000.parquet");
    let mut reader = ParquetReader::new(std::fs::File::open(&part).unwrap());
    let groups: Vec<usize> = reader.get_metadata().unwrap().row_groups.iter().map(|g| g.num_rows()).collect();
    // The visits of each month, in file order: the row groups must be
    // exactly these runs, month after month.
    let months = LazyFrame::scan_parquet(PlRefPath::new(part.to_str().unwrap()), ScanArgsParquet::default())
        .unwrap()
        .select([(col("tidspunkt").dt().year() * lit(12) + col("tidspunkt").dt().month().cast(DataType::Int32))
            .alias("month")])
        .collect()
        .unwrap();
    let months: Vec<i32> = months.column("month").unwrap().i32().unwrap().into_no_null_iter().collect();
    let mut runs: Vec<usize> = Vec::new();
    for (i, month) in months.iter().enumerate() {
        match i.checked_sub(1).map(|p| months[p]) {
            Some(previous) if previous == *month => *runs.last_mut().unwrap() += 1,
            Some(previous) => {
                assert!(previous < *month, "months out of order at row {i}");
                runs.push(1);
            }
            None => runs.push(1),
        }
    }
    assert_eq!(runs.len(), 12, "a year of visits");
    assert_eq!(groups, runs, "one row group per calendar month");
}

/// Intervals end after they start, nothing happens to a citizen after
/// their death, and nothing after the extraction day (31 December 2025).
fn consistent(data: &DataSource) {
    let table = |name: &str| data.get(name).unwrap().frame();
    let day = |c: &str| col(c).cast(DataType::Date);
    let intervals = [
        ("tilknytning", "start", "slut"),
        ("tilstande", "start", "slut"),
        ("indsatser", "start", "slut"),
        ("indlaeggelser", "indlagt", "udskrevet"),
        ("medicin", "start", "slut"),
        ("medarbejdere", "ansat_fra", "ansat_til"),
        ("fravaer", "fra", "til"),
        ("genoptraening", "henvist", "opstart"),
        ("genoptraening", "opstart", "afsluttet"),
        ("triage", "tidspunkt", "handleplan_tidspunkt"),
    ];
    for (name, from, to) in intervals {
        let wrong = table(name).filter(col(to).lt(col(from))).collect().unwrap();
        assert_eq!(wrong.height(), 0, "{name}: {to} before {from}: {wrong}");
    }
    let end = kvalitet::engine::api::date_lit(chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
    let deaths = table("borgere").select([col("borger_id"), col("doedsdato")]);
    let events = [
        ("tilknytning", "slut"),
        ("tilknytning", "start"),
        ("tilstande", "start"),
        ("vurderinger", "vurderet"),
        ("indsatser", "slut"),
        ("indsatser", "start"),
        ("besoeg", "tidspunkt"),
        ("indlaeggelser", "udskrevet"),
        ("triage", "tidspunkt"),
        ("screeninger", "dato"),
        ("medicin", "start"),
        ("medicingennemgange", "dato"),
        ("uth", "dato"),
        ("genoptraening", "opstart"),
        ("svar", "dato"),
        ("borgere", "demens_diagnose_dato"),
    ];
    for (name, column) in events {
        let rows = if name == "borgere" {
            table(name)
        } else {
            table(name).join(deaths.clone(), [col("borger_id")], [col("borger_id")], JoinArgs::new(JoinType::Inner))
        };
        let wrong = rows
            .filter(
                day(column).gt(end.clone()).or(col("doedsdato").is_not_null().and(day(column).gt(col("doedsdato")))),
            )
            .collect()
            .unwrap();
        assert_eq!(wrong.height(), 0, "{name}.{column} after death or extraction: {wrong}");
    }
    let open_after_death = table("tilknytning")
        .join(deaths, [col("borger_id")], [col("borger_id")], JoinArgs::new(JoinType::Inner))
        .filter(col("doedsdato").is_not_null().and(col("slut").is_null()))
        .collect()
        .unwrap();
    assert_eq!(open_after_death.height(), 0, "attached after death: {open_after_death}");
}

#[test]
fn csv_and_ipc_output_validate_too() {
    for format in [OutputFormat::Csv, OutputFormat::Ipc] {
        let dir = tempfile::tempdir().unwrap();
        let summary = generate(&SynthOptions { format, ..small(1_500, 2) }, dir.path());
        let data = open(dir.path());
        assert_eq!(height(&data, "besoeg"), summary.tables.iter().find(|t| t.name == "besoeg").unwrap().rows);
    }
}

#[test]
fn the_seed_fixes_every_byte_whatever_the_threads() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    generate(&SynthOptions { threads: 1, ..small(3_000, 7) }, a.path());
    generate(&SynthOptions { threads: 3, ..small(3_000, 7) }, b.path());
    generate(&SynthOptions { threads: 2, ..small(3_000, 8) }, c.path());
    let (first, again, other) = (hashes(a.path()), hashes(b.path()), hashes(c.path()));
    assert_eq!(first.len(), TABLES.len() + 1, "two part files of besoeg: {:?}", first.keys());
    assert_eq!(first, again);
    let differing = first.iter().filter(|(name, hash)| other.get(*name) != Some(hash)).count();
    assert!(differing >= TABLES.len() - 1, "another seed changes the data ({differing} files differ)");
}

#[test]
fn synth_command_writes_and_reports_speed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let args = ["synth", "--kommune", "Læsø", "--years", "1", "--seed", "3", "--quiet", "--out", &out];
    let (code, stdout, stderr) = output(kvalitet().args(args));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("1 municipalities, 1750 citizens, 2025 to 2025"), "{stdout}");
    assert!(stdout.contains("rows/s"), "{stdout}");
    // A second run into the same directory replaces the tables, even in another format.
    let (code, _, stderr) = output(kvalitet().args(args).args(["--format", "csv"]));
    assert_eq!(code, 0, "{stderr}");
    open(dir.path());
    let (code, _, stderr) = output(kvalitet().args(["synth", "--kommune", "Atlantis", "--out", &out]));
    assert_eq!(code, 2);
    assert!(stderr.contains("no such municipality"), "{stderr}");
}

#[test]
fn demo_runs_end_to_end_from_any_directory() {
    // Run from an empty directory: the rules and the catalogue are the
    // binary's own.
    let dir = crate::common::demo_results();
    let stdout = std::fs::read_to_string(dir.join("stdout.txt")).unwrap();
    assert!(stdout.contains("0 rule(s) failed"), "{stdout}");
    assert!(stdout.contains("results.csv"), "{stdout}");
    assert!(dir.join("results.parquet").is_file() && dir.join("data/borgere.parquet").is_file());
    let csv = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    let rules: Vec<_> = std::fs::read_dir(repo("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
        .collect();
    for path in &rules {
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(csv.contains(&id), "no results for {id} (of {} rules)", rules.len());
    }
}

/// Measures on a generated municipality of 30,000 inhabitants in June 2025,
/// at kommune level, computed from numerator and denominator (so that
/// suppression does not hide them). The ranges are what Danish
/// municipalities report, widened for a single month of a small
/// municipality:
///
/// - reassessed within 6 months (`po.2a`, %): 40–95 — most recipients are
///   reassessed at least twice a year, and no municipality manages everyone;
/// - screen visits (`po.4c`, % of visits): 3–20 — a growing minority;
/// - preventable admissions 65+ (`po.2`, per 1000 a month): 2–10 — the
///   national report's 40–90 a year, and a month is noisy;
/// - antipsychotics among citizens with dementia (`de.2c`, %): 10–35 —
///   Danish registry studies find about a fifth;
/// - rehabilitation started within 7 days (`gt.1a`, %): 40–95;
/// - distinct employees per visited citizen (`po.5b`): 4–15 a month.
#[test]
fn measures_on_generated_data_are_plausible() {
    let dir = tempfile::tempdir().unwrap();
    let all = Kommuner::standard();
    let options = SynthOptions {
        citizens: Some(30_000),
        years: 1,
        start_year: 2025,
        seed: 1,
        ..SynthOptions::new(vec![all.find("Tårnby").unwrap().clone()])
    };
    generate(&options, dir.path());
    let outcome = run_with(dir.path(), &repo("rules"), &["2025-06"], HashMap::new());
    assert!(
        outcome.failures.is_empty(),
        "{:?}",
        outcome.failures.iter().map(|f| f.error.to_string()).collect::<Vec<_>>()
    );
    let raw = |measure: &str, stratum: &str, scale: f64| {
        let (numerator, denominator, value) = row(&outcome.results, measure, "kommune", "185", stratum);
        match (numerator, denominator) {
            (Some(x), Some(n)) if !measure.contains("pr-borger") => x / n * scale,
            _ => value.expect("a value"),
        }
    };
    let checks = [
        ("po.2a.revurderet-tilstand-6mdr", "alle", 100.0, 40.0, 95.0),
        ("po.4c.skaermbesoeg", "alle", 100.0, 3.0, 20.0),
        ("po.2.forebyggelige-indlaeggelser", "65+", 1000.0, 2.0, 10.0),
        ("de.2c.antipsykotika", "alle", 100.0, 10.0, 35.0),
        ("gt.1a.genoptraening-inden-7-dage", "alle", 100.0, 40.0, 95.0),
        ("po.5b.medarbejdere-pr-borger", "alle", 1.0, 4.0, 15.0),
    ];
    for (measure, stratum, scale, low, high) in checks {
        let value = raw(measure, stratum, scale);
        assert!((low..=high).contains(&value), "{measure} {stratum}: {value:.1} is outside {low}–{high}");
    }
}
