//! Funnel-plot control limits for comparing units (kommuner, plejeenheder)
//! against a target: exact binomial limits for proportions and exact
//! Poisson limits for rates, interpolated as Spiegelhalter recommends.
//!
//! Spiegelhalter DJ. *Funnel plots for comparing institutional
//! performance.* Statistics in Medicine 2005;24:1185–1202, appendix A.1.
//! For a unit of size n and target θ, let `r_p` be the p-quantile of the
//! count R ~ Binomial(n, θ) — the smallest r with `P(R ≤ r) ≥ p` — and
//!
//! ```text
//! α = (P(R ≤ r_p) − p) / (P(R ≤ r_p) − P(R ≤ r_p − 1))
//! ```
//!
//! The limit on the proportion scale is `(r_p − α) / n`. Interpolating by α
//! turns the step function of a discrete quantile into a smooth funnel; at
//! the p where `P(R ≤ r) = p` exactly it gives `r / n`. Rates use the same
//! construction with R ~ Poisson(expected count). The funnel uses
//! p = 0.025/0.975 (95 %, "alert") and p = 0.001/0.999 (99.8 %, "alarm").
//! Limits are clipped to [0, 1] for proportions and at 0 for rates.

use serde::{Deserialize, Serialize};

use super::dist;
use super::interval::Interval;

/// The two funnels at one unit size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FunnelLimits {
    /// The 95 % limits (p = 0.025 and 0.975).
    pub inner: Interval,
    /// The 99.8 % limits (p = 0.001 and 0.999).
    pub outer: Interval,
}

/// Where a unit's value falls against its funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelZone {
    /// Above the 99.8 % limit.
    AboveOuter,
    /// Between the 95 % and 99.8 % upper limits.
    AboveInner,
    /// Within the 95 % limits.
    Inside,
    /// Between the 95 % and 99.8 % lower limits.
    BelowInner,
    /// Below the 99.8 % limit.
    BelowOuter,
}

impl FunnelZone {
    /// `"above_outer"`, `"above_inner"`, `"inside"`, `"below_inner"`,
    /// `"below_outer"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            FunnelZone::AboveOuter => "above_outer",
            FunnelZone::AboveInner => "above_inner",
            FunnelZone::Inside => "inside",
            FunnelZone::BelowInner => "below_inner",
            FunnelZone::BelowOuter => "below_outer",
        }
    }

    /// "Over 99,8 %-grænsen", "Over 95 %-grænsen", "Inden for
    /// grænserne", "Under 95 %-grænsen", "Under 99,8 %-grænsen".
    pub fn label_da(&self) -> &'static str {
        match self {
            FunnelZone::AboveOuter => "Over 99,8 %-grænsen",
            FunnelZone::AboveInner => "Over 95 %-grænsen",
            FunnelZone::Inside => "Inden for grænserne",
            FunnelZone::BelowInner => "Under 95 %-grænsen",
            FunnelZone::BelowOuter => "Under 99,8 %-grænsen",
        }
    }
}

impl FunnelLimits {
    /// The zone of `value` (on the same scale as the limits); a value on a
    /// limit counts as inside it.
    pub fn zone(&self, value: f64) -> FunnelZone {
        if value > self.outer.high {
            FunnelZone::AboveOuter
        } else if value > self.inner.high {
            FunnelZone::AboveInner
        } else if value < self.outer.low {
            FunnelZone::BelowOuter
        } else if value < self.inner.low {
            FunnelZone::BelowInner
        } else {
            FunnelZone::Inside
        }
    }
}

/// Spiegelhalter's interpolated quantile `r_p − α` of a discrete count with
/// CDF `cdf` and p-quantile `r`.
fn interpolated(r: u64, p: f64, cdf: impl Fn(i64) -> f64) -> f64 {
    let at = cdf(r as i64);
    let below = cdf(r as i64 - 1);
    let alpha = if at > below { ((at - p) / (at - below)).clamp(0.0, 1.0) } else { 0.0 };
    r as f64 - alpha
}

/// The interpolated exact binomial limit on the proportion scale,
/// `(r_p − α)/n`, for target `target` and unit size `n` at probability `p`,
/// clipped to [0, 1]. `None` for `n = 0`, a target outside [0, 1] or `p`
/// outside (0, 1).
pub fn binomial_limit(target: f64, n: u64, p: f64) -> Option<f64> {
    if n == 0 || !(0.0..=1.0).contains(&target) || !(p > 0.0 && p < 1.0) {
        return None;
    }
    if target == 0.0 || target == 1.0 {
        return Some(target); // no variation around a degenerate target
    }
    let r = dist::binom_quantile(p, n, target);
    let y = interpolated(r, p, |k| dist::binom_cdf(k, n, target)) / n as f64;
    Some(y.clamp(0.0, 1.0))
}

/// The interpolated exact Poisson limit on the count scale, `r_p − α`, for
/// an expected count `expected` at probability `p`, clipped at 0. `None`
/// for a negative or non-finite expected count or `p` outside (0, 1).
pub fn poisson_limit(expected: f64, p: f64) -> Option<f64> {
    if !expected.is_finite() || expected < 0.0 || !(p > 0.0 && p < 1.0) {
        return None;
    }
    let r = dist::pois_quantile(p, expected);
    Some(interpolated(r, p, |k| dist::pois_cdf(k, expected)).max(0.0))
}

/// Funnel limits for a proportion: unit size `n`, target proportion
/// `target` (e.g. the national proportion). `None` as for
/// [`binomial_limit`].
pub fn proportion_funnel(target: f64, n: u64) -> Option<FunnelLimits> {
    let lim = |p| binomial_limit(target, n, p);
    Some(FunnelLimits {
        inner: Interval { low: lim(0.025)?, high: lim(0.975)? },
        outer: Interval { low: lim(0.001)?, high: lim(0.999)? },
    })
}

/// Funnel limits for a rate: target rate `target_rate` per `per` units of
/// exposure, a unit with `exposure` (e.g. 1,250 ældre, `per` = 1000). The
/// expected count is `target_rate · exposure / per`; the limits are on the
/// rate scale (per `per`). `None` when exposure or per is not positive and
/// finite, or the target rate is negative or not finite.
pub fn rate_funnel(target_rate: f64, exposure: f64, per: f64) -> Option<FunnelLimits> {
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !positive(exposure) || !positive(per) || !target_rate.is_finite() || target_rate < 0.0 {
        return None;
    }
    let expected = target_rate * exposure / per;
    let lim = |p| poisson_limit(expected, p).map(|c| c * per / exposure);
    Some(FunnelLimits {
        inner: Interval { low: lim(0.025)?, high: lim(0.975)? },
        outer: Interval { low: lim(0.001)?, high: lim(0.999)? },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, tol: f64) {
        assert!((got - want).abs() <= tol, "got {got}, want {want}");
    }

    // Spiegelhalter 2005, appendix A.1.1, worked by hand for n = 10,
    // θ = 0.5, where the binomial CDF is k/1024:
    // P(R ≤ 7) = 968/1024, P(R ≤ 8) = 1013/1024, so r_0.975 = 8 and
    // α = (1013/1024 − 0.975)/(45/1024) = 14.6/45; limit = (8 − α)/10
    // = 0.7675556. Lower: P(R ≤ 1) = 11/1024, P(R ≤ 2) = 56/1024, so
    // r_0.025 = 2, α = (56 − 25.6)/45 = 30.4/45; limit = 0.1324444.
    // 99.8 %: P(R ≤ 8) = 1013/1024 < 0.999 ≤ 1023/1024 = P(R ≤ 9), so
    // α = (1023 − 1022.976)/10 = 0.0024 and the limit is 0.89976;
    // P(R ≤ 0) = 1/1024 < 0.001 ≤ 11/1024, α = (11 − 1.024)/10 = 0.9976,
    // limit 0.00024.
    #[test]
    fn binomial_limits_by_hand_n10() {
        let f = proportion_funnel(0.5, 10).unwrap();
        close(f.inner.high, (8.0 - 14.6 / 45.0) / 10.0, 1e-12);
        close(f.inner.low, (2.0 - 30.4 / 45.0) / 10.0, 1e-12);
        close(f.outer.high, 0.89976, 1e-12);
        close(f.outer.low, 0.00024, 1e-12);
    }

    // Exactness at a step: when p equals a CDF value, α = 0 and the limit
    // is the integer quantile over n (appendix A.1.1). θ = 0.5, n = 10,
    // p = 56/1024 gives r = 2 and limit 0.2.
    #[test]
    fn binomial_limit_on_a_step() {
        close(binomial_limit(0.5, 10, 56.0 / 1024.0).unwrap(), 0.2, 1e-12);
    }

    #[test]
    fn binomial_limits_larger_n() {
        // θ = 0.2, n = 100 (cross-checked against an independent
        // implementation of the same formula on scipy's binomial CDF).
        let f = proportion_funnel(0.2, 100).unwrap();
        close(f.inner.high, 0.2764761, 1e-7);
        close(f.inner.low, 0.1197422, 1e-7);
        close(f.outer.high, 0.3267659, 1e-7);
        close(f.outer.low, 0.0809783, 1e-7);
        // The funnel narrows as n grows.
        let g = proportion_funnel(0.2, 1000).unwrap();
        assert!(g.inner.high < f.inner.high && g.inner.low > f.inner.low);
        assert_eq!(g.zone(0.2), FunnelZone::Inside);
        assert_eq!(g.zone(0.9), FunnelZone::AboveOuter);
        assert_eq!(g.zone(0.0), FunnelZone::BelowOuter);
    }

    #[test]
    fn binomial_edges() {
        assert_eq!(proportion_funnel(0.5, 0), None);
        assert_eq!(proportion_funnel(1.5, 10), None);
        // Target 0: every limit is 0; target 1: every limit is 1.
        let f = proportion_funnel(0.0, 10).unwrap();
        assert_eq!((f.inner.low, f.inner.high, f.outer.high), (0.0, 0.0, 0.0));
        let f = proportion_funnel(1.0, 10).unwrap();
        assert_eq!((f.inner.low, f.inner.high), (1.0, 1.0));
        // Small n: the lower limit is clipped at 0.
        assert_eq!(proportion_funnel(0.074, 5).unwrap().inner.low, 0.0);
    }

    // Poisson, by hand from the Poisson(10) CDF: P(R ≤ 16) = 0.9730035,
    // P(R ≤ 17) = 0.9857224, so r_0.975 = 17 and α = (0.9857224 − 0.975)
    // /0.0127189 = 0.8400, limit 16.1600 events; lower: P(R ≤ 3) =
    // 0.0103361, P(R ≤ 4) = 0.0292527, α = 0.2248, limit 3.7752.
    #[test]
    fn poisson_limits_by_hand_mean_10() {
        close(poisson_limit(10.0, 0.975).unwrap(), 16.1600, 1e-4);
        close(poisson_limit(10.0, 0.025).unwrap(), 3.7752, 1e-4);
        close(poisson_limit(10.0, 0.999).unwrap(), 20.6620, 1e-4);
        close(poisson_limit(10.0, 0.001).unwrap(), 1.2205, 1e-4);
        // The rate funnel scales counts to the rate: 10 expected events on
        // 2000 ældre at a target of 5 per 1000.
        let f = rate_funnel(5.0, 2000.0, 1000.0).unwrap();
        close(f.inner.high, 16.1600 / 2.0, 1e-4);
        close(f.inner.low, 3.7752 / 2.0, 1e-4);
        assert_eq!(f.zone(5.0), FunnelZone::Inside);
        assert_eq!(f.zone(9.0), FunnelZone::AboveInner);
        assert_eq!(f.zone(11.0), FunnelZone::AboveOuter);
    }

    #[test]
    fn poisson_edges() {
        // Expected 2.5: the lower 95 % limit would be negative and is clipped.
        assert_eq!(poisson_limit(2.5, 0.025), Some(0.0));
        close(poisson_limit(2.5, 0.975).unwrap(), 5.6115, 1e-4);
        assert_eq!(rate_funnel(5.0, 0.0, 1000.0), None);
        assert_eq!(rate_funnel(-1.0, 10.0, 1000.0), None);
        let f = rate_funnel(0.0, 100.0, 1000.0).unwrap();
        assert_eq!((f.inner.low, f.outer.high), (0.0, 0.0));
    }
}
