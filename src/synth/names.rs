//! Danish-sounding names: plejeenheder, teams, FSIII conditions, courses,
//! drugs. Words the users see stay Danish.

use super::kommune::UnitKind;
use super::random::Rng;

const PLACE_FIRST: [&str; 32] = [
    "Skov", "Sø", "Bakke", "Eng", "Lunde", "Holm", "Mølle", "Strand", "Kirke", "Vester", "Øster", "Nørre", "Sønder",
    "Birke", "Ege", "Bøge", "Rose", "Lyng", "Lærke", "Fjord", "Kilde", "Bavne", "Elme", "Hassel", "Sol", "Åby",
    "Lille", "Nyhøj", "Tjørne", "Hyld", "Ravns", "Grøn",
];
const PLACE_LAST: [&str; 16] = [
    "vang", "høj", "gården", "lund", "haven", "toften", "parken", "bakken", "engen", "dal", "vænget", "hjemmet", "bo",
    "huset", "centret", "ly",
];
const DISTRICTS: [&str; 6] = ["Nord", "Syd", "Øst", "Vest", "Midt", "Centrum"];

/// A place-like name such as "Skovvang" or "Rosehaven".
fn place(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(&PLACE_FIRST), rng.pick(&PLACE_LAST))
}

/// Hands out unit names without repeats inside one municipality.
#[derive(Default)]
pub struct UnitNamer {
    used: Vec<String>,
}

impl UnitNamer {
    fn unique(&mut self, rng: &mut Rng, make: impl Fn(&mut Rng) -> String) -> String {
        for _ in 0..50 {
            let name = make(rng);
            if !self.used.contains(&name) {
                self.used.push(name.clone());
                return name;
            }
        }
        let name = format!("{} {}", make(rng), self.used.len() + 1);
        self.used.push(name.clone());
        name
    }

    /// A home care group: the compass districts first, then place names.
    pub fn hjemmepleje(&mut self, rng: &mut Rng, nth: usize) -> String {
        match DISTRICTS.get(nth) {
            Some(d) => self.unique(rng, |_| format!("Hjemmeplejen {d}")),
            None => self.unique(rng, |r| format!("Hjemmeplejen {}", place(r))),
        }
    }

    /// A nursing home.
    pub fn plejehjem(&mut self, rng: &mut Rng) -> String {
        self.unique(rng, |r| {
            let kind = *r.pick(&["Plejecenter", "Plejecenter", "Plejecentret", "Plejehjemmet", "Ældrecenter"]);
            format!("{kind} {}", place(r))
        })
    }

    /// A home nursing group.
    pub fn sygepleje(&mut self, rng: &mut Rng, nth: usize) -> String {
        match DISTRICTS.get(nth) {
            Some(d) => self.unique(rng, |_| format!("Sygeplejen {d}")),
            None => self.unique(rng, |r| format!("Sygeplejen {}", place(r))),
        }
    }

    /// A rehabilitation centre.
    pub fn genoptraening(&mut self, rng: &mut Rng, kommune: &str, nth: usize) -> String {
        if nth == 0 {
            self.unique(rng, |_| format!("Genoptræningscenter {kommune}"))
        } else {
            self.unique(rng, |r| format!("Træningscentret {}", place(r)))
        }
    }

    /// A dementia team.
    pub fn demens(&mut self, rng: &mut Rng, kommune: &str, nth: usize) -> String {
        if nth == 0 {
            self.unique(rng, |_| format!("Demensteamet {kommune}"))
        } else {
            self.unique(rng, |r| format!("Demensteamet {}", place(r)))
        }
    }
}

/// Team letters within a home care group.
pub fn team_name(unit: &str, team: u8) -> String {
    format!("{unit}, team {}", char::from(b'A' + team % 26))
}

/// FSIII functional conditions (funktionsevnetilstande) with how often they
/// are opened, and whether dementia makes them more likely.
pub const FUNKTIONSEVNE: [(&str, f64, bool); 16] = [
    ("Udføre personlig hygiejne", 1.0, false),
    ("Udføre praktiske opgaver i hjemmet", 1.0, false),
    ("Udføre daglige rutiner", 0.8, false),
    ("Lave mad", 0.7, false),
    ("Af- og påklædning", 0.7, false),
    ("Skaffe sig varer og serviceydelser", 0.6, false),
    ("Gå", 0.6, false),
    ("Bevæge sig omkring", 0.6, false),
    ("Færdes i forskellige omgivelser", 0.5, false),
    ("Spise", 0.4, false),
    ("Forflytte sig", 0.4, false),
    ("Toiletbesøg", 0.4, false),
    ("Hukommelse", 0.25, true),
    ("Orienteringsevne", 0.15, true),
    ("Emotionelle funktioner", 0.3, true),
    ("Energi og handlekraft", 0.3, false),
];

/// A nursing condition (FSIII sygeplejetilstand): its name, the SUL § 138
/// indsats that treats it, median duration in days, nurse visits a week and
/// how often it occurs.
pub struct NursingKind {
    pub tilstand: &'static str,
    pub indsats: &'static str,
    pub median_days: f64,
    pub visits_per_week: f64,
    pub weight: f64,
}

/// The nursing conditions the measures break down by.
pub const NURSING: [NursingKind; 6] = [
    NursingKind {
        tilstand: "Problemer med sår",
        indsats: "Sårbehandling",
        median_days: 35.0,
        visits_per_week: 3.0,
        weight: 0.30,
    },
    NursingKind {
        tilstand: "Problemer med tryksår",
        indsats: "Behandling af tryksår",
        median_days: 55.0,
        visits_per_week: 4.0,
        weight: 0.08,
    },
    NursingKind {
        tilstand: "Problemer med ernæring",
        indsats: "Ernæringsindsats",
        median_days: 80.0,
        visits_per_week: 1.0,
        weight: 0.15,
    },
    NursingKind {
        tilstand: "Problemer med vandladning",
        indsats: "Kateterpleje og blærefunktion",
        median_days: 120.0,
        visits_per_week: 1.0,
        weight: 0.14,
    },
    NursingKind {
        tilstand: "Problemer med mave og tarm",
        indsats: "Afføringsregulering",
        median_days: 30.0,
        visits_per_week: 1.0,
        weight: 0.13,
    },
    NursingKind {
        tilstand: "Problemer med smerter",
        indsats: "Smertebehandling",
        median_days: 60.0,
        visits_per_week: 1.5,
        weight: 0.20,
    },
];

/// Index of pressure ulcers in [`NURSING`] (more likely for the frailest).
pub const TRYKSAAR: usize = 1;

/// Common drugs among older citizens (ATC code, relative frequency).
pub const COMMON_DRUGS: [(&str, f64); 22] = [
    ("N02BE01", 0.12),
    ("C10AA05", 0.10),
    ("B01AC06", 0.08),
    ("C07AB02", 0.07),
    ("A02BC02", 0.07),
    ("C08CA01", 0.07),
    ("C03CA01", 0.06),
    ("B01AF02", 0.06),
    ("A12AX", 0.06),
    ("C09AA05", 0.05),
    ("A10BA02", 0.05),
    ("H03AA01", 0.04),
    ("N06AB10", 0.04),
    ("A06AD65", 0.04),
    ("G04CA02", 0.03),
    ("N05CF01", 0.03),
    ("N06AX11", 0.03),
    ("B03BA01", 0.03),
    ("M05BA04", 0.03),
    ("N02AA05", 0.02),
    ("R03AK06", 0.02),
    ("S01ED51", 0.01),
];

/// Antipsychotics (ATC N05A) prescribed to citizens with dementia, with
/// their shares: quetiapine, risperidone, olanzapine, haloperidol.
pub const ANTIPSYCHOTICS: [(&str, f64); 4] =
    [("N05AH04", 0.45), ("N05AX08", 0.35), ("N05AH03", 0.10), ("N05AD01", 0.10)];

/// Anti-dementia drugs: donepezil, memantine, rivastigmine.
pub const DEMENTIA_DRUGS: [(&str, f64); 3] = [("N06DA02", 0.6), ("N06DX01", 0.25), ("N06DA03", 0.15)];

/// Courses of a unit's own field, with how many each employee takes a
/// year.
pub fn unit_courses(kind: UnitKind) -> &'static [(&'static str, f64)] {
    match kind {
        UnitKind::Plejehjem | UnitKind::Demens => &[
            ("Blomsten", 0.05),
            ("Dementia Care Mapping", 0.04),
            ("demens grunduddannelse", 0.06),
            ("tidlig opsporing af demens", 0.04),
        ],
        UnitKind::Hjemmepleje => &[
            ("Blomsten", 0.02),
            ("Dementia Care Mapping", 0.01),
            ("demens grunduddannelse", 0.04),
            ("tidlig opsporing af demens", 0.05),
        ],
        UnitKind::Sygepleje => &[("tidlig opsporing af demens", 0.04), ("demens grunduddannelse", 0.03)],
        UnitKind::Genoptraening => &[
            ("træningsteknologi", 0.15),
            ("virtuel træning", 0.08),
            ("hverdagsrehabilitering", 0.1),
            ("motiverende samtale", 0.1),
            ("faldforebyggelse", 0.1),
        ],
    }
}

/// Courses staff complete, whatever their unit.
pub const COURSES: [&str; 10] = [
    "rehabilitering",
    "personcentreret pleje",
    "ABC demens",
    "forflytning",
    "medicinhåndtering",
    "hygiejne",
    "tidlig opsporing",
    "palliation",
    "sårpleje",
    "triage",
];

/// Special training (specialuddannelse) of some staff.
pub const SPECIAL_TRAINING: [&str; 6] =
    ["borgernær sygepleje", "demens", "sårpleje", "diabetes", "palliation", "rehabilitering"];
