//! Korean retail calendar: the days that move e-commerce demand in Korea.
//!
//! Seollal (Lunar New Year) and Chuseok (Harvest Festival) follow the lunar calendar;
//! their dates are tabulated for 2015–2035 (Korea Astronomy and Space Science Institute
//! calendar). Outside that range the functions return `None` rather than guess.

use chrono::{Datelike, NaiveDate, Weekday};

const SEOLLAL: [(i32, u32, u32); 21] = [
    (2015, 2, 19),
    (2016, 2, 8),
    (2017, 1, 28),
    (2018, 2, 16),
    (2019, 2, 5),
    (2020, 1, 25),
    (2021, 2, 12),
    (2022, 2, 1),
    (2023, 1, 22),
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
    (2027, 2, 7),
    (2028, 1, 27),
    (2029, 2, 13),
    (2030, 2, 3),
    (2031, 1, 23),
    (2032, 2, 11),
    (2033, 1, 31),
    (2034, 2, 19),
    (2035, 2, 8),
];

const CHUSEOK: [(i32, u32, u32); 21] = [
    (2015, 9, 27),
    (2016, 9, 15),
    (2017, 10, 4),
    (2018, 9, 24),
    (2019, 9, 13),
    (2020, 10, 1),
    (2021, 9, 21),
    (2022, 9, 10),
    (2023, 9, 29),
    (2024, 9, 17),
    (2025, 10, 6),
    (2026, 9, 25),
    (2027, 9, 15),
    (2028, 10, 3),
    (2029, 9, 22),
    (2030, 9, 12),
    (2031, 10, 1),
    (2032, 9, 19),
    (2033, 9, 8),
    (2034, 9, 27),
    (2035, 9, 16),
];

fn lookup(table: &[(i32, u32, u32)], year: i32) -> Option<NaiveDate> {
    table.iter().find(|(y, _, _)| *y == year).and_then(|(y, m, d)| NaiveDate::from_ymd_opt(*y, *m, *d))
}

/// The day of Seollal in `year`, if tabulated.
pub fn seollal(year: i32) -> Option<NaiveDate> {
    lookup(&SEOLLAL, year)
}

/// The day of Chuseok in `year`, if tabulated.
pub fn chuseok(year: i32) -> Option<NaiveDate> {
    lookup(&CHUSEOK, year)
}

/// Black Friday: the day after the fourth Thursday of November.
pub fn black_friday(year: i32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, 11, 1).expect("valid date");
    let offset = (7 + Weekday::Thu.num_days_from_monday() as i64 - first.weekday().num_days_from_monday() as i64) % 7;
    first + chrono::Duration::days(offset + 21 + 1)
}

/// Period length of a time series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grain {
    Day,
    Week,
    Month,
}

impl Grain {
    pub fn parse(name: &str) -> Option<Grain> {
        match name.trim().to_ascii_lowercase().as_str() {
            "day" => Some(Grain::Day),
            "week" => Some(Grain::Week),
            "month" => Some(Grain::Month),
            _ => None,
        }
    }

    /// Season lengths worth testing at this grain (weekly and yearly for days, yearly
    /// for weeks and months).
    pub fn season_candidates(self) -> Vec<usize> {
        match self {
            Grain::Day => vec![7, 365],
            Grain::Week => vec![52],
            Grain::Month => vec![12],
        }
    }

    /// The start of the period `k` periods after the one starting at `start`.
    pub fn step(self, start: NaiveDate, k: i64) -> NaiveDate {
        match self {
            Grain::Day => start + chrono::Duration::days(k),
            Grain::Week => start + chrono::Duration::days(7 * k),
            Grain::Month if k >= 0 => start + chrono::Months::new(k as u32),
            Grain::Month => start - chrono::Months::new((-k) as u32),
        }
    }
}

/// A retail event that lifts or depresses demand on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetailEvent {
    /// The gift-buying run-up to a lunar holiday (10 days before it).
    HolidayGifting,
    /// The holiday itself (three days: eve, day, day after): shoppers are away.
    LunarHoliday,
    /// 11.11 ("Korean Black Friday", Coupang/11st Day) and Black Friday to Cyber Monday.
    MegaSale,
    /// 1–24 December.
    Christmas,
}

/// The retail event on `day`, if any (the strongest one wins).
pub fn event_on(day: NaiveDate) -> Option<RetailEvent> {
    let y = day.year();
    for holiday in [seollal(y), chuseok(y)].into_iter().flatten() {
        let delta = (holiday - day).num_days();
        if (-1..=1).contains(&delta) {
            return Some(RetailEvent::LunarHoliday);
        }
        if (2..=10).contains(&delta) {
            return Some(RetailEvent::HolidayGifting);
        }
    }
    let bf = black_friday(y);
    let since_bf = (day - bf).num_days();
    if (day.month() == 11 && day.day() == 11) || (0..=3).contains(&since_bf) {
        return Some(RetailEvent::MegaSale);
    }
    if day.month() == 12 && day.day() <= 24 {
        return Some(RetailEvent::Christmas);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn grain_steps() {
        assert_eq!(Grain::Day.step(d(2024, 2, 28), 2), d(2024, 3, 1));
        assert_eq!(Grain::Week.step(d(2024, 12, 30), 1), d(2025, 1, 6));
        assert_eq!(Grain::Month.step(d(2024, 11, 1), 3), d(2025, 2, 1));
        assert_eq!(Grain::Month.step(d(2024, 1, 1), -1), d(2023, 12, 1));
        assert_eq!(Grain::parse(" Month "), Some(Grain::Month));
        assert_eq!(Grain::parse("year"), None);
    }

    #[test]
    fn black_friday_known_dates() {
        assert_eq!(black_friday(2024), d(2024, 11, 29));
        assert_eq!(black_friday(2025), d(2025, 11, 28));
        assert_eq!(black_friday(2026), d(2026, 11, 27));
        assert_eq!(black_friday(2020), d(2020, 11, 27));
        assert_eq!(black_friday(2018), d(2018, 11, 23));
    }

    #[test]
    fn lunar_holidays_tabulated_and_bounded() {
        assert_eq!(seollal(2025), Some(d(2025, 1, 29)));
        assert_eq!(chuseok(2024), Some(d(2024, 9, 17)));
        assert_eq!(seollal(1999), None);
        // Seollal always falls between 21 January and 20 February.
        for (y, m, dd) in SEOLLAL {
            let s = d(y, m, dd);
            assert!(s >= d(y, 1, 21) && s <= d(y, 2, 20), "{s}");
        }
        // Chuseok always falls between 8 September and 8 October.
        for (y, m, dd) in CHUSEOK {
            let c = d(y, m, dd);
            assert!(c >= d(y, 9, 8) && c <= d(y, 10, 8), "{c}");
        }
    }

    #[test]
    fn events_on_known_days() {
        assert_eq!(event_on(d(2025, 1, 29)), Some(RetailEvent::LunarHoliday));
        assert_eq!(event_on(d(2025, 1, 22)), Some(RetailEvent::HolidayGifting));
        assert_eq!(event_on(d(2025, 11, 11)), Some(RetailEvent::MegaSale));
        assert_eq!(event_on(d(2025, 12, 1)), Some(RetailEvent::MegaSale)); // Cyber Monday
        assert_eq!(event_on(d(2025, 12, 10)), Some(RetailEvent::Christmas));
        assert_eq!(event_on(d(2025, 6, 10)), None);
        assert_eq!(event_on(d(2028, 1, 26)), Some(RetailEvent::LunarHoliday));
        assert_eq!(event_on(d(2028, 1, 17)), Some(RetailEvent::HolidayGifting));
    }
}
