//! The comparison markers of the national goals report: a measure's
//! [`Direction`], the three-colour development and level markers with their
//! ±1 % band on the displayed decimals, and the five-level scales of the
//! report's figures.
//!
//! # How the report defines the markers
//!
//! *Nationale mål for sundhedsvæsenet* (status 2018), "De enkelte
//! markeringer betyder":
//!
//! > Farvemarkeringen til venstre for tallet angiver udviklingen fra 2016 til
//! > 2017 for den enkelte region/kommune. — Positiv udvikling / Uændret
//! > udvikling / Negativ udvikling
//!
//! > Farvemarkeringen til højre for tallet angiver niveauet ift.
//! > landsgennemsnittet: — Bedre end landsgennemsnittet / På niveau med
//! > landsgennemsnittet / Dårligere end landsgennemsnittet
//!
//! > Den gule markering er beregnet indenfor en ændring på +/- 1 pct. Dette
//! > betyder, at hvis udviklingen er plus/minus 1 pct. antages udviklingen at
//! > være uændret, og hvis forskellen fra landsgennemsnittet er plus/minus
//! > 1 pct. antages regionen/kommunen som værende på niveau med
//! > landsgennemsnittet.
//!
//! and under the tables:
//!
//! > Farvemarkørerne er beregnet pba. det antal decimaler, der er vist i
//! > oversigten.
//!
//! # Reading "±1 pct." as relative: 1 % of the reference value
//!
//! The band is **relative**: the rounded value is "uændret" / "på niveau"
//! when it differs from the rounded reference (last period's value for
//! development, the national average for level) by at most 1 % *of the
//! reference*. Two reasons, both from the report itself:
//!
//! 1. The report distinguishes *pct.* from *pct. point*. Its figure legends
//!    say "pct. point" when they mean an absolute difference of
//!    percentages ("Positiv udvikling (-0,01 til -2 pct. point)", figures 1,
//!    2, 8, 9) and plain "pct." for a relative change ("Positiv udvikling
//!    (-10% til -0,01 pct.)", figure 10, a rate per 1.000 ældre). The marker
//!    text says "+/- 1 pct.", not "pct. point".
//! 2. The same markers are applied to indicators that are not percentages at
//!    all — days (ventetid, færdigbehandlingsdage), rates per 1.000 or
//!    100.000, scores 1–5, an index (produktivitet). "1 percentage point of
//!    days" means nothing; 1 % of the reference applies to every unit.
//!
//! Both numbers are first rounded to the displayed `decimals` (half away
//! from zero, as a spreadsheet rounds), then compared exactly: with `a` and
//! `b` the rounded value and reference, the marker is neutral when
//! `|a − b| ≤ 0.01·|b|` (the boundary counts as neutral: "plus/minus 1 pct."
//! includes 1 %). Example: 49.5 against 50.0 with one decimal is exactly 1 %
//! below, so on level; 49.4 is worse (for higher-is-better). 49.45 displays
//! as 49.5 and is on level too — the raw 1.1 % difference does not count.
//!
//! # Measures without a direction
//!
//! For [`Direction::None`] (no accepted direction, e.g. the number of
//! citizens receiving a service) a marker never says better or worse:
//! development is [`Development::Higher`] / [`Development::Unchanged`] /
//! [`Development::Lower`] and level [`Level::Above`] / [`Level::OnLevel`] /
//! [`Level::Below`], and [`Development::colour`] / [`Level::colour`] give no
//! green or red for them.

use serde::{Deserialize, Serialize};

/// Which way is good for a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher values are better (e.g. share of citizens re-assessed).
    HigherIsBetter,
    /// Lower values are better (e.g. readmissions, waiting time).
    LowerIsBetter,
    /// No accepted direction.
    None,
}

impl Direction {
    /// `"higher_is_better"`, `"lower_is_better"` or `"none"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher_is_better",
            Direction::LowerIsBetter => "lower_is_better",
            Direction::None => "none",
        }
    }

    /// "højere er bedre", "lavere er bedre", "ingen retning".
    pub fn label_da(&self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "højere er bedre",
            Direction::LowerIsBetter => "lavere er bedre",
            Direction::None => "ingen retning",
        }
    }

    /// +1 when higher is better, −1 when lower is better, 0 for none.
    fn sign(self) -> i8 {
        match self {
            Direction::HigherIsBetter => 1,
            Direction::LowerIsBetter => -1,
            Direction::None => 0,
        }
    }
}

/// The report's traffic-light colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrafficLight {
    /// Positive development / better than the national average.
    Green,
    /// Within ±1 %.
    Yellow,
    /// Negative development / worse than the national average.
    Red,
}

impl TrafficLight {
    /// `"green"`, `"yellow"` or `"red"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            TrafficLight::Green => "green",
            TrafficLight::Yellow => "yellow",
            TrafficLight::Red => "red",
        }
    }

    /// "grøn", "gul" or "rød".
    pub fn label_da(&self) -> &'static str {
        match self {
            TrafficLight::Green => "grøn",
            TrafficLight::Yellow => "gul",
            TrafficLight::Red => "rød",
        }
    }
}

/// Development since the previous period (the marker left of the number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Development {
    /// Moved more than 1 % in the good direction.
    Positive,
    /// Within ±1 % of the previous value.
    Unchanged,
    /// Moved more than 1 % in the bad direction.
    Negative,
    /// Rose more than 1 %; only for [`Direction::None`].
    Higher,
    /// Fell more than 1 %; only for [`Direction::None`].
    Lower,
}

impl Development {
    /// Every marker.
    pub const ALL: [Development; 5] =
        [Development::Positive, Development::Unchanged, Development::Negative, Development::Higher, Development::Lower];

    /// The marker named by [`Development::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// `"positive"`, `"unchanged"`, `"negative"`, `"higher"` or `"lower"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Development::Positive => "positive",
            Development::Unchanged => "unchanged",
            Development::Negative => "negative",
            Development::Higher => "higher",
            Development::Lower => "lower",
        }
    }

    /// The report's words: "Positiv udvikling", "Uændret udvikling",
    /// "Negativ udvikling"; for undirected measures "Stigning" / "Fald".
    pub fn label_da(&self) -> &'static str {
        match self {
            Development::Positive => "Positiv udvikling",
            Development::Unchanged => "Uændret udvikling",
            Development::Negative => "Negativ udvikling",
            Development::Higher => "Stigning",
            Development::Lower => "Fald",
        }
    }

    /// Green / yellow / red; `None` for [`Development::Higher`] and
    /// [`Development::Lower`], which are neither good nor bad.
    pub fn colour(&self) -> Option<TrafficLight> {
        match self {
            Development::Positive => Some(TrafficLight::Green),
            Development::Unchanged => Some(TrafficLight::Yellow),
            Development::Negative => Some(TrafficLight::Red),
            Development::Higher | Development::Lower => None,
        }
    }
}

/// Level against a reference, normally the national average (the marker
/// right of the number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// More than 1 % better than the reference.
    Better,
    /// Within ±1 % of the reference.
    OnLevel,
    /// More than 1 % worse than the reference.
    Worse,
    /// More than 1 % above; only for [`Direction::None`].
    Above,
    /// More than 1 % below; only for [`Direction::None`].
    Below,
}

impl Level {
    /// Every marker.
    pub const ALL: [Level; 5] = [Level::Better, Level::OnLevel, Level::Worse, Level::Above, Level::Below];

    /// The marker named by [`Level::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == text)
    }

    /// `"better"`, `"on_level"`, `"worse"`, `"above"` or `"below"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Level::Better => "better",
            Level::OnLevel => "on_level",
            Level::Worse => "worse",
            Level::Above => "above",
            Level::Below => "below",
        }
    }

    /// The report's words: "Bedre end landsgennemsnittet", "På niveau med
    /// landsgennemsnittet", "Dårligere end landsgennemsnittet"; for
    /// undirected measures "Over landsgennemsnittet" / "Under
    /// landsgennemsnittet" (the wording of the report's figure 9).
    pub fn label_da(&self) -> &'static str {
        match self {
            Level::Better => "Bedre end landsgennemsnittet",
            Level::OnLevel => "På niveau med landsgennemsnittet",
            Level::Worse => "Dårligere end landsgennemsnittet",
            Level::Above => "Over landsgennemsnittet",
            Level::Below => "Under landsgennemsnittet",
        }
    }

    /// Green / yellow / red; `None` for [`Level::Above`] and [`Level::Below`].
    pub fn colour(&self) -> Option<TrafficLight> {
        match self {
            Level::Better => Some(TrafficLight::Green),
            Level::OnLevel => Some(TrafficLight::Yellow),
            Level::Worse => Some(TrafficLight::Red),
            Level::Above | Level::Below => None,
        }
    }
}

/// `value` rounded to `decimals` decimals, half away from zero, returned as
/// an integer count of `10^-decimals` units (so 49.45 at one decimal is
/// 495). A value whose scaled fraction is within 1e-9 (relative) of one half
/// counts as exactly one half, so computed values such as
/// `100.0 * 57.0 / 200.0 = 28.499999999999996` round as the 28.5 they
/// stand for. `None` for non-finite values or beyond ±9·10^15 units.
pub fn round_scaled(value: f64, decimals: u32) -> Option<i64> {
    if !value.is_finite() || decimals > 15 {
        return None;
    }
    let y = value.abs() * 10f64.powi(decimals as i32);
    if y > 9.0e15 {
        return None;
    }
    let floor = y.floor();
    let frac = y - floor;
    let up = if (frac - 0.5).abs() <= 1e-9 * y.max(1.0) { true } else { frac > 0.5 };
    let r = (floor as i64) + i64::from(up);
    Some(if value < 0.0 { -r } else { r })
}

/// `value` as displayed with `decimals` decimals (see [`round_scaled`]).
pub fn round_displayed(value: f64, decimals: u32) -> Option<f64> {
    round_scaled(value, decimals).map(|r| r as f64 / 10f64.powi(decimals as i32))
}

/// How the yellow band of the markers is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BandKind {
    /// A share of the reference value (the report's "+/- 1 pct.").
    Relative,
    /// In the measure's own unit.
    Absolute,
}

/// The yellow band: a difference within it is "uændret" / "på niveau". The
/// width is held in millionths so that comparisons on rounded values are
/// exact integer arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Band {
    kind: BandKind,
    /// The width in millionths: 10 000 for 0.01.
    micros: i128,
    /// Whether a difference of exactly the width is inside the band.
    inclusive: bool,
}

impl Band {
    /// A band of `width` (e.g. 0.01 for ±1 % relative); `None` unless the
    /// width is finite, non-negative and a whole number of millionths.
    pub fn new(kind: BandKind, width: f64, inclusive: bool) -> Option<Band> {
        let micros = (width * 1e6).round();
        let exact = (width * 1e6 - micros).abs() < 1e-6;
        (width.is_finite() && width >= 0.0 && exact && micros < 1e18).then_some(Band {
            kind,
            micros: micros as i128,
            inclusive,
        })
    }

    /// The band's kind.
    pub fn kind(&self) -> BandKind {
        self.kind
    }

    /// The band's width (0.01 for ±1 %).
    pub fn width(&self) -> f64 {
        self.micros as f64 / 1e6
    }
}

/// Compares the rounded `value` with the rounded `reference`: −1, 0 or +1,
/// where 0 means within the band (see the module docs).
fn band(value: f64, reference: f64, decimals: u32, band: Band) -> Option<i8> {
    let a = i128::from(round_scaled(value, decimals)?);
    let b = i128::from(round_scaled(reference, decimals)?);
    // Relative: |a − b| ≤ w·|b|; absolute: |a − b| ≤ w·10^decimals (a and b
    // count 10^-decimals units). Both sides times 10^6, exact in integers.
    let difference = 1_000_000 * (a - b).abs();
    let limit = match band.kind {
        BandKind::Relative => band.micros * b.abs(),
        BandKind::Absolute => band.micros * 10i128.pow(decimals),
    };
    let inside = if band.inclusive { difference <= limit } else { difference < limit };
    Some(if inside {
        0
    } else if a > b {
        1
    } else {
        -1
    })
}

/// The development marker for `current` against `previous`, both rounded to
/// the displayed `decimals` first, with `width` (the report: ±1 % relative
/// to `previous`, see the module docs). `None` when either value is not
/// finite.
pub fn development(
    current: f64,
    previous: f64,
    decimals: u32,
    direction: Direction,
    width: Band,
) -> Option<Development> {
    let s = band(current, previous, decimals, width)?;
    Some(match (s, direction.sign()) {
        (0, _) => Development::Unchanged,
        (s, 0) if s > 0 => Development::Higher,
        (_, 0) => Development::Lower,
        (s, d) if s == d => Development::Positive,
        _ => Development::Negative,
    })
}

/// The level marker for `value` against `reference` (the national
/// average), both rounded to the displayed `decimals` first, with `width`
/// (the report: ±1 % relative to `reference`). `None` when either value is
/// not finite.
pub fn level(value: f64, reference: f64, decimals: u32, direction: Direction, width: Band) -> Option<Level> {
    let s = band(value, reference, decimals, width)?;
    Some(match (s, direction.sign()) {
        (0, _) => Level::OnLevel,
        (s, 0) if s > 0 => Level::Above,
        (_, 0) => Level::Below,
        (s, d) if s == d => Level::Better,
        _ => Level::Worse,
    })
}

/// The threshold of a five-level scale: a difference larger than it (in
/// absolute value) is "betydelig". The report's scales are in
/// `catalog/nationale-maal.toml` (`[[scales]]`); the catalogue turns each
/// into one of these.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FiveLevelScale {
    /// An absolute difference in the measure's own unit (percentage points,
    /// days).
    Absolute(f64),
    /// A relative difference in percent of the reference.
    Relative(f64),
}

/// Five-level classification of a difference, as in the report's maps
/// (figures 1, 2, 4, 5, 8, 9, 10). The variants say which way the number
/// moved; the words good/bad depend on the measure's [`Direction`] and are
/// given by [`FiveLevel::development_label_da`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FiveLevel {
    /// Lower by more than the threshold.
    MuchLower,
    /// Lower, by at most the threshold.
    Lower,
    /// Equal on the displayed decimals ("0 pct. point").
    Same,
    /// Higher, by at most the threshold.
    Higher,
    /// Higher by more than the threshold.
    MuchHigher,
}

impl FiveLevel {
    /// `"much_lower"`, `"lower"`, `"same"`, `"higher"`, `"much_higher"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            FiveLevel::MuchLower => "much_lower",
            FiveLevel::Lower => "lower",
            FiveLevel::Same => "same",
            FiveLevel::Higher => "higher",
            FiveLevel::MuchHigher => "much_higher",
        }
    }

    /// A direction-free Danish label: "Betydeligt lavere", "Lavere",
    /// "Uændret", "Højere", "Betydeligt højere".
    pub fn label_da(&self) -> &'static str {
        match self {
            FiveLevel::MuchLower => "Betydeligt lavere",
            FiveLevel::Lower => "Lavere",
            FiveLevel::Same => "Uændret",
            FiveLevel::Higher => "Højere",
            FiveLevel::MuchHigher => "Betydeligt højere",
        }
    }

    /// −2 … +2 in the measure's good direction (+2 "betydelig positiv");
    /// `None` for [`Direction::None`].
    pub fn score(&self, direction: Direction) -> Option<i8> {
        let raw = match self {
            FiveLevel::MuchLower => -2,
            FiveLevel::Lower => -1,
            FiveLevel::Same => 0,
            FiveLevel::Higher => 1,
            FiveLevel::MuchHigher => 2,
        };
        match direction.sign() {
            0 => None,
            d => Some(raw * d),
        }
    }

    /// The report's development legend for this class: "Betydelig positiv
    /// udvikling", "Positiv udvikling", "Neutral udvikling", "Negativ
    /// udvikling", "Betydelig negativ udvikling"; for [`Direction::None`]
    /// "Betydelig stigning", "Stigning", "Neutral udvikling", "Fald",
    /// "Betydeligt fald".
    pub fn development_label_da(&self, direction: Direction) -> &'static str {
        match self.score(direction) {
            Some(2) => "Betydelig positiv udvikling",
            Some(1) => "Positiv udvikling",
            Some(-1) => "Negativ udvikling",
            Some(-2) => "Betydelig negativ udvikling",
            Some(_) => "Neutral udvikling",
            None => match self {
                FiveLevel::MuchHigher => "Betydelig stigning",
                FiveLevel::Higher => "Stigning",
                FiveLevel::Same => "Neutral udvikling",
                FiveLevel::Lower => "Fald",
                FiveLevel::MuchLower => "Betydeligt fald",
            },
        }
    }

    /// The report's level legend (figure 9), which is direction-free:
    /// "Betydeligt over landsgennemsnittet", "Over landsgennemsnittet",
    /// "Landsgennemsnittet", "Under landsgennemsnittet", "Betydeligt under
    /// landsgennemsnittet".
    pub fn level_label_da(&self) -> &'static str {
        match self {
            FiveLevel::MuchHigher => "Betydeligt over landsgennemsnittet",
            FiveLevel::Higher => "Over landsgennemsnittet",
            FiveLevel::Same => "Landsgennemsnittet",
            FiveLevel::Lower => "Under landsgennemsnittet",
            FiveLevel::MuchLower => "Betydeligt under landsgennemsnittet",
        }
    }
}

/// Classifies `value` against `reference` (the previous period, or the
/// national average) on a five-level `scale`, after rounding both to the
/// displayed `decimals`.
///
/// The legends give the classes as ranges in steps of 0,01 ("Positiv
/// udvikling (-0,01 til -2 pct. point)", "Neutral udvikling (0 pct.
/// point)", "Betydelig positiv udvikling (Under -2 pct. point)"), so:
/// [`FiveLevel::Same`] when the rounded values are equal; "betydelig" when
/// the difference is strictly larger than the threshold (exactly 2 pct.
/// point is still ordinary); otherwise [`FiveLevel::Lower`] /
/// [`FiveLevel::Higher`]. For a [`FiveLevelScale::Relative`] scale the
/// difference is `100·(value − reference)/reference` percent.
///
/// `None` for non-finite input, and for a relative scale with a rounded
/// reference of 0 and a different value (no percent change from zero).
pub fn five_level(value: f64, reference: f64, decimals: u32, scale: FiveLevelScale) -> Option<FiveLevel> {
    let a = i128::from(round_scaled(value, decimals)?);
    let b = i128::from(round_scaled(reference, decimals)?);
    let d = a - b;
    if d == 0 {
        return Some(FiveLevel::Same);
    }
    let much = match scale {
        FiveLevelScale::Absolute(threshold) => {
            let t = i128::from(round_scaled(threshold, decimals)?);
            d.abs() > t
        }
        FiveLevelScale::Relative(percent) => {
            if b == 0 {
                return None;
            }
            // 100·|d|/|b| > percent, in exact arithmetic on the integers.
            (100 * d.abs()) as f64 > percent * b.abs() as f64
        }
    };
    Some(match (d > 0, much) {
        (true, true) => FiveLevel::MuchHigher,
        (true, false) => FiveLevel::Higher,
        (false, true) => FiveLevel::MuchLower,
        (false, false) => FiveLevel::Lower,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report's band: "Den gule markering er beregnet indenfor en ændring
    /// på +/- 1 pct." (relative, boundary included; see the module docs).
    const B: Band = Band { kind: BandKind::Relative, micros: 10_000, inclusive: true };
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};

    fn from_str<'a, T: Deserialize<'a>>(s: &'a str) -> T {
        let d: StrDeserializer<'a, DeError> = s.into_deserializer();
        T::deserialize(d).unwrap()
    }

    #[test]
    fn direction_names_and_serde() {
        for d in [Direction::HigherIsBetter, Direction::LowerIsBetter, Direction::None] {
            assert_eq!(from_str::<Direction>(d.as_str()), d);
        }
        assert_eq!(Direction::HigherIsBetter.as_str(), "higher_is_better");
        assert_eq!(Direction::LowerIsBetter.as_str(), "lower_is_better");
        assert_eq!(Direction::None.as_str(), "none");
        for d in [
            Development::Positive,
            Development::Unchanged,
            Development::Negative,
            Development::Higher,
            Development::Lower,
        ] {
            assert_eq!(from_str::<Development>(d.as_str()), d);
        }
        for l in Level::ALL {
            assert_eq!(from_str::<Level>(l.as_str()), l);
            assert_eq!(Level::parse(l.as_str()), Some(l));
        }
        for d in Development::ALL {
            assert_eq!(Development::parse(d.as_str()), Some(d));
        }
        assert_eq!(Level::parse("bedre"), None);
        for f in [FiveLevel::MuchLower, FiveLevel::Lower, FiveLevel::Same, FiveLevel::Higher, FiveLevel::MuchHigher] {
            assert_eq!(from_str::<FiveLevel>(f.as_str()), f);
        }
    }

    #[test]
    fn rounding_half_away_from_zero() {
        assert_eq!(round_scaled(49.45, 1), Some(495));
        assert_eq!(round_scaled(49.44, 1), Some(494));
        assert_eq!(round_scaled(-49.45, 1), Some(-495));
        assert_eq!(round_scaled(0.285, 2), Some(29)); // 0.285 is 0.28499999… in binary
        assert_eq!(round_scaled(100.0 * 57.0 / 200.0, 0), Some(29)); // 28.499999999999996
        assert_eq!(round_scaled(2.5, 0), Some(3));
        assert_eq!(round_scaled(f64::NAN, 1), None);
        assert_eq!(round_displayed(11.649, 1), Some(11.6));
    }

    // The report's own example of the ±1 % band, on one displayed decimal
    // (table 2 shows rates with one decimal): 49.5 against 50.0 is exactly
    // 1 % below, so "på niveau"; 49.4 is 1.2 % below.
    #[test]
    fn level_band_boundary_with_one_decimal() {
        let h = Direction::HigherIsBetter;
        assert_eq!(level(49.5, 50.0, 1, h, B), Some(Level::OnLevel));
        assert_eq!(level(50.5, 50.0, 1, h, B), Some(Level::OnLevel));
        assert_eq!(level(49.4, 50.0, 1, h, B), Some(Level::Worse));
        assert_eq!(level(50.6, 50.0, 1, h, B), Some(Level::Better));
        // Rounded first: 49.45 shows as 49.5 and is on level although the
        // raw difference is 1.1 %; 49.449 shows as 49.4 and is worse.
        assert_eq!(level(49.45, 50.0, 1, h, B), Some(Level::OnLevel));
        assert_eq!(level(49.449, 50.0, 1, h, B), Some(Level::Worse));
        // Lower is better flips the colours.
        let l = Direction::LowerIsBetter;
        assert_eq!(level(49.4, 50.0, 1, l, B), Some(Level::Better));
        assert_eq!(level(50.6, 50.0, 1, l, B), Some(Level::Worse));
        // The band is relative: at 11.6 (readmissions, national 2017) the
        // band is ±0.116, so 11.7 is on level and 11.8 is not.
        assert_eq!(level(11.7, 11.6, 1, l, B), Some(Level::OnLevel));
        assert_eq!(level(11.8, 11.6, 1, l, B), Some(Level::Worse));
        // With no decimals (ventetid til genoptræning, national 12 dage) the
        // band is ±0.12 days: any whole-day difference counts.
        assert_eq!(level(13.0, 12.0, 0, l, B), Some(Level::Worse));
        assert_eq!(level(12.4, 12.0, 0, l, B), Some(Level::OnLevel));
    }

    #[test]
    fn band_kinds_and_boundaries() {
        let h = Direction::HigherIsBetter;
        // Exclusive: exactly 1 % below is no longer on level.
        let exclusive = Band::new(BandKind::Relative, 0.01, false).unwrap();
        assert_eq!(level(49.5, 50.0, 1, h, exclusive), Some(Level::Worse));
        assert_eq!(level(49.6, 50.0, 1, h, exclusive), Some(Level::OnLevel));
        // Absolute ±0.5 in the measure's unit: 49.5 against 50.0 is inside,
        // 49.4 outside, at any level of the reference.
        let absolute = Band::new(BandKind::Absolute, 0.5, true).unwrap();
        assert_eq!(level(49.5, 50.0, 1, h, absolute), Some(Level::OnLevel));
        assert_eq!(level(49.4, 50.0, 1, h, absolute), Some(Level::Worse));
        assert_eq!(level(1.4, 1.0, 1, h, absolute), Some(Level::OnLevel));
        assert_eq!(Band::new(BandKind::Relative, 0.01, true), Some(B));
        assert_eq!(B.width(), 0.01);
        assert!(Band::new(BandKind::Relative, f64::NAN, true).is_none());
        assert!(Band::new(BandKind::Relative, -0.01, true).is_none());
        assert!(Band::new(BandKind::Relative, 1e-7, true).is_none());
    }

    #[test]
    fn development_markers() {
        let h = Direction::HigherIsBetter;
        assert_eq!(development(80.9, 80.1, 1, h, B), Some(Development::Unchanged));
        assert_eq!(development(81.0, 80.1, 1, h, B), Some(Development::Positive));
        assert_eq!(development(79.2, 80.1, 1, h, B), Some(Development::Negative));
        assert_eq!(development(79.2, 80.1, 1, Direction::LowerIsBetter, B), Some(Development::Positive));
        assert_eq!(development(f64::NAN, 1.0, 1, h, B), None);
        // From zero: only zero is unchanged.
        assert_eq!(development(0.0, 0.0, 1, h, B), Some(Development::Unchanged));
        assert_eq!(development(0.1, 0.0, 1, h, B), Some(Development::Positive));
        assert_eq!(Development::Positive.colour(), Some(TrafficLight::Green));
        assert_eq!(Development::Unchanged.label_da(), "Uændret udvikling");
    }

    #[test]
    fn no_direction_never_says_better_or_worse() {
        let n = Direction::None;
        assert_eq!(development(81.0, 80.1, 1, n, B), Some(Development::Higher));
        assert_eq!(development(79.0, 80.1, 1, n, B), Some(Development::Lower));
        assert_eq!(development(80.5, 80.1, 1, n, B), Some(Development::Unchanged));
        assert_eq!(level(60.0, 50.0, 1, n, B), Some(Level::Above));
        assert_eq!(level(40.0, 50.0, 1, n, B), Some(Level::Below));
        assert_eq!(level(49.5, 50.0, 1, n, B), Some(Level::OnLevel));
        for d in [Development::Higher, Development::Lower] {
            assert_eq!(d.colour(), None);
        }
        for l in [Level::Above, Level::Below] {
            assert_eq!(l.colour(), None);
        }
        assert_eq!(FiveLevel::MuchHigher.score(n), None);
        assert_eq!(FiveLevel::MuchHigher.development_label_da(n), "Betydelig stigning");
    }

    #[test]
    fn labels_are_the_reports_words() {
        assert_eq!(Level::Better.label_da(), "Bedre end landsgennemsnittet");
        assert_eq!(Level::OnLevel.label_da(), "På niveau med landsgennemsnittet");
        assert_eq!(Level::Worse.label_da(), "Dårligere end landsgennemsnittet");
        assert_eq!(Development::Negative.label_da(), "Negativ udvikling");
        assert_eq!(TrafficLight::Yellow.label_da(), "gul");
    }

    // Figures 1–2: readmissions, lower is better, ±2 percentage points.
    #[test]
    fn five_level_figure_1_readmissions() {
        let s = FiveLevelScale::Absolute(2.0);
        let l = Direction::LowerIsBetter;
        let lab = |v: f64, r: f64| five_level(v, r, 1, s).unwrap().development_label_da(l);
        assert_eq!(lab(9.5, 11.6), "Betydelig positiv udvikling"); // −2.1: "Under -2"
        assert_eq!(lab(9.6, 11.6), "Positiv udvikling"); // −2.0: "-0,01 til -2"
        assert_eq!(lab(11.5, 11.6), "Positiv udvikling");
        assert_eq!(lab(11.6, 11.6), "Neutral udvikling"); // "0 pct. point"
        assert_eq!(lab(13.6, 11.6), "Negativ udvikling"); // +2.0: "0,01 til 2"
        assert_eq!(lab(13.7, 11.6), "Betydelig negativ udvikling"); // "Over 2"
    }

    // Figure 8: fastholdelse, higher is better, ±2.5 percentage points.
    #[test]
    fn five_level_figure_8_employment() {
        let s = FiveLevelScale::Absolute(2.5);
        let h = Direction::HigherIsBetter;
        assert_eq!(five_level(83.5, 80.9, 1, s).unwrap().development_label_da(h), "Betydelig positiv udvikling");
        assert_eq!(five_level(83.4, 80.9, 1, s).unwrap().development_label_da(h), "Positiv udvikling");
        assert_eq!(five_level(78.4, 80.9, 1, s).unwrap().development_label_da(h), "Negativ udvikling");
        assert_eq!(five_level(78.3, 80.9, 1, s).unwrap().development_label_da(h), "Betydelig negativ udvikling");
    }

    // Figure 9: level against the national average, ±5 percentage points,
    // direction-free labels.
    #[test]
    fn five_level_figure_9_level() {
        let s = FiveLevelScale::Absolute(5.0);
        let lab = |v: f64| five_level(v, 49.9, 1, s).unwrap().level_label_da();
        assert_eq!(lab(55.0), "Betydeligt over landsgennemsnittet");
        assert_eq!(lab(54.9), "Over landsgennemsnittet");
        assert_eq!(lab(49.9), "Landsgennemsnittet");
        assert_eq!(lab(44.9), "Under landsgennemsnittet");
        assert_eq!(lab(44.8), "Betydeligt under landsgennemsnittet");
    }

    // Figure 10: forebyggelige indlæggelser per 1.000 ældre, ±10 % relative.
    #[test]
    fn five_level_figure_10_relative() {
        let s = FiveLevelScale::Relative(10.0);
        let l = Direction::LowerIsBetter;
        // Against 59.0: 10 % is 5.9.
        assert_eq!(five_level(53.1, 59.0, 1, s), Some(FiveLevel::Lower)); // exactly −10 %
        assert_eq!(five_level(53.0, 59.0, 1, s), Some(FiveLevel::MuchLower));
        assert_eq!(five_level(64.9, 59.0, 1, s), Some(FiveLevel::Higher)); // +10 %
        assert_eq!(five_level(65.0, 59.0, 1, s), Some(FiveLevel::MuchHigher));
        assert_eq!(FiveLevel::MuchLower.development_label_da(l), "Betydelig positiv udvikling");
        assert_eq!(five_level(1.0, 0.0, 1, s), None);
        assert_eq!(five_level(0.0, 0.0, 1, s), Some(FiveLevel::Same));
    }

    // Figures 4–5: days, ±5.
    #[test]
    fn five_level_figure_4_days() {
        let s = FiveLevelScale::Absolute(5.0);
        assert_eq!(five_level(8.6, 3.6, 1, s), Some(FiveLevel::Higher));
        assert_eq!(five_level(8.7, 3.6, 1, s), Some(FiveLevel::MuchHigher));
    }
}
