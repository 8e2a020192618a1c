//! The catalogue files compiled into the binary, so that
//! [`Catalog::standard`](super::Catalog::standard) works without the
//! repository. A test checks that this copy equals `catalog/` on disk and
//! that no file there is left out.

/// The area files, relative to the catalogue directory.
pub(crate) const AREAS: [(&str, &str); 4] = [
    ("areas/demens.toml", include_str!("../../catalog/areas/demens.toml")),
    ("areas/genoptraening.toml", include_str!("../../catalog/areas/genoptraening.toml")),
    ("areas/pleje-og-omsorg.toml", include_str!("../../catalog/areas/pleje-og-omsorg.toml")),
    ("areas/sygepleje.toml", include_str!("../../catalog/areas/sygepleje.toml")),
];

/// The benchmark files, relative to the catalogue directory.
pub(crate) const BENCHMARKS: [(&str, &str); 1] =
    [("benchmarks/2017.csv", include_str!("../../catalog/benchmarks/2017.csv"))];

/// `datakilder.toml`.
pub(crate) const DATAKILDER: &str = include_str!("../../catalog/datakilder.toml");

/// `nationale-maal.toml`.
pub(crate) const NATIONALE_MAAL: &str = include_str!("../../catalog/nationale-maal.toml");

/// `undersoegelser.toml`.
pub(crate) const UNDERSOEGELSER: &str = include_str!("../../catalog/undersoegelser.toml");

/// `kommuner.toml`.
pub(crate) const KOMMUNER: &str = super::kommuner::KOMMUNER_TOML;

/// Every embedded file with its path relative to the catalogue directory.
pub(crate) fn all() -> Vec<(&'static str, &'static str)> {
    let mut files = AREAS.to_vec();
    files.extend(BENCHMARKS);
    files.push(("datakilder.toml", DATAKILDER));
    files.push(("nationale-maal.toml", NATIONALE_MAAL));
    files.push(("kommuner.toml", KOMMUNER));
    files.push(("undersoegelser.toml", UNDERSOEGELSER));
    files
}
