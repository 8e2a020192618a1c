//! The catalogue against its sources (measure counts per driver, published
//! values), its validation errors, and `kvalitet catalog` as a user sees it.

use kvalitet::catalog::{BenchmarkLevel, Catalog, CatalogError};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load() -> Catalog {
    Catalog::load(&repo().join("catalog")).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `kvalitet <args>` in the repository root.
fn kvalitet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kvalitet")).args(args).current_dir(repo()).output().expect("runs kvalitet")
}

/// Runs `kvalitet <args>`, expects success, returns stdout.
fn stdout_of(args: &[&str]) -> String {
    let out = kvalitet(args);
    assert!(out.status.success(), "kvalitet {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

// ------------------------------------------------------------ measure counts

/// Measures per node label (`0`, `1`, `1a`, …) of one area.
type NodeCounts = &'static [(&'static str, usize)];

/// Measures per node, counted by hand in `seeds/000_c97e4a3ebbc6abb1.txt`
/// (KL's catalogue, text extraction; line numbers of that file):
///
/// - Pleje og omsorg: detailed tables l. 691–1294 (overview l. 486–685 for
///   cross-checking). 0: l. 707–819 (livskvalitet, selvstændighed,
///   tilfredshed, ASCOT, and the cell "Fastholdelse af funktionsevneniveau"
///   l. 789–811, which names three quantities: mean score, share kept or
///   improved, share stepped up); 1–2b: l. 846–953 (2b: triaged per plan,
///   gul, gul with timely plan, rød, rød with timely plan = 5); 3–6b: l.
///   961–1294.
/// - Sygepleje: tables l. 1480–1989 (overview l. 1298–1476). 0: l.
///   1500–1577; 1–1c: l. 1583–1687; 2– : l. 1693 on.
/// - Demens: tables l. 2180–2827 (overview l. 1996–2176). 0: l. 2184–2267
///   (livskvalitet and selvstændighed are two quantities in one cell;
///   magtanvendelse; forebyggelige sygehusophold for all with a diagnosis
///   and for plejehjemsbeboere; tilfredshed = 6); 1: l. 2291–2326 (the share
///   with a diagnosis, and the "Bobler" days from diagnosis to plejehjem);
///   1a: l. 2328–2394 (5, the last a "Bobler"); 1b: l. 2416–2447.
/// - Genoptræning: "Under udvikling…", no detailed tables; every measure is
///   a bullet of the overview l. 2831–3021 (35 bullets; "Deltagelses- og
///   frafaldsprocenter" is two), placed by the diagram's column order
///   (outcomes under the goal, 8). The two bullets repeated at l. 3012–3015
///   are counted once. The placement on drivers is a reading of the slide's
///   layout, not something the text states.
///
/// The transcriber's counts were re-counted against these lines for every
/// node of po, sp and de, and for the total and the goal of gt.
///
/// Splitting rule: a cell naming two different quantities is two measures
/// ("Personaleomsætning, medarbejderfravær" = 2); one quantity for several
/// age bands or windows is one measure ("65+ og 80+", "seneste måned og
/// seneste 3 mdr."); a bullet list of activities of one share is one measure.
/// Secondary drivers are counted without their primary's own measures.
const COUNTS: [(&str, usize, NodeCounts); 4] = [
    (
        "po",
        48,
        &[
            ("0", 7),
            ("1", 1),
            ("1a", 1),
            ("1b", 2),
            ("2", 2),
            ("2a", 1),
            ("2b", 5),
            ("3", 1),
            ("3a", 4),
            ("3b", 3),
            ("4", 0),
            ("4a", 4),
            ("4b", 3),
            ("4c", 2),
            ("5", 2),
            ("5a", 1),
            ("5b", 3),
            ("6", 3),
            ("6a", 1),
            ("6b", 2),
        ],
    ),
    (
        "sp",
        38,
        &[
            ("0", 3),
            ("1", 1),
            ("1a", 2),
            ("1b", 1),
            ("1c", 2),
            ("2", 2),
            ("2a", 2),
            ("2b", 2),
            ("2c", 3),
            ("3", 2),
            ("3a", 3),
            ("3b", 3),
            ("4", 0),
            ("4a", 2),
            ("4b", 3),
            ("5", 3),
            ("5a", 1),
            ("5b", 3),
        ],
    ),
    (
        "gt",
        36,
        &[
            ("0", 8),
            ("1", 0),
            ("1a", 2),
            ("1b", 2),
            ("2", 0),
            ("2a", 3),
            ("2b", 2),
            ("3", 0),
            ("3a", 3),
            ("3b", 2),
            ("3c", 1),
            ("3d", 2),
            ("4", 0),
            ("4a", 1),
            ("4b", 1),
            ("4c", 2),
            ("6", 3),
            ("6a", 2),
            ("6b", 2),
        ],
    ),
    (
        "de",
        44,
        &[
            ("0", 6),
            ("1", 2),
            ("1a", 5),
            ("1b", 2),
            ("2", 2),
            ("2a", 2),
            ("2b", 2),
            ("2c", 2),
            ("3", 1),
            ("3a", 2),
            ("4", 1),
            ("4a", 3),
            ("5", 2),
            ("5a", 3),
            ("5b", 2),
            ("6", 1),
            ("6a", 2),
            ("6b", 4),
        ],
    ),
];

#[test]
fn measures_per_area_and_driver_match_the_hand_count() {
    let catalog = load();
    for (area_id, total, per_node) in COUNTS {
        let area = catalog.area(area_id).unwrap();
        assert_eq!(area.measures.len(), total, "measures in {area_id}");
        let counted: BTreeMap<String, usize> = std::iter::once(&area.goal.id)
            .chain(area.drivers.iter().map(|d| &d.id))
            .map(|node| (node.clone(), area.measures_at(node).count()))
            .collect();
        let expected: BTreeMap<String, usize> =
            per_node.iter().map(|(label, n)| (format!("{area_id}.{label}"), *n)).collect();
        assert_eq!(counted, expected, "measures per node in {area_id}");
        assert_eq!(per_node.iter().map(|(_, n)| n).sum::<usize>(), total);
    }
    assert_eq!(catalog.measures().count(), 166);
}

// --------------------------------------------------------- benchmark values

/// Published values checked against `seeds/001_66f3e38a7d8fd662.txt` (the
/// status report on the national goals; line numbers of that file). Tabel 2
/// columns: 1 somatic readmissions, 2 psychiatric readmissions, 3 ventetid
/// genoptræning, 4 somatic færdigbehandlingsdage, 5 psychiatric
/// færdigbehandlingsdage, 6 fastholdelse somatisk syge (2016), 7 the same for
/// psykisk syge (4-year rates), 8 uddannelse ("-"), 9 KOL, 10 diabetes type 2,
/// 11 forebyggelige indlæggelser, 12 antipsykotika, 13 middellevetid, 14
/// daglige rygere. Tabel 1 rows: Hele landet, Nordjylland, Midtjylland,
/// Syddanmark, Hovedstaden, Sjælland after the development column.
/// (indicator, unit code, unit name, year, value)
const PUBLISHED: [(&str, &str, &str, i32, f64); 23] = [
    // Region Hovedstaden
    // l. 1879 "KØBENHAVN 12,6 24,2 13 7,2 9,0 82,5 51,9 - 697,9 445,7 88,5 …": column 11
    ("nm.2.forebyggelige-indlaeggelser-aeldre", "101", "København", 2017, 88.5),
    // l. 1879: column 1
    ("nm.1.akutte-somatiske-genindlaeggelser-30-dage", "101", "København", 2017, 12.6),
    // l. 1847–1851 "FREDERIKS-" / "SUND" / "12,7 21,1 12 3,8 7,2 82,4 52,0 - 705,2 …": column 9
    ("nm.2.akutte-indlaeggelser-kol", "250", "Frederikssund", 2017, 705.2),
    // l. 1880–1884 "LYNGBY-" / "TAARBÆK" / "11,6 28,8 … 17,6 82,2 12,3": column 13
    ("nm.7.middellevetid-0-aarige-kommuner", "173", "Lyngby-Taarbæk", 2017, 82.2),
    // l. 1838 "BRØNDBY 12,5 26,2 15 42,2 11,0 …": column 4
    ("nm.1.somatiske-faerdigbehandlingsdage", "153", "Brøndby", 2017, 42.2),
    // l. 1836 "BORNHOLM 10,1 18,8 13 0,9 2,9 79,8 46,7 - 483,2 336,4 64,1 29,8 …": column 12
    ("nm.2.antipsykotika-borgere-med-demens", "400", "Bornholm", 2017, 29.8),
    // l. 569 "Forebyggelige indlæggelser pr. 1.000 ældre (65+), antal 2,8 59,0 50,8 54,5 48,4 71,3 64,7"
    ("nm.2.forebyggelige-indlaeggelser-aeldre", "1084", "Region Hovedstaden", 2017, 71.3),
    // Region Midtjylland
    // l. 2092 "AARHUS 10,5 31,4 15 5,3 10,7 79,4 47,9 - 484,6 312,6 60,3 …": columns 2 and 11
    ("nm.1.akutte-psykiatriske-genindlaeggelser-30-dage", "751", "Aarhus", 2017, 31.4),
    ("nm.2.forebyggelige-indlaeggelser-aeldre", "751", "Aarhus", 2017, 60.3),
    // l. 2090 "VIBORG 13,5 24,9 14 0,3 11,4 …": column 5
    ("nm.1.psykiatriske-faerdigbehandlingsdage", "791", "Viborg", 2017, 11.4),
    // Region Syddanmark
    // l. 2282 "ODENSE 10,3 21,4 14 0,7 1,0 78,3 50,7 - 396,4 243,9 55,9 …": column 11
    ("nm.2.forebyggelige-indlaeggelser-aeldre", "461", "Odense", 2017, 55.9),
    // l. 2262–2266 "FAABORG-" / "MIDTFYN" / "9,8 21,7 13 3,1 0,1 76,6 46,9 - 401,2 …": column 9
    ("nm.2.akutte-indlaeggelser-kol", "430", "Faaborg-Midtfyn", 2017, 401.2),
    // l. 2288 "TØNDER 10,2 14,3 21 1,5 2,4 75,9 30,7 - 436,2 279,7 51,4 34,2 …": column 12
    ("nm.2.antipsykotika-borgere-med-demens", "550", "Tønder", 2017, 34.2),
    // l. 2270 "KERTEMINDE 9,2 30,5 13 2,6 0,0 84,8 52,2 - 449,7 332,8 50,2 16,9  81,4     20,6": column 13
    ("nm.7.middellevetid-0-aarige-kommuner", "440", "Kerteminde", 2017, 81.4),
    // Region Sjælland
    // l. 2484 "ROSKILDE 11,7 23,9 10 0,4 27,7 …": column 5
    ("nm.1.psykiatriske-faerdigbehandlingsdage", "265", "Roskilde", 2017, 27.7),
    // l. 2462–2466 "GULDBORG-" / "SUND" / "12,2 16,9 … 15,7 78,9 21,0": column 14
    ("nm.7.daglige-rygere", "376", "Guldborgsund", 2017, 21.0),
    // l. 2478 "NÆSTVED 11,9 18,1 12 1,4 0,8 81,0 53,1 - 628,6 411,6 68,5 …": column 11
    ("nm.2.forebyggelige-indlaeggelser-aeldre", "370", "Næstved", 2017, 68.5),
    // l. 537 "Akutte somatiske genindlæggelser indenfor 30 dage, pct. 1,2 11,6 10,8 11,9 11,1 12,0 12,3"
    ("nm.1.akutte-somatiske-genindlaeggelser-30-dage", "1085", "Region Sjælland", 2017, 12.3),
    // Region Nordjylland
    // l. 2680 "AALBORG 10,2 15,8 16 1,7 6,0 77,2 47,1 - 422,2 276,1 37,9 …": column 11
    ("nm.2.forebyggelige-indlaeggelser-aeldre", "851", "Aalborg", 2017, 37.9),
    // l. 2674–2678 "VESTHIMMER-" / "LANDS" / "11,2 13,7 9 0,4 1,1 77,1 …": column 6, a 2016 figure
    ("nm.1.fastholdelse-somatisk-syge-arbejdsmarkedet", "820", "Vesthimmerlands", 2016, 77.1),
    // l. 2673 "THISTED 11,1 16,1 14 0,0 2,0 78,4 28,9 - 626,8 …": column 9
    ("nm.2.akutte-indlaeggelser-kol", "787", "Thisted", 2017, 626.8),
    // Hele landet
    // l. 2682 "HELE LANDET 11,6 22,3 12 3,6 4,1 80,9 49,9 - 547,2 356,7 59,0 19,2 80,6 16,9": columns 9 and 11
    ("nm.2.akutte-indlaeggelser-kol", "DK", "Hele landet", 2017, 547.2),
    ("nm.2.forebyggelige-indlaeggelser-aeldre", "DK", "Hele landet", 2017, 59.0),
];

#[test]
fn published_values_match_the_report() {
    let catalog = load();
    for (indicator, code, name, year, value) in PUBLISHED {
        let row = catalog
            .benchmark(indicator, code, year)
            .unwrap_or_else(|| panic!("no benchmark row for {indicator} {name} {year}"));
        assert_eq!(row.unit_name, name, "{indicator} {code}");
        assert_eq!(row.value, Some(value), "{indicator} {name} {year}");
    }
    // l. 1867 "HERLEV 11,4 21,8 - 22,6 …": column 3 is "-" (Tabel 2, note 8: fewer than 20 forløb).
    let herlev = catalog.benchmark("nm.1.ventetid-genoptraening", "163", 2017).unwrap();
    assert_eq!((herlev.unit_name.as_str(), herlev.value), ("Herlev", None));
    assert!(herlev.missing_reason.as_deref().unwrap().contains("note 8"));

    // All five regions are among the checked units.
    let regions: BTreeSet<&str> = PUBLISHED
        .iter()
        .filter_map(|(_, code, ..)| match catalog.kommune(code) {
            Some(k) => Some(k.region_kode.as_str()),
            None => catalog.kommuner.region(code).map(|r| r.kode.as_str()),
        })
        .collect();
    assert_eq!(regions.into_iter().collect::<Vec<_>>(), ["1081", "1082", "1083", "1084", "1085"]);
}

#[test]
fn tabel_2_has_every_municipality_for_its_14_columns() {
    let catalog = load();
    let tabel2: Vec<_> = catalog.national.indicators.iter().filter(|i| i.in_tabel2).collect();
    assert_eq!(tabel2.len(), 14);
    for indicator in tabel2 {
        let kommuner = catalog
            .benchmarks
            .iter()
            .filter(|b| b.indicator_id == indicator.id && b.unit_level == BenchmarkLevel::Kommune)
            .count();
        assert_eq!(kommuner, 98, "{}", indicator.id);
        assert!(catalog.benchmark(&indicator.id, "DK", indicator.year).is_some(), "{}: Hele landet", indicator.id);
    }
}

// -------------------------------------------------------- validation errors

/// A copy of `catalog/` and `rules/` in a temporary directory.
fn copy_of_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    crate::common::copy_tree(&repo().join("catalog"), &dir.path().join("catalog"));
    crate::common::copy_tree(&repo().join("rules"), &dir.path().join("rules"));
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} does not contain {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The one error of loading the catalogue in `dir`, and of checking `dir/rules`.
fn errors(dir: &Path) -> String {
    let catalog = match Catalog::load(&dir.join("catalog")) {
        Ok(catalog) => catalog,
        Err(e) => return e.to_string(),
    };
    let rules: std::collections::BTreeSet<String> = std::fs::read_dir(dir.join("rules"))
        .unwrap()
        .filter_map(|e| e.unwrap().path().file_name()?.to_str()?.strip_suffix(".rhai").map(str::to_string))
        .collect();
    catalog.check_rules(&dir.join("rules"), &rules).map(|()| String::new()).unwrap_or_else(|e| e.to_string())
}

#[test]
fn the_copy_is_valid_before_it_is_broken() {
    assert_eq!(errors(copy_of_repo().path()), "");
}

#[test]
fn a_duplicate_id_names_the_file_and_the_entry() {
    let dir = copy_of_repo();
    let file = dir.path().join("catalog/areas/sygepleje.toml");
    edit(&file, "id = \"sp.0.borgeroplevet-effekt\"", "id = \"sp.0.borgeroplevet-livskvalitet\"");
    let err = errors(dir.path());
    // The copied entry's rule no longer matches its id either: both are said.
    assert!(
        err.contains(&format!(
            "{f}: measure sp.0.borgeroplevet-livskvalitet: id also used by a measure in {f}",
            f = file.display()
        )),
        "{err}"
    );
}

#[test]
fn an_unknown_unit_names_the_file_and_the_entry() {
    let dir = copy_of_repo();
    let file = dir.path().join("catalog/areas/sygepleje.toml");
    // The first unit in the file is that of sp.0.borgeroplevet-livskvalitet.
    edit(&file, "unit = \"andel\"", "unit = \"pct\"");
    let err = errors(dir.path());
    let expected = format!("{}: measure sp.0.borgeroplevet-livskvalitet: unknown unit \"pct\"; ", file.display());
    assert!(err.starts_with(&expected), "{err}");
}

#[test]
fn a_rule_file_without_a_measure_is_an_error() {
    let dir = copy_of_repo();
    let rule = dir.path().join("rules/sp.9.ny-maaling.rhai");
    std::fs::write(&rule, "count(table(\"borgere\"))\n").unwrap();
    let err = errors(dir.path());
    assert!(
        err.starts_with(&format!(
            "{}: no measure or national indicator in the catalogue has rule = \"sp.9.ny-maaling\"",
            rule.display()
        )),
        "{err}"
    );

    // The command line says the same and exits with 2.
    let catalog_dir = dir.path().join("catalog");
    let rules_dir = dir.path().join("rules");
    let out =
        kvalitet(&["catalog", "--catalog", catalog_dir.to_str().unwrap(), "--rules", rules_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: ") && stderr.contains("sp.9.ny-maaling.rhai: no measure"), "{stderr}");
}

#[test]
fn a_measure_whose_rule_file_is_missing_is_counted_not_computed() {
    let dir = copy_of_repo();
    std::fs::remove_file(dir.path().join("rules/sp.2b.laengde-paa-tilstand.rhai")).unwrap();
    // A rules directory may compute a part of the catalogue: no error …
    assert_eq!(errors(dir.path()), "");
    // … and the coverage says what is left out.
    let catalog = Catalog::load(&dir.path().join("catalog")).unwrap();
    let rules: std::collections::BTreeSet<String> = std::fs::read_dir(dir.path().join("rules"))
        .unwrap()
        .filter_map(|e| e.unwrap().path().file_name()?.to_str()?.strip_suffix(".rhai").map(str::to_string))
        .collect();
    let sp = catalog.coverage(&rules).into_iter().find(|c| c.area.id == "sp").unwrap();
    assert_eq!(sp.computed + 1, sp.with_rule);
}

#[test]
fn several_problems_are_reported_together() {
    let dir = copy_of_repo();
    edit(&dir.path().join("catalog/areas/demens.toml"), "unit = \"andel\"", "unit = \"pct\"");
    edit(&dir.path().join("catalog/areas/sygepleje.toml"), "node = \"sp.1a\"", "node = \"sp.1x\"");
    let Err(err) = Catalog::load(&dir.path().join("catalog")) else { panic!("the broken copy loaded") };
    assert!(matches!(err, CatalogError::Several(_)));
    assert_eq!(err.problems().len(), 2);
    let text = err.to_string();
    assert!(text.starts_with("2 problems in the catalogue:\n"), "{text}");
    assert!(text.contains("demens.toml: measure de.0."), "{text}");
    assert!(text.contains("unknown node \"sp.1x\""), "{text}");
}

#[test]
fn an_unknown_data_source_gets_a_hint() {
    let dir = copy_of_repo();
    let file = dir.path().join("catalog/areas/demens.toml");
    edit(&file, "data_sources = [\"btu\"]", "data_sources = [\"btuu\"]");
    let err = errors(dir.path());
    assert!(err.starts_with(&format!("{}: measure de.0.", file.display())), "{err}");
    assert!(err.ends_with("unknown data source \"btuu\" (did you mean \"btu\"?)"), "{err}");
}

// ------------------------------------------------------------ the command

#[test]
fn the_tree_of_one_area() {
    let out = stdout_of(&["catalog", "--area", "po"]);
    snapshot("catalog_tree_po", &out);
}

#[test]
fn the_whole_tree_is_readable_and_stable() {
    let first = stdout_of(&["catalog"]);
    assert_eq!(first, stdout_of(&["catalog"]));
    assert!(first.starts_with("Pleje og omsorg (po)\n"), "{first}");
    for text in
        ["Pleje og omsorg", "Sygepleje (sp)", "Demens (de)", "Genoptræning (gt) — under udvikling", "Nationale mål"]
    {
        assert!(first.contains(text), "{text}");
    }
    assert!(first.contains('ø') && first.contains('æ') && first.contains('å'));
    assert!(first.contains("de.1.dage-diagnose-til-plejehjem  "), "a candidate");
    assert!(first.contains(" (boble) [regel]"), "a computable candidate is marked twice");
    assert!(first.contains(" (oversigt)"));
    let with_rule = load().measures().filter(|(_, m)| m.rule.is_some()).count();
    let summary = format!("166 mål ({with_rule} med regel, 3 bobler, 37 kun i oversigten), 42 nationale indikatorer");
    assert!(first.trim_end().ends_with(&summary), "{first}");
}

#[test]
fn json_parses_and_holds_every_measure() {
    let out = stdout_of(&["catalog", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let areas = json["areas"].as_array().unwrap();
    let ids: Vec<&str> = areas.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["po", "sp", "de", "gt"]);
    let measures: usize = areas.iter().map(|a| a["measures"].as_array().unwrap().len()).sum();
    assert_eq!(measures, 166);
    assert_eq!(json["indicators"].as_array().unwrap().len(), 42);
    assert_eq!(json["areas"][0]["measures"][0]["id"], "po.0.borgeroplevet-livskvalitet");
}

#[test]
fn computable_lists_exactly_the_measures_with_rules() {
    let rule_files: BTreeSet<String> = std::fs::read_dir(repo().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
        .collect();
    let catalog = load();
    let with_rule: BTreeSet<String> =
        catalog.measures().filter(|(_, m)| m.rule.is_some()).map(|(_, m)| m.id.clone()).collect();
    assert_eq!(with_rule, rule_files);

    let out = stdout_of(&["catalog", "--computable", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let listed: BTreeSet<String> = json["areas"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["measures"].as_array().unwrap())
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, rule_files);

    let text = stdout_of(&["catalog", "--computable"]);
    // Measure lines start with an id (with dots); node lines with a label like "2a".
    let measure_lines: Vec<&str> = text
        .lines()
        .filter(|l| l.split("── ").nth(1).is_some_and(|rest| rest.split(' ').next().unwrap().contains('.')))
        .collect();
    assert_eq!(measure_lines.len(), rule_files.len(), "{text}");
    assert!(measure_lines.iter().all(|l| l.ends_with("[regel]")), "{text}");
}

#[test]
fn filters_by_source_and_area() {
    let out = stdout_of(&["catalog", "--source", "uth-databasen", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    for area in json["areas"].as_array().unwrap() {
        for m in area["measures"].as_array().unwrap() {
            assert!(m["data_sources"].as_array().unwrap().iter().any(|s| s == "uth-databasen"), "{m}");
        }
    }
    assert!(json["indicators"].as_array().unwrap().is_empty());

    let de = stdout_of(&["catalog", "--area", "de"]);
    assert!(de.starts_with("Demens (de)\n") && !de.contains("po.") && !de.contains("Nationale mål"), "{de}");

    let out = kvalitet(&["catalog", "--source", "flsi"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such data source"));
}

#[test]
fn show_prints_every_field_of_a_measure() {
    let out = stdout_of(&["catalog", "show", "po.2a.revurderet-tilstand-6mdr"]);
    for label in [
        "Titel:",
        "Uddybende:",
        "Datakilder:",
        "Fortolkning:",
        "Enhed:",
        "Retning:",
        "Population:",
        "Aldersgrupper:",
        "Tidsvindue:",
        "Regel:",
    ] {
        assert!(out.lines().any(|l| l.starts_with(label)), "{label} missing:\n{out}");
    }
    assert!(out.contains("seneste 6 mdr."), "{out}");
    assert!(out.contains("rules/po.2a.revurderet-tilstand-6mdr.rhai"), "{out}");
    snapshot("catalog_show_po_2a_revurderet", &out);

    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(&["catalog", "show", "po.2a.revurderet-tilstand-6mdr", "--format", "json"]))
            .unwrap();
    assert_eq!(json["measure"]["unit"], "andel");
    assert_eq!(json["measure"]["direction"], "higher_is_better");
    assert_eq!(json["node"]["id"], "po.2a");
}

#[test]
fn show_prints_a_national_indicator_with_its_results() {
    let out = stdout_of(&["catalog", "show", "nm.2.forebyggelige-indlaeggelser-aeldre"]);
    assert!(out.contains("Hele landet 2017: 59,0"), "{out}");
    assert!(out.contains("Region Hovedstaden 2017: 71,3"), "{out}");
    assert!(out.contains("98 kommuner, 98 med tal"), "{out}");
}

#[test]
fn an_unknown_id_suggests_the_closest() {
    let out = kvalitet(&["catalog", "show", "po.2a.revurderet-tilstand"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "error: no measure or national indicator has the id \"po.2a.revurderet-tilstand\"; the closest are: \
             po.2a.revurderet-tilstand-6mdr"
        ),
        "{stderr}"
    );
}
