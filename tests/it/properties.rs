//! Property-based tests that hunt for panics and broken invariants: the CSV
//! loader on arbitrary and mutated files, the rule compiler on arbitrary
//! and mutated rules, the catalogue parser on mutated TOML, suppression on
//! generated unit hierarchies and breakdowns, and the intervals.
//!
//! In CI each property runs a bounded number of cases from a fixed seed.
//! Run them longer (and from other seeds) with, for example:
//!
//! ```sh
//! KVALITET_PROPTEST_CASES=5000 KVALITET_PROPTEST_SEED=$RANDOM cargo test --release --test it properties
//! ```

use crate::common::repo;
use kvalitet::catalog::{Catalog, CatalogError};
use kvalitet::data::{DataSource, Schema};
use kvalitet::engine::{Limits, MeasureKind, Period, RuleEngine, RulesSource};
use kvalitet::results::statistics::{self, Earlier, MeasureSettings, Parents, Settings};
use kvalitet::results::{ResultRow, StatisticsOptions, UnitLevel};
use kvalitet::stats::SuppressionReason;
use kvalitet::stats::interval;
use kvalitet::stats::suppression::Thresholds;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// `cases` cases from a fixed seed, unless the environment asks for more
/// (`KVALITET_PROPTEST_CASES`) or another seed (`KVALITET_PROPTEST_SEED`).
fn config(cases: u32) -> Config {
    let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    Config {
        cases: number("KVALITET_PROPTEST_CASES").map_or(cases, |n| n as u32),
        rng_seed: RngSeed::Fixed(number("KVALITET_PROPTEST_SEED").unwrap_or(20_261_125)),
        failure_persistence: None,
        ..Config::default()
    }
}

// ----------------------------------------------------------------- CSV --

/// A change a broken export makes to a file.
#[derive(Debug, Clone)]
enum Mutation {
    DropByte(usize),
    InsertByte(usize, u8),
    StrayQuote(usize),
    Latin1(usize),
    HugeField(usize, usize),
    DuplicateLine(usize),
    DropLineBreak(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DropByte),
        (any::<usize>(), prop::sample::select(b";,\t\n\r\"x0-".to_vec()))
            .prop_map(|(at, b)| Mutation::InsertByte(at, b)),
        any::<usize>().prop_map(Mutation::StrayQuote),
        any::<usize>().prop_map(Mutation::Latin1),
        (any::<usize>(), 1_000usize..200_000).prop_map(|(at, n)| Mutation::HugeField(at, n)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        any::<usize>().prop_map(Mutation::DropLineBreak),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
        match *m {
            Mutation::DropByte(i) if !bytes.is_empty() => {
                let i = at(i, bytes.len());
                bytes.remove(i);
            }
            Mutation::InsertByte(i, b) => {
                let i = at(i, bytes.len() + 1);
                bytes.insert(i, b);
            }
            Mutation::StrayQuote(i) => {
                let i = at(i, bytes.len() + 1);
                bytes.insert(i, b'"');
            }
            Mutation::Latin1(i) => {
                // ø in Latin-1: not valid UTF-8 on its own.
                let i = at(i, bytes.len() + 1);
                bytes.insert(i, 0xF8);
            }
            Mutation::HugeField(i, n) => {
                let i = at(i, bytes.len() + 1);
                bytes.splice(i..i, std::iter::repeat_n(b'7', n));
            }
            Mutation::DuplicateLine(i) => {
                let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
                let line = lines[at(i, lines.len())].to_vec();
                bytes.extend_from_slice(b"\n");
                bytes.extend_from_slice(&line);
            }
            Mutation::DropLineBreak(i) => {
                let breaks: Vec<usize> =
                    bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(k, _)| k).collect();
                if !breaks.is_empty() {
                    bytes.remove(breaks[at(i, breaks.len())]);
                }
            }
            Mutation::DropByte(_) => {}
        }
    }
    bytes
}

/// Opens a data directory holding one file, `name`, with `bytes`: the table
/// loads, or every problem names the file. Nothing panics.
fn load(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let data = DataSource::open(dir.path(), &Schema::standard()).expect("the directory is readable");
    let table = name.trim_end_matches(".csv");
    for problem in data.problems() {
        prop_assert_eq!(&problem.file, &path, "{}", problem);
        prop_assert!(!problem.message.is_empty());
        // A huge field never floods the message.
        prop_assert!(problem.to_string().len() < 2_000, "{} bytes", problem.to_string().len());
    }
    // Either the table loaded, or it is refused with a problem (or the
    // file was not taken for a table at all).
    prop_assert!(data.get(table).is_some() == data.problems().is_empty() || data.table_names().is_empty());
    Ok(())
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn csv_loader_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        load("uth.csv", &bytes)?;
        load("lokal.csv", &bytes)?;
    }

    #[test]
    fn csv_loader_on_broken_exports(
        file in prop::sample::select(vec!["uth.csv", "borgere.csv", "besoeg.csv", "triage.csv"]),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let fixture = std::fs::read(repo("tests/fixtures/small").join(file)).unwrap();
        load(file, &mutate(fixture, &mutations))?;
    }
}

// --------------------------------------------------------------- rules --

/// The words rules are made of, for rules made at random.
const WORDS: [&str; 44] = [
    "let x = ",
    "table(\"uth\")",
    "table(\"borgere\")",
    "table(\"besoeg\")",
    ".filter(",
    ".select([\"borger_id\"])",
    ".unique()",
    ".join(",
    ".semi_join(",
    ".group_by([\"borger_id\"])",
    ".agg([",
    "col(\"dato\")",
    "col(\"borger_id\")",
    "col(\"type\")",
    "period.start",
    "period.end",
    "months(6)",
    "days(7)",
    ".within(period)",
    "proportion(",
    "rate(",
    "count(",
    "mean(",
    "median(",
    ".strata([\"alle\", \"80+\"])",
    ".breakdown(\"type\")",
    " == ",
    " & ",
    " | ",
    " - ",
    "!",
    "(",
    ")",
    "[",
    "]",
    ", ",
    ";\n",
    "\"fald\"",
    "42",
    "x",
    "fn f(p) { ",
    "} ",
    "import \"borgere\" as b;\n",
    "b::i_live(period.end)",
];

fn rule_engine() -> RuleEngine {
    let data = DataSource::open(&repo("tests/fixtures/small"), &Schema::standard()).unwrap();
    RuleEngine::new(Arc::new(data), RulesSource::Dir(repo("rules")), Limits::default())
}

/// Compiles and evaluates `source`: a measure, or an error with a line and
/// column. Nothing panics.
fn compile_and_evaluate(engine: &RuleEngine, source: &str) -> Result<(), TestCaseError> {
    let period = Period::parse("2024-03").unwrap();
    let outcome = engine
        .compile(Path::new("rules/test.tilfaeldig.rhai"), source.to_string())
        .and_then(|rule| engine.evaluate(&rule, &period));
    if let Err(error) = outcome {
        prop_assert!(error.line.is_some() && error.column.is_some(), "no position: {}\n{}", error, source);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn rules_made_of_random_words(words in prop::collection::vec(prop::sample::select(WORDS.to_vec()), 0..30)) {
        compile_and_evaluate(&rule_engine(), &words.concat())?;
    }

    #[test]
    fn rules_broken_by_an_editor(
        rule in prop::sample::select(std::fs::read_dir(repo("rules")).unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
            .collect::<Vec<_>>()),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let source = String::from_utf8_lossy(&mutate(std::fs::read(&rule).unwrap(), &mutations)).into_owned();
        compile_and_evaluate(&rule_engine(), &source)?;
    }

    #[test]
    fn arbitrary_text_as_a_rule(source in "\\PC{0,200}") {
        compile_and_evaluate(&rule_engine(), &source)?;
    }
}

// ----------------------------------------------------------- catalogue --

/// A copy of `catalog/` with `file` replaced by `text`.
fn catalogue_with(file: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
            }
        }
    };
    copy(&repo("catalog"), dir.path());
    copy(&repo("catalog/areas"), &dir.path().join("areas"));
    copy(&repo("catalog/benchmarks"), &dir.path().join("benchmarks"));
    std::fs::write(dir.path().join(file), text).unwrap();
    dir
}

fn single_errors(error: &CatalogError) -> Vec<&CatalogError> {
    error.problems()
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn catalogue_files_broken_by_an_editor(
        file in prop::sample::select(vec!["areas/demens.toml", "areas/sygepleje.toml", "nationale-maal.toml", "kommuner.toml", "datakilder.toml"]),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let text = String::from_utf8_lossy(&mutate(std::fs::read(repo("catalog").join(file)).unwrap(), &mutations)).into_owned();
        let dir = catalogue_with(file, &text);
        if let Err(error) = Catalog::load(dir.path()) {
            for problem in single_errors(&error) {
                // Every error names the catalogue file it is about.
                let shown = problem.to_string();
                prop_assert!(shown.starts_with(&dir.path().display().to_string()), "{}", shown);
            }
        }
    }
}

// --------------------------------------------------------- suppression --

/// A generated kommune: its plejeenheder's (numerator, denominator), and
/// citizens outside any plejeenhed.
#[derive(Debug, Clone)]
struct GeneratedKommune {
    units: Vec<(u64, u64)>,
    outside: (u64, u64),
}

fn cell() -> impl Strategy<Value = (u64, u64)> {
    (0u64..60).prop_flat_map(|n| (0..=n, Just(n)))
}

fn kommune() -> impl Strategy<Value = GeneratedKommune> {
    (prop::collection::vec(cell(), 0..5), prop_oneof![Just((0, 0)), cell()])
        .prop_map(|(units, outside)| GeneratedKommune { units, outside })
}

fn row(level: UnitLevel, unit: &str, stratum: &str, kind: MeasureKind, (x, n): (u64, u64)) -> ResultRow {
    let (numerator, denominator, value) = match kind {
        MeasureKind::Count => (x as f64, None, Some(x as f64)),
        _ => (x as f64, Some(n as f64), (n > 0).then(|| x as f64 / n as f64 * 100.0)),
    };
    ResultRow {
        measure_id: "test.maal".into(),
        period: Period::parse("2024-03").unwrap(),
        unit_level: level,
        unit_code: unit.into(),
        unit_name: unit.into(),
        stratum: stratum.into(),
        numerator: Some(numerator),
        denominator,
        value,
        kind,
        value_sd: None,
        median_values: None,
        provenance: Default::default(),
        statistics: None,
    }
}

/// The bounds a reader knows of a hidden cell from its reason, for the
/// numerator, the denominator and the complement (thresholds 20 and 5).
fn bounds(reason: SuppressionReason) -> [(u64, u64); 3] {
    const MANY: u64 = u64::MAX / 4;
    match reason {
        SuppressionReason::DenominatorBelow(t) => [(0, t - 1), (0, t - 1), (0, t - 1)],
        SuppressionReason::NumeratorBelow(t) => [(0, t - 1), (20, MANY), (0, MANY)],
        SuppressionReason::Complementary => [(0, MANY), (0, MANY), (0, MANY)],
    }
}

/// Whether a hidden child of a published total is pinned to one value by
/// the published cells and the other hidden cells' bounds (for each of
/// numerator, denominator, complement): the interval argument that is exact
/// for sums under box constraints.
fn recoverable(
    total: (u64, u64),
    visible: &[(u64, u64)],
    hidden: &[((u64, u64), SuppressionReason)],
    quantities: usize,
) -> bool {
    let value = |c: (u64, u64), q: usize| [c.0, c.1, c.1 - c.0][q];
    (0..quantities).any(|q| {
        let sum = value(total, q) - visible.iter().map(|c| value(*c, q)).sum::<u64>();
        hidden.iter().enumerate().any(|(i, _)| {
            let others_low: u64 =
                hidden.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, h)| bounds(h.1)[q].0).sum();
            let others_high: u64 =
                hidden.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, h)| bounds(h.1)[q].1).sum();
            let (low, high) = bounds(hidden[i].1)[q];
            let from = low.max(sum.saturating_sub(others_high));
            let to = high.min(sum.saturating_sub(others_low));
            from == to
        })
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn no_suppressed_cell_is_recoverable_by_subtraction(kommuner in prop::collection::vec(kommune(), 1..4)) {
        // One region, its kommuner, their plejeenheder; a proportion.
        let mut rows = Vec::new();
        let mut parents = Parents::new();
        let (mut region_x, mut region_n) = (0, 0);
        for (k, kommune) in kommuner.iter().enumerate() {
            let code = format!("K{k}");
            parents.insert(UnitLevel::Kommune, code.clone(), (UnitLevel::Region, "R".into()));
            let (mut x, mut n) = kommune.outside;
            for (u, &(ux, un)) in kommune.units.iter().enumerate() {
                let unit = format!("K{k}-P{u}");
                parents.insert(UnitLevel::Plejeenhed, unit.clone(), (UnitLevel::Kommune, code.clone()));
                rows.push(row(UnitLevel::Plejeenhed, &unit, "alle", MeasureKind::Proportion, (ux, un)));
                x += ux;
                n += un;
            }
            if n > 0 {
                rows.push(row(UnitLevel::Kommune, &code, "alle", MeasureKind::Proportion, (x, n)));
            }
            region_x += x;
            region_n += n;
        }
        prop_assume!(region_n > 0);
        rows.push(row(UnitLevel::Region, "R", "alle", MeasureKind::Proportion, (region_x, region_n)));
        rows.retain(|r| r.denominator.is_some_and(|n| n > 0.0));
        check_no_recovery(rows, &parents, &[])?;
    }

    #[test]
    fn no_suppressed_breakdown_is_recoverable_from_its_total(types in prop::collection::vec(0u64..40, 1..6)) {
        // A count broken down by type (type=a, type=b …) next to its total.
        let mut rows: Vec<ResultRow> = types
            .iter()
            .enumerate()
            .map(|(i, &x)| row(UnitLevel::Kommune, "K", &format!("type={i}"), MeasureKind::Count, (x, x)))
            .collect();
        let total: u64 = types.iter().sum();
        rows.push(row(UnitLevel::Kommune, "K", "alle", MeasureKind::Count, (total, total)));
        check_no_recovery(rows, &Parents::new(), &types)?;
    }
}

/// Applies the statistics with the report's thresholds, then checks every
/// family (a unit and its children; a total and its breakdown) with a
/// published total: no hidden child is pinned.
fn check_no_recovery(rows: Vec<ResultRow>, parents: &Parents, breakdown: &[u64]) -> Result<(), TestCaseError> {
    let catalog = Catalog::standard();
    let settings = Settings::new(HashMap::new(), MeasureSettings::defaults(&catalog));
    let apply = |rows: Vec<ResultRow>| {
        statistics::apply(rows, &Earlier::default(), parents, &settings, &StatisticsOptions::default())
    };
    let reversed: Vec<ResultRow> = rows.iter().rev().cloned().collect();
    let out = apply(rows);
    // The order the rows come in (from Polars, in no set order) does not
    // change what is suppressed.
    let suppression = |rows: &[ResultRow]| -> std::collections::BTreeMap<(String, String), Option<SuppressionReason>> {
        rows.iter()
            .map(|r| {
                (
                    (r.unit_code.to_string(), r.stratum.to_string()),
                    r.statistics.as_ref().and_then(|s| s.suppression_reason),
                )
            })
            .collect()
    };
    prop_assert_eq!(suppression(&out), suppression(&apply(reversed)));
    let counts = |r: &ResultRow| match r.kind {
        MeasureKind::Count => (r.numerator.unwrap() as u64, r.numerator.unwrap() as u64),
        _ => (r.numerator.unwrap() as u64, r.denominator.unwrap() as u64),
    };
    let hidden = |r: &ResultRow| r.statistics.as_ref().and_then(|s| s.suppression_reason);
    let mut families: Vec<(&ResultRow, Vec<&ResultRow>)> = Vec::new();
    for parent in &out {
        let children: Vec<&ResultRow> = if breakdown.is_empty() {
            out.iter()
                .filter(|c| {
                    parents.get(c.unit_level, &c.unit_code) == Some(&(parent.unit_level, parent.unit_code.to_string()))
                })
                .collect()
        } else if parent.stratum == "alle" {
            out.iter().filter(|c| c.stratum.starts_with("type=")).collect()
        } else {
            continue;
        };
        if !children.is_empty() {
            families.push((parent, children));
        }
    }
    for (parent, children) in families {
        if hidden(parent).is_some() {
            continue;
        }
        let visible: Vec<(u64, u64)> = children.iter().filter(|c| hidden(c).is_none()).map(|c| counts(c)).collect();
        let secret: Vec<((u64, u64), SuppressionReason)> =
            children.iter().filter_map(|c| hidden(c).map(|h| (counts(c), h))).collect();
        // The part of the total outside every child is known to a reader.
        let (cx, cn) = children.iter().map(|c| counts(c)).fold((0, 0), |(a, b), (x, n)| (a + x, b + n));
        let (px, pn) = counts(parent);
        let mut visible = visible;
        visible.push((px - cx, pn - cn));
        // A count is one number: only its numerator can be given away.
        let quantities = if parent.kind == MeasureKind::Count { 1 } else { 3 };
        prop_assert!(
            secret.is_empty() || !recoverable((px, pn), &visible, &secret, quantities),
            "{} {} published ({}, {}) gives away a hidden child: visible {:?}, hidden {:?}",
            parent.unit_code,
            parent.stratum,
            px,
            pn,
            visible,
            secret
        );
    }
    Ok(())
}

// ----------------------------------------------------------- intervals --

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn proportion_intervals_hold_the_value_within_0_and_1_and_grow_with_the_level(
        (x, n) in (1u64..5_000).prop_flat_map(|n| (0..=n, Just(n))),
        level in 0.5f64..0.995,
        wider in 0.001f64..0.004,
    ) {
        let p = x as f64 / n as f64;
        for method in [interval::wilson, interval::clopper_pearson] {
            let ci = method(x, n, level).unwrap();
            prop_assert!(0.0 <= ci.low && ci.low <= p + 1e-12 && p - 1e-12 <= ci.high && ci.high <= 1.0, "{ci:?} for {x}/{n}");
            let outer = method(x, n, level + wider).unwrap();
            prop_assert!(outer.low <= ci.low + 1e-12 && ci.high <= outer.high + 1e-12, "{outer:?} inside {ci:?}");
        }
    }

    #[test]
    fn count_and_rate_intervals_hold_the_value_and_grow_with_the_level(
        x in 0u64..10_000,
        exposure in 1.0f64..1e6,
        level in 0.5f64..0.995,
        wider in 0.001f64..0.004,
    ) {
        let ci = interval::poisson_exact(x, level).unwrap();
        prop_assert!(0.0 <= ci.low && ci.low <= x as f64 && x as f64 <= ci.high, "{ci:?} for {x}");
        let outer = interval::poisson_exact(x, level + wider).unwrap();
        prop_assert!(outer.low <= ci.low + 1e-9 && ci.high <= outer.high + 1e-9);
        let rate = x as f64 / exposure * 1000.0;
        let ci = interval::rate_interval(x, exposure, 1000.0, level).unwrap();
        prop_assert!(ci.low <= rate * (1.0 + 1e-12) && rate <= ci.high * (1.0 + 1e-12), "{ci:?} for {rate}");
    }

    #[test]
    fn median_intervals_are_order_statistics_around_the_median(
        mut values in prop::collection::vec(0.0f64..1_000.0, 1..300),
        level in 0.5f64..0.99,
    ) {
        values.sort_by(|a, b| a.total_cmp(b));
        let median = kvalitet::stats::spc::median(&values).unwrap();
        if let Some(ci) = interval::median_interval(&values, level) {
            prop_assert!(ci.interval.low <= median && median <= ci.interval.high, "{ci:?} for {median}");
            prop_assert!(values.contains(&ci.interval.low) && values.contains(&ci.interval.high));
        }
    }
}

// ------------------------------------------ cases the properties found --

/// Kommune K0 (6 of 21) has one plejeenhed, P0 (0 of 1), and 20 citizens
/// outside any plejeenhed, whom a reader can count. P0 is hidden (nævner
/// under 20), but K0 minus those 20 gives it away, and no sibling can be
/// hidden instead: K0 must be hidden, and then region R (= K0) too.
#[test]
fn a_unit_given_away_by_citizens_outside_every_unit_hides_its_parent() {
    let mut parents = Parents::new();
    parents.insert(UnitLevel::Plejeenhed, "K0-P0", (UnitLevel::Kommune, "K0".into()));
    parents.insert(UnitLevel::Kommune, "K0", (UnitLevel::Region, "R".into()));
    let rows = vec![
        row(UnitLevel::Plejeenhed, "K0-P0", "alle", MeasureKind::Proportion, (0, 1)),
        row(UnitLevel::Kommune, "K0", "alle", MeasureKind::Proportion, (6, 21)),
        row(UnitLevel::Region, "R", "alle", MeasureKind::Proportion, (6, 21)),
    ];
    let catalog = Catalog::standard();
    let settings = Settings::new(HashMap::new(), MeasureSettings::defaults(&catalog));
    let out = statistics::apply(rows, &Earlier::default(), &parents, &settings, &StatisticsOptions::default());
    let reasons: Vec<Option<SuppressionReason>> =
        out.iter().map(|r| r.statistics.as_ref().unwrap().suppression_reason).collect();
    assert_eq!(
        reasons,
        [
            Some(SuppressionReason::DenominatorBelow(20)),
            Some(SuppressionReason::Complementary),
            Some(SuppressionReason::Complementary)
        ]
    );
}

/// UTH by type in one kommune: fald 3 (count under 5: hidden) and
/// medicinering 10, total 13 published — 13 − 10 gives fald away, so
/// medicinering is hidden too.
#[test]
fn a_breakdown_value_is_protected_against_its_total() {
    let rows = vec![
        row(UnitLevel::Kommune, "K", "type=fald", MeasureKind::Count, (3, 3)),
        row(UnitLevel::Kommune, "K", "type=medicinering", MeasureKind::Count, (10, 10)),
        row(UnitLevel::Kommune, "K", "alle", MeasureKind::Count, (13, 13)),
    ];
    let catalog = Catalog::standard();
    let settings = Settings::new(HashMap::new(), MeasureSettings::defaults(&catalog));
    let out = statistics::apply(rows, &Earlier::default(), &Parents::new(), &settings, &StatisticsOptions::default());
    let reasons: Vec<Option<SuppressionReason>> =
        out.iter().map(|r| r.statistics.as_ref().unwrap().suppression_reason).collect();
    assert_eq!(reasons, [Some(SuppressionReason::DenominatorBelow(5)), Some(SuppressionReason::Complementary), None]);
}

/// A mean measure's region row holds all of the data, but the engine added
/// its decimals in another order than the kommuner's rows add up: 0.1 + 0.2
/// is 0.30000000000000004 where the region's sum came out 0.3. The row is
/// still the overall value itself and gets no level marker against it; a
/// kommune (0.1 over 1 against 0.3 over 2, mean 0.15) gets one.
#[test]
fn a_row_holding_all_data_is_the_overall_value_up_to_the_order_of_its_sums() {
    let mean = |level, unit: &str, sum: f64, n: f64| ResultRow {
        numerator: Some(sum),
        denominator: Some(n),
        value: Some(sum / n),
        ..row(level, unit, "alle", MeasureKind::Mean, (0, 0))
    };
    let rows = vec![
        mean(UnitLevel::Kommune, "K1", 0.1, 1.0),
        mean(UnitLevel::Kommune, "K2", 0.2, 1.0),
        mean(UnitLevel::Region, "R", 0.3, 2.0),
    ];
    assert_ne!(0.1 + 0.2, 0.3);
    // No suppression (thresholds 0): every value shows.
    let catalog = Catalog::standard();
    let shown = Thresholds { min_denominator: 0, min_numerator: 0 };
    let settings =
        Settings::new(HashMap::new(), MeasureSettings { thresholds: shown, ..MeasureSettings::defaults(&catalog) });
    let out = statistics::apply(rows, &Earlier::default(), &Parents::new(), &settings, &StatisticsOptions::default());
    let level = |i: usize| out[i].statistics.as_ref().unwrap().level;
    assert_eq!(level(2), None, "{:?}", out[2].statistics);
    assert!(level(0).is_some(), "{:?}", out[0].statistics);
}

/// An empty rule ends with no value: the error still has a place.
#[test]
fn an_empty_rule_is_an_error_at_line_1() {
    let engine = rule_engine();
    let rule = engine.compile(Path::new("rules/test.tom.rhai"), String::new()).unwrap();
    let error = engine.evaluate(&rule, &Period::parse("2024-03").unwrap()).unwrap_err();
    assert_eq!((error.line, error.column), (Some(1), Some(1)), "{error}");
}

/// A header whose first column name is 1824 characters (a broken export)
/// is named short in the message about a missing column.
#[test]
fn a_huge_header_name_is_cut_in_messages() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("triage.csv"), format!("{};x\n1;2\n", "7".repeat(1824))).unwrap();
    let data = DataSource::open(dir.path(), &Schema::standard()).unwrap();
    let problems = data.problems();
    assert!(!problems.is_empty());
    for problem in problems {
        assert!(problem.to_string().len() < 600, "{problem}");
        assert!(problem.to_string().contains("(1824 characters in all)"), "{problem}");
    }
}
