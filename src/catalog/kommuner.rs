//! The 5 regions and 98 municipalities of Denmark with their official codes
//! (`catalog/kommuner.toml`): names for results, the region unit level, and
//! the population sizes the synthetic generator scales by.

use super::error::CatalogError;
use serde::Deserialize;

/// The file shipped with kvalitet.
pub const KOMMUNER_TOML: &str = include_str!("../../catalog/kommuner.toml");

/// A region.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Four-digit code, 1081–1085.
    pub kode: String,
    pub navn: String,
}

/// A municipality.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Kommune {
    /// Three-digit code, e.g. `101` for København.
    pub kode: String,
    pub navn: String,
    pub region_kode: String,
    /// Approximate number of inhabitants (for sizing synthetic data only).
    pub indbyggere: u64,
}

/// Regions and municipalities.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kommuner {
    pub regioner: Vec<Region>,
    pub kommuner: Vec<Kommune>,
}

impl Kommuner {
    /// The list shipped with kvalitet.
    pub fn standard() -> Self {
        Self::parse("catalog/kommuner.toml", KOMMUNER_TOML).expect("catalog/kommuner.toml is valid; a test checks it")
    }

    /// Parses and checks a list in the format of `catalog/kommuner.toml`
    /// (`file` names it in errors): unique codes, and every municipality
    /// in a listed region.
    pub fn parse(file: &str, text: &str) -> Result<Self, CatalogError> {
        let syntax = |message: String| CatalogError::Syntax { file: file.to_string(), message };
        let parsed: Self = toml::from_str(text).map_err(|e| syntax(e.to_string()))?;
        let mut codes = std::collections::BTreeSet::new();
        for kommune in &parsed.kommuner {
            if !codes.insert(&kommune.kode) {
                return Err(syntax(format!("kommune code {} appears twice", kommune.kode)));
            }
            if parsed.region(&kommune.region_kode).is_none() {
                return Err(syntax(format!("{} has unknown region {}", kommune.navn, kommune.region_kode)));
            }
        }
        Ok(parsed)
    }

    /// The region with that code.
    pub fn region(&self, kode: &str) -> Option<&Region> {
        self.regioner.iter().find(|r| r.kode == kode)
    }

    /// The municipality with that code or name (case-insensitive).
    pub fn find(&self, code_or_name: &str) -> Option<&Kommune> {
        self.kommuner.iter().find(|k| k.kode == code_or_name || k.navn.to_lowercase() == code_or_name.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ninety_eight_municipalities_in_five_regions() {
        let k = Kommuner::standard();
        assert_eq!(k.regioner.len(), 5);
        assert_eq!(k.kommuner.len(), 98);
        assert_eq!(k.find("101").unwrap().navn, "København");
        assert_eq!(k.find("aarhus").unwrap().region_kode, "1082");
        assert_eq!(k.region(&k.find("Bornholm").unwrap().region_kode).unwrap().navn, "Region Hovedstaden");
    }
}
