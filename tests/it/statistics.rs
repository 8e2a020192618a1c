//! Statistics on result rows through the runner: intervals, suppression,
//! markers and SPC on the hand-made fixture (see `rules.rs` for who is in
//! each number).

use crate::common::{cell, repo, run_with};
use kvalitet::catalog::Catalog;
use kvalitet::polars::prelude::*;
use kvalitet::results::statistics::MeasureSettings;
use kvalitet::stats::markers::Direction;
use kvalitet::stats::suppression::Thresholds;
use std::collections::HashMap;

const REVURDERET: &str = "po.2a.revurderet-tilstand-6mdr";
const SKAERM: &str = "po.4c.skaermbesoeg";
const MARCH: &str = "2024-03-01";

fn settings(thresholds: Thresholds) -> HashMap<String, MeasureSettings> {
    let s = MeasureSettings {
        direction: Direction::HigherIsBetter,
        decimals: 1,
        thresholds,
        ..MeasureSettings::defaults(&Catalog::standard())
    };
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
    // The report's rule, from the catalogue: denominator under 20 or
    // numerator under 5.
    let report = Catalog::standard().national.suppression.thresholds();
    let r = run_with(&repo("tests/fixtures/small"), &repo("rules"), &["2024-03"], settings(report)).results;
    assert_eq!(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "suppressed"), AnyValue::Boolean(true));
    assert_eq!(
        cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "suppression_reason"),
        AnyValue::String("nævner under 20")
    );
    assert_eq!(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "value"), AnyValue::Null);
    assert_eq!(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "ci_low"), AnyValue::Null);
    // The overall value is the hidden kommune's own value here: not shown.
    assert_eq!(cell(&r, REVURDERET, MARCH, "plejeenhed", "PE1", "alle", "overall_value"), AnyValue::Null);
    assert_eq!(cell(&r, REVURDERET, MARCH, "kommune", "461", "alle", "overall_value"), AnyValue::Null);

    // Skærmbesøg (indsatser with a screen visit) with a denominator
    // threshold of 2: PE2 (I03: 1/1) is hidden; PE1 (I01 I10 I02 I05: 2/4)
    // would give it away as kommune 3/5 minus PE1, so PE1 is hidden too, as
    // complementary suppression.
    let two = Thresholds { min_denominator: 2, min_numerator: 0 };
    let r = run_with(&repo("tests/fixtures/small"), &repo("rules"), &["2024-03"], settings(two)).results;
    assert_eq!(
        cell(&r, SKAERM, MARCH, "plejeenhed", "PE2", "alle", "suppression_reason"),
        AnyValue::String("nævner under 2")
    );
    assert_eq!(
        cell(&r, SKAERM, MARCH, "plejeenhed", "PE1", "alle", "suppression_reason"),
        AnyValue::String("skjult for at beskytte andre tal (sekundær diskretionering)")
    );
    assert_eq!(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "suppressed"), AnyValue::Boolean(false));
    close(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "value"), 60.0);
}

#[test]
fn spc_median_runs_over_the_periods_of_a_series() {
    // Skærmbesøg, kommune: January has no visits (no row), February 0/1
    // (I01 by V10), March 3/5. The series [0, 60] has median 30.
    let open = Thresholds { min_denominator: 0, min_numerator: 0 };
    let r = run_with(&repo("tests/fixtures/small"), &repo("rules"), &["2024-01", "2024-02", "2024-03"], settings(open))
        .results;
    close(cell(&r, SKAERM, "2024-02-01", "kommune", "461", "alle", "spc_median"), 30.0);
    close(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "spc_median"), 30.0);
    // p-chart: p̄ = 3/6; March limit p̄ ± 3·√(p̄(1 − p̄)/5) = 0.5 ± 0.671,
    // cut to 0 .. 100 %.
    let p = 3.0 / 6.0;
    let sigma = (p * (1.0 - p) / 5.0f64).sqrt();
    close(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "spc_ucl"), 100.0 * (p + 3.0 * sigma).min(1.0));
    close(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "spc_lcl"), 100.0 * (p - 3.0 * sigma).max(0.0));
    assert_eq!(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "spc_outside"), AnyValue::Boolean(false));
    assert_eq!(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "spc_run_signal"), AnyValue::Boolean(false));
}

#[test]
fn level_markers_of_municipalities_against_hele_landet_2017() {
    // Worked out by hand from Tabel 2 of the national goals report: the
    // marker is "på niveau" when the municipality's value, as displayed
    // (one decimal), is within ±1 % of the national value, else better or
    // worse by the indicator's direction.
    use kvalitet::stats::markers::{self, Level};
    let catalog = Catalog::standard();
    let marker = |indicator: &str, kommune: &str| {
        let i = catalog.indicator(indicator).unwrap();
        let national = catalog.national_value(indicator, 2017).unwrap();
        let value = catalog.benchmark(indicator, kommune, 2017).unwrap().value.unwrap();
        markers::level(value, national, i.decimals as u32, i.direction, catalog.national.comparison.band()).unwrap()
    };
    // Forebyggelige indlæggelser pr. 1000 65+ (lower is better), Hele landet
    // 59.0, band 58.41 .. 59.59.
    let forebyggelige = "nm.2.forebyggelige-indlaeggelser-aeldre";
    assert_eq!(marker(forebyggelige, "101"), Level::Worse); // København 88.5: +50 %
    assert_eq!(marker(forebyggelige, "851"), Level::Better); // Aalborg 37.9: -35.8 %
    assert_eq!(marker(forebyggelige, "210"), Level::OnLevel); // Fredensborg 58.8: -0.34 %
    assert_eq!(marker(forebyggelige, "766"), Level::OnLevel); // Hedensted 59.1: +0.17 %
    assert_eq!(marker(forebyggelige, "730"), Level::OnLevel); // Randers 59.3: +0.51 %
    assert_eq!(marker(forebyggelige, "161"), Level::Better); // Glostrup 58.3: -1.19 %
    assert_eq!(marker(forebyggelige, "563"), Level::Better); // Fanø 58.4: -1.02 %, just outside
    assert_eq!(marker(forebyggelige, "173"), Level::Worse); // Lyngby-Taarbæk 59.9: +1.53 %
    assert_eq!(marker(forebyggelige, "340"), Level::Worse); // Sorø 60.0: +1.69 %
    // Antipsykotika blandt borgere med demens (lower is better), 19.2.
    let antipsykotika = "nm.2.antipsykotika-borgere-med-demens";
    assert_eq!(marker(antipsykotika, "169"), Level::Worse); // Høje-Taastrup 21.9: +14.1 %
    assert_eq!(marker(antipsykotika, "400"), Level::Worse); // Bornholm 29.8: +55 %
    assert_eq!(marker(antipsykotika, "727"), Level::OnLevel); // Odder 19.3: +0.52 %
    assert_eq!(marker(antipsykotika, "561"), Level::Worse); // Esbjerg 19.4: +1.04 %
    assert_eq!(marker(antipsykotika, "340"), Level::Better); // Sorø 19.0: -1.04 %
    // Middellevetid (higher is better), Hele landet (Tabel 2) 80.6, band
    // 79.79 .. 81.41.
    let levetid = "nm.7.middellevetid-0-aarige-kommuner";
    assert_eq!(marker(levetid, "165"), Level::OnLevel); // Albertslund 80.5: -0.12 %
    assert_eq!(marker(levetid, "163"), Level::Worse); // Herlev 79.7: -1.12 %
    assert_eq!(marker(levetid, "219"), Level::Better); // Hillerød 81.5: +1.12 %
    assert_eq!(marker(levetid, "360"), Level::Worse); // Lolland 77.4: -4.0 %
}

#[test]
fn spc_split_starts_a_new_part_of_the_series() {
    // Split at 2024-03 (a changed definition, say): February and March are
    // separate parts, each its own median.
    let open = Thresholds { min_denominator: 0, min_numerator: 0 };
    let mut settings = settings(open);
    settings.get_mut(SKAERM).unwrap().spc_splits = vec!["2024-03".into()];
    let r =
        run_with(&repo("tests/fixtures/small"), &repo("rules"), &["2024-01", "2024-02", "2024-03"], settings).results;
    close(cell(&r, SKAERM, "2024-02-01", "kommune", "461", "alle", "spc_median"), 0.0);
    close(cell(&r, SKAERM, MARCH, "kommune", "461", "alle", "spc_median"), 60.0);
}
