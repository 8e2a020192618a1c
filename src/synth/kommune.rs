//! One municipality's world: its random effects (how it differs from the
//! others), its plejeenheder, and its staff with turnover, absence and
//! courses. Built once per municipality from its own random stream, shared
//! read-only by every chunk of its citizens.
//!
//! The kommune-level rows are written here too: `plejeenheder`,
//! `medarbejdere`, `fravaer`, `kurser`, the staff survey (APV) in `svar`,
//! and adverse events (`uth`) reported without a citizen.

use super::demography;
use super::names::{self, UnitNamer};
use super::random::{Purpose, Rng};
use super::tables::Rows;
use super::time::{Calendar, Day};
use crate::catalog::Kommune as CatalogKommune;

/// How a municipality differs from the national average. Multipliers are
/// 1 on average; every measure the rules compute depends on one of them, so
/// comparisons and funnel plots show real spread.
#[derive(Debug, Clone)]
pub struct Effects {
    /// Weight of ages 65+ in the age pyramid.
    pub elderly: f64,
    /// Take-up of home care.
    pub home_care: f64,
    /// Median months between FSIII reassessments (about 5–13).
    pub reassess_months: f64,
    /// Share of screen visits.
    pub screen: f64,
    /// Hospital admissions.
    pub admissions: f64,
    /// Share of acute admissions that are preventable.
    pub preventable: f64,
    /// Chance of days after completed treatment.
    pub bed_days: f64,
    /// Median days from discharge to start of rehabilitation (about 4–9).
    pub rehab_delay: f64,
    /// Hours until an action plan after triage.
    pub triage: f64,
    /// Starting antipsychotics.
    pub antipsychotics: f64,
    /// Median months between medication reviews (about 7–20).
    pub review_months: f64,
    /// Yearly share of staff leaving (12–28 %).
    pub turnover: f64,
    /// Staff absence.
    pub absence: f64,
    /// Reporting of adverse events.
    pub uth: f64,
    /// Satisfaction, on the 1–5 scale.
    pub satisfaction: f64,
    /// Share of home care grants with a fixed team.
    pub fixed_team: f64,
    /// New home care grants for 67+ under Ældreloven from 1 July 2025.
    pub helhedspleje: bool,
}

impl Effects {
    fn draw(rng: &mut Rng) -> Self {
        Self {
            elderly: rng.lognormal(1.0, 0.12),
            home_care: rng.lognormal(1.0, 0.12),
            reassess_months: rng.lognormal(8.0, 0.25),
            screen: rng.lognormal(1.0, 0.35),
            admissions: rng.lognormal(1.0, 0.12),
            preventable: rng.lognormal(1.0, 0.15),
            bed_days: rng.lognormal(1.0, 0.5),
            rehab_delay: rng.lognormal(6.0, 0.2),
            triage: rng.lognormal(1.0, 0.3),
            antipsychotics: rng.lognormal(1.0, 0.3),
            review_months: rng.lognormal(12.0, 0.3),
            turnover: 0.12 + 0.16 * rng.uniform(),
            absence: rng.lognormal(1.0, 0.2),
            uth: rng.lognormal(1.0, 0.35),
            satisfaction: 0.15 * rng.normal(),
            fixed_team: 0.4 + 0.55 * rng.uniform(),
            helhedspleje: rng.chance(0.2),
        }
    }
}

/// The kinds of plejeenhed (the schema's `type` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Hjemmepleje,
    Plejehjem,
    Sygepleje,
    Genoptraening,
    Demens,
}

impl UnitKind {
    /// The value in `plejeenheder.type`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Hjemmepleje => "hjemmepleje",
            Self::Plejehjem => "plejehjem",
            Self::Sygepleje => "sygepleje",
            Self::Genoptraening => "genoptraening",
            Self::Demens => "demens",
        }
    }

    fn id_prefix(self) -> &'static str {
        match self {
            Self::Hjemmepleje => "HP",
            Self::Plejehjem => "PC",
            Self::Sygepleje => "SP",
            Self::Genoptraening => "GT",
            Self::Demens => "DE",
        }
    }

    /// Professions and their shares among the unit's staff (besides its leader).
    fn professions(self) -> &'static [(&'static str, f64)] {
        match self {
            Self::Hjemmepleje => &[
                ("sosu_hjaelper", 0.45),
                ("sosu_assistent", 0.25),
                ("ufaglaert", 0.2),
                ("sygeplejerske", 0.04),
                ("terapeut", 0.02),
                ("andet", 0.04),
            ],
            Self::Plejehjem => &[
                ("sosu_assistent", 0.4),
                ("sosu_hjaelper", 0.3),
                ("ufaglaert", 0.15),
                ("sygeplejerske", 0.08),
                ("terapeut", 0.03),
                ("andet", 0.04),
            ],
            Self::Sygepleje => &[("sygeplejerske", 0.85), ("sosu_assistent", 0.15)],
            Self::Genoptraening => &[("terapeut", 0.9), ("andet", 0.1)],
            Self::Demens => &[("sygeplejerske", 0.45), ("sosu_assistent", 0.4), ("terapeut", 0.15)],
        }
    }
}

/// A plejeenhed and how it differs from the other units of its municipality.
#[derive(Debug, Clone)]
pub struct Unit {
    pub id: String,
    pub navn: String,
    pub kind: UnitKind,
    /// Teams of home care staff (1 for other units).
    pub teams: u8,
    /// Relative size: the chance a citizen is served by this unit.
    pub weight: f64,
    /// Multiplier on the interval between FSIII reassessments.
    pub reassess: f64,
    /// Chance a visit is made by one of the citizen's regular carers.
    pub continuity: f64,
    /// Multiplier on screen visits.
    pub screen: f64,
    /// Multiplier on hours to an action plan after triage.
    pub triage: f64,
    /// Multiplier on adverse-event reporting.
    pub uth: f64,
    /// Satisfaction offset on the 1–5 scale.
    pub satisfaction: f64,
}

/// An employment.
#[derive(Debug, Clone)]
pub struct Employee {
    pub id: String,
    pub unit: usize,
    pub faggruppe: &'static str,
    pub team: u8,
    /// First month employed (absolute month number: year × 12 + month − 1).
    pub from_month: i32,
    /// Last month employed, if the employment has ended.
    pub to_month: Option<i32>,
    /// Absence spells, first to last day, in time order.
    pub absences: Vec<(Day, Day)>,
}

impl Employee {
    /// Whether the employee is absent on `day`.
    pub fn absent(&self, day: Day) -> bool {
        let i = self.absences.partition_point(|(from, _)| *from <= day);
        i > 0 && self.absences[i - 1].1 >= day
    }
}

/// Staff who make visits for one unit in one simulated month.
#[derive(Debug, Clone, Default)]
pub struct MonthRoster {
    pub all: Vec<u32>,
    pub teams: Vec<Vec<u32>>,
}

/// A municipality with its units and staff.
pub struct Kommune {
    pub kode: String,
    pub navn: String,
    /// The code as a number, for random-stream paths.
    pub number: u64,
    /// Inhabitants on the first simulated day.
    pub citizens: u32,
    /// Children born during the simulated years.
    pub births: u32,
    pub effects: Effects,
    pub units: Vec<Unit>,
    pub hjemmepleje: Vec<usize>,
    pub plejehjem: Vec<usize>,
    pub sygepleje: Vec<usize>,
    pub genoptraening: Vec<usize>,
    pub staff: Vec<Employee>,
    /// Visiting staff by unit and simulated month.
    pub rosters: Vec<Vec<MonthRoster>>,
    /// Cumulative age weights (`0..=MAX_AGE`) for drawing ages.
    pub age_cdf: Vec<f64>,
}

/// Absolute month number of a day.
pub fn absolute_month(day: Day) -> i32 {
    use chrono::Datelike;
    let d = super::time::date(day);
    d.year() * 12 + d.month0() as i32
}

/// First day of an absolute month number.
pub fn month_first_day(month: i32) -> Day {
    super::time::day(month.div_euclid(12), month.rem_euclid(12) as u32 + 1, 1)
}

impl Kommune {
    /// Builds the municipality and writes its kommune-level rows.
    pub fn build(kommune: &CatalogKommune, citizens: u32, calendar: &Calendar, seed: u64, rows: &mut Rows) -> Self {
        let number: u64 = kommune.kode.parse().unwrap_or(0);
        let mut rng = Rng::stream(seed, Purpose::Municipality, &[number]);
        let effects = Effects::draw(&mut rng);
        let weights = demography::age_weights(effects.elderly);
        let total: f64 = weights.iter().sum();
        let age_cdf = weights
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w / total;
                Some(*acc)
            })
            .collect();
        let years = calendar.months() as f64 / 12.0;
        let births = (f64::from(citizens) * 0.0105 * years).round() as u32;
        let mut world = Self {
            kode: kommune.kode.clone(),
            navn: kommune.navn.clone(),
            number,
            citizens,
            births,
            effects,
            units: Vec::new(),
            hjemmepleje: Vec::new(),
            plejehjem: Vec::new(),
            sygepleje: Vec::new(),
            genoptraening: Vec::new(),
            staff: Vec::new(),
            rosters: Vec::new(),
            age_cdf,
        };
        world.add_units(&mut rng);
        world.add_staff(&mut rng, calendar);
        world.write_rows(&mut rng, calendar, rows);
        world
    }

    fn add_units(&mut self, rng: &mut Rng) {
        let n = f64::from(self.citizens);
        let count = |x: f64| (x.round() as usize).max(1);
        let plan = [
            (UnitKind::Hjemmepleje, count(n * 0.021 / 160.0)),
            (UnitKind::Plejehjem, count(n * 0.0065 / 45.0)),
            (UnitKind::Sygepleje, count(n / 30_000.0)),
            (UnitKind::Genoptraening, count(n / 150_000.0)),
            (UnitKind::Demens, count(n / 300_000.0)),
        ];
        let mut namer = UnitNamer::default();
        for (kind, units) in plan {
            for nth in 0..units {
                let navn = match kind {
                    UnitKind::Hjemmepleje => namer.hjemmepleje(rng, nth),
                    UnitKind::Plejehjem => namer.plejehjem(rng),
                    UnitKind::Sygepleje => namer.sygepleje(rng, nth),
                    UnitKind::Genoptraening => namer.genoptraening(rng, &self.navn, nth),
                    UnitKind::Demens => namer.demens(rng, &self.navn, nth),
                };
                let index = self.units.len();
                match kind {
                    UnitKind::Hjemmepleje => self.hjemmepleje.push(index),
                    UnitKind::Plejehjem => self.plejehjem.push(index),
                    UnitKind::Sygepleje => self.sygepleje.push(index),
                    UnitKind::Genoptraening => self.genoptraening.push(index),
                    UnitKind::Demens => {}
                }
                self.units.push(Unit {
                    id: format!("{}-{}{:02}", self.kode, kind.id_prefix(), nth + 1),
                    navn,
                    kind,
                    teams: 1,
                    weight: rng.lognormal(1.0, 0.3),
                    reassess: rng.lognormal(1.0, 0.15),
                    continuity: (0.7 + 0.08 * rng.normal()).clamp(0.45, 0.9),
                    screen: rng.lognormal(1.0, 0.2),
                    triage: rng.lognormal(1.0, 0.25),
                    uth: rng.lognormal(1.0, 0.3),
                    satisfaction: 0.2 * rng.normal(),
                });
            }
        }
    }

    /// The expected headcount of a unit.
    fn headcount(&self, unit: &Unit) -> usize {
        let n = f64::from(self.citizens);
        let share = |list: &[usize]| {
            let total: f64 = list.iter().map(|&u| self.units[u].weight).sum();
            unit.weight / total
        };
        let h = match unit.kind {
            UnitKind::Hjemmepleje => n * 0.021 * share(&self.hjemmepleje) * 0.42,
            UnitKind::Plejehjem => n * 0.0065 * share(&self.plejehjem) * 0.9,
            UnitKind::Sygepleje => n * 0.0012 * share(&self.sygepleje),
            UnitKind::Genoptraening => n * 0.0008 * share(&self.genoptraening),
            // The dementia team: coordinators, nurses and therapists.
            UnitKind::Demens => n * 0.0006,
        };
        (h.round() as usize).max(match unit.kind {
            UnitKind::Hjemmepleje | UnitKind::Plejehjem => 8,
            _ => 3,
        })
    }

    fn add_staff(&mut self, rng: &mut Rng, calendar: &Calendar) {
        let first = absolute_month(calendar.history_start);
        let last = first + calendar.months() as i32 - 1;
        let monthly_leave = demography::monthly(self.effects.turnover);
        for u in 0..self.units.len() {
            let heads = self.headcount(&self.units[u]);
            let teams = if self.units[u].kind == UnitKind::Hjemmepleje { (heads / 7).clamp(1, 26) } else { 1 };
            self.units[u].teams = teams as u8;
            let professions = self.units[u].kind.professions();
            let weights: Vec<f64> = professions.iter().map(|p| p.1).collect();
            // Positions: each is held by a sequence of employees over time.
            for position in 0..heads {
                let faggruppe = if position == 0 { "leder" } else { professions[rng.weighted(&weights)].0 };
                let team = if position == 0 { 0 } else { (position % teams) as u8 };
                let mut from = first - rng.exponential(70.0).min(360.0) as i32;
                loop {
                    // Leave with a higher hazard in the first year.
                    let mut month = from.max(first);
                    let mut to = None;
                    while month <= last {
                        let tenure = month - from;
                        let p = if tenure < 12 { monthly_leave * 1.6 } else { monthly_leave * 0.85 };
                        if rng.chance(if faggruppe == "leder" { p * 0.5 } else { p }) {
                            to = Some(month);
                            break;
                        }
                        month += 1;
                    }
                    let id = format!("M{}-{:05}", self.kode, self.staff.len() + 1);
                    self.staff.push(Employee {
                        id,
                        unit: u,
                        faggruppe,
                        team,
                        from_month: from,
                        to_month: to,
                        absences: Vec::new(),
                    });
                    match to {
                        Some(left) if left < last => from = left + 1 + i32::from(rng.chance(0.3)),
                        _ => break,
                    }
                    if from > last {
                        break;
                    }
                }
            }
        }
        for e in 0..self.staff.len() {
            let absences = self.absences(rng, &self.staff[e], calendar);
            self.staff[e].absences = absences;
        }
        self.rosters = (0..self.units.len())
            .map(|u| {
                vec![
                    MonthRoster { all: Vec::new(), teams: vec![Vec::new(); usize::from(self.units[u].teams)] };
                    calendar.months()
                ]
            })
            .collect();
        for (i, e) in self.staff.iter().enumerate() {
            if e.faggruppe == "leder" {
                continue;
            }
            let to = e.to_month.unwrap_or(last);
            for month in e.from_month.max(first)..=to.min(last) {
                let roster = &mut self.rosters[e.unit][(month - first) as usize];
                roster.all.push(i as u32);
                roster.teams[usize::from(e.team)].push(i as u32);
            }
        }
    }

    /// Absence spells of one employee: short and long sickness, a sick child,
    /// other reasons; never overlapping, within the employment.
    fn absences(&self, rng: &mut Rng, e: &Employee, calendar: &Calendar) -> Vec<(Day, Day)> {
        let first = absolute_month(calendar.history_start);
        let last = first + calendar.months() as i32 - 1;
        let end_day = e.to_month.map_or(calendar.end, |m| month_first_day(m + 1) - 1).min(calendar.end);
        let a = self.effects.absence;
        let mut spells = Vec::new();
        let mut free_from = Day::MIN;
        for month in e.from_month.max(first)..=e.to_month.unwrap_or(last).min(last) {
            let month_start = month_first_day(month);
            let length = month_first_day(month + 1) - month_start;
            let kinds = [(0.35 * a, 0.0), (0.012 * a, 1.0), (0.05, 2.0), (0.02, 3.0)];
            for (p, kind) in kinds {
                if !rng.chance(p) {
                    continue;
                }
                let from = month_start + rng.below(length as u32) as Day;
                let days = match kind as u8 {
                    0 => 1 + rng.weighted(&[0.5, 0.3, 0.2]) as Day,
                    1 => rng.between(14, 70),
                    2 => 1,
                    _ => rng.between(1, 5),
                };
                if from <= free_from || from > end_day {
                    continue;
                }
                let to = (from + days - 1).min(end_day);
                spells.push((from, to));
                free_from = to + 1;
            }
        }
        spells
    }

    fn write_rows(&self, rng: &mut Rng, calendar: &Calendar, rows: &mut Rows) {
        for unit in &self.units {
            rows.plejeenheder.push(&unit.id, &unit.navn, &self.kode, unit.kind.code());
        }
        for e in &self.staff {
            let unit = &self.units[e.unit];
            let special = match (e.faggruppe, unit.kind) {
                ("sygeplejerske", _) if rng.chance(0.22) => Some("borgernær sygepleje"),
                ("terapeut", UnitKind::Genoptraening) if rng.chance(0.25) => {
                    Some(if rng.chance(0.6) { "rehabilitering" } else { "neurorehabilitering" })
                }
                ("sygeplejerske" | "sosu_assistent" | "terapeut", _) if rng.chance(0.12) => {
                    Some(*rng.pick(&names::SPECIAL_TRAINING))
                }
                _ => None,
            };
            let from = month_first_day(e.from_month);
            let to = e.to_month.map(|m| month_first_day(m + 1) - 1);
            rows.medarbejdere.push(&e.id, &unit.id, e.faggruppe, special, from, to);
            for &(a, b) in &e.absences {
                let length = b - a + 1;
                let aarsag = match length {
                    1 if rng.chance(0.25) => "barn_syg",
                    2..=5 if rng.chance(0.1) => "andet",
                    _ => "sygdom",
                };
                rows.fravaer.push(&e.id, a, b, aarsag);
            }
            // Courses: about 0.7 a year, on days of employment.
            let start = from.max(calendar.history_start);
            let stop = to.unwrap_or(calendar.end).min(calendar.end);
            if stop > start {
                let n = rng.poisson(0.7 * f64::from(stop - start) / 365.25);
                let mut taken: Vec<(&str, Day)> = Vec::new();
                for _ in 0..n {
                    let course = *rng.pick(&names::COURSES);
                    let day = start + rng.below((stop - start) as u32) as Day;
                    if !taken.contains(&(course, day)) {
                        taken.push((course, day));
                        rows.kurser.push(&e.id, course, day);
                    }
                }
                // Courses of the unit's own field, at their yearly rates.
                for &(course, rate) in names::unit_courses(unit.kind) {
                    for _ in 0..rng.poisson(rate * f64::from(stop - start) / 365.25) {
                        let day = start + rng.below((stop - start) as u32) as Day;
                        if !taken.contains(&(course, day)) {
                            taken.push((course, day));
                            rows.kurser.push(&e.id, course, day);
                        }
                    }
                }
                // New staff in care for older citizens: an introduction to
                // welfare technology in the first year and, for most, ABC
                // demens within three months.
                if from >= calendar.history_start && unit.kind != UnitKind::Genoptraening {
                    for (course, p, within) in
                        [("velfærdsteknologi og demensvenlig indretning", 0.5, 365), ("ABC demens", 0.6, 90)]
                    {
                        let day = from + rng.between(0, within);
                        if rng.chance(p) && day <= stop && !taken.contains(&(course, day)) {
                            taken.push((course, day));
                            rows.kurser.push(&e.id, course, day);
                        }
                    }
                }
            }
        }
        // Adverse events reported on the unit, without a citizen.
        for (u, unit) in self.units.iter().enumerate() {
            for m in 0..calendar.months() {
                let n = rng.poisson(self.effects.uth * unit.uth);
                for k in 0..n {
                    let start = calendar.month_start(m);
                    let day = start + rng.below((calendar.month_start(m + 1) - start) as u32) as Day;
                    let id = format!("U{}-E{}-{}-{}", self.kode, u + 1, m, k);
                    let (kind, severity, learning) = adverse_event(rng, unit.kind == UnitKind::Plejehjem);
                    rows.uth.push(&id, day, &unit.id, None, kind, severity, learning);
                }
            }
        }
    }

    /// A home care group, nursing home, nursing group and rehabilitation
    /// centre for a new citizen, drawn by unit size.
    pub fn assign_units(&self, rng: &mut Rng) -> [usize; 4] {
        let mut pick = |list: &[usize]| {
            let weights: Vec<f64> = list.iter().map(|&u| self.units[u].weight).collect();
            list[rng.weighted(&weights)]
        };
        [pick(&self.hjemmepleje), pick(&self.plejehjem), pick(&self.sygepleje), pick(&self.genoptraening)]
    }

    /// An employee of `unit` who is at work on `day` (simulated month
    /// `month`): one of the `preferred` employees with the given
    /// probability, else someone of the team with probability 0.75, else
    /// anyone in the unit.
    pub fn carer(
        &self,
        rng: &mut Rng,
        unit: usize,
        team: u8,
        month: usize,
        day: Day,
        preferred: (&[u32], f64),
    ) -> Option<u32> {
        let (preferred, p_preferred) = preferred;
        let roster = &self.rosters[unit][month];
        if roster.all.is_empty() {
            return None;
        }
        let team_list = &roster.teams[usize::from(team) % roster.teams.len()];
        for attempt in 0..4 {
            let candidate = if attempt == 0 && !preferred.is_empty() && rng.chance(p_preferred) {
                *rng.pick(preferred)
            } else if attempt < 2 && !team_list.is_empty() && rng.chance(0.75) {
                *rng.pick(team_list)
            } else {
                *rng.pick(&roster.all)
            };
            if !self.staff[candidate as usize].absent(day) {
                return Some(candidate);
            }
        }
        Some(*rng.pick(&roster.all))
    }

    /// `n` regular carers for a citizen of `unit`'s `team` in `month`,
    /// keeping those of `current` who are still employed.
    pub fn regular_carers(&self, rng: &mut Rng, unit: usize, team: u8, month: usize, current: &mut Vec<u32>, n: usize) {
        let roster = &self.rosters[unit][month];
        current.retain(|c| roster.all.contains(c));
        let team_list = &roster.teams[usize::from(team) % roster.teams.len()];
        let pool = if team_list.len() >= n { team_list } else { &roster.all };
        let mut tries = 0;
        while current.len() < n.min(pool.len()) && tries < 20 {
            let c = *rng.pick(pool);
            if !current.contains(&c) {
                current.push(c);
            }
            tries += 1;
        }
    }
}

/// The type, severity and learning flag of an adverse event.
pub fn adverse_event(rng: &mut Rng, nursing_home: bool) -> (&'static str, &'static str, bool) {
    const TYPES: [&str; 6] = ["medicinering", "fald", "tryksaar", "infektion", "kommunikation", "andet"];
    let weights: [f64; 6] =
        if nursing_home { [0.38, 0.38, 0.06, 0.06, 0.07, 0.05] } else { [0.45, 0.28, 0.04, 0.04, 0.12, 0.07] };
    const SEVERITY: [&str; 5] = ["ingen", "mild", "moderat", "alvorlig", "doedelig"];
    let severity = rng.weighted(&[0.38, 0.36, 0.19, 0.065, 0.005]);
    let learning = rng.chance(if severity >= 2 { 0.55 } else { 0.12 });
    (TYPES[rng.weighted(&weights)], SEVERITY[severity], learning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipality_has_units_and_staff_at_work() {
        let calendar = Calendar::new(2024, 1);
        let catalog = crate::catalog::Kommuner::standard();
        let mut rows = Rows::default();
        let k = Kommune::build(catalog.find("Odder").unwrap(), 24_000, &calendar, 1, &mut rows);
        assert!(k.hjemmepleje.len() >= 2 && !k.plejehjem.is_empty());
        let heights: std::collections::BTreeMap<&str, usize> =
            rows.into_frames().into_iter().map(|(name, frame)| (name, frame.height())).collect();
        assert_eq!(heights["plejeenheder"], k.units.len());
        let unit = k.hjemmepleje[0];
        let mut rng = Rng::stream(1, Purpose::Visits, &[]);
        let day = calendar.month_start(14) + 3;
        let carer = k.carer(&mut rng, unit, 0, 14, day, (&[], 0.0)).unwrap();
        assert_eq!(k.staff[carer as usize].unit, unit);
        assert!(heights["fravaer"] > 0 && heights["kurser"] > 0 && heights["medarbejdere"] > 0);
    }

    #[test]
    fn absence_lookup() {
        let e = Employee {
            id: "M1".into(),
            unit: 0,
            faggruppe: "ufaglaert",
            team: 0,
            from_month: 0,
            to_month: None,
            absences: vec![(10, 12), (20, 20)],
        };
        assert!(!e.absent(9) && e.absent(10) && e.absent(12) && !e.absent(13) && e.absent(20) && !e.absent(21));
    }
}
