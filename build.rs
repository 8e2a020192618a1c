//! Builds the standard rules into the binary: every `rules/*.rhai` and
//! every helper module `rules/lib/*.rhai`, so that `kvalitet demo` and
//! `kvalitet run` work from any directory.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The `*.rhai` files of `dir`, sorted by name.
fn rhai_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "rhai"))
        .collect();
    files.sort();
    files
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut out =
        String::from("/// (file name, source) of every standard rule.\npub static RULES: &[(&str, &str)] = &[\n");
    for path in rhai_files(&rules) {
        let name = path.file_name().and_then(|n| n.to_str()).expect("a UTF-8 file name");
        writeln!(out, "    ({name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    out.push_str("];\n/// (module name, source) of every helper module in rules/lib.\npub static LIBRARY: &[(&str, &str)] = &[\n");
    let lib = rules.join("lib");
    if lib.is_dir() {
        for path in rhai_files(&lib) {
            let name = path.file_stem().and_then(|n| n.to_str()).expect("a UTF-8 file name");
            writeln!(out, "    ({name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
        }
    }
    out.push_str("];\n");
    let target = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("standard_rules.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
}
