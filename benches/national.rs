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
//! - the four measures written directly in Polars (this file, `hand`),
//!   attributed and grouped as kvalitet does it (the latest placement by
//!   its start joined back on the key; every stratum of a level in one
//!   group-by), executed three ways: every month's plans together on the
//!   in-memory engine, plan by plan on the streaming engine (one plan per
//!   measure and month), and in one pass for all months, the month a
//!   column (`one_pass_plans`: every table read once, its rows paired with
//!   the months they count in). The fastest of the three is the limit the
//!   ratio "kvalitet / Polars" is taken against;
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

/// Each citizen's kommune, birth date and death date.
fn borgere(data: &Path) -> LazyFrame {
    scan(data, "borgere").select([
        col("borger_id"),
        col("kommune_kode").alias("kommune"),
        col("foedselsdato"),
        col("doedsdato"),
    ])
}

/// The latest tilknytning started by `end` per citizen (and per month when
/// `keys` has `ps`): the latest start, joined back on the table's key
/// (borger_id + start), as kvalitet finds it.
fn latest_placement(tilknytning: LazyFrame, end: Expr, keys: &[&str]) -> LazyFrame {
    let by = |extra: &[&str]| keys.iter().chain(extra).map(|c| col(*c)).collect::<Vec<_>>();
    let started = tilknytning.filter(col("start").lt_eq(end));
    let mut kept = by(&[]);
    kept.extend([col("plejeenhed_id").alias("__p"), col("slut").alias("__s")]);
    started
        .clone()
        .group_by(by(&[]))
        .agg([col("start").max()])
        .join(started, by(&["start"]), by(&["start"]), JoinArgs::new(JoinType::Inner))
        .select(kept)
}

/// `rows` (with `borger_id`, `doedsdato` and the `keys` of `latest`) with
/// the citizen's plejeenhed on `end`, as kvalitet attributes it: that of the
/// latest tilknytning, none when it ended before `end` and the citizen is
/// alive. The placement is joined to the measured rows, not to every
/// citizen.
fn placed(rows: LazyFrame, latest: LazyFrame, end: Expr, keys: &[&str]) -> LazyFrame {
    let on: Vec<Expr> = keys.iter().map(|c| col(*c)).collect();
    let alive = col("doedsdato").is_null().or(col("doedsdato").gt(end.clone()));
    rows.join(latest, on.clone(), on, JoinArgs::new(JoinType::Left))
        .with_column(
            when(col("__s").is_not_null().and(col("__s").lt(end)).and(alive))
                .then(lit(Null {}).cast(DataType::String))
                .otherwise(col("__p"))
                .alias("plejeenhed"),
        )
        .drop(cols(["__p", "__s"]))
}

/// A measure's aggregations of the rows a mask selects: (name, expression).
type Aggregations<'a> = &'a dyn Fn(Expr) -> Vec<(&'static str, Expr)>;

/// How many rows `mask` selects, as a float.
fn count_of(mask: Expr) -> Expr {
    mask.sum().cast(DataType::Float64)
}

/// `rows` grouped by unit (and by month in one pass, `by_month`) at both
/// levels, every stratum in the one group-by as kvalitet does it (stratum
/// `i`'s aggregations over the rows of its mask); a piece per level and
/// stratum, with the units that have rows in it.
fn masked_by_unit(
    rows: LazyFrame,
    measure: &str,
    by_month: bool,
    strata: &[(&str, Expr)],
    aggregations: Aggregations,
) -> Vec<LazyFrame> {
    let names: Vec<&str> = aggregations(lit(true)).into_iter().map(|(name, _)| name).collect();
    let mut pieces = Vec::new();
    for level in ["kommune", "plejeenhed"] {
        let mut by = vec![col(level).alias("unit_code")];
        if by_month {
            by.push(col("ps").alias("period_start"));
        }
        let mut aggs = Vec::new();
        for (i, (_, keep)) in strata.iter().enumerate() {
            let mask = keep.clone().and(col(level).is_not_null());
            aggs.push(count_of(mask.clone()).alias(format!("__n{i}")));
            aggs.extend(aggregations(mask).into_iter().map(|(name, e)| e.alias(format!("{name}{i}"))));
        }
        let grouped = rows.clone().group_by(by.clone()).agg(aggs);
        for (i, (stratum, _)) in strata.iter().enumerate() {
            let mut select = vec![col("unit_code")];
            if by_month {
                select.push(col("period_start"));
            }
            select.extend(names.iter().map(|name| col(format!("{name}{i}")).alias(*name)));
            select.extend([
                lit(measure).alias("measure_id"),
                lit(level).alias("unit_level"),
                lit(*stratum).alias("stratum"),
            ]);
            pieces.push(grouped.clone().filter(col(format!("__n{i}")).gt(lit(0.0))).select(select));
        }
    }
    pieces
}

/// `rows` (with kommune, plejeenhed, foedselsdato) of the month that starts
/// on `start` grouped by unit and stratum; an age stratum is a birth-date
/// cut-off on the month's last day.
fn by_units(
    rows: LazyFrame,
    measure: &str,
    start: chrono::NaiveDate,
    strata: &[(&str, Option<u32>)],
    aggregations: Aggregations,
) -> Vec<LazyFrame> {
    let end = start.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
    let strata: Vec<(&str, Expr)> = strata
        .iter()
        .map(|(stratum, min_age)| {
            let born = min_age.map_or(lit(true), |a| {
                col("foedselsdato").lt_eq(day(end.checked_sub_months(chrono::Months::new(12 * a)).unwrap()))
            });
            (*stratum, born)
        })
        .collect();
    masked_by_unit(rows, measure, false, &strata, aggregations)
        .into_iter()
        .map(|piece| piece.with_column(day(start).alias("period_start")))
        .collect()
}

/// A rate's pieces: each population piece with the events counted in the
/// same month, unit and stratum (none: 0).
fn rate_pieces(population: Vec<LazyFrame>, counted: Vec<LazyFrame>) -> Vec<LazyFrame> {
    let on = [col("period_start"), col("unit_level"), col("unit_code"), col("stratum")];
    let mut kept = on.to_vec();
    kept.push(col("numerator"));
    population
        .into_iter()
        .zip(counted)
        .map(|(population, counted)| {
            population
                .join(counted.select(kept.clone()), on.clone(), on.clone(), JoinArgs::new(JoinType::Left))
                .with_column(col("numerator").fill_null(lit(0.0)))
        })
        .collect()
}

/// sp.3b's pieces: adverse events (`uth` with kommune and plejeenhed), in
/// all and by type, per unit (and per month `ps` when `by_month`).
fn adverse_events(uth: LazyFrame, by_month: bool) -> Vec<LazyFrame> {
    let mut pieces = Vec::new();
    for level in ["kommune", "plejeenhed"] {
        let in_unit = uth.clone().filter(col(level).is_not_null());
        let mut by = vec![col(level).alias("unit_code")];
        if by_month {
            by.push(col("ps").alias("period_start"));
        }
        let all = in_unit
            .clone()
            .group_by(by.clone())
            .agg([len().alias("numerator")])
            .with_column(lit("alle").alias("stratum"));
        by.push(col("type"));
        let by_type = in_unit
            .group_by(by)
            .agg([len().alias("numerator")])
            .with_column((lit("type=") + col("type").fill_null(lit("ukendt"))).alias("stratum"))
            .drop(cols(["type"]));
        for piece in [all, by_type] {
            pieces.push(piece.with_columns([
                lit(FOUR_RULES[3]).alias("measure_id"),
                lit(level).alias("unit_level"),
                lit(Null {}).cast(DataType::Float64).alias("denominator"),
            ]));
        }
    }
    pieces
}

/// The pieces of one measure (its units and strata) as one plan, so that
/// what they share is computed once when the plan runs on its own.
fn one_plan(pieces: Vec<LazyFrame>) -> LazyFrame {
    concat(pieces.into_iter().map(shape).collect::<Vec<_>>(), UnionArgs::default()).expect("the pieces concatenate")
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
    let latest = latest_placement(scan(data, "tilknytning"), day(end), &["borger_id"]);
    let attach = |frame: LazyFrame| {
        let rows = frame.join(borgere(data), [col("borger_id")], [col("borger_id")], JoinArgs::new(JoinType::Inner));
        placed(rows, latest.clone(), day(end), &["borger_id"])
    };
    let proportion =
        |mask: Expr| vec![("numerator", count_of(col("taeller").and(mask.clone()))), ("denominator", count_of(mask))];
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
    plans.push(one_plan(by_units(rows, FOUR_RULES[0], start, &strata, &proportion)));

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
    plans.push(one_plan(by_units(attach(leveret), FOUR_RULES[1], start, &[("alle", None)], &proportion)));

    // po.2: preventable admissions per 1000 citizens.
    let events = attach(
        scan(data, "indlaeggelser")
            .filter(col("forebyggelig").and(col("indlagt").gt_eq(day(start))).and(col("indlagt").lt(day(after))))
            .select([col("borger_id")]),
    );
    let population = placed(
        borgere(data).filter(
            col("foedselsdato").lt_eq(day(end)).and(col("doedsdato").is_null().or(col("doedsdato").gt_eq(day(start)))),
        ),
        latest.clone(),
        day(end),
        &["borger_id"],
    );
    let strata = [("65+", Some(65)), ("80+", Some(80))];
    let counted = by_units(events, FOUR_RULES[2], start, &strata, &|mask| vec![("numerator", count_of(mask))]);
    let population = by_units(population, FOUR_RULES[2], start, &strata, &|mask| vec![("denominator", count_of(mask))]);
    plans.push(one_plan(rate_pieces(population, counted)));

    // sp.3b: adverse events, in all and by type, at the unit where they happened.
    let units = scan(data, "plejeenheder").select([col("plejeenhed_id"), col("kommune_kode").alias("kommune")]);
    let uth = scan(data, "uth")
        .filter(col("dato").gt_eq(day(start)).and(col("dato").lt(day(after))))
        .join(units, [col("plejeenhed_id")], [col("plejeenhed_id")], JoinArgs::new(JoinType::Left))
        .with_column(col("plejeenhed_id").alias("plejeenhed"));
    let events = adverse_events(uth, false).into_iter().map(|p| p.with_column(day(start).alias("period_start")));
    plans.push(one_plan(events.collect()));
    plans
}

// ---- The same four measures in one pass for all months: the month a column. ----

/// The months of `YEAR` as a frame: start `ps`, last day `pe`, the day
/// after `nxt`, the first day `w6` of the 6-month window ending on `pe`,
/// and the birth-date cut-offs `c65`, `c67`, `c80` of those ages on `pe`.
fn months() -> LazyFrame {
    let starts: Vec<chrono::NaiveDate> = (1..=12).map(|m| date(YEAR, m, 1)).collect();
    let end = |s: &chrono::NaiveDate| s.checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap();
    let ends: Vec<chrono::NaiveDate> = starts.iter().map(end).collect();
    let back = |months: u32| -> Vec<chrono::NaiveDate> {
        ends.iter().map(|e| e.checked_sub_months(chrono::Months::new(months)).unwrap()).collect()
    };
    let column = |name: &str, days: Vec<chrono::NaiveDate>| Column::new(name.into(), days);
    DataFrame::new_infer_height(vec![
        column("ps", starts.clone()),
        column("pe", ends.clone()),
        column("nxt", ends.iter().map(|e| e.succ_opt().unwrap()).collect()),
        column("w6", back(6).iter().map(|d| d.succ_opt().unwrap()).collect()),
        column("c65", back(12 * 65)),
        column("c67", back(12 * 67)),
        column("c80", back(12 * 80)),
    ])
    .expect("the months")
    .lazy()
}

/// Every row of `frame` once per month (a join on a constant key: the
/// months are 12 rows).
fn every_month(frame: LazyFrame) -> LazyFrame {
    let one = || lit(1i32).alias("__one");
    months()
        .with_column(one())
        .join(frame.with_column(one()), [col("__one")], [col("__one")], JoinArgs::new(JoinType::Inner))
        .drop(cols(["__one"]))
}

/// The month of a date or date-time column, as the month's first day.
fn month_of(column: &str) -> Expr {
    col(column).cast(DataType::Date).dt().truncate(lit("1mo")).alias("ps")
}

/// `rows` (with `ps`, the months' cut-offs, kommune, plejeenhed,
/// foedselsdato) grouped by month, unit and stratum; `strata` name the
/// cut-off column of their age.
fn by_month_and_unit(
    rows: LazyFrame,
    measure: &str,
    strata: &[(&str, Option<&str>)],
    aggregations: Aggregations,
) -> Vec<LazyFrame> {
    let strata: Vec<(&str, Expr)> = strata
        .iter()
        .map(|(stratum, cut_off)| (*stratum, cut_off.map_or(lit(true), |c| col("foedselsdato").lt_eq(col(c)))))
        .collect();
    masked_by_unit(rows, measure, true, &strata, aggregations)
}

/// The plans of the four measures for all months in one pass each: every
/// table is read once, its rows paired with the months they count in.
fn one_pass_plans(data: &Path) -> Vec<LazyFrame> {
    let keys = ["ps", "borger_id"];
    let latest = latest_placement(every_month(scan(data, "tilknytning")), col("pe"), &keys);
    // Rows with `ps` and `borger_id` get the month's columns and the citizen's.
    let attach = |frame: LazyFrame| {
        let rows = frame.join(months(), [col("ps")], [col("ps")], JoinArgs::new(JoinType::Inner)).join(
            borgere(data),
            [col("borger_id")],
            [col("borger_id")],
            JoinArgs::new(JoinType::Inner),
        );
        placed(rows, latest.clone(), col("pe"), &keys)
    };
    let in_year =
        |column: &str| col(column).gt_eq(lit(date(YEAR, 1, 1))).and(col(column).lt(lit(date(YEAR + 1, 1, 1))));
    let proportion =
        |mask: Expr| vec![("numerator", count_of(col("taeller").and(mask.clone()))), ("denominator", count_of(mask))];
    let mut plans = Vec::new();

    // po.2a: hjemmepleje on the last day; reassessed within 6 months; the dead left out.
    let modtagere = every_month(
        scan(data, "indsatser")
            .filter(
                col("lovgrundlag")
                    .is_in(lit(Series::new("l".into(), ["SEL83", "SEL83a", "AEL"])).implode(false), false),
            )
            .select([col("borger_id"), col("start"), col("slut")]),
    )
    .filter(col("start").lt_eq(col("pe")).and(col("slut").is_null().or(col("slut").gt_eq(col("pe")))))
    .select([col("ps"), col("borger_id")])
    .unique(None, UniqueKeepStrategy::Any);
    let funktionsevne = scan(data, "tilstande").filter(col("omraade").eq(lit("funktionsevne")));
    let revurderet = every_month(
        scan(data, "vurderinger")
            .semi_join(funktionsevne, col("tilstand_id"), col("tilstand_id"))
            .select([col("borger_id"), col("vurderet")]),
    )
    .filter(col("vurderet").gt_eq(col("w6")).and(col("vurderet").lt(col("nxt"))))
    .select([col("ps"), col("borger_id")])
    .unique(None, UniqueKeepStrategy::Any)
    .with_column(lit(true).alias("taeller"));
    let rows = attach(modtagere)
        .filter(col("doedsdato").is_null().or(col("doedsdato").gt(col("pe"))))
        .join(revurderet, [col("ps"), col("borger_id")], [col("ps"), col("borger_id")], JoinArgs::new(JoinType::Left))
        .with_column(col("taeller").fill_null(lit(false)));
    let strata = [("alle", None), ("67+", Some("c67")), ("80+", Some("c80"))];
    plans.push(one_plan(by_month_and_unit(rows, FOUR_RULES[0], &strata, &proportion)));

    // po.4c: delivered indsatser, with a screen visit among them.
    let leveret = scan(data, "besoeg")
        .filter(in_year("tidspunkt").and(col("indsats_id").is_not_null()))
        .group_by([month_of("tidspunkt"), col("indsats_id"), col("borger_id")])
        .agg([col("skaermbesoeg").any(true).alias("taeller")]);
    plans.push(one_plan(by_month_and_unit(attach(leveret), FOUR_RULES[1], &[("alle", None)], &proportion)));

    // po.2: preventable admissions per 1000 citizens.
    let events = attach(
        scan(data, "indlaeggelser")
            .filter(col("forebyggelig").and(in_year("indlagt")))
            .select([month_of("indlagt"), col("borger_id")]),
    );
    let population = placed(
        every_month(borgere(data)).filter(
            col("foedselsdato").lt_eq(col("pe")).and(col("doedsdato").is_null().or(col("doedsdato").gt_eq(col("ps")))),
        ),
        latest.clone(),
        col("pe"),
        &keys,
    );
    let strata = [("65+", Some("c65")), ("80+", Some("c80"))];
    let counted = by_month_and_unit(events, FOUR_RULES[2], &strata, &|mask| vec![("numerator", count_of(mask))]);
    let population =
        by_month_and_unit(population, FOUR_RULES[2], &strata, &|mask| vec![("denominator", count_of(mask))]);
    plans.push(one_plan(rate_pieces(population, counted)));

    // sp.3b: adverse events, in all and by type, at the unit where they happened.
    let units = scan(data, "plejeenheder").select([col("plejeenhed_id"), col("kommune_kode").alias("kommune")]);
    let uth = scan(data, "uth")
        .filter(in_year("dato"))
        .with_column(month_of("dato"))
        .join(units, [col("plejeenhed_id")], [col("plejeenhed_id")], JoinArgs::new(JoinType::Left))
        .with_column(col("plejeenhed_id").alias("plejeenhed"));
    plans.push(one_plan(adverse_events(uth, true)));
    plans
}

/// How the hand-written plans are executed (`national hand WAY DATA OUT`).
#[derive(Clone, Copy, PartialEq)]
enum HandWay {
    /// The plans of every month in one `collect_all` on the in-memory engine.
    Together,
    /// One plan after the other on the streaming engine, as `kvalitet run`
    /// executes national data.
    PlanByPlan,
    /// One plan per measure × level × stratum for all months at once
    /// (`one_pass_plans`), together on the in-memory engine.
    OnePass,
}

impl HandWay {
    const ALL: [(HandWay, &'static str); 3] =
        [(HandWay::Together, "together"), (HandWay::PlanByPlan, "plan-by-plan"), (HandWay::OnePass, "one-pass")];
}

/// `national hand WAY DATA OUT`: the four measures for every month, written
/// to OUT.
fn hand(way: HandWay, data: &Path, out: &Path) {
    let month_by_month = || (1..=12).flat_map(|m| month_plans(data, date(YEAR, m, 1)));
    let frames = match way {
        HandWay::Together => {
            let plans = month_by_month().map(|p| p.logical_plan).collect();
            LazyFrame::collect_all_with_engine(plans, Engine::Auto, OptFlags::default()).expect("the plans run")
        }
        HandWay::PlanByPlan => month_by_month()
            .map(|p| p.collect_with_engine(Engine::Streaming).expect("the plan runs").unwrap_single())
            .collect(),
        HandWay::OnePass => {
            let plans = one_pass_plans(data).into_iter().map(|p| p.logical_plan).collect();
            LazyFrame::collect_all_with_engine(plans, Engine::Auto, OptFlags::default()).expect("the plans run")
        }
    };
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
    /// The hand-written Polars, each way of `HandWay::ALL`.
    polars: Vec<Measured>,
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
    let polars_out = |way: &str| out.path().join(format!("polars-{way}.parquet"));
    let polars = HandWay::ALL
        .iter()
        .map(|(_, way)| {
            measure(
                &format!("hand-written Polars, {way}"),
                Command::new(std::env::current_exe().unwrap()).arg("hand").arg(way).arg(&data).arg(polars_out(way)),
            )
        })
        .collect();
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
    for (_, way) in HandWay::ALL {
        compare(&polars_out(way), &duck_out);
    }
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

impl Row {
    /// The fastest of the hand-written ways, and its name: the limit.
    fn polars_best(&self) -> (Measured, &'static str) {
        let best = (0..self.polars.len()).min_by(|a, b| self.polars[*a].seconds.total_cmp(&self.polars[*b].seconds));
        let best = best.expect("the hand-written ways ran");
        (self.polars[best], HandWay::ALL[best].1)
    }

    /// The hand-written Polars executed `way`.
    fn polars_way(&self, way: HandWay) -> Measured {
        self.polars[HandWay::ALL.iter().position(|(w, _)| *w == way).expect("every way runs")]
    }
}

fn print(rows: &[Row]) {
    let cell = |m: Measured| format!("{:7.1} s {:7.0} MB", m.seconds, m.peak_mb);
    println!("\n12 months of {YEAR}, kommune + plejeenhed, statistics on; wall time and peak RSS per process\n");
    println!(
        "| scale | rows (borgere / besoeg) | kvalitet check (validates) | kvalitet, 165 rules | kvalitet, 4 rules | hand-written Polars, 4 (fastest way) | DuckDB, 4 | kvalitet / DuckDB | kvalitet / Polars | plan by plan / together (seconds) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        let rows_of = |t: &str| row.tables.iter().find(|(n, _)| n == t).map_or(0, |(_, n)| *n);
        let (polars, way) = row.polars_best();
        println!(
            "| {} | {} / {} | {} | {} | {} | {} ({way}) | {} | {:.2} (memory {:.2}) | {:.2} (memory {:.2}) | {:.2} ({:.1} / {:.1}) |",
            row.scale,
            rows_of("borgere"),
            rows_of("besoeg"),
            cell(row.check),
            row.all_rules.map_or("not run".to_string(), cell),
            cell(row.chosen),
            cell(polars),
            cell(row.duckdb),
            row.chosen.seconds / row.duckdb.seconds,
            row.chosen.peak_mb / row.duckdb.peak_mb,
            row.chosen.seconds / polars.seconds,
            row.chosen.peak_mb / polars.peak_mb,
            row.plan_by_plan.seconds / row.together.seconds,
            row.plan_by_plan.seconds,
            row.together.seconds,
        );
    }
    println!("\nThe hand-written Polars, three ways (HandWay)\n");
    let ways: Vec<&str> = HandWay::ALL.iter().map(|(_, way)| *way).collect();
    println!("| scale | {} | one pass / plan by plan |", ways.join(" | "));
    println!("|---|{}---|", "---|".repeat(ways.len()));
    for row in rows {
        let cells: Vec<String> = row.polars.iter().map(|m| cell(*m)).collect();
        let ratio = row.polars_way(HandWay::OnePass).seconds / row.polars_way(HandWay::PlanByPlan).seconds;
        println!("| {} | {} | {ratio:.2} |", row.scale, cells.join(" | "));
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
        let (way, _) =
            HandWay::ALL.iter().find(|(_, name)| *name == args[1]).expect("a way: together, plan-by-plan, one-pass");
        hand(*way, Path::new(&args[2]), Path::new(&args[3]));
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
