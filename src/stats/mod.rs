//! Statistics for quality measures: pure functions, no IO.
//!
//! This module owns the numbers the runner attaches to each result row and
//! the report draws: confidence intervals, suppression of small numbers,
//! the development and level markers of the national goals report
//! (*Nationale mål for sundhedsvæsenet*, status 2018), run-chart and
//! control-chart signals, and funnel-plot limits.
//!
//! | file | owns |
//! | --- | --- |
//! | [`interval`] | Wilson, Clopper–Pearson, exact Poisson (Garwood), rate, *t* and distribution-free median intervals; [`CiMethod`] |
//! | [`suppression`] | primary suppression (*nævner under 20*, *tæller under 5*) and complementary suppression among siblings |
//! | [`markers`] | [`Direction`], the three-colour development and level markers (±1 % on displayed decimals) and the report's five-level scales |
//! | [`spc`] | Anhøj runs analysis for run charts; p-, u- and I-chart limits |
//! | [`funnel`] | Spiegelhalter's interpolated exact binomial and Poisson funnel limits |
//!
//! Everything takes plain numbers (`u64` counts, `f64` values) and returns
//! plain structs. Functions return `None` rather than panicking when a
//! statistic is undefined for their input (an empty denominator, a level
//! outside (0, 1), too few points); each function says when.
//!
//! Every formula is tested against published reference values; each test
//! names its source.
//!
//! ```
//! # use kvalitet::stats::{interval, markers::{self, Direction, Level}, suppression};
//! // 81 of 263: Wilson score interval (Newcombe 1998, Table I).
//! let ci = interval::wilson(81, 263, 0.95).unwrap();
//! assert!((ci.low - 0.2553).abs() < 5e-5 && (ci.high - 0.3662).abs() < 5e-5);
//! // 4 of 30 is not shown: "tæller under 5" (the report's thresholds,
//! // which the catalogue holds in `nationale-maal.toml`).
//! let report = suppression::Thresholds { min_denominator: 20, min_numerator: 5 };
//! let reason = suppression::primary(4, 30, &report);
//! assert_eq!(reason.unwrap().label_da(), "tæller under 5");
//! // 49.5 against a national 50.0 (one decimal shown) is within ±1 %.
//! let band = markers::Band::new(markers::BandKind::Relative, 0.01, true).unwrap();
//! let lvl = markers::level(49.5, 50.0, 1, Direction::HigherIsBetter, band);
//! assert_eq!(lvl, Some(Level::OnLevel));
//! ```

pub mod funnel;
pub mod interval;
pub mod markers;
pub mod spc;
pub mod suppression;

pub use interval::{CiMethod, Interval};
pub use markers::{Band, BandKind, Development, Direction, FiveLevel, Level};
pub use suppression::{SuppressionReason, Thresholds};

/// Distribution helpers shared by the submodules: quantiles by bisection on
/// `statrs`' CDFs and special functions, so that every quantile is accurate to
/// about 1e-15 relative (statrs' own `inverse_cdf` for the gamma family stops
/// after a fixed, small number of iterations).
pub(crate) mod dist {
    use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, Normal, Poisson, StudentsT};
    use statrs::function::{beta::beta_reg, gamma::gamma_lr, gamma::gamma_ur};

    /// Relative fuzz used when searching a discrete quantile, as R's
    /// `qbinom`/`qpois` do (`p * (1 - 64 * DBL_EPSILON)`), so that a CDF
    /// value equal to `p` up to rounding counts as reaching it.
    const FUZZ: f64 = 1.0 - 64.0 * f64::EPSILON;

    /// Solves `f(x) = target` for an increasing `f` on `[lo, hi]` by bisection,
    /// to floating-point resolution.
    fn bisect(f: impl Fn(f64) -> f64, target: f64, mut lo: f64, mut hi: f64) -> f64 {
        for _ in 0..2000 {
            let mid = lo + (hi - lo) / 2.0;
            if mid <= lo || mid >= hi || hi - lo <= 1e-16 * hi.abs() {
                break;
            }
            if f(mid) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo + (hi - lo) / 2.0
    }

    /// The `p` quantile of the standard normal distribution.
    pub(crate) fn normal_quantile(p: f64) -> f64 {
        Normal::standard().inverse_cdf(p)
    }

    /// The `p` quantile of Student's *t* with `df` degrees of freedom.
    pub(crate) fn t_quantile(df: f64, p: f64) -> f64 {
        if p < 0.5 {
            return -t_quantile(df, 1.0 - p);
        }
        if p == 0.5 {
            return 0.0;
        }
        let t = match StudentsT::new(0.0, 1.0, df) {
            Ok(t) => t,
            Err(_) => return f64::NAN,
        };
        let mut hi = 2.0;
        while t.cdf(hi) < p && hi < 1e300 {
            hi *= 2.0;
        }
        bisect(|x| t.cdf(x), p, 0.0, hi)
    }

    /// The `p` quantile of Gamma(`shape`, rate 1); `shape / 2` and `2x` give
    /// the chi-square distribution.
    pub(crate) fn gamma_quantile(shape: f64, p: f64) -> f64 {
        let mut hi = shape.max(1.0);
        if p <= 0.5 {
            while gamma_lr(shape, hi) < p {
                hi *= 2.0;
            }
            bisect(|x| gamma_lr(shape, x), p, 0.0, hi)
        } else {
            // Upper tail through the complement, which keeps its precision.
            let q = 1.0 - p;
            while gamma_ur(shape, hi) > q {
                hi *= 2.0;
            }
            bisect(|x| -gamma_ur(shape, x), -q, 0.0, hi)
        }
    }

    /// The `p` quantile of Beta(`a`, `b`).
    pub(crate) fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
        bisect(|x| beta_reg(a, b, x), p, 0.0, 1.0)
    }

    /// P(X ≤ k) for X ~ Binomial(n, prob); 0 for k < 0.
    pub(crate) fn binom_cdf(k: i64, n: u64, prob: f64) -> f64 {
        if k < 0 {
            return 0.0;
        }
        let k = k as u64;
        if k >= n {
            return 1.0;
        }
        match Binomial::new(prob, n) {
            Ok(b) => b.cdf(k),
            Err(_) => f64::NAN,
        }
    }

    /// Smallest k with P(X ≤ k) ≥ p for X ~ Binomial(n, prob) (R's `qbinom`).
    pub(crate) fn binom_quantile(p: f64, n: u64, prob: f64) -> u64 {
        let target = p * FUZZ;
        let (mut lo, mut hi) = (0u64, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if binom_cdf(mid as i64, n, prob) >= target {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    }

    /// P(X ≤ k) for X ~ Poisson(mean); 0 for k < 0, and 1 when mean is 0.
    pub(crate) fn pois_cdf(k: i64, mean: f64) -> f64 {
        if k < 0 {
            return 0.0;
        }
        if mean == 0.0 {
            return 1.0;
        }
        match Poisson::new(mean) {
            Ok(d) => d.cdf(k as u64),
            Err(_) => f64::NAN,
        }
    }

    /// Smallest k with P(X ≤ k) ≥ p for X ~ Poisson(mean) (R's `qpois`).
    pub(crate) fn pois_quantile(p: f64, mean: f64) -> u64 {
        let target = p * FUZZ;
        let mut hi = (mean + 10.0 * mean.sqrt() + 10.0).ceil() as u64;
        while pois_cdf(hi as i64, mean) < target {
            hi *= 2;
        }
        let mut lo = 0u64;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pois_cdf(mid as i64, mean) >= target {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    }
}
