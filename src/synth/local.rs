//! Survey answers and local registrations as the catalogue describes them:
//! every question of `catalog/undersoegelser.toml` is answered on its own
//! scale by the survey's respondents, and every measure with
//! `registration = { … }` gets rows in `registreringer` of the kind it
//! counts (audits met or not, events, values), per citizen, unit or
//! municipality. Answers and audits are better in units with a higher
//! satisfaction effect, so units differ the way real ones do.

use super::kommune::{Kommune, UnitKind, absolute_month};
use super::life::{Life, Person};
use super::random::{Purpose, Rng};
use super::rows::Context;
use super::tables::Rows;
use super::time::{Calendar, Day, day};
use crate::catalog::{Catalog, RegistrationAnswer, RegistrationSubject};

/// Scales whose first answer is the best one ("I høj grad", "Ja", "Høj",
/// "Flere gange om ugen"); on the others the highest code is the best.
const BEST_FIRST: [&str; 4] = ["grad4", "ja-nej", "hyppighed5", "ascot-niveau"];

/// What the generator answers and registers, read once from the catalogue.
pub struct Plan {
    surveys: Vec<SurveyPlan>,
    registrations: Vec<RegistrationPlan>,
}

struct SurveyPlan {
    id: String,
    questions: Vec<QuestionPlan>,
}

struct QuestionPlan {
    id: String,
    scale: ScalePlan,
    /// How much better or worse this question is answered than the others.
    offset: f64,
}

enum ScalePlan {
    /// Answer codes from the worst to the best, and the "don't know" code.
    Codes { worst_to_best: Vec<i64>, dont_know: Option<i64> },
    /// A score from `min` to `max` (WHO-5).
    Score { min: i64, max: i64 },
}

struct RegistrationPlan {
    measure: String,
    /// The catalogue area (`po`, `sp`, `gt`, `de`): who the rows are about.
    area: String,
    answer: RegistrationAnswer,
    per: RegistrationSubject,
    /// How much more (or less) often this requirement is met than others.
    offset: f64,
}

/// A number from -0.5 to 0.5 fixed by `text` (FNV-1a), so that questions
/// and measures differ from each other the same way in every run.
fn spread(text: &str) -> f64 {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    (hash % 1001) as f64 / 1000.0 - 0.5
}

impl Plan {
    /// The surveys, questions and registrations of `catalog`.
    pub fn from_catalog(catalog: &Catalog) -> Self {
        let surveys = catalog
            .surveys
            .surveys
            .iter()
            .map(|survey| SurveyPlan {
                id: survey.id.clone(),
                questions: catalog
                    .surveys
                    .questions
                    .iter()
                    .filter(|q| q.survey == survey.id)
                    .filter_map(|q| {
                        let scale = catalog.surveys.scale(&q.scale)?;
                        let plan = match (scale.min, scale.max) {
                            (Some(min), Some(max)) if scale.answers.is_empty() => ScalePlan::Score { min, max },
                            _ => {
                                let mut codes: Vec<i64> =
                                    scale.answers.iter().filter(|a| a.valid).map(|a| a.code).collect();
                                if BEST_FIRST.contains(&scale.id.as_str()) {
                                    codes.reverse();
                                }
                                let dont_know = scale.answers.iter().find(|a| !a.valid).map(|a| a.code);
                                ScalePlan::Codes { worst_to_best: codes, dont_know }
                            }
                        };
                        Some(QuestionPlan { id: q.id.clone(), scale: plan, offset: 0.8 * spread(&q.id) })
                    })
                    .collect(),
            })
            .collect();
        let registrations = catalog
            .measures()
            .filter_map(|(area, m)| {
                let r = m.registration?;
                Some(RegistrationPlan {
                    measure: m.id.clone(),
                    area: area.id.clone(),
                    answer: r.answer,
                    per: r.per,
                    offset: 0.3 * spread(&m.id),
                })
            })
            .collect();
        Self { surveys, registrations }
    }

    fn survey(&self, id: &str) -> Option<&SurveyPlan> {
        self.surveys.iter().find(|s| s.id == id)
    }
}

impl QuestionPlan {
    /// The answer of a respondent whose opinion is `x` (about standard
    /// normal; higher is better).
    fn answer(&self, x: f64, rng: &mut Rng) -> i32 {
        match &self.scale {
            ScalePlan::Score { min, max } => {
                let score = ((56.0 + 18.0 * x) / 4.0).round() * 4.0;
                score.clamp(*min as f64, *max as f64) as i32
            }
            ScalePlan::Codes { worst_to_best, dont_know } => {
                if let Some(code) = dont_know.filter(|_| rng.chance(0.03)) {
                    return code as i32;
                }
                let k = worst_to_best.len();
                let index = ((x + 1.6) / 3.2 * k as f64).floor().clamp(0.0, (k - 1) as f64) as usize;
                worst_to_best[index] as i32
            }
        }
    }
}

/// One respondent's answers to every question of `survey`.
#[allow(clippy::too_many_arguments)]
fn respond(
    rows: &mut Rows,
    rng: &mut Rng,
    survey: &SurveyPlan,
    year: i32,
    respondent: &str,
    borger: Option<&str>,
    unit: Option<&str>,
    kommune: &str,
    answered: Day,
    opinion: f64,
) {
    let label = format!("{}-{year}", survey.id);
    for q in &survey.questions {
        let answer = q.answer(opinion + q.offset + 0.5 * rng.normal(), rng);
        rows.svar.push(&label, respondent, borger, unit, kommune, answered, &q.id, answer);
    }
}

/// The unit (index) that has the citizen in care on `day`, if any.
fn care_unit(person: &Person, life: &Life, on: Day) -> Option<usize> {
    let s = life.spells.iter().find(|s| s.start <= on && s.end.is_none_or(|e| on < e))?;
    Some(if s.nursing_home { person.plejehjem } else { person.hjemmepleje })
}

/// The unit a citizen-level registration of an area is about on `day`.
fn registration_unit(area: &str, person: &Person, life: &Life, on: Day) -> Option<usize> {
    match area {
        "sp" => life.nursing.iter().any(|c| c.start <= on && c.end.is_none_or(|e| on < e)).then_some(person.sygepleje),
        "gt" => life
            .rehab
            .iter()
            .any(|r| r.start.is_some_and(|s| s <= on) && r.end.is_none_or(|e| on <= e))
            .then_some(person.genoptraening),
        "de" if life.dementia.is_none_or(|d| d > on) => None,
        _ => care_unit(person, life, on),
    }
}

/// A citizen's survey answers and registrations.
pub fn citizen(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    if life.spells.is_empty() && life.nursing.is_empty() && life.rehab.is_empty() && person.age(ctx.calendar.end) < 67 {
        return;
    }
    surveys(ctx, person, life, rows);
    registrations(ctx, person, life, rows);
}

fn surveys(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    let (cal, k) = (ctx.calendar, ctx.kommune);
    // Apart from the stream of adverse events, which has the same purpose.
    let mut rng = Rng::stream(ctx.seed, Purpose::Surveys, &[k.number, u64::from(person.index), 1]);
    let alive = |on: Day| on <= cal.end && life.death.is_none_or(|d| on <= d);
    let personal = 0.55 * rng.normal();
    let opinion = |unit: Option<usize>, on: Day| {
        0.75 + k.effects.satisfaction
            + unit.map_or(0.0, |u| k.units[u].satisfaction)
            + personal
            + 0.05 * cal.trend_years(on)
    };
    // Answered within `days` after `from`; `sheet` tells a citizen's
    // answer sheets of one year apart (one per course).
    let answer =
        |rows: &mut Rows, rng: &mut Rng, survey: &str, sheet: &str, (from, days): (Day, u32), unit: Option<usize>| {
            let on = from + rng.below(days) as Day;
            let respondent = format!("R{}{sheet}", person.id);
            if let Some(plan) = ctx.local.survey(survey).filter(|_| on >= cal.history_start && alive(on)) {
                let unit_id = unit.map(|u| k.units[u].id.as_str());
                let year = chrono::Datelike::year(&super::time::date(on));
                respond(rows, rng, plan, year, &respondent, Some(&person.id), unit_id, &k.kode, on, opinion(unit, on));
            }
        };
    for year in cal.population_years() {
        // The national survey among citizens in care on 1 October.
        let october = day(year, 10, 1);
        if let Some(unit) = care_unit(person, life, october) {
            let p = if k.units[unit].kind == UnitKind::Plejehjem { 0.35 } else { 0.45 };
            if rng.chance(p) {
                answer(rows, &mut rng, "btu", "", (october, 30), Some(unit));
            }
        }
        // The municipality's own survey among citizens 67+ in April.
        let april = day(year, 4, 1);
        if person.age(april) >= 67 && rng.chance(0.05) {
            answer(rows, &mut rng, "lokal-aeldre", "", (april, 30), care_unit(person, life, april));
        }
    }
    // At the end of a nursing or rehabilitation course.
    for (i, c) in life.nursing.iter().enumerate() {
        if let Some(end) = c.end.filter(|_| rng.chance(0.4)) {
            answer(rows, &mut rng, "lokal-sygepleje", &format!("-S{i}"), (end, 14), Some(person.sygepleje));
        }
    }
    for (i, r) in life.rehab.iter().enumerate() {
        if let Some(end) = r.end.filter(|_| r.start.is_some() && rng.chance(0.5)) {
            answer(rows, &mut rng, "lokal-genoptraening", &format!("-G{i}"), (end, 14), Some(person.genoptraening));
        }
    }
}

fn registrations(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    let mut rng = ctx.rng(Purpose::Registrations, person);
    let (cal, k) = (ctx.calendar, ctx.kommune);
    let mut n = 0;
    for (r, plan) in ctx.local.registrations.iter().enumerate() {
        if plan.per != RegistrationSubject::Borger {
            continue;
        }
        // A month's audit covers half of the citizens in care; the few in
        // rehabilitation are all audited.
        let audited = if plan.area == "gt" { 0.9 } else { 0.5 };
        for m in 0..cal.months() {
            let start = cal.month_start(m);
            let on = start + rng.below((cal.month_start(m + 1) - start) as u32) as Day;
            if on < cal.history_start || on > cal.end || life.death.is_some_and(|d| on > d) {
                continue;
            }
            let Some(unit) = registration_unit(&plan.area, person, life, on) else { continue };
            let quality = k.effects.satisfaction + k.units[unit].satisfaction + plan.offset;
            let t = cal.trend_years(on);
            let (events, met, value) = match plan.answer {
                RegistrationAnswer::Opfyldt => {
                    let p = (0.62 + 0.6 * quality + 0.04 * t).clamp(0.05, 0.97);
                    (u32::from(rng.chance(audited)), Some(rng.chance(p)), None)
                }
                RegistrationAnswer::Antal => (rng.poisson(0.05), None, None),
                RegistrationAnswer::Vaerdi => {
                    let value = (50.0 + 15.0 * (quality + 0.8 * rng.normal()) + 2.0 * t).clamp(0.0, 100.0);
                    (u32::from(rng.chance(audited)), None, Some((value * 10.0).round() / 10.0))
                }
            };
            for _ in 0..events {
                n += 1;
                let id = format!("RG{}-{r}-{n}", &person.id[1..]);
                let unit_id = Some(k.units[unit].id.as_str());
                rows.registreringer.push(&id, &plan.measure, &k.kode, unit_id, Some(&person.id), on, met, value);
            }
        }
    }
}

/// The staff survey (APV) every September, and the registrations about
/// units and the municipality as a whole.
pub fn kommune(k: &Kommune, plan: &Plan, calendar: &Calendar, seed: u64, rows: &mut Rows) {
    let mut rng = Rng::stream(seed, Purpose::Registrations, &[k.number]);
    if let Some(apv) = plan.survey("apv") {
        for year in calendar.population_years() {
            let september = day(year, 9, 15);
            if september > calendar.end || september < calendar.history_start {
                continue;
            }
            let month = absolute_month(september);
            for e in &k.staff {
                let employed = e.from_month <= month && e.to_month.is_none_or(|m| m >= month);
                if !employed || !rng.chance(0.7) {
                    continue;
                }
                let unit = &k.units[e.unit];
                let opinion = 0.5 + unit.satisfaction + 0.6 * rng.normal();
                let answered = september + rng.below(14) as Day;
                let respondent = format!("R{}", e.id);
                respond(rows, &mut rng, apv, year, &respondent, None, Some(&unit.id), &k.kode, answered, opinion);
            }
        }
    }
    let mut n = 0;
    for (r, registration) in plan.registrations.iter().enumerate() {
        let units: Vec<usize> = match registration.per {
            RegistrationSubject::Borger => continue,
            RegistrationSubject::Kommune => vec![usize::MAX],
            _ => (0..k.units.len()).filter(|&u| unit_of_area(k.units[u].kind, &registration.area)).collect(),
        };
        for m in 0..calendar.months() {
            let start = calendar.month_start(m);
            if start < calendar.history_start || start > calendar.end {
                continue;
            }
            let t = calendar.trend_years(start);
            for &u in &units {
                let unit = k.units.get(u);
                let quality = k.effects.satisfaction + unit.map_or(0.0, |u| u.satisfaction) + registration.offset;
                let (events, met, value) = match registration.answer {
                    RegistrationAnswer::Opfyldt => {
                        (1, Some(rng.chance((0.6 + 0.8 * quality + 0.05 * t).clamp(0.05, 0.97))), None)
                    }
                    RegistrationAnswer::Antal => (rng.poisson((2.0 * (1.0 + quality)).max(0.2)), None, None),
                    RegistrationAnswer::Vaerdi => {
                        let size = f64::from(k.citizens) / 1000.0;
                        (1, None, Some((size * (1.5 + quality + 0.2 * rng.normal())).max(0.0).round()))
                    }
                };
                for _ in 0..events {
                    n += 1;
                    let on = start + rng.below((calendar.month_start(m + 1) - start) as u32) as Day;
                    let id = format!("RG{}-E{r}-{n}", k.kode);
                    let unit_id = unit.map(|u| u.id.as_str());
                    rows.registreringer.push(&id, &registration.measure, &k.kode, unit_id, None, on, met, value);
                }
            }
        }
    }
}

/// Whether units of `kind` are the units a registration of `area` is about.
fn unit_of_area(kind: UnitKind, area: &str) -> bool {
    match area {
        "sp" => kind == UnitKind::Sygepleje,
        "gt" => kind == UnitKind::Genoptraening,
        "de" => matches!(kind, UnitKind::Plejehjem | UnitKind::Demens),
        _ => matches!(kind, UnitKind::Hjemmepleje | UnitKind::Plejehjem),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_fall_on_the_scale_with_the_best_at_the_right_end() {
        let plan = Plan::from_catalog(&Catalog::standard());
        let btu = plan.survey("btu").unwrap();
        let question = |id: &str| btu.questions.iter().find(|q| q.id == id).unwrap();
        let mut rng = Rng::stream(1, Purpose::Surveys, &[1]);
        // A very content respondent: "Meget tilfreds" (5) and "I høj grad" (1).
        assert_eq!(question("btu.samlet-tilfredshed").answer(3.0, &mut Rng::stream(2, Purpose::Surveys, &[])), 5);
        assert_eq!(question("btu.tryghed").answer(3.0, &mut Rng::stream(2, Purpose::Surveys, &[])), 1);
        // A discontent one: "Meget utilfreds" (1) and "Slet ikke" (4).
        assert_eq!(question("btu.samlet-tilfredshed").answer(-3.0, &mut Rng::stream(2, Purpose::Surveys, &[])), 1);
        assert_eq!(question("btu.tryghed").answer(-3.0, &mut Rng::stream(2, Purpose::Surveys, &[])), 4);
        // WHO-5 is a score in steps of 4 from 0 to 100: 56 + 18 × 1 = 74 → 76.
        let who5 = plan.survey("apv").unwrap().questions.iter().find(|q| q.id == "apv.trivsel").unwrap();
        assert_eq!(who5.answer(1.0, &mut rng), 76);
        assert_eq!(who5.answer(9.0, &mut rng), 100);
    }

    #[test]
    fn every_registration_measure_is_planned() {
        let catalog = Catalog::standard();
        let plan = Plan::from_catalog(&catalog);
        let registered = catalog.measures().filter(|(_, m)| m.registration.is_some()).count();
        assert_eq!(plan.registrations.len(), registered);
        assert!(registered >= 30, "{registered}");
    }
}
