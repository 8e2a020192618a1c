//! One driver diagram (`catalog/areas/<area>.toml`): the area, its goal
//! (node 0), primary drivers (1..6) and secondary drivers (a, b, c …), and
//! the measures attached to those nodes; plus the closed list of units.

use super::error::{CatalogError, Problem};
use super::surveys::SurveyMapping;
use crate::stats::markers::Direction;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A driver diagram: one area of KL's catalogue.
#[derive(Debug, Clone, Serialize)]
pub struct Area {
    /// Short id: `po`, `sp`, `gt` or `de`.
    pub id: String,
    /// Danish title, e.g. "Pleje og omsorg".
    pub title: String,
    /// The legal basis the catalogue gives (empty for Demens).
    pub legal_basis: Vec<String>,
    /// Whether the area is fully developed in the catalogue.
    pub status: AreaStatus,
    /// Node 0.
    pub goal: Goal,
    /// Primary and secondary drivers, in file order.
    pub drivers: Vec<Driver>,
    /// Measures, in file order.
    pub measures: Vec<Measure>,
    /// The file it was read from, e.g. `catalog/areas/sygepleje.toml`.
    #[serde(skip)]
    pub file: String,
}

/// How far the catalogue has developed an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AreaStatus {
    /// Diagram and detailed tables.
    #[serde(rename = "udviklet")]
    Udviklet,
    /// "Under udvikling…": only the overview diagram (Genoptræning).
    #[serde(rename = "under udvikling")]
    UnderUdvikling,
}

/// The goal of an area (node 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// E.g. `po.0`.
    pub id: String,
    /// Danish title.
    pub title: String,
}

/// A primary or secondary driver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Driver {
    /// E.g. `po.2` (primary) or `po.2a` (secondary).
    pub id: String,
    /// Primary or secondary.
    pub level: DriverLevel,
    /// For a secondary driver, its primary driver.
    #[serde(default)]
    pub parent: Option<String>,
    /// Danish title.
    pub title: String,
}

/// The two levels of drivers in a driver diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriverLevel {
    /// Attached to the goal (1, 2, …).
    Primary,
    /// Attached to a primary driver (a, b, …).
    Secondary,
}

/// One quality measure of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// Stable id: `<node>.<slug>`, e.g. `po.2a.revurderet-tilstand-6mdr`.
    pub id: String,
    /// The node it belongs to: the goal (`po.0`) or a driver (`po.2a`).
    pub node: String,
    /// Danish title ("Mål"/"Måling").
    pub title: String,
    /// The longer description ("Uddybende").
    pub description: String,
    /// Data source ids from `catalog/datakilder.toml`.
    pub data_sources: Vec<String>,
    /// The data source cell as the catalogue words it.
    #[serde(default)]
    pub data_source_note: Option<String>,
    /// The interpretation note ("Fortolkning").
    #[serde(default)]
    pub interpretation: Option<String>,
    /// A candidate idea ("Bobler").
    pub candidate: bool,
    /// Listed only in the overview diagram, not in the detailed tables.
    pub overview_only: bool,
    /// What the value is measured in.
    pub unit: Unit,
    /// Which way is good.
    pub direction: Direction,
    /// Why the direction is what it is, where that needs saying.
    #[serde(default)]
    pub direction_note: Option<String>,
    /// Who is counted, in the catalogue's words.
    #[serde(default)]
    pub population: Option<String>,
    /// Age bands the text names, e.g. `["67+", "80+"]`.
    #[serde(default)]
    pub age_bands: Vec<String>,
    /// Time window, e.g. "seneste 6 mdr." or "inden for 48 timer".
    #[serde(default)]
    pub window: Option<String>,
    /// The rule that computes it: `rules/<rule>.rhai`; always the measure's own id.
    #[serde(default)]
    pub rule: Option<String>,
    /// Why no rule computes it (a measure without `rule` says why).
    #[serde(default)]
    pub no_rule: Option<String>,
    /// A survey measure: its questions in the `svar` table and the answers
    /// that count.
    #[serde(default)]
    pub survey: Option<SurveyMapping>,
    /// A measure answered by local registrations or audits: rows of the
    /// `registreringer` table whose `maal` is the measure's id.
    #[serde(default)]
    pub registration: Option<Registration>,
    /// How results of the rule are treated statistically, where the defaults
    /// do not fit.
    #[serde(default)]
    pub statistics: Option<MeasureStatistics>,
}

/// How a measure is registered locally (`registration = { … }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// What a row holds.
    pub answer: RegistrationAnswer,
    /// What a row is about.
    pub per: RegistrationSubject,
}

/// What one row of `registreringer` holds for a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationAnswer {
    /// `opfyldt` ja/nej: the measure is the share of rows met (an audit).
    Opfyldt,
    /// One row per event: the measure is the number of rows.
    Antal,
    /// `vaerdi`: the measure is the mean of the values.
    Vaerdi,
}

/// What one row of `registreringer` is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationSubject {
    /// A citizen (an audited journal, a citizen who took part).
    Borger,
    /// A unit (a meeting held, a unit with an instruction).
    Plejeenhed,
    /// An employee (a course, an introduction).
    Medarbejder,
    /// The municipality as a whole (a volunteer count, an agreement).
    Kommune,
}

/// A measure's statistics settings (`[measures.statistics]`): all optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MeasureStatistics {
    /// Decimals shown; markers compare values rounded to these (default by
    /// unit: 0 for counts and days, else 1).
    pub decimals: Option<u32>,
    /// Suppress when the denominator is under this (default 20).
    pub min_denominator: Option<u64>,
    /// Suppress when the numerator is under this (default 5).
    pub min_numerator: Option<u64>,
    /// The national indicator whose published value is the level reference.
    pub national_indicator: Option<String>,
    /// The stratum of the results that corresponds to the indicator.
    pub national_stratum: Option<String>,
    /// Compare with the national value only for yearly periods (rates per
    /// year).
    #[serde(default)]
    pub national_yearly_only: bool,
    /// How the rule's definition differs from the indicator's, said where
    /// the two are compared.
    pub national_note: Option<String>,
    /// SPC baseline: periods (`2024-01`, `2024-Q1`, `2024`) the centre line
    /// and limits are computed from, then held.
    #[serde(default)]
    pub spc_baseline: Vec<String>,
    /// SPC splits: periods where a new part of the series starts (a changed
    /// definition); signals are not computed across a split.
    #[serde(default)]
    pub spc_split: Vec<String>,
}

/// The closed list of units of measures and national indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub enum Unit {
    /// A proportion ("andel"), numerator over denominator.
    #[serde(rename = "andel")]
    Andel,
    /// A proportion shown on a 0–100 scale ("pct.").
    #[serde(rename = "procent")]
    Procent,
    /// A count.
    #[serde(rename = "antal")]
    Antal,
    /// A rate per 1,000.
    #[serde(rename = "pr_1000")]
    Pr1000,
    /// A rate per 10,000.
    #[serde(rename = "pr_10000")]
    Pr10000,
    /// A rate per 100,000.
    #[serde(rename = "pr_100000")]
    Pr100000,
    /// A mean.
    #[serde(rename = "gennemsnit")]
    Gennemsnit,
    /// A median.
    #[serde(rename = "median")]
    Median,
    /// A score on a scale (e.g. 1–5).
    #[serde(rename = "score")]
    Score,
    /// Days.
    #[serde(rename = "dage")]
    Dage,
    /// Years.
    #[serde(rename = "aar")]
    Aar,
    /// An index (the whole country = 100).
    #[serde(rename = "indeks")]
    Indeks,
    /// Yes or no (e.g. a policy exists).
    #[serde(rename = "ja_nej")]
    JaNej,
}

impl Unit {
    /// Every unit, in the order above.
    pub const ALL: [Unit; 13] = [
        Unit::Andel,
        Unit::Procent,
        Unit::Antal,
        Unit::Pr1000,
        Unit::Pr10000,
        Unit::Pr100000,
        Unit::Gennemsnit,
        Unit::Median,
        Unit::Score,
        Unit::Dage,
        Unit::Aar,
        Unit::Indeks,
        Unit::JaNej,
    ];

    /// The id used in the TOML files, e.g. `pr_1000`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Unit::Andel => "andel",
            Unit::Procent => "procent",
            Unit::Antal => "antal",
            Unit::Pr1000 => "pr_1000",
            Unit::Pr10000 => "pr_10000",
            Unit::Pr100000 => "pr_100000",
            Unit::Gennemsnit => "gennemsnit",
            Unit::Median => "median",
            Unit::Score => "score",
            Unit::Dage => "dage",
            Unit::Aar => "aar",
            Unit::Indeks => "indeks",
            Unit::JaNej => "ja_nej",
        }
    }

    /// Danish label for people, e.g. "pr. 1.000".
    pub fn label_da(&self) -> &'static str {
        match self {
            Unit::Andel => "andel",
            Unit::Procent => "pct.",
            Unit::Antal => "antal",
            Unit::Pr1000 => "pr. 1.000",
            Unit::Pr10000 => "pr. 10.000",
            Unit::Pr100000 => "pr. 100.000",
            Unit::Gennemsnit => "gennemsnit",
            Unit::Median => "median",
            Unit::Score => "score",
            Unit::Dage => "dage",
            Unit::Aar => "år",
            Unit::Indeks => "indeks",
            Unit::JaNej => "ja/nej",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Unit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Unit::ALL.into_iter().find(|u| u.as_str() == s).ok_or_else(|| {
            let known: Vec<_> = Unit::ALL.iter().map(Unit::as_str).collect();
            format!("unknown unit \"{s}\"; expected one of {}", known.join(", "))
        })
    }
}

impl TryFrom<String> for Unit {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// A node of a driver diagram: the goal or a driver.
#[derive(Debug, Clone, Copy)]
pub enum Node<'a> {
    /// Node 0.
    Goal(&'a Goal),
    /// A primary or secondary driver.
    Driver(&'a Driver),
}

impl<'a> Node<'a> {
    /// The node's id, e.g. `po.2a`.
    pub fn id(&self) -> &'a str {
        match self {
            Node::Goal(g) => &g.id,
            Node::Driver(d) => &d.id,
        }
    }

    /// The node's title.
    pub fn title(&self) -> &'a str {
        match self {
            Node::Goal(g) => &g.title,
            Node::Driver(d) => &d.title,
        }
    }

    /// The short label of the diagram: `0`, `2`, `2a`.
    pub fn label(&self) -> &'a str {
        let id = self.id();
        id.split_once('.').map_or(id, |(_, rest)| rest)
    }
}

impl Area {
    /// The goal or driver with that id.
    pub fn node(&self, id: &str) -> Option<Node<'_>> {
        if self.goal.id == id {
            return Some(Node::Goal(&self.goal));
        }
        self.drivers.iter().find(|d| d.id == id).map(Node::Driver)
    }

    /// The primary drivers, in file order.
    pub fn primary_drivers(&self) -> impl Iterator<Item = &Driver> {
        self.drivers.iter().filter(|d| d.level == DriverLevel::Primary)
    }

    /// The secondary drivers under a primary driver, in file order.
    pub fn secondary_drivers<'a>(&'a self, primary: &'a str) -> impl Iterator<Item = &'a Driver> {
        self.drivers.iter().filter(move |d| d.level == DriverLevel::Secondary && d.parent.as_deref() == Some(primary))
    }

    /// The measures attached directly to a node, in file order.
    pub fn measures_at<'a>(&'a self, node: &'a str) -> impl Iterator<Item = &'a Measure> {
        self.measures.iter().filter(move |m| m.node == node)
    }

    /// Parses an area file; `file` names it in errors. Returns the area and
    /// its `catalog_version`. Checks what can be checked inside one file:
    /// every measure's node exists, every driver is reachable from the goal,
    /// ids have the area's prefix, age bands look like `67+`.
    pub(crate) fn parse(file: &str, text: &str) -> Result<(String, Area), CatalogError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct AreaFile {
            catalog_version: String,
            area: Header,
            goal: Goal,
            #[serde(default)]
            drivers: Vec<toml::Value>,
            #[serde(default)]
            measures: Vec<toml::Value>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Header {
            id: String,
            title: String,
            legal_basis: Vec<String>,
            status: AreaStatus,
        }
        let raw: AreaFile = parse_toml(file, text)?;
        let mut problems = Vec::new();
        let drivers = entries(file, "driver", raw.drivers, &mut problems);
        let measures = entries(file, "measure", raw.measures, &mut problems);
        let area = Area {
            id: raw.area.id,
            title: raw.area.title,
            legal_basis: raw.area.legal_basis,
            status: raw.area.status,
            goal: raw.goal,
            drivers,
            measures,
            file: file.to_string(),
        };
        area.check(&mut problems);
        CatalogError::from_list(problems)?;
        Ok((raw.catalog_version, area))
    }

    fn check(&self, problems: &mut Vec<CatalogError>) {
        let file = self.file.as_str();
        let prefix = format!("{}.", self.id);
        if self.goal.id != format!("{}0", prefix) {
            problems.push(CatalogError::entry(
                file,
                format!("goal {}", self.goal.id),
                Problem::Inconsistent(format!("the goal's id must be {}0", prefix)),
            ));
        }
        for driver in &self.drivers {
            let entry = format!("driver {}", driver.id);
            if !driver.id.starts_with(&prefix) {
                problems.push(CatalogError::entry(
                    file,
                    &entry,
                    Problem::Inconsistent(format!("id must start with \"{prefix}\"")),
                ));
            }
            let reachable = match (driver.level, driver.parent.as_deref()) {
                (DriverLevel::Primary, None) => Ok(()),
                (DriverLevel::Primary, Some(parent)) => {
                    Err(format!("a primary driver hangs from the goal, not from \"{parent}\""))
                }
                (DriverLevel::Secondary, None) => Err("a secondary driver needs parent = \"<primary driver>\"".into()),
                (DriverLevel::Secondary, Some(parent)) => match self.drivers.iter().find(|d| d.id == parent) {
                    Some(p) if p.level == DriverLevel::Primary => Ok(()),
                    Some(_) => Err(format!("its parent \"{parent}\" is not a primary driver")),
                    None => Err(format!("its parent \"{parent}\" is not a driver of this area")),
                },
            };
            if let Err(why) = reachable {
                problems.push(CatalogError::entry(file, &entry, Problem::Unreachable(why)));
            }
        }
        for measure in &self.measures {
            let entry = format!("measure {}", measure.id);
            if self.node(&measure.node).is_none() {
                let nodes: Vec<&str> =
                    std::iter::once(self.goal.id.as_str()).chain(self.drivers.iter().map(|d| d.id.as_str())).collect();
                problems.push(CatalogError::entry(
                    file,
                    &entry,
                    Problem::Unknown {
                        what: "node",
                        id: measure.node.clone(),
                        suggestion: super::closest(&measure.node, nodes).map(str::to_string),
                    },
                ));
            } else if !measure.id.starts_with(&format!("{}.", measure.node)) {
                problems.push(CatalogError::entry(
                    file,
                    &entry,
                    Problem::Inconsistent(format!("id must start with its node \"{}.\"", measure.node)),
                ));
            }
            for band in &measure.age_bands {
                let digits = band.strip_suffix('+').unwrap_or("");
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    problems.push(CatalogError::entry(
                        file,
                        &entry,
                        Problem::Inconsistent(format!("age band \"{band}\" is not of the form \"67+\"")),
                    ));
                }
            }
        }
    }
}

/// Parses a whole TOML file into `T`; syntax errors name the file.
pub(crate) fn parse_toml<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, CatalogError> {
    toml::from_str(text)
        .map_err(|e| CatalogError::Syntax { file: file.to_string(), message: e.to_string().trim_end().to_string() })
}

/// Deserializes each entry of an array of tables on its own, so that an
/// error names the entry (`measure <id>`, or `measure #3` without an id).
/// Bad entries are reported in `problems` and left out.
pub(crate) fn entries<T: DeserializeOwned>(
    file: &str,
    kind: &str,
    values: Vec<toml::Value>,
    problems: &mut Vec<CatalogError>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(values.len());
    for (i, value) in values.into_iter().enumerate() {
        let name = entry_name(kind, i, &value);
        match value.try_into::<T>() {
            Ok(entry) => out.push(entry),
            Err(e) => problems.push(CatalogError::entry(file, name, Problem::Invalid(e.message().trim().to_string()))),
        }
    }
    out
}

/// Deserializes one table (e.g. `[comparison]`) on its own.
pub(crate) fn section<T: DeserializeOwned>(file: &str, name: &str, value: toml::Value) -> Result<T, CatalogError> {
    value.try_into::<T>().map_err(|e| CatalogError::entry(file, name, Problem::Invalid(e.message().trim().to_string())))
}

fn entry_name(kind: &str, index: usize, value: &toml::Value) -> String {
    match value.get("id").and_then(|v| v.as_str()) {
        Some(id) => format!("{kind} {id}"),
        None => match value.get("number").and_then(|v| v.as_integer()) {
            Some(n) => format!("{kind} {n}"),
            None => format!("{kind} #{} (no id)", index + 1),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_trip_through_their_names() {
        for unit in Unit::ALL {
            assert_eq!(unit.as_str().parse::<Unit>().unwrap(), unit);
            assert_eq!(serde_json::to_string(&unit).unwrap(), format!("\"{}\"", unit.as_str()));
        }
        let err = "pct".parse::<Unit>().unwrap_err();
        assert!(err.starts_with("unknown unit \"pct\"; expected one of andel, procent"), "{err}");
    }

    const SMALL: &str = r#"
catalog_version = "t"
[area]
id = "xx"
title = "X"
legal_basis = []
status = "udviklet"
[goal]
id = "xx.0"
title = "Mål"
[[drivers]]
id = "xx.1"
level = "primary"
title = "En"
[[drivers]]
id = "xx.1a"
level = "secondary"
parent = "xx.1"
title = "En a"
[[measures]]
id = "xx.1a.m"
node = "xx.1a"
title = "M"
description = "D"
data_sources = []
candidate = false
overview_only = false
unit = "andel"
direction = "none"
"#;

    #[test]
    fn a_small_area_parses() {
        let (version, area) = Area::parse("x.toml", SMALL).unwrap();
        assert_eq!(version, "t");
        assert_eq!(area.node("xx.1a").unwrap().label(), "1a");
        assert_eq!(area.measures_at("xx.1a").count(), 1);
        assert_eq!(area.secondary_drivers("xx.1").count(), 1);
    }

    #[test]
    fn entry_errors_name_the_entry() {
        let text = SMALL.replace("unit = \"andel\"", "unit = \"pct\"");
        let err = Area::parse("x.toml", &text).unwrap_err().to_string();
        assert!(err.starts_with("x.toml: measure xx.1a.m: unknown unit \"pct\""), "{err}");

        let text = SMALL.replace("node = \"xx.1a\"", "node = \"xx.1aa\"");
        let err = Area::parse("x.toml", &text).unwrap_err().to_string();
        assert_eq!(err, "x.toml: measure xx.1a.m: unknown node \"xx.1aa\" (did you mean \"xx.1a\"?)");

        let text = SMALL.replace("parent = \"xx.1\"", "parent = \"xx.2\"");
        let err = Area::parse("x.toml", &text).unwrap_err().to_string();
        assert!(err.starts_with("x.toml: driver xx.1a: not reachable from the goal"), "{err}");

        let text = SMALL.replace("direction = \"none\"", "direction = \"none\"\nfoo = 1");
        let err = Area::parse("x.toml", &text).unwrap_err().to_string();
        assert!(err.starts_with("x.toml: measure xx.1a.m: unknown field `foo`"), "{err}");
    }
}
