//! Every rule in `rules/` against the hand-made fixture in
//! `tests/fixtures/small` for March 2024 (2024-03-01 .. 2024-03-31).
//!
//! The fixture: kommune 461 (Odense, Region Syddanmark 1083), plejeenheder
//! PE1 (Hjemmepleje Nord) and PE2 (Plejecenter Søndervang). Citizens and
//! their attributes on 2024-03-31:
//!
//! | borger | age | plejeenhed | bolig       | demens | note                         |
//! |--------|-----|------------|-------------|--------|------------------------------|
//! | B01    | 83  | PE1        | eget_hjem   | no     |                              |
//! | B02    | 74  | PE1        | eget_hjem   | no     |                              |
//! | B03    | 88  | PE2        | plejebolig  | yes    | moved PE1 → PE2 on 03-01     |
//! | B04    | 94  | PE2        | plejebolig  | yes    |                              |
//! | B05    | 79  | PE1        | eget_hjem   | no     | turns 80 on 04-01            |
//! | B06    | 63  | PE2        | plejebolig  | no     |                              |
//! | B07    | 86  | PE1        | eget_hjem   | no     | died 03-15, 86 on 03-31      |
//! | B08    | 81  | PE2        | plejebolig  | yes    | moved in 03-10               |
//! | B09    | 68  | (none)     | eget_hjem   | no     | tilknytning ended 03-15; diagnosis 04-01 |
//! | B10    | 99  | (none)     | eget_hjem   | yes    | died 2024-01-10              |
//!
//! Every result row here was worked out by hand; the arithmetic is in the
//! comments. The region rows equal the kommune rows (one kommune).

use crate::common::{assert_row, repo, run_rules, strata};
use kvalitet::polars::prelude::DataFrame;
use std::sync::OnceLock;

fn results() -> &'static DataFrame {
    static RESULTS: OnceLock<DataFrame> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let outcome = run_rules(&repo("tests/fixtures/small"), &repo("rules"), "2024-03");
        assert!(outcome.failures.is_empty(), "rule failures: {:?}", outcome.failures);
        outcome.results
    })
}

const K: &str = "kommune";
const P: &str = "plejeenhed";
const R: &str = "region";

#[test]
fn revurderet_tilstand_6mdr() {
    // Denominator: SEL83/83a active on 03-31 = B01 B02 B03 B04 B05 B07 B08;
    // B09's indsats ended 03-15. Exclusion: B07 died 03-15 → 6 left.
    // Window 2023-10-01 .. 2024-03-31, funktionsevne conditions only:
    // B01 (11-15) yes, B02 (09-30, one day early) no, B03 (10-01, first day)
    // yes, B04 (04-01, after) no, B05 (sygepleje condition) no, B08 yes.
    // 3/6 = 50 %. 80+: B01 B03 B04 B08 → 3/4 = 75 %. 67+: all six → 3/6.
    let m = "po.2a.revurderet-tilstand-6mdr";
    let r = results();
    assert_row(r, m, K, "461", "alle", (Some(3.0), Some(6.0), 50.0));
    assert_row(r, m, K, "461", "67+", (Some(3.0), Some(6.0), 50.0));
    assert_row(r, m, K, "461", "80+", (Some(3.0), Some(4.0), 75.0));
    assert_row(r, m, R, "1083", "alle", (Some(3.0), Some(6.0), 50.0));
    // As of the period end B03 belongs to PE2: PE1 = B01 B02 B05 → 1/3,
    // PE2 = B03 B04 B08 → 2/3.
    assert_row(r, m, P, "PE1", "alle", (Some(1.0), Some(3.0), 100.0 / 3.0));
    assert_row(r, m, P, "PE2", "alle", (Some(2.0), Some(3.0), 200.0 / 3.0));
}

#[test]
fn forebyggelige_indlaeggelser_pr_1000() {
    // Population: alive on 03-01 = B01..B09 (B07 died 03-15, counts);
    // 65+ = all but B06 (63) = 8; 80+ = B01 B03 B04 B07 B08 = 5.
    // Preventable admissions in March: A1, A2 (B01), A4 (B02), A5 (B06, 63),
    // A7 (B08, 03-31 23:59); A6 is 02-28. 65+: 4 → 4/8 × 1000 = 500.
    // 80+: A1 A2 A7 → 3/5 × 1000 = 600.
    let m = "po.2.forebyggelige-indlaeggelser";
    assert_row(results(), m, K, "461", "65+", (Some(4.0), Some(8.0), 500.0));
    assert_row(results(), m, K, "461", "80+", (Some(3.0), Some(5.0), 600.0));
    // PE1 65+: B01 B02 B05 B07 = 4 with A1 A2 A4 → 750; PE2 65+: B03 B04 B08
    // = 3 with A7 → 333.3.
    assert_row(results(), m, P, "PE1", "65+", (Some(3.0), Some(4.0), 750.0));
    assert_row(results(), m, P, "PE2", "65+", (Some(1.0), Some(3.0), 1000.0 / 3.0));
    // Only the strata the rule names: no "alle" row.
    assert_eq!(strata(results(), m, K, "461"), ["65+", "80+"]);
}

#[test]
fn genindlaeggelser_pr_1000() {
    // Readmissions in March: A2 (B01, 83) and A7 (B08, 81).
    // 65+: 2/8 × 1000 = 250; 80+: 2/5 × 1000 = 400.
    let m = "po.5.genindlaeggelser";
    assert_row(results(), m, K, "461", "65+", (Some(2.0), Some(8.0), 250.0));
    assert_row(results(), m, K, "461", "80+", (Some(2.0), Some(5.0), 400.0));
}

#[test]
fn medarbejdere_pr_borger() {
    // March visits: B01 by M1 M2 M1 M3 → 3 employees; B02 by M1 → 1;
    // B05 by M2 M4 → 2; B03 by M5 → 1 (V10 is in February).
    // Mean (3 + 1 + 2 + 1) / 4 = 1.75. 80+: B01 3, B03 1 → 2.
    let m = "po.5b.medarbejdere-pr-borger";
    assert_row(results(), m, K, "461", "alle", (Some(7.0), Some(4.0), 1.75));
    assert_row(results(), m, K, "461", "80+", (Some(4.0), Some(2.0), 2.0));
    // PE1: B01 B02 B05 → 6/3 = 2; PE2: B03 → 1.
    assert_row(results(), m, P, "PE1", "alle", (Some(6.0), Some(3.0), 2.0));
    assert_row(results(), m, P, "PE2", "alle", (Some(1.0), Some(1.0), 1.0));
}

#[test]
fn uth_pr_maaned_by_type() {
    // March events: U1 fald PE1, U2 medicinering PE1 (no citizen), U3 fald
    // PE2, U4 medicinering PE2, U5 tryksaar PE2 (no citizen); U6 is in
    // February. Events are placed by their own plejeenhed.
    let m = "sp.3b.uth-pr-maaned";
    let r = results();
    assert_row(r, m, K, "461", "alle", (Some(5.0), None, 5.0));
    assert_row(r, m, K, "461", "type=fald", (Some(2.0), None, 2.0));
    assert_row(r, m, K, "461", "type=medicinering", (Some(2.0), None, 2.0));
    assert_row(r, m, K, "461", "type=tryksaar", (Some(1.0), None, 1.0));
    assert_row(r, m, P, "PE1", "alle", (Some(2.0), None, 2.0));
    assert_row(r, m, P, "PE2", "alle", (Some(3.0), None, 3.0));
    assert_eq!(strata(r, m, P, "PE1"), ["alle", "type=fald", "type=medicinering"]);
}

#[test]
fn faerdigbehandlingsdage_mean() {
    // Discharged in March: A1 2, A2 0, A4 1, A5 0, A6 (03-01 10:00) 3, A8 4;
    // A3 leaves 04-02, A7 is still admitted. Mean 10/6.
    // 65+ drops A5 (B06, 63): 10/5 = 2. 80+: A1 A2 (B01) and A8 (B03): 6/3 = 2.
    let m = "sp.4b.faerdigbehandlingsdage";
    assert_row(results(), m, K, "461", "alle", (Some(10.0), Some(6.0), 10.0 / 6.0));
    assert_row(results(), m, K, "461", "65+", (Some(10.0), Some(5.0), 2.0));
    assert_row(results(), m, K, "461", "80+", (Some(6.0), Some(3.0), 2.0));
}

#[test]
fn medicingennemgang_12mdr() {
    // § 138 active on 03-31: B06, B01, B04, all alive (the dead are
    // excluded; no dead citizen has § 138 in the fixture). Window MAANEDER =
    // 12 months, 2023-04-01 .. 2024-03-31: B06 (2023-04-15) yes, B01
    // (2023-03-31, one day early) no, B04 (2023-04-01, first day) yes; B02's
    // review is outside the denominator. 2/3. PE1: B01 → 0/1.
    let m = "sp.4b.medicingennemgang-12mdr";
    assert_row(results(), m, K, "461", "alle", (Some(2.0), Some(3.0), 200.0 / 3.0));
    assert_row(results(), m, P, "PE1", "alle", (Some(0.0), Some(1.0), 0.0));
}

#[test]
fn antipsykotika_blandt_demente() {
    // Living with a diagnosis on 03-31: B03 B04 B08 (B09's diagnosis is
    // 04-01, B10 died). Antipsychotics active on 03-31: B03 N05AH03 yes;
    // B04 lithium N05AN01 is not counted; B08's N05AX08 ended 03-15 and
    // N06AB10 is an antidepressant. 1/3. All three live in plejebolig; no
    // demented citizen lives at home, so there is no eget_hjem row.
    let m = "de.2c.antipsykotika";
    assert_row(results(), m, K, "461", "alle", (Some(1.0), Some(3.0), 100.0 / 3.0));
    assert_row(results(), m, K, "461", "plejebolig", (Some(1.0), Some(3.0), 100.0 / 3.0));
    assert_eq!(strata(results(), m, K, "461"), ["alle", "plejebolig"]);
}

#[test]
fn plejehjemsbeboere_med_demensdiagnose() {
    // In plejebolig on 03-31 and alive at its end: B03 B04 B06 B08 (no dead
    // citizen lives in plejebolig in the fixture; B07 and B10 are eget_hjem
    // or without tilknytning); diagnosed: B03 B04 B08. 3/4.
    let m = "de.1.plejehjemsbeboere-demensdiagnose";
    assert_row(results(), m, K, "461", "alle", (Some(3.0), Some(4.0), 75.0));
}

#[test]
fn every_rule_opens_with_the_header_template() {
    // What it counts (the catalogue's title, word for word), numerator,
    // denominator, exclusions, time window and how to read it, in this
    // order; a field may go on over lines that start with "//   ".
    const LABELS: [&str; 6] = ["Mål", "Tæller", "Nævner", "Udelukket", "Tidsvindue", "Læsning"];
    let catalog = kvalitet::catalog::Catalog::standard();
    for entry in std::fs::read_dir(repo("rules")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rhai") {
            continue;
        }
        let id = path.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let header: Vec<&str> = text.lines().take_while(|l| l.starts_with("//")).collect();
        let fields: Vec<&str> = header.iter().filter(|l| !l.starts_with("//   ")).copied().collect();
        let labels: Vec<&str> = fields.iter().map(|l| l[3..].split(':').next().unwrap()).collect();
        assert_eq!(labels, LABELS, "{id}: the header's fields");
        let title = &catalog.measure(&id).unwrap_or_else(|| panic!("{id} is not in the catalogue")).title;
        assert_eq!(fields[0], format!("// Mål: {title}"), "{id}: the first line is the catalogue's title");
    }
}
