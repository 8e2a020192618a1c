//! The measures a reader has chosen to follow (`--select`): a comma-separated
//! list of ids and globs (`po.2a.*,de.2c.*`), or a file listing them one per
//! line (`#` starts a comment). The catalogue recommends choosing 3–5
//! measures; the report highlights them.

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use std::path::Path;

/// A set of measure ids and glob patterns (`*` any run of characters, `?`
/// one character).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    patterns: Vec<String>,
}

impl Selection {
    /// Patterns from a list such as `po.2a.*,de.2c.antipsykotika`.
    pub fn from_list(list: &str) -> Self {
        Self { patterns: list.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect() }
    }

    /// Patterns from `arg`: the lines of the file it names when it is a
    /// file, else the comma-separated list it is.
    pub fn parse(arg: &str) -> Result<Self> {
        let path = Path::new(arg);
        if !path.is_file() {
            return Ok(Self::from_list(arg));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let patterns = text
            .lines()
            .map(|line| line.split('#').next().unwrap_or("").trim())
            .filter(|line| !line.is_empty())
            .flat_map(|line| line.split(',').map(str::trim).filter(|p| !p.is_empty()))
            .map(str::to_string)
            .collect();
        Ok(Self { patterns })
    }

    /// Whether nothing was chosen.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether the measure is chosen.
    pub fn contains(&self, id: &str) -> bool {
        self.patterns.iter().any(|p| glob(p.as_bytes(), id.as_bytes()))
    }

    /// The patterns that match no measure of the catalogue (a typing error,
    /// most likely).
    pub fn unmatched(&self, catalog: &Catalog) -> Vec<&str> {
        self.patterns
            .iter()
            .filter(|p| !catalog.measures().any(|(_, m)| glob(p.as_bytes(), m.id.as_bytes())))
            .map(String::as_str)
            .collect()
    }
}

/// Glob matching with `*` and `?`, iterative with backtracking to the last
/// star.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_ids() {
        let s = Selection::from_list("po.2a.*, de.2c.antipsykotika ,sp.?b.*");
        assert!(s.contains("po.2a.revurderet-tilstand-6mdr"));
        assert!(s.contains("de.2c.antipsykotika"));
        assert!(s.contains("sp.4b.faerdigbehandlingsdage"));
        assert!(!s.contains("po.2b.gul-triage-rettidig-handleplan"));
        assert!(!s.contains("de.2c.antipsykotika-x"));
        assert!(Selection::from_list(" , ").is_empty());
        assert!(glob(b"*", b""));
        assert!(glob(b"a*b*c", b"axxbyyc"));
        assert!(!glob(b"a*b*c", b"axxbyy"));
    }

    #[test]
    fn a_file_lists_one_id_per_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("valg.txt");
        std::fs::write(&path, "# mine mål\npo.2a.*\n\nde.2c.antipsykotika  # antipsykotika\n").unwrap();
        let s = Selection::parse(path.to_str().unwrap()).unwrap();
        assert_eq!(s.patterns, vec!["po.2a.*", "de.2c.antipsykotika"]);
        let catalog = Catalog::standard();
        assert!(s.unmatched(&catalog).is_empty());
        assert_eq!(Selection::from_list("po.9*,po.2a.*").unmatched(&catalog), vec!["po.9*"]);
    }
}
