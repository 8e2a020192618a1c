//! kvalitet against DuckDB: the four measures of the scale benchmark
//! (`benches/national.rs`) written by hand in DuckDB SQL
//! (`benches/duckdb_measures.py`) give the numerators and denominators of
//! the demo's results, for every month, kommune, plejeenhed and stratum.
//! The benchmark runs the same check on the national data.

use crate::common::{demo_results, repo};
use std::process::Command;

#[test]
fn duckdb_computes_the_same_numerators_and_denominators_as_the_rules() {
    let python = repo(".venv/bin/python");
    assert!(python.is_file(), "{} is missing: run scripts/setup (scripts/test does)", python.display());
    let demo = demo_results();
    let out = tempfile::tempdir().unwrap();
    let duckdb = out.path().join("duckdb.parquet");
    let script = repo("benches/duckdb_measures.py");
    let ran = Command::new(&python).arg(&script).arg("run").arg(demo.join("data")).arg(&duckdb).output().unwrap();
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    let compared = Command::new(&python)
        .arg(&script)
        .arg("compare")
        .arg(demo.join("results.parquet"))
        .arg(&duckdb)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&compared.stdout);
    assert!(compared.status.success(), "kvalitet and DuckDB disagree:\n{stdout}");
    // Læsø's 12 months hold rows of every measure; the count is DuckDB's.
    let rows: usize = stdout.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(rows > 100, "{stdout}");
    assert!(stdout.contains(" 0 differ"), "{stdout}");
}
