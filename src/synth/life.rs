//! One citizen's life over the simulated window, a month at a time: death,
//! dementia diagnosis, moving into and out of home care and into a nursing
//! home, a latent need level that drifts, hospital admissions with their
//! consequences (readmission, rehabilitation, temporary stays, new nursing
//! conditions), nursing conditions with durations, and antipsychotic
//! treatment of citizens with dementia.
//!
//! The result ([`Life`]) holds no table rows; [`super::rows`] turns it into
//! them.

use super::demography::{self, monthly};
use super::kommune::Kommune;
use super::names::{NURSING, TRYKSAAR};
use super::random::Rng;
use super::time::{Calendar, Day, MICROS_PER_DAY, MICROS_PER_HOUR};

/// A citizen: who they are and which units would serve them.
pub struct Person {
    pub index: u32,
    pub id: String,
    pub birth: Day,
    pub female: bool,
    /// Individual frailty: a multiplier on death, admissions and care needs.
    pub frailty: f64,
    pub hjemmepleje: usize,
    pub team: u8,
    pub plejehjem: usize,
    pub sygepleje: usize,
    pub genoptraening: usize,
}

impl Person {
    /// Citizen number `index` of the municipality: the first
    /// `kommune.citizens` live there on the first simulated day, the rest are
    /// born during the window.
    pub fn new(kommune: &Kommune, index: u32, calendar: &Calendar, rng: &mut Rng) -> Self {
        let window = calendar.end + 1 - calendar.history_start;
        let (birth, age) = if index < kommune.citizens {
            let u = rng.uniform();
            let age = kommune.age_cdf.partition_point(|c| *c < u).min(kommune.age_cdf.len() - 1) as i32;
            let days_before = f64::from(age) * 365.25 + rng.uniform() * 365.0;
            (calendar.history_start - days_before as Day - 1, age)
        } else {
            (calendar.history_start + rng.below(window as u32) as Day, 0)
        };
        let female = rng.chance(demography::female_share(age));
        let [hjemmepleje, plejehjem, sygepleje, genoptraening] = kommune.assign_units(rng);
        let team = rng.below(u32::from(kommune.units[hjemmepleje].teams)) as u8;
        Self {
            index,
            id: format!("B{}-{:07}", kommune.kode, index + 1),
            birth,
            female,
            frailty: rng.lognormal(1.0, 0.3),
            hjemmepleje,
            team,
            plejehjem,
            sygepleje,
            genoptraening,
        }
    }

    /// Approximate whole years of age on `day` (for hazards).
    pub fn age(&self, day: Day) -> i32 {
        ((day - self.birth) as f64 / 365.2425) as i32
    }
}

/// A period of care: home care in the citizen's own home, or living in a
/// nursing home. Ends are exclusive; `None` means still going when the data
/// were extracted.
#[derive(Debug, Clone)]
pub struct Spell {
    pub nursing_home: bool,
    pub start: Day,
    pub end: Option<Day>,
    /// Everyday rehabilitation (SEL § 83a) until this day.
    pub reablement_until: Option<Day>,
    /// Personal care from this day.
    pub personal_from: Option<Day>,
    pub practical: bool,
    pub meals: bool,
    /// Medication administered by the nurses (SUL § 138).
    pub medication: bool,
    /// Maintenance training (SEL § 86) in these days.
    pub training: Option<(Day, Day)>,
    /// Granted under Ældreloven.
    pub aeldrelov: bool,
}

/// A hospital admission.
#[derive(Debug, Clone)]
pub struct Admission {
    /// Microseconds since 1970.
    pub admitted: i64,
    pub discharged: Option<i64>,
    pub acute: bool,
    pub preventable: bool,
    pub readmission: bool,
    pub bed_days: i32,
}

/// Rehabilitation after discharge (SUL § 140).
#[derive(Debug, Clone)]
pub struct Rehab {
    pub discharged: Day,
    pub referred: Day,
    pub start: Option<Day>,
    pub end: Option<Day>,
    pub specialised: bool,
}

/// A nursing condition; `kind` indexes [`NURSING`].
#[derive(Debug, Clone)]
pub struct Nursing {
    pub kind: usize,
    pub start: Day,
    pub end: Option<Day>,
}

/// Everything that happened to one citizen.
#[derive(Debug, Clone, Default)]
pub struct Life {
    pub death: Option<Day>,
    pub dementia: Option<Day>,
    pub spells: Vec<Spell>,
    /// Need level (0–4) at the start of every simulated month.
    pub levels: Vec<f32>,
    pub admissions: Vec<Admission>,
    pub rehab: Vec<Rehab>,
    /// Temporary stays (SEL § 84) in a nursing home: first day, day after.
    pub temporary: Vec<(Day, Day)>,
    pub nursing: Vec<Nursing>,
    /// Antipsychotic treatment: first day, day after (None: ongoing).
    pub antipsychotics: Vec<(Day, Option<Day>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Independent,
    HomeCare,
    NursingHome,
}

/// Seasonal factor on admissions: highest in January, lowest in July.
fn season(month_number: u32) -> f64 {
    1.0 + 0.18 * (std::f64::consts::TAU * (f64::from(month_number) - 1.0) / 12.0).cos()
}

struct Sim<'a> {
    person: &'a Person,
    kommune: &'a Kommune,
    calendar: &'a Calendar,
    life: Life,
    state: State,
    level: f64,
    /// No new admission before this time.
    busy_until: i64,
    on_antipsychotic: bool,
    /// The day the current home care spell ends after successful everyday
    /// rehabilitation, if it will.
    ending: Option<Day>,
}

/// Simulates one citizen's life.
pub fn simulate(person: &Person, kommune: &Kommune, calendar: &Calendar, rng: &mut Rng) -> Life {
    let mut sim = Sim {
        person,
        kommune,
        calendar,
        life: Life { levels: vec![0.0; calendar.months()], ..Life::default() },
        state: State::Independent,
        level: 0.0,
        busy_until: i64::MIN,
        on_antipsychotic: false,
        ending: None,
    };
    if person.birth < calendar.history_start {
        sim.initial(rng);
    }
    for m in 0..calendar.months() {
        let next = calendar.month_start(m + 1);
        if person.birth >= next {
            continue;
        }
        sim.month(m, rng);
        if sim.life.death.is_some() {
            break;
        }
    }
    sim.finish();
    sim.life
}

impl Sim<'_> {
    fn effects(&self) -> &super::kommune::Effects {
        &self.kommune.effects
    }

    fn dementia_on(&self, day: Day) -> bool {
        self.life.dementia.is_some_and(|d| d <= day)
    }

    /// The state on the first simulated day: prevalent dementia, nursing
    /// home or home care, started some time before.
    fn initial(&mut self, rng: &mut Rng) {
        let day0 = self.calendar.history_start;
        let age = self.person.age(day0);
        let earliest = |years: i32| self.person.birth + (f64::from(years) * 365.25) as Day;
        if rng.chance(demography::dementia_prevalence(age)) {
            let back = (rng.exponential(3.0 * 365.0) as Day).min(day0 - earliest(55));
            self.life.dementia = Some(day0 - back.max(1));
        }
        let dementia = self.life.dementia.is_some();
        let p_nh = demography::nursing_home_prevalence(age) * if dementia { 6.0 } else { 0.75 } / 1.3;
        let p_hc = demography::home_care_prevalence(age)
            * if dementia { 2.0 } else { 0.93 }
            * self.effects().home_care
            * self.person.frailty.sqrt();
        if rng.chance(p_nh) {
            self.level = (2.6 + if dementia { 0.4 } else { 0.0 } + 0.6 * rng.normal()).clamp(0.5, 4.0);
            let back = (rng.exponential(1.6 * 365.0) as Day).min(day0 - earliest(50)).max(1);
            self.open_spell(day0 - back, true, rng);
        } else if rng.chance(p_hc) {
            let base = 1.3 + 0.025 * f64::from(age - 80) + if dementia { 0.5 } else { 0.0 };
            self.level = (base + 0.65 * rng.normal()).clamp(0.1, 3.8);
            let back = (rng.exponential(2.2 * 365.0) as Day).min(day0 - earliest(18)).max(1);
            self.open_spell(day0 - back, false, rng);
            // Prevalent spells are past their reablement.
            if let Some(spell) = self.life.spells.last_mut() {
                spell.reablement_until = None;
            }
            self.ending = None;
        } else {
            self.level = (0.01 * f64::from((age - 65).max(0)) + 0.2 * rng.normal().abs()).min(1.0);
        }
        if self.life.dementia.is_some() {
            self.on_antipsychotic = rng.chance(self.antipsychotic_share(day0));
            if self.on_antipsychotic {
                let back = rng.exponential(400.0) as Day + 1;
                self.life.antipsychotics.push((day0 - back, None));
            }
        }
    }

    /// Monthly chance of starting antipsychotics for a citizen with dementia.
    fn antipsychotic_start(&self, day: Day) -> f64 {
        let trend = (1.0 - 0.05 * self.calendar.trend_years(day)).max(0.5);
        let nh = if self.state == State::NursingHome { 1.5 } else { 1.0 };
        0.024 * self.effects().antipsychotics * nh * trend
    }

    fn antipsychotic_share(&self, day: Day) -> f64 {
        let s = self.antipsychotic_start(day);
        s / (s + ANTIPSYCHOTIC_STOP)
    }

    /// Opens a care spell on `day`.
    fn open_spell(&mut self, day: Day, nursing_home: bool, rng: &mut Rng) {
        if let Some(open) = self.life.spells.last_mut().filter(|s| s.end.is_none()) {
            open.end = Some(day);
        }
        let age = self.person.age(day);
        // New grants move to Ældreloven from 1 July 2025 where a municipality has done so.
        let aeldrelov = self.effects().helhedspleje && day >= super::time::day(2025, 7, 1) && age >= 67;
        let spell = if nursing_home {
            Spell {
                nursing_home,
                start: day,
                end: None,
                reablement_until: None,
                personal_from: Some(day),
                practical: true,
                meals: false,
                medication: rng.chance(0.95),
                training: None,
                aeldrelov,
            }
        } else {
            let reablement = rng.chance(0.55);
            let reablement_until = reablement.then(|| day + rng.between(56, 84));
            // A third of reablement courses end the need for help.
            self.ending = reablement_until.filter(|_| rng.chance(0.35));
            let training = rng.chance(0.08).then(|| {
                let from = day + rng.between(30, 90);
                (from, from + rng.between(42, 70))
            });
            Spell {
                nursing_home,
                start: day,
                end: None,
                reablement_until,
                personal_from: (self.level >= 1.0).then_some(day),
                practical: rng.chance(0.85),
                meals: rng.chance(0.2),
                medication: rng.chance((0.3 + 0.12 * self.level).min(0.9)),
                training,
                aeldrelov,
            }
        };
        if nursing_home {
            self.ending = None;
            // Dementia is often diagnosed after the move.
            if self.life.dementia.is_none() && age >= 65 && rng.chance(0.15) {
                self.life.dementia = Some(day + rng.between(14, 120));
            }
        }
        self.life.spells.push(spell);
        self.state = if nursing_home { State::NursingHome } else { State::HomeCare };
    }

    fn close_spell(&mut self, day: Day) {
        if let Some(open) = self.life.spells.last_mut().filter(|s| s.end.is_none()) {
            open.end = Some(day.max(open.start + 1));
        }
        self.state = State::Independent;
        self.ending = None;
    }

    fn month(&mut self, m: usize, rng: &mut Rng) {
        let first = self.calendar.month_start(m);
        let next = self.calendar.month_start(m + 1);
        let from = first.max(self.person.birth);
        let age = self.person.age(first);
        let dementia = self.dementia_on(first);
        self.life.levels[m] = self.level as f32;
        let random_day = |rng: &mut Rng, a: Day, b: Day| if b > a { a + rng.below((b - a) as u32) as Day } else { a };

        // Death.
        let multiplier = match self.state {
            State::Independent => 0.7,
            State::HomeCare => 1.5 + 0.25 * self.level,
            State::NursingHome => 2.6,
        } * if dementia { 1.3 } else { 1.0 }
            * self.person.frailty;
        if rng.chance(monthly((demography::death_rate(age) * multiplier).min(0.6))) {
            self.life.death = Some(random_day(rng, from, next));
        }
        let limit = self.life.death.unwrap_or(next);

        // A reablement course that ends the need for help.
        if let Some(day) = self.ending.filter(|d| *d < limit && *d >= from) {
            self.close_spell(day);
            self.level = (self.level - 0.4).max(0.0);
        }

        // Dementia diagnosis.
        if self.life.dementia.is_none() && age >= 60 {
            let state = match self.state {
                State::Independent => 0.85,
                State::HomeCare => 2.0,
                State::NursingHome => 5.0,
            };
            if rng.chance(monthly(demography::dementia_incidence(age) * state)) {
                self.life.dementia = Some(random_day(rng, from, limit));
            }
        }

        // Moving into home care, a nursing home, or out of care.
        let prevalence = demography::home_care_prevalence(age);
        match self.state {
            State::Independent if age >= 18 => {
                // Keeps the prevalence steady: leaving home care (ended, nursing
                // home, death) balanced by new grants here and after discharges
                // (a fifth of which end quickly after everyday rehabilitation).
                let leaving = 0.05 + 1.9 * demography::death_rate(age) + if age >= 60 { 0.07 } else { 0.0 };
                let incidence = prevalence * leaving * 0.9 / (1.0 - prevalence)
                    * if dementia { 2.0 } else { 1.0 }
                    * self.effects().home_care
                    * self.person.frailty;
                if rng.chance(monthly(incidence)) {
                    self.level = self.level.max(0.9 + 0.03 * f64::from(age - 80) + 0.6 * rng.normal()).clamp(0.2, 3.0);
                    self.open_spell(random_day(rng, from, limit), false, rng);
                } else if age >= 75 && rng.chance(monthly(0.002 * if dementia { 5.0 } else { 1.0 })) {
                    self.level = self.level.max(2.2);
                    self.open_spell(random_day(rng, from, limit), true, rng);
                }
            }
            State::HomeCare => {
                let p_nh =
                    0.003 * (1.0 + 0.6 * self.level) * if dementia { 5.0 } else { 1.0 } * self.person.frailty.sqrt();
                if age >= 60 && rng.chance(p_nh) {
                    let day = random_day(rng, from, limit).max(self.life.spells.last().map_or(from, |s| s.start + 1));
                    if day < limit {
                        self.open_spell(day, true, rng);
                    }
                } else if self.ending.is_none() && rng.chance(if self.level < 1.2 { 0.012 } else { 0.004 }) {
                    let day = random_day(rng, from, limit).max(self.life.spells.last().map_or(from, |s| s.start + 1));
                    if day < limit {
                        self.close_spell(day);
                    }
                }
            }
            _ => {}
        }

        // Hospital admissions.
        let rate = match self.state {
            State::Independent if age < 18 => 0.04,
            State::Independent => 0.03 + 0.0055 * f64::from((age - 50).max(0)),
            State::HomeCare => 0.55 + 0.15 * self.level,
            State::NursingHome => 0.5,
        } * self.effects().admissions
            * self.person.frailty
            * season(self.calendar.month_number(m))
            * if dementia { 1.2 } else { 1.0 };
        let n = rng.poisson(rate / 12.0);
        let mut days: Vec<Day> = (0..n).map(|_| random_day(rng, from, limit)).collect();
        days.sort_unstable();
        for day in days {
            self.admit(day, false, rng);
        }

        // Nursing conditions.
        let rate = match self.state {
            State::Independent if age < 65 => 0.003,
            State::Independent => 0.02 + 0.002 * f64::from(age - 65),
            State::HomeCare => 0.35 + 0.1 * self.level,
            State::NursingHome => 0.45,
        };
        if rng.chance(monthly(rate)) {
            let day = random_day(rng, from, limit);
            self.nursing_condition(day, rng);
        }

        // Antipsychotics for citizens with dementia.
        if self.dementia_on(limit - 1) {
            let day = random_day(rng, from, limit);
            if self.on_antipsychotic {
                if rng.chance(ANTIPSYCHOTIC_STOP) {
                    if let Some(last) = self.life.antipsychotics.last_mut() {
                        last.1 = Some(day.max(last.0 + 1));
                    }
                    self.on_antipsychotic = false;
                }
            } else if rng.chance(self.antipsychotic_start(day)) {
                self.life.antipsychotics.push((day, None));
                self.on_antipsychotic = true;
            }
        }

        // The need level drifts: slowly for the independent, faster in care.
        let (drift, spread) = match self.state {
            State::Independent if age >= 65 => (0.006, 0.02),
            State::Independent => (0.0, 0.0),
            State::HomeCare => (0.03, 0.06),
            State::NursingHome => (0.025, 0.05),
        };
        self.level = (self.level + drift + spread * rng.normal()).clamp(0.0, 4.0);
        if self.state == State::HomeCare
            && self.level >= 1.0
            && let Some(spell) = self.life.spells.last_mut().filter(|s| s.personal_from.is_none())
        {
            spell.personal_from = Some(random_day(rng, from, limit).max(spell.start));
        }
    }

    /// A hospital admission on `day` and what follows it.
    fn admit(&mut self, day: Day, readmission: bool, rng: &mut Rng) {
        let age = self.person.age(day);
        let elderly = age >= 65;
        let acute = readmission
            || rng.chance(if !elderly {
                0.6
            } else if self.state == State::Independent {
                0.78
            } else {
                0.88
            });
        let hour = if acute {
            [6, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 1][rng.below(15) as usize]
        } else {
            rng.between(8, 11) as i64
        };
        let admitted = i64::from(day) * MICROS_PER_DAY + hour * MICROS_PER_HOUR + i64::from(rng.below(60)) * 60_000_000;
        if admitted <= self.busy_until || self.life.death.is_some_and(|d| d < day) {
            return;
        }
        let preventable = acute
            && rng.chance(
                if elderly {
                    match self.state {
                        State::Independent => 0.24,
                        State::HomeCare => 0.30,
                        State::NursingHome => 0.32,
                    }
                } else {
                    0.05
                } * self.effects().preventable,
            );
        let median_hours = if elderly { 50.0 + 1.5 * f64::from(age - 65) } else { 30.0 };
        let stay = (rng.lognormal(median_hours, 0.9) * 60.0).round() as i64 * 60_000_000;
        let p_bed_days = if elderly {
            0.10 * self.effects().bed_days * if self.state == State::Independent { 1.0 } else { 1.5 }
        } else {
            0.0
        };
        let mut bed_days = if rng.chance(p_bed_days.min(0.9)) { 1 + rng.exponential(1.5) as i32 } else { 0 };
        let mut discharged = admitted + stay.max(2 * MICROS_PER_HOUR) + i64::from(bed_days) * MICROS_PER_DAY;
        let extracted = i64::from(self.calendar.end + 1) * MICROS_PER_DAY;
        let mut died = false;
        if let Some(death) = self.life.death {
            let death_time = i64::from(death) * MICROS_PER_DAY + 12 * MICROS_PER_HOUR;
            if discharged >= death_time {
                discharged = death_time.max(admitted + MICROS_PER_HOUR);
                bed_days = 0;
                died = true;
            }
        }
        let still_admitted = discharged >= extracted;
        self.life.admissions.push(Admission {
            admitted,
            discharged: (!still_admitted).then_some(discharged),
            acute,
            preventable,
            readmission,
            bed_days: if still_admitted { 0 } else { bed_days },
        });
        self.busy_until = discharged;
        if died || still_admitted {
            return;
        }
        self.after_discharge(discharged, rng);
    }

    /// What may follow a discharge: readmission, rehabilitation, a nursing
    /// condition, a temporary stay, home care, a worse need level.
    fn after_discharge(&mut self, discharged: i64, rng: &mut Rng) {
        let day = (discharged / MICROS_PER_DAY) as Day;
        let age = self.person.age(day);
        let elderly = age >= 65;
        let alive_on = |d: Day, life: &Life| life.death.is_none_or(|death| d < death);
        let p_readmission = match self.state {
            State::Independent => 0.07,
            State::HomeCare => 0.14,
            State::NursingHome => 0.12,
        };
        if rng.chance(p_readmission) {
            let again = day + 1 + (rng.exponential(9.0) as Day).min(28);
            if alive_on(again, &self.life) && again <= self.calendar.end {
                self.admit(again, true, rng);
            }
        }
        let p_rehab = if !elderly {
            0.05
        } else {
            match self.state {
                State::Independent => 0.18,
                State::HomeCare => 0.3,
                State::NursingHome => 0.05,
            }
        };
        if age >= 18 && rng.chance(p_rehab) {
            let referred = day + if rng.chance(0.85) { 0 } else { rng.between(1, 3) };
            let trend = (1.0 - 0.06 * self.calendar.trend_years(day)).max(0.6);
            let delay = rng.lognormal(self.effects().rehab_delay * trend, 0.45).round().max(1.0) as Day;
            let start = (!rng.chance(0.04))
                .then_some((day + delay).max(referred))
                .filter(|s| *s <= self.calendar.end && alive_on(*s, &self.life));
            let end =
                start.map(|s| s + rng.between(21, 84)).filter(|e| *e <= self.calendar.end && alive_on(*e, &self.life));
            if referred <= self.calendar.end {
                self.life.rehab.push(Rehab { discharged: day, referred, start, end, specialised: rng.chance(0.1) });
            }
        }
        if elderly && rng.chance(if self.state == State::Independent { 0.2 } else { 0.3 }) {
            self.nursing_condition(day, rng);
        }
        let p_temporary = match self.state {
            State::Independent if age >= 75 => 0.04,
            State::HomeCare => 0.08,
            _ => 0.0,
        };
        if rng.chance(p_temporary) {
            self.life.temporary.push((day, day + rng.between(7, 42)));
        }
        if self.state == State::Independent && elderly && rng.chance(0.08) {
            self.level = self.level.max(1.0 + 0.4 * rng.normal().abs());
            self.open_spell(day, false, rng);
        }
        if rng.chance(0.5) {
            self.level = (self.level + 0.1 + 0.3 * rng.uniform()).min(4.0);
        }
    }

    fn nursing_condition(&mut self, day: Day, rng: &mut Rng) {
        let mut weights: Vec<f64> = NURSING.iter().map(|n| n.weight).collect();
        if self.level > 2.5 {
            weights[TRYKSAAR] *= 2.5;
        }
        let kind = rng.weighted(&weights);
        let duration = rng.lognormal(NURSING[kind].median_days, 0.75).round().max(3.0) as Day;
        self.life.nursing.push(Nursing { kind, start: day, end: Some(day + duration) });
    }

    /// Cuts everything at death and at the extraction day: an end after
    /// the extraction day is not known yet (`None`); at death everything ends.
    fn finish(&mut self) {
        let extracted = self.calendar.end + 1;
        let death = self.life.death;
        self.life.dementia = self.life.dementia.filter(|d| *d < extracted && death.is_none_or(|death| *d <= death));
        let stop = death.map_or(extracted, |d| d + 1);
        let cut = |end: Option<Day>| -> Option<Day> {
            match death {
                Some(_) => Some(end.map_or(stop, |e| e.min(stop))),
                None => end.filter(|e| *e <= extracted),
            }
        };
        self.life.spells.retain(|s| s.start < stop);
        for spell in &mut self.life.spells {
            spell.end = cut(spell.end).map(|e| e.max(spell.start + 1));
        }
        self.life.nursing.retain(|n| n.start < stop);
        for n in &mut self.life.nursing {
            n.end = cut(n.end).map(|e| e.max(n.start + 1));
        }
        self.life.temporary.retain(|t| t.0 < stop);
        for t in &mut self.life.temporary {
            t.1 = t.1.min(stop);
        }
        self.life.antipsychotics.retain(|a| a.0 < stop);
        for a in &mut self.life.antipsychotics {
            a.1 = cut(a.1).map(|e| e.max(a.0 + 1));
        }
        if let Some(death) = death {
            let last = i64::from(death) * MICROS_PER_DAY + 12 * MICROS_PER_HOUR;
            self.life.admissions.retain(|a| a.admitted < last);
            for a in &mut self.life.admissions {
                if a.discharged.is_none_or(|d| d > last) {
                    a.discharged = Some(last);
                    a.bed_days = 0;
                }
            }
            for r in &mut self.life.rehab {
                r.start = r.start.filter(|s| *s < death);
                r.end = r.end.filter(|e| *e < death).or(r.start.map(|_| death));
            }
            self.life.rehab.retain(|r| r.referred <= death);
        }
    }
}

/// Monthly chance of stopping antipsychotics.
const ANTIPSYCHOTIC_STOP: f64 = 0.07;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::tables::Rows;

    #[test]
    fn older_citizens_use_more_care() {
        let calendar = Calendar::new(2024, 1);
        let catalog = crate::catalog::Kommuner::standard();
        let kommune = Kommune::build(catalog.find("Odder").unwrap(), 5_000, &calendar, 3, &mut Rows::default());
        let (mut old, mut old_care, mut young, mut young_care) = (0, 0, 0, 0);
        for i in 0..5_000 {
            let mut rng = Rng::stream(3, super::super::random::Purpose::Life, &[i]);
            let person = Person::new(&kommune, i as u32, &calendar, &mut rng);
            let life = simulate(&person, &kommune, &calendar, &mut rng);
            let in_care = !life.spells.is_empty();
            if person.age(calendar.start) >= 80 {
                old += 1;
                old_care += usize::from(in_care);
            } else if person.age(calendar.start) < 65 {
                young += 1;
                young_care += usize::from(in_care);
            }
            for s in &life.spells {
                assert!(s.end.is_none_or(|e| e > s.start));
            }
        }
        assert!(old_care as f64 / old as f64 > 0.2, "{old_care}/{old}");
        assert!((young_care as f64 / young as f64) < 0.03, "{young_care}/{young}");
    }
}
