//! Dates as councils write them: "5 October 2017", "May 2017", municipal years
//! running May to April, and calendar-month arithmetic for statutory deadlines.

use chrono::{Datelike, NaiveDate};

const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// "5 October 2017".
pub fn long(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// "October 2017" — how target dates are written in trackers.
pub fn month_year(d: NaiveDate) -> String {
    format!("{} {}", MONTHS[d.month0() as usize], d.year())
}

/// "16/01/2018" — how date fields are filled in and hinted.
pub fn numeric(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// ISO form used in storage, URLs and date inputs: "2017-10-05".
pub fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn parse_iso(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// The earliest and latest years a date in Assure may have: every date it holds (a
/// child's birth, a review, a target, a panel) falls well inside them, and a year such
/// as 0000, 1000 or 9999 is a slip of the keyboard or a test of the system.
pub const EARLIEST_YEAR: i32 = 1900;
pub const LATEST_YEAR: i32 = 2100;

/// Whether a date falls in the years Assure accepts.
pub fn plausible(d: NaiveDate) -> bool {
    (EARLIEST_YEAR..=LATEST_YEAR).contains(&d.year())
}

/// The message for a date outside those years; `subject` is such as "The start date".
pub fn implausible_message(subject: &str) -> String {
    format!("{subject} must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
}

/// A date as typed or sent (any of the forms [`parse_user`] reads, or the date at the
/// start of a date and time such as "2017-10-05T14:30"), whatever its year: for
/// checking the year at the edge.
pub fn typed_date_any_year(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() > 10 && s.is_char_boundary(10) && matches!(s.as_bytes()[10], b'T' | b' ') {
        if let Some(d) = parse_any_year(&s[..10]) {
            return Some(d);
        }
    }
    parse_any_year(s)
}

/// Parse a date typed by a person: ISO ("2017-10-05"), UK numeric ("5/10/2017",
/// "05-10-2017") or written ("5 October 2017", "5 Oct 2017"), in the years Assure
/// accepts ([`plausible`]).
pub fn parse_user(s: &str) -> Option<NaiveDate> {
    parse_any_year(s).filter(|d| plausible(*d))
}

fn parse_any_year(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(d) = parse_iso(s) {
        return Some(d);
    }
    for fmt in ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    None
}

/// Add calendar months; a day that does not exist in the target month is
/// clamped to its last day (31 January + 1 month = 28/29 February).
pub fn add_months(d: NaiveDate, months: i32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + months;
    let (y, m0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    let mut day = d.day();
    loop {
        if let Some(r) = NaiveDate::from_ymd_opt(y, m0 + 1, day) {
            return r;
        }
        day -= 1;
    }
}

/// The municipal year a date falls in, as its first calendar year: the year
/// starts at the annual meeting in May, so 5 October 2017 is in 2017/18 and
/// 16 January 2018 is also in 2017/18.
pub fn municipal_year_start(d: NaiveDate) -> i32 {
    if d.month() >= 5 {
        d.year()
    } else {
        d.year() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn formats_like_council_papers() {
        assert_eq!(long(d(2017, 10, 5)), "5 October 2017");
        assert_eq!(month_year(d(2017, 7, 1)), "July 2017");
    }

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        assert_eq!(add_months(d(2017, 10, 5), 2), d(2017, 12, 5));
        assert_eq!(add_months(d(2018, 1, 31), 1), d(2018, 2, 28));
        assert_eq!(add_months(d(2017, 12, 15), 2), d(2018, 2, 15));
        assert_eq!(add_months(d(2018, 1, 16), 6), d(2018, 7, 16));
        assert_eq!(add_months(d(2018, 3, 10), -3), d(2017, 12, 10));
    }

    #[test]
    fn municipal_year_turns_in_may() {
        assert_eq!(municipal_year_start(d(2017, 10, 5)), 2017);
        assert_eq!(municipal_year_start(d(2018, 1, 16)), 2017);
        assert_eq!(municipal_year_start(d(2018, 5, 1)), 2018);
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!(parse_user("2017-10-05"), Some(d(2017, 10, 5)));
        assert_eq!(parse_user("5/10/2017"), Some(d(2017, 10, 5)));
        assert_eq!(parse_user("5 October 2017"), Some(d(2017, 10, 5)));
        assert_eq!(parse_user("31/02/2017"), None);
        assert_eq!(parse_user("soon"), None);
    }
}
