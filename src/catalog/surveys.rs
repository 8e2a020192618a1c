//! Surveys (`catalog/undersoegelser.toml`): the answer scales, the surveys
//! and their questions, which the `svar` table answers by question id. A
//! survey measure names its questions and the answers that count in its
//! `survey` field ([`SurveyMapping`]); the rule helper `lib/svar.rhai`
//! computes every such measure from that mapping.

use super::area::{entries, parse_toml};
use super::error::{CatalogError, Problem};
use serde::{Deserialize, Serialize};

/// One answer of a scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The code in `svar.svar`.
    pub code: i64,
    /// The words of the questionnaire.
    pub label: String,
    /// Whether the answer counts in a share's denominator ("ved ikke" and
    /// "ikke relevant" do not).
    #[serde(default = "yes")]
    pub valid: bool,
}

fn yes() -> bool {
    true
}

/// An answer scale: listed answers, or a score range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// E.g. `tilfreds5`, `grad4`, `ja-nej`, `who5`.
    pub id: String,
    /// Danish description.
    pub title: String,
    /// The answers, for a scale of answers.
    #[serde(default)]
    pub answers: Vec<Answer>,
    /// The lowest score, for a score scale.
    pub min: Option<i64>,
    /// The highest score, for a score scale.
    pub max: Option<i64>,
}

impl Scale {
    /// The codes that count in a denominator.
    pub fn valid_codes(&self) -> Vec<i64> {
        match (self.min, self.max) {
            (Some(min), Some(max)) if self.answers.is_empty() => (min..=max).collect(),
            _ => self.answers.iter().filter(|a| a.valid).map(|a| a.code).collect(),
        }
    }

    /// Whether `code` is an answer (or score) of the scale.
    pub fn has(&self, code: i64) -> bool {
        match (self.min, self.max) {
            (Some(min), Some(max)) if self.answers.is_empty() => (min..=max).contains(&code),
            _ => self.answers.iter().any(|a| a.code == code),
        }
    }

    /// The label of an answer code.
    pub fn label(&self, code: i64) -> Option<&str> {
        self.answers.iter().find(|a| a.code == code).map(|a| a.label.as_str())
    }
}

/// A survey: the national user satisfaction survey, a local one, an APV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// E.g. `btu`.
    pub id: String,
    /// Danish name.
    pub title: String,
    /// Who answers: `borgere`, `paaroerende` or `medarbejdere`.
    pub respondents: String,
    /// Who asks it and how often, in words.
    pub description: String,
}

/// One question of a survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Unique across surveys and prefixed by the survey, e.g.
    /// `btu.samlet-tilfredshed`; what `svar.spoergsmaal` holds.
    pub id: String,
    /// The survey it belongs to.
    pub survey: String,
    /// The question as asked.
    pub text: String,
    /// The id of its answer scale.
    pub scale: String,
}

/// Every scale, survey and question.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Surveys {
    pub scales: Vec<Scale>,
    pub surveys: Vec<Survey>,
    pub questions: Vec<Question>,
}

/// How a survey measure is computed from the `svar` table (the measure's
/// `survey = { … }`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyMapping {
    /// The questions answered (ids in `undersoegelser.toml`); answers to
    /// each count alike.
    pub questions: Vec<String>,
    /// For a share: the answer codes that count in the numerator, e.g.
    /// `[4, 5]` for "tilfreds" and "meget tilfreds"; the denominator is
    /// every valid answer of the scale.
    #[serde(default)]
    pub counted: Vec<i64>,
    /// For a score: the mean of the answers instead of a share.
    #[serde(default)]
    pub mean: bool,
    /// Answers given in the months ending with the period's last day
    /// (default 12: a yearly survey counts for a year).
    #[serde(default = "twelve")]
    pub months: u32,
}

fn twelve() -> u32 {
    12
}

impl Surveys {
    /// The question with that id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// The scale with that id.
    pub fn scale(&self, id: &str) -> Option<&Scale> {
        self.scales.iter().find(|s| s.id == id)
    }

    /// The scale a question is answered on.
    pub fn scale_of(&self, question: &str) -> Option<&Scale> {
        self.scale(&self.question(question)?.scale)
    }

    /// Problems with a measure's mapping: unknown questions, questions on
    /// different scales, counted codes the scale does not have, neither or
    /// both of `counted` and `mean`.
    pub fn check_mapping(&self, mapping: &SurveyMapping) -> Vec<Problem> {
        let mut problems = Vec::new();
        for id in &mapping.questions {
            if self.question(id).is_none() {
                problems.push(Problem::Unknown {
                    what: "survey question",
                    id: id.clone(),
                    suggestion: super::closest(id, self.questions.iter().map(|q| q.id.as_str())).map(str::to_string),
                });
            }
        }
        let scales: Vec<&str> =
            mapping.questions.iter().filter_map(|q| self.question(q)).map(|q| q.scale.as_str()).collect();
        if scales.windows(2).any(|w| w[0] != w[1]) {
            problems.push(Problem::Inconsistent(format!(
                "the questions are answered on different scales ({}); one mapping needs one scale",
                scales.join(", ")
            )));
        }
        if mapping.questions.is_empty() {
            problems.push(Problem::Inconsistent("survey.questions is empty".into()));
        }
        match (mapping.counted.is_empty(), mapping.mean) {
            (true, false) => problems.push(Problem::Inconsistent(
                "survey needs counted = [answer codes] for a share, or mean = true for a score".into(),
            )),
            (false, true) => {
                problems.push(Problem::Inconsistent("survey has both counted and mean = true; choose one".into()))
            }
            _ => {}
        }
        if let Some(scale) = scales.first().and_then(|s| self.scale(s)) {
            for code in &mapping.counted {
                if !scale.valid_codes().contains(code) {
                    problems.push(Problem::Inconsistent(format!(
                        "counted answer {code} is not a valid answer of scale {}",
                        scale.id
                    )));
                }
            }
        }
        problems
    }
}

/// Parses `undersoegelser.toml`: ids unique, every question on a known
/// survey and scale, every scale with answers or a score range.
pub(crate) fn parse(file: &str, text: &str) -> Result<Surveys, CatalogError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        scales: Vec<toml::Value>,
        surveys: Vec<toml::Value>,
        questions: Vec<toml::Value>,
    }
    let raw: Raw = parse_toml(file, text)?;
    let mut problems = Vec::new();
    let surveys = Surveys {
        scales: entries(file, "scale", raw.scales, &mut problems),
        surveys: entries(file, "survey", raw.surveys, &mut problems),
        questions: entries(file, "question", raw.questions, &mut problems),
    };
    let mut bad = |entry: String, problem: Problem| problems.push(CatalogError::entry(file, entry, problem));
    for (i, s) in surveys.scales.iter().enumerate() {
        if surveys.scales[..i].iter().any(|o| o.id == s.id) {
            bad(format!("scale {}", s.id), Problem::DuplicateId { other: "scale".into(), file: file.into() });
        }
        let range = matches!((s.min, s.max), (Some(min), Some(max)) if min <= max);
        if s.answers.is_empty() != range {
            bad(
                format!("scale {}", s.id),
                Problem::Inconsistent("a scale lists answers, or gives min and max of a score (not both)".into()),
            );
        }
    }
    for (i, s) in surveys.surveys.iter().enumerate() {
        if surveys.surveys[..i].iter().any(|o| o.id == s.id) {
            bad(format!("survey {}", s.id), Problem::DuplicateId { other: "survey".into(), file: file.into() });
        }
    }
    for (i, q) in surveys.questions.iter().enumerate() {
        let entry = format!("question {}", q.id);
        if surveys.questions[..i].iter().any(|o| o.id == q.id) {
            bad(entry.clone(), Problem::DuplicateId { other: "question".into(), file: file.into() });
        }
        if !surveys.surveys.iter().any(|s| s.id == q.survey) {
            bad(entry.clone(), Problem::Unknown { what: "survey", id: q.survey.clone(), suggestion: None });
        }
        if surveys.scale(&q.scale).is_none() {
            let suggestion = super::closest(&q.scale, surveys.scales.iter().map(|s| s.id.as_str())).map(str::to_string);
            bad(entry.clone(), Problem::Unknown { what: "scale", id: q.scale.clone(), suggestion });
        }
        if !q.id.starts_with(&format!("{}.", q.survey)) {
            bad(entry, Problem::Inconsistent(format!("a question id starts with its survey: \"{}.…\"", q.survey)));
        }
    }
    CatalogError::from_list(problems)?;
    Ok(surveys)
}
