//! The catalogue: measures, driver diagrams, national indicators and
//! municipalities, read from the TOML files in `catalog/`.

pub mod kommuner;

pub use kommuner::{Kommune, Kommuner, Region};

use std::path::Path;

/// The catalogue version written in the area files (`catalog_version =
/// "..."` in `catalog/areas/*.toml`), stamped on every result row.
pub fn version(dir: &Path) -> Result<String, String> {
    let areas = dir.join("areas");
    let mut files: Vec<_> = std::fs::read_dir(&areas)
        .map_err(|e| format!("cannot read the catalogue at {}: {e}", areas.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut version: Option<String> = None;
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let found = toml::from_str::<toml::Table>(&text)
            .ok()
            .and_then(|t| t.get("catalog_version")?.as_str().map(str::to_string))
            .ok_or_else(|| format!("{}: catalog_version = \"...\" is missing", file.display()))?;
        match &version {
            Some(v) if *v != found => {
                return Err(format!(
                    "{}: catalog_version {found} differs from {v} in the other area files",
                    file.display()
                ));
            }
            _ => version = Some(found),
        }
    }
    version.ok_or_else(|| format!("no area files (*.toml) in {}", areas.display()))
}
