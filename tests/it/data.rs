//! Loading input tables: Danish CSV, Parquet, validation errors that name
//! file, row and column, and refusal of CPR numbers.

use crate::common::{fixture_copy, repo, row, run_rules};
use kvalitet::data::{DataSource, Schema};
use kvalitet::engine::TableSource;
use kvalitet::polars::prelude::*;

const BORGERE_HEADER: &str = "borger_id;foedselsdato;koen;kommune_kode;doedsdato;demens_diagnose_dato\n";

/// Problems found when `files` make up the data directory.
fn problems(files: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    let data = DataSource::open(dir.path(), &Schema::standard()).unwrap();
    data.problems().iter().map(|p| p.to_string().replace(&format!("{}/", dir.path().display()), "")).collect()
}

#[test]
fn danish_csv_with_bom_latin1_and_decimal_comma_loads() {
    // The fixture's borgere.csv has a UTF-8 BOM and plejeenheder.csv is
    // Latin-1; a custom table uses decimal commas and dd-mm-yyyy dates.
    let dir = fixture_copy();
    std::fs::write(
        dir.path().join("lokal_audit.csv"),
        "enhed;dato;score;bemaerkning\nPE1;05-03-2024;3,5;ok\nPE2;06-03-2024;4,25;fin\n",
    )
    .unwrap();
    let data = DataSource::open(dir.path(), &Schema::standard()).unwrap();
    assert!(data.problems().is_empty(), "{:?}", data.problems());
    let units = data.table("plejeenheder").unwrap().collect().unwrap();
    assert_eq!(units.column("navn").unwrap().str().unwrap().get(1), Some("Plejecenter Søndervang"));
    let audit = data.table("lokal_audit").unwrap().collect().unwrap();
    assert_eq!(audit.column("score").unwrap().dtype(), &DataType::Float64);
    assert_eq!(audit.column("score").unwrap().f64().unwrap().sum(), Some(7.75));
    assert_eq!(audit.column("dato").unwrap().dtype(), &DataType::Date);
    assert_eq!(audit.column("bemaerkning").unwrap().dtype(), &DataType::String);
}

#[test]
fn parquet_gives_the_same_results_as_csv() {
    // Write every fixture table as Parquet (typed) and run all rules again.
    let csv = DataSource::open(&repo("tests/fixtures/small"), &Schema::standard()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for name in csv.table_names() {
        let mut frame = csv.table(&name).unwrap().collect().unwrap();
        let file = std::fs::File::create(dir.path().join(format!("{name}.parquet"))).unwrap();
        ParquetWriter::new(file).finish(&mut frame).unwrap();
    }
    let from_csv = run_rules(&repo("tests/fixtures/small"), &repo("rules"), "2024-03").results;
    let from_parquet = run_rules(dir.path(), &repo("rules"), "2024-03").results;
    assert_eq!(from_csv.height(), from_parquet.height());
    let core = ["measure_id", "unit_level", "unit_code", "stratum", "numerator", "denominator", "value"];
    assert!(from_csv.select(core).unwrap().equals_missing(&from_parquet.select(core).unwrap()));
    assert_eq!(row(&from_parquet, "po.2a.revurderet-tilstand-6mdr", "kommune", "461", "alle").2, Some(50.0));
}

#[test]
fn missing_column_is_named_with_what_was_expected() {
    let found =
        problems(&[("borgere.csv", "borger_id;koen;kommune_kode;doedsdato;demens_diagnose_dato\nB1;K;461;;\n")]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("borgere.csv, column foedselsdato: the column is missing; expected a date"),
        "{}",
        found[0]
    );
}

#[test]
fn unparsable_date_names_the_line_and_column() {
    let content = format!("{BORGERE_HEADER}B1;01-01-1940;K;461;;\nB2;31-02-1950;M;461;;\n");
    let found = problems(&[("borgere.csv", &content)]);
    assert_eq!(
        found,
        ["borgere.csv, line 3, column foedselsdato: \"31-02-1950\" is not a date (dd-mm-yyyy or yyyy-mm-dd)"]
    );
}

#[test]
fn wrong_type_and_closed_values_are_reported() {
    let content =
        "tilstand_id;borger_id;vurderet;niveau\nT1;B1;01-01-2024;2\nT2;B1;01-01-2024;to\nT3;B1;01-01-2024;7\n";
    let found = problems(&[("vurderinger.csv", content)]);
    assert_eq!(
        found,
        [
            "vurderinger.csv, line 3, column niveau: \"to\" is not a whole number",
            "vurderinger.csv, line 4, column niveau: \"7\" is above the largest allowed value 4",
        ]
    );
    let content = format!("{BORGERE_HEADER}B1;01-01-1940;X;461;;\n");
    assert_eq!(
        problems(&[("borgere.csv", &content)]),
        ["borgere.csv, line 2, column koen: \"X\" is not one of the allowed values: K, M"]
    );
}

#[test]
fn empty_required_value_is_reported() {
    let content = format!("{BORGERE_HEADER}B1;;K;461;;\n");
    assert_eq!(
        problems(&[("borgere.csv", &content)]),
        ["borgere.csv, line 2, column foedselsdato: the value is empty; the column must have a value in every row"]
    );
}

#[test]
fn duplicate_key_names_the_key_and_rows() {
    let content = format!("{BORGERE_HEADER}B1;01-01-1940;K;461;;\nB2;01-01-1941;K;461;;\nB1;01-01-1942;M;461;;\n");
    assert_eq!(
        problems(&[("borgere.csv", &content)]),
        [
            "borgere.csv, lines 2, 4, column borger_id: duplicate key borger_id=B1 (2 rows); each row of table borgere must have its own borger_id"
        ]
    );
}

#[test]
fn duplicate_key_of_two_columns_names_both() {
    // The key of tilknytning is borger_id + start: B1 moves twice on the
    // same day (lines 2 and 4); B1 on another day and B2 on the same day
    // are different keys.
    let content = "borger_id;plejeenhed_id;bolig;start;slut\n\
                   B1;P1;eget_hjem;01-03-2025;\n\
                   B1;P2;eget_hjem;02-03-2025;\n\
                   B1;P3;plejebolig;01-03-2025;\n\
                   B2;P1;eget_hjem;01-03-2025;\n";
    assert_eq!(
        problems(&[("tilknytning.csv", content)]),
        [
            "tilknytning.csv, lines 2, 4, column borger_id, start: duplicate key borger_id=B1, start=2025-03-01 (2 rows); each row of table tilknytning must have its own borger_id + start"
        ]
    );
}

#[test]
fn cpr_numbers_are_refused_without_being_shown() {
    // A hyphenated CPR number in a column of a custom table.
    let found = problems(&[("lokal.csv", "navn;cpr\nA;010150-1234\nB;x\n")]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("lokal.csv, line 2, column cpr: the value looks like a CPR number"), "{}", found[0]);
    assert!(!found[0].contains("010150"), "the CPR number must not be printed: {}", found[0]);
    // borger_id filled with ten-digit CPR numbers without hyphen.
    let content = format!("{BORGERE_HEADER}0101401234;01-01-1940;K;461;;\n3112451234;31-12-1945;M;461;;\n");
    let found = problems(&[("borgere.csv", &content)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("column borger_id: the value looks like a CPR number"), "{}", found[0]);
    assert!(found[0].contains("Nothing is computed from this file"), "{}", found[0]);
}

#[test]
fn pseudonymous_ten_digit_ids_are_not_cpr() {
    // Random ten-digit ids rarely start with a valid DDMMYY: 1 of 3 here.
    let content = format!(
        "{BORGERE_HEADER}9912345678;01-01-1940;K;461;;\n0101401234;01-01-1941;K;461;;\n4455667788;01-01-1942;M;461;;\n"
    );
    assert!(problems(&[("borgere.csv", &content)]).is_empty());
}

#[test]
fn a_rule_reading_a_broken_table_fails_and_the_others_run() {
    let dir = fixture_copy();
    // Break the uth table: an unknown type on line 3.
    let uth = std::fs::read_to_string(dir.path().join("uth.csv")).unwrap().replacen(";medicinering;", ";medicin;", 1);
    std::fs::write(dir.path().join("uth.csv"), uth).unwrap();
    let data = DataSource::open(dir.path(), &Schema::standard()).unwrap();
    // The table's error is said once, in the problems; a rule that reads
    // the table is told where to look.
    assert_eq!(data.problems().len(), 1);
    let problem = data.problems()[0].to_string();
    assert!(
        problem.contains("uth.csv, line 3, column type: \"medicin\" is not one of the allowed values"),
        "{problem}"
    );
    let error = data.table("uth").err().expect("uth does not load").to_string();
    assert!(
        error.starts_with("table \"uth\" is unavailable: it did not load (see the data error above for "),
        "{error}"
    );
    assert!(error.ends_with("uth.csv)"), "{error}");
    assert!(data.table("borgere").is_ok());
}

#[test]
fn unknown_files_are_ignored_and_folders_are_tables() {
    let dir = fixture_copy();
    std::fs::write(dir.path().join("LÆSMIG.md"), "not a table").unwrap();
    let parts = dir.path().join("besoeg");
    std::fs::create_dir(&parts).unwrap();
    let visits = std::fs::read_to_string(dir.path().join("besoeg.csv")).unwrap();
    std::fs::remove_file(dir.path().join("besoeg.csv")).unwrap();
    let mut lines = visits.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    std::fs::write(parts.join("del1.csv"), format!("{header}\n{}\n", rows[..5].join("\n"))).unwrap();
    std::fs::write(parts.join("del2.csv"), format!("{header}\n{}\n", rows[5..].join("\n"))).unwrap();
    let data = DataSource::open(dir.path(), &Schema::standard()).unwrap();
    assert!(data.problems().is_empty(), "{:?}", data.problems());
    assert_eq!(data.table("besoeg").unwrap().collect().unwrap().height(), 11);
    assert!(!data.table_names().contains(&"LÆSMIG".to_string()));
}

#[test]
fn a_filter_on_a_parquet_column_of_the_right_type_reaches_the_reader() {
    // A table read from Parquet is typed by expressions over the scan; a
    // cast there (even to the column's own type) would keep a filter on the
    // column above the scan, and the reader could not skip row groups.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("besoeg.parquet");
    let at = |day: u32| chrono::NaiveDate::from_ymd_opt(2025, 3, day).unwrap().and_hms_opt(8, 0, 0).unwrap();
    let mut visits = df!(
        "besoeg_id" => ["V1", "V2"],
        "borger_id" => ["B1", "B2"],
        "medarbejder_id" => ["M1", "M1"],
        "tidspunkt" => [at(1), at(2)],
        "varighed_min" => [20i64, 30],
        "skaermbesoeg" => [false, true],
        "indsats_id" => [Some("I1"), None],
    )
    .unwrap()
    .lazy()
    .with_column(col("tidspunkt").cast(DataType::Datetime(TimeUnit::Microseconds, None)))
    .collect()
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut visits).unwrap();
    let scan = LazyFrame::scan_parquet(PlRefPath::new(path.to_str().unwrap()), ScanArgsParquet::default()).unwrap();
    let schema = Schema::standard();
    let typed = kvalitet::data::validate::validate_file(
        &path,
        scan,
        schema.tables.get("besoeg"),
        kvalitet::data::validate::RowNumbering::Row,
        true,
    )
    .unwrap();
    let day = kvalitet::engine::api::date_lit(chrono::NaiveDate::from_ymd_opt(2025, 3, 2).unwrap());
    let plan = typed.filter(col("tidspunkt").gt_eq(day)).explain(true).unwrap();
    let selection = plan.lines().find(|l| l.contains("SELECTION")).unwrap_or_default();
    assert!(selection.contains("tidspunkt"), "the filter stays above the scan:\n{plan}");
}
