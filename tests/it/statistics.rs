//! Statistics on result rows through the runner: intervals, suppression,
//! markers and SPC on the hand-made fixture (see `rules.rs` for who is in
//! each number).

use crate::common::{cell, repo, run_with};
use kvalitet::polars::prelude::*;
use kvalitet::runner::MeasureSettings;
use kvalitet::stats::markers::Direction;
use kvalitet::stats::suppression::Thresholds;
use std::collections::HashMap;

const REVURDERET: &str = "po.2a.revurderet-tilstand-6mdr";
const SKAERM: &str = "po.4c.skaermbesoeg";
const MARCH: &str = "2024-03-01";

fn settings(thresholds: Thresholds) -> HashMap<String, MeasureSettings> {
    let s = MeasureSettings { direction: Direction::HigherIsBetter, decimals: 1, thresholds, ..Default::default() };
    [REVURDERET, SKAERM].iter().map(|m| (m.to_string(), s.clone())).collect()
}

fn float(value: AnyValue) -> f64 {
    value.extract::<f64>().expect("a number")
}

fn close(value: AnyValue, expected: f64) {
    let got = float(value);
    assert!((got - expected).abs() < 1e-9, "{got} != {expected}");
}

#[test]
fn wilson_intervals_markers_against_previous_period_and_overall() {
    // No suppression here (thresholds 0) so every number shows.
    let open = Thresholds { min_denominator: 0, min_numerator: 0 };
    let r = run_with(&repo("tests/fixtures/small"), &repo("rules"), &["2024-03"], settings(open)).results;
    // Wilson 95 % for 3/6 (z = 1.959964): centre (0.5 + z²/12) / (1 + z²/6)
    // = 0.5, half-width z·√(0.25/6 + z²/144) / (1 + z²/6) = 0.3123837;
    // in percent 18.76163 .. 81.23837.
    close(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "ci_low"), 18.76163064826506);
    close(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "ci_high"), 81.23836935173495);
    assert_eq!(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "ci_method"), AnyValue::String("wilson"));
    // PE1 1/3: 6.149194 .. 79.23404.
    close(cell(&r, REVURDERET, MARCH, "plejeenhed", "PE1", "alle", "ci_low"), 6.149194472039621);
    close(cell(&r, REVURDERET, MARCH, "plejeenhed", "PE1", "alle", "ci_high"), 79.23403991979522);
    // February (the lead period, evaluated for the development marker and
    // not reported): denominator on 2024-02-29 = B01 B02 B03 B04 B05 B07
    // B09 (7); reassessed 2023-09-01 .. 2024-02-29: B01, B02 (2023-09-30),
    // B03 → 3/7 = 42.9 %. March 50.0 is more than 1 % above: positive.
    assert_eq!(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "development"), AnyValue::String("positive"));
    let march = kvalitet::engine::api::date_lit(chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap());
    assert_eq!(r.clone().lazy().filter(col("period_start").lt(march)).collect().unwrap().height(), 0);
    // Level against the value over all of the data (3/6 = 50 %): PE1 33.3
    // is worse, PE2 66.7 better; the kommune row is all of the data, so it
    // gets no level marker.
    assert_eq!(cell(&r, REVURDERET, MARCH, "plejeenhed", "PE1", "alle", "level"), AnyValue::String("worse"));
    assert_eq!(cell(&r, REVURDERET, MARCH, "plejeenhed", "PE2", "alle", "level"), AnyValue::String("better"));
    assert_eq!(
        cell(&r, REVURDERET, MARCH, "plejeenhed", "PE2", "alle", "level_reference"),
        AnyValue::String("overall")
    );
    close(cell(&r, REVURDERET, MARCH, "plejeenhed", "PE2", "alle", "overall_value"), 50.0);
    assert_eq!(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "level"), AnyValue::Null);
    assert_eq!(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "suppressed"), AnyValue::Boolean(false));
}

#[test]
fn small_numbers_are_suppressed_with_reasons_and_protected_siblings() {
    // The report's rule: denominator under 20 or numerator under 5.
    let r =
        run_with(&repo("tests/fixtures/small"), &repo("rules"), &["2024-03"], settings(Thresholds::default())).results;
    assert_eq!(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "suppressed"), AnyValue::Boolean(true));
    assert_eq!(
        cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "suppression_reason"),
        AnyValue::String("nævner under 20")
    );
    assert_eq!(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "value"), AnyValue::Null);
    assert_eq!(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "ci_low"), AnyValue::Null);

    // Skærmbesøg with a denominator threshold of 5: PE2 (1/2) is hidden;
    // PE1 (2/8) would give it away as kommune 3/10 minus PE1, so PE1 is
    // hidden too, as complementary suppression.
    let five = Thresholds { min_denominator: 5, min_numerator: 0 };
    let r = run_with(&repo("tests/fixtures/small"), &repo("rules"), &["2024-03"], settings(five)).results;
    assert_eq!(
        cell(&r, SKAERM, MARCH, "plejeenhed", "PE2", "alle", "suppression_reason"),
        AnyValue::String("nævner under 5")
    );
    assert_eq!(
        cell(&r, SKAERM, MARCH, "plejeenhed", "PE1", "alle", "suppression_reason"),
        AnyValue::String("skjult for at beskytte andre tal (sekundær diskretionering)")
    );
    assert_eq!(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "suppressed"), AnyValue::Boolean(false));
    close(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "value"), 30.0);
}

#[test]
fn spc_median_runs_over_the_periods_of_a_series() {
    // Skærmbesøg, kommune: January has no visits (no row), February 0/1
    // (V10), March 3/10. The series [0, 30] has median 15.
    let open = Thresholds { min_denominator: 0, min_numerator: 0 };
    let r = run_with(&repo("tests/fixtures/small"), &repo("rules"), &["2024-01", "2024-02", "2024-03"], settings(open))
        .results;
    close(cell(&r, SKAERM, "2024-02-01", "kommune", "461", "alle", "spc_median"), 15.0);
    close(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "spc_median"), 15.0);
    // p-chart: p̄ = 3/11; March limit p̄ ± 3·√(p̄(1 − p̄)/10).
    let p = 3.0 / 11.0;
    let sigma = (p * (1.0 - p) / 10.0f64).sqrt();
    close(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "spc_ucl"), 100.0 * (p + 3.0 * sigma).min(1.0));
    close(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "spc_lcl"), 100.0 * (p - 3.0 * sigma).max(0.0));
    assert_eq!(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "spc_outside"), AnyValue::Boolean(false));
    assert_eq!(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "spc_run_signal"), AnyValue::Boolean(false));
}
