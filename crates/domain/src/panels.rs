//! MACSE panels: the fortnightly series of meetings, the time slots the CSE analyst
//! allocates to each young person, who is invited and who came, and the prevent /
//! prosecute operations a panel decides on.

use chrono::{Duration, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::validation::{Checked, Invalid};

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
        CseReviewingOfficer => ("cse-reviewing-officer", "Named CSE reviewing officer (child protection)"),
    }
);

impl InviteeKind {
    /// The home authority of a child placed here from elsewhere must attend the child's
    /// slot (R12); every other invitee is asked to.
    pub fn must_attend(self) -> bool {
        self == InviteeKind::HomeAuthority
    }
}

/// The teams whose members sit on the MACSE panel for every young person (R12): the
/// panel itself, the police analyst and the performance analyst.
pub const STANDING_TEAMS: [crate::partnership::Team; 3] =
    [crate::partnership::Team::MacsePanel, crate::partnership::Team::PoliceAnalyst, crate::partnership::Team::PerformanceAnalyst];

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
pub fn check_series(first: Option<NaiveDate>, until: Option<NaiveDate>) -> Result<Checked<Vec<NaiveDate>>, Invalid> {
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
    Ok(Checked::new(fortnightly_dates(first.unwrap_or_default(), until.unwrap_or_default())))
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
pub fn check_slot(booked: &[Booked], child_id: Option<i64>, start: Option<NaiveTime>, minutes: Option<i64>) -> Result<Checked<Slot>, Invalid> {
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
        return Ok(Checked::new(slot));
    }
    Err(v)
}

// ---------------------------------------------------------------- checked commands

/// Someone invited to a young person's slot, as typed (the person's account, when
/// chosen, has already filled a blank name and agency in).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvitationInput {
    pub kind: Option<InviteeKind>,
    pub user_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub name: String,
}

impl InvitationInput {
    pub const FIELDS: &'static [&'static str] = &["kind", "name", "user_id", "agency_id"];
}

/// An invitation ready to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub kind: InviteeKind,
    pub user_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub name: String,
}

/// Who is invited (the kind), and a name or an agency (a name of at most 200 characters).
pub fn check_invitation(i: &InvitationInput) -> Result<Checked<Invitation>, Invalid> {
    let mut v = Invalid::new();
    if i.kind.is_none() {
        v.add("kind", "Select who is being invited");
    }
    let name = i.name.trim().to_string();
    if name.is_empty() && i.agency_id.is_none() {
        v.add("name", "Enter the name of the person invited, or choose their agency");
    }
    v.max_len("name", &name, 200, "The name");
    v.finish()?;
    let Some(kind) = i.kind else { return Err(Invalid::single("kind", "Select who is being invited")) };
    Ok(Checked::new(Invitation { kind, user_id: i.user_id, agency_id: i.agency_id, name }))
}

/// Whether an invitee came: one of the three answers.
pub fn check_attendance(a: Option<Attendance>) -> Result<Checked<Attendance>, Invalid> {
    a.map(Checked::new).ok_or_else(|| Invalid::single("attendance", "Select whether they attended, sent apologies or did not attend"))
}

/// Minutes (general business, or one young person's discussion): at most 100,000 characters.
pub fn check_minutes(field: &str, text: &str, what: &str) -> Result<Checked<String>, Invalid> {
    let mut v = Invalid::new();
    v.max_len(field, text, 100_000, what);
    v.finish()?;
    Ok(Checked::new(text.trim().to_string()))
}

/// A panel moved to another date (and place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelDate {
    pub date: NaiveDate,
    pub location: String,
}

/// A new date is needed; the location at most 200 characters. Whether another panel
/// already has the date is for storage to add.
pub fn check_panel_date(date: Option<NaiveDate>, location: &str) -> Result<Checked<PanelDate>, Invalid> {
    let mut v = Invalid::new();
    if date.is_none() {
        v.add("meeting_date", "Enter the panel's date, for example 28/09/2017");
    }
    let location = location.trim().to_string();
    v.max_len("location", &location, 200, "The location");
    v.finish()?;
    let Some(date) = date else { return Err(Invalid::single("meeting_date", "Enter the panel's date, for example 28/09/2017")) };
    Ok(Checked::new(PanelDate { date, location }))
}

/// A child's police CSE flag as of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoliceFlag {
    pub flagged: bool,
    pub flag_date: NaiveDate,
}

/// Yes or no, and a date today or in the past.
pub fn check_police_flag(flagged: Option<bool>, flag_date: Option<NaiveDate>, today: NaiveDate) -> Result<Checked<PoliceFlag>, Invalid> {
    let mut v = Invalid::new();
    if flagged.is_none() {
        v.add("flagged", "Select yes if the child has a police CSE flag, or no if not");
    }
    match flag_date {
        None => v.add("flag_date", "Enter the date of the flag, for example 14/09/2017"),
        Some(d) if d > today => v.add("flag_date", "The date of the flag must be today or in the past"),
        _ => {}
    }
    v.finish()?;
    let (Some(flagged), Some(flag_date)) = (flagged, flag_date) else {
        return Err(Invalid::single("flagged", "Select yes if the child has a police CSE flag, or no if not"));
    };
    Ok(Checked::new(PoliceFlag { flagged, flag_date }))
}

/// An operation as the police record it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperationInput {
    pub name: String,
    pub kind: Option<OperationKind>,
    pub lead: String,
    pub panel_id: Option<i64>,
}

impl OperationInput {
    pub const FIELDS: &'static [&'static str] = &["name", "kind", "lead", "panel_id"];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOperation {
    pub name: String,
    pub kind: OperationKind,
    pub lead: String,
    pub panel_id: Option<i64>,
}

/// A name and a lead (each at most 200 characters) and a kind. Whether the panel
/// chosen exists is for storage to add.
pub fn check_operation(o: &OperationInput) -> Result<Checked<NewOperation>, Invalid> {
    let mut v = Invalid::new();
    let name = v.required("name", &o.name, "Enter the operation's name");
    v.max_len("name", &name, 200, "The name");
    if o.kind.is_none() {
        v.add("kind", "Select whether the operation is to prevent, prosecute or disrupt");
    }
    let lead = v.required("lead", &o.lead, "Enter the officer leading the operation");
    v.max_len("lead", &lead, 200, "The lead");
    v.finish()?;
    let Some(kind) = o.kind else { return Err(Invalid::single("kind", "Select whether the operation is to prevent, prosecute or disrupt")) };
    Ok(Checked::new(NewOperation { name, kind, lead, panel_id: o.panel_id }))
}

/// A dated update to an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationUpdate {
    pub date: NaiveDate,
    pub text: String,
}

/// A date today or in the past, and the update (at most 10,000 characters).
pub fn check_operation_update(date: Option<NaiveDate>, text: &str, today: NaiveDate) -> Result<Checked<OperationUpdate>, Invalid> {
    let mut v = Invalid::new();
    match date {
        None => v.add("update_date", "Enter the date of the update, for example 21/09/2017"),
        Some(d) if d > today => v.add("update_date", "The date of the update must be today or in the past"),
        _ => {}
    }
    let text = v.required("text", text, "Enter the update");
    v.max_len("text", &text, 10_000, "The update");
    v.finish()?;
    let Some(date) = date else { return Err(Invalid::single("update_date", "Enter the date of the update, for example 21/09/2017")) };
    Ok(Checked::new(OperationUpdate { date, text }))
}

/// An operation's outcome: required, at most 10,000 characters.
pub fn check_outcome(text: &str) -> Result<Checked<String>, Invalid> {
    let mut v = Invalid::new();
    let outcome = v.required("outcome", text, "Enter the outcome of the operation");
    v.max_len("outcome", &outcome, 10_000, "The outcome");
    v.finish()?;
    Ok(Checked::new(outcome))
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
        assert!(check_series(Some(d(2017, 9, 14)), Some(d(2017, 9, 1))).unwrap_err().for_field("until").is_some());
        assert!(check_series(None, None).unwrap_err().errors.len() == 2);
        assert_eq!(check_series(Some(d(2017, 9, 14)), Some(d(2017, 12, 31))).unwrap().len(), 8);
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
        assert_eq!(check_slot(&booked, Some(2), Some(t(10, 30)), Some(30)).unwrap().into_inner(), Slot { start: t(10, 30), minutes: 30 });
        let clash = check_slot(&booked, Some(2), Some(t(10, 15)), Some(30)).unwrap_err();
        assert!(clash.for_field("starts_at").unwrap().contains("clashes"), "{clash:?}");
        let twice = check_slot(&booked, Some(1), Some(t(14, 0)), Some(30)).unwrap_err();
        assert!(twice.for_field("child_id").unwrap().contains("already has a slot"));
        let late = check_slot(&booked, Some(2), Some(t(16, 45)), Some(30)).unwrap_err();
        assert!(late.for_field("starts_at").unwrap().contains("09:00 and 17:00"));
        let early = check_slot(&booked, Some(2), Some(t(8, 30)), Some(30)).unwrap_err();
        assert!(early.for_field("starts_at").is_some());
        let blank = check_slot(&booked, None, None, None).unwrap_err();
        assert_eq!(blank.errors.len(), 3);
        assert!(check_slot(&[], Some(2), Some(t(10, 0)), Some(0)).unwrap_err().for_field("minutes").is_some());
        assert_eq!(parse_time("10.30"), Some(t(10, 30)));
        assert_eq!(parse_time("1030"), Some(t(10, 30)));
        assert_eq!(parse_time("half ten"), None);
    }

    #[test]
    fn slugs_are_stable() {
        assert_eq!(
            InviteeKind::ALL.iter().map(|k| k.slug()).collect::<Vec<_>>(),
            [
                "young-person",
                "parent-carer",
                "spoc",
                "practitioner",
                "police-investigator",
                "standing-member",
                "home-authority",
                "cse-reviewing-officer"
            ]
        );
        assert_eq!(Attendance::from_slug("sent-apologies"), Some(Attendance::SentApologies));
        assert_eq!(OperationKind::from_slug("disruption"), Some(OperationKind::Disruption));
    }

    #[test]
    fn an_invitation_needs_who_and_a_name_or_an_agency_all_at_once() {
        let e = check_invitation(&InvitationInput::default()).unwrap_err();
        assert_eq!(e.for_field("kind"), Some("Select who is being invited"));
        assert_eq!(e.for_field("name"), Some("Enter the name of the person invited, or choose their agency"));
        let ok =
            check_invitation(&InvitationInput { kind: Some(InviteeKind::ParentCarer), name: " Mrs Ahmed ".into(), ..Default::default() }).unwrap();
        assert_eq!((ok.kind, ok.name.as_str()), (InviteeKind::ParentCarer, "Mrs Ahmed"));
        assert!(check_invitation(&InvitationInput { kind: Some(InviteeKind::Spoc), agency_id: Some(3), ..Default::default() }).is_ok());
    }

    #[test]
    fn a_flag_is_yes_or_no_as_of_a_day_not_in_the_future() {
        let today = d(2017, 10, 1);
        let e = check_police_flag(None, Some(d(2017, 10, 2)), today).unwrap_err();
        assert!(e.for_field("flagged").is_some() && e.for_field("flag_date") == Some("The date of the flag must be today or in the past"));
        let ok = check_police_flag(Some(true), Some(today), today).unwrap();
        assert!(ok.flagged && ok.flag_date == today);
    }

    #[test]
    fn an_operation_needs_a_name_a_kind_and_a_lead_all_at_once() {
        let e = check_operation(&OperationInput { name: " ".into(), lead: "x".repeat(201), ..Default::default() }).unwrap_err();
        assert_eq!(e.errors.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["name", "kind", "lead"]);
        let e = check_operation_update(None, "", d(2017, 10, 1)).unwrap_err();
        assert!(e.for_field("update_date").is_some() && e.for_field("text").is_some());
        assert!(check_outcome("  ").is_err() && check_outcome("Charged").is_ok());
    }

    #[test]
    fn a_panel_moved_needs_its_new_date() {
        assert_eq!(check_panel_date(None, "").unwrap_err().for_field("meeting_date"), Some("Enter the panel's date, for example 28/09/2017"));
        assert_eq!(check_panel_date(Some(d(2017, 9, 28)), " Room 2 ").unwrap().location, "Room 2");
        assert!(check_minutes("minutes", &"x".repeat(100_001), "The minutes").is_err());
        assert!(check_attendance(None).is_err() && check_attendance(Some(Attendance::Attended)).is_ok());
    }

    #[test]
    fn standing_members_and_the_home_authority() {
        use crate::partnership::Team;
        assert!(STANDING_TEAMS.contains(&Team::PoliceAnalyst) && STANDING_TEAMS.contains(&Team::PerformanceAnalyst));
        assert!(STANDING_TEAMS.contains(&Team::MacsePanel));
        assert!(STANDING_TEAMS.iter().filter(|t| **t != Team::MacsePanel).all(|t| !t.sees_every_child()), "sitting on the panel widens no reach");
        for k in InviteeKind::ALL {
            assert_eq!(k.must_attend(), *k == InviteeKind::HomeAuthority, "{k:?}");
        }
    }
}
