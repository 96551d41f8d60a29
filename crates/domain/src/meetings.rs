//! Committee meetings (DOMAIN.md §3; seeds 002, 004): the municipal year, who sits on
//! a body and in what role, meetings and their moves, agendas with exempt items last,
//! minutes numbered through the year, resolutions whose parts are typed, and the
//! report a resolution requested, tracked until a paper answers it.
//!
//! Plain types and rules; "today" is always passed in.

use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::dates::{long, municipal_year_start};
use crate::validation::{Checked, Invalid};

/// A municipal year, May to the end of April, named by its first calendar year
/// ("2017/18" is 2017).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MunicipalYear(pub i32);

impl MunicipalYear {
    pub fn of(d: NaiveDate) -> MunicipalYear {
        MunicipalYear(municipal_year_start(d))
    }
    /// 1 May.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 5, 1).expect("1 May exists")
    }
    /// 30 April of the next calendar year.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 4, 30).expect("30 April exists")
    }
    pub fn contains(self, d: NaiveDate) -> bool {
        MunicipalYear::of(d) == self
    }
    /// "2017/18".
    pub fn label(self) -> String {
        format!("{}/{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
    /// "2017/18" or "2017" back to the year.
    pub fn parse(s: &str) -> Option<MunicipalYear> {
        let first = s.trim().split('/').next()?;
        let y: i32 = first.parse().ok()?;
        (1900..=2200).contains(&y).then_some(MunicipalYear(y))
    }
}

slug_enum!(
    /// A member's place on a body.
    MemberRole {
        Chair => ("chair", "Chair"),
        ViceChair => ("vice-chair", "Vice-chair"),
        Councillor => ("councillor", "Councillor"),
        CoOpted => ("co-opted", "Co-opted member"),
        Advisory => ("advisory", "Advisory member"),
        ParentGovernor => ("parent-governor", "Parent governor representative"),
        Healthwatch => ("healthwatch", "Healthwatch representative"),
    }
);

impl MemberRole {
    /// Whether the member votes (and so counts towards the quorum): advisory members and
    /// Healthwatch representatives attend without a vote.
    pub fn votes(self) -> bool {
        !matches!(self, MemberRole::Advisory | MemberRole::Healthwatch)
    }
}

slug_enum!(
    /// What kind of meeting.
    MeetingType {
        Ordinary => ("ordinary", "Ordinary"),
        Special => ("special", "Special"),
        Joint => ("joint", "Joint (with another body)"),
    }
);

slug_enum!(
    /// Where a meeting is in its life.
    MeetingStatus {
        Scheduled => ("scheduled", "Scheduled"),
        AgendaPublished => ("agenda-published", "Agenda published"),
        Held => ("held", "Held"),
        MinutesApproved => ("minutes-approved", "Minutes approved"),
        Cancelled => ("cancelled", "Cancelled"),
        Moved => ("moved", "Moved"),
    }
);

impl MeetingStatus {
    /// Whether its date may still change (a held meeting stays where it was held).
    pub fn may_move(self) -> bool {
        matches!(self, MeetingStatus::Scheduled | MeetingStatus::Moved | MeetingStatus::AgendaPublished)
    }
    /// Whether the agenda is closed: published, or the meeting is over.
    pub fn agenda_closed(self) -> bool {
        matches!(self, MeetingStatus::AgendaPublished | MeetingStatus::Held | MeetingStatus::MinutesApproved)
    }
    /// The statuses a meeting may go to from this one (a move is [`check_move`]'s).
    pub fn may_become(self, to: MeetingStatus) -> bool {
        use MeetingStatus::*;
        matches!(
            (self, to),
            (Scheduled | Moved, AgendaPublished)
                | (AgendaPublished, Held)
                | (Held, MinutesApproved)
                | (Scheduled | Moved | AgendaPublished, Cancelled)
        )
    }
}

/// A meeting as typed on the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingInput {
    pub date: Option<NaiveDate>,
    /// "18:30".
    pub time: String,
    pub venue: String,
    pub kind: Option<MeetingType>,
    /// For a joint meeting: the other body's name.
    pub joint_with: String,
}

impl MeetingInput {
    pub const FIELDS: &'static [&'static str] = &["date", "time", "venue", "kind", "joint_with"];
}

/// A meeting ready to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingDetails {
    pub date: NaiveDate,
    pub time: NaiveTime,
    pub venue: String,
    pub kind: MeetingType,
    pub joint_with: Option<String>,
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim().to_ascii_lowercase();
    NaiveTime::parse_from_str(&s, "%H:%M").or_else(|_| NaiveTime::parse_from_str(&s, "%H.%M")).ok()
}

/// A meeting is arranged for today or later, at a time, in a venue; a joint meeting
/// names the other body.
pub fn check_meeting(m: &MeetingInput, today: NaiveDate) -> Result<Checked<MeetingDetails>, Invalid> {
    let mut v = Invalid::new();
    match m.date {
        None => v.add("date", "Enter the date of the meeting"),
        Some(d) if d < today => v.add("date", format!("The date of the meeting must be today or later, not {}", long(d))),
        Some(d) => v.plausible_date("date", Some(d), "The date of the meeting"),
    }
    let time = parse_time(&m.time);
    if time.is_none() {
        v.add("time", "Enter the time the meeting starts as hours and minutes on the 24-hour clock, for example 18:30");
    }
    let venue = v.required("venue", &m.venue, "Enter where the meeting is held, for example Town Hall, Bootle");
    v.max_len("venue", &venue, 200, "Venue");
    if m.kind.is_none() {
        v.add("kind", "Select the type of meeting");
    }
    let joint = m.joint_with.trim().to_string();
    if m.kind == Some(MeetingType::Joint) && joint.is_empty() {
        v.add("joint_with", "Enter the body this joint meeting is held with");
    }
    v.max_len("joint_with", &joint, 200, "The other body");
    v.finish()?;
    let (Some(date), Some(time), Some(kind)) = (m.date, time, m.kind) else { return Err(Invalid::single("date", "Enter the date of the meeting")) };
    let joint_with = (kind == MeetingType::Joint).then_some(joint);
    Ok(Checked::new(MeetingDetails { date, time, venue, kind, joint_with }))
}

/// A meeting's move: the date it leaves, the date it goes to and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingMove {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

/// A body meets at most once a day: the dates among `dates` on which it already has a
/// meeting (`taken`: its other meetings that are not cancelled), in order.
pub fn clashes(dates: &[NaiveDate], taken: &[NaiveDate]) -> Vec<NaiveDate> {
    dates.iter().copied().filter(|d| taken.contains(d)).collect()
}

/// Moving a meeting keeps the old date and the reason; the new date is today or later,
/// differs from the old one and is not a day the body already meets (`taken`: the
/// dates of its other meetings that are not cancelled); a held or cancelled meeting
/// does not move.
pub fn check_move(
    status: MeetingStatus,
    from: NaiveDate,
    to: Option<NaiveDate>,
    reason: &str,
    today: NaiveDate,
    taken: &[NaiveDate],
) -> Result<Checked<MeetingMove>, Invalid> {
    let mut v = Invalid::new();
    if !status.may_move() {
        v.add("date", format!("A meeting that is {} cannot be moved", status.label().to_lowercase()));
    }
    match to {
        None => v.add("date", "Enter the new date of the meeting"),
        Some(d) if d < today => v.add("date", format!("The new date must be today or later, not {}", long(d))),
        Some(d) if d == from => v.add("date", "Enter a date different from the meeting's current date"),
        Some(d) if taken.contains(&d) => {
            v.add("date", format!("The body already meets on {}: choose another date, or move or cancel that meeting first", long(d)))
        }
        Some(d) => v.plausible_date("date", Some(d), "The new date"),
    }
    let reason = v.required("reason", reason, "Enter why the meeting is moving");
    v.max_len("reason", &reason, 1000, "Reason");
    v.finish()?;
    let Some(to) = to else { return Err(Invalid::single("date", "Enter the new date of the meeting")) };
    Ok(Checked::new(MeetingMove { from, to, reason }))
}

/// A year's meeting dates from a pattern: the first date, then every `every_weeks`
/// weeks while still in the same municipal year, at most `count` dates. The clerk then
/// edits them one by one.
pub fn year_dates(first: NaiveDate, every_weeks: u32, count: usize) -> Vec<NaiveDate> {
    let year = MunicipalYear::of(first);
    let step = chrono::Duration::weeks(i64::from(every_weeks.max(1)));
    std::iter::successors(Some(first), |d| Some(*d + step)).take_while(|d| year.contains(*d)).take(count).collect()
}

/// How a year's meetings repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Every n weeks from the first meeting.
    Weeks(u32),
    /// Every n months on the same date as the first meeting (the month's last day when
    /// it has no such date).
    MonthsSameDate(u32),
    /// Every n months on the same weekday of the month as the first meeting ("the
    /// second Tuesday"; a first meeting in a month's last seven days: "the last").
    MonthsSameWeekday(u32),
}

/// A year's meetings as the clerk describes them: the first meeting, how they repeat,
/// the months skipped (August, say) and where and when they are held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatternInput {
    /// The first meeting's date, time, venue and type.
    pub meeting: MeetingInput,
    pub every: Option<i64>,
    /// "weeks", "months-date" or "months-weekday".
    pub unit: String,
    /// Calendar months (1 to 12) with no meeting.
    pub skip_months: Vec<u32>,
}

impl PatternInput {
    pub const FIELDS: &'static [&'static str] = &["date", "every", "unit", "skip", "time", "venue", "kind", "joint_with"];
}

/// The dates of a checked pattern, with the meeting's time, venue and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearOfMeetings {
    pub dates: Vec<NaiveDate>,
    pub meeting: MeetingDetails,
    /// "the second Tuesday of every month".
    pub described: String,
}

/// Which of its weekday a date is in its month: 1 for the first Tuesday, … and 5 for
/// a date in the month's last seven days (read as "the last").
fn week_of_month(d: NaiveDate) -> u32 {
    if (d + chrono::Duration::days(7)).month() != d.month() {
        5
    } else {
        (d.day() - 1) / 7 + 1
    }
}

fn ordinal(n: u32) -> &'static str {
    match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        _ => "last",
    }
}

fn first_of_month(year: i32, month0: i32) -> NaiveDate {
    let (y, m) = (year + month0.div_euclid(12), month0.rem_euclid(12) as u32 + 1);
    NaiveDate::from_ymd_opt(y, m, 1).expect("the first of a month")
}

/// The date of the `n`th (5: the last) `weekday` in the month that starts on `first`.
fn nth_weekday(first: NaiveDate, weekday: chrono::Weekday, n: u32) -> NaiveDate {
    let offset = (7 + weekday.num_days_from_monday() as i64 - first.weekday().num_days_from_monday() as i64) % 7;
    let mut d = first + chrono::Duration::days(offset + 7 * (i64::from(n.min(5)) - 1));
    while d.month() != first.month() {
        d -= chrono::Duration::days(7);
    }
    d
}

/// The meetings from `first` to the end of its municipal year, repeating as `repeat`
/// says, leaving out the `skip` months.
pub fn pattern_dates(first: NaiveDate, repeat: Repeat, skip: &[u32]) -> Vec<NaiveDate> {
    let year = MunicipalYear::of(first);
    let mut out = Vec::new();
    match repeat {
        Repeat::Weeks(n) => {
            let step = chrono::Duration::weeks(i64::from(n.max(1)));
            let mut d = first;
            while year.contains(d) {
                out.push(d);
                d += step;
            }
        }
        Repeat::MonthsSameDate(n) | Repeat::MonthsSameWeekday(n) => {
            let (weekday, week) = (first.weekday(), week_of_month(first));
            let base = first.month0() as i32;
            let mut k = 0;
            loop {
                let month = first_of_month(first.year(), base + k * n.max(1) as i32);
                k += 1;
                let d = match repeat {
                    Repeat::MonthsSameWeekday(_) => nth_weekday(month, weekday, week),
                    _ => {
                        let last = first_of_month(month.year(), month.month0() as i32 + 1) - chrono::Duration::days(1);
                        NaiveDate::from_ymd_opt(month.year(), month.month(), first.day()).unwrap_or(last)
                    }
                };
                if !year.contains(d) || out.len() > 60 {
                    break;
                }
                if d >= first {
                    out.push(d);
                }
            }
        }
    }
    out.retain(|d| !skip.contains(&d.month()));
    out
}

/// What a pattern says, for the clerk to check: "every 8 weeks", "the 12th of every
/// month", "the second Tuesday of every 2 months".
pub fn describe_pattern(first: NaiveDate, repeat: Repeat) -> String {
    let every = |n: u32, unit: &str| if n == 1 { format!("every {unit}") } else { format!("every {n} {unit}s") };
    match repeat {
        Repeat::Weeks(n) => every(n, "week"),
        Repeat::MonthsSameDate(n) => format!("the {} of {}", first.format("%-d").to_string() + ordinal_suffix(first.day()), every(n, "month")),
        Repeat::MonthsSameWeekday(n) => format!("the {} {} of {}", ordinal(week_of_month(first)), first.format("%A"), every(n, "month")),
    }
}

fn ordinal_suffix(day: u32) -> &'static str {
    match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// A year of meetings: a first meeting today or later (with its time, venue and type
/// as [`check_meeting`] wants them), repeating every 1 to 26 weeks or 1 to 12 months,
/// the first not in a skipped month; every date stays in the first's municipal year.
pub fn check_pattern(p: &PatternInput, today: NaiveDate) -> Result<Checked<YearOfMeetings>, Invalid> {
    let mut v = Invalid::new();
    let meeting = match check_meeting(&p.meeting, today) {
        Ok(m) => Some(m.into_inner()),
        Err(e) => {
            for x in e.errors {
                let msg = if x.field == "date" { x.message.replace("The date of the meeting", "The date of the first meeting") } else { x.message };
                v.add(&x.field, msg.replace("Enter the date of the meeting", "Enter the date of the first meeting"));
            }
            None
        }
    };
    let (max, unit_word) = match p.unit.as_str() {
        "weeks" => (26, "weeks"),
        "months-date" | "months-weekday" => (12, "months"),
        _ => {
            v.add("unit", "Select how the meetings repeat: every so many weeks, or every so many months");
            (12, "")
        }
    };
    let every = p.every.filter(|n| (1..=max).contains(n)).map(|n| n as u32);
    match p.every {
        None => v.add("every", "Enter how often the body meets as a whole number, for example 6"),
        Some(_) if every.is_none() && !unit_word.is_empty() => {
            v.add("every", format!("Enter how often the body meets as a whole number of {unit_word} from 1 to {max}"))
        }
        Some(n) if n < 1 => v.add("every", "Enter how often the body meets as a whole number, for example 6"),
        Some(_) => {}
    }
    if p.skip_months.iter().any(|m| !(1..=12).contains(m)) {
        v.add("skip", "Select the months with no meeting from the list");
    }
    if let Some(d) = p.meeting.date.filter(|d| p.skip_months.contains(&d.month())) {
        v.add("skip", format!("The first meeting is in {}, a month you chose to skip", d.format("%B")));
    }
    v.finish()?;
    let (Some(meeting), Some(n)) = (meeting, every) else { return Err(Invalid::single("date", "Enter the date of the first meeting")) };
    let repeat = match p.unit.as_str() {
        "weeks" => Repeat::Weeks(n),
        "months-date" => Repeat::MonthsSameDate(n),
        _ => Repeat::MonthsSameWeekday(n),
    };
    let dates = pattern_dates(meeting.date, repeat, &p.skip_months);
    let described = describe_pattern(meeting.date, repeat);
    Ok(Checked::new(YearOfMeetings { dates, meeting, described }))
}

// ---------------------------------------------------------------------------------
// Membership

/// A membership as typed: the person, their role, their named substitute (both by
/// account or person id) and the term.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MembershipInput {
    pub person: Option<i64>,
    pub role: Option<MemberRole>,
    pub party: String,
    pub substitute: Option<i64>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
}

impl MembershipInput {
    pub const FIELDS: &'static [&'static str] = &["person", "role", "party", "substitute", "term_start", "term_end"];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipDetails {
    pub person: i64,
    pub role: MemberRole,
    pub party: Option<String>,
    pub substitute: Option<i64>,
    pub term_start: NaiveDate,
    pub term_end: Option<NaiveDate>,
}

/// A member is not their own substitute; a term ends after it starts. `sitting` is the
/// people already members of the body over the term (one person sits once).
pub fn check_membership(m: &MembershipInput, sitting: &[i64]) -> Result<Checked<MembershipDetails>, Invalid> {
    let mut v = Invalid::new();
    if m.person.is_none() {
        v.add("person", "Select the member");
    }
    if m.person.is_some_and(|p| sitting.contains(&p)) {
        v.add("person", "This person is already a member of the body for this term");
    }
    if m.role.is_none() {
        v.add("role", "Select the member's role");
    }
    let party = m.party.trim().to_string();
    v.max_len("party", &party, 100, "Party");
    if m.substitute.is_some() && m.substitute == m.person {
        v.add("substitute", "A member cannot be their own substitute: select someone else, or no substitute");
    }
    match m.term_start {
        None => v.add("term_start", "Enter the date the term starts"),
        Some(d) => v.plausible_date("term_start", Some(d), "The start of the term"),
    }
    if let (Some(s), Some(e)) = (m.term_start, m.term_end) {
        if e <= s {
            v.add("term_end", "The term must end after it starts");
        }
    }
    v.finish()?;
    let (Some(person), Some(role), Some(term_start)) = (m.person, m.role, m.term_start) else {
        return Err(Invalid::single("person", "Select the member"));
    };
    Ok(Checked::new(MembershipDetails {
        person,
        role,
        party: Some(party).filter(|p| !p.is_empty()),
        substitute: m.substitute,
        term_start,
        term_end: m.term_end,
    }))
}

/// A change to a sitting member: their role, their party on the body and their named
/// substitute (the person and the term stay as they are; a new term is a new membership).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberChangeInput {
    pub role: Option<MemberRole>,
    pub party: String,
    pub substitute: Option<i64>,
}

impl MemberChangeInput {
    pub const FIELDS: &'static [&'static str] = &["role", "party", "substitute"];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberChange {
    pub role: MemberRole,
    pub party: Option<String>,
    pub substitute: Option<i64>,
}

/// The same rules as adding the member: a role, a party of at most 100 characters and
/// a substitute who is not the member (`person`) themselves.
pub fn check_member_change(person: i64, c: &MemberChangeInput) -> Result<Checked<MemberChange>, Invalid> {
    let mut v = Invalid::new();
    if c.role.is_none() {
        v.add("role", "Select the member's role");
    }
    let party = c.party.trim().to_string();
    v.max_len("party", &party, 100, "Party");
    if c.substitute == Some(person) {
        v.add("substitute", "A member cannot be their own substitute: select someone else, or no substitute");
    }
    v.finish()?;
    let Some(role) = c.role else { return Err(Invalid::single("role", "Select the member's role")) };
    Ok(Checked::new(MemberChange { role, party: Some(party).filter(|p| !p.is_empty()), substitute: c.substitute }))
}

/// Ending a term: a date after the term started (a term ends the day it is ended, so
/// the member no longer sits from then).
pub fn check_term_end(term_start: NaiveDate, end: Option<NaiveDate>) -> Result<Checked<NaiveDate>, Invalid> {
    let mut v = Invalid::new();
    match end {
        None => v.add("term_end", "Enter the date the term ends"),
        Some(e) if e <= term_start => v.add("term_end", format!("The term must end after it starts, on {}", long(term_start))),
        Some(e) => v.plausible_date("term_end", Some(e), "The end of the term"),
    }
    v.finish()?;
    let Some(end) = end else { return Err(Invalid::single("term_end", "Enter the date the term ends")) };
    Ok(Checked::new(end))
}

/// A body's quorum rule, from its constitution: a fraction of its voting members
/// (rounded up), but never fewer than a minimum ("one quarter of the whole number of
/// members, but not less than three").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumRule {
    /// 4 for a quarter; 0 for a fixed number (the minimum alone).
    pub denominator: u32,
    pub minimum: u32,
}

impl Default for QuorumRule {
    fn default() -> Self {
        QuorumRule { denominator: 4, minimum: 3 }
    }
}

impl QuorumRule {
    /// How many voting members must be present.
    pub fn required(self, voting_members: u32) -> u32 {
        let share = if self.denominator == 0 { 0 } else { voting_members.div_ceil(self.denominator) };
        share.max(self.minimum)
    }
    /// "Quorum: 3 of 12 voting members".
    pub fn describe(self, voting_members: u32) -> String {
        format!("Quorum: {} of {} voting members", self.required(voting_members), voting_members)
    }
}

slug_enum!(
    /// How someone was at (or away from) a meeting.
    Attendance {
        Present => ("present", "Present"),
        Apologies => ("apologies", "Apologies"),
        SubstituteAttended => ("substitute-attended", "Apologies, substitute attended"),
        AlsoPresent => ("also-present", "Also present"),
    }
);

/// Whether the meeting is quorate: voting members present in person, and the
/// substitutes who attended for a voting member.
pub fn quorate(rule: QuorumRule, voting_members: u32, voting_present: u32, substitutes_attended: u32) -> bool {
    voting_present + substitutes_attended >= rule.required(voting_members)
}

// ---------------------------------------------------------------------------------
// Agendas

slug_enum!(
    /// What an agenda item is.
    AgendaKind {
        Apologies => ("apologies", "Apologies for absence"),
        Declarations => ("declarations", "Declarations of interest"),
        PreviousMinutes => ("previous-minutes", "Minutes of the previous meeting"),
        Report => ("report", "Report"),
        Standing => ("standing", "Standing item"),
        Exempt => ("exempt", "Exempt item"),
    }
);

/// An agenda item as the clerk orders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItemInput {
    pub kind: Option<AgendaKind>,
    pub title: String,
    /// For an exempt item: the paragraph (1 to 7) of Schedule 12A to the Local
    /// Government Act 1972.
    pub exempt_paragraph: Option<i64>,
}

impl AgendaItemInput {
    pub const FIELDS: &'static [&'static str] = &["kind", "title", "exempt_paragraph"];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItemDetails {
    pub kind: AgendaKind,
    pub title: String,
    pub exempt_paragraph: Option<u8>,
}

/// The paragraphs of Schedule 12A, as the public are told.
pub fn schedule_12a(paragraph: u8) -> &'static str {
    match paragraph {
        1 => "Information relating to any individual",
        2 => "Information which is likely to reveal the identity of an individual",
        3 => "Information relating to the financial or business affairs of any particular person (including the authority holding that information)",
        4 => "Information relating to any consultations or negotiations, or contemplated consultations or negotiations, in connection with any labour relations matter",
        5 => "Information in respect of which a claim to legal professional privilege could be maintained in legal proceedings",
        6 => "Information which reveals that the authority proposes to give a notice or make an order or direction",
        7 => "Information relating to any action taken or to be taken in connection with the prevention, investigation or prosecution of crime",
        _ => "",
    }
}

/// An item has a kind and a title; an exempt item names its paragraph (1 to 7), and
/// only an exempt item has one.
pub fn check_agenda_item(a: &AgendaItemInput) -> Result<Checked<AgendaItemDetails>, Invalid> {
    let mut v = Invalid::new();
    if a.kind.is_none() {
        v.add("kind", "Select what kind of item this is");
    }
    let title = v.required("title", &a.title, "Enter the item's title");
    v.max_len("title", &title, 300, "Title");
    let para = match (a.kind, a.exempt_paragraph) {
        (Some(AgendaKind::Exempt), Some(p @ 1..=7)) => Some(p as u8),
        (Some(AgendaKind::Exempt), _) => {
            v.add("exempt_paragraph", "Select the paragraph of Schedule 12A (1 to 7) that makes this item exempt");
            None
        }
        (_, Some(_)) => {
            v.add("exempt_paragraph", "Only an exempt item has a Schedule 12A paragraph");
            None
        }
        _ => None,
    };
    v.finish()?;
    let Some(kind) = a.kind else { return Err(Invalid::single("kind", "Select what kind of item this is")) };
    Ok(Checked::new(AgendaItemDetails { kind, title, exempt_paragraph: para }))
}

/// The order an agenda is printed in: the items as the clerk placed them, with every
/// exempt item moved after the public ones (keeping their order). Returns the indices
/// into `kinds` in agenda order; item number n is position n - 1.
pub fn agenda_order(kinds: &[(AgendaKind, i64)]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..kinds.len()).collect();
    idx.sort_by_key(|&i| (kinds[i].0 == AgendaKind::Exempt, kinds[i].1, i));
    idx
}

/// The items of a new agenda before anything is added: apologies, declarations and
/// (after the year's first meeting) the minutes of the last meeting, which the next
/// meeting approves.
pub fn standard_items(previous_meeting: Option<NaiveDate>) -> Vec<(AgendaKind, String)> {
    let mut v =
        vec![(AgendaKind::Apologies, "Apologies for absence".to_string()), (AgendaKind::Declarations, "Declarations of interest".to_string())];
    if let Some(d) = previous_meeting {
        v.push((AgendaKind::PreviousMinutes, format!("Minutes of the meeting held on {}", long(d))));
    }
    v
}

// ---------------------------------------------------------------------------------
// Minutes

/// The number the next minute takes: minutes run continuously through a body's
/// municipal year and start again at 1 in May. `last` is the body's latest minute
/// (its meeting's date and number), if any.
pub fn next_minute_number(last: Option<(NaiveDate, i64)>, meeting_date: NaiveDate) -> i64 {
    match last {
        Some((d, n)) if MunicipalYear::of(d) == MunicipalYear::of(meeting_date) => n + 1,
        _ => 1,
    }
}

/// A minute by its number and meeting: what "Further to Minute No. 5 of 12 July 2016"
/// names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MinuteRef {
    pub number: i64,
    pub meeting_date: NaiveDate,
}

impl MinuteRef {
    /// "Minute No. 5 of 12 July 2016".
    pub fn cite(self) -> String {
        format!("Minute No. {} of {}", self.number, long(self.meeting_date))
    }
}

/// A minute may refer to an earlier minute of the same body only if it exists and is
/// earlier: `known` holds the body's minutes.
pub fn check_cross_reference(field: &str, reference: MinuteRef, this_meeting: NaiveDate, known: &[MinuteRef]) -> Result<(), Invalid> {
    if reference.meeting_date >= this_meeting {
        return Err(Invalid::single(field, "A minute can only refer to a minute of an earlier meeting"));
    }
    if !known.contains(&reference) {
        return Err(Invalid::single(field, format!("There is no {} for this body: check the number and the date", reference.cite())));
    }
    Ok(())
}

/// The fingerprint that freezes approved minutes: SHA-256 over their text.
pub fn minutes_fingerprint(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Minutes are edited while drafted; once approved by the next meeting they are frozen.
pub fn check_minutes_editable(approved: bool) -> Result<(), Invalid> {
    if approved {
        Err(Invalid::single("text", "These minutes were approved and are frozen: they cannot be changed"))
    } else {
        Ok(())
    }
}

/// A declaration of interest: Member | Minute no. | Reason | Action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclarationInput {
    pub member: String,
    pub minute: Option<i64>,
    pub reason: String,
    pub action: String,
}

impl DeclarationInput {
    pub const FIELDS: &'static [&'static str] = &["member", "minute", "reason", "action"];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationDetails {
    pub member: String,
    pub minute: i64,
    pub reason: String,
    pub action: String,
}

/// Every column is filled in; the minute is one of this meeting's (`minutes`).
pub fn check_declaration(d: &DeclarationInput, minutes: &[i64]) -> Result<Checked<DeclarationDetails>, Invalid> {
    let mut v = Invalid::new();
    let member = v.required("member", &d.member, "Enter the member who declared the interest");
    v.max_len("member", &member, 200, "Member");
    match d.minute {
        None => v.add("minute", "Enter the minute number the interest is in"),
        Some(n) if !minutes.contains(&n) => v.add("minute", format!("Minute No. {n} is not one of this meeting's minutes")),
        Some(_) => {}
    }
    let reason = v.required("reason", &d.reason, "Enter the interest and why it was declared");
    v.max_len("reason", &reason, 1000, "Reason");
    let action = v.required("action", &d.action, "Enter what the member did, for example stayed in the room and took part");
    v.max_len("action", &action, 1000, "Action");
    v.finish()?;
    Ok(Checked::new(DeclarationDetails { member, minute: d.minute.unwrap_or_default(), reason, action }))
}

// ---------------------------------------------------------------------------------
// Resolutions and requested reports

slug_enum!(
    /// What a part of a resolution does.
    ResolutionKind {
        Noted => ("noted", "Noted"),
        Approved => ("approved", "Approved"),
        Recommended => ("recommended", "Recommended to another body"),
        RequestedReport => ("requested-report", "Requested a report"),
        Deferred => ("deferred", "Deferred"),
        Endorsed => ("endorsed", "Endorsed a report's recommendations"),
    }
);

/// One part of "RESOLVED: That (1) … (2) …" as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolutionPartInput {
    pub kind: Option<ResolutionKind>,
    pub text: String,
    /// Recommended: the body recommended to.
    pub to_body: String,
    /// Requested a report: from whom (an officer or a post).
    pub report_from: String,
    /// Requested a report: the meeting it is due at (one of the body's later meetings).
    pub due_meeting: Option<i64>,
    /// Deferred: why.
    pub reason: String,
    /// Requested a report: the account of the officer asked for it, whose own list of
    /// requested reports shows it (storage checks the account).
    pub owner: Option<i64>,
    /// Endorsed: the review (working group, inspection, case review) whose report's
    /// recommendations the body endorsed; the tracker records the endorsement.
    pub review: Option<i64>,
}

impl ResolutionPartInput {
    pub const FIELDS: &'static [&'static str] = &["kind", "text", "to_body", "report_from", "owner", "due_meeting", "reason", "review"];
}

/// A part ready to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolutionPart {
    Noted { text: String },
    Approved { text: String },
    Recommended { text: String, to_body: String },
    RequestedReport { text: String, from: String, due_meeting: i64 },
    Deferred { text: String, reason: String },
    Endorsed { text: String, review: i64 },
}

impl ResolutionPart {
    pub fn kind(&self) -> ResolutionKind {
        match self {
            ResolutionPart::Noted { .. } => ResolutionKind::Noted,
            ResolutionPart::Approved { .. } => ResolutionKind::Approved,
            ResolutionPart::Recommended { .. } => ResolutionKind::Recommended,
            ResolutionPart::RequestedReport { .. } => ResolutionKind::RequestedReport,
            ResolutionPart::Deferred { .. } => ResolutionKind::Deferred,
            ResolutionPart::Endorsed { .. } => ResolutionKind::Endorsed,
        }
    }
    pub fn text(&self) -> &str {
        match self {
            ResolutionPart::Noted { text }
            | ResolutionPart::Approved { text }
            | ResolutionPart::Recommended { text, .. }
            | ResolutionPart::RequestedReport { text, .. }
            | ResolutionPart::Deferred { text, .. }
            | ResolutionPart::Endorsed { text, .. } => text,
        }
    }
}

/// Each part says what it resolves; a recommendation names the body, a request names
/// who reports and a later meeting of the body (`later_meetings`: their ids), a
/// deferral says why, an endorsement names the review whose report it endorses.
pub fn check_resolution_part(p: &ResolutionPartInput, later_meetings: &[i64]) -> Result<Checked<ResolutionPart>, Invalid> {
    let mut v = Invalid::new();
    if p.kind.is_none() {
        v.add("kind", "Select what this part of the resolution does");
    }
    let text = v.required("text", &p.text, "Enter the words of the resolution, following \"That\"");
    v.max_len("text", &text, 4000, "Resolution");
    let part = match p.kind {
        Some(ResolutionKind::Noted) => Some(ResolutionPart::Noted { text }),
        Some(ResolutionKind::Approved) => Some(ResolutionPart::Approved { text }),
        Some(ResolutionKind::Recommended) => {
            let to_body = v.required("to_body", &p.to_body, "Enter the body the recommendation goes to, for example Cabinet");
            v.max_len("to_body", &to_body, 200, "Body");
            Some(ResolutionPart::Recommended { text, to_body })
        }
        Some(ResolutionKind::RequestedReport) => {
            let from = v.required("report_from", &p.report_from, "Enter who is asked to report, for example the Head of Children's Social Care");
            v.max_len("report_from", &from, 200, "Who reports");
            match p.due_meeting {
                None => v.add("due_meeting", "Select the meeting the report is due at"),
                Some(m) if !later_meetings.contains(&m) => v.add("due_meeting", "Select one of the body's later meetings"),
                Some(_) => {}
            }
            Some(ResolutionPart::RequestedReport { text, from, due_meeting: p.due_meeting.unwrap_or_default() })
        }
        Some(ResolutionKind::Deferred) => {
            let reason = v.required("reason", &p.reason, "Enter why the matter was deferred");
            v.max_len("reason", &reason, 1000, "Reason");
            Some(ResolutionPart::Deferred { text, reason })
        }
        Some(ResolutionKind::Endorsed) => {
            if p.review.is_none() {
                v.add("review", "Select the report whose recommendations the body endorsed");
            }
            Some(ResolutionPart::Endorsed { text, review: p.review.unwrap_or_default() })
        }
        None => None,
    };
    v.finish()?;
    part.map(Checked::new).ok_or_else(|| Invalid::single("kind", "Select what this part of the resolution does"))
}

/// "RESOLVED: That (1) … (2) …" (a single part goes unnumbered).
pub fn resolved_text(parts: &[&str]) -> String {
    match parts {
        [] => String::new(),
        [one] => format!("RESOLVED: That {}", one.trim_end_matches('.')) + ".",
        many => {
            let numbered: Vec<String> = many.iter().enumerate().map(|(i, t)| format!("({}) {}", i + 1, t.trim_end_matches(['.', ';']))).collect();
            format!("RESOLVED: That {}.", numbered.join("; "))
        }
    }
}

/// Where a requested report is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum RequestState {
    /// Due at the meeting, whose agenda is still open.
    Due { meeting: i64 },
    /// That meeting's agenda closed without it.
    Overdue { meeting: i64 },
    /// Moved to a later meeting, with the reason (and due there).
    Deferred { meeting: i64, reason: String },
    /// A paper answering it is on an agenda.
    Closed { agenda_item: i64 },
}

impl RequestState {
    pub fn label(&self) -> &'static str {
        match self {
            RequestState::Due { .. } => "Due",
            RequestState::Overdue { .. } => "Overdue",
            RequestState::Deferred { .. } => "Deferred",
            RequestState::Closed { .. } => "Closed",
        }
    }
    pub fn is_open(&self) -> bool {
        !matches!(self, RequestState::Closed { .. })
    }
}

/// What storage knows of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    pub due_meeting: i64,
    /// The due meeting's agenda has closed (published, or the meeting held).
    pub due_agenda_closed: bool,
    /// The latest deferral's reason, if it was deferred.
    pub deferred_reason: Option<String>,
    /// The agenda item whose paper answers it.
    pub answered_by: Option<i64>,
}

/// A request is closed by a paper on an agenda; otherwise it is overdue once its
/// meeting's agenda closed without it; otherwise deferred (if it was) or due.
pub fn request_state(f: &RequestFacts) -> RequestState {
    if let Some(item) = f.answered_by {
        return RequestState::Closed { agenda_item: item };
    }
    if f.due_agenda_closed {
        return RequestState::Overdue { meeting: f.due_meeting };
    }
    match &f.deferred_reason {
        Some(r) => RequestState::Deferred { meeting: f.due_meeting, reason: r.clone() },
        None => RequestState::Due { meeting: f.due_meeting },
    }
}

/// A deferral moves an open request to a later meeting (one of `later_meetings`), with
/// a reason.
pub fn check_deferral(
    state: &RequestState,
    to_meeting: Option<i64>,
    reason: &str,
    later_meetings: &[i64],
) -> Result<Checked<(i64, String)>, Invalid> {
    let mut v = Invalid::new();
    if !state.is_open() {
        v.add("due_meeting", "This report has arrived: the request is closed");
    }
    match to_meeting {
        None => v.add("due_meeting", "Select the meeting the report is now due at"),
        Some(m) if !later_meetings.contains(&m) => v.add("due_meeting", "Select a meeting after the one the report was due at"),
        Some(_) => {}
    }
    let reason = v.required("reason", reason, "Enter why the report is deferred");
    v.max_len("reason", &reason, 1000, "Reason");
    v.finish()?;
    Ok(Checked::new((to_meeting.unwrap_or_default(), reason)))
}

/// The agenda's closing date for a meeting: the agenda is published five clear working
/// days before (Local Government Act 1972 s100B); Assure closes it seven calendar days
/// before, which covers a weekend.
pub fn agenda_closes(meeting: NaiveDate) -> NaiveDate {
    meeting - chrono::Duration::days(7)
}

/// Whether a meeting's agenda is closed on `today`.
pub fn agenda_closed(status: MeetingStatus, meeting: NaiveDate, today: NaiveDate) -> bool {
    status.agenda_closed() || (status != MeetingStatus::Cancelled && today >= agenda_closes(meeting))
}

/// A meeting's day as the agenda front sheet prints it: "Tuesday 21
/// November 2017".
pub fn meeting_day(d: NaiveDate) -> String {
    format!("{} {}", d.format("%A"), long(d))
}

/// The calendar year and month a work programme row is grouped under.
pub fn month_key(d: NaiveDate) -> (i32, u32) {
    (d.year(), d.month())
}

// ------------------------------------------------------------------ the agenda pack

/// What the agenda pack holds for one item's paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackPaper {
    /// No paper (apologies, declarations, a standing item with none).
    None,
    /// A monitoring report issued in Assure, in full.
    Report(Box<crate::report::MonitoringReport>),
    /// A paper held outside Assure, by its title: circulated with the pack separately.
    Separate(String),
    /// A report written in Assure on the council's cover.
    Written(Box<crate::report::Cover>),
    /// A Word paper uploaded for the item, set in the pack's own styles (its text,
    /// headings and tables) so that page numbers run through it.
    Uploaded { name: String, blocks: Vec<PaperBlock> },
    /// A PDF uploaded for the item: published beside the pack, on the meeting's page.
    Attached(String),
    /// An exempt paper, left out of the public pack (the Schedule 12A paragraph).
    Withheld(u8),
}

/// A piece of an uploaded paper's text, as the pack sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperBlock {
    /// A heading, level 1 to 3.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(String),
    /// A table's rows of cell text (the first row as its headings).
    Table(Vec<Vec<String>>),
}

/// The item kinds that carry a paper: reports, standing items and exempt items (not
/// apologies, declarations or the previous minutes).
pub fn carries_a_paper(kind: AgendaKind) -> bool {
    matches!(kind, AgendaKind::Report | AgendaKind::Standing | AgendaKind::Exempt)
}

/// Whether a paper may be written or uploaded for an item: one of the kinds that carry
/// a paper, not one that already carries a monitoring report issued in Assure, and
/// only until the meeting is held (or if it is cancelled, never).
pub fn check_paper_target(kind: AgendaKind, has_monitoring_report: bool, status: MeetingStatus) -> Result<(), Invalid> {
    if !carries_a_paper(kind) {
        return Err(Invalid::single("paper", format!("An item of {} has no paper", kind.label().to_lowercase())));
    }
    if has_monitoring_report {
        return Err(Invalid::single("paper", "This item's paper is a monitoring report issued in Assure: add another item for a different paper"));
    }
    if !matches!(status, MeetingStatus::Scheduled | MeetingStatus::Moved | MeetingStatus::AgendaPublished) {
        return Err(Invalid::single("paper", format!("The meeting is {}: its papers no longer change", status.label().to_lowercase())));
    }
    Ok(())
}

/// The kinds of file a paper can be uploaded as: a Word document (set in the pack) or
/// a PDF (published beside it).
pub const PAPER_CONTENT_TYPES: &[&str] = &["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/pdf"];

/// An uploaded paper is one non-empty Word document or PDF under the size limit
/// (`content_type` is what its content shows it to be, not what its name says).
pub fn check_paper_upload(name: &str, size_bytes: usize, max_bytes: usize, content_type: Option<&str>) -> Result<(), Invalid> {
    if name.trim().is_empty() && size_bytes == 0 {
        return Err(Invalid::single("file", "Select the paper to upload"));
    }
    if size_bytes == 0 {
        return Err(Invalid::single("file", format!("The selected file {name} is empty")));
    }
    if size_bytes > max_bytes {
        return Err(Invalid::single("file", format!("The selected file must be smaller than {} MB", max_bytes / (1024 * 1024))));
    }
    if !content_type.is_some_and(|t| PAPER_CONTENT_TYPES.contains(&t)) {
        return Err(Invalid::single("file", format!("The selected file {name} must be a Word document (.docx) or a PDF")));
    }
    Ok(())
}

/// One item of the pack, in agenda order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackItem {
    pub number: usize,
    pub kind: AgendaKind,
    pub title: String,
    pub exempt_paragraph: Option<u8>,
    pub paper: PackPaper,
}

/// An agenda pack: the front sheet, the agenda, then each paper in agenda order, page
/// numbers running through the whole pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaPack {
    pub organisation: String,
    pub body: String,
    pub date: NaiveDate,
    pub time: String,
    pub venue: String,
    /// The public pack (exempt papers withheld) rather than the members' full pack.
    pub public: bool,
    /// The agenda is not yet published: the pack says DRAFT.
    pub draft: bool,
    pub items: Vec<PackItem>,
}

/// The paper an item carries into a pack: an exempt item's paper never goes in the
/// public pack, whatever it is.
pub fn pack_paper(exempt_paragraph: Option<u8>, public: bool, paper: PackPaper) -> PackPaper {
    match exempt_paragraph {
        Some(p) if public => PackPaper::Withheld(p),
        _ => paper,
    }
}

impl AgendaPack {
    /// "Overview and Scrutiny Committee – 21 June 2017" (the file's title).
    pub fn title(&self) -> String {
        format!("{} – {}", self.body, long(self.date))
    }

    /// A file name without its extension.
    pub fn file_stem(&self) -> String {
        let body: String = self
            .body
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        format!("agenda-pack-{body}-{}{}", self.date.format("%Y-%m-%d"), if self.public { "" } else { "-with-exempt-papers" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_municipal_year_runs_may_to_april() {
        for (date, year, label) in [
            (d(2017, 5, 1), 2017, "2017/18"),
            (d(2018, 4, 30), 2017, "2017/18"),
            (d(2018, 5, 1), 2018, "2018/19"),
            (d(2017, 4, 30), 2016, "2016/17"),
            (d(1999, 6, 1), 1999, "1999/00"),
        ] {
            let y = MunicipalYear::of(date);
            assert_eq!((y.0, y.label().as_str()), (year, label), "{date}");
            assert!(y.contains(date) && y.first_day() <= date && date <= y.last_day());
        }
        assert_eq!(MunicipalYear::parse("2017/18"), Some(MunicipalYear(2017)));
        assert_eq!(MunicipalYear::parse("x"), None);
    }

    #[test]
    fn minutes_run_through_the_year_and_restart_in_may() {
        for (last, meeting, next) in [
            (None, d(2017, 6, 21), 1),
            (Some((d(2017, 6, 21), 7)), d(2017, 9, 12), 8),
            (Some((d(2017, 9, 12), 15)), d(2018, 4, 10), 16),
            (Some((d(2018, 4, 10), 52)), d(2018, 5, 1), 1),
            (Some((d(2018, 4, 10), 52)), d(2018, 6, 19), 1),
            (Some((d(2016, 7, 12), 5)), d(2017, 6, 21), 1),
        ] {
            assert_eq!(next_minute_number(last, meeting), next, "{last:?} {meeting}");
        }
    }

    #[test]
    fn statuses_move_forward_and_a_move_keeps_the_old_date() {
        use MeetingStatus::*;
        for (from, to, ok) in [
            (Scheduled, AgendaPublished, true),
            (Moved, AgendaPublished, true),
            (AgendaPublished, Held, true),
            (Held, MinutesApproved, true),
            (Scheduled, Held, false),
            (Held, Cancelled, false),
            (MinutesApproved, Held, false),
            (AgendaPublished, Cancelled, true),
        ] {
            assert_eq!(from.may_become(to), ok, "{from:?} -> {to:?}");
        }
        let today = d(2017, 10, 1);
        let taken = [d(2017, 9, 12), d(2017, 12, 5)];
        let m = check_move(Scheduled, d(2017, 11, 7), Some(d(2017, 11, 14)), " Clash with full Council ", today, &taken).unwrap();
        assert_eq!((m.from, m.to, m.reason.as_str()), (d(2017, 11, 7), d(2017, 11, 14), "Clash with full Council"));
        for (status, to, reason, field) in [
            (Held, Some(d(2017, 11, 14)), "r", "date"),
            (Scheduled, Some(d(2017, 9, 1)), "r", "date"),
            (Scheduled, Some(d(2017, 11, 7)), "r", "date"),
            (Scheduled, None, "r", "date"),
            (Scheduled, Some(d(2017, 11, 14)), " ", "reason"),
            (Scheduled, Some(d(2017, 12, 5)), "r", "date"),
        ] {
            let e = check_move(status, d(2017, 11, 7), to, reason, today, &taken).unwrap_err();
            assert!(e.for_field(field).is_some(), "{status:?} {to:?} {reason:?}: {e}");
        }
        let e = check_move(Scheduled, d(2017, 11, 7), Some(d(2017, 12, 5)), "r", today, &taken).unwrap_err();
        assert!(e.to_string().contains("already meets on 5 December 2017"), "{e}");
        assert_eq!(clashes(&[d(2017, 12, 5), d(2017, 12, 6), d(2017, 9, 12)], &taken), vec![d(2017, 12, 5), d(2017, 9, 12)]);
    }

    #[test]
    fn a_meeting_in_the_past_is_refused() {
        let today = d(2017, 6, 1);
        let ok = MeetingInput {
            date: Some(d(2017, 6, 21)),
            time: "18:30".into(),
            venue: "Town Hall, Bootle".into(),
            kind: Some(MeetingType::Ordinary),
            joint_with: String::new(),
        };
        assert_eq!(check_meeting(&ok, today).unwrap().time, NaiveTime::from_hms_opt(18, 30, 0).unwrap());
        assert!(check_meeting(&MeetingInput { date: Some(today), ..ok.clone() }, today).is_ok());
        for (input, field) in [
            (MeetingInput { date: Some(d(2017, 5, 31)), ..ok.clone() }, "date"),
            (MeetingInput { date: None, ..ok.clone() }, "date"),
            (MeetingInput { time: "6:30pm".into(), ..ok.clone() }, "time"),
            (MeetingInput { time: "25:00".into(), ..ok.clone() }, "time"),
            (MeetingInput { venue: " ".into(), ..ok.clone() }, "venue"),
            (MeetingInput { kind: None, ..ok.clone() }, "kind"),
            (MeetingInput { kind: Some(MeetingType::Joint), ..ok.clone() }, "joint_with"),
        ] {
            let e = check_meeting(&input, today).unwrap_err();
            assert!(e.for_field(field).is_some(), "{input:?}: {e}");
        }
        let e = check_meeting(&MeetingInput { date: Some(d(2017, 5, 31)), ..ok }, today).unwrap_err();
        assert_eq!(e.for_field("date"), Some("The date of the meeting must be today or later, not 31 May 2017"));
    }

    #[test]
    fn a_year_of_dates_from_a_pattern_stays_in_the_year() {
        let dates = year_dates(d(2017, 6, 21), 8, 10);
        assert_eq!(dates.first(), Some(&d(2017, 6, 21)));
        assert!(dates.iter().all(|x| MunicipalYear(2017).contains(*x)));
        assert_eq!(dates.len(), 6);
        assert_eq!(year_dates(d(2017, 6, 21), 4, 3).len(), 3);
    }

    #[test]
    fn a_year_of_meetings_follows_its_pattern() {
        // The second Tuesday of every month from September 2017, skipping August (and
        // stopping at the end of April).
        let dates = pattern_dates(d(2017, 9, 12), Repeat::MonthsSameWeekday(1), &[8]);
        assert_eq!(dates.first(), Some(&d(2017, 9, 12)));
        assert_eq!(dates.last(), Some(&d(2018, 4, 10)));
        assert_eq!(dates.len(), 8);
        assert!(dates.iter().all(|x| x.weekday() == chrono::Weekday::Tue && (8..=14).contains(&x.day())), "{dates:?}");
        assert_eq!(describe_pattern(d(2017, 9, 12), Repeat::MonthsSameWeekday(1)), "the second Tuesday of every month");
        // From June, every two months on the second Tuesday, August skipped.
        let dates = pattern_dates(d(2017, 6, 13), Repeat::MonthsSameWeekday(2), &[8]);
        assert_eq!(dates, vec![d(2017, 6, 13), d(2017, 10, 10), d(2017, 12, 12), d(2018, 2, 13), d(2018, 4, 10)]);
        // The last Thursday: a first meeting in the month's last week.
        let dates = pattern_dates(d(2017, 5, 25), Repeat::MonthsSameWeekday(1), &[]);
        assert_eq!(dates[1], d(2017, 6, 29));
        assert_eq!(describe_pattern(d(2017, 5, 25), Repeat::MonthsSameWeekday(3)), "the last Thursday of every 3 months");
        // The same date, the month's last day when it has none.
        let dates = pattern_dates(d(2018, 1, 31), Repeat::MonthsSameDate(1), &[]);
        assert_eq!(dates, vec![d(2018, 1, 31), d(2018, 2, 28), d(2018, 3, 31), d(2018, 4, 30)]);
        assert_eq!(describe_pattern(d(2018, 1, 31), Repeat::MonthsSameDate(1)), "the 31st of every month");
        // Every six weeks, August's left out.
        let dates = pattern_dates(d(2017, 6, 21), Repeat::Weeks(6), &[8]);
        assert_eq!(&dates[..3], &[d(2017, 6, 21), d(2017, 9, 13), d(2017, 10, 25)]);
        assert!(dates.iter().all(|x| MunicipalYear(2017).contains(*x) && x.month() != 8));
    }

    #[test]
    fn a_pattern_starts_today_or_later_and_names_what_is_wrong() {
        let today = d(2017, 6, 1);
        let meeting = MeetingInput {
            date: Some(d(2017, 9, 12)),
            time: "18:30".into(),
            venue: "Town Hall, Bootle".into(),
            kind: Some(MeetingType::Ordinary),
            joint_with: String::new(),
        };
        let ok = PatternInput { meeting: meeting.clone(), every: Some(1), unit: "months-weekday".into(), skip_months: vec![8] };
        let year = check_pattern(&ok, today).unwrap();
        assert_eq!((year.dates.len(), year.meeting.venue.as_str()), (8, "Town Hall, Bootle"));
        assert_eq!(year.described, "the second Tuesday of every month");
        for (input, field, message) in [
            (
                PatternInput { meeting: MeetingInput { date: Some(d(2017, 5, 31)), ..meeting.clone() }, ..ok.clone() },
                "date",
                "The date of the first meeting must be today or later, not 31 May 2017",
            ),
            (PatternInput { meeting: MeetingInput { date: None, ..meeting.clone() }, ..ok.clone() }, "date", "Enter the date of the first meeting"),
            (PatternInput { every: Some(13), ..ok.clone() }, "every", "Enter how often the body meets as a whole number of months from 1 to 12"),
            (PatternInput { every: None, ..ok.clone() }, "every", "Enter how often the body meets as a whole number, for example 6"),
            (
                PatternInput { unit: "fortnights".into(), ..ok.clone() },
                "unit",
                "Select how the meetings repeat: every so many weeks, or every so many months",
            ),
            (PatternInput { skip_months: vec![9], ..ok.clone() }, "skip", "The first meeting is in September, a month you chose to skip"),
            (
                PatternInput { meeting: MeetingInput { venue: " ".into(), ..meeting.clone() }, ..ok.clone() },
                "venue",
                "Enter where the meeting is held, for example Town Hall, Bootle",
            ),
        ] {
            let e = check_pattern(&input, today).unwrap_err();
            assert_eq!(e.for_field(field), Some(message), "{input:?}: {e}");
        }
        assert!(check_pattern(&PatternInput { every: Some(26), unit: "weeks".into(), ..ok.clone() }, today).is_ok());
    }

    #[test]
    fn a_term_ends_after_it_starts() {
        assert_eq!(*check_term_end(d(2017, 5, 18), Some(d(2017, 12, 1))).unwrap(), d(2017, 12, 1));
        assert_eq!(
            check_term_end(d(2017, 5, 18), Some(d(2017, 5, 18))).unwrap_err().for_field("term_end"),
            Some("The term must end after it starts, on 18 May 2017")
        );
        assert!(check_term_end(d(2017, 5, 18), None).unwrap_err().for_field("term_end").is_some());
    }

    #[test]
    fn a_member_is_not_their_own_substitute() {
        let ok = MembershipInput {
            person: Some(1),
            role: Some(MemberRole::Chair),
            party: "Labour".into(),
            substitute: Some(2),
            term_start: Some(d(2017, 5, 18)),
            term_end: None,
        };
        assert_eq!(check_membership(&ok, &[3]).unwrap().substitute, Some(2));
        for (input, sitting, field) in [
            (MembershipInput { substitute: Some(1), ..ok.clone() }, vec![], "substitute"),
            (ok.clone(), vec![1], "person"),
            (MembershipInput { role: None, ..ok.clone() }, vec![], "role"),
            (MembershipInput { term_end: Some(d(2017, 5, 1)), ..ok.clone() }, vec![], "term_end"),
            (MembershipInput { term_start: None, ..ok.clone() }, vec![], "term_start"),
        ] {
            let e = check_membership(&input, &sitting).unwrap_err();
            assert!(e.for_field(field).is_some(), "{input:?}: {e}");
        }
    }

    #[test]
    fn only_reports_standing_and_exempt_items_carry_a_paper_until_the_meeting_is_held() {
        use AgendaKind::*;
        for kind in AgendaKind::ALL {
            let ok = check_paper_target(*kind, false, MeetingStatus::AgendaPublished).is_ok();
            assert_eq!(ok, matches!(kind, Report | Standing | Exempt), "{kind:?}");
        }
        assert!(check_paper_target(Report, true, MeetingStatus::Scheduled).unwrap_err().to_string().contains("monitoring report"));
        for status in [MeetingStatus::Held, MeetingStatus::MinutesApproved, MeetingStatus::Cancelled] {
            assert!(check_paper_target(Report, false, status).is_err(), "{status:?}");
        }
        assert!(check_paper_target(Exempt, false, MeetingStatus::Moved).is_ok());
    }

    #[test]
    fn a_paper_is_one_word_document_or_pdf_under_the_limit() {
        let docx = PAPER_CONTENT_TYPES[0];
        assert!(check_paper_upload("paper.docx", 10, 100, Some(docx)).is_ok());
        assert!(check_paper_upload("paper.pdf", 10, 100, Some("application/pdf")).is_ok());
        for (name, size, kind, says) in [
            ("", 0, None, "Select the paper"),
            ("paper.docx", 0, Some(docx), "is empty"),
            ("paper.docx", 101, Some(docx), "smaller than"),
            ("photo.png", 10, Some("image/png"), "must be a Word document (.docx) or a PDF"),
            ("paper.docx", 10, None, "must be a Word document"),
        ] {
            let e = check_paper_upload(name, size, 100, kind).unwrap_err();
            assert!(e.for_field("file").is_some_and(|m| m.contains(says)), "{name} {size}: {e}");
        }
    }

    #[test]
    fn a_change_keeps_the_member_from_being_their_own_substitute() {
        let ok = MemberChangeInput { role: Some(MemberRole::ViceChair), party: " Liberal Democrat ".into(), substitute: Some(2) };
        let c = check_member_change(1, &ok).unwrap();
        assert_eq!((c.role, c.party.as_deref(), c.substitute), (MemberRole::ViceChair, Some("Liberal Democrat"), Some(2)));
        assert_eq!(check_member_change(1, &MemberChangeInput { party: "  ".into(), substitute: None, ..ok.clone() }).unwrap().party, None);
        for (input, field) in [
            (MemberChangeInput { substitute: Some(1), ..ok.clone() }, "substitute"),
            (MemberChangeInput { role: None, ..ok.clone() }, "role"),
            (MemberChangeInput { party: "x".repeat(101), ..ok.clone() }, "party"),
        ] {
            let e = check_member_change(1, &input).unwrap_err();
            assert!(e.for_field(field).is_some(), "{input:?}: {e}");
        }
    }

    #[test]
    fn quorum_comes_from_the_bodys_rule() {
        for (rule, members, required) in [
            (QuorumRule::default(), 12, 3),
            (QuorumRule::default(), 13, 4),
            (QuorumRule::default(), 4, 3),
            (QuorumRule { denominator: 3, minimum: 2 }, 10, 4),
            (QuorumRule { denominator: 0, minimum: 5 }, 20, 5),
        ] {
            assert_eq!(rule.required(members), required, "{rule:?} {members}");
        }
        assert!(quorate(QuorumRule::default(), 13, 3, 1));
        assert!(!quorate(QuorumRule::default(), 13, 3, 0));
        assert!(MemberRole::ParentGovernor.votes() && !MemberRole::Healthwatch.votes() && !MemberRole::Advisory.votes());
    }

    #[test]
    fn exempt_items_name_a_paragraph_and_go_last() {
        for (kind, para, ok) in [
            (AgendaKind::Exempt, Some(1), true),
            (AgendaKind::Exempt, Some(7), true),
            (AgendaKind::Exempt, Some(8), false),
            (AgendaKind::Exempt, None, false),
            (AgendaKind::Report, Some(3), false),
            (AgendaKind::Report, None, true),
        ] {
            let r = check_agenda_item(&AgendaItemInput { kind: Some(kind), title: "Item".into(), exempt_paragraph: para });
            assert_eq!(r.is_ok(), ok, "{kind:?} {para:?}");
        }
        let kinds = [(AgendaKind::Apologies, 1), (AgendaKind::Exempt, 2), (AgendaKind::Report, 3), (AgendaKind::Standing, 4)];
        assert_eq!(agenda_order(&kinds), vec![0, 2, 3, 1]);
        assert_eq!(standard_items(Some(d(2017, 6, 21)))[2].1, "Minutes of the meeting held on 21 June 2017");
        assert_eq!(standard_items(None).len(), 2);
        assert!(schedule_12a(1).starts_with("Information relating to any individual"));
    }

    #[test]
    fn a_cross_reference_must_exist() {
        let known = [MinuteRef { number: 5, meeting_date: d(2016, 7, 12) }, MinuteRef { number: 52, meeting_date: d(2017, 4, 4) }];
        let this = d(2017, 9, 12);
        assert!(check_cross_reference("refers_to", known[0], this, &known).is_ok());
        assert_eq!(known[0].cite(), "Minute No. 5 of 12 July 2016");
        for r in [MinuteRef { number: 6, meeting_date: d(2016, 7, 12) }, MinuteRef { number: 1, meeting_date: this }] {
            assert!(check_cross_reference("refers_to", r, this, &known).is_err(), "{r:?}");
        }
    }

    #[test]
    fn declarations_fill_every_column() {
        let ok = DeclarationInput {
            member: "Councillor Preece".into(),
            minute: Some(22),
            reason: "Other interest".into(),
            action: "Stayed in the room".into(),
        };
        assert!(check_declaration(&ok, &[21, 22]).is_ok());
        for (input, field) in [
            (DeclarationInput { minute: Some(30), ..ok.clone() }, "minute"),
            (DeclarationInput { minute: None, ..ok.clone() }, "minute"),
            (DeclarationInput { member: "".into(), ..ok.clone() }, "member"),
            (DeclarationInput { action: " ".into(), ..ok.clone() }, "action"),
        ] {
            assert!(check_declaration(&input, &[21, 22]).unwrap_err().for_field(field).is_some(), "{input:?}");
        }
    }

    #[test]
    fn resolution_parts_are_typed() {
        let base = ResolutionPartInput { text: "the report be noted".into(), ..Default::default() };
        for (input, ok_kind, err_field) in [
            (ResolutionPartInput { kind: Some(ResolutionKind::Noted), ..base.clone() }, Some(ResolutionKind::Noted), None),
            (ResolutionPartInput { kind: Some(ResolutionKind::Recommended), ..base.clone() }, None, Some("to_body")),
            (
                ResolutionPartInput { kind: Some(ResolutionKind::Recommended), to_body: "Cabinet".into(), ..base.clone() },
                Some(ResolutionKind::Recommended),
                None,
            ),
            (
                ResolutionPartInput {
                    kind: Some(ResolutionKind::RequestedReport),
                    report_from: "Head of Service".into(),
                    due_meeting: Some(9),
                    ..base.clone()
                },
                None,
                Some("due_meeting"),
            ),
            (
                ResolutionPartInput {
                    kind: Some(ResolutionKind::RequestedReport),
                    report_from: "Head of Service".into(),
                    due_meeting: Some(4),
                    ..base.clone()
                },
                Some(ResolutionKind::RequestedReport),
                None,
            ),
            (ResolutionPartInput { kind: Some(ResolutionKind::RequestedReport), due_meeting: Some(4), ..base.clone() }, None, Some("report_from")),
            (ResolutionPartInput { kind: Some(ResolutionKind::Deferred), ..base.clone() }, None, Some("reason")),
            (ResolutionPartInput { kind: Some(ResolutionKind::Endorsed), ..base.clone() }, None, Some("review")),
            (ResolutionPartInput { kind: Some(ResolutionKind::Endorsed), review: Some(7), ..base.clone() }, Some(ResolutionKind::Endorsed), None),
            (ResolutionPartInput { kind: None, ..base.clone() }, None, Some("kind")),
            (ResolutionPartInput { kind: Some(ResolutionKind::Approved), text: " ".into(), ..base.clone() }, None, Some("text")),
        ] {
            match (check_resolution_part(&input, &[4, 5]), ok_kind, err_field) {
                (Ok(p), Some(k), None) => assert_eq!(p.kind(), k),
                (Err(e), None, Some(f)) => assert!(e.for_field(f).is_some(), "{input:?}: {e}"),
                (r, _, _) => panic!("{input:?}: {r:?}"),
            }
        }
        assert_eq!(resolved_text(&["the report be noted"]), "RESOLVED: That the report be noted.");
        assert_eq!(
            resolved_text(&["the report be noted;", "a report be submitted."]),
            "RESOLVED: That (1) the report be noted; (2) a report be submitted."
        );
    }

    #[test]
    fn a_request_is_due_then_overdue_deferred_and_closed() {
        let f = |closed, deferred: Option<&str>, answered| RequestFacts {
            due_meeting: 7,
            due_agenda_closed: closed,
            deferred_reason: deferred.map(String::from),
            answered_by: answered,
        };
        for (facts, state) in [
            (f(false, None, None), RequestState::Due { meeting: 7 }),
            (f(true, None, None), RequestState::Overdue { meeting: 7 }),
            (f(false, Some("No report available"), None), RequestState::Deferred { meeting: 7, reason: "No report available".into() }),
            (f(true, Some("No report available"), None), RequestState::Overdue { meeting: 7 }),
            (f(true, Some("x"), Some(40)), RequestState::Closed { agenda_item: 40 }),
        ] {
            assert_eq!(request_state(&facts), state, "{facts:?}");
        }
        assert!(check_deferral(&RequestState::Overdue { meeting: 7 }, Some(8), "Report not ready", &[8, 9]).is_ok());
        assert!(check_deferral(&RequestState::Overdue { meeting: 7 }, Some(6), "Report not ready", &[8, 9]).is_err());
        assert!(check_deferral(&RequestState::Overdue { meeting: 7 }, Some(8), " ", &[8, 9]).unwrap_err().for_field("reason").is_some());
        assert!(check_deferral(&RequestState::Closed { agenda_item: 1 }, Some(8), "r", &[8]).is_err());
    }

    #[test]
    fn an_agenda_closes_when_published_or_a_week_before() {
        let m = d(2017, 11, 14);
        for (status, today, closed) in [
            (MeetingStatus::Scheduled, d(2017, 11, 6), false),
            (MeetingStatus::Scheduled, d(2017, 11, 7), true),
            (MeetingStatus::AgendaPublished, d(2017, 10, 1), true),
            (MeetingStatus::Cancelled, d(2017, 11, 10), false),
        ] {
            assert_eq!(agenda_closed(status, m, today), closed, "{status:?} {today}");
        }
    }

    #[test]
    fn approved_minutes_are_frozen_and_fingerprinted() {
        assert!(check_minutes_editable(false).is_ok());
        assert!(check_minutes_editable(true).is_err());
        assert_eq!(minutes_fingerprint("a").len(), 64);
        assert_ne!(minutes_fingerprint("a"), minutes_fingerprint("b"));
    }

    #[test]
    fn an_exempt_paper_never_reaches_the_public_pack() {
        let paper = || PackPaper::Separate("Licensing enforcement: named premises".into());
        assert_eq!(pack_paper(Some(3), true, paper()), PackPaper::Withheld(3));
        assert_eq!(pack_paper(Some(3), false, paper()), paper(), "the members' full pack keeps it");
        assert_eq!(pack_paper(None, true, paper()), paper(), "an open paper goes in either pack");
        assert_eq!(pack_paper(Some(1), true, PackPaper::None), PackPaper::Withheld(1));
    }
}
