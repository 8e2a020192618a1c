//! Rhai overhead: three rules run through the engine against the same
//! queries written directly in Polars, side by side on the same Parquet
//! files, in one process.
//!
//! ```sh
//! cargo bench --bench engine                 # 5 million visits
//! KVALITET_BENCH_ROWS=20000000 cargo bench --bench engine
//! ```
//!
//! Both sides compute the same result rows (kommune and plejeenhed level,
//! stratum `alle`, year 2024), checked equal before timing. Each side runs
//! `KVALITET_BENCH_REPEAT` times (default 5), interleaved, and the report
//! gives the median of each and their ratio.

use kvalitet::catalog::Catalog;
use kvalitet::data::{DataSource, Schema};
use kvalitet::engine::{Period, RulesSource, TableSource};
use kvalitet::polars::prelude::*;
use kvalitet::results::{StatisticsOptions, UnitLevel};
use kvalitet::workspace::{Request, Workspace};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const KOMMUNER: [&str; 5] = ["101", "147", "461", "751", "851"];
const UNITS: usize = 60;

/// A tiny deterministic generator (64-bit LCG) so the data is the same
/// on every run without another dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn date(days_since_2020: i64) -> i32 {
    (chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())
        .num_days() as i32
        + days_since_2020 as i32
}

fn date_column(name: &str, days: Vec<Option<i32>>) -> Column {
    Column::new(name.into(), days).cast(&DataType::Date).unwrap()
}

fn write(dir: &Path, name: &str, mut frame: DataFrame) {
    let file = std::fs::File::create(dir.join(format!("{name}.parquet"))).unwrap();
    ParquetWriter::new(file).finish(&mut frame).unwrap();
}

/// Writes borgere, tilknytning, plejeenheder, indsatser, tilstande,
/// vurderinger and `visits` besoeg rows.
fn generate(dir: &Path, visits: usize) {
    let mut rng = Lcg(20241122);
    let citizens = (visits / 25).max(1000);
    let ids: Vec<String> = (0..citizens).map(|i| format!("B{i:07}")).collect();
    let kommune: Vec<&str> = (0..citizens).map(|i| KOMMUNER[i % KOMMUNER.len()]).collect();
    let birth: Vec<Option<i32>> = (0..citizens).map(|_| Some(date(-(rng.below(365 * 45) as i64) - 365 * 50))).collect();
    let died: Vec<Option<i32>> = (0..citizens)
        .map(|_| if rng.below(20) == 0 { Some(date(1500 + rng.below(300) as i64)) } else { None })
        .collect();
    write(
        dir,
        "borgere",
        DataFrame::new_infer_height(vec![
            Column::new("borger_id".into(), ids.clone()),
            date_column("foedselsdato", birth),
            Column::new("koen".into(), (0..citizens).map(|i| if i % 2 == 0 { "K" } else { "M" }).collect::<Vec<_>>()),
            Column::new("kommune_kode".into(), kommune.clone()),
            date_column("doedsdato", died),
            date_column("demens_diagnose_dato", vec![None; citizens]),
        ])
        .unwrap(),
    );
    let unit_of =
        |i: usize| format!("PE{:02}", (i % KOMMUNER.len()) + KOMMUNER.len() * ((i / 7) % (UNITS / KOMMUNER.len())));
    write(
        dir,
        "plejeenheder",
        DataFrame::new_infer_height(vec![
            Column::new("plejeenhed_id".into(), (0..UNITS).map(|u| format!("PE{u:02}")).collect::<Vec<_>>()),
            Column::new("navn".into(), (0..UNITS).map(|u| format!("Enhed {u}")).collect::<Vec<_>>()),
            Column::new("kommune_kode".into(), (0..UNITS).map(|u| KOMMUNER[u % KOMMUNER.len()]).collect::<Vec<_>>()),
            Column::new("type".into(), vec!["hjemmepleje"; UNITS]),
        ])
        .unwrap(),
    );
    write(
        dir,
        "tilknytning",
        DataFrame::new_infer_height(vec![
            Column::new("borger_id".into(), ids.clone()),
            Column::new("plejeenhed_id".into(), (0..citizens).map(unit_of).collect::<Vec<_>>()),
            Column::new("bolig".into(), vec!["eget_hjem"; citizens]),
            date_column("start", vec![Some(date(0)); citizens]),
            date_column("slut", vec![None; citizens]),
        ])
        .unwrap(),
    );
    write(
        dir,
        "indsatser",
        DataFrame::new_infer_height(vec![
            Column::new("indsats_id".into(), (0..citizens).map(|i| format!("I{i:07}")).collect::<Vec<_>>()),
            Column::new("borger_id".into(), ids.clone()),
            Column::new("indsats".into(), vec!["Personlig pleje"; citizens]),
            Column::new(
                "lovgrundlag".into(),
                (0..citizens).map(|i| if i % 3 == 0 { "SEL83a" } else { "SEL83" }).collect::<Vec<_>>(),
            ),
            date_column("start", (0..citizens).map(|_| Some(date(rng.below(1400) as i64))).collect()),
            date_column(
                "slut",
                (0..citizens).map(|_| if rng.below(4) == 0 { Some(date(1700)) } else { None }).collect(),
            ),
            Column::new("team".into(), vec![Some("A"); citizens]),
        ])
        .unwrap(),
    );
    write(
        dir,
        "tilstande",
        DataFrame::new_infer_height(vec![
            Column::new("tilstand_id".into(), (0..citizens).map(|i| format!("T{i:07}")).collect::<Vec<_>>()),
            Column::new("borger_id".into(), ids.clone()),
            Column::new("omraade".into(), vec!["funktionsevne"; citizens]),
            Column::new("tilstand".into(), vec!["Gå"; citizens]),
            date_column("start", vec![Some(date(0)); citizens]),
            date_column("slut", vec![None; citizens]),
        ])
        .unwrap(),
    );
    let assessments = citizens * 3;
    write(
        dir,
        "vurderinger",
        DataFrame::new_infer_height(vec![
            Column::new("tilstand_id".into(), (0..assessments).map(|i| format!("T{:07}", i / 3)).collect::<Vec<_>>()),
            Column::new("borger_id".into(), (0..assessments).map(|i| ids[i / 3].clone()).collect::<Vec<_>>()),
            date_column(
                "vurderet",
                (0..assessments).map(|i| Some(date(((i % 3) * 500) as i64 + rng.below(400) as i64))).collect(),
            ),
            Column::new("niveau".into(), (0..assessments).map(|_| rng.below(5) as i64).collect::<Vec<_>>()),
        ])
        .unwrap(),
    );
    let start_2024 =
        chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_micros();
    let two_years_us = 2 * 365 * 24 * 3600 * 1_000_000u64;
    write(
        dir,
        "besoeg",
        DataFrame::new_infer_height(vec![
            Column::new("besoeg_id".into(), (0..visits).map(|i| format!("V{i:09}")).collect::<Vec<_>>()),
            Column::new(
                "borger_id".into(),
                (0..visits).map(|_| ids[rng.below(citizens as u64) as usize].clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "medarbejder_id".into(),
                (0..visits).map(|_| format!("M{:04}", rng.below(3000))).collect::<Vec<_>>(),
            ),
            Column::new(
                "tidspunkt".into(),
                (0..visits)
                    .map(|_| {
                        start_2024 - 365 * 24 * 3600 * 1_000_000 / 2
                            + (rng.below(two_years_us / 1_000_000) * 1_000_000) as i64
                    })
                    .collect::<Vec<_>>(),
            )
            .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
            .unwrap(),
            Column::new("varighed_min".into(), (0..visits).map(|_| 10 + rng.below(50) as i64).collect::<Vec<_>>()),
            Column::new("skaermbesoeg".into(), (0..visits).map(|_| rng.below(10) == 0).collect::<Vec<_>>()),
        ])
        .unwrap(),
    );
}

/// The citizens' kommune and plejeenhed at `end`, as a hand-written query.
fn citizens(dir: &DataSource, end: Expr) -> LazyFrame {
    let latest = scan(dir, "tilknytning").filter(col("start").lt_eq(end.clone())).group_by([col("borger_id")]).agg([
        col("plejeenhed_id").sort_by([col("start")], SortMultipleOptions::default()).last(),
        col("slut").sort_by([col("start")], SortMultipleOptions::default()).last(),
    ]);
    scan(dir, "borgere")
        .select([col("borger_id"), col("kommune_kode"), col("doedsdato")])
        .join(latest, [col("borger_id")], [col("borger_id")], JoinArgs::new(JoinType::Left))
        .with_column(
            when(
                col("slut")
                    .is_not_null()
                    .and(col("slut").lt(end.clone()))
                    .and(col("doedsdato").is_null().or(col("doedsdato").gt(end))),
            )
            .then(lit(Null {}).cast(DataType::String))
            .otherwise(col("plejeenhed_id"))
            .alias("plejeenhed_id"),
        )
        .select([col("borger_id"), col("kommune_kode"), col("plejeenhed_id")])
}

/// The same table the engine reads: validated, and in memory when small
/// (see `kvalitet::data::IN_MEMORY_LIMIT`), so both sides start alike.
fn scan(data: &DataSource, name: &str) -> LazyFrame {
    data.table(name).unwrap()
}

fn date_lit(y: i32, m: u32, d: u32) -> Expr {
    kvalitet::engine::api::date_lit(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

/// Kommune and plejeenhed rows of `frame` (which has kommune_kode and
/// plejeenhed_id) with the given aggregations.
fn by_unit(frame: LazyFrame, aggregations: Vec<Expr>) -> Vec<LazyFrame> {
    ["kommune_kode", "plejeenhed_id"]
        .into_iter()
        .map(|unit| {
            frame
                .clone()
                .filter(col(unit).is_not_null())
                .group_by([col(unit).alias("unit_code")])
                .agg(aggregations.clone())
                .with_column(lit(if unit == "kommune_kode" { "kommune" } else { "plejeenhed" }).alias("unit_level"))
        })
        .collect()
}

/// The three measures written directly in Polars: rows of (measure_id,
/// unit_level, unit_code, numerator, denominator, value).
fn hand_written(dir: &DataSource) -> Vec<DataFrame> {
    let start = date_lit(2024, 1, 1);
    let next = date_lit(2025, 1, 1);
    let end = date_lit(2024, 12, 31);
    let people = citizens(dir, end.clone());
    let visits =
        scan(dir, "besoeg").filter(col("tidspunkt").gt_eq(start.clone()).and(col("tidspunkt").lt(next.clone())));

    // po.4c.skaermbesoeg
    let screen = by_unit(
        visits.clone().join(people.clone(), [col("borger_id")], [col("borger_id")], JoinArgs::new(JoinType::Left)),
        vec![
            col("skaermbesoeg").sum().cast(DataType::Float64).alias("numerator"),
            len().cast(DataType::Float64).alias("denominator"),
        ],
    )
    .into_iter()
    .map(|f| {
        f.with_columns([
            lit("po.4c.skaermbesoeg").alias("measure_id"),
            (col("numerator") / col("denominator") * lit(100.0)).alias("value"),
        ])
    });

    // po.5b.medarbejdere-pr-borger
    let per_citizen = visits.group_by([col("borger_id")]).agg([col("medarbejder_id").n_unique().alias("n")]);
    let staff = by_unit(
        per_citizen.join(people.clone(), [col("borger_id")], [col("borger_id")], JoinArgs::new(JoinType::Left)),
        vec![
            col("n").cast(DataType::Float64).sum().alias("numerator"),
            len().cast(DataType::Float64).alias("denominator"),
            col("n").cast(DataType::Float64).mean().alias("value"),
        ],
    )
    .into_iter()
    .map(|f| f.with_column(lit("po.5b.medarbejdere-pr-borger").alias("measure_id")));

    // po.2a.revurderet-tilstand-6mdr (without exclusions and strata)
    let recipients = scan(dir, "indsatser")
        .filter(
            col("lovgrundlag")
                .is_in(lit(Series::new("l".into(), ["SEL83", "SEL83a"])).implode(false), false)
                .and(col("start").lt_eq(end.clone()))
                .and(col("slut").is_null().or(col("slut").gt_eq(end.clone()))),
        )
        .select([col("borger_id")])
        .unique(None, UniqueKeepStrategy::Any);
    let reassessed = scan(dir, "vurderinger")
        .filter(col("vurderet").gt_eq(date_lit(2024, 7, 1)).and(col("vurderet").lt(next)))
        .join(
            scan(dir, "tilstande").filter(col("omraade").eq(lit("funktionsevne"))),
            [col("tilstand_id")],
            [col("tilstand_id")],
            JoinArgs::new(JoinType::Semi),
        )
        .select([col("borger_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .with_column(lit(true).alias("revurderet"));
    let reassessment = by_unit(
        recipients.join(reassessed, [col("borger_id")], [col("borger_id")], JoinArgs::new(JoinType::Left)).join(
            people,
            [col("borger_id")],
            [col("borger_id")],
            JoinArgs::new(JoinType::Left),
        ),
        vec![
            col("revurderet").fill_null(lit(false)).sum().cast(DataType::Float64).alias("numerator"),
            len().cast(DataType::Float64).alias("denominator"),
        ],
    )
    .into_iter()
    .map(|f| {
        f.with_columns([
            lit("po.2a.revurderet-tilstand-6mdr").alias("measure_id"),
            (col("numerator") / col("denominator") * lit(100.0)).alias("value"),
        ])
    });

    let columns = ["measure_id", "unit_level", "unit_code", "numerator", "denominator", "value"].map(col);
    let plans: Vec<DslPlan> =
        screen.chain(staff).chain(reassessment).map(|f| f.select(columns.clone()).logical_plan).collect();
    LazyFrame::collect_all_with_engine(plans, Engine::Auto, OptFlags::default()).unwrap()
}

const RULES: [(&str, &str); 3] = [
    (
        "po.4c.skaermbesoeg",
        r#"let besoeg = table("besoeg").filter(col("tidspunkt").between(period.start, period.end));
proportion(besoeg.filter(col("skaermbesoeg")), besoeg).key("besoeg_id")"#,
    ),
    (
        "po.5b.medarbejdere-pr-borger",
        r#"let besoeg = table("besoeg").filter(col("tidspunkt").between(period.start, period.end));
mean(besoeg.group_by(["borger_id"]).agg([col("medarbejder_id").n_unique().alias("n")]), "n")"#,
    ),
    (
        "po.2a.revurderet-tilstand-6mdr",
        r#"let modtagere = table("indsatser")
    .filter(col("lovgrundlag").is_in(["SEL83", "SEL83a"]) & active_on(period.end))
    .select(["borger_id"]).unique();
let revurderet = table("vurderinger")
    .filter(col("vurderet").between(period.end - months(6) + days(1), period.end))
    .semi_join(table("tilstande").filter(col("omraade") == "funktionsevne"), "tilstand_id")
    .select(["borger_id"]).unique();
proportion(modtagere.semi_join(revurderet, "borger_id"), modtagere)"#,
    ),
];

fn sorted(frame: DataFrame) -> DataFrame {
    frame
        .lazy()
        .select(["measure_id", "unit_level", "unit_code", "numerator", "denominator", "value"].map(col))
        .sort(["measure_id", "unit_level", "unit_code"], SortMultipleOptions::default())
        .collect()
        .unwrap()
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}

fn main() {
    let rows: usize = std::env::var("KVALITET_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000_000);
    let repeat: usize = std::env::var("KVALITET_BENCH_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let work = tempfile::tempdir().unwrap();
    let data_dir = work.path().join("data");
    let rules_dir = work.path().join("rules");
    std::fs::create_dir_all(&data_dir).unwrap();
    std::fs::create_dir_all(&rules_dir).unwrap();
    let t = Instant::now();
    generate(&data_dir, rows);
    println!("generated {rows} visits in {:.1} s", t.elapsed().as_secs_f64());
    for (id, source) in RULES {
        std::fs::write(rules_dir.join(format!("{id}.rhai")), source).unwrap();
    }

    let t = Instant::now();
    let data = Arc::new(DataSource::open(&data_dir, &Schema::standard()).unwrap());
    assert!(data.problems().is_empty(), "{:?}", data.problems());
    println!("opened and validated the data in {:.1} s (not timed below)", t.elapsed().as_secs_f64());
    let workspace =
        Workspace::with_data(data.clone(), Catalog::standard(), RulesSource::Dir(rules_dir.clone())).unwrap();
    let options = Request::new(vec![Period::parse("2024").unwrap()], vec![UnitLevel::Kommune, UnitLevel::Plejeenhed]);
    let without_statistics =
        Request { statistics: StatisticsOptions { enabled: false, ..Default::default() }, ..options.clone() };
    // The batch case for the cost of statistics: twelve monthly periods.
    let months: Vec<Period> =
        Period::range(options.periods[0].start, options.periods[0].end, kvalitet::engine::PeriodKind::Month);
    let monthly = Request { periods: months.clone(), ..options.clone() };
    let monthly_without = Request { periods: months, ..without_statistics.clone() };
    let run = |request: &Request| {
        let outcome = workspace.run(request, |_| {}).unwrap();
        assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
        outcome.results.to_frame()
    };
    let through_engine = || run(&without_statistics);
    let direct = || {
        let mut all = hand_written(&data).into_iter();
        let mut first = all.next().unwrap();
        for frame in all {
            first.vstack_mut(&frame).unwrap();
        }
        first
    };

    // Same numbers on both sides first.
    let t = Instant::now();
    let ours = sorted(through_engine());
    println!("first run through the engine: {:.2} s", t.elapsed().as_secs_f64());
    let theirs = sorted(direct());
    assert_eq!(ours.height(), theirs.height());
    for column in ["measure_id", "unit_level", "unit_code", "numerator", "denominator"] {
        assert!(ours.column(column).unwrap().equals_missing(theirs.column(column).unwrap()), "column {column} differs");
    }

    let (mut engine_times, mut direct_times) = (Vec::new(), Vec::new());
    let (mut monthly_times, mut monthly_statistics_times) = (Vec::new(), Vec::new());
    for _ in 0..repeat {
        let t = Instant::now();
        std::hint::black_box(through_engine());
        engine_times.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(direct());
        direct_times.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(run(&monthly_without));
        monthly_times.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(run(&monthly));
        monthly_statistics_times.push(t.elapsed().as_secs_f64());
        println!(
            "  round: engine {:.2} s, Polars {:.2} s, monthly {:.2} s, monthly with statistics {:.2} s",
            engine_times.last().unwrap(),
            direct_times.last().unwrap(),
            monthly_times.last().unwrap(),
            monthly_statistics_times.last().unwrap()
        );
    }
    // Rhai alone: compiling and evaluating the three scripts.
    let t = Instant::now();
    let engine = workspace.engine();
    for rule in engine.load_rules().unwrap().iter().flatten() {
        std::hint::black_box(engine.evaluate(rule, &options.periods[0]).unwrap());
    }
    let rhai = t.elapsed().as_secs_f64();

    let (e, d) = (median(engine_times), median(direct_times));
    let (m, s) = (median(monthly_times), median(monthly_statistics_times));
    println!("three rules, {rows} visits, kommune + plejeenhed, year 2024, median of {repeat} runs each:");
    println!("  through kvalitet (Rhai + runner): {e:.3} s");
    println!("  hand-written Polars:               {d:.3} s");
    println!("  ratio:                             {:.3}", e / d);
    println!("batch of the three rules over 12 monthly periods of 2024:");
    println!("  without statistics:                {m:.3} s");
    println!("  with statistics:                   {s:.3} s (CI, suppression, markers, SPC; includes the lead month)");
    println!("  ratio:                             {:.3}", s / m);
    println!("  Rhai compile + evaluate alone:     {:.2} ms", rhai * 1000.0);
}
