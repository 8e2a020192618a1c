//! Dependencies between modules point one way: catalog, stats and synth at
//! the bottom, then data, engine, runner, and cli on top. Read from the
//! `crate::` paths in the sources.

use crate::common::repo;
use std::collections::BTreeSet;

/// What each module may use.
const ALLOWED: [(&str, &[&str]); 7] = [
    ("stats", &[]),
    ("catalog", &["stats"]),
    ("synth", &["catalog"]),
    ("data", &[]),
    ("engine", &["data"]),
    ("runner", &["catalog", "data", "engine", "stats"]),
    ("cli", &["catalog", "data", "engine", "runner", "stats", "synth"]),
];

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
        for file in sources(&repo(&format!("src/{module}"))) {
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
}
