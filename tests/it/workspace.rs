//! The library as the faces call it: notebook cells with a persistent
//! scope, one rule evaluated, the members behind a number, and results read
//! back from disk with their statistics recomputed.

use crate::common::{demo_results, repo, workspace};
use kvalitet::Error;
use kvalitet::engine::{Period, PeriodKind};
use kvalitet::polars::prelude::AnyValue;
use kvalitet::results::statistics::{self, Earlier, Settings};
use kvalitet::results::{ResultRow, Results, StatisticsOptions, UnitLevel};
use kvalitet::workspace::session::{Session, Value};
use kvalitet::workspace::{Execution, Request, Sources, Workspace};
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

fn session() -> Session {
    Session::new(workspace(&repo("tests/fixtures/small"), &repo("rules")))
}

#[test]
fn cells_share_a_scope_and_return_their_last_value() {
    let mut session = session();
    // Cell 1: a variable and a function, nothing to show.
    assert!(matches!(session.eval("let dato = date(2024, 3, 31);\nfn dobbelt(x) { x * 2 }").unwrap(), Value::Nothing));
    // Cell 2: both are still there. B01 … B10 are 10 citizens; ages on
    // 2024-03-31 (rules.rs): 80 or older are B01 B03 B04 B07 B08 B10 → 6,
    // doubled by the function from cell 1: 12.
    let value = session.eval("let alle = table(\"borgere\");\ndobbelt(6)").unwrap();
    assert!(matches!(value, Value::Integer(12)), "{value:?}");
    // Cell 3: a table built from cell 2's variable and cell 1's date: the
    // citizens who died on or before 2024-03-31 are B07 (03-15) and B10
    // (2024-01-10).
    let value = session.eval("alle.filter(col(\"doedsdato\") <= dato).select([\"borger_id\"])").unwrap();
    let Value::Table(table) = value else { panic!("expected a table, got {value:?}") };
    let frame = table.frame.clone().sort(["borger_id"], Default::default()).collect().unwrap();
    let ids: Vec<&str> = frame.column("borger_id").unwrap().str().unwrap().iter().flatten().collect();
    assert_eq!(ids, ["B07", "B10"]);
    assert!(session.variables().contains(&"alle".to_string()));
}

#[test]
fn a_cell_error_names_the_cell_line_and_column() {
    let mut session = session();
    session.eval("let x = 1;").unwrap();
    let Err(Error::Rule(e)) = session.eval("let y = 2;\nlet z = table(\"borgere\").filter(col(\"alderx\") > 1);")
    else {
        panic!("expected a rule error")
    };
    assert_eq!(e.path.display().to_string(), "cell 2");
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.column.is_some(), "{e}");
    assert!(e.message.contains("alderx"), "{e}");
    // The session goes on.
    assert!(matches!(session.eval("x + 1").unwrap(), Value::Integer(2)));
}

#[test]
fn a_cell_ending_in_a_measure_keeps_its_period() {
    let mut session = session();
    let value =
        session.eval("period = period(\"2024-03\");\ncount(table(\"uth\").filter(col(\"dato\").within(period)))");
    let Ok(Value::Measure(measure, period)) = value else { panic!("expected a measure, got {value:?}") };
    assert_eq!(period.label(), "2024-03");
    assert_eq!(measure.kind.name(), "count");
}

#[test]
fn print_goes_to_the_session_output() {
    let mut session = session();
    let printed = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = printed.clone();
    session.on_print(move |text| sink.borrow_mut().push(text.to_string()));
    session.eval("print(\"hej\");\nprint(40 + 2);").unwrap();
    assert_eq!(*printed.borrow(), ["hej", "42"]);
}

#[test]
fn an_interrupted_cell_stops_and_the_next_one_runs() {
    let mut session = session();
    let flag = session.interrupt_flag();
    let raise = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        flag.store(true, Ordering::Relaxed);
    });
    let started = std::time::Instant::now();
    let result = session.eval("let n = 0;\nloop { n += 1; }");
    raise.join().unwrap();
    assert!(matches!(result, Err(Error::Interrupted)), "{result:?}");
    assert!(started.elapsed().as_secs_f64() < 30.0);
    // The flag was lowered when the interrupted cell ended.
    assert!(!session.interrupt_flag().load(Ordering::Relaxed));
    assert!(matches!(session.eval("1 + 1").unwrap(), Value::Integer(2)));
}

#[test]
fn one_rule_evaluated_for_a_range_of_periods() {
    let workspace = workspace(&repo("tests/fixtures/small"), &repo("rules"));
    let rule = workspace.rule("po.4c.skaermbesoeg").unwrap();
    let quarter = Period::parse("2024-Q1").unwrap();
    let mut request =
        Request::new(Period::range(quarter.start, quarter.end, PeriodKind::Month), vec![UnitLevel::Kommune]);
    request.statistics.enabled = false;
    let results = workspace.evaluate(rule, &request).unwrap();
    // Kommune 461 (fixture besoeg.csv): January no visits (no row),
    // February 0/1 (I01 by V10), March 3 of the 5 indsatser visited.
    let counts: Vec<(String, Option<f64>, Option<f64>)> =
        results.rows.iter().map(|r| (r.period.label(), r.numerator, r.denominator)).collect();
    assert_eq!(counts, [("2024-02".to_string(), Some(0.0), Some(1.0)), ("2024-03".to_string(), Some(3.0), Some(5.0))]);
    assert!(results.rows.iter().all(|r| r.provenance.rule_sha256 == rule.sha256));
    // An unknown id suggests the close ones.
    let Err(error) = workspace.rule("po.4c.skaermbesog") else { panic!("expected an error") };
    assert!(error.to_string().contains("did you mean po.4c.skaermbesoeg"), "{error}");
}

#[test]
fn members_behind_a_number() {
    let workspace = workspace(&repo("tests/fixtures/small"), &repo("rules"));
    let rule = workspace.rule("po.2a.revurderet-tilstand-6mdr").unwrap();
    let period = Period::parse("2024-03").unwrap();
    let members = workspace.members(rule, &period, UnitLevel::Plejeenhed, Some("PE2")).unwrap();
    // PE2 on 2024-03-31: B03 B04 B08 in the denominator, B03 and B08
    // reassessed (rules.rs): 2 / 3, nobody excluded (B07 who died is PE1's).
    let counts = members.counts.unwrap();
    assert_eq!((counts.numerator, counts.denominator, counts.excluded, counts.exceptions), (2, 3, 0, 0));
    let ids: Vec<&str> = members.listing.column("borger_id").unwrap().str().unwrap().iter().flatten().collect();
    assert_eq!(ids, ["B03", "B04", "B08"]);
}

#[test]
fn rows_read_back_share_one_copy_of_each_label() {
    // Nationally a run has millions of rows and a few thousand distinct
    // measure ids, units and strata: each text is stored once, not per row.
    let stored = Results::read(&demo_results().join("results.parquet")).unwrap();
    type Text = fn(&ResultRow) -> &str;
    let fields: [(&str, Text); 4] = [
        ("measure_id", |r| r.measure_id.as_str()),
        ("unit_code", |r| r.unit_code.as_str()),
        ("unit_name", |r| r.unit_name.as_str()),
        ("stratum", |r| r.stratum.as_str()),
    ];
    for (field, text) in fields {
        let distinct: BTreeSet<&str> = stored.rows.iter().map(text).collect();
        let copies: BTreeSet<*const u8> = stored.rows.iter().map(|r| text(r).as_ptr()).collect();
        assert!(distinct.len() > 1, "{field}: the demo has more than one");
        assert_eq!(copies.len(), distinct.len(), "{field}: one copy per distinct text");
    }
    assert!(stored.rows.len() > 1000);
}

#[test]
fn a_results_row_without_its_unit_is_named_by_row_and_column() {
    use kvalitet::polars::prelude::*;
    let path = demo_results().join("results.parquet");
    let frame = ParquetReader::new(std::fs::File::open(&path).unwrap()).finish().unwrap();
    // Row 3 (index 2) loses its unit_code.
    let blanked = frame
        .lazy()
        .with_row_index("__i", None)
        .with_column(when(col("__i").eq(lit(2))).then(lit(NULL)).otherwise(col("unit_code")).alias("unit_code"))
        .drop(cols(["__i"]))
        .collect()
        .unwrap();
    let error = kvalitet::results::from_frame(&blanked).unwrap_err();
    assert_eq!(error, "row 3: column unit_code: empty, expected a value");
}

#[test]
fn results_read_back_recompute_the_same_statistics() {
    // The demo's results (Læsø, 2025, every rule, every month and level)
    // as run wrote them, read back as typed rows.
    let dir = demo_results();
    let stored = Results::read(&dir.join("results.parquet")).unwrap();
    assert!(stored.has_statistics());
    // Recompute from the counts alone: strip every statistic and run the
    // pass again with the catalogue's settings.
    let workspace = Workspace::open(&Sources::standard(dir.join("data"))).unwrap();
    let stripped: Vec<_> = stored
        .rows
        .iter()
        .cloned()
        .map(|mut row| {
            row.statistics = None;
            row.value = row.computed_value();
            row
        })
        .collect();
    let settings = Settings::from_catalog(workspace.catalog(), PeriodKind::Month);
    let recomputed = statistics::apply(
        stripped,
        &Earlier::default(),
        &workspace.parents().unwrap(),
        &settings,
        &StatisticsOptions::default(),
    );
    let (mut intervals, mut runs) = (0, 0);
    for (stored, again) in stored.rows.iter().zip(&recomputed) {
        let (a, b) = (stored.statistics.as_ref().unwrap(), again.statistics.as_ref().unwrap());
        let key = format!(
            "{} {} {} {} {}",
            stored.measure_id,
            stored.period,
            stored.unit_level.name(),
            stored.unit_code,
            stored.stratum
        );
        // Wilson intervals of proportions, bit for bit.
        if a.ci_method == Some(kvalitet::stats::CiMethod::Wilson) && a.ci_low.is_some() {
            assert_eq!((a.ci_low, a.ci_high), (b.ci_low, b.ci_high), "{key}");
            intervals += 1;
        }
        // The run chart's signal and median over the 12 months.
        assert_eq!(a.spc.run_signal, b.spc.run_signal, "{key}");
        assert_eq!(a.spc.median, b.spc.median, "{key}");
        runs += usize::from(a.spc.run_signal.is_some());
        assert_eq!(a.suppression_reason, b.suppression_reason, "{key}");
    }
    assert!(intervals > 100 && runs > 100, "{intervals} intervals and {runs} run signals compared");
}

/// A batch run lets go of the tables it held once its rules have run;
/// plans made after that scan them from their files and give the same rows.
#[test]
fn a_run_that_let_go_of_its_tables_gives_the_same_rows_again() {
    let workspace = workspace(&demo_results().join("data"), &repo("rules"));
    let plan = |table: &str| workspace.data().get(table).unwrap().frame().describe_plan().unwrap();
    assert!(plan("borgere").starts_with("DF"), "held in memory: {}", plan("borgere"));
    let mut request = Request::new(vec![Period::parse("2025-02").unwrap()], UnitLevel::ALL.to_vec());
    request.run_id = Some("same".to_string());
    request.release_tables = true;
    let first = workspace.run(&request, |_| {}).expect("run");
    assert!(plan("borgere").contains("SCAN"), "scanned from its file: {}", plan("borgere"));
    let again = workspace.run(&request, |_| {}).expect("run");
    assert!(first.failures.is_empty(), "{:?}", first.failures);
    assert!(first.results.rows.len() > 500, "every rule for Læsø, one month: {}", first.results.rows.len());
    assert_eq!(first.results.rows, again.results.rows);
}

/// Plan by plan on Polars' streaming engine (what a run chooses on
/// national data) gives the rows that every period's plans together on the
/// in-memory engine give: every built-in rule over Læsø's first quarter,
/// at every level, statistics on.
#[test]
fn plan_by_plan_on_the_streaming_engine_gives_the_rows_of_together() {
    let workspace = workspace(&demo_results().join("data"), &repo("rules"));
    let run = |execution: Execution| {
        let request = Request {
            periods: Period::range(
                Period::parse("2025-01").unwrap().start,
                Period::parse("2025-03").unwrap().end,
                PeriodKind::Month,
            ),
            levels: UnitLevel::ALL.to_vec(),
            statistics: StatisticsOptions::default(),
            settings: None,
            history: Vec::new(),
            run_id: Some("same".to_string()),
            up_to_date: Default::default(),
            execution: Some(execution),
            release_tables: false,
        };
        let outcome = workspace.run(&request, |_| {}).expect("run");
        assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
        let keys = ["measure_id", "period_start", "unit_level", "unit_code", "stratum"];
        outcome.results.to_frame().sort(keys, Default::default()).expect("sort")
    };
    let (together, plan_by_plan) = (run(Execution::Together), run(Execution::PlanByPlan));
    // Every measure of the catalogue with a rule has rows in three months.
    assert!(together.height() > 1000, "{together}");
    // Sums of decimals may add up in another order (the last bit of a mean
    // measure's numerator); everything else is equal exactly.
    let same = |a: &AnyValue, b: &AnyValue| match (a, b) {
        (AnyValue::Float64(x), AnyValue::Float64(y)) => (x - y).abs() <= 1e-12 * x.abs().max(1.0),
        _ => a == b,
    };
    assert_eq!(together.height(), plan_by_plan.height());
    for (a, b) in together.columns().iter().zip(plan_by_plan.columns()) {
        let differ: Vec<String> = (0..a.len())
            .filter(|&i| !same(&a.get(i).unwrap(), &b.get(i).unwrap()))
            .take(3)
            .map(|i| {
                format!(
                    "{:?}: {} against {}",
                    &together.get_row(i).unwrap().0[..5],
                    a.get(i).unwrap(),
                    b.get(i).unwrap()
                )
            })
            .collect();
        assert!(differ.is_empty(), "column {} differs:\n{}", a.name(), differ.join("\n"));
    }
}
