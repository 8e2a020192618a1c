//! `kvalitet run`, `check` and `explain` as a user calls them.

use crate::common::{copy_tree, kvalitet, output, repo};
use kvalitet::polars::prelude::*;
use std::path::Path;

/// Copies the rules and their helper modules.
fn copy_rules(to: &Path) {
    for dir in ["rules", "rules/lib"] {
        let target = to.join(dir.strip_prefix("rules").unwrap().trim_start_matches('/'));
        std::fs::create_dir_all(&target).unwrap();
        for entry in std::fs::read_dir(repo(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, target.join(path.file_name().unwrap())).unwrap();
            }
        }
    }
}

/// `kvalitet run` on the fixture for March 2024.
fn run_march() -> std::process::Command {
    let mut command = kvalitet();
    command.args(["run", "--data", "tests/fixtures/small", "--quiet", "--from", "2024-03", "--to", "2024-03"]);
    command
}

/// How many rules the repository has.
fn rule_count() -> usize {
    std::fs::read_dir(repo("rules"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "rhai"))
        .count()
}

fn read_csv(path: &Path) -> DataFrame {
    // Every row decides the types: the first hundred may all be suppressed.
    CsvReadOptions::default()
        .with_infer_schema_length(None)
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .unwrap()
        .finish()
        .unwrap()
}

#[test]
fn run_writes_both_files_with_the_contract_columns() {
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = output(
        kvalitet()
            .args([
                "run",
                "--data",
                "tests/fixtures/small",
                "--quiet",
                "--from",
                "2024-Q1",
                "--to",
                "2024-Q1",
                "--every",
                "quarter",
                "--out",
            ])
            .arg(out.path()),
    );
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains(&format!("{} rules × 1 periods (2024-Q1 to 2024-Q1)", rule_count())), "{stdout}");
    let mut names: Vec<String> =
        std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["results.csv", "results.parquet"], "no temporary files are left");
    // Written through a temporary file, yet with the permissions of any
    // file the user creates (others in the group can read the results).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let plain = out.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        assert_eq!(mode(&out.path().join("results.parquet")), mode(&plain));
        assert_eq!(mode(&out.path().join("results.csv")), mode(&plain));
        std::fs::remove_file(plain).unwrap();
    }
    let csv = read_csv(&out.path().join("results.csv"));
    let columns: Vec<&str> = csv.get_column_names().iter().map(|c| c.as_str()).collect();
    let expected = "measure_id period_start period_end unit_level unit_code unit_name stratum numerator denominator value \
                    run_id rule_sha256 inputs_sha256 catalog_version ci_low ci_high ci_method suppressed \
                    suppression_reason development level level_reference national_value overall_value spc_median \
                    spc_run_signal spc_crossings_signal spc_lcl spc_ucl spc_outside measure_kind rate_per value_sd";
    assert_eq!(columns, expected.split_whitespace().collect::<Vec<_>>());
    let parquet =
        ParquetReader::new(std::fs::File::open(out.path().join("results.parquet")).unwrap()).finish().unwrap();
    // The Parquet file has every column of the schema, the list of a
    // median's values too.
    let all: Vec<&str> = parquet.get_column_names().iter().map(|c| c.as_str()).collect();
    let schema: Vec<&str> = kvalitet::results::schema::COLUMNS.iter().map(|c| c.name).collect();
    assert_eq!(all, schema);
    assert_eq!(parquet.height(), csv.height());
    // Provenance: one run id, the rule's own hash, the catalogue version.
    let rule_hash = {
        use sha2::Digest;
        let source = std::fs::read(repo("rules/po.4c.skaermbesoeg.rhai")).unwrap();
        sha2::Sha256::digest(&source).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let row = parquet.clone().lazy().filter(col("measure_id").eq(lit("po.4c.skaermbesoeg"))).collect().unwrap();
    assert_eq!(row.column("rule_sha256").unwrap().str().unwrap().get(0), Some(rule_hash.as_str()));
    assert_eq!(row.column("catalog_version").unwrap().str().unwrap().get(0), Some("2025.1"));
    assert_eq!(parquet.column("run_id").unwrap().n_unique().unwrap(), 1);
    assert_eq!(row.column("period_start").unwrap().dtype(), &DataType::Date);
    // The fixture's numbers are small: suppressed rows show no value in
    // either file and withhold numerator and denominator in the CSV only.
    // Skærmbesøg, kommune, Q1: 3 of the 5 indsatser visited (I01 I10 I02 I05
    // I03) had a screen visit (I01 I02 I03) → denominator under 20.
    let pick = |frame: &DataFrame, column: &str| {
        frame
            .clone()
            .lazy()
            .filter(col("measure_id").eq(lit("po.4c.skaermbesoeg")).and(col("unit_level").eq(lit("kommune"))))
            .collect()
            .unwrap()
            .column(column)
            .unwrap()
            .get(0)
            .unwrap()
            .into_static()
    };
    assert_eq!(pick(&csv, "suppression_reason"), AnyValue::String("nævner under 20"));
    assert_eq!(pick(&csv, "value"), AnyValue::Null);
    assert_eq!(pick(&csv, "numerator"), AnyValue::Null);
    assert_eq!(pick(&parquet, "numerator"), AnyValue::Float64(3.0));
    assert_eq!(pick(&parquet, "denominator"), AnyValue::Float64(5.0));
}

#[test]
fn editing_a_rule_changes_the_next_run_without_rebuilding() {
    let rules = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    copy_rules(rules.path());
    let run = |out: &Path| {
        let (code, stdout, stderr) =
            output(run_march().args(["--by", "kommune", "--rules"]).arg(rules.path()).arg("--out").arg(out));
        assert_eq!(code, 0, "{stdout}{stderr}");
        let results = read_csv(&out.join("results.csv"));
        results
            .lazy()
            .filter(col("measure_id").eq(lit("sp.3b.uth-pr-maaned")).and(col("stratum").eq(lit("alle"))))
            .collect()
            .unwrap()
            .column("value")
            .unwrap()
            .f64()
            .unwrap()
            .get(0)
    };
    assert_eq!(run(out.path()), Some(5.0));
    // Count every event up to the period end: U6 from February too, 6.
    let path = rules.path().join("sp.3b.uth-pr-maaned.rhai");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("col(\"dato\").within(period)"), "{text}");
    let edited = text.replace("col(\"dato\").within(period)", "col(\"dato\") <= period.end");
    std::fs::write(&path, edited).unwrap();
    assert_eq!(run(out.path()), Some(6.0));
}

#[test]
fn a_failing_rule_is_reported_and_the_others_are_written() {
    let rules = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    copy_rules(rules.path());
    std::fs::write(
        rules.path().join("zz.fejl.rhai"),
        "let t = table(\"uth\");\nt.filter(col(\"typ\") == \"fald\").count()\n",
    )
    .unwrap();
    let whole = tempfile::tempdir().unwrap();
    assert_eq!(output(run_march().arg("--out").arg(whole.path())).0, 0);
    let (code, stdout, stderr) = output(run_march().args(["--rules"]).arg(rules.path()).arg("--out").arg(out.path()));
    assert_eq!(code, 1, "exit code 1 when a rule fails");
    assert!(stderr.contains("zz.fejl.rhai:2:3: in table(\"uth\").filter(..): "), "{stderr}");
    assert!(stderr.contains("typ"), "{stderr}");
    assert!(stdout.contains(&format!("{} rules × 1 periods", rule_count() + 1)), "{stdout}");
    assert!(stdout.contains("1 rule(s) failed"), "{stdout}");
    // The others give the same measures as a run without the broken rule.
    let measures = |dir: &Path| read_csv(&dir.join("results.csv")).column("measure_id").unwrap().n_unique().unwrap();
    assert_eq!(measures(out.path()), measures(whole.path()));
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    let (code, _, stderr) = output(kvalitet().args([
        "run",
        "--data",
        "tests/fixtures/small",
        "--out",
        "/tmp/x",
        "--from",
        "2024-13",
        "--to",
        "2024-03",
    ]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--from \"2024-13\" is not a period; write YYYY-MM, YYYY-Qn or YYYY"), "{stderr}");
    let (code, _, stderr) = output(kvalitet().args([
        "run",
        "--data",
        "no/such/dir",
        "--out",
        "/tmp/x",
        "--from",
        "2024-01",
        "--to",
        "2024-03",
    ]));
    assert_eq!(code, 2);
    assert!(stderr.contains("no/such/dir: cannot read the data directory"), "{stderr}");
}

#[test]
fn check_compiles_rules_and_validates_data() {
    let (code, stdout, stderr) =
        output(kvalitet().args(["check", "--data", "tests/fixtures/small", "--period", "2024-03"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("ok    po.2a.revurderet-tilstand-6mdr"), "{stdout}");
    assert!(stdout.contains(&format!("{} rule(s), 0 failed", rule_count())), "{stdout}");
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(rules.path().join("x.rhai"), "count(table(\"uth\")\n").unwrap();
    let (code, _, stderr) = output(kvalitet().args(["check", "--rules"]).arg(rules.path()));
    assert_eq!(code, 1);
    assert!(stderr.contains("x.rhai:2:1"), "{stderr}");
}

#[test]
fn explain_lists_the_citizens_behind_a_number() {
    let (code, stdout, stderr) = output(kvalitet().args([
        "explain",
        "po.2a.revurderet-tilstand-6mdr",
        "--data",
        "tests/fixtures/small",
        "--period",
        "2024-03",
        "--unit",
        "461",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let expected = "\
# po.2a.revurderet-tilstand-6mdr (proportion), 2024-03 kommune 461: 7 member(s)
# numerator 3 / denominator 6 (1 excluded, 0 exception(s))
borger_id\ttaeller\tudelukket\tundtagelse\tnaevner
B01\tja\tnej\tnej\tja
B02\tnej\tnej\tnej\tja
B03\tja\tnej\tnej\tja
B04\tnej\tnej\tnej\tja
B05\tnej\tnej\tnej\tja
B07\tja\tja\tnej\tnej
B08\tja\tnej\tnej\tja
";
    assert_eq!(stdout, expected);
    let plan = |measure: &str| {
        output(kvalitet().args(["explain", measure, "--data", "tests/fixtures/small", "--period", "2024-03", "--plan"]))
    };
    let (code, stdout, _) = plan("po.4c.skaermbesoeg");
    assert_eq!(code, 0);
    assert!(stdout.contains("GROUP_BY") || stdout.contains("AGGREGATE"), "{stdout}");
    // po.2a has three strata (alle, 67+, 80+): their pieces share the
    // attributed rows as one cached sub-plan instead of computing them three
    // times (a filter per stratum under the group-by would prevent that).
    let (code, stdout, _) = plan("po.2a.revurderet-tilstand-6mdr");
    assert_eq!(code, 0);
    assert!(stdout.contains("CACHE[id:"), "{stdout}");
}

#[test]
fn run_applies_the_catalogues_statistics_settings() {
    // A copy of the catalogue where skærmbesøg has no suppression threshold,
    // so the fixture's small numbers show.
    let catalog = tempfile::tempdir().unwrap();
    copy_tree(&repo("catalog"), catalog.path());
    let areas = catalog.path().join("areas/pleje-og-omsorg.toml");
    let text = std::fs::read_to_string(&areas).unwrap().replace(
        "rule = \"po.4c.skaermbesoeg\"\n",
        "rule = \"po.4c.skaermbesoeg\"\nstatistics = { min_denominator = 0, min_numerator = 0 }\n",
    );
    std::fs::write(&areas, text).unwrap();
    // March: 3 of 5 indsatser had a screen visit. Wilson 95 %:
    // (0.6 + z²/10) / (1 + z²/5) ∓ z·√(0.048 + z²/100) / (1 + z²/5)
    // = 23.072 % .. 88.238 %.
    let get = skaermbesoeg_in_march(catalog.path(), &[]);
    assert_eq!(get("suppressed"), AnyValue::Boolean(false));
    assert_eq!(get("numerator"), AnyValue::Float64(3.0));
    assert!((get("ci_low").extract::<f64>().unwrap() - 23.07242812760128).abs() < 1e-9);
    assert!((get("ci_high").extract::<f64>().unwrap() - 88.2379225767352).abs() < 1e-9);
    // February was 0 of 1 (V10): up, and the catalogue gives the measure no
    // direction, so the marker says "higher", not "positive".
    assert_eq!(get("development"), AnyValue::String("higher"));

    // The exact (Clopper-Pearson) interval at 90 %: the p where
    // P(Bin(5, p) >= 3) = 0.05 and P(Bin(5, p) <= 3) = 0.05 (R's
    // binom.test(3, 5, conf.level = 0.9)), solved by bisection of the
    // binomial sums: 0.18925538 .. 0.92355961.
    let get = skaermbesoeg_in_march(catalog.path(), &["--proportion-ci", "clopper-pearson", "--ci-level", "0.9"]);
    assert_eq!(get("ci_method"), AnyValue::String("clopper_pearson"));
    assert!((get("ci_low").extract::<f64>().unwrap() - 18.925537743777078).abs() < 1e-6);
    assert!((get("ci_high").extract::<f64>().unwrap() - 92.35596085876712).abs() < 1e-6);
}

/// Runs March 2024 on the fixture with `catalog` and `extra` arguments and
/// returns a getter for the kommune row of po.4c.skaermbesoeg in results.csv.
fn skaermbesoeg_in_march(catalog: &Path, extra: &[&str]) -> impl Fn(&str) -> AnyValue<'static> {
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) =
        output(run_march().args(extra).arg("--catalog").arg(catalog).arg("--out").arg(out.path()));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let row = read_csv(&out.path().join("results.csv"))
        .lazy()
        .filter(col("measure_id").eq(lit("po.4c.skaermbesoeg")).and(col("unit_level").eq(lit("kommune"))))
        .collect()
        .unwrap();
    move |c: &str| row.column(c).unwrap().get(0).unwrap().into_static()
}
