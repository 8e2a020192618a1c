//! The national goals for the health service (`catalog/nationale-maal.toml`):
//! the 8 goals, their indicators with unit, direction and footnotes, the
//! traffic-light comparison the status report describes, its suppression of
//! small numbers, and the five-level scales of its figures.

use super::area::{Unit, entries, parse_toml, section};
use super::error::{CatalogError, Problem};
use crate::stats::markers::{Band, BandKind, Direction, FiveLevelScale, TrafficLight};
use crate::stats::suppression::Thresholds;
use serde::{Deserialize, Deserializer, Serialize};

/// Everything in `nationale-maal.toml`.
#[derive(Debug, Clone, Serialize)]
pub struct NationaleMaal {
    /// The 8 goals, numbered 1..8.
    pub goals: Vec<NationalGoal>,
    /// Every indicator of Tabel 1 and Tabel 2, in file order.
    pub indicators: Vec<Indicator>,
    /// How development and level are marked.
    pub comparison: Comparison,
    /// When a rate is not shown.
    pub suppression: Suppression,
    /// The five-level scales of the report's figures.
    pub scales: Vec<Scale>,
    /// The file it was read from, e.g. `catalog/nationale-maal.toml`.
    #[serde(skip)]
    pub file: String,
}

/// One of the 8 national goals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationalGoal {
    /// 1..8, the official numbering.
    pub number: u8,
    /// Danish title.
    pub title: String,
}

/// One national indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable id, `nm.<goal>.<slug>`.
    pub id: String,
    /// The goal's number.
    pub goal: u8,
    /// The row text of Tabel 1 (or a descriptive title for Tabel 2 variants).
    pub title: String,
    /// What the value is measured in.
    pub unit: Unit,
    /// Which way the traffic light treats as better.
    pub direction: Direction,
    /// Decimals shown; the markers are computed on the shown decimals.
    pub decimals: u8,
    /// The data year used in the benchmarks.
    pub year: i32,
    /// The period as the report gives it, e.g. "4. kvt. 2017".
    pub period: String,
    /// Where the number comes from (Sundhedsdatastyrelsen, LUP, …).
    pub source: String,
    /// Listed in Tabel 1 (national and regional values).
    pub in_tabel1: bool,
    /// Listed in Tabel 2 (municipal values).
    pub in_tabel2: bool,
    /// Column 1..14 of Tabel 2.
    #[serde(default)]
    pub tabel2_column: Option<u8>,
    /// The column title of Tabel 2.
    #[serde(default)]
    pub tabel2_title: Option<String>,
    /// The id of the different Tabel 2 variant of this indicator.
    #[serde(default)]
    pub tabel2_variant: Option<String>,
    /// The Tabel 1 indicator this Tabel 2 variant belongs to.
    #[serde(default)]
    pub tabel2_variant_of: Option<String>,
    /// `false`: only a development marker (Tabel 1, note 9).
    pub level_marking: bool,
    /// `false`: no numbers and no colours (under development).
    pub colour_marking: bool,
    /// A change of definition the reader must know about.
    #[serde(default)]
    pub definition_change: Option<String>,
    /// When development is measured over another period than one year.
    #[serde(default)]
    pub development_period: Option<String>,
    /// The report's footnotes that change interpretation.
    pub footnotes: Vec<Footnote>,
    /// Transcription notes.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The rule that computes it, when one exists: `rules/<id>.rhai`.
    #[serde(default)]
    pub rule: Option<String>,
}

/// A footnote of Tabel 1 or Tabel 2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Footnote {
    /// 1 or 2: the tables number their notes separately.
    pub table: u8,
    /// The note's number.
    pub number: u8,
    /// Its text.
    pub text: String,
    /// Its line in `seeds/001_…txt`.
    pub source_line: u32,
    /// A transcription note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A reference to a footnote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FootnoteRef {
    /// 1 or 2.
    pub table: u8,
    /// The note's number.
    pub number: u8,
}

/// The traffic-light rules: development since the previous period and level
/// against the national average, yellow within a band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    /// The report's words.
    pub source_text: String,
    /// Their lines.
    pub source_lines: String,
    /// What the colours mean, in the report's words.
    pub colours_source_text: String,
    /// Their lines.
    pub colours_source_lines: String,
    /// What is rounded before comparing.
    pub rounding: Rounding,
    /// The report's words on rounding.
    pub rounding_source_text: String,
    /// Their lines.
    pub rounding_source_lines: String,
    /// The yellow band, e.g. 0.01 for ±1 %.
    pub band: f64,
    /// Whether the band is relative to the reference or absolute.
    pub band_kind: BandKind,
    /// Whether a difference of exactly the band is yellow.
    pub band_inclusive: bool,
    /// The report's words on the band.
    pub band_source_text: String,
    /// Their lines.
    pub band_source_lines: String,
    /// The marker left of the number.
    pub development: DevelopmentRule,
    /// The marker right of the number.
    pub level: LevelRule,
}

/// What is rounded before the markers are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// The values as displayed, to the indicator's `decimals`.
    DisplayedDecimals,
}

impl Comparison {
    /// The yellow band of the markers (the report: ±1 % relative, boundary
    /// included). The catalogue check refuses a band that is not a whole
    /// number of millionths, so this holds for every loaded catalogue.
    pub fn band(&self) -> Band {
        Band::new(self.band_kind, self.band, self.band_inclusive).expect("checked when the catalogue was loaded")
    }
}

/// The development marker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevelopmentRule {
    /// Where it is drawn ("venstre for tallet").
    pub position: String,
    /// The previous year.
    pub from_year: i32,
    /// The current year.
    pub to_year: i32,
    /// The report's words.
    pub source_text: String,
    /// Their lines.
    pub source_lines: String,
    /// Positive, unchanged, negative.
    pub markers: Vec<Marker>,
}

/// The level marker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRule {
    /// Where it is drawn ("højre for tallet").
    pub position: String,
    /// The report's words.
    pub source_text: String,
    /// Their lines.
    pub source_lines: String,
    /// Better, on level, worse.
    pub markers: Vec<Marker>,
}

/// One marker: its label and colour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// Danish label, e.g. "Positiv udvikling".
    pub label: String,
    /// Written in Danish in the file: "grøn", "gul", "rød".
    #[serde(deserialize_with = "danish_colour")]
    pub colour: TrafficLight,
}

fn danish_colour<'de, D: Deserializer<'de>>(d: D) -> Result<TrafficLight, D::Error> {
    let s = String::deserialize(d)?;
    match s.as_str() {
        "grøn" => Ok(TrafficLight::Green),
        "gul" => Ok(TrafficLight::Yellow),
        "rød" => Ok(TrafficLight::Red),
        other => Err(serde::de::Error::custom(format!("unknown colour \"{other}\"; expected grøn, gul or rød"))),
    }
}

/// Suppression of small numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// Not computed when the denominator is under this.
    pub min_denominator: u32,
    /// Not computed when the numerator is under this.
    pub min_numerator: u32,
    /// The report's words.
    pub source_text: String,
    /// Their lines.
    pub source_lines: String,
    /// The footnote that says it.
    pub source_footnote: FootnoteRef,
    /// The indicators the footnote is attached to.
    pub applies_to: Vec<String>,
    /// The figures' legend for a suppressed value.
    pub figure_legend_text: String,
    /// Its lines.
    pub figure_legend_lines: String,
    /// Rules for single indicators.
    #[serde(default)]
    pub specific: Vec<SpecificSuppression>,
}

impl Suppression {
    /// The thresholds every measure gets unless its own entry says
    /// otherwise.
    pub fn thresholds(&self) -> Thresholds {
        Thresholds { min_denominator: self.min_denominator.into(), min_numerator: self.min_numerator.into() }
    }
}

/// A suppression rule of one indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecificSuppression {
    /// The indicator.
    pub indicator_id: String,
    /// Not shown when the denominator is under this.
    #[serde(default)]
    pub min_denominator: Option<u32>,
    /// Not shown when the numerator is under this.
    #[serde(default)]
    pub min_numerator: Option<u32>,
    /// What the denominator counts.
    #[serde(default)]
    pub denominator: Option<String>,
    /// What the numerator counts.
    #[serde(default)]
    pub numerator: Option<String>,
    /// Municipalities (codes) never shown.
    #[serde(default)]
    pub kommuner: Vec<String>,
    /// The report's words.
    pub source_text: String,
    /// Their lines.
    pub source_lines: String,
    /// The footnote that says it.
    pub source_footnote: FootnoteRef,
}

/// A five-level scale of one of the report's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// E.g. `figur1.somatiske-genindlaeggelser.udvikling`.
    pub id: String,
    /// The figure's number.
    pub figure: u8,
    /// The figure's title.
    pub title: String,
    /// The indicator it shows.
    pub indicator_id: String,
    /// Development or level.
    pub kind: ScaleKind,
    /// What difference is classified.
    pub measure: ScaleMeasure,
    /// The legend's lines.
    pub source_lines: String,
    /// The legend for a suppressed value.
    #[serde(default)]
    pub suppressed_label: Option<String>,
    /// A transcription note.
    #[serde(default)]
    pub note: Option<String>,
    /// The five levels, from best to worst as printed.
    pub levels: Vec<ScaleLevel>,
}

impl Scale {
    /// The scale as [`crate::stats::markers::five_level`] takes it: the
    /// "betydelig" threshold is the largest bound of the levels, relative
    /// for a relative change and absolute otherwise. `None` for a scale
    /// without finite bounds.
    pub fn five_level(&self) -> Option<FiveLevelScale> {
        let threshold = self
            .levels
            .iter()
            .flat_map(|l| [l.lower, l.upper])
            .flatten()
            .map(f64::abs)
            .filter(|b| b.is_finite())
            .fold(None, |max: Option<f64>, b| Some(max.map_or(b, |m| m.max(b))))?;
        Some(match self.measure {
            ScaleMeasure::RelativeChange => FiveLevelScale::Relative(threshold),
            _ => FiveLevelScale::Absolute(threshold),
        })
    }
}

/// Whether a scale classifies development or level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleKind {
    /// Change since the previous period.
    Development,
    /// Difference from the national average.
    Level,
}

/// The difference a scale classifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleMeasure {
    /// Current minus previous, in percentage points.
    PctPointChange,
    /// Current minus previous, in days.
    DaysChange,
    /// (Current − previous) / previous, in percent.
    RelativeChange,
    /// Value minus national average, in percentage points.
    PctPointDiffFromNational,
}

/// One level of a scale: an interval with optional bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleLevel {
    /// Danish label.
    pub label: String,
    /// Lower bound; none = unbounded.
    #[serde(default)]
    pub lower: Option<f64>,
    /// Whether the lower bound belongs to the level.
    #[serde(default)]
    pub lower_inclusive: Option<bool>,
    /// Upper bound; none = unbounded.
    #[serde(default)]
    pub upper: Option<f64>,
    /// Whether the upper bound belongs to the level.
    #[serde(default)]
    pub upper_inclusive: Option<bool>,
    /// The legend's words.
    pub source_text: String,
    /// A transcription note (e.g. a typo in the legend).
    #[serde(default)]
    pub note: Option<String>,
}

impl NationaleMaal {
    /// The indicator with that id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The goal with that number.
    pub fn goal(&self, number: u8) -> Option<&NationalGoal> {
        self.goals.iter().find(|g| g.number == number)
    }

    /// Parses `nationale-maal.toml`; `file` names it in errors. Checks the
    /// references inside the file (goal numbers, indicator ids of variants,
    /// suppression rules and scales).
    pub(crate) fn parse(file: &str, text: &str) -> Result<Self, CatalogError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            goals: Vec<toml::Value>,
            indicators: Vec<toml::Value>,
            comparison: toml::Value,
            suppression: toml::Value,
            #[serde(default)]
            scales: Vec<toml::Value>,
        }
        let raw: Raw = parse_toml(file, text)?;
        let mut problems = Vec::new();
        let goals = entries(file, "goal", raw.goals, &mut problems);
        let indicators = entries(file, "indicator", raw.indicators, &mut problems);
        let scales = entries(file, "scale", raw.scales, &mut problems);
        let comparison = section(file, "[comparison]", raw.comparison);
        let suppression = section(file, "[suppression]", raw.suppression);
        let (comparison, suppression) = match (comparison, suppression) {
            (Ok(c), Ok(s)) => (c, s),
            (c, s) => {
                problems.extend(c.err());
                problems.extend(s.err());
                return Err(CatalogError::from_list(problems).unwrap_err());
            }
        };
        let national = NationaleMaal { goals, indicators, comparison, suppression, scales, file: file.to_string() };
        national.check(file, &mut problems);
        CatalogError::from_list(problems)?;
        Ok(national)
    }

    fn check(&self, file: &str, problems: &mut Vec<CatalogError>) {
        let ids: Vec<&str> = self.indicators.iter().map(|i| i.id.as_str()).collect();
        let unknown = |what: &'static str, id: &str| Problem::Unknown {
            what,
            id: id.to_string(),
            suggestion: super::closest(id, ids.iter().copied()).map(str::to_string),
        };
        for goal in &self.goals {
            if !(1..=8).contains(&goal.number) {
                problems.push(CatalogError::entry(
                    file,
                    format!("goal {}", goal.number),
                    Problem::Inconsistent("goals are numbered 1..8".into()),
                ));
            }
        }
        for ind in &self.indicators {
            let entry = format!("indicator {}", ind.id);
            if self.goal(ind.goal).is_none() {
                problems.push(CatalogError::entry(
                    file,
                    &entry,
                    Problem::Unknown { what: "goal", id: ind.goal.to_string(), suggestion: None },
                ));
            } else if !ind.id.starts_with(&format!("nm.{}.", ind.goal)) {
                problems.push(CatalogError::entry(
                    file,
                    &entry,
                    Problem::Inconsistent(format!("id must start with \"nm.{}.\"", ind.goal)),
                ));
            }
            for reference in [&ind.tabel2_variant, &ind.tabel2_variant_of].into_iter().flatten() {
                if self.indicator(reference).is_none() {
                    problems.push(CatalogError::entry(file, &entry, unknown("indicator", reference)));
                }
            }
            if ind.in_tabel2 != ind.tabel2_column.is_some() {
                problems.push(CatalogError::entry(
                    file,
                    &entry,
                    Problem::Inconsistent("tabel2_column is given exactly when in_tabel2 = true".into()),
                ));
            }
            for note in &ind.footnotes {
                if !(1..=2).contains(&note.table) {
                    problems.push(CatalogError::entry(
                        file,
                        &entry,
                        Problem::Inconsistent(format!("footnote {}: table must be 1 or 2", note.number)),
                    ));
                }
            }
        }
        if Band::new(self.comparison.band_kind, self.comparison.band, self.comparison.band_inclusive).is_none() {
            problems.push(CatalogError::entry(
                file,
                "[comparison] band",
                Problem::Inconsistent(format!(
                    "band = {} must be a non-negative number with at most six decimals, such as 0.01",
                    self.comparison.band
                )),
            ));
        }
        for id in &self.suppression.applies_to {
            if self.indicator(id).is_none() {
                problems.push(CatalogError::entry(file, "[suppression] applies_to", unknown("indicator", id)));
            }
        }
        for rule in &self.suppression.specific {
            if self.indicator(&rule.indicator_id).is_none() {
                problems.push(CatalogError::entry(
                    file,
                    "[[suppression.specific]]",
                    unknown("indicator", &rule.indicator_id),
                ));
            }
        }
        for scale in &self.scales {
            let entry = format!("scale {}", scale.id);
            if self.indicator(&scale.indicator_id).is_none() {
                problems.push(CatalogError::entry(file, &entry, unknown("indicator", &scale.indicator_id)));
            }
            if scale.five_level().is_none() {
                problems.push(CatalogError::entry(
                    file,
                    &entry,
                    Problem::Inconsistent("the levels give no finite bound to classify by".into()),
                ));
            }
            for level in &scale.levels {
                if level.lower.is_some() != level.lower_inclusive.is_some()
                    || level.upper.is_some() != level.upper_inclusive.is_some()
                {
                    problems.push(CatalogError::entry(
                        file,
                        &entry,
                        Problem::Inconsistent(format!(
                            "level \"{}\": each bound needs its *_inclusive flag and vice versa",
                            level.label
                        )),
                    ));
                }
            }
        }
    }
}
