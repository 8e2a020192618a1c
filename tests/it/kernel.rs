//! The Jupyter kernel against real Jupyter clients: the
//! `jupyter_kernel_test` conformance suite and the protocol tests of
//! `tests/jupyter/` (interrupts, restart, shutdown, bad messages, cursors,
//! nbclient), run with pytest from the virtual environment that
//! `scripts/setup` creates.

use crate::common::{demo_results, repo};
use std::process::Command;

/// The Python of `.venv`; the test fails (it does not skip) without it.
fn python() -> std::path::PathBuf {
    let python = repo(".venv/bin/python");
    assert!(python.is_file(), "{} is missing: run scripts/setup (scripts/test does)", python.display());
    python
}

#[test]
fn jupyter_protocol_suites() {
    let demo = demo_results().join("data");
    let output = Command::new(python())
        .args(["-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "tests/jupyter"])
        .current_dir(repo(""))
        .env("KVALITET_BIN", env!("CARGO_BIN_EXE_kvalitet"))
        .env("KVALITET_FIXTURE", repo("tests/fixtures/small"))
        .env("KVALITET_DEMO_DATA", &demo)
        .output()
        .expect("pytest runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "pytest failed:\n{stdout}\n{stderr}");
    // Only the suite's tests of what the kernel does not offer are skipped:
    // clearing output, the pager, and history (it keeps none).
    let skipped: Vec<&str> = stdout.lines().filter(|l| l.starts_with("SKIPPED")).collect();
    let known = [
        "No code clear output",
        "No code page something",
        "History tail not supported",
        "History range not supported",
        "No code history pattern",
    ];
    assert!(skipped.iter().all(|l| known.iter().any(|k| l.ends_with(k))), "unexpected skips: {skipped:#?}");
    assert_eq!(skipped.len(), known.len(), "{stdout}");
}
