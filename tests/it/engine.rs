//! The rule language: errors name the rule file, line and column; the
//! sandbox stops runaway rules; population roles behave as in FHIR Measure.

use crate::common::{assert_row, repo, run_rules};
use kvalitet::data::{DataSource, Schema};
use kvalitet::engine::{Limits, Period, RuleEngine, RuleError, RulesSource};
use std::path::Path;
use std::sync::Arc;

fn engine() -> RuleEngine {
    let data = DataSource::open(&repo("tests/fixtures/small"), &Schema::standard()).unwrap();
    RuleEngine::new(Arc::new(data), RulesSource::Dir(repo("rules")), Limits::default())
}

/// Compiles and evaluates `source` as rules/test.rule.rhai for March 2024.
fn evaluate(source: &str) -> Result<(), RuleError> {
    let engine = engine();
    let rule = engine.compile(Path::new("rules/test.rule.rhai"), source.to_string())?;
    engine.evaluate(&rule, &Period::parse("2024-03").unwrap()).map(|_| ())
}

fn error(source: &str) -> RuleError {
    evaluate(source).expect_err("the rule should fail")
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let e = error("let x = table(\"borgere\")\n    .filter(col(\"koen\") == );\n");
    assert_eq!(e.path, Path::new("rules/test.rule.rhai"));
    assert_eq!(e.line, Some(2));
    assert!(e.column.is_some());
    assert!(e.to_string().starts_with("rules/test.rule.rhai:2:"), "{e}");
}

#[test]
fn unknown_column_is_reported_at_its_line() {
    let e = error("let b = table(\"borgere\");\nlet c = b.filter(col(\"alderx\") >= 65);\ncount(c)\n");
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.contains("alderx"), "{e}");
    assert!(e.message.contains("table(\"borgere\").filter"), "{e}");
}

#[test]
fn unknown_table_lists_the_tables_found() {
    let e = error("count(table(\"borgerne\"))");
    assert_eq!(e.line, Some(1));
    assert!(e.message.contains("no table \"borgerne\""), "{e}");
    assert!(e.message.contains("borgere, besoeg") || e.message.contains("besoeg, borgere"), "{e}");
}

#[test]
fn join_on_a_missing_column_names_the_table() {
    let e = error("let a = table(\"uth\");\nlet b = table(\"borgere\");\ncount(a.semi_join(b, \"uth_id\"))");
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("has no column \"uth_id\" to join on"), "{e}");
}

#[test]
fn a_rule_must_end_with_a_measure() {
    let e = error("let x = 1 + 2;\nx");
    assert!(e.message.contains("a rule must end with a measure"), "{e}");
    assert!(e.message.contains("i64"), "{e}");
}

#[test]
fn unknown_function_says_so() {
    let e = error("count(table(\"uth\").filtre(col(\"type\") == \"fald\"))");
    assert!(e.message.contains("no function filtre"), "{e}");
}

#[test]
fn unknown_stratum_lists_the_known_ones() {
    let e = error("count(table(\"uth\")).strata([\"70-79\"])");
    assert!(e.message.contains("unknown stratum \"70-79\""), "{e}");
    assert!(e.message.contains("65+"), "{e}");
}

#[test]
fn runaway_rule_is_stopped() {
    let e = error("let n = 0;\nloop { n += 1; }\ncount(table(\"uth\"))");
    assert!(e.message.contains("too many operations"), "{e}");
}

#[test]
fn imports_reach_only_the_helper_library_and_eval_is_gone() {
    // A path of any kind is refused at the import's line, before anything
    // is read; the message says where helpers come from.
    for path in ["/etc/passwd", "../../x", "lib/borgere", "borgere.rhai", "C:/x", "Borgere"] {
        let e = error(&format!("let x = 1;\nimport \"{path}\" as p;\ncount(table(\"uth\"))"));
        assert_eq!(e.line, Some(2), "{path}: {e}");
        assert!(e.message.contains("paths are not allowed"), "{path}: {e}");
        assert!(e.message.contains("rules/lib"), "{path}: {e}");
    }
    let e = error("import \"ingen\" as p;\ncount(table(\"uth\"))");
    assert!(e.message.contains("no helper module \"ingen\""), "{e}");
    // A helper by its name works.
    assert!(evaluate("import \"borgere\" as borgere;\ncount(borgere::i_live(period.end))").is_ok());
    let e = error("eval(\"count(table(\\\"uth\\\"))\")");
    assert!(e.message.contains("eval"), "{e}");
}

#[test]
fn long_strings_are_refused() {
    let e = error("let s = \"x\";\nfor i in 0..20 { s += s; }\ncount(table(\"uth\"))");
    assert!(e.message.to_lowercase().contains("length") || e.message.contains("too"), "{e}");
}

#[test]
fn mixed_is_in_list_is_refused() {
    let e = error("count(table(\"uth\").filter(col(\"type\").is_in([1, \"fald\"])))");
    assert!(e.message.contains("is_in([..]) takes a list of texts or a list of numbers"), "{e}");
}

#[test]
fn exclusions_and_exceptions_follow_fhir() {
    // Denominator: all 10 citizens. Numerator: B01, B02. Exclusion: B10.
    // Exceptions listed: B02 (in the numerator, so kept) and B03 (not, so
    // removed). Denominator 10 - 1 - 1 = 8, numerator 2: 25 %.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("test.roller.rhai"),
        r#"
let alle = table("borgere");
let taeller = alle.filter(col("borger_id").is_in(["B01", "B02"]));
let udelukket = alle.filter(col("borger_id") == "B10");
let undtaget = alle.filter(col("borger_id").is_in(["B02", "B03"]));
proportion(taeller, alle).exclusions(udelukket).exceptions(undtaget)
"#,
    )
    .unwrap();
    let outcome = run_rules(&repo("tests/fixtures/small"), dir.path(), "2024-03");
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    assert_row(&outcome.results, "test.roller", "kommune", "461", "alle", (Some(2.0), Some(8.0), 25.0));
}

#[test]
fn a_numerator_made_from_rows_with_repeated_keys_counts_each_key_once() {
    // The March visits with an indsats, several per indsats: I01 (B01: V01
    // nej, V02 nej, V03 ja), I10 (B01: V04 nej), I02 (B02: V05 nej, V06 ja),
    // I05 (B05: V07 nej), I03 (B03: V09 nej, V11 ja). Denominator 5
    // indsatser; numerator those with a screen visit among their rows, even
    // when the first is not: I01, I02, I03 = 3 → 60 %. 80+ on 31 March
    // (through the visits' citizen): B01 (83) and B03 (88), not B05 (80 on
    // 1 April): I01, I10, I03 = 3, of them I01, I03 = 2 → 66.7 %.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("test.besoeg.rhai"),
        r#"
let besoeg = table("besoeg").filter(col("tidspunkt").within(period) & col("indsats_id").is_not_null());
proportion(besoeg.filter(col("skaermbesoeg")), besoeg).key("indsats_id").strata(["alle", "80+"])
"#,
    )
    .unwrap();
    // The same numerator as a semi-join of the visits to the screen visits,
    // and as an anti-join to the other visits.
    let same = [
        ("test.semi", r#"besoeg.semi_join(table("besoeg").filter(col("skaermbesoeg")), "besoeg_id")"#),
        ("test.anti", r#"besoeg.anti_join(table("besoeg").filter(!col("skaermbesoeg")), "besoeg_id")"#),
    ];
    for (id, numerator) in same {
        let rule = format!(
            r#"
let besoeg = table("besoeg").filter(col("tidspunkt").within(period) & col("indsats_id").is_not_null());
proportion({numerator}, besoeg).key("indsats_id").strata(["alle", "80+"])
"#
        );
        std::fs::write(dir.path().join(format!("{id}.rhai")), rule).unwrap();
    }
    let outcome = run_rules(&repo("tests/fixtures/small"), dir.path(), "2024-03");
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    assert_row(&outcome.results, "test.besoeg", "kommune", "461", "alle", (Some(3.0), Some(5.0), 60.0));
    assert_row(&outcome.results, "test.besoeg", "kommune", "461", "80+", (Some(2.0), Some(3.0), 200.0 / 3.0));
    for (id, _) in same {
        assert_row(&outcome.results, id, "kommune", "461", "alle", (Some(3.0), Some(5.0), 60.0));
        assert_row(&outcome.results, id, "kommune", "461", "80+", (Some(2.0), Some(3.0), 200.0 / 3.0));
    }
}

#[test]
fn numerator_outside_the_denominator_is_an_error() {
    // B06 is not in the denominator (B01, B02): an error, not a count.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("test.orphan.rhai"),
        r#"
let naevner = table("borgere").filter(col("borger_id").is_in(["B01", "B02"]));
let taeller = table("borgere").filter(col("borger_id").is_in(["B01", "B06"]));
proportion(taeller, naevner)
"#,
    )
    .unwrap();
    std::fs::copy(repo("rules/po.4c.skaermbesoeg.rhai"), dir.path().join("po.4c.skaermbesoeg.rhai")).unwrap();
    let outcome = run_rules(&repo("tests/fixtures/small"), dir.path(), "2024-03");
    assert_eq!(outcome.failures.len(), 1);
    let failure = &outcome.failures[0];
    assert_eq!(failure.rule_id, "test.orphan");
    assert!(
        failure.error.message.contains("1 member(s) that are not in the denominator (for example B06)"),
        "{}",
        failure.error
    );
    // The other rule still ran.
    // Indsatser with a visit in March: I01 I10 I02 I05 I03; screen visits on I01 I02 I03.
    assert_row(&outcome.results, "po.4c.skaermbesoeg", "kommune", "461", "alle", (Some(3.0), Some(5.0), 60.0));
}

#[test]
fn date_helpers_move_by_calendar_months() {
    // 2024-08-31 minus six months is 2024-02-29; between() includes both
    // ends, also for datetime columns.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("test.datoer.rhai"),
        r#"
let d = date(2024, 8, 31) - months(6);
if d != date(2024, 2, 29) { throw "months(6) went wrong"; }
// Visits on 2024-03-31 23:30 count in March.
count(table("besoeg").filter(col("tidspunkt").between(date(2024, 3, 31), period.end)))
"#,
    )
    .unwrap();
    let outcome = run_rules(&repo("tests/fixtures/small"), dir.path(), "2024-03");
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    assert_row(&outcome.results, "test.datoer", "kommune", "461", "alle", (Some(1.0), None, 1.0));
}

#[test]
fn tables_know_their_keys_and_lineage() {
    // The runner's shortcuts depend on this: a standard table keeps its key
    // through filters, select of the key and semi-joins, and a filter or
    // semi-join of the denominator is known to be a subset of it.
    let engine = engine();
    let measure = |source: &str| {
        let rule = engine.compile(Path::new("rules/test.lineage.rhai"), source.to_string()).unwrap();
        engine.evaluate(&rule, &Period::parse("2024-03").unwrap()).unwrap()
    };
    let m = measure(
        "let b = table(\"besoeg\").filter(col(\"varighed_min\") > 0);\nproportion(b.filter(col(\"skaermbesoeg\")), b).key(\"besoeg_id\")",
    );
    assert!(m.base.distinct_on(&m.key));
    assert!(m.numerator.as_ref().unwrap().derived_from(&m.base));
    let m = measure(
        "let d = table(\"indsatser\").select([\"borger_id\"]).unique();\nproportion(d.semi_join(table(\"vurderinger\"), \"borger_id\"), d)",
    );
    assert!(m.base.distinct_on(&m.key));
    assert!(m.numerator.as_ref().unwrap().derived_from(&m.base));
    // A numerator built separately is not known to be a subset.
    let m = measure("let d = table(\"borgere\");\nproportion(table(\"borgere\").filter(col(\"koen\") == \"K\"), d)");
    assert!(m.base.distinct_on(&m.key));
    assert!(!m.numerator.as_ref().unwrap().derived_from(&m.base));
    // Rows of a join are not known to be distinct.
    let m = measure("let d = table(\"indsatser\").join(table(\"borgere\"), \"borger_id\");\ncount(d)");
    assert!(!m.base.distinct_on(&["borger_id".to_string()]));
}

#[test]
fn rates_over_population_counts_use_antal() {
    // befolkning: 100 women aged 70, 50 men aged 85, 1000 women aged 40 in
    // kommune 461. Preventable admissions in March: A1, A2 (B01, 83), A4
    // (B02, 74), A5 (B06, 63), A7 (B08, 81).
    // alle: 5 / 1150 × 1000 = 4.3478…; 65+: 4 / 150 × 1000 = 26.666…;
    // 80+: 3 / 50 × 1000 = 60.
    let data = crate::common::fixture_copy();
    std::fs::write(
        data.path().join("befolkning.csv"),
        "kommune_kode;aar;alder;koen;antal\n461;2024;70;K;100\n461;2024;85;M;50\n461;2024;40;K;1000\n",
    )
    .unwrap();
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(
        rules.path().join("test.rate.rhai"),
        r#"
let indlaeggelser = table("indlaeggelser")
    .filter(col("forebyggelig") & col("indlagt").between(period.start, period.end));
rate(indlaeggelser, table("befolkning").filter(col("aar") == 2024), 1000).strata(["alle", "65+", "80+"])
"#,
    )
    .unwrap();
    let outcome = run_rules(data.path(), rules.path(), "2024-03");
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    let r = &outcome.results;
    assert_row(r, "test.rate", "kommune", "461", "alle", (Some(5.0), Some(1150.0), 5000.0 / 1150.0));
    assert_row(r, "test.rate", "kommune", "461", "65+", (Some(4.0), Some(150.0), 4000.0 / 150.0));
    assert_row(r, "test.rate", "region", "1083", "80+", (Some(3.0), Some(50.0), 60.0));
    // Population counts have no plejeenhed: that level is left out, and said so.
    assert!(
        outcome.notes.iter().any(|n| n.contains("test.rate: skipped unit level plejeenhed")),
        "{:?}",
        outcome.notes
    );
}

#[test]
fn a_join_that_multiplies_rows_is_an_error_at_its_line() {
    // March's visits joined to every visit on medarbejder_id: visits are
    // not unique per employee (M1 has V01 V03 V05 V06), so join(..) fails
    // when the plan runs, at the join's line, naming the smallest such key.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("test.mange.rhai"),
        "let marts = table(\"besoeg\").filter(col(\"tidspunkt\").within(period));\n\
         let alle = table(\"besoeg\").select([\"medarbejder_id\", \"besoeg_id\"]);\n\
         count(marts.join(alle, \"medarbejder_id\"))\n",
    )
    .unwrap();
    let outcome = run_rules(&repo("tests/fixtures/small"), dir.path(), "2024-03");
    let failure = &outcome.failures[0].error;
    assert_eq!((failure.line, failure.column.is_some()), (Some(3), true), "{failure}");
    assert!(failure.message.contains("must have at most one row per key"), "{failure}");
    assert!(failure.message.contains("medarbejder_id = \"M1\" has 4 rows"), "{failure}");
    assert!(failure.message.contains("join_many"), "{failure}");

    // join_many says it means every pair: per March visit, the visits of
    // the same employee in all: V01 M1 4, V02 M2 2, V03 M1 4, V04 M3 1,
    // V05 M1 4, V06 M1 4, V07 M2 2, V08 M4 2, V09 M5 2, V11 M5 2 = 27.
    std::fs::write(
        dir.path().join("test.mange.rhai"),
        "let marts = table(\"besoeg\").filter(col(\"tidspunkt\").within(period));\n\
         let alle = table(\"besoeg\").select([\"medarbejder_id\", \"besoeg_id\"]);\n\
         count(marts.join_many(alle, \"medarbejder_id\"))\n",
    )
    .unwrap();
    let outcome = run_rules(&repo("tests/fixtures/small"), dir.path(), "2024-03");
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    assert_row(&outcome.results, "test.mange", "kommune", "461", "alle", (Some(27.0), None, 27.0));
}

#[test]
fn a_rules_hash_covers_the_helpers_it_imports() {
    use sha2::Digest;
    let engine = engine();
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let plain = "count(table(\"uth\"))";
    let rule = engine.compile(Path::new("rules/test.plain.rhai"), plain.to_string()).unwrap();
    assert_eq!(rule.sha256, hex(&sha2::Sha256::digest(plain)));
    let importing = "import \"borgere\" as borgere;\ncount(borgere::i_live(period.end))";
    let rule = engine.compile(Path::new("rules/test.import.rhai"), importing.to_string()).unwrap();
    let helper = std::fs::read_to_string(repo("rules/lib/borgere.rhai")).unwrap();
    let expected = hex(&sha2::Sha256::digest(format!("{importing}\nimport borgere\n{helper}")));
    assert_eq!(rule.sha256, expected);
}

#[test]
fn an_error_inside_a_helper_names_the_helper_and_the_rule() {
    // A helper module with a mistake: the rule's line, and the helper's.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("lib")).unwrap();
    std::fs::write(
        dir.path().join("lib/hjaelp.rhai"),
        "fn forkert(dato) {\n    table(\"borgere\").filter(col(\"alderx\") > 1)\n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("test.hjaelp.rhai"), "import \"hjaelp\" as h;\n\ncount(h::forkert(period.end))\n")
        .unwrap();
    let outcome = run_rules(&repo("tests/fixtures/small"), dir.path(), "2024-03");
    let failure = &outcome.failures[0].error;
    assert_eq!(failure.line, Some(3), "{failure}");
    assert!(failure.message.contains("in forkert ("), "{failure}");
    assert!(failure.message.contains("lib/hjaelp.rhai:2:"), "{failure}");
    assert!(failure.message.contains("alderx"), "{failure}");
    // A helper that does not compile is reported at its own line.
    std::fs::write(dir.path().join("lib/hjaelp.rhai"), "fn forkert(dato) {\n    table(\"borgere\"\n}\n").unwrap();
    let outcome = run_rules(&repo("tests/fixtures/small"), dir.path(), "2024-03");
    let failure = &outcome.failures[0].error;
    assert!(failure.path.ends_with("lib/hjaelp.rhai"), "{failure}");
    assert!(failure.line.is_some(), "{failure}");
}
