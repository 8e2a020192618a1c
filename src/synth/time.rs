//! Days as numbers and the generator's calendar: one year of history before
//! the requested years, months as the simulation's time step, and the trend
//! clock.

use chrono::{Datelike, NaiveDate};

/// A day, counted from 1970-01-01 (the representation of Arrow's date type).
pub type Day = i32;

/// Microseconds in a day (Arrow datetimes are counted in microseconds).
pub const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Microseconds in an hour.
pub const MICROS_PER_HOUR: i64 = 3_600_000_000;

const EPOCH_FROM_CE: i32 = 719_163;

/// The day of a calendar date.
pub fn day(year: i32, month: u32, d: u32) -> Day {
    NaiveDate::from_ymd_opt(year, month, d).expect("a valid date").num_days_from_ce() - EPOCH_FROM_CE
}

/// The calendar date of a day.
pub fn date(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day + EPOCH_FROM_CE).expect("a day within chrono's range")
}

/// Whole years of age on `at` for someone born on `birth`.
pub fn age_on(birth: Day, at: Day) -> i32 {
    let (b, a) = (date(birth), date(at));
    let mut age = a.year() - b.year();
    if (a.month(), a.day()) < (b.month(), b.day()) {
        age -= 1;
    }
    age
}

/// The datetime (microseconds since 1970) of a day and a minute of that day.
pub fn at_minute(day: Day, minute: i64) -> i64 {
    i64::from(day) * MICROS_PER_DAY + minute * 60_000_000
}

/// The simulated window: `history_start` (one year before `start`) to `end`.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// First simulated day: 1 January of the year before the first requested year.
    pub history_start: Day,
    /// First day of the requested years.
    pub start: Day,
    /// Last day of the requested years (the day the data are "extracted").
    pub end: Day,
    pub start_year: i32,
    pub end_year: i32,
    /// First day of every simulated month, plus the day after the last month.
    month_starts: Vec<Day>,
}

impl Calendar {
    /// The calendar for `years` years from 1 January `start_year`.
    pub fn new(start_year: i32, years: u32) -> Self {
        let end_year = start_year + years.max(1) as i32 - 1;
        let mut month_starts = Vec::new();
        for year in start_year - 1..=end_year {
            for month in 1..=12 {
                month_starts.push(day(year, month, 1));
            }
        }
        month_starts.push(day(end_year + 1, 1, 1));
        Self {
            history_start: day(start_year - 1, 1, 1),
            start: day(start_year, 1, 1),
            end: day(end_year, 12, 31),
            start_year,
            end_year,
            month_starts,
        }
    }

    /// The number of simulated months.
    pub fn months(&self) -> usize {
        self.month_starts.len() - 1
    }

    /// The first day of month `m` (`m == months()` gives the day after the end).
    pub fn month_start(&self, m: usize) -> Day {
        self.month_starts[m]
    }

    /// The month a simulated day falls in.
    pub fn month_of(&self, day: Day) -> usize {
        match self.month_starts.binary_search(&day) {
            Ok(m) => m.min(self.months() - 1),
            Err(m) => m.saturating_sub(1).min(self.months() - 1),
        }
    }

    /// The calendar month (1–12) of month `m`.
    pub fn month_number(&self, m: usize) -> u32 {
        (m % 12) as u32 + 1
    }

    /// Years from the first requested day to `day` (negative in the history
    /// year): the clock of every trend.
    pub fn trend_years(&self, day: Day) -> f64 {
        f64::from(day - self.start) / 365.25
    }

    /// Years whose 1 January population is counted (`befolkning`).
    pub fn population_years(&self) -> std::ops::RangeInclusive<i32> {
        self.start_year - 1..=self.end_year
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_ages_count_birthdays() {
        assert_eq!(day(1970, 1, 1), 0);
        assert_eq!(date(day(2024, 2, 29)), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
        let birth = day(1940, 5, 10);
        assert_eq!(age_on(birth, day(2024, 5, 9)), 83);
        assert_eq!(age_on(birth, day(2024, 5, 10)), 84);
    }

    #[test]
    fn calendar_has_a_history_year() {
        let c = Calendar::new(2024, 2);
        assert_eq!(c.months(), 36);
        assert_eq!(date(c.history_start).to_string(), "2023-01-01");
        assert_eq!(date(c.end).to_string(), "2025-12-31");
        assert_eq!(c.month_of(day(2024, 2, 29)), 13);
        assert_eq!(c.month_of(c.end), 35);
        assert_eq!(c.month_number(13), 2);
    }
}
