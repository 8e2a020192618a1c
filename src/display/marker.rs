//! How the markers look: a tone (colour), a symbol and words for the
//! development and level markers and for the SPC signal of a point, so that
//! every marker reads without colour.
//!
//! The tones follow NHS England's "Making Data Count" icons: blue for an
//! improvement, orange for a concern, grey for no change (common cause),
//! purple for a change in a measure with no accepted direction. Blue and
//! orange are told apart by people with red–green colour blindness (the
//! Okabe–Ito palette), and each marker also carries a symbol (▲ ▼ =) and a
//! word. The SPC signal colour is Okabe–Ito's vermillion.

use crate::results::{LevelReference, RowStatistics};
use crate::stats::markers::{Development, Direction, Level, TrafficLight};

/// Fewer points than this are too few to judge variation in a run chart
/// (Anhøj's rules need about 12 useful points; qicharts2's guidance).
pub const MIN_SPC_POINTS: usize = 12;

/// The colour class of a marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// A change or level in the good direction.
    Improvement,
    /// A change or level in the bad direction.
    Concern,
    /// No change, on level, or no signal.
    Neutral,
    /// A change in a measure with no accepted direction.
    Undirected,
    /// A statistical signal (SPC) that says nothing about good or bad.
    Signal,
}

impl Tone {
    /// The class name suffix: `improvement`, `concern`, `neutral`,
    /// `undirected`, `signal`.
    pub fn name(self) -> &'static str {
        match self {
            Tone::Improvement => "improvement",
            Tone::Concern => "concern",
            Tone::Neutral => "neutral",
            Tone::Undirected => "undirected",
            Tone::Signal => "signal",
        }
    }

    /// The strong colour (symbols, lines, text).
    pub fn colour(self) -> &'static str {
        match self {
            Tone::Improvement => "#0060a0",
            Tone::Concern => "#a85400",
            Tone::Neutral => "#555555",
            Tone::Undirected => "#6a3d9a",
            Tone::Signal => "#d55e00",
        }
    }

    /// The light background of a badge.
    pub fn background(self) -> &'static str {
        match self {
            Tone::Improvement => "#dcebf7",
            Tone::Concern => "#fde5c8",
            Tone::Neutral => "#eeeeee",
            Tone::Undirected => "#ece3f4",
            Tone::Signal => "#fbe0d0",
        }
    }

    fn of(light: Option<TrafficLight>) -> Tone {
        match light {
            Some(TrafficLight::Green) => Tone::Improvement,
            Some(TrafficLight::Yellow) => Tone::Neutral,
            Some(TrafficLight::Red) => Tone::Concern,
            None => Tone::Undirected,
        }
    }
}

/// A marker as shown: symbol, a short word, the full wording, the tone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// `▲`, `▼`, `=` or `!`.
    pub symbol: &'static str,
    /// A short word for tables: `Positiv`, `Bedre`, `Signal`.
    pub word: String,
    /// The full wording, e.g. "Positiv udvikling (faldet)".
    pub long: String,
    /// The colour class.
    pub tone: Tone,
}

/// ▲ when the number rose, ▼ when it fell, given whether the change was in
/// the good direction.
fn arrow(good: bool, direction: Direction) -> &'static str {
    match (good, direction) {
        (true, Direction::LowerIsBetter) | (false, Direction::HigherIsBetter) => "▼",
        _ => "▲",
    }
}

/// The development marker: the arrow shows which way the number moved, the
/// word and colour whether that is good.
pub fn development(marker: Development, direction: Direction) -> Marker {
    let (symbol, word, moved) = match marker {
        Development::Positive => (arrow(true, direction), "Positiv", moved(arrow(true, direction))),
        Development::Negative => (arrow(false, direction), "Negativ", moved(arrow(false, direction))),
        Development::Unchanged => ("=", "Uændret", " (inden for ±1 %)"),
        Development::Higher => ("▲", "Stigning", ""),
        Development::Lower => ("▼", "Fald", ""),
    };
    Marker {
        symbol,
        word: word.to_string(),
        long: format!("{}{moved} siden forrige periode", marker.label_da()),
        tone: Tone::of(marker.colour()),
    }
}

fn moved(arrow: &str) -> &'static str {
    if arrow == "▲" { " (steget)" } else { " (faldet)" }
}

/// What the level was compared with, in words: "landsgennemsnittet" or
/// "gennemsnittet for alle enheder".
pub fn reference_da(reference: Option<LevelReference>) -> &'static str {
    match reference {
        Some(LevelReference::Overall) => "gennemsnittet for alle enheder",
        _ => "landsgennemsnittet",
    }
}

/// The level marker against its reference (the national value, or the
/// value over all units).
pub fn level(marker: Level, reference: Option<LevelReference>, direction: Direction) -> Marker {
    let against = reference_da(reference);
    let (symbol, word, long) = match marker {
        Level::Better => (arrow(true, direction), "Bedre", format!("Bedre end {against}")),
        Level::Worse => (arrow(false, direction), "Dårligere", format!("Dårligere end {against}")),
        Level::OnLevel => ("=", "På niveau", format!("På niveau med {against} (±1 %)")),
        Level::Above => ("▲", "Over", format!("Over {against}")),
        Level::Below => ("▼", "Under", format!("Under {against}")),
    };
    Marker { symbol, word: word.to_string(), long, tone: Tone::of(marker.colour()) }
}

/// The SPC reading of one point of a series with `points` shown points:
/// a runs signal (Anhøj), a point outside the control limits, too few points
/// to judge, or no signal. `None` when no SPC was computed.
pub fn spc(statistics: &RowStatistics, points: usize) -> Option<Marker> {
    let spc = &statistics.spc;
    spc.median?;
    let run = spc.run_signal == Some(true);
    let crossings = spc.crossings_signal == Some(true);
    let outside = spc.outside == Some(true);
    let signal = |word: &str, long: String| Some(Marker { symbol: "!", word: word.into(), long, tone: Tone::Signal });
    if run || crossings {
        let why = match (run, crossings) {
            (true, true) => "for lange serier og for få krydsninger af medianen",
            (true, false) => "en for lang serie på samme side af medianen",
            _ => "for få krydsninger af medianen",
        };
        let also = if outside { "; punktet ligger uden for kontrolgrænserne" } else { "" };
        return signal("Signal", format!("Ikke-tilfældig variation (Anhøj): {why}{also}"));
    }
    if outside {
        return signal("Uden for grænser", "Punktet ligger uden for kontrolgrænserne".into());
    }
    if points < MIN_SPC_POINTS {
        return Some(Marker {
            symbol: "…",
            word: "For få punkter".into(),
            long: format!("For få punkter til at vurdere variation ({points} af mindst {MIN_SPC_POINTS})"),
            tone: Tone::Neutral,
        });
    }
    Some(Marker {
        symbol: "○",
        word: "Intet signal".into(),
        long: format!("Tilfældig variation: intet signal i {points} punkter (Anhøj)"),
        tone: Tone::Neutral,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn development_arrows_follow_the_number_and_colours_the_direction() {
        let m = development(Development::Positive, Direction::LowerIsBetter);
        assert_eq!((m.symbol, m.word.as_str(), m.tone), ("▼", "Positiv", Tone::Improvement));
        assert_eq!(m.long, "Positiv udvikling (faldet) siden forrige periode");
        let m = development(Development::Negative, Direction::LowerIsBetter);
        assert_eq!((m.symbol, m.tone), ("▲", Tone::Concern));
        let m = development(Development::Negative, Direction::HigherIsBetter);
        assert_eq!((m.symbol, m.tone), ("▼", Tone::Concern));
        let m = development(Development::Higher, Direction::None);
        assert_eq!((m.symbol, m.word.as_str(), m.tone), ("▲", "Stigning", Tone::Undirected));
        assert_eq!(development(Development::Unchanged, Direction::None).tone, Tone::Neutral);
    }

    #[test]
    fn level_words_name_the_reference() {
        let m = level(Level::Worse, Some(LevelReference::Overall), Direction::HigherIsBetter);
        assert_eq!((m.symbol, m.tone), ("▼", Tone::Concern));
        assert_eq!(m.long, "Dårligere end gennemsnittet for alle enheder");
        let m = level(Level::Better, Some(LevelReference::National), Direction::LowerIsBetter);
        assert_eq!((m.symbol, m.long.as_str()), ("▼", "Bedre end landsgennemsnittet"));
        assert_eq!(level(Level::Above, None, Direction::None).tone, Tone::Undirected);
    }

    #[test]
    fn spc_says_too_few_points_rather_than_no_signal() {
        let mut s = RowStatistics::default();
        assert_eq!(spc(&s, 20), None);
        s.spc.median = Some(10.0);
        s.spc.run_signal = Some(false);
        s.spc.crossings_signal = Some(false);
        assert_eq!(spc(&s, 7).unwrap().long, "For få punkter til at vurdere variation (7 af mindst 12)");
        assert_eq!(spc(&s, 12).unwrap().word, "Intet signal");
        s.spc.crossings_signal = Some(true);
        let m = spc(&s, 7).unwrap();
        assert_eq!((m.word.as_str(), m.tone), ("Signal", Tone::Signal));
        assert_eq!(m.long, "Ikke-tilfældig variation (Anhøj): for få krydsninger af medianen");
    }
}
