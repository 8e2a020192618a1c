//! `kvalitet report`: the demo's report in a real browser (headless
//! Chromium: the DOM and screenshots), hostile names rendered as text, the
//! workbook read back with calamine, the selection.

use crate::common::{copy_tree, demo_results, kvalitet, output, repo};
use calamine::{Data, Reader, Xlsx, open_workbook};
use kvalitet::catalog::Catalog;
use kvalitet::engine::{MeasureKind, Period};
use kvalitet::results::{self, ResultRow, Results, RowStatistics, UnitLevel};
use kvalitet::stats::SuppressionReason;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
/// Læsø, the demo's kommune.
const KOMMUNE: &str = "825";
const MEASURE: &str = "po.2a.revurderet-tilstand-6mdr";

/// Runs headless Chromium on a page with `args` (e.g. `--dump-dom`) and
/// returns its stdout. Fails when Chromium is missing, and when it has not
/// finished in a minute (a page whose script opened an alert would hang).
fn chromium(args: &[String], page: &Path) -> String {
    assert!(
        Path::new(CHROMIUM).is_file(),
        "{CHROMIUM} is missing: run scripts/setup (it installs Debian's chromium for this test)"
    );
    assert!(page.is_file(), "no page {}", page.display());
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--mute-audio",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).unwrap();
        text
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
            assert!(status.success(), "chromium failed on {}: {status}\n{stderr}", page.display());
            return reader.join().unwrap();
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("chromium did not finish with {} in 60 s (a script that blocks, such as alert()?)", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn dump_dom(page: &Path) -> String {
    chromium(&["--dump-dom".to_string()], page)
}

/// `target/report-screenshots/<name>.png`, taken at `width`×`height`.
fn screenshot(page: &Path, name: &str, width: u32, height: u32) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("report-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&file);
    chromium(&[format!("--screenshot={}", file.display()), format!("--window-size={width},{height}")], page);
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    assert!(size > 20_000, "{} is {size} bytes: an empty page?", file.display());
    println!("screenshot: {}", file.display());
    file
}

/// The demo's report (the demo writes it as its last step).
fn demo_report() -> PathBuf {
    demo_results().join("report")
}

fn demo_rows() -> Results {
    Results::read(&demo_results().join("results.parquet")).unwrap()
}

/// A value as Danish text with one decimal, written out by hand here (not
/// with kvalitet's formatter): `45,2`.
fn danish_one_decimal(value: f64) -> String {
    assert!(value.abs() < 1000.0, "no thousands separator needed");
    format!("{value:.1}").replace('.', ",")
}

#[test]
fn the_driver_diagram_in_a_browser() {
    let catalog = Catalog::standard();
    let area = catalog.area("po").unwrap();
    let results = demo_rows();
    let page = demo_report().join(format!("driver-po-{KOMMUNE}.html"));
    let dom = dump_dom(&page);

    // A node per driver, laid out as primary and secondary.
    assert_eq!(dom.matches("class=\"node driver ").count(), area.drivers.len());
    assert_eq!(dom.matches("class=\"node driver primary\"").count(), area.primary_drivers().count());
    assert!(dom.contains("<div class=\"node goal\" id=\"po.0\">"), "the goal is drawn");

    // Measured and not measured measures, counted.
    let measured: Vec<&str> = area
        .measures
        .iter()
        .map(|m| m.id.as_str())
        .filter(|id| results.rows.iter().any(|r| r.measure_id == *id && r.unit_code == KOMMUNE))
        .collect();
    assert!(measured.len() >= 5, "{measured:?}");
    assert_eq!(dom.matches("class=\"measure measured").count(), measured.len());
    assert_eq!(dom.matches("class=\"measure unmeasured").count(), area.measures.len() - measured.len());
    assert!(dom.contains(&format!("<strong>{} af {} målinger</strong>", measured.len(), area.measures.len())));
    assert!(dom.contains("<span class=\"tag\">ikke målt</span>"));

    // The card's value is the results table's latest value, the Danish way.
    let latest = results
        .rows
        .iter()
        .filter(|r| r.measure_id == MEASURE && r.unit_code == KOMMUNE && r.stratum == "alle")
        .max_by_key(|r| r.period.start)
        .unwrap();
    let card = &dom[dom.find(&format!("data-measure=\"{MEASURE}\"")).unwrap()..];
    let card = &card[..card.find("</li>").unwrap()];
    match latest.value {
        Some(v) => {
            assert!(card.contains(&format!("<span class=\"value\">{} %</span>", danish_one_decimal(v))), "{card}")
        }
        None => assert!(card.contains("diskretioneret"), "{card}"),
    }
    assert!(card.contains("december 2025"), "{card}");
    assert!(card.contains("<svg") && card.contains("class=\"kv-sparkline\""), "a sparkline: {card}");

    screenshot(&page, "driver-po", 1400, 2000);
}

#[test]
fn a_measure_page_in_a_browser() {
    let page = demo_report().join(format!("maal-{MEASURE}.html"));
    let dom = dump_dom(&page);
    assert!(dom.contains("<dt>Uddybende</dt>") && dom.contains("<dt>Fortolkning</dt>"));
    assert!(dom.contains("<details class=\"rule-source\">") && dom.contains("import \"indsatser\" as indsatser;"));
    // A run chart per stratum of the kommune (alle, 67+, 80+).
    assert_eq!(dom.matches("kv-chart kv-run-chart").count(), 3, "run charts");
    assert!(dom.contains("kv-chart kv-funnel") || dom.contains("For få viste enheder til et tragtdiagram"));
    // The values table: suppressed cells say so and why.
    let results = demo_rows();
    // The kommune over every period (the demo's 12), then the plejeenheder
    // in the latest period.
    let latest = results.measure(MEASURE).map(|r| r.period.start).max().unwrap();
    let shown = |r: &&ResultRow| match r.unit_level {
        UnitLevel::Kommune => true,
        UnitLevel::Plejeenhed => r.period.start == latest,
        UnitLevel::Region => false,
    };
    let suppressed = results.measure(MEASURE).filter(shown).filter(|r| r.suppressed()).count();
    assert_eq!(dom.matches("class=\"kv-suppressed\"").count(), suppressed, "every suppressed cell is marked");
    assert!(dom.contains("<h3>Plejeenhederne i december 2025</h3>"), "the units in the latest period");
    screenshot(&page, "measure-po.2a", 1280, 2600);
}

#[test]
fn hostile_names_render_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "<script>alert(1)</script>";
    // Results whose kommune is named like a script, and a plejeenhed like
    // an image with a handler.
    let mut results = demo_rows();
    for row in &mut results.rows {
        match row.unit_level {
            UnitLevel::Kommune => row.unit_name = hostile.into(),
            UnitLevel::Plejeenhed => row.unit_name = "\"><img src=x onerror=alert(2)>".into(),
            UnitLevel::Region => {}
        }
    }
    results::write(&results, &dir.path().join("results")).unwrap();
    // A catalogue whose measure title holds a script, and a rule whose
    // source tries to close the code block.
    let catalog = dir.path().join("catalog");
    copy_tree(&repo("catalog"), &catalog);
    let area_file = catalog.join("areas/pleje-og-omsorg.toml");
    let text = std::fs::read_to_string(&area_file).unwrap();
    let title = "title = \"Andel borgere, der har fået revurderet tilstand de seneste 6 mdr.\"";
    assert!(text.contains(title));
    std::fs::write(&area_file, text.replace(title, &format!("title = \"{hostile} revurderet\""))).unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join(format!("{MEASURE}.rhai")), "// </code></pre><script>alert(3)</script>\n").unwrap();

    let out = dir.path().join("report");
    let (code, stdout, stderr) = output(
        kvalitet()
            .args(["report", "--results"])
            .arg(dir.path().join("results"))
            .arg("--out")
            .arg(&out)
            .arg("--catalog")
            .arg(&catalog)
            .arg("--rules")
            .arg(&rules),
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    for page in ["index.html", &format!("driver-po-{KOMMUNE}.html"), &format!("maal-{MEASURE}.html")] {
        let html = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(!html.contains("<script") && !html.contains("<img"), "{page} holds markup from the data");
        let dom = dump_dom(&out.join(page));
        assert!(dom.contains(escaped), "{page}: the name shows as text");
        let markup = without_attribute_values(&dom);
        assert!(!markup.contains("<script") && !markup.contains("<img"), "{page}: an element was injected");
    }
    let measure_page = std::fs::read_to_string(out.join(format!("maal-{MEASURE}.html"))).unwrap();
    assert!(measure_page.contains("&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(3)"), "the rule source is text");
    assert!(measure_page.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"), "the plejeenhed is text");
}

/// A serialised DOM with every attribute value removed: the serialiser
/// escapes `"` in attribute values but not `<`, so a hostile name in an
/// `aria-label` would otherwise look like markup.
fn without_attribute_values(dom: &str) -> String {
    let mut out = String::with_capacity(dom.len());
    let (mut in_tag, mut in_value) = (false, false);
    for c in dom.chars() {
        match (in_tag, in_value, c) {
            (true, false, '"') => in_value = true,
            (true, true, '"') => in_value = false,
            (_, true, _) => {}
            (false, _, '<') => {
                in_tag = true;
                out.push(c);
            }
            (true, false, '>') => {
                in_tag = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every XML part of a workbook: (name, text).
fn xml_parts(path: &Path) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut parts = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().to_string();
        if name.ends_with(".xml") || name.ends_with(".vml") {
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            parts.push((name, text));
        }
    }
    parts
}

/// Every cell of every sheet of a workbook: (sheet, cells).
fn workbook(path: &Path) -> Vec<(String, calamine::Range<Data>)> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let names = book.sheet_names();
    names.into_iter().map(|name| (name.clone(), book.worksheet_range(&name).unwrap())).collect()
}

#[test]
fn the_workbook_holds_the_parquet_numbers() {
    let catalog = Catalog::standard();
    let results = demo_rows();
    let sheets = workbook(&demo_report().join("results.xlsx"));
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    let mut expected = vec!["Oversigt"];
    expected.extend(catalog.areas.iter().map(|a| a.title.as_str()));
    expected.push("Alle resultater");
    assert_eq!(names, expected);

    let long = &sheets.last().unwrap().1;
    let header: Vec<String> = long.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    // The long table has the same Danish columns as the area sheets.
    let (measure, unit, stratum) = (column("Måling"), column("Enhedskode"), column("Gruppe"));
    let (numerator, denominator, value) = (column("Tæller"), column("Nævner"), column("Værdi"));
    let rows: Vec<&[Data]> = long.rows().skip(1).collect();
    assert_eq!(rows.len(), results.rows.len());
    let mut suppressed = 0;
    for (cells, row) in rows.iter().zip(&results.rows) {
        assert_eq!(cells[measure], Data::String(row.measure_id.to_string()));
        assert_eq!(cells[unit], Data::String(row.unit_code.to_string()));
        assert_eq!(cells[stratum], Data::String(row.stratum.to_string()));
        if row.suppressed() {
            suppressed += 1;
            for c in [numerator, denominator, value] {
                assert_eq!(cells[c], Data::Empty, "{} {} {}: withheld", row.measure_id, row.period, row.unit_name);
            }
        } else {
            let number = |x: Option<f64>| x.map(Data::Float).unwrap_or(Data::Empty);
            assert_eq!(cells[value], number(row.value));
            assert_eq!(cells[numerator], number(row.numerator));
            assert_eq!(cells[denominator], number(row.denominator));
        }
    }
    assert!(suppressed > 0, "Læsø's small numbers are suppressed somewhere");

    // Every withheld row has a note saying why: one per suppressed row of
    // the overview and the area sheets; the long table says why in its
    // Diskretioneret column. No sheet is hidden.
    let reason = column("Diskretioneret");
    // The area sheets hold the kommune's rows of their measures, every
    // period; the plejeenheder are only in the long table.
    let area_rows: usize = sheets[1..sheets.len() - 1].iter().map(|(_, range)| range.height().saturating_sub(1)).sum();
    let kommune_rows = results
        .rows
        .iter()
        .filter(|r| r.unit_level != UnitLevel::Plejeenhed && catalog.measure(&r.measure_id).is_some())
        .count();
    assert_eq!(area_rows, kommune_rows);
    for (cells, row) in rows.iter().zip(&results.rows) {
        assert_eq!(matches!(cells[reason], Data::Empty), !row.suppressed(), "{}", row.measure_id);
    }
    let noted_rows: usize = sheets
        .iter()
        .map(|(name, range)| {
            let header: Vec<String> =
                range.rows().next().map(|r| r.iter().map(|c| c.to_string()).collect()).unwrap_or_default();
            let flag = header.iter().position(|h| h == "Diskretioneret");
            match flag {
                Some(_) if name == "Alle resultater" => 0,
                Some(c) => range.rows().skip(1).filter(|r| !matches!(&r[c], Data::Empty)).count(),
                None => {
                    assert!(name != "Alle resultater", "the long table has a suppressed column");
                    0
                }
            }
        })
        .sum();
    let parts = xml_parts(&demo_report().join("results.xlsx"));
    let notes: Vec<&str> = parts
        .iter()
        .filter(|(name, _)| name.starts_with("xl/comments"))
        .flat_map(|(_, xml)| xml.split("<comment ").skip(1))
        .collect();
    assert_eq!(notes.len(), noted_rows);
    assert!(notes.iter().all(|n| n.contains("Diskretioneret (")), "{:?}", notes.first());
    assert!(notes.iter().any(|n| n.contains("Diskretioneret (tæller under 5)")));
    let workbook_xml = &parts.iter().find(|(n, _)| n == "xl/workbook.xml").unwrap().1;
    assert!(!workbook_xml.contains("state=\"hidden\"") && !workbook_xml.contains("veryHidden"), "no hidden sheets");
}

/// A row of the hand-made results below.
fn hand_row(code: &str, level: UnitLevel, counts: (f64, f64), suppressed: bool) -> ResultRow {
    ResultRow {
        measure_id: MEASURE.into(),
        period: Period::parse("2025-03").unwrap(),
        unit_level: level,
        unit_code: code.into(),
        unit_name: format!("Enhed {code}").into(),
        stratum: "alle".into(),
        numerator: Some(counts.0),
        denominator: Some(counts.1),
        value: (!suppressed).then_some(100.0 * counts.0 / counts.1),
        kind: MeasureKind::Proportion,
        value_sd: None,
        median_values: None,
        provenance: Default::default(),
        statistics: Some(Box::new(RowStatistics {
            suppressed,
            suppression_reason: suppressed.then_some(SuppressionReason::NumeratorBelow(5)),
            ..Default::default()
        })),
    }
}

#[test]
fn suppressed_counts_are_nowhere_in_the_workbook() {
    // Kommune 4117 of 9000; plejeenhed 1 has 3 of 17 (suppressed), 2 the
    // rest. The Parquet file keeps 3 and 17; the workbook must not.
    let results = Results::new(vec![
        hand_row("825", UnitLevel::Kommune, (4117.0, 9000.0), false),
        hand_row("P1", UnitLevel::Plejeenhed, (3.0, 17.0), true),
        hand_row("P2", UnitLevel::Plejeenhed, (4114.0, 8983.0), false),
    ]);
    let dir = tempfile::tempdir().unwrap();
    results::write(&results, dir.path()).unwrap();
    let out = dir.path().join("report");
    let (code, stdout, stderr) =
        output(kvalitet().args(["report", "--csv", "--results"]).arg(dir.path()).arg("--out").arg(&out));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    // The Danish CSV withholds them too.
    let csv = std::fs::read_to_string(out.join("resultater.csv")).unwrap();
    assert!(stdout.contains("resultater.csv"), "{stdout}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[2],
        format!("{MEASURE};01-03-2025;31-03-2025;plejeenhed;P1;Enhed P1;alle;;;;;;ja;tæller under 5;;;")
    );
    assert!(lines[1].contains(";4117;9000;45,7444"), "{}", lines[1]);
    let mut cells = 0;
    for (sheet, range) in workbook(&out.join("results.xlsx")) {
        for cell in range.cells().map(|(_, _, c)| c) {
            cells += 1;
            let hidden = match cell {
                Data::Float(x) => *x == 3.0 || *x == 17.0 || (*x - 100.0 * 3.0 / 17.0).abs() < 1e-6,
                Data::Int(x) => *x == 3 || *x == 17,
                Data::String(s) => s.trim() == "3" || s.trim() == "17" || s.contains("17,6"),
                _ => false,
            };
            assert!(!hidden, "sheet {sheet}: {cell:?} reveals the suppressed cell");
        }
    }
    assert!(cells > 50);
    // Nor in the raw XML: no numeric cell (a cell without t="s", whose
    // <v> is a number rather than a shared-string index), no string, no
    // note.
    for (name, xml) in xml_parts(&out.join("results.xlsx")) {
        if name.starts_with("xl/worksheets/") {
            for cell in xml.split("<c ").skip(1) {
                let cell = &cell[..cell.find("</c>").or(cell.find("/>")).unwrap()];
                if !cell.contains("t=\"s\"") {
                    for needle in ["<v>3</v>", "<v>17</v>", "<v>17.6"] {
                        assert!(!cell.contains(needle), "{name}: {cell}");
                    }
                }
            }
        } else {
            for needle in ["<t>3</t>", "<t>17</t>", "17.6", "17,6", "3 / 17"] {
                assert!(!xml.contains(needle), "{name} holds {needle}");
            }
        }
    }
    // The pages do not show them either, and say why the cell is empty.
    let page = std::fs::read_to_string(out.join(format!("maal-{MEASURE}.html"))).unwrap();
    assert!(page.contains("diskretioneret</span> <small class=\"kv-reason\">(tæller under 5)</small>"));
    assert!(!page.contains("3 / 17") && !page.contains("17,6"), "the counts are withheld");
}

#[test]
fn a_selection_is_highlighted() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("valg.txt");
    std::fs::write(&list, "# følges i 2025\npo.2a.*\nde.2c.antipsykotika\n").unwrap();
    let out = dir.path().join("report");
    let (code, stdout, stderr) = output(
        kvalitet()
            .args(["report", "--results"])
            .arg(demo_results().join("results.parquet"))
            .arg("--out")
            .arg(&out)
            .arg("--select")
            .arg(&list),
    );
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("wrote the report:") && stdout.contains("index.html"), "{stdout}");
    let driver = std::fs::read_to_string(out.join(format!("driver-po-{KOMMUNE}.html"))).unwrap();
    let area = Catalog::standard();
    let chosen = area.area("po").unwrap().measures.iter().filter(|m| m.id.starts_with("po.2a.")).count();
    assert_eq!(
        driver.matches("class=\"measure measured selected\"").count()
            + driver.matches("class=\"measure unmeasured selected\"").count(),
        chosen
    );
    assert_eq!(chosen, 1, "po.2a has one measure");
    assert!(driver.contains("1 måling i området er valgt"));

    // A typing error in --select is warned about.
    let (code, _, stderr) = output(
        kvalitet()
            .args(["report", "--results"])
            .arg(demo_results())
            .arg("--out")
            .arg(dir.path().join("other"))
            .args(["--select", "po.2x.*"]),
    );
    assert_eq!(code, 0);
    assert!(stderr.contains("warning: --select \"po.2x.*\" matches no measure of the catalogue"), "{stderr}");
}

#[test]
fn a_missing_results_file_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) =
        output(kvalitet().args(["report", "--results"]).arg(dir.path()).arg("--out").arg(dir.path().join("r")));
    assert_eq!(code, 2);
    assert!(stderr.contains("the directory has no results.parquet; run `kvalitet run` (or `kvalitet demo`) first"));
}

#[test]
fn the_demo_report_is_small() {
    let mut bytes = 0;
    let mut pages = 0;
    for entry in std::fs::read_dir(demo_report()).unwrap() {
        let path = entry.unwrap().path();
        bytes += std::fs::metadata(&path).unwrap().len();
        pages += usize::from(path.extension().is_some_and(|e| e == "html"));
    }
    assert!(bytes < 5_000_000, "{bytes} bytes");
    // Overview, four driver diagrams, national comparison, one page per
    // measure with results.
    let results = std::fs::read_to_string(demo_results().join("results.csv")).unwrap();
    let measured: std::collections::BTreeSet<&str> =
        results.lines().skip(1).filter_map(|line| line.split(',').next()).collect();
    assert_eq!(pages, 1 + 4 + 1 + measured.len());
}

#[test]
fn the_national_comparison_shows_the_published_values_and_their_year() {
    let page = std::fs::read_to_string(demo_report().join("national.html")).unwrap();
    let section = &page[page.find("maal-de.2c.antipsykotika.html").expect("antipsykotika is compared")..];
    // The indicator counts purchases, the rule active prescriptions: said
    // where they are compared (catalog/areas/demens.toml, national_note).
    assert!(section.contains("<strong>Bemærk:</strong> Ikke helt samme mål: den nationale indikator tæller"));
    let row = |unit: &str| {
        let at = section.find(&format!("<td>{unit}")).unwrap_or_else(|| panic!("no row {unit}"));
        &section[at..at + section[at..].find("</tr>").unwrap()]
    };
    assert!(section.contains("Offentliggjorte værdier fra <strong>2017</strong>"));
    // catalog/benchmarks/2017.csv: Læsø is not shown (note 14), Region
    // Nordjylland 14.5, the country 19.2. Lower is better and 14.5 is more
    // than 1 % below 19.2, so the region is better than the country.
    assert!(row("Læsø").contains("ingen værdi: Ikke vist: færre end 20 borgere med demens"), "{}", row("Læsø"));
    assert!(row("Region Nordjylland").contains(">14,5 %<"), "{}", row("Region Nordjylland"));
    assert!(row("Region Nordjylland").contains("▼ Bedre</span>"), "{}", row("Region Nordjylland"));
    assert!(row("<strong>Hele landet").contains(">19,2 %<"));
}
