//! Statistical process control: the Anhøj rules for run charts and
//! Shewhart limits for p-, u- and I-charts.
//!
//! # Runs analysis (Anhøj & Olesen 2014)
//!
//! Anhøj J, Olesen AV. *Run charts revisited: a simulation study of run chart
//! rules for detection of non-random variation in health care processes.*
//! PLoS ONE 2014;9(11):e113825; implemented in the R package qicharts2
//! (`runs.analysis`). The centre line is the median; points exactly on it
//! are ignored. With n useful points (not on the median):
//!
//! * a **run** is a sequence of consecutive useful points on the same side;
//!   the longest-run signal fires when the longest run is longer than
//!   `round(log2(n) + 3)`;
//! * a **crossing** is a change of side between consecutive useful points
//!   (runs − 1); the crossings signal fires when there are fewer than
//!   `qbinom(0.05, n − 1, 0.5)`.
//!
//! Non-finite values (missing periods) are skipped everywhere.
//!
//! # Control charts
//!
//! Shewhart limits at ±3 sigma (Montgomery, *Introduction to Statistical
//! Quality Control*): p-chart `p̄ ± 3·√(p̄(1 − p̄)/nᵢ)` clipped to [0, 1] with
//! `p̄ = Σx/Σn`; u-chart `ū ± 3·√(ū/nᵢ)`, lower limit clipped at 0, with
//! `ū = Σx/Σn`; I-chart `x̄ ± 2.66·MR̄` with MR̄ the mean moving range. A point
//! is flagged when strictly outside its limits. The centre line can be
//! computed from a [`Baseline`] (qicharts2's `freeze`).

use serde::{Deserialize, Serialize};

use super::dist;

/// Which points the centre line (and, for control charts, the limits) is
/// computed from. Signals are always evaluated on all points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline<'a> {
    /// All points.
    All,
    /// The first k points (qicharts2's `freeze = k`).
    First(usize),
    /// The points at these 0-based indices (e.g. the periods of a baseline
    /// year); indices past the end are ignored.
    Points(&'a [usize]),
}

impl Baseline<'_> {
    fn includes(&self, i: usize) -> bool {
        match self {
            Baseline::All => true,
            Baseline::First(k) => i < *k,
            Baseline::Points(p) => p.contains(&i),
        }
    }
}

/// The result of the Anhøj runs analysis of one run chart (or one part).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunsAnalysis {
    /// The centre line (the median of the baseline points).
    pub median: f64,
    /// Points not on the median (and not missing).
    pub n_useful: usize,
    /// Length of the longest run of useful points on one side.
    pub longest_run: usize,
    /// The largest longest run without a signal, `round(log2(n_useful) + 3)`
    /// (0 when `n_useful = 0`).
    pub longest_run_max: usize,
    /// Number of times consecutive useful points change side.
    pub crossings: usize,
    /// The smallest number of crossings without a signal,
    /// `qbinom(0.05, n_useful − 1, 0.5)` (0 when `n_useful = 0`).
    pub crossings_min: usize,
    /// `longest_run > longest_run_max`.
    pub run_signal: bool,
    /// `crossings < crossings_min`.
    pub crossings_signal: bool,
}

impl RunsAnalysis {
    /// Either rule signals non-random variation (qicharts2's `runs.signal`).
    pub fn signal(&self) -> bool {
        self.run_signal || self.crossings_signal
    }
}

/// `round(log2(n) + 3)`: the longest run allowed among `n` useful points
/// (Schilling 2012, as used by Anhøj & Olesen 2014). `log2(n)` is never
/// exactly a half for integer n, so the rounding rule does not matter.
pub fn longest_run_max(n_useful: usize) -> usize {
    if n_useful == 0 {
        return 0;
    }
    ((n_useful as f64).log2() + 3.0).round() as usize
}

/// `qbinom(0.05, n − 1, 0.5)`: the fewest crossings allowed among `n`
/// useful points (Chen 2010, as used by Anhøj & Olesen 2014).
pub fn crossings_min(n_useful: usize) -> usize {
    if n_useful == 0 {
        return 0;
    }
    dist::binom_quantile(0.05, (n_useful - 1) as u64, 0.5) as usize
}

/// The median of the finite values (mean of the middle two for an even
/// count), or `None` if there are none.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 })
}

/// Runs analysis of `values` around a given centre line. Points equal to
/// `centre` and non-finite points are ignored. With no useful point, every
/// count is 0 and neither rule signals (qicharts2 reports NA and no signal).
pub fn runs_analysis(values: &[f64], centre: f64) -> RunsAnalysis {
    let sides: Vec<bool> = values.iter().filter(|v| v.is_finite() && **v != centre).map(|&v| v > centre).collect();
    let n = sides.len();
    let (mut longest, mut current, mut crossings) = (0usize, 0usize, 0usize);
    for (i, side) in sides.iter().enumerate() {
        if i > 0 && sides[i - 1] != *side {
            crossings += 1;
            current = 0;
        }
        current += 1;
        longest = longest.max(current);
    }
    let (lmax, cmin) = (longest_run_max(n), crossings_min(n));
    RunsAnalysis {
        median: centre,
        n_useful: n,
        longest_run: longest,
        longest_run_max: lmax,
        crossings,
        crossings_min: cmin,
        run_signal: n > 0 && longest > lmax,
        crossings_signal: n > 0 && crossings < cmin,
    }
}

/// Run chart: the median of the `baseline` points is the centre line, and
/// all points are analysed against it (qicharts2's `freeze`). `None` when
/// the baseline has no finite point.
pub fn run_chart(values: &[f64], baseline: Baseline) -> Option<RunsAnalysis> {
    let base: Vec<f64> = values.iter().enumerate().filter(|(i, _)| baseline.includes(*i)).map(|(_, v)| *v).collect();
    let centre = median(&base)?;
    Some(runs_analysis(values, centre))
}

/// Run chart split into parts (qicharts2's `part`): `breaks` are the
/// 0-based indices where a new part starts (`[12]` splits after the 12th
/// point). Each part gets its own median and analysis; an empty or
/// all-missing part gives `None`. Unsorted or out-of-range breaks are
/// sorted and ignored respectively.
pub fn run_chart_parts(values: &[f64], breaks: &[usize]) -> Vec<Option<RunsAnalysis>> {
    let mut cuts: Vec<usize> = breaks.iter().copied().filter(|&b| b > 0 && b < values.len()).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut bounds = vec![0];
    bounds.extend(cuts);
    bounds.push(values.len());
    bounds.windows(2).map(|w| run_chart(&values[w[0]..w[1]], Baseline::All)).collect()
}

/// One point of a control chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChartPoint {
    /// The plotted value (`None` when undefined, e.g. a zero denominator).
    pub value: Option<f64>,
    /// Lower control limit (`None` when undefined).
    pub lower: Option<f64>,
    /// Upper control limit (`None` when undefined).
    pub upper: Option<f64>,
    /// The value is strictly outside its limits.
    pub outside: bool,
}

/// A Shewhart control chart: centre line and per-point limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlChart {
    /// The centre line (p̄, ū or x̄).
    pub centre: f64,
    /// The points, in input order.
    pub points: Vec<ChartPoint>,
}

impl ControlChart {
    /// Indices of points outside their limits.
    pub fn outside(&self) -> Vec<usize> {
        (0..self.points.len()).filter(|&i| self.points[i].outside).collect()
    }
}

fn point(value: Option<f64>, lower: Option<f64>, upper: Option<f64>) -> ChartPoint {
    let outside = match (value, lower, upper) {
        (Some(v), Some(l), Some(u)) => v < l || v > u,
        _ => false,
    };
    ChartPoint { value, lower, upper, outside }
}

/// p-chart for proportions `numerators[i] / denominators[i]`: centre
/// `p̄ = Σx/Σn` over the baseline points, limits
/// `p̄ ± 3·√(p̄(1 − p̄)/nᵢ)` clipped to [0, 1]. A point with `nᵢ = 0` has no
/// value or limits. `None` when the slices differ in length, a numerator
/// exceeds its denominator, or the baseline's Σn is 0.
pub fn p_chart(numerators: &[u64], denominators: &[u64], baseline: Baseline) -> Option<ControlChart> {
    if numerators.len() != denominators.len() || numerators.iter().zip(denominators).any(|(x, n)| x > n) {
        return None;
    }
    let (sx, sn) = (0..numerators.len())
        .filter(|&i| baseline.includes(i))
        .fold((0u64, 0u64), |(a, b), i| (a + numerators[i], b + denominators[i]));
    if sn == 0 {
        return None;
    }
    let p = sx as f64 / sn as f64;
    let points = numerators
        .iter()
        .zip(denominators)
        .map(|(&x, &n)| {
            if n == 0 {
                return point(None, None, None);
            }
            let sd = (p * (1.0 - p) / n as f64).sqrt();
            point(Some(x as f64 / n as f64), Some((p - 3.0 * sd).max(0.0)), Some((p + 3.0 * sd).min(1.0)))
        })
        .collect();
    Some(ControlChart { centre: p, points })
}

/// u-chart for rates `counts[i] / exposures[i]` (events per unit of
/// exposure): centre `ū = Σx/Σn` over the baseline points, limits
/// `ū ± 3·√(ū/nᵢ)`, the lower clipped at 0. A point whose exposure is not
/// positive has no value or limits. Multiply values and limits by 1000 for
/// a rate per 1000. `None` when the slices differ in length or the
/// baseline's exposure is not positive.
pub fn u_chart(counts: &[u64], exposures: &[f64], baseline: Baseline) -> Option<ControlChart> {
    if counts.len() != exposures.len() {
        return None;
    }
    let ok = |e: f64| e.is_finite() && e > 0.0;
    let (sx, sn) = (0..counts.len())
        .filter(|&i| baseline.includes(i) && ok(exposures[i]))
        .fold((0u64, 0.0f64), |(a, b), i| (a + counts[i], b + exposures[i]));
    if sn <= 0.0 {
        return None;
    }
    let u = sx as f64 / sn;
    let points = counts
        .iter()
        .zip(exposures)
        .map(|(&x, &n)| {
            if !ok(n) {
                return point(None, None, None);
            }
            let sd = (u / n).sqrt();
            point(Some(x as f64 / n), Some((u - 3.0 * sd).max(0.0)), Some(u + 3.0 * sd))
        })
        .collect();
    Some(ControlChart { centre: u, points })
}

/// How the I-chart estimates sigma from moving ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovingRange {
    /// Mean of all moving ranges |xᵢ − xᵢ₋₁| (Montgomery).
    Mean,
    /// Mean after dropping moving ranges above 3.267·MR̄ (Nelson 1982; the
    /// qicharts2 default `qic.screenedmr = TRUE`).
    Screened,
}

/// I-chart (individuals): centre `x̄` of the baseline points, limits
/// `x̄ ± 2.66·MR̄` (2.66 = 3/d₂, d₂ = 1.128) where MR̄ is the mean moving
/// range of consecutive baseline points. Limits are not clipped (values may
/// be negative). Non-finite values get no value and are skipped in the
/// moving ranges. `None` when the baseline has fewer than two finite points.
pub fn i_chart(values: &[f64], baseline: Baseline, mr: MovingRange) -> Option<ControlChart> {
    let base: Vec<f64> =
        values.iter().enumerate().filter(|(i, v)| baseline.includes(*i) && v.is_finite()).map(|(_, v)| *v).collect();
    if base.len() < 2 {
        return None;
    }
    let mean = base.iter().sum::<f64>() / base.len() as f64;
    let ranges: Vec<f64> = base.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let mut mr_bar = ranges.iter().sum::<f64>() / ranges.len() as f64;
    if mr == MovingRange::Screened {
        let kept: Vec<f64> = ranges.iter().copied().filter(|r| *r < 3.267 * mr_bar).collect();
        if !kept.is_empty() {
            mr_bar = kept.iter().sum::<f64>() / kept.len() as f64;
        }
    }
    let (lower, upper) = (mean - 2.66 * mr_bar, mean + 2.66 * mr_bar);
    let points = values
        .iter()
        .map(|&v| {
            if v.is_finite() { point(Some(v), Some(lower), Some(upper)) } else { point(None, Some(lower), Some(upper)) }
        })
        .collect();
    Some(ControlChart { centre: mean, points })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Critical values of the Anhøj rules: Anhøj & Olesen 2014 (PLoS ONE
    // 9(11):e113825), tabulated in qicharts2's vignette appendix "Critical
    // Values for Longest Runs and Number of Crossings" for n = 10..100
    // (computed there as round(log2(n) + 3) and qbinom(0.05, n − 1, 0.5)).
    #[test]
    fn anhoej_critical_values() {
        let table = [
            // (n, longest run upper limit, crossings lower limit)
            (10, 6, 2),
            (11, 6, 2),
            (12, 7, 3),
            (13, 7, 3),
            (14, 7, 4),
            (15, 7, 4),
            (16, 7, 4),
            (17, 7, 5),
            (18, 7, 5),
            (19, 7, 6),
            (20, 7, 6),
            (30, 8, 10),
            (40, 8, 14),
            (50, 9, 19),
            (60, 9, 23),
            (70, 9, 28),
            (80, 9, 32),
            (90, 9, 37),
            (100, 10, 41),
        ];
        for (n, l, c) in table {
            assert_eq!(longest_run_max(n), l, "longest run, n = {n}");
            assert_eq!(crossings_min(n), c, "crossings, n = {n}");
        }
    }

    #[test]
    fn runs_and_crossings_counted() {
        // 12 points alternating in pairs around 0: runs of 2, 5 crossings.
        let v = [1.0, 2.0, -1.0, -2.0, 1.0, 2.0, -1.0, -2.0, 1.0, 2.0, -1.0, -2.0];
        let r = run_chart(&v, Baseline::All).unwrap();
        assert_eq!(r.median, 0.0);
        assert_eq!((r.n_useful, r.longest_run, r.crossings), (12, 2, 5));
        assert_eq!((r.longest_run_max, r.crossings_min), (7, 3));
        assert!(!r.signal());
    }

    #[test]
    fn shift_signals() {
        // 10 low then 10 high: one crossing, a run of 10.
        let v: Vec<f64> = (0..20).map(|i| if i < 10 { i as f64 } else { 100.0 + i as f64 }).collect();
        let r = run_chart(&v, Baseline::All).unwrap();
        assert_eq!((r.n_useful, r.longest_run, r.crossings), (20, 10, 1));
        assert!(r.run_signal && r.crossings_signal && r.signal());
    }

    #[test]
    fn points_on_the_median_are_ignored() {
        // Median 5; the two 5s are dropped: useful points 1, 9, 2, 8, 3, 7.
        let v = [1.0, 5.0, 9.0, 2.0, 5.0, 8.0, 3.0, 7.0, 5.0];
        let r = run_chart(&v, Baseline::All).unwrap();
        assert_eq!(r.median, 5.0);
        assert_eq!((r.n_useful, r.longest_run, r.crossings), (6, 1, 5));
        // A run continues across a point on the median.
        let v = [1.0, 2.0, 5.0, 3.0, 9.0, 8.0, 7.0];
        let r = runs_analysis(&v, 5.0);
        assert_eq!((r.n_useful, r.longest_run, r.crossings), (6, 3, 1));
    }

    #[test]
    fn all_points_on_the_median() {
        let r = run_chart(&[3.0; 8], Baseline::All).unwrap();
        assert_eq!(r.n_useful, 0);
        assert_eq!((r.longest_run, r.crossings, r.longest_run_max, r.crossings_min), (0, 0, 0, 0));
        assert!(!r.signal());
        assert_eq!(run_chart(&[], Baseline::All), None);
        assert_eq!(run_chart(&[f64::NAN], Baseline::All), None);
        // One useful point: limits 3 and 0, no signal.
        let r = run_chart(&[1.0], Baseline::All).unwrap();
        assert_eq!(r.n_useful, 0); // the single point is the median
        let r = runs_analysis(&[1.0], 0.0);
        assert_eq!((r.n_useful, r.longest_run_max, r.crossings_min), (1, 3, 0));
        assert!(!r.signal());
    }

    #[test]
    fn baseline_and_parts() {
        // Baseline = first 6 points (median 2.5); the rest shift up.
        let v = [1.0, 4.0, 2.0, 3.0, 1.0, 4.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0];
        let r = run_chart(&v, Baseline::First(6)).unwrap();
        assert_eq!(r.median, 2.5);
        assert_eq!(r.longest_run, 8); // 4.0 then seven 9s above 2.5
        assert!(r.run_signal);
        let same = run_chart(&v, Baseline::Points(&[0, 1, 2, 3, 4, 5])).unwrap();
        assert_eq!(same, r);
        // Missing values are skipped.
        let with_gap = [1.0, f64::NAN, 3.0];
        assert_eq!(run_chart(&with_gap, Baseline::All).unwrap().median, 2.0);
        // Split after the 6th point: each part has its own median.
        let parts = run_chart_parts(&v, &[6]);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].unwrap().median, 2.5);
        assert_eq!(parts[1].unwrap().median, 9.0);
        assert_eq!(parts[1].unwrap().n_useful, 0);
        assert_eq!(run_chart_parts(&v, &[]).len(), 1);
    }

    // Montgomery, Introduction to Statistical Quality Control (6th ed.),
    // the orange-juice can example for the fraction nonconforming chart
    // (30 samples of n = 50): p̄ = 0.2313, UCL = 0.4102, LCL = 0.0524;
    // samples 15 and 23 plot above the UCL.
    #[test]
    fn p_chart_montgomery_orange_juice() {
        let d = [
            12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6,
        ];
        let n = [50u64; 30];
        let c = p_chart(&d, &n, Baseline::All).unwrap();
        assert!((c.centre - 0.2313).abs() < 5e-5);
        let p = c.points[0];
        assert!((p.upper.unwrap() - 0.4102).abs() < 5e-5);
        assert!((p.lower.unwrap() - 0.0524).abs() < 5e-5);
        assert_eq!(c.outside(), vec![14, 22]); // samples 15 and 23
    }

    #[test]
    fn p_chart_variable_n_and_clipping() {
        // p̄ = 10/100 = 0.1; n = 4: 0.1 ± 3·0.15 → [0 (clipped), 0.55];
        // n = 96: 0.1 ± 3·√(0.09/96) = 0.1 ± 0.091856.
        let c = p_chart(&[1, 9], &[4, 96], Baseline::All).unwrap();
        assert_eq!(c.centre, 0.1);
        assert_eq!(c.points[0].lower, Some(0.0));
        assert!((c.points[0].upper.unwrap() - 0.55).abs() < 1e-12);
        assert!((c.points[1].upper.unwrap() - (0.1 + 3.0 * (0.09f64 / 96.0).sqrt())).abs() < 1e-12);
        // Upper clipped at 1: p̄ = 0.9, n = 1.
        let c = p_chart(&[9, 1], &[10, 1], Baseline::First(1)).unwrap();
        assert_eq!(c.points[1].upper, Some(1.0));
        // Zero denominators have no value; bad input is refused.
        let c = p_chart(&[1, 0], &[10, 0], Baseline::All).unwrap();
        assert_eq!(c.points[1], ChartPoint { value: None, lower: None, upper: None, outside: false });
        assert_eq!(p_chart(&[2], &[1], Baseline::All), None);
        assert_eq!(p_chart(&[0], &[0], Baseline::All), None);
    }

    // Montgomery (6th ed.), nonconformities per unit on personal computers:
    // 20 samples of 5 units, ū = 1.93, UCL = 3.79, LCL = 0.07.
    #[test]
    fn u_chart_montgomery_computers() {
        let x = [10, 12, 8, 14, 10, 16, 11, 7, 10, 15, 9, 5, 7, 11, 12, 6, 8, 10, 7, 5];
        let n = [5.0; 20];
        let c = u_chart(&x, &n, Baseline::All).unwrap();
        assert!((c.centre - 1.93).abs() < 5e-3);
        assert!((c.points[0].upper.unwrap() - 3.79).abs() < 5e-3);
        assert!((c.points[0].lower.unwrap() - 0.07).abs() < 5e-3);
        assert!(c.outside().is_empty());
        // The lower limit is clipped at 0 for small exposures.
        let c = u_chart(&[1, 1], &[1.0, 1.0], Baseline::All).unwrap();
        assert_eq!(c.points[0].lower, Some(0.0));
        assert_eq!(u_chart(&[1], &[0.0], Baseline::All), None);
    }

    // Montgomery (6th ed.), individuals chart for mortgage-loan processing
    // costs (20 weeks): x̄ = 300.5, MR̄ = 7.79, UCL = 321.22, LCL = 279.78.
    #[test]
    fn i_chart_montgomery_loan_costs() {
        let x = [
            310.0, 288.0, 297.0, 298.0, 307.0, 303.0, 294.0, 297.0, 308.0, 306.0, 294.0, 299.0, 297.0, 299.0, 314.0,
            295.0, 293.0, 306.0, 301.0, 304.0,
        ];
        let c = i_chart(&x, Baseline::All, MovingRange::Mean).unwrap();
        assert!((c.centre - 300.5).abs() < 5e-3);
        assert!((c.points[0].upper.unwrap() - 321.22).abs() < 5e-3);
        assert!((c.points[0].lower.unwrap() - 279.78).abs() < 5e-3);
        assert!(c.outside().is_empty());
        assert_eq!(i_chart(&[1.0], Baseline::All, MovingRange::Mean), None);
    }

    #[test]
    fn i_chart_screened_moving_ranges() {
        // Moving ranges 1, 1, 1, 1, 1, 100: MR̄ = 17.5 and 3.267·MR̄ = 57.2,
        // so screening drops the 100 and MR̄ becomes 1.
        let v = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 101.0];
        let plain = i_chart(&v, Baseline::All, MovingRange::Mean).unwrap();
        let screened = i_chart(&v, Baseline::All, MovingRange::Screened).unwrap();
        let width = |c: &ControlChart| c.points[0].upper.unwrap() - c.centre;
        assert!((width(&plain) - 2.66 * 17.5).abs() < 1e-9);
        assert!((width(&screened) - 2.66).abs() < 1e-9);
        assert!(plain.points[6].outside && screened.points[6].outside);
    }
}
