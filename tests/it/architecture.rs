//! Dependencies between modules point one way: catalog, stats and synth at
//! the bottom, then data, engine, results, runner, store, workspace, display,
//! report, and cli on top. Read from the `crate::` paths in the sources.

use crate::common::repo;
use std::collections::BTreeSet;

/// What each module may use.
const ALLOWED: [(&str, &[&str]); 14] = [
    ("stats", &[]),
    ("catalog", &["stats"]),
    ("synth", &["catalog"]),
    ("data", &[]),
    ("engine", &["catalog", "data"]),
    ("results", &["catalog", "data", "engine", "error", "stats"]),
    ("runner", &["catalog", "data", "engine", "results"]),
    ("store", &["results"]),
    ("workspace", &["catalog", "data", "engine", "error", "results", "runner", "stats", "synth"]),
    ("display", &["catalog", "engine", "error", "results", "runner", "stats", "workspace"]),
    ("report", &["catalog", "display", "engine", "error", "results", "stats"]),
    ("error", &["catalog", "data", "engine"]),
    ("kernel", &["catalog", "data", "display", "engine", "error", "results", "runner", "workspace"]),
    (
        "cli",
        &[
            "catalog",
            "data",
            "display",
            "engine",
            "error",
            "kernel",
            "report",
            "results",
            "runner",
            "stats",
            "store",
            "synth",
            "workspace",
        ],
    ),
];

/// The source files of a module: `src/<module>.rs` or everything under
/// `src/<module>/`.
fn module_sources(module: &str) -> Vec<std::path::PathBuf> {
    let file = repo(&format!("src/{module}.rs"));
    if file.is_file() { vec![file] } else { sources(&repo(&format!("src/{module}"))) }
}

fn sources(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn modules_depend_one_way() {
    let mut found = BTreeSet::new();
    for (module, allowed) in ALLOWED {
        for file in module_sources(module) {
            let text = std::fs::read_to_string(&file).unwrap();
            for (at, _) in text.match_indices("crate::") {
                let used: String = text[at + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if used != module && !allowed.contains(&used.as_str()) {
                    found.insert(format!("{} uses crate::{used}", file.strip_prefix(repo("")).unwrap().display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "dependencies against the direction: {found:#?}");
    // Every module of the crate is listed.
    let listed: BTreeSet<&str> = ALLOWED.iter().map(|(m, _)| *m).collect();
    for entry in std::fs::read_dir(repo("src")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        if !["lib", "main"].contains(&name.as_str()) {
            assert!(listed.contains(name.as_str()), "src/{name} is not in ALLOWED");
        }
    }
}
