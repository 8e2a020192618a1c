//! What the command line prints, as a user sees it: exit code, stdout and
//! stderr, snapshotted (paths, run ids and timings filtered).

use crate::common::{fixture_copy, kvalitet, snapshot_command};

/// `kvalitet <args>` from the repository root.
fn command(args: &[&str]) -> std::process::Command {
    let mut command = kvalitet();
    command.args(args);
    command
}

#[test]
fn check_the_fixture() {
    snapshot_command("cli_check", &mut command(&["check", "--data", "tests/fixtures/small", "--period", "2024-03"]));
}

#[test]
fn run_the_fixture() {
    let out = tempfile::tempdir().unwrap();
    snapshot_command(
        "cli_run",
        command(&["run", "--data", "tests/fixtures/small", "--from", "2024-03", "--to", "2024-03", "--quiet", "--out"])
            .arg(out.path()),
    );
}

#[test]
fn explain_one_number() {
    snapshot_command(
        "cli_explain",
        &mut command(&[
            "explain",
            "po.2a.revurderet-tilstand-6mdr",
            "--data",
            "tests/fixtures/small",
            "--period",
            "2024-03",
            "--level",
            "plejeenhed",
            "--unit",
            "PE2",
        ]),
    );
}

#[test]
fn explain_an_unknown_rule_suggests_the_close_ones() {
    snapshot_command(
        "cli_explain_unknown",
        &mut command(&["explain", "po.2a.revurderet", "--data", "tests/fixtures/small", "--period", "2024-03"]),
    );
}

#[test]
fn run_with_a_bad_period() {
    snapshot_command(
        "cli_run_bad_period",
        &mut command(&["run", "--data", "tests/fixtures/small", "--from", "2024-13", "--to", "2024-12", "--out", "x"]),
    );
}

#[test]
fn run_with_a_broken_rule_and_a_bad_table() {
    // One rule with a typo at line 2 column 9; uth.csv with a date that
    // does not exist. The other rule runs and its results are written.
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(
        rules.path().join("sp.3b.uth-pr-maaned.rhai"),
        "let uth = table(\"uth\");\ncount(uth.filtre(col(\"dato\").within(period)))\n",
    )
    .unwrap();
    std::fs::write(
        rules.path().join("po.4c.skaermbesoeg.rhai"),
        "let b = table(\"besoeg\").filter(col(\"tidspunkt\").within(period));\nproportion(b.filter(col(\"skaermbesoeg\")), b).key(\"besoeg_id\")\n",
    )
    .unwrap();
    let data = fixture_copy();
    let uth = std::fs::read_to_string(data.path().join("uth.csv")).unwrap();
    let (header, rest) = uth.split_once('\n').unwrap();
    let (first, others) = rest.split_once('\n').unwrap();
    let broken: Vec<&str> = first.split(';').collect();
    let date_column = header.split(';').position(|c| c == "dato").unwrap();
    let mut fields: Vec<String> = broken.iter().map(|s| s.to_string()).collect();
    fields[date_column] = "31-02-2024".into();
    std::fs::write(data.path().join("uth.csv"), format!("{header}\n{}\n{others}", fields.join(";"))).unwrap();
    let out = tempfile::tempdir().unwrap();
    snapshot_command(
        "cli_run_failures",
        command(&["run", "--from", "2024-03", "--to", "2024-03", "--by", "kommune", "--quiet", "--data"])
            .arg(data.path())
            .arg("--rules")
            .arg(rules.path())
            .arg("--out")
            .arg(out.path()),
    );
}
