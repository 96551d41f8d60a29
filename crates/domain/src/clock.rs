//! The council's clock. A council works in Europe/London: the date a person sees, a
//! deadline, a child's age and a report's "as at" date are London dates, while the
//! instants stored (audit entries, sessions, when something was recorded) stay UTC.
//!
//! One [`Clock`] is made where the program starts ([`Clock::system`], the only place the
//! system time is read) and handed to the store, the web application and the CLI; tests
//! make a [`Clock::fixed`] one they can [`set`](Clock::set) and [`advance`](Clock::advance).
//! The rules themselves take `today` or `now` as arguments and never read a clock.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The council's time zone.
pub const ZONE: Tz = chrono_tz::Europe::London;

/// Where a clock takes its time from.
#[derive(Clone)]
enum Source {
    System,
    /// A test clock: the instant it shows, shared by every copy of the clock.
    Fixed(Arc<RwLock<DateTime<Utc>>>),
}

/// The council's clock: the system time, or a settable instant for tests. Copies of a
/// test clock share its instant, so setting it moves the store's, the application's and
/// the test's view together.
#[derive(Clone)]
pub struct Clock {
    source: Source,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Source::System => f.write_str("Clock::system"),
            Source::Fixed(_) => write!(f, "Clock::fixed({})", self.now()),
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock { source: Source::System }
    }

    /// A test clock showing `at` until it is set or advanced.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock { source: Source::Fixed(Arc::new(RwLock::new(at))) }
    }

    /// A test clock showing the London wall-clock time `local` (see [`from_london`]).
    pub fn fixed_london(local: NaiveDateTime) -> Clock {
        Clock::fixed(from_london(local))
    }

    /// Whether this is a test clock.
    pub fn is_fixed(&self) -> bool {
        matches!(self.source, Source::Fixed(_))
    }

    /// Set a test clock to `at`. The system clock cannot be set: this panics, as a test
    /// that thinks it moved time when it did not would pass for the wrong reason.
    pub fn set(&self, at: DateTime<Utc>) {
        match &self.source {
            Source::Fixed(t) => *t.write().unwrap_or_else(|e| e.into_inner()) = at,
            Source::System => panic!("the system clock cannot be set; use Clock::fixed"),
        }
    }

    /// Move a test clock on by `by` (back, if negative).
    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }

    /// The instant now, in UTC (what is stored).
    pub fn now(&self) -> DateTime<Utc> {
        match &self.source {
            Source::System => Utc::now(),
            Source::Fixed(t) => *t.read().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// The London wall-clock time now (episode times are entered and shown as these).
    pub fn local_now(&self) -> NaiveDateTime {
        london(self.now())
    }

    /// The London calendar date today.
    pub fn today(&self) -> NaiveDate {
        self.local_now().date()
    }
}

/// The London wall-clock time at the instant `at`.
pub fn london(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&ZONE).naive_local()
}

/// The London calendar date at the instant `at`.
pub fn london_date(at: DateTime<Utc>) -> NaiveDate {
    london(at).date()
}

/// The instant a London wall-clock time names. In the hour the clocks go back (it
/// happens twice) the earlier, summer-time one is taken; in the hour skipped when they
/// go forward (it never happens on a clock) the time is read as GMT, an hour later on
/// the clock than it was written, as a person typing 01:30 that night meant.
pub fn from_london(local: NaiveDateTime) -> DateTime<Utc> {
    match ZONE.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => Utc.from_utc_datetime(&local),
    }
}

/// The real time elapsed between two London wall-clock times (an hour less than the
/// clocks show across the night they go forward, an hour more across the night they go
/// back).
pub fn elapsed(from: NaiveDateTime, to: NaiveDateTime) -> Duration {
    from_london(to) - from_london(from)
}

/// The London wall-clock time `by` of real time after the London time `from`.
pub fn later(from: NaiveDateTime, by: Duration) -> NaiveDateTime {
    london(from_london(from) + by)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }
    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }
    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn late_on_a_summer_night_it_is_already_tomorrow_in_london() {
        let clock = Clock::fixed(utc("2026-06-30T23:30:00Z"));
        assert_eq!(clock.now().date_naive(), d(2026, 6, 30), "UTC still says 30 June");
        assert_eq!(clock.today(), d(2026, 7, 1));
        assert_eq!(clock.local_now(), local("2026-07-01T00:30"));
    }

    #[test]
    fn a_child_has_their_birthday_at_london_midnight() {
        let born = d(2010, 7, 1);
        let clock = Clock::fixed(utc("2026-06-30T22:59:00Z"));
        assert_eq!(crate::children::age_on(born, clock.today()), 15);
        clock.advance(Duration::minutes(1));
        assert_eq!(crate::children::age_on(born, clock.today()), 16, "midnight in London, 23:00 UTC");
    }

    #[test]
    fn in_winter_london_is_utc() {
        let clock = Clock::fixed(utc("2026-12-31T23:30:00Z"));
        assert_eq!(clock.today(), d(2026, 12, 31));
        assert_eq!(clock.local_now(), local("2026-12-31T23:30"));
    }

    #[test]
    fn the_date_turns_at_london_midnight_on_the_days_the_clocks_change() {
        // Sunday 29 March 2026, 01:00 GMT: clocks forward. The day before still GMT.
        assert_eq!(london_date(utc("2026-03-28T23:59:00Z")), d(2026, 3, 28));
        assert_eq!(london_date(utc("2026-03-29T00:00:00Z")), d(2026, 3, 29));
        assert_eq!(london(utc("2026-03-29T00:59:00Z")), local("2026-03-29T00:59"));
        assert_eq!(london(utc("2026-03-29T01:00:00Z")), local("2026-03-29T02:00"));
        // That night is BST: 23:00 UTC is midnight in London.
        assert_eq!(london_date(utc("2026-03-29T23:00:00Z")), d(2026, 3, 30));
        // Sunday 25 October 2026, 01:00 UTC: clocks back. 23:00 UTC the night before is
        // already the 25th in London; 23:00 UTC on the 25th is not yet the 26th.
        assert_eq!(london_date(utc("2026-10-24T23:00:00Z")), d(2026, 10, 25));
        assert_eq!(london(utc("2026-10-25T00:30:00Z")), local("2026-10-25T01:30"));
        assert_eq!(london(utc("2026-10-25T01:30:00Z")), local("2026-10-25T01:30"));
        assert_eq!(london_date(utc("2026-10-25T23:00:00Z")), d(2026, 10, 25));
    }

    #[test]
    fn london_times_name_instants_even_when_the_clocks_change() {
        assert_eq!(from_london(local("2026-07-01T00:30")), utc("2026-06-30T23:30:00Z"));
        assert_eq!(from_london(local("2026-01-15T09:00")), utc("2026-01-15T09:00:00Z"));
        // 01:30 happens twice on 25 October 2026: the first (BST) is taken.
        assert_eq!(from_london(local("2026-10-25T01:30")), utc("2026-10-25T00:30:00Z"));
        // 01:30 never happens on 29 March 2026: read as GMT.
        assert_eq!(from_london(local("2026-03-29T01:30")), utc("2026-03-29T01:30:00Z"));
    }

    #[test]
    fn real_hours_across_the_clock_change() {
        // Friday 10:00 GMT to Monday 10:00 BST is 71 hours, not 72.
        assert_eq!(elapsed(local("2026-03-27T10:00"), local("2026-03-30T10:00")), Duration::hours(71));
        assert_eq!(later(local("2026-03-27T10:00"), Duration::hours(72)), local("2026-03-30T11:00"));
        // Across the autumn change the clocks show an hour less than has passed.
        assert_eq!(elapsed(local("2026-10-23T10:00"), local("2026-10-26T10:00")), Duration::hours(73));
        assert_eq!(later(local("2026-10-23T10:00"), Duration::hours(72)), local("2026-10-26T09:00"));
        // No change in between: the clocks and the hours agree.
        assert_eq!(later(local("2026-06-01T10:00"), Duration::hours(72)), local("2026-06-04T10:00"));
    }

    #[test]
    fn a_test_clock_is_shared_by_its_copies_and_can_be_set_and_advanced() {
        let clock = Clock::fixed(utc("2026-06-30T22:30:00Z"));
        let held_by_the_app = clock.clone();
        assert_eq!(held_by_the_app.today(), d(2026, 6, 30));
        clock.advance(Duration::hours(1));
        assert_eq!(held_by_the_app.today(), d(2026, 7, 1));
        clock.set(utc("2026-12-25T12:00:00Z"));
        assert_eq!(held_by_the_app.today(), d(2026, 12, 25));
        assert!(clock.is_fixed() && !Clock::system().is_fixed());
    }

    #[test]
    #[should_panic(expected = "cannot be set")]
    fn the_system_clock_cannot_be_set() {
        Clock::system().set(utc("2026-01-01T00:00:00Z"));
    }
}
