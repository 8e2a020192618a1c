//! The catalogue: measures, driver diagrams, national indicators,
//! published benchmark values and municipalities, read from the files in
//! `catalog/` into plain, validated structs.
//!
//! | file | owns |
//! | --- | --- |
//! | `catalog/areas/*.toml` → [`area`] | the four driver diagrams: goal, drivers, measures; the closed list of [`Unit`]s |
//! | `catalog/datakilder.toml` → [`datakilder`] | the closed list of data sources |
//! | `catalog/nationale-maal.toml` → [`national`] | the 8 national goals, their indicators, the traffic-light comparison, suppression, five-level scales |
//! | `catalog/benchmarks/*.csv` → [`benchmarks`] | the published 2017 values of the country, regions and municipalities |
//! | `catalog/kommuner.toml` → [`kommuner`] | the 5 regions and 98 municipalities |
//! | `catalog/undersoegelser.toml` → [`surveys`] | answer scales, surveys and their questions, for the survey measures |
//!
//! [`Catalog::load`] reads a catalogue directory and checks it: ids unique
//! across all measures, drivers and indicators; every measure on an
//! existing node; every driver reachable from its area's goal; units and
//! directions from closed lists (enums), data sources from
//! `datakilder.toml`; benchmark rows naming known indicators and the right
//! municipality and region codes; survey mappings naming known questions
//! and answers. [`Catalog::check_rules`] checks that every rule file of a
//! rules directory belongs to a measure; [`Catalog::coverage`] says how
//! many measures of each area a rules directory computes (a municipality
//! may keep only the 3–5 it follows). Errors name the file and the entry
//! ([`CatalogError`]). [`Catalog::standard`] is the copy compiled into
//! the binary.
//!
//! ```
//! use kvalitet::catalog::Catalog;
//! let catalog = Catalog::standard();
//! let measure = catalog.measure("po.2a.revurderet-tilstand-6mdr").unwrap();
//! assert_eq!(measure.unit.label_da(), "andel");
//! assert_eq!(catalog.national_value("nm.2.forebyggelige-indlaeggelser-aeldre", 2017), Some(59.0));
//! ```

pub mod area;
pub mod benchmarks;
pub mod datakilder;
mod embedded;
pub mod error;
pub mod kommuner;
pub mod national;
pub mod surveys;

pub use area::{
    Area, AreaStatus, Driver, DriverLevel, Goal, Measure, MeasureStatistics, Node, Registration, RegistrationAnswer,
    RegistrationSubject, Unit,
};
pub use benchmarks::{Benchmark, BenchmarkLevel};
pub use datakilder::Datakilde;
pub use error::{CatalogError, Problem};
pub use kommuner::{Kommune, Kommuner, Region};
pub use national::{Indicator, NationalGoal, NationaleMaal};
pub use surveys::{Scale, Survey, SurveyMapping, Surveys};

use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The whole catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct Catalog {
    /// `catalog_version` of the area files, stamped on every result row.
    pub version: String,
    /// The driver diagrams in the order of KL's catalogue: po, sp, de, gt
    /// (other areas after them, by id).
    pub areas: Vec<Area>,
    /// The closed list of data sources.
    pub datakilder: Vec<Datakilde>,
    /// The national goals and indicators.
    pub national: NationaleMaal,
    /// Published values, in file order.
    pub benchmarks: Vec<Benchmark>,
    /// Answer scales, surveys and questions.
    pub surveys: Surveys,
    /// Regions and municipalities.
    #[serde(skip)]
    pub kommuner: Kommuner,
}

/// How much of one area a set of rules computes.
#[derive(Debug, Clone, Copy)]
pub struct AreaCoverage<'a> {
    pub area: &'a Area,
    /// Measures in the area.
    pub measures: usize,
    /// Measures the catalogue names a rule for.
    pub with_rule: usize,
    /// Measures whose rule is in the set.
    pub computed: usize,
}

/// A measure or a national indicator: what `kvalitet catalog show` shows.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    /// A measure of a driver diagram, with its area.
    Measure(&'a Area, &'a Measure),
    /// A national indicator.
    Indicator(&'a Indicator),
}

/// The order of the areas in KL's catalogue.
const AREA_ORDER: [&str; 4] = ["po", "sp", "de", "gt"];

impl Catalog {
    /// Reads and checks the catalogue in `dir` (normally `catalog/`).
    pub fn load(dir: &Path) -> Result<Catalog, CatalogError> {
        Self::read(&Origin::Dir(dir))
    }

    /// The catalogue compiled into the binary (a copy of `catalog/`; a test
    /// checks they are equal).
    pub fn standard() -> Catalog {
        Self::read(&Origin::Embedded).expect("the embedded catalogue is valid; a test checks it")
    }

    fn read(origin: &Origin) -> Result<Catalog, CatalogError> {
        let mut problems = Vec::new();
        let area_files = take(&mut problems, origin.list("areas", "toml")).unwrap_or_default();
        let mut areas = Vec::new();
        for rel in &area_files {
            let label = origin.label(rel);
            if let Some((version, area)) =
                take(&mut problems, origin.read(rel).and_then(|text| Area::parse(&label, &text)))
            {
                areas.push((label, version, area));
            }
        }
        let datakilder = take(
            &mut problems,
            origin.read("datakilder.toml").and_then(|text| datakilder::parse(&origin.label("datakilder.toml"), &text)),
        );
        let national = take(
            &mut problems,
            origin
                .read("nationale-maal.toml")
                .and_then(|text| NationaleMaal::parse(&origin.label("nationale-maal.toml"), &text)),
        );
        let kommuner = take(
            &mut problems,
            origin.read("kommuner.toml").and_then(|text| Kommuner::parse(&origin.label("kommuner.toml"), &text)),
        );
        // Surveys are optional: a local catalogue may have none.
        let surveys = if origin.has_file("undersoegelser.toml") {
            take(
                &mut problems,
                origin
                    .read("undersoegelser.toml")
                    .and_then(|text| surveys::parse(&origin.label("undersoegelser.toml"), &text)),
            )
            .unwrap_or_default()
        } else {
            Surveys::default()
        };
        let mut benchmarks = Vec::new();
        // Benchmarks are optional: a local catalogue may have none.
        let benchmark_list = if origin.has("benchmarks") { origin.list("benchmarks", "csv") } else { Ok(Vec::new()) };
        for rel in take(&mut problems, benchmark_list).unwrap_or_default() {
            let label = origin.label(&rel);
            if let Some(rows) = take(&mut problems, origin.read(&rel).and_then(|text| benchmarks::parse(&label, &text)))
            {
                benchmarks.push((label, rows));
            }
        }
        if area_files.is_empty() && problems.is_empty() {
            problems
                .push(CatalogError::Syntax { file: origin.label("areas"), message: "no area files (*.toml)".into() });
        }
        let (Some(datakilder), Some(national), Some(kommuner), true) =
            (datakilder, national, kommuner, problems.is_empty())
        else {
            return Err(CatalogError::from_list(problems).unwrap_err());
        };

        // One version across the area files.
        let version = areas.first().map(|(_, v, _)| v.clone()).unwrap_or_default();
        for (label, v, _) in &areas {
            if *v != version {
                problems.push(CatalogError::Syntax {
                    file: label.clone(),
                    message: format!("catalog_version \"{v}\" differs from \"{version}\" in {}", areas[0].0),
                });
            }
        }
        let mut areas: Vec<Area> = areas.into_iter().map(|(_, _, a)| a).collect();
        areas.sort_by_key(|a| (AREA_ORDER.iter().position(|o| *o == a.id).unwrap_or(AREA_ORDER.len()), a.id.clone()));
        let benchmark_files: Vec<(String, Vec<Benchmark>)> = benchmarks;
        let catalog = Catalog {
            version,
            areas,
            datakilder,
            national,
            benchmarks: benchmark_files.iter().flat_map(|(_, rows)| rows.iter().cloned()).collect(),
            surveys,
            kommuner,
        };
        catalog.check(&benchmark_files, &mut problems);
        CatalogError::from_list(problems)?;
        Ok(catalog)
    }

    /// The checks across files.
    fn check(&self, benchmark_files: &[(String, Vec<Benchmark>)], problems: &mut Vec<CatalogError>) {
        let national_file = self.national.file.as_str();

        // Areas and ids: unique across goals, drivers, measures and indicators.
        for (i, area) in self.areas.iter().enumerate() {
            if let Some(other) = self.areas[..i].iter().find(|b| b.id == area.id) {
                problems.push(CatalogError::entry(
                    &area.file,
                    format!("area {}", area.id),
                    Problem::DuplicateId { other: "area".into(), file: other.file.clone() },
                ));
            }
        }
        let mut ids: Vec<(&str, &'static str, &str)> = Vec::new();
        for area in &self.areas {
            ids.push((&area.goal.id, "goal", &area.file));
            ids.extend(area.drivers.iter().map(|d| (d.id.as_str(), "driver", area.file.as_str())));
            ids.extend(area.measures.iter().map(|m| (m.id.as_str(), "measure", area.file.as_str())));
        }
        ids.extend(self.national.indicators.iter().map(|i| (i.id.as_str(), "indicator", national_file)));
        let mut first: HashMap<&str, (&str, &str)> = HashMap::new();
        for (id, kind, file) in ids {
            match first.get(id) {
                Some((other, other_file)) => problems.push(CatalogError::entry(
                    file,
                    format!("{kind} {id}"),
                    Problem::DuplicateId { other: other.to_string(), file: other_file.to_string() },
                )),
                None => {
                    first.insert(id, (kind, file));
                }
            }
        }

        // Data sources from the closed list; a rule is named by its entry's id.
        let sources: Vec<&str> = self.datakilder.iter().map(|d| d.id.as_str()).collect();
        for area in &self.areas {
            for measure in &area.measures {
                for source in &measure.data_sources {
                    if !sources.contains(&source.as_str()) {
                        problems.push(CatalogError::entry(
                            &area.file,
                            format!("measure {}", measure.id),
                            Problem::Unknown {
                                what: "data source",
                                id: source.clone(),
                                suggestion: closest(source, sources.iter().copied()).map(str::to_string),
                            },
                        ));
                    }
                }
                let entry = || format!("measure {}", measure.id);
                if let Some(mapping) = &measure.survey {
                    for problem in self.surveys.check_mapping(mapping) {
                        problems.push(CatalogError::entry(&area.file, entry(), problem));
                    }
                }
                let how = [measure.survey.is_some(), measure.registration.is_some()];
                if how == [true, true] {
                    problems.push(CatalogError::entry(
                        &area.file,
                        entry(),
                        Problem::Inconsistent("a measure has a survey mapping or a registration, not both".into()),
                    ));
                }
                if measure.rule.is_some() && measure.no_rule.is_some() {
                    problems.push(CatalogError::entry(
                        &area.file,
                        entry(),
                        Problem::Inconsistent(
                            "a measure has a rule or says why it has none (no_rule), not both".into(),
                        ),
                    ));
                }
                // The national indicator a measure is compared with exists.
                let indicator = measure.statistics.as_ref().and_then(|s| s.national_indicator.as_ref());
                if let Some(indicator) = indicator
                    && self.indicator(indicator).is_none()
                {
                    problems.push(CatalogError::entry(
                        &area.file,
                        format!("measure {}", measure.id),
                        Problem::Unknown {
                            what: "national indicator",
                            id: indicator.clone(),
                            suggestion: closest(indicator, self.national.indicators.iter().map(|i| i.id.as_str()))
                                .map(str::to_string),
                        },
                    ));
                }
            }
        }
        for (file, entry, id, rule) in self.rules() {
            if rule != id {
                problems.push(CatalogError::entry(
                    file,
                    entry,
                    Problem::Inconsistent(format!(
                        "rule = \"{rule}\" must be the entry's own id \"{id}\": the runner names each result by its \
                         rule file"
                    )),
                ));
            }
        }

        // Municipality codes of the suppression rules.
        for rule in &self.national.suppression.specific {
            for code in &rule.kommuner {
                if self.kommune(code).is_none() {
                    problems.push(CatalogError::entry(
                        national_file,
                        "[[suppression.specific]]",
                        Problem::Unknown { what: "kommune code", id: code.clone(), suggestion: None },
                    ));
                }
            }
        }

        // Benchmark rows: known indicators, codes and names as in kommuner.toml, no row twice.
        let mut rows_seen: HashMap<(&str, BenchmarkLevel, &str, i32), (&str, usize)> = HashMap::new();
        for (file, rows) in benchmark_files {
            for row in rows {
                let entry = format!("line {}", row.line);
                let mut bad = |problem| problems.push(CatalogError::entry(file, &entry, problem));
                if self.indicator(&row.indicator_id).is_none() {
                    bad(Problem::Unknown {
                        what: "indicator",
                        id: row.indicator_id.clone(),
                        suggestion: closest(&row.indicator_id, self.national.indicators.iter().map(|i| i.id.as_str()))
                            .map(str::to_string),
                    });
                }
                let expected = match row.unit_level {
                    BenchmarkLevel::Land => Ok(("DK", "Hele landet", None)),
                    BenchmarkLevel::Region => self
                        .kommuner
                        .region(&row.unit_code)
                        .map(|r| (r.kode.as_str(), r.navn.as_str(), Some(r.kode.as_str())))
                        .ok_or("region code"),
                    BenchmarkLevel::Kommune => self
                        .kommune(&row.unit_code)
                        .map(|k| (k.kode.as_str(), k.navn.as_str(), Some(k.region_kode.as_str())))
                        .ok_or("kommune code"),
                };
                match expected {
                    Err(what) => bad(Problem::Unknown { what, id: row.unit_code.clone(), suggestion: None }),
                    Ok((code, name, region)) => {
                        if row.unit_code != code || row.unit_name != name || row.region_code.as_deref() != region {
                            bad(Problem::Inconsistent(format!(
                                "expected unit_code {code}, unit_name {name}, region_code {} (as in kommuner.toml), \
                                 found {}, {}, {}",
                                region.unwrap_or("empty"),
                                row.unit_code,
                                row.unit_name,
                                row.region_code.as_deref().unwrap_or("empty")
                            )))
                        }
                    }
                }
                let key = (row.indicator_id.as_str(), row.unit_level, row.unit_code.as_str(), row.year);
                if let Some((other_file, other_line)) = rows_seen.insert(key, (file, row.line)) {
                    bad(Problem::Inconsistent(format!(
                        "the same indicator, unit and year as line {other_line} of {other_file}"
                    )));
                }
            }
        }
    }

    /// Checks a set of rules against the catalogue: every rule (`rules`
    /// holds their measure ids) is named by a measure or indicator. A
    /// measure whose rule the set lacks is no error — see
    /// [`Catalog::coverage`]. `rules_dir` names the directory in messages.
    pub fn check_rules(&self, rules_dir: &Path, rules: &BTreeSet<String>) -> Result<(), CatalogError> {
        let mut problems = Vec::new();
        let named: BTreeSet<&str> = self.rules().into_iter().map(|(_, _, _, rule)| rule).collect();
        for stem in rules {
            if !named.contains(stem.as_str()) {
                problems.push(CatalogError::OrphanRule {
                    file: rules_dir.join(format!("{stem}.rhai")).display().to_string(),
                    rule: stem.clone(),
                });
            }
        }
        CatalogError::from_list(problems)
    }

    /// Per area, how many measures the rules `rules` (measure ids)
    /// compute, against how many have a rule in the catalogue and how many
    /// there are.
    pub fn coverage(&self, rules: &BTreeSet<String>) -> Vec<AreaCoverage<'_>> {
        self.areas
            .iter()
            .map(|area| AreaCoverage {
                area,
                measures: area.measures.len(),
                with_rule: area.measures.iter().filter(|m| m.rule.is_some()).count(),
                computed: area.measures.iter().filter(|m| m.rule.as_ref().is_some_and(|r| rules.contains(r))).count(),
            })
            .collect()
    }

    /// Every `rule = "..."`: (file, entry, id, rule).
    fn rules(&self) -> Vec<(&str, String, &str, &str)> {
        let mut out = Vec::new();
        for area in &self.areas {
            for m in &area.measures {
                if let Some(rule) = &m.rule {
                    out.push((area.file.as_str(), format!("measure {}", m.id), m.id.as_str(), rule.as_str()));
                }
            }
        }
        for i in &self.national.indicators {
            if let Some(rule) = &i.rule {
                out.push((self.national.file.as_str(), format!("indicator {}", i.id), i.id.as_str(), rule.as_str()));
            }
        }
        out
    }

    /// The area with that id (`po`, `sp`, `gt`, `de`).
    pub fn area(&self, id: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.id == id)
    }

    /// Every measure with its area, areas in catalogue order, measures in file order.
    pub fn measures(&self) -> impl Iterator<Item = (&Area, &Measure)> {
        self.areas.iter().flat_map(|a| a.measures.iter().map(move |m| (a, m)))
    }

    /// The measure with that id.
    pub fn measure(&self, id: &str) -> Option<&Measure> {
        self.measures().map(|(_, m)| m).find(|m| m.id == id)
    }

    /// The national indicator with that id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.national.indicator(id)
    }

    /// The measure or national indicator with that id.
    pub fn entry(&self, id: &str) -> Option<Entry<'_>> {
        self.measures()
            .find(|(_, m)| m.id == id)
            .map(|(a, m)| Entry::Measure(a, m))
            .or_else(|| self.indicator(id).map(Entry::Indicator))
    }

    /// The ids of all measures and national indicators, in catalogue order.
    pub fn ids(&self) -> Vec<&str> {
        self.measures()
            .map(|(_, m)| m.id.as_str())
            .chain(self.national.indicators.iter().map(|i| i.id.as_str()))
            .collect()
    }

    /// Up to `n` ids of measures and indicators closest to `query`: ids
    /// containing it first, then by edit distance.
    pub fn suggest(&self, query: &str, n: usize) -> Vec<&str> {
        suggest(query, self.ids(), n)
    }

    /// The data source with that id.
    pub fn datakilde(&self, id: &str) -> Option<&Datakilde> {
        self.datakilder.iter().find(|d| d.id == id)
    }

    /// The municipality with that code.
    pub fn kommune(&self, code: &str) -> Option<&Kommune> {
        self.kommuner.kommuner.iter().find(|k| k.kode == code)
    }

    /// The published row of an indicator for a unit (`DK`, a region or a
    /// municipality code) and year.
    pub fn benchmark(&self, indicator: &str, unit_code: &str, year: i32) -> Option<&Benchmark> {
        self.benchmarks.iter().find(|b| b.indicator_id == indicator && b.unit_code == unit_code && b.year == year)
    }

    /// The published national value ("Hele landet") of an indicator in a year.
    pub fn national_value(&self, indicator: &str, year: i32) -> Option<f64> {
        self.benchmark(indicator, "DK", year).and_then(|b| b.value)
    }
}

/// Where the catalogue files come from.
enum Origin<'a> {
    Dir(&'a Path),
    Embedded,
}

impl Origin<'_> {
    /// How errors name a file: `<dir>/<rel>`, or `catalog/<rel>` when embedded.
    fn label(&self, rel: &str) -> String {
        match self {
            Origin::Dir(dir) => dir.join(rel).display().to_string(),
            Origin::Embedded => format!("catalog/{rel}"),
        }
    }

    fn read(&self, rel: &str) -> Result<Cow<'static, str>, CatalogError> {
        match self {
            Origin::Dir(dir) => std::fs::read_to_string(dir.join(rel))
                .map(Cow::Owned)
                .map_err(|source| CatalogError::Read { file: self.label(rel), source }),
            Origin::Embedded => embedded::all()
                .into_iter()
                .find(|(path, _)| *path == rel)
                .map(|(_, text)| Cow::Borrowed(text))
                .ok_or_else(|| CatalogError::Read {
                    file: self.label(rel),
                    source: std::io::ErrorKind::NotFound.into(),
                }),
        }
    }

    /// Whether the directory `sub` exists.
    fn has(&self, sub: &str) -> bool {
        match self {
            Origin::Dir(dir) => dir.join(sub).is_dir(),
            Origin::Embedded => embedded::all().iter().any(|(path, _)| path.starts_with(&format!("{sub}/"))),
        }
    }

    /// Whether the file `rel` exists.
    fn has_file(&self, rel: &str) -> bool {
        match self {
            Origin::Dir(dir) => dir.join(rel).is_file(),
            Origin::Embedded => embedded::all().iter().any(|(path, _)| *path == rel),
        }
    }

    /// The files `<sub>/*.<ext>`, as paths relative to the catalogue, sorted.
    fn list(&self, sub: &str, ext: &str) -> Result<Vec<String>, CatalogError> {
        let mut files: Vec<String> = match self {
            Origin::Dir(dir) => {
                let read_error = |source| CatalogError::Read { file: self.label(sub), source };
                let mut names = Vec::new();
                for entry in std::fs::read_dir(dir.join(sub)).map_err(read_error)? {
                    let path: PathBuf = entry.map_err(read_error)?.path();
                    if path.extension().is_some_and(|e| e == ext)
                        && let Some(name) = path.file_name().and_then(|n| n.to_str())
                    {
                        names.push(format!("{sub}/{name}"));
                    }
                }
                names
            }
            Origin::Embedded => embedded::all()
                .into_iter()
                .map(|(path, _)| path)
                .filter(|p| p.starts_with(&format!("{sub}/")) && p.ends_with(&format!(".{ext}")))
                .map(str::to_string)
                .collect(),
        };
        files.sort();
        Ok(files)
    }
}

/// The value, or `None` with the error added to `problems`.
fn take<T>(problems: &mut Vec<CatalogError>, result: Result<T, CatalogError>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            problems.extend(flatten(e));
            None
        }
    }
}

fn flatten(error: CatalogError) -> Vec<CatalogError> {
    match error {
        CatalogError::Several(list) => list,
        one => vec![one],
    }
}

/// Edit distance (Levenshtein) in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The candidate closest to `query`, when it is close (an edit distance of
/// at most a third of the query's length, and at least 2).
pub(crate) fn closest<'a>(query: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (query.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (distance(query, c), c))
        .filter(|(d, _)| *d <= limit && *d > 0)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Up to `n` candidates for `query`: those containing it (shortest first),
/// then the rest by edit distance.
pub fn suggest<'a>(query: &str, candidates: Vec<&'a str>, n: usize) -> Vec<&'a str> {
    let query = query.to_lowercase();
    let mut scored: Vec<(usize, usize, &str)> = candidates
        .into_iter()
        .map(|c| {
            let contains = c.to_lowercase().contains(&query);
            (usize::from(!contains), if contains { c.len() } else { distance(&query, c) }, c)
        })
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, _, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn the_catalogue_on_disk_loads_and_matches_its_rules() {
        let catalog = Catalog::load(&repo().join("catalog")).unwrap_or_else(|e| panic!("{e}"));
        let rules: BTreeSet<String> = std::fs::read_dir(repo().join("rules"))
            .unwrap()
            .filter_map(|e| e.unwrap().path().file_name()?.to_str()?.strip_suffix(".rhai").map(str::to_string))
            .collect();
        catalog.check_rules(&repo().join("rules"), &rules).unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<_> = catalog.areas.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["po", "sp", "de", "gt"]);
        assert_eq!(catalog.version, "2025.1");
    }

    #[test]
    fn the_embedded_copy_equals_the_files_on_disk() {
        let dir = repo().join("catalog");
        for (rel, text) in embedded::all() {
            let on_disk = std::fs::read_to_string(dir.join(rel)).unwrap();
            assert!(on_disk == text, "catalog/{rel} differs from the embedded copy; rebuild");
        }
        // Nothing on disk is left out of the embedded copy.
        let origin = Origin::Dir(&dir);
        let embedded: Vec<&str> = embedded::all().into_iter().map(|(p, _)| p).collect();
        for (sub, ext) in [("areas", "toml"), ("benchmarks", "csv")] {
            for rel in origin.list(sub, ext).unwrap() {
                assert!(embedded.contains(&rel.as_str()), "catalog/{rel} is not in src/catalog/embedded.rs");
            }
        }
        let standard = Catalog::standard();
        let loaded = Catalog::load(&dir).unwrap();
        assert_eq!(standard.ids(), loaded.ids());
        assert_eq!(standard.benchmarks, loaded.benchmarks);
    }

    #[test]
    fn statistics_settings_come_from_nationale_maal() {
        use crate::stats::markers::{BandKind, FiveLevelScale};
        let catalog = Catalog::standard();
        // "Hvis der er mindre end 20 observationer i nævneren eller mindre end
        // 5 observationer i tælleren, er raten ikke beregnet."
        let t = catalog.national.suppression.thresholds();
        assert_eq!((t.min_denominator, t.min_numerator), (20, 5));
        // "Den gule markering er beregnet indenfor en ændring på +/- 1 pct."
        let band = catalog.national.comparison.band();
        assert_eq!((band.kind(), band.width()), (BandKind::Relative, 0.01));
        // The figures' legends: figure 1 "Over 2 pct. point", figure 4 "over
        // 5 dage", figure 8 "under -2,5 pct. point", figure 9 "Over 5 pct.
        // point", figure 10 "over 10 pct.".
        let scale = |figure: u8| {
            catalog.national.scales.iter().find(|s| s.figure == figure).and_then(|s| s.five_level()).unwrap()
        };
        assert_eq!(scale(1), FiveLevelScale::Absolute(2.0));
        assert_eq!(scale(4), FiveLevelScale::Absolute(5.0));
        assert_eq!(scale(8), FiveLevelScale::Absolute(2.5));
        assert_eq!(scale(9), FiveLevelScale::Absolute(5.0));
        assert_eq!(scale(10), FiveLevelScale::Relative(10.0));
    }

    #[test]
    fn suggestions() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(closest("flsi", ["flis", "kpos"]), Some("flis"));
        assert_eq!(closest("zzzzzz", ["flis", "kpos"]), None);
        let catalog = Catalog::standard();
        assert_eq!(catalog.suggest("revurderet-tilstand", 1), ["po.2a.revurderet-tilstand-6mdr"]);
        assert_eq!(catalog.suggest("po.2a.revurderet-tilstand-6mdt", 1), ["po.2a.revurderet-tilstand-6mdr"]);
    }

    #[test]
    fn lookups() {
        let catalog = Catalog::standard();
        assert!(matches!(catalog.entry("po.5.genindlaeggelser"), Some(Entry::Measure(a, _)) if a.id == "po"));
        assert!(matches!(catalog.entry("nm.1.ventetid-genoptraening"), Some(Entry::Indicator(_))));
        assert!(catalog.entry("po.5").is_none());
        let herlev = catalog.benchmark("nm.1.ventetid-genoptraening", "163", 2017).unwrap();
        assert_eq!(herlev.value, None);
        assert!(herlev.missing_reason.as_deref().unwrap().contains("færre end 20 genoptræningsforløb"));
    }
}
