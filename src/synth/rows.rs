//! From a simulated [`Life`] to table rows: one function per table (or
//! pair of tables), each with its own random stream so that changing how
//! one table is generated leaves the others as they were.

use super::kommune::{Kommune, adverse_event};
use super::life::{Life, Person, Spell};
use super::names::{self, ANTIPSYCHOTICS, COMMON_DRUGS, DEMENTIA_DRUGS, FUNKTIONSEVNE, NURSING};
use super::random::{Purpose, Rng};
use super::tables::Rows;
use super::time::{Calendar, Day, MICROS_PER_DAY, MICROS_PER_HOUR, age_on, at_minute};

/// A far-future day: an interval that has not ended.
const OPEN: Day = Day::MAX;

/// What every table function needs.
pub struct Context<'a> {
    pub kommune: &'a Kommune,
    pub calendar: &'a Calendar,
    pub seed: u64,
    pub local: &'a super::local::Plan,
}

impl Context<'_> {
    pub(super) fn rng(&self, purpose: Purpose, person: &Person) -> Rng {
        Rng::stream(self.seed, purpose, &[self.kommune.number, u64::from(person.index)])
    }

    /// The `slut` of an interval ending (exclusively) on `end`: its last
    /// day, or empty when it goes on past the extraction day.
    fn slut(&self, end: Day) -> Option<Day> {
        (end <= self.calendar.end + 1).then(|| end - 1)
    }

    /// A citizen's need level on a day.
    fn level(&self, life: &Life, day: Day) -> f64 {
        let m = if day < self.calendar.history_start { 0 } else { self.calendar.month_of(day) };
        f64::from(life.levels[m])
    }
}

/// The part of a citizen's id after the `B`, used in the ids of their rows.
fn core(person: &Person) -> &str {
    &person.id[1..]
}

fn spell_end(spell: &Spell) -> Day {
    spell.end.unwrap_or(OPEN)
}

/// Whether `day` falls in one of the (first day, day after) intervals.
fn inside(intervals: &[(Day, Day)], day: Day) -> bool {
    intervals.iter().any(|(a, b)| *a <= day && day < *b)
}

/// Writes every citizen-level row of one citizen.
pub fn citizen(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    rows.borgere.push(
        &person.id,
        person.birth,
        if person.female { "K" } else { "M" },
        &ctx.kommune.kode,
        life.death,
        life.dementia,
    );
    tilknytning(ctx, person, life, rows);
    let granted = indsatser(ctx, person, life, rows);
    tilstande(ctx, person, life, rows);
    besoeg(ctx, person, life, &granted, rows);
    hospital(ctx, person, life, rows);
    triage(ctx, person, life, rows);
    screeninger(ctx, person, life, rows);
    medicin(ctx, person, life, rows);
    medicingennemgange(ctx, person, life, rows);
    uth(ctx, person, life, rows);
    magtanvendelse(ctx, person, life, rows);
    akutte_kontakter(ctx, person, life, rows);
    beskaeftigelse(ctx, person, life, rows);
    super::local::citizen(ctx, person, life, rows);
}

/// Attachments: the highest-priority place on every day (nursing home,
/// temporary stay, home care, home nursing, rehabilitation), merged into
/// non-overlapping rows.
fn tilknytning(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    // (first day, day after, priority, unit, bolig)
    let mut pieces: Vec<(Day, Day, u8, usize, &str)> = Vec::new();
    for s in &life.spells {
        if s.nursing_home {
            pieces.push((s.start, spell_end(s), 5, person.plejehjem, "plejebolig"));
        } else {
            pieces.push((s.start, spell_end(s), 3, person.hjemmepleje, "eget_hjem"));
        }
    }
    for &(a, b) in &life.temporary {
        let b = if b > ctx.calendar.end + 1 { OPEN } else { b };
        pieces.push((a, b, 4, person.plejehjem, "midlertidig"));
    }
    for n in &life.nursing {
        pieces.push((n.start, n.end.unwrap_or(OPEN), 2, person.sygepleje, "eget_hjem"));
    }
    for r in &life.rehab {
        let end = match (r.start, r.end) {
            (_, Some(e)) => e + 1,
            (Some(_), None) => life.death.map_or(OPEN, |d| d + 1),
            (None, None) => r.referred + 14,
        };
        pieces.push((r.referred, end.max(r.referred + 1), 1, person.genoptraening, "eget_hjem"));
    }
    if pieces.is_empty() {
        return;
    }
    let stop = life.death.map_or(OPEN, |d| d + 1);
    pieces.retain(|p| p.0 < stop);
    for p in &mut pieces {
        p.1 = p.1.min(stop);
    }
    let mut bounds: Vec<Day> = pieces.iter().flat_map(|p| [p.0, p.1]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let mut current: Option<(Day, usize, &str)> = None;
    let unit_id = |u: usize| ctx.kommune.units[u].id.as_str();
    // Sweep the bounds up to the extraction day; the bound the sweep stops
    // at ends whatever is current (`ctx.slut` leaves it open when it lies
    // beyond the extraction day).
    let mut last = *bounds.last().expect("pieces have bounds");
    for w in bounds.windows(2) {
        let a = w[0];
        if a > ctx.calendar.end {
            last = a;
            break;
        }
        let winner = pieces.iter().filter(|p| p.0 <= a && a < p.1).max_by_key(|p| (p.2, std::cmp::Reverse(p.0)));
        match (winner, current) {
            (Some(p), Some((_, unit, bolig))) if p.3 == unit && p.4 == bolig => {}
            (winner, _) => {
                if let Some((start, unit, bolig)) = current.take() {
                    rows.tilknytning.push(&person.id, unit_id(unit), bolig, start, ctx.slut(a));
                }
                current = winner.map(|p| (a, p.3, p.4));
            }
        }
    }
    if let Some((start, unit, bolig)) = current {
        rows.tilknytning.push(&person.id, unit_id(unit), bolig, start, ctx.slut(last));
    }
}

/// Granted services under Serviceloven, Ældreloven and Sundhedsloven.
fn indsatser(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) -> Vec<Granted> {
    let mut rng = ctx.rng(Purpose::Indsatser, person);
    let mut hours = ctx.rng(Purpose::Hours, person);
    let mut granted = Vec::new();
    let mut push = |rows: &mut Rows, indsats: &'static str, law: &str, start: Day, end: Day, team: Option<&str>| {
        if start > ctx.calendar.end || end <= start {
            return;
        }
        let id = format!("I{}-{}", core(person), granted.len() + 1);
        // Granted hours a week where the service is measured in time.
        let per_week = match indsats {
            "Personlig pleje" => Some(1.0 + 2.0 * ctx.level(life, start) + 0.5 * hours.normal()),
            "Praktisk hjælp" => Some(0.5 + 0.25 * f64::from(hours.below(3))),
            "Hverdagsrehabilitering" => Some(3.0 + 0.5 * f64::from(hours.below(5))),
            _ => None,
        }
        .map(|h: f64| (h.max(0.25) * 4.0).round() / 4.0);
        rows.indsatser.push(&id, &person.id, indsats, law, start, ctx.slut(end), team, per_week);
        granted.push(Granted { id, indsats, start, end });
    };
    for s in &life.spells {
        let end = spell_end(s);
        if s.nursing_home {
            if s.aeldrelov {
                push(rows, "Helhedspleje", "AEL", s.start, end, None);
            } else {
                push(rows, "Personlig pleje", "SEL83", s.start, end, None);
                push(rows, "Praktisk hjælp", "SEL83", s.start, end, None);
            }
            if s.medication {
                push(rows, "Medicinadministration", "SUL138", s.start, end, None);
            }
            continue;
        }
        let unit = &ctx.kommune.units[person.hjemmepleje];
        let team_name = rng.chance(ctx.kommune.effects.fixed_team).then(|| names::team_name(&unit.navn, person.team));
        let team = team_name.as_deref();
        let main_from = match s.reablement_until {
            Some(until) => {
                push(rows, "Hverdagsrehabilitering", "SEL83a", s.start, until.min(end), team);
                until
            }
            None => s.start,
        };
        if main_from < end {
            if s.aeldrelov {
                push(rows, "Helhedspleje", "AEL", main_from, end, team);
            } else {
                if s.practical {
                    push(rows, "Praktisk hjælp", "SEL83", main_from, end, team);
                }
                if let Some(p) = s.personal_from {
                    push(rows, "Personlig pleje", "SEL83", p.max(main_from), end, team);
                }
                if s.meals {
                    push(rows, "Madservice", "SEL83", main_from, end, None);
                }
            }
        }
        if s.medication {
            push(rows, "Medicinadministration", "SUL138", s.start + rng.between(0, 14), end, None);
        }
        if let Some((a, b)) = s.training {
            push(rows, "Vedligeholdende træning", "SEL86", a, b.min(end), None);
        }
    }
    for &(a, b) in &life.temporary {
        let b = if b > ctx.calendar.end + 1 { OPEN } else { b };
        push(rows, "Midlertidigt ophold", "SEL84", a, b, None);
    }
    // Therapists' assessments, and respite for citizens with dementia at
    // home, from their own stream.
    let mut extra = Rng::stream(ctx.seed, Purpose::Indsatser, &[ctx.kommune.number, u64::from(person.index), 1]);
    for s in life.spells.iter().filter(|s| !s.nursing_home) {
        let end = spell_end(s);
        // Ældreloven (from 1 July 2025): a dialogue on how help is organised,
        // when help begins or, for those already helped, within months.
        let law = super::time::day(2025, 7, 1);
        let first = if s.start >= law { s.start + extra.between(0, 14) } else { law + extra.between(0, 150) };
        if first < end && extra.chance(0.6) {
            push(rows, "Dialog med borger om tilrettelæggelse af forløb", "AEL", first, first + 14, None);
        }
        if extra.chance(0.3) {
            let first = s.start + extra.between(0, 7);
            push(rows, "Terapeutfaglig udredning", "SEL86", first, first + 1, None);
            let second = first + extra.between(60, 330);
            if extra.chance(0.25) && second < end {
                push(rows, "Terapeutfaglig udredning", "SEL86", second, second + 1, None);
            }
        }
        let Some(diagnosed) = life.dementia.filter(|d| *d < end) else { continue };
        let from = s.start.max(diagnosed);
        if extra.chance(0.25) {
            let start = from + extra.between(0, 60);
            let days = extra.lognormal(240.0, 0.6) as Day;
            push(rows, "Afløsning i hjemmet", "SEL84", start, (start + days.max(14)).min(end), None);
        }
        if extra.chance(0.06) {
            let start = from + extra.between(30, 300);
            push(rows, "Aflastningsophold", "SEL84", start, (start + 14).min(end), None);
        }
    }
    for c in &life.nursing {
        let end = c.end.unwrap_or(OPEN);
        let start = (c.start + rng.between(0, 3)).min(end - 1);
        push(rows, NURSING[c.kind].indsats, "SUL138", start, end, None);
    }
    for r in &life.rehab {
        if let Some(start) = r.start {
            let end = r.end.map_or(life.death.map_or(OPEN, |d| d + 1), |e| e + 1);
            push(rows, "Genoptræning efter udskrivelse", "SUL140", start, end, None);
        }
    }
    granted
}

/// A granted indsats as the visits see it.
struct Granted {
    id: String,
    indsats: &'static str,
    start: Day,
    end: Day,
}

/// The id of the first of `names` granted on `day`: the indsats a visit delivers.
fn delivering<'a>(granted: &'a [Granted], names: &[&str], day: Day) -> Option<&'a str> {
    granted.iter().find(|g| names.contains(&g.indsats) && g.start <= day && day < g.end).map(|g| g.id.as_str())
}

/// Periods of uninterrupted care (home care followed directly by a nursing
/// home counts as one), as (first day, day after).
fn care_periods(life: &Life) -> Vec<(Day, Day)> {
    let mut periods: Vec<(Day, Day)> = Vec::new();
    for s in &life.spells {
        match periods.last_mut() {
            Some(last) if last.1 == s.start => last.1 = spell_end(s),
            _ => periods.push((s.start, spell_end(s))),
        }
    }
    periods
}

/// A functional condition being assessed.
struct Condition {
    /// Index into [`FUNKTIONSEVNE`].
    kind: usize,
    start: Day,
    /// How this condition's level differs from the citizen's need level.
    offset: f64,
    id: String,
    /// The last day it was assessed.
    assessed: Day,
    /// Closed (improved) before the period of care ended: the day after.
    closed: Option<Day>,
}

/// FSIII conditions and their assessments: functional conditions for every
/// period of care, reassessed at irregular intervals (and after discharges
/// and moves), and the nursing conditions.
fn tilstande(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    let mut rng = ctx.rng(Purpose::Tilstande, person);
    let k = ctx.kommune;
    let cal = ctx.calendar;
    let last_day = cal.end;
    let dementia = life.dementia.is_some();
    let mut n = 0;
    for (p_start, p_end) in care_periods(life) {
        let stop = p_end.min(last_day + 1);
        // Assessment days: the first visitation, a renewal process, and triggers.
        let mut days = vec![p_start];
        let mut day = p_start;
        loop {
            let unit = life
                .spells
                .iter()
                .find(|s| s.start <= day && day < spell_end(s))
                .map_or(person.hjemmepleje, |s| if s.nursing_home { person.plejehjem } else { person.hjemmepleje });
            let trend = (1.0 - 0.08 * cal.trend_years(day)).max(0.6);
            let median = 30.44 * k.effects.reassess_months * k.units[unit].reassess * trend;
            day += (rng.lognormal(median, 0.45) as Day).max(14);
            if day >= stop {
                break;
            }
            days.push(day);
        }
        for a in &life.admissions {
            let Some(discharged) = a.discharged else { continue };
            let d = (discharged / MICROS_PER_DAY) as Day;
            if d > p_start && d < stop && rng.chance(0.4) {
                days.push(d + rng.between(1, 10));
            }
        }
        for s in &life.spells {
            if s.start > p_start && s.start < stop {
                days.push(s.start + rng.between(0, 14));
            }
        }
        days.sort_unstable();
        let mut kept: Vec<Day> = Vec::new();
        for d in days {
            if d < stop && kept.last().is_none_or(|last| d - last >= 14) {
                kept.push(d);
            }
        }
        // Conditions: a few at the start, more as the need level rises.
        let mut weights: Vec<f64> =
            FUNKTIONSEVNE.iter().map(|(_, w, mental)| if *mental && dementia { w * 4.0 } else { *w }).collect();
        let first_level = ctx.level(life, p_start);
        let initial = (2.0 + (first_level * 0.8).round() + f64::from(rng.below(2))).clamp(2.0, 8.0) as usize;
        let mut conditions: Vec<Condition> = Vec::new();
        let open_condition = |rng: &mut Rng, weights: &mut Vec<f64>, start: Day, n: &mut u32| {
            if weights.iter().all(|w| *w == 0.0) {
                return None;
            }
            let i = rng.weighted(weights);
            weights[i] = 0.0;
            *n += 1;
            let mental = FUNKTIONSEVNE[i].2 && dementia;
            let offset = 0.6 * rng.normal() + if mental { 0.5 } else { 0.0 };
            Some(Condition {
                kind: i,
                start,
                offset,
                id: format!("T{}-{}", core(person), n),
                assessed: Day::MIN,
                closed: None,
            })
        };
        for _ in 0..initial {
            if let Some(c) = open_condition(&mut rng, &mut weights, p_start, &mut n) {
                conditions.push(c);
            }
        }
        let mut added_at = first_level;
        for m in 0..cal.months() {
            let first = cal.month_start(m);
            if first <= p_start || first >= stop {
                continue;
            }
            let level = f64::from(life.levels[m]);
            if level - added_at >= 0.8 {
                added_at = level;
                let start = first + rng.below(28) as Day;
                if start < stop
                    && let Some(c) = open_condition(&mut rng, &mut weights, start, &mut n)
                {
                    conditions.push(c);
                }
            }
        }
        // Assess: every condition at its start, then most open ones on each day.
        let assess = |rng: &mut Rng, rows: &mut Rows, c: &mut Condition, day: Day| {
            if c.assessed == day {
                return;
            }
            c.assessed = day;
            let level = (ctx.level(life, day) + c.offset + 0.35 * rng.normal()).round().clamp(0.0, 4.0) as i32;
            if day >= cal.history_start || day == c.start {
                rows.vurderinger.push(&c.id, &person.id, day, level);
            }
        };
        let mut events: Vec<Day> = kept.into_iter().chain(conditions.iter().map(|c| c.start)).collect();
        events.sort_unstable();
        events.dedup();
        for day in events {
            let open: Vec<usize> = (0..conditions.len())
                .filter(|&i| conditions[i].start <= day && conditions[i].closed.is_none_or(|closed| day < closed))
                .collect();
            let mut assessed = false;
            for &i in &open {
                let starts_today = conditions[i].start == day;
                if starts_today || rng.chance(0.75) {
                    assess(&mut rng, rows, &mut conditions[i], day);
                    assessed = true;
                    if !starts_today && rng.chance(0.03) {
                        conditions[i].closed = Some(day + 1);
                    }
                }
            }
            if !assessed && let Some(&i) = open.first() {
                assess(&mut rng, rows, &mut conditions[i], day);
            }
        }
        for c in &conditions {
            let end = c.closed.unwrap_or(p_end).min(p_end);
            let slut = if end == OPEN { None } else { ctx.slut(end) };
            rows.tilstande.push(&c.id, &person.id, "funktionsevne", FUNKTIONSEVNE[c.kind].0, c.start, slut);
        }
    }
    // Some nursing conditions are followed up rarely, more so in some units.
    let mut follow_up = Rng::stream(ctx.seed, Purpose::Tilstande, &[k.number, u64::from(person.index), 1]);
    let p_rare = (0.25 * k.units[person.sygepleje].reassess).clamp(0.05, 0.6);
    for c in &life.nursing {
        if c.start > last_day {
            continue;
        }
        n += 1;
        let id = format!("T{}-{n}", core(person));
        let end = c.end.unwrap_or(OPEN);
        rows.tilstande.push(&id, &person.id, "sygepleje", NURSING[c.kind].tilstand, c.start, ctx.slut(end));
        let gap = if follow_up.chance(p_rare) { 110.0 } else { 30.0 };
        let initial = (1.5 + 0.7 * rng.normal()).round().clamp(1.0, 4.0);
        let mut day = c.start;
        while day < end.min(last_day + 1) {
            if day >= cal.history_start || day == c.start {
                let progress = if end == OPEN { 0.3 } else { f64::from(day - c.start) / f64::from(end - c.start) };
                let level = (initial * (1.0 - 0.7 * progress) + 0.4 * rng.normal()).round().clamp(0.0, 4.0) as i32;
                rows.vurderinger.push(&id, &person.id, day, level);
            }
            day += (rng.lognormal(gap, 0.4) as Day).max(7);
        }
    }
    // Sleep and day-rhythm problems of citizens with dementia, assessed when
    // noted.
    if let Some(diagnosed) = life.dementia {
        let alive_until = life.death.map_or(OPEN, |d| d + 1);
        for tilstand in ["Søvnproblemer", "Døgnrytmeproblemer"] {
            if !follow_up.chance(0.2) {
                continue;
            }
            let start = diagnosed + follow_up.between(0, 365);
            if start > last_day || start >= alive_until {
                continue;
            }
            let end = (start + follow_up.lognormal(150.0, 0.7) as Day).min(alive_until);
            n += 1;
            let id = format!("T{}-{n}", core(person));
            rows.tilstande.push(&id, &person.id, "sygepleje", tilstand, start, ctx.slut(end));
            rows.vurderinger.push(&id, &person.id, start, follow_up.between(1, 3));
        }
    }
}

/// Visit slots of a day of personal care: (earliest minute, latest minute,
/// shortest, longest visit, may be a screen visit, evening staff).
const SLOTS: [(i64, i64, i32, i32, bool, bool); 5] = [
    (7 * 60, 10 * 60 + 30, 20, 45, false, false),
    (19 * 60, 22 * 60, 15, 30, true, true),
    (11 * 60 + 30, 13 * 60 + 30, 10, 25, true, false),
    (15 * 60, 17 * 60 + 30, 10, 25, true, true),
    (22 * 60 + 30, 23 * 60 + 30, 10, 20, false, true),
];

/// Visits in the citizen's own home during the requested years: personal
/// care (more visits the higher the need level), everyday rehabilitation,
/// cleaning every other week, nurse visits for nursing conditions. Some
/// visits are screen visits; most are made by a few regular carers.
fn besoeg(ctx: &Context, person: &Person, life: &Life, granted: &[Granted], rows: &mut Rows) {
    let cal = ctx.calendar;
    let k = ctx.kommune;
    let needs_visits = life.spells.iter().any(|s| !s.nursing_home && spell_end(s) > cal.start)
        || life.nursing.iter().any(|c| c.end.unwrap_or(OPEN) > cal.start)
        || life.rehab.iter().any(|r| r.start.is_some());
    if !needs_visits {
        return;
    }
    let mut rng = ctx.rng(Purpose::Visits, person);
    let screen_draw = rng.uniform();
    let mut blocked: Vec<(Day, Day)> = life
        .admissions
        .iter()
        .map(|a| {
            let from = (a.admitted / MICROS_PER_DAY) as Day;
            (from, a.discharged.map_or(OPEN, |d| (d / MICROS_PER_DAY) as Day))
        })
        .collect();
    blocked.extend(life.temporary.iter().copied());
    let nursing_home: Vec<(Day, Day)> =
        life.spells.iter().filter(|s| s.nursing_home).map(|s| (s.start, spell_end(s))).collect();
    let id_core = core(person).to_string();
    let mut n = 0u32;
    let mut id = String::new();
    let mut visit = |rows: &mut Rows, employee: u32, at: i64, minutes: i32, screen: bool, indsats: &[&str]| {
        n += 1;
        id.clear();
        use std::fmt::Write;
        let _ = write!(id, "V{id_core}-{n}");
        let delivers = delivering(granted, indsats, (at / MICROS_PER_DAY) as Day);
        rows.besoeg.push(&id, &person.id, &k.staff[employee as usize].id, at, minutes, screen, delivers);
    };
    let unit = person.hjemmepleje;
    let team = person.team;
    let continuity = k.units[unit].continuity;
    let mut regular: Vec<u32> = Vec::new();
    let mut regular_month = usize::MAX;
    let mut screen_user = false;
    for s in life.spells.iter().filter(|s| !s.nursing_home) {
        let from = s.start.max(cal.start);
        let to = spell_end(s).min(cal.end + 1);
        let phase = rng.below(14) as Day;
        regular.clear();
        for day in from..to {
            if inside(&blocked, day) {
                continue;
            }
            let m = cal.month_of(day);
            if m != regular_month {
                regular_month = m;
                k.regular_carers(&mut rng, unit, team, m, &mut regular, 3);
                let t = cal.trend_years(cal.month_start(m));
                let p_user = 0.35 * k.effects.screen * k.units[unit].screen * (1.0 + 0.3 * t);
                screen_user = screen_draw < p_user.clamp(0.02, 0.8);
            }
            let reablement = s.reablement_until.is_some_and(|u| day < u);
            let personal = s.aeldrelov || s.personal_from.is_some_and(|p| day >= p);
            let care: &[&str] =
                if reablement { &["Hverdagsrehabilitering"] } else { &["Personlig pleje", "Helhedspleje"] };
            let count = if reablement {
                1 + usize::from(rng.chance(0.3))
            } else if personal {
                let rate = 0.5 + 0.6 * f64::from(life.levels[m]);
                (rate.floor() as usize + usize::from(rng.chance(rate.fract()))).clamp(1, SLOTS.len())
            } else {
                0
            };
            for &(early, late, short, long, screenable, evening) in &SLOTS[..count] {
                let at = at_minute(day, early + i64::from(rng.below((late - early) as u32)));
                if !reablement && screenable && screen_user && rng.chance(0.55) {
                    if let Some(e) = k.carer(&mut rng, unit, team, m, day, (&[], 0.0)) {
                        visit(rows, e, at, rng.between(4, 10), true, care);
                    }
                    continue;
                }
                let p = if evening { continuity * 0.4 } else { continuity };
                if let Some(e) = k.carer(&mut rng, unit, team, m, day, (&regular, p)) {
                    let minutes = if reablement { rng.between(30, 45) } else { rng.between(short, long) };
                    visit(rows, e, at, minutes, false, care);
                }
            }
            if s.practical && !reablement && (day - s.start).rem_euclid(14) == phase {
                let at = at_minute(day, 9 * 60 + i64::from(rng.below(300)));
                if let Some(e) = k.carer(&mut rng, unit, team, m, day, (&regular, continuity)) {
                    visit(rows, e, at, rng.between(45, 75), false, &["Praktisk hjælp", "Helhedspleje"]);
                }
            }
        }
    }
    // Home nursing.
    let nurse_unit = person.sygepleje;
    let mut nurses: Vec<u32> = Vec::new();
    let mut nurses_month = usize::MAX;
    for c in &life.nursing {
        let from = c.start.max(cal.start);
        let to = c.end.unwrap_or(OPEN).min(cal.end + 1);
        let p = NURSING[c.kind].visits_per_week / 7.0;
        for day in from..to {
            if !rng.chance(p) || inside(&blocked, day) || inside(&nursing_home, day) {
                continue;
            }
            let m = cal.month_of(day);
            if m != nurses_month {
                nurses_month = m;
                k.regular_carers(&mut rng, nurse_unit, 0, m, &mut nurses, 2);
            }
            let at = at_minute(day, 8 * 60 + i64::from(rng.below(7 * 60)));
            if let Some(e) = k.carer(&mut rng, nurse_unit, 0, m, day, (&nurses, 0.6)) {
                visit(rows, e, at, rng.between(15, 30), false, &[NURSING[c.kind].indsats]);
            }
        }
    }
    // A nurse comes home with most citizens discharged to a nursing course,
    // most within a day.
    let mut more = Rng::stream(ctx.seed, Purpose::Visits, &[k.number, u64::from(person.index), 1]);
    for a in &life.admissions {
        let Some(discharged) = a.discharged else { continue };
        let day = (discharged / MICROS_PER_DAY) as Day;
        let course = life.nursing.iter().find(|c| c.start <= day + 7 && c.end.is_none_or(|e| e > day));
        if let Some(c) = course.filter(|_| more.chance(0.75) && day >= cal.start && day <= cal.end) {
            let at = discharged + (more.lognormal(14.0, 0.7) * 60.0) as i64 * 60_000_000;
            let on = (at / MICROS_PER_DAY) as Day;
            if on <= cal.end
                && let Some(e) = k.carer(&mut more, nurse_unit, 0, cal.month_of(on), on, (&[], 0.0))
            {
                visit(rows, e, at, more.between(20, 45), false, &[NURSING[c.kind].indsats]);
            }
        }
    }
    // Training after discharge (§ 140) and maintenance training (§ 86), about
    // twice a week; some citizens train by screen.
    let trainer = person.genoptraening;
    let virtual_training = more.chance(0.2 * k.units[trainer].screen);
    let mut courses: Vec<(Day, Day, &str)> = life
        .rehab
        .iter()
        .filter_map(|r| Some((r.start?, r.end.map_or(OPEN, |e| e + 1), "Genoptræning efter udskrivelse")))
        .collect();
    courses.extend(life.spells.iter().filter_map(|s| s.training.map(|(a, b)| (a, b, "Vedligeholdende træning"))));
    for (a, b, indsats) in courses {
        let to = b.min(cal.end + 1).min(life.death.map_or(OPEN, |d| d + 1));
        for day in a.max(cal.start)..to {
            if !more.chance(2.0 / 7.0) || inside(&blocked, day) {
                continue;
            }
            let at = at_minute(day, 9 * 60 + i64::from(more.below(6 * 60)));
            if let Some(e) = k.carer(&mut more, trainer, 0, cal.month_of(day), day, (&[], 0.0)) {
                let screen = virtual_training && more.chance(0.5);
                visit(rows, e, at, more.between(30, 60), screen, &[indsats]);
            }
        }
    }
}

/// Hospital admissions and rehabilitation after discharge.
fn hospital(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    for (i, a) in life.admissions.iter().enumerate() {
        let id = format!("A{}-{}", core(person), i + 1);
        rows.indlaeggelser.push(
            &id,
            &person.id,
            a.admitted,
            a.discharged,
            a.acute,
            a.preventable,
            a.readmission,
            a.bed_days,
        );
    }
    let mut rng = ctx.rng(Purpose::Rehab, person);
    for (i, r) in life.rehab.iter().enumerate() {
        let id = format!("G{}-{}", core(person), i + 1);
        let kind = if r.specialised { "specialiseret" } else { "almen" };
        // Most start on the first day offered; some choose a later day, and
        // some offered never start.
        let offered = match r.start {
            Some(start) if rng.chance(0.8) => Some(start),
            Some(start) => Some((start - rng.between(1, 10)).max(r.referred)),
            None => rng.chance(0.5).then(|| r.referred + rng.between(1, 14)),
        };
        // Drop-out is more common where the unit's quality is lower.
        let drop_out = (0.12 * (1.0 - 3.0 * ctx.kommune.units[person.genoptraening].satisfaction)).clamp(0.03, 0.3);
        let ending = r.end.map(|_| match rng.uniform() {
            u if u < drop_out => "frafald",
            u if u < drop_out + 0.06 => "andet",
            _ => "gennemfoert",
        });
        rows.genoptraening.push(&id, &person.id, r.discharged, r.referred, r.start, r.end, kind, offered, ending);
    }
}

/// Triage while in care: yellow and red (more often the higher the need
/// level, red before some acute admissions, yellow after discharges), green
/// when the citizen is stable again; action plans after a delay that
/// differs between units; a TOBS score with every yellow and red.
fn triage(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    if life.spells.is_empty() {
        return;
    }
    let mut rng = ctx.rng(Purpose::Triage, person);
    let cal = ctx.calendar;
    let k = ctx.kommune;
    let extracted = i64::from(cal.end + 1) * MICROS_PER_DAY;
    let alive_until = life.death.map_or(cal.end + 1, |d| d + 1);
    // (time, colour, unit)
    let mut events: Vec<(i64, &str, usize)> = Vec::new();
    for s in &life.spells {
        let unit = if s.nursing_home { person.plejehjem } else { person.hjemmepleje };
        let from = s.start.max(cal.history_start);
        let to = spell_end(s).min(alive_until);
        if from >= to {
            continue;
        }
        for m in cal.month_of(from)..=cal.month_of(to - 1) {
            let a = cal.month_start(m).max(from);
            let b = cal.month_start(m + 1).min(to);
            if a >= b {
                continue;
            }
            let share = f64::from(b - a) / f64::from(cal.month_start(m + 1) - cal.month_start(m));
            let level = f64::from(life.levels[m]);
            for _ in 0..rng.poisson((0.2 + 0.07 * level) * share) {
                let day = a + rng.below((b - a) as u32) as Day;
                events.push((yellow_time(&mut rng, day), "gul", unit));
            }
            for _ in 0..rng.poisson((0.02 + 0.012 * level) * share) {
                let day = a + rng.below((b - a) as u32) as Day;
                let hour = rng.weighted(&RED_HOURS) as i64;
                events.push((at_minute(day, hour * 60 + i64::from(rng.below(60))), "roed", unit));
            }
        }
        for adm in &life.admissions {
            let day = (adm.admitted / MICROS_PER_DAY) as Day;
            if adm.acute && day >= from && day < to && rng.chance(0.35) {
                let before = adm.admitted - (1 + i64::from(rng.below(5))) * MICROS_PER_HOUR;
                if before >= i64::from(from) * MICROS_PER_DAY {
                    events.push((before, "roed", unit));
                }
            }
            if let Some(d) = adm.discharged {
                let day = (d / MICROS_PER_DAY) as Day + 1;
                if !s.nursing_home && day >= from && day < to && rng.chance(0.5) {
                    events.push((yellow_time(&mut rng, day), "gul", unit));
                }
            }
        }
    }
    events.sort_by_key(|e| e.0);
    let mut n = 0;
    let mut tobs = Vec::new();
    for (at, colour, unit) in events {
        let t = cal.trend_years((at / MICROS_PER_DAY) as Day);
        let speed = k.effects.triage * k.units[unit].triage;
        let (plan, missing) = if colour == "gul" {
            (rng.lognormal(20.0 * speed * (1.0 - 0.06 * t).max(0.6), 0.9), 0.04)
        } else {
            (rng.lognormal(1.2 * speed, 1.0), 0.03)
        };
        let plan_at = at + (plan * 60.0).round() as i64 * 60_000_000;
        let plan_at = (!rng.chance(missing) && plan_at < extracted).then_some(plan_at);
        n += 1;
        rows.triage.push(&format!("TR{}-{n}", core(person)), &person.id, at, colour, plan_at);
        tobs.push(at);
        // Back to green when stable again.
        if rng.chance(0.8) {
            let green = at + i64::from(rng.between(3, 21)) * MICROS_PER_DAY;
            if green < extracted && green < i64::from(alive_until) * MICROS_PER_DAY {
                n += 1;
                rows.triage.push(&format!("TR{}-{n}", core(person)), &person.id, green, "groen", None);
            }
        }
    }
    // TOBS measured with the triage, most within the same shift.
    let mut times = Rng::stream(ctx.seed, Purpose::ScreeningTimes, &[k.number, u64::from(person.index), 1]);
    for (i, at) in tobs.into_iter().enumerate() {
        let id = format!("S{}-T{}", core(person), i + 1);
        let measured = at + (times.lognormal(90.0, 1.0).round() as i64) * 60_000_000;
        let day = (at / MICROS_PER_DAY) as Day;
        rows.screeninger.push(&id, &person.id, "tobs", day, !rng.chance(0.05), Some(measured));
    }
}

/// Hourly weights of red triage: mostly in the day shift.
const RED_HOURS: [f64; 24] = [
    0.015, 0.015, 0.015, 0.015, 0.015, 0.015, 0.015, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.04, 0.04, 0.04,
    0.04, 0.04, 0.04, 0.04, 0.04, 0.015,
];

/// Yellow triage mostly happens at the morning triage meeting.
fn yellow_time(rng: &mut Rng, day: Day) -> i64 {
    if rng.chance(0.8) {
        at_minute(day, 8 * 60 + i64::from(rng.below(150)))
    } else {
        at_minute(day, 10 * 60 + 30 + i64::from(rng.below(570)))
    }
}

/// Nutrition screening when care starts and yearly in nursing homes,
/// preventive talks offered at 75 and yearly from 82, dementia screening
/// before diagnoses.
fn screeninger(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    let mut rng = ctx.rng(Purpose::Screening, person);
    let cal = ctx.calendar;
    let alive = |day: Day| life.death.is_none_or(|d| day <= d);
    let in_care = |day: Day| life.spells.iter().any(|s| s.start <= day && day < spell_end(s));
    let mut times = ctx.rng(Purpose::ScreeningTimes, person);
    let mut n = 0;
    let mut push = |rows: &mut Rows, kind: &str, day: Day, done: bool| {
        if day >= cal.history_start && day <= cal.end && alive(day) {
            n += 1;
            // The time of day is recorded for most screenings.
            let at = times.chance(0.85).then(|| at_minute(day, 8 * 60 + i64::from(times.below(10 * 60))));
            rows.screeninger.push(&format!("S{}-{n}", core(person)), &person.id, kind, day, done, at);
        }
    };
    for s in &life.spells {
        if rng.chance(0.75) {
            push(rows, "screening", s.start + rng.between(0, 14), true);
        }
        if s.nursing_home {
            let mut day = s.start + rng.between(300, 430);
            while day < spell_end(s).min(cal.end + 1) {
                push(rows, "screening", day, true);
                day += rng.between(300, 430);
            }
        }
    }
    let age_then = person.age(cal.history_start);
    if age_then >= 70 {
        for age in (age_then..=age_then + 4).filter(|a| *a == 75 || *a >= 82) {
            let birthday = person.birth + (f64::from(age) * 365.25) as Day;
            let day = birthday + rng.between(0, 90);
            if !in_care(day) {
                push(rows, "forebyggende_samtale", day, rng.chance(0.62));
            }
        }
    }
    if let Some(dx) = life.dementia.filter(|d| *d >= cal.history_start)
        && rng.chance(0.7)
    {
        push(rows, "demens_screening", dx - rng.between(30, 120), true);
    }
    if age_then >= 75 {
        let years = f64::from(cal.end - cal.history_start) / 365.25;
        for _ in 0..rng.poisson(0.01 * years) {
            let day = cal.history_start + rng.below((cal.end - cal.history_start) as u32) as Day;
            push(rows, "demens_screening", day, rng.chance(0.9));
        }
    }
}

/// Drug ordinations: the usual chronic drugs of older citizens (more with
/// age and care), anti-dementia drugs, antipsychotics for some citizens
/// with dementia, and a few others on antipsychotics or lithium.
fn medicin(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    let cal = ctx.calendar;
    let age = person.age(cal.history_start);
    let care = !life.spells.is_empty();
    if age < 60 && !care {
        return;
    }
    let mut rng = ctx.rng(Purpose::Medicine, person);
    let dispensed = rng.chance(if care { 0.6 } else { 0.08 });
    let stop = life.death.map_or(OPEN, |d| d + 1);
    let mut n = 0;
    let mut push = |rows: &mut Rows, atc: &str, start: Day, end: Day| {
        if start > cal.end || start >= stop {
            return;
        }
        let end = end.min(stop);
        let slut = if end == OPEN { None } else { ctx.slut(end) };
        n += 1;
        rows.medicin.push(&format!("O{}-{n}", core(person)), &person.id, atc, start, slut, dispensed);
    };
    let dementia = life.dementia.is_some();
    let expected =
        1.0 + 0.12 * f64::from((age - 60).max(0)) + if care { 2.5 } else { 0.0 } + if dementia { 0.5 } else { 0.0 };
    let count = (rng.poisson(expected) as usize).min(12);
    let mut weights: Vec<f64> = COMMON_DRUGS.iter().map(|d| d.1).collect();
    let window = (cal.end - cal.history_start) as u32;
    let adult = person.birth + 40 * 365;
    for _ in 0..count {
        let i = rng.weighted(&weights);
        weights[i] = 0.0;
        let start = if rng.chance(0.8) {
            (cal.history_start - rng.exponential(4.0 * 365.0) as Day).max(adult)
        } else {
            cal.history_start + rng.below(window) as Day
        };
        let end = if rng.chance(0.12) {
            let from = start.max(cal.history_start);
            from + 1 + rng.below((cal.end - from).max(1) as u32) as Day
        } else {
            OPEN
        };
        push(rows, COMMON_DRUGS[i].0, start, end);
    }
    if let Some(dx) = life.dementia
        && rng.chance(0.55)
    {
        let weights: Vec<f64> = DEMENTIA_DRUGS.iter().map(|d| d.1).collect();
        push(rows, DEMENTIA_DRUGS[rng.weighted(&weights)].0, dx + rng.between(14, 90), OPEN);
    }
    let antipsychotic_weights: Vec<f64> = ANTIPSYCHOTICS.iter().map(|d| d.1).collect();
    for &(start, end) in &life.antipsychotics {
        let atc = ANTIPSYCHOTICS[rng.weighted(&antipsychotic_weights)].0;
        push(rows, atc, start, end.unwrap_or(OPEN));
    }
    if !dementia && age >= 65 {
        if rng.chance(0.012) {
            push(rows, "N05AH04", cal.history_start - rng.between(30, 2000), OPEN);
        }
        if rng.chance(0.002) {
            push(rows, "N05AN01", cal.history_start - rng.between(30, 4000), OPEN);
        }
    }
}

/// Medication reviews for citizens with home nursing (SUL § 138): often
/// soon after it starts, then at intervals that differ between
/// municipalities.
fn medicingennemgange(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    let cal = ctx.calendar;
    let mut intervals: Vec<(Day, Day)> = life
        .spells
        .iter()
        .filter(|s| s.medication)
        .map(|s| (s.start, spell_end(s)))
        .chain(life.nursing.iter().map(|c| (c.start, c.end.unwrap_or(OPEN))))
        .collect();
    if intervals.is_empty() {
        return;
    }
    intervals.sort_unstable();
    let mut union: Vec<(Day, Day)> = Vec::new();
    for (a, b) in intervals {
        match union.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => union.push((a, b)),
        }
    }
    let mut rng = ctx.rng(Purpose::Reviews, person);
    let k = ctx.kommune;
    let gap = |rng: &mut Rng, day: Day| {
        let trend = (1.0 - 0.05 * cal.trend_years(day)).max(0.6);
        (rng.lognormal(30.44 * k.effects.review_months * trend, 0.3) as Day).max(30)
    };
    let mut last: Option<Day> = None;
    for (a, b) in union {
        let mut next = match last {
            Some(l) => (l + gap(&mut rng, l)).max(a + 7),
            None if rng.chance(0.55) => a + rng.between(7, 60),
            None => a + rng.between(60, 300),
        };
        while next < b && next <= cal.end {
            if next >= cal.history_start {
                rows.medicingennemgange.push(&person.id, next);
            }
            last = Some(next);
            next += gap(&mut rng, next);
        }
    }
}

/// Adverse events while in care.
fn uth(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    if life.spells.is_empty() {
        return;
    }
    let mut rng = ctx.rng(Purpose::Surveys, person);
    let cal = ctx.calendar;
    let k = ctx.kommune;
    let alive_until = life.death.map_or(cal.end + 1, |d| d + 1);
    let mut n = 0;
    for s in &life.spells {
        let unit = if s.nursing_home { person.plejehjem } else { person.hjemmepleje };
        let from = s.start.max(cal.history_start);
        let to = spell_end(s).min(alive_until);
        if from >= to {
            continue;
        }
        let rate = 0.08 * k.effects.uth * k.units[unit].uth * if s.nursing_home { 1.5 } else { 1.0 };
        let months = f64::from(to - from) / 30.44;
        for _ in 0..rng.poisson(rate * months) {
            let day = from + rng.below((to - from) as u32) as Day;
            n += 1;
            let id = format!("U{}-{n}", core(person));
            let (kind, severity, learning) = adverse_event(&mut rng, s.nursing_home);
            let borger = rng.chance(0.92).then_some(person.id.as_str());
            rows.uth.push(&id, day, &k.units[unit].id, borger, kind, severity, learning);
        }
    }
}

/// Use of force registered for citizens with dementia in a nursing home:
/// rare, and more often where a unit's quality is lower.
fn magtanvendelse(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    let Some(diagnosed) = life.dementia else { return };
    let mut rng = ctx.rng(Purpose::Force, person);
    let (cal, k) = (ctx.calendar, ctx.kommune);
    let alive_until = life.death.map_or(cal.end + 1, |d| d + 1);
    let mut n = 0;
    for s in life.spells.iter().filter(|s| s.nursing_home) {
        let from = s.start.max(diagnosed).max(cal.history_start);
        let to = spell_end(s).min(alive_until).min(cal.end + 1);
        if from >= to {
            continue;
        }
        let unit = &k.units[person.plejehjem];
        let rate = (0.05 * (1.0 - 2.0 * unit.satisfaction)).max(0.005);
        for _ in 0..rng.poisson(rate * f64::from(to - from) / 30.44) {
            n += 1;
            let day = from + rng.below((to - from) as u32) as Day;
            let kind = *rng.pick(&["fastholdelse", "fastholdelse", "tilbageholdelse", "alarm_pejling", "andet"]);
            rows.magtanvendelse.push(&format!("M{}-{n}", core(person)), &person.id, &unit.id, day, kind);
        }
    }
}

/// Calls to home nursing about acute illness or a worsening of a known one,
/// while the citizen has nursing or home care, and when a nurse came: most
/// within hours, some the next day, a few never.
fn akutte_kontakter(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    let mut rng = ctx.rng(Purpose::Contacts, person);
    let cal = ctx.calendar;
    let alive_until = life.death.map_or(cal.end + 1, |d| d + 1);
    let extracted = i64::from(cal.end + 1) * MICROS_PER_DAY;
    let mut periods: Vec<(Day, Day)> = life.nursing.iter().map(|c| (c.start, c.end.unwrap_or(OPEN))).collect();
    periods.extend(life.spells.iter().filter(|s| !s.nursing_home).map(|s| (s.start, spell_end(s))));
    let mut n = 0;
    for (a, b) in periods {
        let from = a.max(cal.history_start);
        let to = b.min(alive_until).min(cal.end + 1);
        if from >= to {
            continue;
        }
        for _ in 0..rng.poisson(0.06 * f64::from(to - from) / 30.44) {
            n += 1;
            let at = at_minute(from + rng.below((to - from) as u32) as Day, i64::from(rng.below(24 * 60)));
            let speed = ctx.kommune.effects.triage * ctx.kommune.units[person.sygepleje].triage;
            let hours = rng.lognormal(2.5 * speed, 1.0);
            let seen = at + (hours * 60.0).round() as i64 * 60_000_000;
            let seen = (!rng.chance(0.03) && seen < extracted).then_some(seen);
            let cause = if rng.chance(0.55) { "forvaerring" } else { "akut_sygdom" };
            rows.akutte_kontakter.push(&format!("AK{}-{n}", core(person)), &person.id, at, seen, cause);
        }
    }
}

/// Labour-market status of citizens of working age (18–66) who are
/// discharged to rehabilitation: their status before, sick leave from the
/// admission, and back to work for most of those who were working.
fn beskaeftigelse(ctx: &Context, person: &Person, life: &Life, rows: &mut Rows) {
    let cal = ctx.calendar;
    let Some(first) = life.rehab.iter().find(|r| (18..67).contains(&person.age(r.discharged))) else { return };
    let mut rng = ctx.rng(Purpose::Employment, person);
    let status = match rng.uniform() {
        u if u < 0.62 => "beskaeftiget",
        u if u < 0.74 => "ledig",
        _ => "uden_for_arbejdsstyrken",
    };
    let before = (first.discharged - 730).min(cal.history_start);
    if status == "uden_for_arbejdsstyrken" {
        rows.beskaeftigelse.push(&person.id, before, None, status);
        return;
    }
    let sick_from = first.discharged - rng.between(3, 30);
    rows.beskaeftigelse.push(&person.id, before, Some(sick_from - 1), status);
    let end_of_course = first.end.or(first.start).unwrap_or(first.discharged) + rng.between(7, 120);
    let after = match status {
        "beskaeftiget" if rng.chance(0.3) => "ledig",
        other => other,
    };
    if end_of_course > cal.end {
        rows.beskaeftigelse.push(&person.id, sick_from, None, "sygemeldt");
        return;
    }
    rows.beskaeftigelse.push(&person.id, sick_from, Some(end_of_course - 1), "sygemeldt");
    rows.beskaeftigelse.push(&person.id, end_of_course, None, after);
}

/// Inhabitants on 1 January by year, age and sex (`befolkning`), counted
/// from the citizens generated.
#[derive(Debug, Clone)]
pub struct Population {
    years: Vec<i32>,
    counts: Vec<u32>,
}

/// Ages counted in `befolkning` (0–120).
const AGES: usize = 121;

impl Population {
    /// Empty counts for the calendar's years.
    pub fn new(calendar: &Calendar) -> Self {
        let years: Vec<i32> = calendar.population_years().collect();
        let counts = vec![0; years.len() * AGES * 2];
        Self { years, counts }
    }

    /// Counts a citizen in every year they lived on 1 January.
    pub fn add(&mut self, person: &Person, life: &Life) {
        for (y, year) in self.years.iter().enumerate() {
            let jan1 = super::time::day(*year, 1, 1);
            if person.birth > jan1 || life.death.is_some_and(|d| d < jan1) {
                continue;
            }
            let age = (age_on(person.birth, jan1) as usize).min(AGES - 1);
            self.counts[(y * AGES + age) * 2 + usize::from(person.female)] += 1;
        }
    }

    /// Adds another chunk's counts.
    pub fn merge(&mut self, other: &Population) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// Writes the rows: every year, ages 0–110 (and any older with
    /// inhabitants), both sexes.
    pub fn write(&self, kode: &str, rows: &mut Rows) {
        for (y, year) in self.years.iter().enumerate() {
            for age in 0..AGES {
                for (sex, koen) in [(1, "K"), (0, "M")] {
                    let count = self.counts[(y * AGES + age) * 2 + sex];
                    if age <= 110 || count > 0 {
                        rows.befolkning.push(kode, *year, age as i32, koen, count as i32);
                    }
                }
            }
        }
    }
}
