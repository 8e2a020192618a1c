//! Broken and hostile input, as a careless export or a hostile user makes
//! it: errors stay short and are said once, nothing wrong is accepted in
//! silence, and the command line behaves in pipes and terminals.

use crate::common::{demo_results, fixture_copy, kvalitet, output, repo};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// `kvalitet run` for March 2024 at kommune level on `data` with the rules
/// in `rules` (the repository's when `None`).
fn run_march(data: &Path, rules: Option<&Path>) -> (i32, String, String) {
    let out = tempfile::tempdir().unwrap();
    let mut command = kvalitet();
    command.args(["run", "--quiet", "--from", "2024-03", "--to", "2024-03", "--by", "kommune", "--data"]).arg(data);
    command.arg("--rules").arg(rules.unwrap_or(&repo("rules"))).arg("--out").arg(out.path());
    output(&mut command)
}

/// Replaces uth.csv of a fixture copy.
fn with_uth(text: &str) -> tempfile::TempDir {
    let data = fixture_copy();
    std::fs::write(data.path().join("uth.csv"), text).unwrap();
    data
}

#[test]
fn a_huge_value_is_quoted_short_and_reported_once() {
    // A broken export: one date cell holds 5 MB (a missing line break).
    let fixture = std::fs::read_to_string(repo("tests/fixtures/small/uth.csv")).unwrap();
    let huge = "9".repeat(5_000_000);
    let data = with_uth(&fixture.replacen("02-03-2024", &huge, 1));
    let (code, _, stderr) = run_march(data.path(), None);
    assert_eq!(code, 1, "{}", &stderr[..stderr.len().min(2000)]);
    // Bounded by the rules and tables, not by the 5 MB value.
    assert!(stderr.len() < 4_000, "stderr is {} bytes", stderr.len());
    assert!(stderr.contains("(a value of 5000000 characters) is not a date"), "{stderr}");
    // The table's problem is said once; the rule that reads it refers to it.
    assert_eq!(stderr.matches("(a value of 5000000 characters)").count(), 1, "{stderr}");
    assert!(stderr.contains("table \"uth\" is unavailable: it did not load (see the data error above for"), "{stderr}");
}

#[test]
fn a_column_named_twice_is_refused_with_both_positions() {
    let data = with_uth(
        "uth_id;dato;plejeenhed_id;borger_id;type;alvorlighed;laeringsforloeb;type\n\
         U1;02-03-2024;PE1;B01;fald;mild;nej;medicinering\n",
    );
    let (code, _, stderr) = run_march(data.path(), None);
    assert_eq!(code, 1);
    assert!(stderr.contains("uth.csv: columns 5 and 8 of the header are both named \"type\""), "{stderr}");
}

#[test]
fn a_header_only_table_is_warned_about_and_its_measures_have_no_data() {
    let data = with_uth("uth_id;dato;plejeenhed_id;borger_id;type;alvorlighed;laeringsforloeb\n");
    let rules = tempfile::tempdir().unwrap();
    std::fs::copy(repo("rules/sp.3b.uth-pr-maaned.rhai"), rules.path().join("sp.3b.uth-pr-maaned.rhai")).unwrap();
    std::fs::copy(repo("rules/po.4c.skaermbesoeg.rhai"), rules.path().join("po.4c.skaermbesoeg.rhai")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut command = kvalitet();
    command.args(["run", "--quiet", "--from", "2024-03", "--to", "2024-03", "--by", "kommune", "--data"]);
    command.arg(data.path()).arg("--rules").arg(rules.path()).arg("--out").arg(out.path());
    let (code, _, stderr) = output(&mut command);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("uth.csv: the table is empty (a header and no rows)"), "{stderr}");
    assert!(stderr.contains("note: sp.3b.uth-pr-maaned: no data (table uth is empty)"), "{stderr}");
    // No row of the measure, rather than a count of 0; the other measure is there.
    let csv = std::fs::read_to_string(out.path().join("results.csv")).unwrap();
    assert!(!csv.contains("sp.3b.uth-pr-maaned"), "{csv}");
    assert!(csv.contains("po.4c.skaermbesoeg"));
}

#[test]
fn part_files_that_disagree_are_refused_with_both_named() {
    let data = fixture_copy();
    std::fs::remove_file(data.path().join("uth.csv")).unwrap();
    std::fs::create_dir(data.path().join("uth")).unwrap();
    std::fs::write(
        data.path().join("uth/2024-02.csv"),
        "uth_id;dato;plejeenhed_id;borger_id;type;alvorlighed;laeringsforloeb\nU6;28-02-2024;PE1;B02;fald;mild;nej\n",
    )
    .unwrap();
    std::fs::write(
        data.path().join("uth/2024-03.csv"),
        "uth_id;dato;plejeenhed_id;borger_id;type;alvorlighed;laeringsforloeb;kommentar\n\
         U1;02-03-2024;PE1;B01;fald;mild;nej;glat gulv\n",
    )
    .unwrap();
    let (code, _, stderr) = run_march(data.path(), None);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("uth/2024-03.csv: the part files of table uth disagree with")
            && stderr.contains("uth/2024-02.csv: it has a column kommentar that the first file has not"),
        "{stderr}"
    );
}

#[test]
fn a_separator_that_cannot_be_told_is_refused_with_what_was_tried() {
    let data = with_uth(
        "uth_id|dato|plejeenhed_id|borger_id|type|alvorlighed|laeringsforloeb\nU1|02-03-2024|PE1|B01|fald|mild|nej\n",
    );
    let (code, _, stderr) = run_march(data.path(), None);
    assert_eq!(code, 1);
    assert!(stderr.contains("uth.csv: cannot tell the separator"), "{stderr}");
    assert!(stderr.contains("those tried (';', tab, ',')"), "{stderr}");
}

#[test]
fn a_line_with_too_many_fields_is_named_in_fields_not_rows() {
    // Two records run together on line 3.
    let data = with_uth(
        "uth_id;dato;plejeenhed_id;borger_id;type;alvorlighed;laeringsforloeb\n\
         U1;02-03-2024;PE1;B01;fald;mild;nej\n\
         U2;05-03-2024;PE1;;medicinering;moderat;jaU3;10-03-2024;PE2;B04;fald;alvorlig;ja\n",
    );
    let (_, _, stderr) = run_march(data.path(), None);
    assert!(
        stderr.contains("uth.csv, line 3: the line has 13 fields where the header has 7; a line break is missing"),
        "{stderr}"
    );
    assert!(!stderr.contains("rows, actual"), "{stderr}");
}

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    // Every visit of 2025 in Læsø, many more bytes than a pipe holds: the
    // reader takes two lines and goes away.
    let data = demo_results().join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kvalitet"))
        .args(["explain", "po.4c.skaermbesoeg", "--period", "2025", "--data"])
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().starts_with("# po.4c.skaermbesoeg"));
    lines.next().unwrap().unwrap();
    drop(lines);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    use std::os::unix::process::ExitStatusExt;
    assert!(out.status.success() || out.status.signal() == Some(libc::SIGPIPE), "{:?}", out.status);
}

#[test]
fn no_progress_bar_or_colour_for_no_color_even_in_a_terminal() {
    // A real terminal (script(1) gives the command a pty) with NO_COLOR set.
    let out = tempfile::tempdir().unwrap();
    let command =
        format!("{} synth --kommune Læsø --years 1 --out {}", env!("CARGO_BIN_EXE_kvalitet"), out.path().display());
    let result = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .expect("script(1) from util-linux runs");
    let text = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{text}");
    assert!(text.contains("1 municipalities"), "{text}");
    assert!(!text.contains('\u{1b}'), "escape sequences in {text:?}");
    assert!(!text.contains("chunks of citizens"), "a progress bar in {text:?}");
}
