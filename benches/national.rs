//! Scale: kvalitet against the same measures written by hand in Polars and
//! in DuckDB SQL, side by side on the same Parquet files, at three scales —
//! one municipality (Odder), a region (the 11 of Region Nordjylland) and
//! the whole country (98).
//!
//! ```sh
//! cargo bench --bench national                      # all three scales
//! cargo bench --bench national -- kommune region    # some of them
//! cargo bench --bench national -- land --four-rules  # without the run of every rule
//! ```
//!
//! Data are made with `kvalitet synth --years 1` (the year 2025) on first
//! use and kept in `$KVALITET_BENCH_DATA/<scale>` (default
//! `~/.cache/kvalitet-bench`); delete a scale's folder to make its data
//! again after the generator changed (data made before 26 November 2026
//! lack the monthly row groups of `besoeg`). DuckDB runs from a virtual
//! environment the bench makes in `$KVALITET_BENCH_DATA/venv` (the `duckdb`
//! pin of `scripts/requirements.txt`).
//!
//! Each program runs in its own process, one after the other, for the 12
//! months of 2025 at kommune and plejeenhed level; the bench takes its wall
//! time and peak resident memory (`wait4`):
//!
//! - `kvalitet check`, which validates every table once and remembers the
//!   valid ones (in a cache directory of the bench's own), so that the runs
//!   after it, like an analyst's second run on the same files, do not
//!   check them again;
//! - `kvalitet run`, every rule, statistics on;
//! - `kvalitet run` with the four rules that DuckDB and Polars also
//!   compute (`benches/duckdb_measures.py` says which, with their strata),
//!   as `run` chooses to execute them (the column "kvalitet, 4 rules" and
//!   its ratios); then once with each rule's plans executed together on
//!   Polars' in-memory engine and once plan by plan on its streaming
//!   engine, for the last column (`run` chooses plan by plan when a table
//!   is too large for memory, as national `besoeg` is);
//! - the four measures written directly in Polars (this file, `hand`);
//! - the four measures in DuckDB SQL.
//!
//! It then checks that kvalitet's, DuckDB's and the hand-written numerators
//! and denominators are equal for every row, and prints a table.

use kvalitet::polars::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const YEAR: i32 = 2025;
const FOUR_RULES: [&str; 4] =
    ["po.2a.revurderet-tilstand-6mdr", "po.4c.skaermbesoeg", "po.2.forebyggelige-indlaeggelser", "sp.3b.uth-pr-maaned"];
/// Region Nordjylland's municipalities.
const NORDJYLLAND: &str = "773,787,810,813,820,825,840,846,849,851,860";

struct Scale {
    name: &'static str,
    synth: &'static [&'static str],
}

const SCALES: [Scale; 3] = [
    Scale { name: "kommune", synth: &["--kommune", "Odder"] },
    Scale { name: "region", synth: &["--kommune", NORDJYLLAND] },
    Scale { name: "land", synth: &["--kommuner", "98"] },
];

/// Wall time and peak resident memory of one child process.
#[derive(Clone, Copy)]
struct Measured {
    seconds: f64,
    peak_mb: f64,
}

/// Runs `command` to its end; panics when it fails.
#[allow(clippy::zombie_processes)] // reaped by `wait4`, which also gives its peak memory
fn measure(label: &str, command: &mut Command) -> Measured {
    eprintln!("  {label} …");
    let started = Instant::now();
    let child = command.spawn().unwrap_or_else(|e| panic!("{label}: cannot start: {e}"));
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child and fills `usage`, a plain C struct.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let seconds = started.elapsed().as_secs_f64();
    assert!(pid > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{label} failed ({status})");
    // ru_maxrss is in kilobytes on Linux.
    Measured { seconds, peak_mb: usage.ru_maxrss as f64 / 1024.0 }
}

fn kvalitet() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kvalitet"))
}

fn bench_home() -> PathBuf {
    std::env::var_os("KVALITET_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/kvalitet-bench"))
}

/// The Python of a virtual environment with DuckDB, made on first use.
fn duckdb_python(home: &Path) -> PathBuf {
    let venv = home.join("venv");
    let python = venv.join("bin/python");
    let pin = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/requirements.txt"))
        .expect("scripts/requirements.txt")
        .lines()
        .find(|l| l.starts_with("duckdb=="))
        .expect("a duckdb pin in scripts/requirements.txt")
        .to_string();
    let ready = Command::new(&python)
        .args(["-c", &format!("import duckdb; assert duckdb.__version__ == '{}'", &pin["duckdb==".len()..])])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        let ok = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().is_ok_and(|s| s.success())
            && Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", &pin])
                .status()
                .is_ok_and(|s| s.success());
        assert!(ok, "could not make the DuckDB environment in {}", venv.display());
    }
    python
}

/// Rows per input table (from the Parquet metadata).
fn table_rows(data: &Path) -> Vec<(String, usize)> {
    let mut rows = Vec::new();
    for name in ["borgere", "tilknytning", "indsatser", "vurderinger", "indlaeggelser", "uth", "besoeg"] {
        let frame = scan(data, name).select([len()]).collect().expect("count rows");
        rows.push((name.to_string(), frame.column("len").unwrap().get(0).unwrap().extract::<usize>().unwrap()));
    }
    rows
}

fn scan(data: &Path, name: &str) -> LazyFrame {
    let folder = data.join(name);
    let path = if folder.is_dir() {
        format!("{}/*.parquet", folder.display())
    } else {
        format!("{}.parquet", folder.display())
    };
    LazyFrame::scan_parquet(PlRefPath::new(&path), ScanArgsParquet::default()).expect("scan")
}

// ---- The four measures written directly in Polars. ----

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn day(d: chrono::NaiveDate) -> Expr {
    lit(d)
}

/// Each citizen's kommune, birth date and plejeenhed on `end`, as kvalitet
/// attributes them.
fn citizens(data: &Path, end: chrono::NaiveDate) -> LazyFrame {
    let latest = scan(data, "tilknytning").filter(col("start").lt_eq(day(end))).group_by([col("borger_id")]).agg([
        col("plejeenhed_id").sort_by([col("start")], SortMultipleOptions::default()).last().alias("__p"),
        col("slut").sort_by([col("start")], SortMultipleOptions::default()).last().alias("__s"),
    ]);
    let alive = col("doedsdato").is_null().or(col("doedsdato").gt(day(end)));
    scan(data, "borgere")
        .select([col("borger_id"), col("kommune_kode").alias("kommune"), col("foedselsdato"), alive.alias("__alive")])
        .join(latest, [col("borger_id")], [col("borger_id")], JoinArgs::new(JoinType::Left))
        .with_column(
            when(col("__s").is_not_null().and(col("__s").lt(day(end))).and(col("__alive")))
                .then(lit(Null {}).cast(DataType::String))
                .otherwise(col("__p"))
                .alias("plejeenhed"),
        )
        .select([col("borger_id"), col("kommune"), col("foedselsdato"), col("plejeenhed")])
}

/// `rows` (with kommune, plejeenhed, foedselsdato) grouped by unit and
/// stratum; an age stratum is a birth-date cut-off on the month's last day.
fn by_units(
    rows: LazyFrame,
    measure: &str,
    start: chrono::NaiveDate,
    strata: &[(&str, Option<u32>)],
    aggregations: &[Expr],
) -> Vec<LazyFrame> {
    let end = start.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
    let mut pieces = Vec::new();
    for level in ["kommune", "plejeenhed"] {
        for (stratum, min_age) in strata {
            let keep = min_age.map_or(lit(true), |a| {
                col("foedselsdato").lt_eq(day(end.checked_sub_months(chrono::Months::new(12 * a)).unwrap()))
            });
            pieces.push(
                rows.clone()
                    .filter(keep.and(col(level).is_not_null()))
                    .group_by([col(level).alias("unit_code")])
                    .agg(aggregations)
                    .with_columns([
                        lit(measure).alias("measure_id"),
                        day(start).alias("period_start"),
                        lit(level).alias("unit_level"),
                        lit(*stratum).alias("stratum"),
                    ]),
            );
        }
    }
    pieces
}

fn shape(frame: LazyFrame) -> LazyFrame {
    frame.select([
        col("measure_id"),
        col("period_start"),
        col("unit_level"),
        col("unit_code"),
        col("stratum"),
        col("numerator").cast(DataType::Float64),
        col("denominator").cast(DataType::Float64),
    ])
}

/// The plans of the four measures for one month.
fn month_plans(data: &Path, start: chrono::NaiveDate) -> Vec<LazyFrame> {
    let end = start.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
    let after = end.succ_opt().unwrap();
    let people = citizens(data, end);
    let attach = |frame: LazyFrame| {
        frame.join(people.clone(), [col("borger_id")], [col("borger_id")], JoinArgs::new(JoinType::Inner))
    };
    let proportion = [
        col("taeller").sum().cast(DataType::Float64).alias("numerator"),
        len().cast(DataType::Float64).alias("denominator"),
    ];
    let mut plans = Vec::new();

    // po.2a: hjemmepleje on the last day; reassessed within 6 months; the dead left out.
    let window = end.checked_sub_months(chrono::Months::new(6)).unwrap().succ_opt().unwrap();
    let modtagere = scan(data, "indsatser")
        .filter(
            col("lovgrundlag")
                .is_in(lit(Series::new("l".into(), ["SEL83", "SEL83a", "AEL"])).implode(false), false)
                .and(col("start").lt_eq(day(end)))
                .and(col("slut").is_null().or(col("slut").gt_eq(day(end)))),
        )
        .select([col("borger_id")])
        .unique(None, UniqueKeepStrategy::Any);
    let funktionsevne = scan(data, "tilstande").filter(col("omraade").eq(lit("funktionsevne")));
    let revurderet = scan(data, "vurderinger")
        .filter(col("vurderet").gt_eq(day(window)).and(col("vurderet").lt(day(after))))
        .semi_join(funktionsevne, col("tilstand_id"), col("tilstand_id"))
        .select([col("borger_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("taeller"));
    let doede = scan(data, "borgere").filter(col("doedsdato").lt_eq(day(end))).select([col("borger_id")]);
    let rows = attach(
        modtagere
            .anti_join(doede, col("borger_id"), col("borger_id"))
            .join(revurderet, [col("borger_id")], [col("borger_id")], JoinArgs::new(JoinType::Left))
            .with_column(col("taeller").fill_null(lit(false))),
    );
    let strata = [("alle", None), ("67+", Some(67)), ("80+", Some(80))];
    plans.extend(by_units(rows, FOUR_RULES[0], start, &strata, &proportion));

    // po.4c: delivered indsatser, with a screen visit among them.
    let leveret = scan(data, "besoeg")
        .filter(
            col("tidspunkt")
                .gt_eq(day(start))
                .and(col("tidspunkt").lt(day(after)))
                .and(col("indsats_id").is_not_null()),
        )
        .group_by([col("indsats_id"), col("borger_id")])
        .agg([col("skaermbesoeg").any(true).alias("taeller")]);
    plans.extend(by_units(attach(leveret), FOUR_RULES[1], start, &[("alle", None)], &proportion));

    // po.2: preventable admissions per 1000 citizens.
    let events = attach(
        scan(data, "indlaeggelser")
            .filter(col("forebyggelig").and(col("indlagt").gt_eq(day(start))).and(col("indlagt").lt(day(after))))
            .select([col("borger_id")]),
    );
    let population = attach(
        scan(data, "borgere")
            .filter(
                col("foedselsdato")
                    .lt_eq(day(end))
                    .and(col("doedsdato").is_null().or(col("doedsdato").gt_eq(day(start)))),
            )
            .select([col("borger_id")]),
    );
    let strata = [("65+", Some(65)), ("80+", Some(80))];
    let counted = by_units(events, FOUR_RULES[2], start, &strata, &[len().cast(DataType::Float64).alias("numerator")]);
    let population =
        by_units(population, FOUR_RULES[2], start, &strata, &[len().cast(DataType::Float64).alias("denominator")]);
    let on = [col("unit_level"), col("unit_code"), col("stratum")];
    for (population, counted) in population.into_iter().zip(counted) {
        plans.push(
            population
                .join(
                    counted.select([col("unit_level"), col("unit_code"), col("stratum"), col("numerator")]),
                    on.clone(),
                    on.clone(),
                    JoinArgs::new(JoinType::Left),
                )
                .with_column(col("numerator").fill_null(lit(0.0))),
        );
    }

    // sp.3b: adverse events, in all and by type, at the unit where they happened.
    let units = scan(data, "plejeenheder").select([col("plejeenhed_id"), col("kommune_kode").alias("kommune")]);
    let uth = scan(data, "uth")
        .filter(col("dato").gt_eq(day(start)).and(col("dato").lt(day(after))))
        .join(units, [col("plejeenhed_id")], [col("plejeenhed_id")], JoinArgs::new(JoinType::Left))
        .with_column(col("plejeenhed_id").alias("plejeenhed"));
    for level in ["kommune", "plejeenhed"] {
        let in_unit = uth.clone().filter(col(level).is_not_null());
        let all = in_unit
            .clone()
            .group_by([col(level).alias("unit_code")])
            .agg([len().alias("numerator")])
            .with_column(lit("alle").alias("stratum"));
        let by_type = in_unit
            .group_by([col(level).alias("unit_code"), col("type")])
            .agg([len().alias("numerator")])
            .with_column((lit("type=") + col("type").fill_null(lit("ukendt"))).alias("stratum"))
            .drop(cols(["type"]));
        for piece in [all, by_type] {
            plans.push(piece.with_columns([
                lit(FOUR_RULES[3]).alias("measure_id"),
                day(start).alias("period_start"),
                lit(level).alias("unit_level"),
                lit(Null {}).cast(DataType::Float64).alias("denominator"),
            ]));
        }
    }
    plans.into_iter().map(shape).collect()
}

/// `national hand DATA OUT`: the four measures for every month, every plan
/// executed together, written to OUT.
fn hand(data: &Path, out: &Path) {
    let plans: Vec<DslPlan> =
        (1..=12).flat_map(|m| month_plans(data, date(YEAR, m, 1))).map(|p| p.logical_plan).collect();
    let frames = LazyFrame::collect_all_with_engine(plans, Engine::Auto, OptFlags::default()).expect("the plans run");
    let mut all = frames
        .into_iter()
        .reduce(|mut a, b| {
            a.vstack_mut(&b).unwrap();
            a
        })
        .expect("frames");
    ParquetWriter::new(std::fs::File::create(out).expect("create")).finish(&mut all).expect("write");
}

// ---- The comparison. ----

struct Row {
    scale: String,
    tables: Vec<(String, usize)>,
    check: Measured,
    all_rules: Option<Measured>,
    chosen: Measured,
    together: Measured,
    plan_by_plan: Measured,
    polars: Measured,
    duckdb: Measured,
    agreed: usize,
}

fn run_scale(scale: &Scale, home: &Path, python: &Path, every_rule: bool) -> Row {
    let data = home.join(scale.name);
    if !data.join("borgere.parquet").exists() {
        let mut synth = kvalitet();
        synth.arg("synth").arg("--out").arg(&data).args(["--years", "1"]).args(scale.synth);
        measure(&format!("synth {}", scale.name), &mut synth);
    }
    eprintln!("{}:", scale.name);
    let out = tempfile::tempdir().expect("a temporary directory");
    let rules = out.path().join("rules");
    std::fs::create_dir_all(rules.join("lib")).unwrap();
    let standard = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    for entry in std::fs::read_dir(standard.join("lib")).unwrap().flatten() {
        std::fs::copy(entry.path(), rules.join("lib").join(entry.file_name())).unwrap();
    }
    for id in FOUR_RULES {
        std::fs::copy(standard.join(format!("{id}.rhai")), rules.join(format!("{id}.rhai"))).unwrap();
    }
    let cache = out.path().join("cache");
    let check = measure(
        "kvalitet check",
        kvalitet()
            .env("KVALITET_CACHE_DIR", &cache)
            .arg("check")
            .arg("--data")
            .arg(&data)
            .arg("--rules")
            .arg(&rules)
            .stdout(std::process::Stdio::null()),
    );
    let run = |rules: Option<&Path>, to: &str, extra: &[&str]| {
        let mut command = kvalitet();
        command.env("KVALITET_CACHE_DIR", &cache);
        command.arg("run").arg("--data").arg(&data).arg("--out").arg(out.path().join(to));
        command.args(["--from", &format!("{YEAR}-01"), "--to", &format!("{YEAR}-12"), "--by", "kommune,plejeenhed"]);
        command.arg("--quiet").args(extra).stdout(std::process::Stdio::null());
        if let Some(rules) = rules {
            command.arg("--rules").arg(rules);
        }
        command
    };
    let all_rules = every_rule.then(|| measure("kvalitet run, every rule", &mut run(None, "all", &[])));
    let chosen = measure("kvalitet run, four rules", &mut run(Some(&rules), "four", &[]));
    let together = measure("kvalitet run, four rules, together", &mut run(Some(&rules), "together", &["--together"]));
    let plan_by_plan =
        measure("kvalitet run, four rules, plan by plan", &mut run(Some(&rules), "by-plan", &["--plan-by-plan"]));
    let polars_out = out.path().join("polars.parquet");
    let polars = measure(
        "hand-written Polars",
        Command::new(std::env::current_exe().unwrap()).arg("hand").arg(&data).arg(&polars_out),
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/duckdb_measures.py");
    let duck_out = out.path().join("duckdb.parquet");
    let duckdb = measure("DuckDB", Command::new(python).arg(&script).arg("run").arg(&data).arg(&duck_out));
    let compare = |ours: &Path, other: &Path| {
        let output = Command::new(python).arg(&script).arg("compare").arg(ours).arg(other).output().expect("compare");
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(output.status.success(), "{} and {} disagree:\n{text}", ours.display(), other.display());
        text.split_whitespace().next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0)
    };
    let agreed = compare(&out.path().join("four/results.parquet"), &duck_out);
    compare(&out.path().join("together/results.parquet"), &duck_out);
    compare(&out.path().join("by-plan/results.parquet"), &duck_out);
    compare(&out.path().join("four/results.parquet"), &polars_out);
    Row {
        scale: scale.name.to_string(),
        tables: table_rows(&data),
        check,
        all_rules,
        chosen,
        together,
        plan_by_plan,
        polars,
        duckdb,
        agreed,
    }
}

fn print(rows: &[Row]) {
    let cell = |m: Measured| format!("{:7.1} s {:7.0} MB", m.seconds, m.peak_mb);
    println!("\n12 months of {YEAR}, kommune + plejeenhed, statistics on; wall time and peak RSS per process\n");
    println!(
        "| scale | rows (borgere / besoeg) | kvalitet check (validates) | kvalitet, 165 rules | kvalitet, 4 rules | hand-written Polars, 4 | DuckDB, 4 | kvalitet / DuckDB | kvalitet / Polars | plan by plan / together (seconds) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let rows_of = |t: &str| row.tables.iter().find(|(n, _)| n == t).map_or(0, |(_, n)| *n);
        println!(
            "| {} | {} / {} | {} | {} | {} | {} | {} | {:.2} (memory {:.2}) | {:.2} (memory {:.2}) | {:.2} ({:.1} / {:.1}) |",
            row.scale,
            rows_of("borgere"),
            rows_of("besoeg"),
            cell(row.check),
            row.all_rules.map_or("not run".to_string(), cell),
            cell(row.chosen),
            cell(row.polars),
            cell(row.duckdb),
            row.chosen.seconds / row.duckdb.seconds,
            row.chosen.peak_mb / row.duckdb.peak_mb,
            row.chosen.seconds / row.polars.seconds,
            row.chosen.peak_mb / row.polars.peak_mb,
            row.plan_by_plan.seconds / row.together.seconds,
            row.plan_by_plan.seconds,
            row.together.seconds,
        );
    }
    for row in rows {
        let tables: Vec<String> = row.tables.iter().map(|(n, r)| format!("{n} {r}")).collect();
        println!(
            "\n{}: {}; {} rows of the four measures equal in kvalitet, DuckDB and Polars",
            row.scale,
            tables.join(", "),
            row.agreed
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    if args.first().map(String::as_str) == Some("hand") {
        hand(Path::new(&args[1]), Path::new(&args[2]));
        return;
    }
    let home = bench_home();
    std::fs::create_dir_all(&home).expect("the bench data directory");
    let python = duckdb_python(&home);
    let every_rule = !args.iter().any(|a| a == "--four-rules");
    let named: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let chosen: Vec<&Scale> =
        SCALES.iter().filter(|s| named.is_empty() || named.iter().any(|a| *a == s.name)).collect();
    let rows: Vec<Row> = chosen.iter().map(|s| run_scale(s, &home, &python, every_rule)).collect();
    print(&rows);
}
