//! Which tables validated before, remembered between runs that use no
//! results store: a table whose files hash to what validated before is not
//! checked again (a national `besoeg` takes tens of seconds to check).
//!
//! The memory is one text file in the user's cache directory
//! (`$KVALITET_CACHE_DIR`, else `$XDG_CACHE_HOME/kvalitet`, else
//! `~/.cache/kvalitet`), a line `build<TAB>table<TAB>sha256` per table. Only
//! lines of the running build count: a rebuilt or newer kvalitet checks
//! everything once more, since its checks may differ. Nothing depends on the
//! file being there; when it cannot be read or written, tables are checked.

use crate::data::Validated;
use std::path::PathBuf;

/// The memory file, if there is a cache directory.
pub struct Remembered {
    file: Option<PathBuf>,
    build: String,
}

impl Remembered {
    /// The memory in the user's cache directory.
    pub fn user() -> Self {
        let dir = std::env::var_os("KVALITET_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("kvalitet")))
            .or_else(|| std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache").join("kvalitet")));
        Self { file: dir.map(|d| d.join("validated-tables.tsv")), build: build() }
    }

    /// The tables that validated before under this build.
    pub fn load(&self) -> Validated {
        let Some(text) = self.file.as_deref().and_then(|f| std::fs::read_to_string(f).ok()) else {
            return Validated::new();
        };
        text.lines()
            .filter_map(|line| {
                let mut parts = line.split('\t');
                let (build, table, hash) = (parts.next()?, parts.next()?, parts.next()?);
                (build == self.build).then(|| (table.to_string(), hash.to_string()))
            })
            .collect()
    }

    /// Adds `valid` to the memory (and forgets other builds' lines). A
    /// failure to write is not an error: the tables are checked next time.
    pub fn remember(&self, valid: impl IntoIterator<Item = (String, String)>) {
        let Some(file) = &self.file else { return };
        let mut all = self.load();
        let before = all.len();
        all.extend(valid);
        if all.len() == before && file.is_file() {
            return;
        }
        let text: String = all.iter().map(|(table, hash)| format!("{}\t{table}\t{hash}\n", self.build)).collect();
        // Replaced whole, so that a run reading the memory at the same time
        // sees the old or the new file.
        let _ = file.parent().map(std::fs::create_dir_all);
        let _ = crate::results::write_atomically(file, |f| std::io::Write::write_all(f, text.as_bytes()));
    }
}

/// This build: the version and the executable's size and modification time
/// (a rebuild during development changes them).
fn build() -> String {
    let executable = std::env::current_exe().and_then(std::fs::metadata).ok();
    let stamp = executable
        .map(|m| {
            let modified = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            format!("{}.{}", m.len(), modified.map(|d| d.as_nanos()).unwrap_or(0))
        })
        .unwrap_or_default();
    format!("{}+{stamp}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_only_this_builds_tables() {
        let dir = tempfile::tempdir().unwrap();
        let memory = Remembered { file: Some(dir.path().join("m.tsv")), build: "a".into() };
        assert!(memory.load().is_empty(), "nothing yet");
        memory.remember([("borgere".to_string(), "h1".to_string())]);
        memory.remember([("besoeg".to_string(), "h2".to_string())]);
        let pairs = |v: &[(&str, &str)]| v.iter().map(|(t, h)| (t.to_string(), h.to_string())).collect::<Validated>();
        assert_eq!(memory.load(), pairs(&[("besoeg", "h2"), ("borgere", "h1")]));
        // Another build sees none of them, and writing forgets them.
        let other = Remembered { file: memory.file.clone(), build: "b".into() };
        assert!(other.load().is_empty());
        other.remember([("uth".to_string(), "h3".to_string())]);
        assert!(memory.load().is_empty());
        assert_eq!(other.load(), pairs(&[("uth", "h3")]));
    }
}
