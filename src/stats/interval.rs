//! Confidence intervals: for proportions (Wilson score, Clopper–Pearson),
//! counts and rates (exact Poisson after Garwood), means (Student's *t*) and
//! medians (distribution-free, from order statistics).
//!
//! All functions take the confidence `level` as a fraction (0.95 for 95 %)
//! and return `None` when the level is not strictly between 0 and 1 or when
//! the interval is undefined for the input (each function says when).

use serde::{Deserialize, Serialize};

use super::dist;

/// A two-sided interval `[low, high]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower limit.
    pub low: f64,
    /// Upper limit.
    pub high: f64,
}

impl Interval {
    /// True when `value` lies in the closed interval.
    pub fn contains(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }

    /// Both limits multiplied by `factor` (e.g. 100 for percent, or
    /// 1000 / exposure for a rate per 1000).
    pub fn scaled(self, factor: f64) -> Interval {
        Interval { low: self.low * factor, high: self.high * factor }
    }
}

/// Which interval a result row carries; stored as its snake_case name
/// (`"wilson"`, `"clopper_pearson"`, `"poisson_exact"`, `"t"`,
/// `"median_order_statistics"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CiMethod {
    /// Wilson score interval for a proportion, no continuity correction.
    Wilson,
    /// Clopper–Pearson "exact" interval for a proportion.
    ClopperPearson,
    /// Exact (Garwood) interval for a Poisson count or rate.
    PoissonExact,
    /// Student's *t* interval for a mean.
    T,
    /// Distribution-free interval for a median from order statistics.
    MedianOrderStatistics,
}

impl CiMethod {
    /// Every method.
    pub const ALL: [CiMethod; 5] = [
        CiMethod::Wilson,
        CiMethod::ClopperPearson,
        CiMethod::PoissonExact,
        CiMethod::T,
        CiMethod::MedianOrderStatistics,
    ];

    /// The method named by [`CiMethod::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// The stable snake_case name, the same as the serde form.
    pub fn as_str(&self) -> &'static str {
        match self {
            CiMethod::Wilson => "wilson",
            CiMethod::ClopperPearson => "clopper_pearson",
            CiMethod::PoissonExact => "poisson_exact",
            CiMethod::T => "t",
            CiMethod::MedianOrderStatistics => "median_order_statistics",
        }
    }
}

fn valid_level(level: f64) -> bool {
    level > 0.0 && level < 1.0
}

/// Wilson score interval for `x` successes out of `n` (Wilson 1927; method 3
/// of Newcombe 1998), without continuity correction — the interval of R's
/// `prop.test(x, n, correct = FALSE)`.
///
/// `None` for `n = 0`, `x > n` or a level outside (0, 1). The limits are
/// exactly 0 when `x = 0` and exactly 1 when `x = n`.
pub fn wilson(x: u64, n: u64, level: f64) -> Option<Interval> {
    if n == 0 || x > n || !valid_level(level) {
        return None;
    }
    let z = dist::normal_quantile(1.0 - (1.0 - level) / 2.0);
    let (nf, z2) = (n as f64, z * z);
    let p = x as f64 / nf;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    let low = if x == 0 { 0.0 } else { (centre - half).max(0.0) };
    let high = if x == n { 1.0 } else { (centre + half).min(1.0) };
    Some(Interval { low, high })
}

/// Clopper–Pearson interval for `x` successes out of `n` (Clopper & Pearson
/// 1934; method 5 of Newcombe 1998), the interval of R's `binom.test`:
/// `low` is the α/2 quantile of Beta(x, n − x + 1) and `high` the 1 − α/2
/// quantile of Beta(x + 1, n − x). By convention `low = 0` when `x = 0` and
/// `high = 1` when `x = n`.
///
/// `None` for `n = 0`, `x > n` or a level outside (0, 1).
pub fn clopper_pearson(x: u64, n: u64, level: f64) -> Option<Interval> {
    if n == 0 || x > n || !valid_level(level) {
        return None;
    }
    let a = (1.0 - level) / 2.0;
    let (xf, nf) = (x as f64, n as f64);
    let low = if x == 0 { 0.0 } else { dist::beta_quantile(xf, nf - xf + 1.0, a) };
    let high = if x == n { 1.0 } else { dist::beta_quantile(xf + 1.0, nf - xf, 1.0 - a) };
    Some(Interval { low, high })
}

/// Exact interval for the mean of a Poisson count `x` (Garwood 1936), the
/// interval of R's `poisson.test(x)`: `low = χ²(α/2; 2x) / 2` and
/// `high = χ²(1 − α/2; 2x + 2) / 2`, computed as gamma quantiles. `low = 0`
/// when `x = 0`.
///
/// `None` for a level outside (0, 1).
pub fn poisson_exact(x: u64, level: f64) -> Option<Interval> {
    if !valid_level(level) {
        return None;
    }
    let a = (1.0 - level) / 2.0;
    let xf = x as f64;
    let low = if x == 0 { 0.0 } else { dist::gamma_quantile(xf, a) };
    let high = dist::gamma_quantile(xf + 1.0, 1.0 - a);
    Some(Interval { low, high })
}

/// Exact interval for a rate of `events` over `exposure` (person-years,
/// citizen-days, …) expressed per `per` units of exposure (e.g. 1000): the
/// [`poisson_exact`] interval of the count, times `per / exposure` — the
/// interval of R's `poisson.test(events, exposure)` times `per`.
///
/// `None` when `exposure` or `per` is not a positive finite number, or for a
/// level outside (0, 1).
pub fn rate_interval(events: u64, exposure: f64, per: f64, level: f64) -> Option<Interval> {
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !positive(exposure) || !positive(per) {
        return None;
    }
    poisson_exact(events, level).map(|ci| ci.scaled(per / exposure))
}

/// Student's *t* interval `mean ± t(1 − α/2; n − 1) · sd / √n` for a mean of
/// `n` observations with sample standard deviation `sd` (divisor n − 1).
///
/// `None` for `n < 2`, a negative or non-finite `sd`, a non-finite `mean`,
/// or a level outside (0, 1).
pub fn t_interval(mean: f64, sd: f64, n: u64, level: f64) -> Option<Interval> {
    if n < 2 || !mean.is_finite() || !sd.is_finite() || sd < 0.0 || !valid_level(level) {
        return None;
    }
    let t = dist::t_quantile((n - 1) as f64, 1.0 - (1.0 - level) / 2.0);
    let half = t * sd / (n as f64).sqrt();
    Some(Interval { low: mean - half, high: mean + half })
}

/// A distribution-free median interval: the order statistics used and the
/// confidence they actually achieve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MedianInterval {
    /// `[x(r), x(s)]`, the r-th and s-th smallest values.
    pub interval: Interval,
    /// r, 1-based rank of the lower limit.
    pub lower_rank: usize,
    /// s = n − r + 1, 1-based rank of the upper limit.
    pub upper_rank: usize,
    /// The exact coverage `1 − 2·P(Y ≤ r − 1)`, Y ~ Binomial(n, ½); at
    /// least the requested level.
    pub achieved_level: f64,
}

/// Ranks `(r, s, achieved_level)` of the conservative distribution-free
/// interval for the median of `n` observations at `level`.
///
/// The rule (Conover, *Practical Nonparametric Statistics*, 3rd ed. 1999,
/// ch. 3, the confidence interval for a quantile with p = ½; the rule behind
/// the tables of Campbell & Gardner, BMJ 1988): with Y ~ Binomial(n, ½),
/// r is the **largest** integer ≥ 1 with `P(Y ≤ r − 1) ≤ (1 − level)/2`, and
/// s = n − r + 1. Then `P(x(r) ≤ median ≤ x(s)) = 1 − 2·P(Y ≤ r − 1) ≥ level`
/// for any continuous distribution: the narrowest symmetric pair of order
/// statistics that reaches the level. (With ties the coverage is at least
/// as large.)
///
/// `None` when no pair reaches the level: even the whole range
/// `[x(1), x(n)]` covers only `1 − 2·0.5ⁿ`, so at 95 % this is n ≤ 5
/// (n = 5 reaches 93.75 %) and at 99 % n ≤ 7. Also `None` for a level
/// outside (0, 1).
pub fn median_ranks(n: usize, level: f64) -> Option<(usize, usize, f64)> {
    if n == 0 || !valid_level(level) {
        return None;
    }
    let half_alpha = (1.0 - level) / 2.0;
    let tail = |r: usize| dist::binom_cdf(r as i64 - 1, n as u64, 0.5);
    // P(Y ≤ r − 1) increases with r; the largest admissible r is at most
    // (n + 1) / 2 (beyond it the ranks would cross).
    let mut r = 0usize;
    for cand in 1..=n.div_ceil(2) {
        if tail(cand) <= half_alpha * (1.0 + 1e-12) {
            r = cand;
        } else {
            break;
        }
    }
    if r == 0 {
        return None;
    }
    Some((r, n - r + 1, 1.0 - 2.0 * tail(r)))
}

/// Distribution-free confidence interval for the median of `sorted_values`
/// (ascending, no NaN), using the ranks of [`median_ranks`].
///
/// `None` when the values are empty, unsorted or contain NaN, or when no
/// pair of order statistics reaches `level` (n ≤ 5 at 95 %).
pub fn median_interval(sorted_values: &[f64], level: f64) -> Option<MedianInterval> {
    if sorted_values.iter().any(|v| v.is_nan()) || !sorted_values.is_sorted() {
        return None;
    }
    let (r, s, achieved_level) = median_ranks(sorted_values.len(), level)?;
    Some(MedianInterval {
        interval: Interval { low: sorted_values[r - 1], high: sorted_values[s - 1] },
        lower_rank: r,
        upper_rank: s,
        achieved_level,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that `got` rounds to `want` at the published number of decimals.
    fn close(got: f64, want: f64, decimals: i32) {
        let tol = 0.5 * 10f64.powi(-decimals) + 1e-12;
        assert!((got - want).abs() <= tol, "got {got}, want {want} to {decimals} decimals");
    }

    fn close_ci(ci: Interval, low: f64, high: f64, decimals: i32) {
        close(ci.low, low, decimals);
        close(ci.high, high, decimals);
    }

    // Newcombe RG. Two-sided confidence intervals for the single proportion:
    // comparison of seven methods. Statistics in Medicine 1998;17:857–872,
    // Table I (95 % limits, 4 decimals), method 3 = Wilson score.
    #[test]
    fn wilson_newcombe_1998_table_i_method_3() {
        close_ci(wilson(81, 263, 0.95).unwrap(), 0.2553, 0.3662, 4);
        close_ci(wilson(15, 148, 0.95).unwrap(), 0.0624, 0.1605, 4);
        close_ci(wilson(0, 20, 0.95).unwrap(), 0.0000, 0.1611, 4);
        close_ci(wilson(1, 29, 0.95).unwrap(), 0.0061, 0.1718, 4);
    }

    // Newcombe 1998 Table I, method 5 = Clopper–Pearson "exact".
    #[test]
    fn clopper_pearson_newcombe_1998_table_i_method_5() {
        close_ci(clopper_pearson(81, 263, 0.95).unwrap(), 0.2527, 0.3676, 4);
        close_ci(clopper_pearson(15, 148, 0.95).unwrap(), 0.0578, 0.1617, 4);
        close_ci(clopper_pearson(0, 20, 0.95).unwrap(), 0.0000, 0.1684, 4);
        close_ci(clopper_pearson(1, 29, 0.95).unwrap(), 0.0009, 0.1776, 4);
    }

    // R: binom.test(7, 20)$conf.int = 0.1539092 0.5921885 (7 decimals as printed).
    #[test]
    fn clopper_pearson_r_binom_test_7_of_20() {
        close_ci(clopper_pearson(7, 20, 0.95).unwrap(), 0.1539092, 0.5921885, 7);
    }

    #[test]
    fn proportion_edges() {
        // x = 0 gives a lower limit of exactly 0, x = n an upper limit of exactly 1.
        assert_eq!(clopper_pearson(0, 20, 0.95).unwrap().low, 0.0);
        assert_eq!(clopper_pearson(20, 20, 0.95).unwrap().high, 1.0);
        assert_eq!(wilson(0, 20, 0.95).unwrap().low, 0.0);
        assert_eq!(wilson(20, 20, 0.95).unwrap().high, 1.0);
        // x = n mirrors x = 0: Newcombe's 0/20 upper limits, reflected.
        close(clopper_pearson(20, 20, 0.95).unwrap().low, 1.0 - 0.1684, 4);
        close(wilson(20, 20, 0.95).unwrap().low, 1.0 - 0.1611, 4);
        // n = 0, x > n and bad levels are undefined.
        assert_eq!(wilson(0, 0, 0.95), None);
        assert_eq!(clopper_pearson(0, 0, 0.95), None);
        assert_eq!(wilson(3, 2, 0.95), None);
        assert_eq!(clopper_pearson(1, 2, 1.0), None);
        assert_eq!(wilson(1, 2, 0.0), None);
        // n = 1: binom.test(1, 1) gives 0.025 1 (the lower limit is 0.025
        // exactly: Beta(1, 1) is uniform).
        close_ci(clopper_pearson(1, 1, 0.95).unwrap(), 0.025, 1.0, 9);
    }

    // R: poisson.test(10)$conf.int = 4.795389 18.390356. (This is the value
    // R prints; it equals qchisq(0.025, 20)/2 and qchisq(0.975, 22)/2.)
    #[test]
    fn poisson_r_poisson_test_10() {
        close_ci(poisson_exact(10, 0.95).unwrap(), 4.795389, 18.390356, 6);
    }

    // x = 0: the lower limit is 0 and the upper is -ln(0.025) = 3.688879…
    // (Garwood 1936; R: poisson.test(0)$conf.int = 0.000000 3.688879).
    #[test]
    fn poisson_zero() {
        let ci = poisson_exact(0, 0.95).unwrap();
        assert_eq!(ci.low, 0.0);
        close(ci.high, 3.688879, 6);
        close(ci.high, -(0.025f64.ln()), 12);
    }

    // R documentation example, ?poisson.test: poisson.test(137, 24.19893)
    // gives the rate interval 4.753125 6.692709.
    #[test]
    fn rate_r_poisson_test_documentation_example() {
        let ci = rate_interval(137, 24.19893, 1.0, 0.95).unwrap();
        close_ci(ci, 4.753125, 6.692709, 6);
        // The same rate per 1000 units of exposure is 1000 times larger.
        let per_1000 = rate_interval(137, 24.19893, 1000.0, 0.95).unwrap();
        close_ci(per_1000, 4753.125, 6692.709, 3);
        assert_eq!(rate_interval(1, 0.0, 1000.0, 0.95), None);
        assert_eq!(rate_interval(1, 10.0, -1.0, 0.95), None);
    }

    // Student (1908) sleep data, R's `sleep`: the paired differences
    // (group 2 − group 1) have mean 1.58 and sd 1.229995; R's
    // t.test(extra ~ group, data = sleep, paired = TRUE) prints the 95 %
    // interval -2.4598858 -0.7001142 for group 1 − group 2, i.e.
    // 0.7001142 2.4598858 for group 2 − group 1.
    #[test]
    fn t_interval_student_sleep_paired() {
        let d = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4];
        let n = d.len() as f64;
        let mean = d.iter().sum::<f64>() / n;
        let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        close(sd, 1.229995, 6);
        close_ci(t_interval(mean, sd, 10, 0.95).unwrap(), 0.7001142, 2.4598858, 7);
    }

    // R: t.test(sleep$extra[sleep$group == 1]) — mean 0.75, 95 % interval
    // -0.5297804 2.0297804 (R's example output for the one-sample test).
    #[test]
    fn t_interval_student_sleep_group_1() {
        let g = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
        let n = g.len() as f64;
        let mean = g.iter().sum::<f64>() / n;
        let sd = (g.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        close_ci(t_interval(mean, sd, 10, 0.95).unwrap(), -0.5297804, 2.0297804, 7);
    }

    #[test]
    fn t_interval_edges() {
        assert_eq!(t_interval(1.0, 1.0, 1, 0.95), None);
        assert_eq!(t_interval(1.0, 1.0, 0, 0.95), None);
        assert_eq!(t_interval(1.0, -1.0, 5, 0.95), None);
        // sd = 0 gives a zero-width interval.
        assert_eq!(t_interval(2.0, 0.0, 5, 0.95), Some(Interval { low: 2.0, high: 2.0 }));
        // n = 2: t(0.975; 1) = 12.7062 (every t table).
        let ci = t_interval(0.0, 1.0, 2, 0.95).unwrap();
        close(ci.high * 2f64.sqrt(), 12.7062, 4);
    }

    // Exact ranks and levels of the distribution-free 95 % median interval
    // from a published textbook table, "Table A.7: Confidence Intervals for
    // the Population Median" (n = 2–20; each pair [x(r), x(s)] with its exact
    // confidence level to 0.1 %): the rows below are, for each n, the
    // narrowest pair at or above 95 %, e.g. n = 11: [x(2), x(10)] 98.8 %,
    // n = 17: [x(5), x(13)] 95.1 %, n = 20: [x(6), x(15)] 95.9 %. Campbell &
    // Gardner (BMJ 1988;296:1454–6) use the same binomial rule.
    #[test]
    fn median_ranks_published_table() {
        let table = [
            (6, 1, 6, 96.9),
            (7, 1, 7, 98.4),
            (8, 1, 8, 99.2),
            (9, 2, 8, 96.1),
            (10, 2, 9, 97.9),
            (11, 2, 10, 98.8),
            (12, 3, 10, 96.1),
            (13, 3, 11, 97.8),
            (14, 3, 12, 98.7),
            (15, 4, 12, 96.5),
            (16, 4, 13, 97.9),
            (17, 5, 13, 95.1),
            (18, 5, 14, 96.9),
            (19, 5, 15, 98.1),
            (20, 6, 15, 95.9),
        ];
        for (n, r, s, pct) in table {
            let (gr, gs, lvl) = median_ranks(n, 0.95).unwrap();
            assert_eq!((gr, gs), (r, s), "n = {n}");
            close(100.0 * lvl, pct, 1);
        }
    }

    // Campbell & Gardner, ch. 8 of Statistics with Confidence (Gardner &
    // Altman, eds., BMJ 1989), pp. 71–73: for n = 100 the 95 % interval for
    // the median runs from the 40th to the 61st ordered observation (the
    // chapter's example, used as the default of OpenEpi's median module).
    #[test]
    fn median_ranks_n_100() {
        let (r, s, lvl) = median_ranks(100, 0.95).unwrap();
        assert_eq!((r, s), (40, 61));
        assert!(lvl >= 0.95);
    }

    // statpsych (Bonett), documented example of ci.median: for these 19
    // scores the 95 % limits are LL = 10.8 and UL = 30.9 (the 5th and 15th
    // order statistics).
    #[test]
    fn median_interval_statpsych_example() {
        let mut y = vec![
            30.2, 20.4, 15.1, 10.2, 10.5, 60.8, 20.8, 25.0, 20.7, 30.9, 10.8, 5.1, 50.9, 40.0, 20.9, 10.8, 0.0, 20.5,
            50.8,
        ];
        y.sort_by(f64::total_cmp);
        let m = median_interval(&y, 0.95).unwrap();
        assert_eq!(m.interval, Interval { low: 10.8, high: 30.9 });
        assert_eq!((m.lower_rank, m.upper_rank), (5, 15));
    }

    #[test]
    fn median_interval_small_n() {
        // n ≤ 5 cannot reach 95 %: even [min, max] of five covers 93.75 %.
        assert_eq!(median_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95), None);
        assert_eq!(median_interval(&[1.0], 0.95), None);
        assert_eq!(median_interval(&[], 0.95), None);
        // ... but it reaches 90 %, with the whole range.
        let m = median_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.90).unwrap();
        assert_eq!((m.lower_rank, m.upper_rank), (1, 5));
        close(m.achieved_level, 0.9375, 12);
        // At 99 % the first n that works is 8 (1 − 2/256 = 99.2 %).
        assert_eq!(median_ranks(7, 0.99), None);
        assert_eq!(median_ranks(8, 0.99).map(|(r, s, _)| (r, s)), Some((1, 8)));
        // Unsorted input or NaN is refused.
        assert_eq!(median_interval(&[3.0, 1.0, 2.0, 4.0, 5.0, 6.0], 0.95), None);
        assert_eq!(median_interval(&[f64::NAN; 6], 0.95), None);
    }

    #[test]
    fn ci_method_names() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, StrDeserializer};
        let parse = |s: &'static str| {
            let d: StrDeserializer<'static, Error> = s.into_deserializer();
            CiMethod::deserialize(d).unwrap()
        };
        for (m, s) in [
            (CiMethod::Wilson, "wilson"),
            (CiMethod::ClopperPearson, "clopper_pearson"),
            (CiMethod::PoissonExact, "poisson_exact"),
            (CiMethod::T, "t"),
            (CiMethod::MedianOrderStatistics, "median_order_statistics"),
        ] {
            assert_eq!(m.as_str(), s);
            assert_eq!(parse(s), m);
        }
    }
}
