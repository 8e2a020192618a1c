//! The population model: Denmark's age pyramid, sex ratio by age, mortality,
//! and how dementia, home care and nursing-home living rise with age.
//!
//! The numbers are rounded from Danmarks Statistik (FOLK1A, DODC1) and the
//! Sundhedsdatastyrelsen/KL figures the national goals report quotes; they
//! are for realistic synthetic data, not for statistics.

/// The oldest age generated.
pub const MAX_AGE: i32 = 105;

/// Relative number of inhabitants at single ages (thousands in 2025),
/// interpolated linearly between these knots. Gives 65+ ≈ 21 %, 67+ ≈ 18 %,
/// 80+ ≈ 5.4 % and 90+ ≈ 0.8 % of the population.
const PYRAMID: [(i32, f64); 19] = [
    (0, 60.0),
    (10, 65.0),
    (20, 70.0),
    (25, 78.0),
    (30, 70.0),
    (40, 68.0),
    (45, 72.0),
    (55, 80.0),
    (60, 74.0),
    (65, 66.0),
    (70, 62.0),
    (75, 60.0),
    (78, 55.0),
    (80, 44.0),
    (85, 25.0),
    (90, 10.0),
    (95, 3.0),
    (100, 0.4),
    (105, 0.02),
];

fn interpolate(knots: &[(i32, f64)], age: f64) -> f64 {
    let (first, last) = (knots[0], knots[knots.len() - 1]);
    if age <= f64::from(first.0) {
        return first.1;
    }
    if age >= f64::from(last.0) {
        return last.1;
    }
    let i = knots.iter().position(|(a, _)| f64::from(*a) > age).expect("inside the knots");
    let ((a0, v0), (a1, v1)) = (knots[i - 1], knots[i]);
    v0 + (v1 - v0) * (age - f64::from(a0)) / f64::from(a1 - a0)
}

/// Weights of ages `0..=MAX_AGE`, with ages 65+ scaled by `elderly` (a
/// municipality's older or younger profile).
pub fn age_weights(elderly: f64) -> Vec<f64> {
    (0..=MAX_AGE)
        .map(|age| {
            let w = interpolate(&PYRAMID, f64::from(age) + 0.5);
            if age >= 65 { w * elderly } else { w }
        })
        .collect()
}

/// The share of women at an age: half until 60, rising to 70 % at 95.
pub fn female_share(age: i32) -> f64 {
    interpolate(&[(60, 0.5), (75, 0.53), (85, 0.6), (95, 0.7)], f64::from(age))
}

/// Yearly probability of dying at an age for the whole population
/// (Gompertz: 1.4 % at 65, 3.7 % at 75, 10 % at 85, 27 % at 95).
pub fn death_rate(age: i32) -> f64 {
    (-10.8 + 0.1 * f64::from(age)).exp().clamp(0.0002, 0.6)
}

/// The monthly probability of a yearly probability (or rate, when small).
pub fn monthly(yearly: f64) -> f64 {
    1.0 - (1.0 - yearly.clamp(0.0, 0.999)).powf(1.0 / 12.0)
}

/// Share with a diagnosed dementia at an age.
pub fn dementia_prevalence(age: i32) -> f64 {
    interpolate(
        &[(59, 0.0), (62, 0.002), (67, 0.006), (72, 0.015), (77, 0.035), (82, 0.07), (87, 0.11), (93, 0.15)],
        f64::from(age),
    )
}

/// Yearly probability of a new dementia diagnosis at an age.
pub fn dementia_incidence(age: i32) -> f64 {
    interpolate(&[(60, 0.0), (65, 0.001), (70, 0.003), (80, 0.012), (90, 0.025)], f64::from(age))
}

/// Share living in their own home with home care at an age (about 10 % of
/// 65+, 30 % of 85–89; a few younger citizens with disabilities).
pub fn home_care_prevalence(age: i32) -> f64 {
    interpolate(
        &[
            (18, 0.003),
            (50, 0.004),
            (57, 0.008),
            (62, 0.015),
            (67, 0.025),
            (72, 0.04),
            (77, 0.08),
            (82, 0.16),
            (87, 0.28),
            (93, 0.4),
        ],
        f64::from(age),
    )
}

/// Share living in a nursing home (plejebolig) at an age (about 37,000 in
/// Denmark: 0.6 % of 70–74, 12 % of 85–89, 25 % of 90+).
pub fn nursing_home_prevalence(age: i32) -> f64 {
    interpolate(
        &[(60, 0.0), (65, 0.002), (72, 0.006), (77, 0.015), (82, 0.045), (87, 0.11), (93, 0.24)],
        f64::from(age),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyramid_shares_match_denmark() {
        let w = age_weights(1.0);
        let total: f64 = w.iter().sum();
        let share = |from: usize| w[from..].iter().sum::<f64>() / total;
        assert!((0.195..0.225).contains(&share(65)), "65+ {}", share(65));
        assert!((0.045..0.062).contains(&share(80)), "80+ {}", share(80));
        assert!((0.006..0.010).contains(&share(90)), "90+ {}", share(90));
    }

    #[test]
    fn rates_rise_with_age() {
        assert!(death_rate(65) < death_rate(85));
        assert!((0.012..0.016).contains(&death_rate(65)));
        assert!(home_care_prevalence(70) < home_care_prevalence(90));
        assert!((monthly(0.12) * 12.0 - 0.127).abs() < 0.01);
    }
}
