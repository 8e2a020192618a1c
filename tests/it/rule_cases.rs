//! Every rule against its hand-worked case in `tests/rules/<measure-id>.toml`
//! (the data it is tried on and the numbers, with the arithmetic in the
//! file's comments), as `kvalitet test` runs them; and the catalogue's
//! coverage: every measure has a rule or says why it has none.

use crate::common::repo;
use kvalitet::catalog::Catalog;
use kvalitet::engine::RulesSource;
use kvalitet::workspace::cases::RuleCase;
use std::collections::BTreeSet;

/// The measure ids of the rule files in `rules/`.
fn rule_ids() -> BTreeSet<String> {
    std::fs::read_dir(repo("rules"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_rule_has_a_case() {
    // The rules tested in rules.rs against the shared fixture count too.
    let rules_rs = std::fs::read_to_string(repo("tests/it/rules.rs")).unwrap();
    let cases: BTreeSet<String> =
        RuleCase::read_dir(&repo("tests/rules")).unwrap().into_iter().map(|c| c.measure).collect();
    let untested: Vec<String> =
        rule_ids().into_iter().filter(|id| !cases.contains(id) && !rules_rs.contains(&format!("\"{id}\""))).collect();
    assert!(untested.is_empty(), "rules without a case in tests/rules: {untested:?}");
    let orphans: Vec<&String> = cases.iter().filter(|c| !rule_ids().contains(*c)).collect();
    assert!(orphans.is_empty(), "cases without a rule: {orphans:?}");
}

#[test]
fn every_case_holds() {
    let rules = RulesSource::Dir(repo("rules"));
    let mut failures = Vec::new();
    let cases = RuleCase::read_dir(&repo("tests/rules")).unwrap();
    for case in &cases {
        let problems = case.check(&rules).unwrap_or_else(|e| vec![e.to_string()]);
        if !problems.is_empty() {
            failures.push(format!("{}:\n    {}", case.measure, problems.join("\n    ")));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn every_measure_has_a_rule_or_a_reason() {
    let catalog = Catalog::standard();
    let rules = rule_ids();
    let mut missing = Vec::new();
    for (_, measure) in catalog.measures() {
        match (&measure.rule, &measure.no_rule) {
            (Some(rule), _) => assert!(rules.contains(rule), "{}: rule file rules/{rule}.rhai is missing", measure.id),
            (None, Some(reason)) => assert!(reason.len() > 40, "{}: say why in a sentence: {reason}", measure.id),
            (None, None) => missing.push(measure.id.as_str()),
        }
    }
    assert!(missing.is_empty(), "{} measures have neither a rule nor a reason: {missing:?}", missing.len());
}

#[test]
fn a_case_that_does_not_hold_says_what_differs() {
    // The survey case of po.0.borgeroplevet-tilfredshed expects 3/4 at
    // kommune level; expecting 4/4 instead must fail with both numbers.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo("tests/rules/po.0.borgeroplevet-tilfredshed.toml"))
        .unwrap()
        .replacen("numerator = 3\ndenominator = 4\nvalue = 75.0", "numerator = 4\ndenominator = 4\nvalue = 100.0", 1)
        .replace("../fixtures/small", repo("tests/fixtures/small").to_str().unwrap());
    let file = dir.path().join("po.0.borgeroplevet-tilfredshed.toml");
    std::fs::write(&file, text).unwrap();
    let problems = RuleCase::read(&file).unwrap().check(&RulesSource::Dir(repo("rules"))).unwrap();
    assert_eq!(
        problems,
        ["kommune 461 alle: numerator Some(3.0), expected 4", "kommune 461 alle: value Some(75.0), expected 100",]
    );
}
