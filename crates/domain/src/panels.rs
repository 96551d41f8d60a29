//! MACSE panels: the fortnightly series of meetings, the time slots the CSE analyst
//! allocates to each young person, who is invited and who came, and the prevent /
//! prosecute operations a panel decides on.

use chrono::{Duration, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::validation::Invalid;

slug_enum!(
    /// Where a panel meeting has got to.
    PanelStatus {
        Scheduled => ("scheduled", "Scheduled"),
        Held => ("held", "Held"),
        Cancelled => ("cancelled", "Cancelled"),
    }
);

slug_enum!(
    /// Who is invited to a young person's slot.
    InviteeKind {
        YoungPerson => ("young-person", "Young person"),
        ParentCarer => ("parent-carer", "Parent or carer"),
        Spoc => ("spoc", "SPOC of an involved agency"),
        Practitioner => ("practitioner", "Practitioner of an involved agency"),
        PoliceInvestigator => ("police-investigator", "Police investigator"),
        StandingMember => ("standing-member", "Standing member"),
        HomeAuthority => ("home-authority", "Home authority"),
    }
);

slug_enum!(
    /// Whether an invitee came.
    Attendance {
        Attended => ("attended", "Attended"),
        SentApologies => ("sent-apologies", "Sent apologies"),
        DidNotAttend => ("did-not-attend", "Did not attend"),
    }
);

slug_enum!(
    /// Operations a panel decides on.
    OperationKind {
        Prevent => ("prevent", "Prevent"),
        Prosecute => ("prosecute", "Prosecute"),
        Disruption => ("disruption", "Disruption"),
    }
);

/// A panel meets every fourteen days.
pub const PANEL_INTERVAL_DAYS: i64 = 14;

/// The hours of a panel day: slots must start and end inside them.
pub const DAY_OPENS: NaiveTime = hm(9, 0);
pub const DAY_CLOSES: NaiveTime = hm(17, 0);

const fn hm(h: u32, m: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(h, m, 0) {
        Some(t) => t,
        None => panic!("not a time of day"),
    }
}

/// The dates of a fortnightly series from `first` up to and including `until`.
pub fn fortnightly_dates(first: NaiveDate, until: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = first;
    while d <= until {
        out.push(d);
        d += Duration::days(PANEL_INTERVAL_DAYS);
    }
    out
}

/// Checks a proposed series: both dates, in order, and not more than two years of meetings.
pub fn validate_series(first: Option<NaiveDate>, until: Option<NaiveDate>) -> Result<Vec<NaiveDate>, Invalid> {
    let mut v = Invalid::new();
    if first.is_none() {
        v.add("first", "Enter the date of the first panel, for example 14/09/2017");
    }
    if until.is_none() {
        v.add("until", "Enter the date the series runs until, for example 31/03/2018");
    }
    if let (Some(f), Some(u)) = (first, until) {
        if u < f {
            v.add("until", "The series must run until a date on or after the first panel");
        } else if (u - f).num_days() > 731 {
            v.add("until", "A series can cover at most two years: choose an earlier end date");
        }
    }
    v.finish()?;
    Ok(fortnightly_dates(first.unwrap_or_default(), until.unwrap_or_default()))
}

/// A young person's time at a panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub start: NaiveTime,
    pub minutes: u32,
}

impl Slot {
    pub fn end(&self) -> NaiveTime {
        self.start + Duration::minutes(self.minutes as i64)
    }
    /// "10:30–11:00".
    pub fn label(&self) -> String {
        format!("{}–{}", self.start.format("%H:%M"), self.end().format("%H:%M"))
    }
}

/// Whether a new slot overlaps any existing one (touching ends do not clash).
pub fn clashes(existing: &[Slot], new: &Slot) -> bool {
    existing.iter().any(|s| new.start < s.end() && s.start < new.end())
}

/// A time typed as "10:30" (or "10.30", "1030").
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    ["%H:%M", "%H.%M", "%H%M"].iter().find_map(|f| NaiveTime::parse_from_str(s, f).ok())
}

/// A slot already on the panel: whose it is and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booked {
    pub child_id: i64,
    pub slot: Slot,
}

/// Check a proposed slot against the panel day and the slots already booked: inside
/// the day's hours, no overlap, one slot per child per panel. Field names match the
/// booking form (`child_id`, `starts_at`, `minutes`).
pub fn validate_slot(booked: &[Booked], child_id: Option<i64>, start: Option<NaiveTime>, minutes: Option<i64>) -> Result<Slot, Invalid> {
    let mut v = Invalid::new();
    if child_id.is_none() {
        v.add("child_id", "Select the young person the slot is for");
    }
    if start.is_none() {
        v.add("starts_at", "Enter the start time as hours and minutes, for example 10:30");
    }
    match minutes {
        None => v.add("minutes", "Enter how many minutes the slot lasts, for example 30"),
        Some(m) if !(5..=240).contains(&m) => v.add("minutes", "A slot must last from 5 to 240 minutes"),
        _ => {}
    }
    if let Some(c) = child_id {
        if booked.iter().any(|b| b.child_id == c) {
            v.add("child_id", "This child already has a slot at this panel: change that slot instead of booking another");
        }
    }
    if let (Some(start), Some(m)) = (start, minutes.filter(|m| (5..=240).contains(m))) {
        let slot = Slot { start, minutes: m as u32 };
        let end_minutes = start.signed_duration_since(NaiveTime::MIN).num_minutes() + m;
        if start < DAY_OPENS || end_minutes > DAY_CLOSES.signed_duration_since(NaiveTime::MIN).num_minutes() {
            v.add(
                "starts_at",
                format!("The slot must be between {} and {}, the hours of the panel", DAY_OPENS.format("%H:%M"), DAY_CLOSES.format("%H:%M")),
            );
        } else if let Some(b) = booked.iter().find(|b| clashes(&[b.slot], &slot)) {
            v.add(
                "starts_at",
                format!("The slot clashes with another young person's slot ({}): choose a time that does not overlap", b.slot.label()),
            );
        }
        v.finish()?;
        return Ok(slot);
    }
    Err(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn a_fortnightly_series_includes_both_ends_when_they_fall_on_a_meeting() {
        let dates = fortnightly_dates(d(2017, 9, 14), d(2017, 10, 26));
        assert_eq!(dates, vec![d(2017, 9, 14), d(2017, 9, 28), d(2017, 10, 12), d(2017, 10, 26)]);
        assert_eq!(fortnightly_dates(d(2017, 9, 14), d(2017, 9, 27)), vec![d(2017, 9, 14)]);
        assert!(fortnightly_dates(d(2017, 9, 14), d(2017, 9, 13)).is_empty());
        assert!(validate_series(Some(d(2017, 9, 14)), Some(d(2017, 9, 1))).unwrap_err().for_field("until").is_some());
        assert!(validate_series(None, None).unwrap_err().errors.len() == 2);
        assert_eq!(validate_series(Some(d(2017, 9, 14)), Some(d(2017, 12, 31))).unwrap().len(), 8);
    }

    #[test]
    fn slots_clash_when_they_overlap_but_not_when_they_touch() {
        let a = Slot { start: t(10, 0), minutes: 30 };
        assert!(clashes(&[a], &Slot { start: t(10, 15), minutes: 30 }));
        assert!(clashes(&[a], &Slot { start: t(9, 45), minutes: 20 }));
        assert!(clashes(&[a], &Slot { start: t(9, 0), minutes: 120 }));
        assert!(!clashes(&[a], &Slot { start: t(10, 30), minutes: 30 }));
        assert!(!clashes(&[a], &Slot { start: t(9, 30), minutes: 30 }));
        assert_eq!(a.label(), "10:00–10:30");
    }

    #[test]
    fn a_slot_must_be_in_hours_free_and_the_childs_only_one() {
        let booked = [Booked { child_id: 1, slot: Slot { start: t(10, 0), minutes: 30 } }];
        assert_eq!(validate_slot(&booked, Some(2), Some(t(10, 30)), Some(30)).unwrap(), Slot { start: t(10, 30), minutes: 30 });
        let clash = validate_slot(&booked, Some(2), Some(t(10, 15)), Some(30)).unwrap_err();
        assert!(clash.for_field("starts_at").unwrap().contains("clashes"), "{clash:?}");
        let twice = validate_slot(&booked, Some(1), Some(t(14, 0)), Some(30)).unwrap_err();
        assert!(twice.for_field("child_id").unwrap().contains("already has a slot"));
        let late = validate_slot(&booked, Some(2), Some(t(16, 45)), Some(30)).unwrap_err();
        assert!(late.for_field("starts_at").unwrap().contains("09:00 and 17:00"));
        let early = validate_slot(&booked, Some(2), Some(t(8, 30)), Some(30)).unwrap_err();
        assert!(early.for_field("starts_at").is_some());
        let blank = validate_slot(&booked, None, None, None).unwrap_err();
        assert_eq!(blank.errors.len(), 3);
        assert!(validate_slot(&[], Some(2), Some(t(10, 0)), Some(0)).unwrap_err().for_field("minutes").is_some());
        assert_eq!(parse_time("10.30"), Some(t(10, 30)));
        assert_eq!(parse_time("1030"), Some(t(10, 30)));
        assert_eq!(parse_time("half ten"), None);
    }

    #[test]
    fn slugs_are_stable() {
        assert_eq!(
            InviteeKind::ALL.iter().map(|k| k.slug()).collect::<Vec<_>>(),
            ["young-person", "parent-carer", "spoc", "practitioner", "police-investigator", "standing-member", "home-authority"]
        );
        assert_eq!(Attendance::from_slug("sent-apologies"), Some(Attendance::SentApologies));
        assert_eq!(OperationKind::from_slug("disruption"), Some(OperationKind::Disruption));
    }
}
