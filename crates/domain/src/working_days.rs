//! Working days in England and Wales: Monday to Friday, less the bank holidays.
//!
//! The bank holidays are data ([`BANK_HOLIDAYS`], 2024 to 2028 as published for
//! England and Wales, with the substitute days when Christmas Day, Boxing Day or New
//! Year's Day fall at a weekend). Outside those years only weekends are known, so a
//! count that reaches beyond them is told by [`covered`] and may be a day short.

use chrono::{Datelike, NaiveDate, Weekday};

/// The first and last years the bank holidays are held for.
pub const FIRST_YEAR: i32 = 2024;
pub const LAST_YEAR: i32 = 2028;

/// England and Wales bank holidays (year, month, day), substitute days included.
pub const BANK_HOLIDAYS: &[(i32, u32, u32)] = &[
    // 2024
    (2024, 1, 1),
    (2024, 3, 29),
    (2024, 4, 1),
    (2024, 5, 6),
    (2024, 5, 27),
    (2024, 8, 26),
    (2024, 12, 25),
    (2024, 12, 26),
    // 2025
    (2025, 1, 1),
    (2025, 4, 18),
    (2025, 4, 21),
    (2025, 5, 5),
    (2025, 5, 26),
    (2025, 8, 25),
    (2025, 12, 25),
    (2025, 12, 26),
    // 2026: Boxing Day is a Saturday, so Monday 28 December is the substitute.
    (2026, 1, 1),
    (2026, 4, 3),
    (2026, 4, 6),
    (2026, 5, 4),
    (2026, 5, 25),
    (2026, 8, 31),
    (2026, 12, 25),
    (2026, 12, 28),
    // 2027: Christmas Day and Boxing Day fall at the weekend: Monday 27 and Tuesday 28 December.
    (2027, 1, 1),
    (2027, 3, 26),
    (2027, 3, 29),
    (2027, 5, 3),
    (2027, 5, 31),
    (2027, 8, 30),
    (2027, 12, 27),
    (2027, 12, 28),
    // 2028: New Year's Day is a Saturday, so Monday 3 January is the substitute.
    (2028, 1, 3),
    (2028, 4, 14),
    (2028, 4, 17),
    (2028, 5, 1),
    (2028, 5, 29),
    (2028, 8, 28),
    (2028, 12, 25),
    (2028, 12, 26),
];

/// Whether the bank holidays of this date's year are known.
pub fn covered(d: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&d.year())
}

pub fn is_bank_holiday(d: NaiveDate) -> bool {
    BANK_HOLIDAYS.iter().any(|(y, m, day)| d.year() == *y && d.month() == *m && d.day() == *day)
}

/// Monday to Friday and not a bank holiday.
pub fn is_working_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !is_bank_holiday(d)
}

/// The `n`th working day after `from` (`from` itself is not counted; with `n` = 0,
/// `from`). "Within 15 working days of the strategy meeting" is due on
/// `add_working_days(meeting, 15)`.
pub fn add_working_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if is_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// How many working days fall after `from` up to and including `to` (negative when
/// `to` is before `from`).
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    if to < from {
        return -working_days_between(to, from);
    }
    from.iter_days().skip(1).take_while(|d| *d <= to).filter(|d| is_working_day(*d)).count() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Easter Sunday by the anonymous Gregorian computus, to check the table against.
    fn easter(y: i32) -> NaiveDate {
        let a = y % 19;
        let b = y / 100;
        let c = y % 100;
        let dd = b / 4;
        let e = b % 4;
        let f = (b + 8) / 25;
        let g = (b - f + 1) / 3;
        let h = (19 * a + b - dd - g + 15) % 30;
        let i = c / 4;
        let k = c % 4;
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 22 * l) / 451;
        let month = (h + l - 7 * m + 114) / 31;
        let day = (h + l - 7 * m + 114) % 31 + 1;
        d(y, month as u32, day as u32)
    }

    fn first_monday(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_weekday_of_month_opt(y, m, Weekday::Mon, 1).unwrap()
    }

    fn last_monday(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_weekday_of_month_opt(y, m, Weekday::Mon, 5)
            .unwrap_or_else(|| NaiveDate::from_weekday_of_month_opt(y, m, Weekday::Mon, 4).unwrap())
    }

    /// The next weekday on or after `d` that is not already taken.
    fn substitute(d0: NaiveDate, taken: &[NaiveDate]) -> NaiveDate {
        let mut x = d0;
        while matches!(x.weekday(), Weekday::Sat | Weekday::Sun) || taken.contains(&x) {
            x = x.succ_opt().unwrap();
        }
        x
    }

    /// The table is what the rules of the England and Wales holidays give, year by year.
    #[test]
    fn the_table_follows_the_rules() {
        for y in FIRST_YEAR..=LAST_YEAR {
            let new_year = substitute(d(y, 1, 1), &[]);
            let christmas = substitute(d(y, 12, 25), &[]);
            let boxing = substitute(d(y, 12, 26), &[christmas]);
            let e = easter(y);
            let mut expected = vec![
                new_year,
                e - chrono::Days::new(2),
                e + chrono::Days::new(1),
                first_monday(y, 5),
                last_monday(y, 5),
                last_monday(y, 8),
                christmas,
                boxing,
            ];
            expected.sort();
            let mut held: Vec<NaiveDate> = BANK_HOLIDAYS.iter().filter(|h| h.0 == y).map(|(y, m, dd)| d(*y, *m, *dd)).collect();
            held.sort();
            assert_eq!(held, expected, "{y}");
            assert!(held.iter().all(|h| is_bank_holiday(*h) && !is_working_day(*h)));
        }
    }

    #[test]
    fn easter_is_skipped() {
        // Thursday 2 April 2026; Good Friday 3 April and Easter Monday 6 April are holidays.
        assert!(is_working_day(d(2026, 4, 2)));
        assert!(!is_working_day(d(2026, 4, 3)) && !is_working_day(d(2026, 4, 6)));
        assert_eq!(add_working_days(d(2026, 4, 2), 1), d(2026, 4, 7));
        assert_eq!(working_days_between(d(2026, 4, 2), d(2026, 4, 7)), 1);
        // 2024: Easter in March.
        assert_eq!(add_working_days(d(2024, 3, 28), 1), d(2024, 4, 2));
    }

    #[test]
    fn christmas_and_boxing_day_substitutes_are_skipped() {
        // 2026: Boxing Day is a Saturday, Monday 28 December is the holiday.
        assert_eq!(add_working_days(d(2026, 12, 24), 1), d(2026, 12, 29));
        // 2027: both at the weekend; Monday 27 and Tuesday 28 are the holidays.
        assert!(!is_working_day(d(2027, 12, 27)) && !is_working_day(d(2027, 12, 28)));
        assert_eq!(add_working_days(d(2027, 12, 24), 1), d(2027, 12, 29));
        // 2028: New Year's Day is a Saturday; Monday 3 January is the holiday.
        assert_eq!(add_working_days(d(2027, 12, 31), 1), d(2028, 1, 4));
        // Christmas to New Year 2025: 25, 26 December and 1 January are out.
        assert_eq!(working_days_between(d(2025, 12, 24), d(2026, 1, 2)), 4);
    }

    #[test]
    fn fifteen_working_days_over_a_plain_fortnight_and_a_holiday() {
        // Monday 1 June 2026 + 15 working days: three weeks on, Monday 22 June.
        assert_eq!(add_working_days(d(2026, 6, 1), 15), d(2026, 6, 22));
        // Over the late May holiday (25 May 2026): a day later.
        assert_eq!(add_working_days(d(2026, 5, 11), 15), d(2026, 6, 2));
        // From a Saturday, the first working day is Monday.
        assert_eq!(add_working_days(d(2026, 6, 6), 1), d(2026, 6, 8));
        assert_eq!(add_working_days(d(2026, 6, 6), 0), d(2026, 6, 6));
        assert_eq!(working_days_between(d(2026, 6, 22), d(2026, 6, 1)), -15);
        assert!(covered(d(2028, 12, 31)) && !covered(d(2029, 1, 1)));
    }
}
