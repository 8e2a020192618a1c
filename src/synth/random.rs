//! Seeded random streams and the few distributions the generator draws from.
//!
//! Every stream is derived from the user's seed and a path of numbers (the
//! municipality's code, the citizen's number, what is being generated), so a
//! citizen's data depends on nothing but the seed and who they are: not on
//! the order chunks are generated in, nor on how many threads run.

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1, Poisson, StandardNormal};
use rand_pcg::Pcg64Mcg;

/// What a stream is used for; part of the stream's path.
#[derive(Debug, Clone, Copy)]
#[repr(u64)]
pub enum Purpose {
    Municipality = 1,
    Life = 2,
    Indsatser = 3,
    Tilstande = 4,
    Visits = 5,
    Triage = 6,
    Screening = 7,
    Medicine = 8,
    Reviews = 9,
    Surveys = 10,
    Registrations = 11,
    ScreeningTimes = 12,
    Rehab = 13,
    Contacts = 14,
    Employment = 15,
    Force = 16,
    Hours = 17,
}

/// A seeded pseudo-random stream (PCG 64-bit MCG).
pub struct Rng(Pcg64Mcg);

/// SplitMix64's finaliser: spreads every input bit over the output.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// The stream for `seed`, a purpose and a path (municipality code,
    /// citizen number …).
    pub fn stream(seed: u64, purpose: Purpose, path: &[u64]) -> Self {
        let mut state = mix(seed ^ 0x6B76_616C_6974_6574);
        state = mix(state ^ purpose as u64);
        for &step in path {
            state = mix(state ^ mix(step));
        }
        Self(Pcg64Mcg::seed_from_u64(state))
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Uniform whole number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u32) -> u32 {
        if n <= 1 { 0 } else { self.0.random_range(0..n) }
    }

    /// Uniform whole number in `lo..=hi`.
    pub fn between(&mut self, lo: i32, hi: i32) -> i32 {
        if hi <= lo { lo } else { self.0.random_range(lo..=hi) }
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.0)
    }

    /// Log-normal with the given median and log-scale spread.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Exponential with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        let e: f64 = Exp1.sample(&mut self.0);
        mean * e
    }

    /// Poisson count with mean `lambda`.
    pub fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda < 1e-3 {
            return u32::from(self.chance(lambda));
        }
        Poisson::new(lambda).map(|p| p.sample(&mut self.0) as u32).unwrap_or(0)
    }

    /// An index drawn with the given (not necessarily normalised) weights.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut target = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if target < *w {
                return i;
            }
            target -= w;
        }
        weights.len() - 1
    }

    /// A uniformly chosen element; `items` must not be empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u32) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_repeat_and_differ_by_path() {
        let draw = |path: &[u64]| {
            let mut s = Rng::stream(7, Purpose::Life, path);
            (0..5).map(|_| s.below(1000)).collect::<Vec<_>>()
        };
        assert_eq!(draw(&[101, 3]), draw(&[101, 3]));
        assert_ne!(draw(&[101, 3]), draw(&[101, 4]));
        let mut other = Rng::stream(7, Purpose::Visits, &[101, 3]);
        assert_ne!(draw(&[101, 3]), (0..5).map(|_| other.below(1000)).collect::<Vec<_>>());
    }

    #[test]
    fn poisson_mean_is_close() {
        let mut r = Rng::stream(1, Purpose::Triage, &[]);
        let n = 20_000;
        let mean = (0..n).map(|_| r.poisson(2.5) as f64).sum::<f64>() / n as f64;
        assert!((mean - 2.5).abs() < 0.05, "{mean}");
    }
}
