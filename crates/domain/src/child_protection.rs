//! The child protection route (DOMAIN.md §5, R5): after a MASH decision of child
//! protection the child has a CP case, whose stages are records — the section 47
//! enquiry (started, outcome), the strategy meeting (date, agencies attending,
//! decision), the initial child protection conference (date, outcome: a CP plan or
//! not), the CP plan (the MACSE plan template: the child's plan in `plan`), and the
//! first review conference — with a named CSE reviewing officer who attends MACSE for
//! the child.
//!
//! Timeliness is data ([`TIMESCALES`]) counted in England and Wales working days
//! ([`crate::working_days`]); [`stages`] says for each stage when it is due and
//! whether it is on time or overdue, and [`next_due`] which is next.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::tracker::TagColour;
use crate::validation::{Checked, Invalid};
use crate::working_days::add_working_days;

slug_enum!(
    /// The stages of a CP case, in the order they are shown.
    CpStage {
        StrategyMeeting => ("strategy-meeting", "Strategy meeting"),
        Section47 => ("section-47", "Section 47 enquiry"),
        Conference => ("initial-conference", "Initial child protection conference"),
        ReviewConference => ("review-conference", "First review conference"),
    }
);

slug_enum!(
    /// What the strategy meeting decided.
    StrategyDecision {
        Section47 => ("section-47", "Start (or continue) a section 47 enquiry"),
        NoFurtherAction => ("no-further-action", "No further child protection action"),
    }
);

slug_enum!(
    /// What the section 47 enquiry concluded.
    S47Outcome {
        ConferenceNeeded => ("conference-needed", "Concerns substantiated: convene an initial child protection conference"),
        NotSubstantiated => ("not-substantiated", "Concerns not substantiated: no child protection conference"),
    }
);

slug_enum!(
    /// What the initial child protection conference decided.
    ConferenceOutcome {
        CpPlan => ("cp-plan", "Child protection plan"),
        NoPlan => ("no-plan", "No child protection plan"),
    }
);

slug_enum!(
    /// Whether a stage is on time.
    Timeliness {
        Waiting => ("waiting", "Waiting for an earlier stage"),
        OnTime => ("on-time", "On time"),
        Overdue => ("overdue", "Overdue"),
        DoneOnTime => ("done-on-time", "Done on time"),
        DoneLate => ("done-late", "Done late"),
        NotNeeded => ("not-needed", "Not needed"),
    }
);

impl Timeliness {
    pub fn colour(self) -> TagColour {
        match self {
            Timeliness::Waiting | Timeliness::NotNeeded => TagColour::Grey,
            Timeliness::OnTime => TagColour::Blue,
            Timeliness::Overdue => TagColour::Red,
            Timeliness::DoneOnTime => TagColour::Green,
            Timeliness::DoneLate => TagColour::Orange,
        }
    }
}

/// What a stage's time is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Anchor {
    /// The MASH decision of child protection (or the follow-on decision of a contact).
    Decision,
    StrategyMeeting,
    Conference,
}

/// How long a stage may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Within {
    WorkingDays(u32),
    Months(i32),
}

/// One row of the timeliness table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Timescale {
    pub stage: CpStage,
    pub from: Anchor,
    pub within: Within,
    /// Where the figure comes from, as shown on the child's CP page.
    pub source: &'static str,
}

/// The timeliness table. DOMAIN.md and the seeds give no figures (the seed only says
/// that a case conference is held when the section 47 enquiry concludes a plan is
/// needed), so the figures are Working Together to Safeguard Children 2023's:
/// - the initial child protection conference within 15 working days of the strategy
///   discussion at which the section 47 enquiry was started;
/// - the first review conference within 3 months of the initial conference;
/// - the section 47 enquiry concluded within 45 working days (Working Together's
///   maximum for an assessment, counted here from the MASH decision).
///
/// Working Together sets no number of days for the strategy discussion itself (it is
/// to be held as soon as there is reasonable cause to suspect significant harm): the
/// 3 working days from the MASH decision below are this table's local default, for the
/// partnership to confirm.
pub const TIMESCALES: [Timescale; 4] = [
    Timescale {
        stage: CpStage::StrategyMeeting,
        from: Anchor::Decision,
        within: Within::WorkingDays(3),
        source: "Local default: Working Together 2023 says as soon as possible",
    },
    Timescale {
        stage: CpStage::Section47,
        from: Anchor::Decision,
        within: Within::WorkingDays(45),
        source: "Working Together 2023: assessments within 45 working days",
    },
    Timescale {
        stage: CpStage::Conference,
        from: Anchor::StrategyMeeting,
        within: Within::WorkingDays(15),
        source: "Working Together 2023: within 15 working days of the strategy discussion",
    },
    Timescale {
        stage: CpStage::ReviewConference,
        from: Anchor::Conference,
        within: Within::Months(3),
        source: "Working Together 2023: within 3 months of the initial conference",
    },
];

pub fn timescale(stage: CpStage) -> &'static Timescale {
    TIMESCALES.iter().find(|t| t.stage == stage).unwrap_or(&TIMESCALES[0])
}

impl Within {
    pub fn after(self, from: NaiveDate) -> NaiveDate {
        match self {
            Within::WorkingDays(n) => add_working_days(from, n),
            Within::Months(m) => crate::dates::add_months(from, m),
        }
    }
    pub fn describe(self) -> String {
        match self {
            Within::WorkingDays(n) => format!("{n} working day{}", if n == 1 { "" } else { "s" }),
            Within::Months(m) => format!("{m} month{}", if m == 1 { "" } else { "s" }),
        }
    }
}

/// A case's dates and outcomes, as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub decided_on: Option<NaiveDate>,
    pub strategy_on: Option<NaiveDate>,
    pub strategy_decision: Option<StrategyDecision>,
    pub s47_started_on: Option<NaiveDate>,
    pub s47_outcome: Option<S47Outcome>,
    pub s47_outcome_on: Option<NaiveDate>,
    pub conference_on: Option<NaiveDate>,
    pub conference_outcome: Option<ConferenceOutcome>,
    pub review_on: Option<NaiveDate>,
}

impl CaseFacts {
    /// The case ends when a stage decides child protection is not (or no longer) needed.
    pub fn closed(&self) -> bool {
        self.strategy_decision == Some(StrategyDecision::NoFurtherAction)
            || self.s47_outcome == Some(S47Outcome::NotSubstantiated)
            || self.conference_outcome == Some(ConferenceOutcome::NoPlan)
    }
    /// The child is on a CP plan (the conference decided one).
    pub fn on_plan(&self) -> bool {
        self.conference_outcome == Some(ConferenceOutcome::CpPlan)
    }
    fn anchor(&self, a: Anchor) -> Option<NaiveDate> {
        match a {
            Anchor::Decision => self.decided_on,
            Anchor::StrategyMeeting => self.strategy_on,
            Anchor::Conference => self.conference_on,
        }
    }
    fn done_on(&self, s: CpStage) -> Option<NaiveDate> {
        match s {
            CpStage::StrategyMeeting => self.strategy_on,
            CpStage::Section47 => self.s47_outcome_on,
            CpStage::Conference => self.conference_on,
            CpStage::ReviewConference => self.review_on,
        }
    }
    fn needed(&self, s: CpStage) -> bool {
        match s {
            CpStage::StrategyMeeting => true,
            CpStage::Section47 => self.strategy_decision != Some(StrategyDecision::NoFurtherAction),
            CpStage::Conference => {
                self.strategy_decision != Some(StrategyDecision::NoFurtherAction) && self.s47_outcome != Some(S47Outcome::NotSubstantiated)
            }
            CpStage::ReviewConference => self.needed(CpStage::Conference) && self.conference_outcome != Some(ConferenceOutcome::NoPlan),
        }
    }
}

/// One stage as the CP page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageDue {
    pub stage: CpStage,
    /// None until the stage it is counted from has happened.
    pub due: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub timeliness: Timeliness,
}

/// Every stage with its due date and timeliness on `today`.
pub fn stages(c: &CaseFacts, today: NaiveDate) -> Vec<StageDue> {
    TIMESCALES
        .iter()
        .map(|t| {
            let due = c.anchor(t.from).map(|a| t.within.after(a));
            let done_on = c.done_on(t.stage);
            let timeliness = match (c.needed(t.stage), done_on, due) {
                (_, Some(done), Some(due)) => {
                    if done <= due {
                        Timeliness::DoneOnTime
                    } else {
                        Timeliness::DoneLate
                    }
                }
                (_, Some(_), None) => Timeliness::DoneOnTime,
                (false, None, _) => Timeliness::NotNeeded,
                (true, None, None) => Timeliness::Waiting,
                (true, None, Some(due)) if today > due => Timeliness::Overdue,
                (true, None, Some(_)) => Timeliness::OnTime,
            };
            StageDue { stage: t.stage, due, done_on, timeliness }
        })
        .collect()
}

/// The next stage due of an open case: the earliest due date among the stages not yet
/// done (None for a closed case, or one with nothing left due).
pub fn next_due(c: &CaseFacts) -> Option<(CpStage, NaiveDate)> {
    if c.closed() {
        return None;
    }
    // Timeliness on the earliest possible day: only the due dates matter here.
    stages(c, NaiveDate::MIN)
        .into_iter()
        .filter(|s| s.done_on.is_none() && s.timeliness != Timeliness::NotNeeded)
        .filter_map(|s| s.due.map(|d| (s.stage, d)))
        .min_by_key(|(_, d)| *d)
}

/// Whether any stage of the case is overdue on `today`.
pub fn overdue(c: &CaseFacts, today: NaiveDate) -> bool {
    next_due(c).is_some_and(|(_, d)| today > d)
}

fn check_day(v: &mut Invalid, field: &str, date: Option<NaiveDate>, what: &str, example: &str, after: Option<(NaiveDate, &str)>, today: NaiveDate) {
    match date {
        None => v.add(field, format!("Enter the date {what}, for example {example}")),
        Some(d) if !crate::dates::plausible(d) => v.add(field, crate::dates::implausible_message(&format!("The date {what}"))),
        Some(d) if d > today => v.add(field, format!("The date {what} must be today or in the past")),
        Some(d) => {
            if let Some((earliest, why)) = after {
                if d < earliest {
                    v.add(field, format!("The date {what} must be on or after {} ({why})", crate::dates::long(earliest)));
                }
            }
        }
    }
}

fn refuse_closed(c: &CaseFacts, v: &mut Invalid, field: &str) {
    if c.closed() {
        v.add(field, "This child protection case has ended: no further stages can be recorded");
    }
}

/// The strategy meeting as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrategyInput {
    pub held_on: Option<NaiveDate>,
    pub agencies: Vec<i64>,
    pub decision: Option<StrategyDecision>,
    pub notes: String,
}

/// A strategy meeting ready to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Strategy {
    pub held_on: NaiveDate,
    pub agencies: Vec<i64>,
    pub decision: StrategyDecision,
    pub notes: String,
}

/// Once per case, on or after the decision, with the agencies that attended and its
/// decision. Whether the agencies exist is for storage to add.
pub fn check_strategy(i: &StrategyInput, c: &CaseFacts, today: NaiveDate) -> Result<Checked<Strategy>, Invalid> {
    let mut v = Invalid::new();
    refuse_closed(c, &mut v, "held_on");
    if c.strategy_on.is_some() {
        v.add("held_on", "The strategy meeting has already been recorded");
    }
    check_day(&mut v, "held_on", i.held_on, "the strategy meeting was held", "16/01/2026", c.decided_on.map(|d| (d, "the MASH decision")), today);
    if i.agencies.is_empty() {
        v.add("agencies", "Select the agencies that attended the strategy meeting");
    }
    if i.decision.is_none() {
        v.add("decision", "Select what the strategy meeting decided");
    }
    v.max_len("notes", &i.notes, 10_000, "The notes");
    v.finish()?;
    let (Some(held_on), Some(decision)) = (i.held_on, i.decision) else { return Err(Invalid::single("held_on", "Enter the strategy meeting")) };
    let mut agencies = i.agencies.clone();
    agencies.sort_unstable();
    agencies.dedup();
    Ok(Checked::new(Strategy { held_on, agencies, decision, notes: i.notes.trim().to_string() }))
}

/// The section 47 enquiry as typed: its start, and (once known) its outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S47Input {
    pub started_on: Option<NaiveDate>,
    pub outcome: Option<S47Outcome>,
    pub outcome_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct S47 {
    pub started_on: NaiveDate,
    pub outcome: Option<(S47Outcome, NaiveDate)>,
}

/// The start on or after the decision (once; the outcome can follow later), and an
/// outcome with its date, on or after the start.
pub fn check_s47(i: &S47Input, c: &CaseFacts, today: NaiveDate) -> Result<Checked<S47>, Invalid> {
    let mut v = Invalid::new();
    refuse_closed(c, &mut v, "started_on");
    if c.s47_outcome.is_some() {
        v.add("started_on", "The section 47 enquiry's outcome has already been recorded");
    }
    let started = c.s47_started_on.or(i.started_on);
    if c.s47_started_on.is_none() {
        check_day(
            &mut v,
            "started_on",
            i.started_on,
            "the section 47 enquiry started",
            "16/01/2026",
            c.decided_on.map(|d| (d, "the MASH decision")),
            today,
        );
    }
    match (i.outcome, i.outcome_on) {
        (None, None) if c.s47_started_on.is_some() => v.add("outcome", "Select the outcome of the section 47 enquiry"),
        (None, None) => {}
        (None, Some(_)) => v.add("outcome", "Select the outcome of the section 47 enquiry"),
        (Some(_), on) => check_day(&mut v, "outcome_on", on, "of the outcome", "30/01/2026", started.map(|s| (s, "the start of the enquiry")), today),
    }
    v.finish()?;
    let Some(started_on) = started else { return Err(Invalid::single("started_on", "Enter the date the section 47 enquiry started")) };
    let outcome = match (i.outcome, i.outcome_on) {
        (Some(o), Some(on)) => Some((o, on)),
        _ => None,
    };
    Ok(Checked::new(S47 { started_on, outcome }))
}

/// The initial conference as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConferenceInput {
    pub held_on: Option<NaiveDate>,
    pub outcome: Option<ConferenceOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conference {
    pub held_on: NaiveDate,
    pub outcome: ConferenceOutcome,
}

/// Held once, after a strategy meeting that started a section 47 enquiry whose outcome
/// asked for a conference, on or after both.
pub fn check_conference(i: &ConferenceInput, c: &CaseFacts, today: NaiveDate) -> Result<Checked<Conference>, Invalid> {
    let mut v = Invalid::new();
    refuse_closed(c, &mut v, "held_on");
    if c.conference_on.is_some() {
        v.add("held_on", "The initial child protection conference has already been recorded");
    }
    if c.strategy_on.is_none() {
        v.add("held_on", "Record the strategy meeting before the conference");
    }
    if c.s47_outcome != Some(S47Outcome::ConferenceNeeded) {
        v.add("held_on", "Record the section 47 enquiry's outcome (a conference is needed) before the conference");
    }
    let earliest = [c.strategy_on, c.s47_outcome_on].into_iter().flatten().max();
    check_day(
        &mut v,
        "held_on",
        i.held_on,
        "the conference was held",
        "06/02/2026",
        earliest.map(|d| (d, "the strategy meeting and the enquiry's outcome")),
        today,
    );
    if i.outcome.is_none() {
        v.add("outcome", "Select the outcome of the conference");
    }
    v.finish()?;
    let (Some(held_on), Some(outcome)) = (i.held_on, i.outcome) else { return Err(Invalid::single("held_on", "Enter the conference")) };
    Ok(Checked::new(Conference { held_on, outcome }))
}

/// The first review conference: once, for a child on a plan, after the initial conference.
pub fn check_review(held_on: Option<NaiveDate>, c: &CaseFacts, today: NaiveDate) -> Result<Checked<NaiveDate>, Invalid> {
    let mut v = Invalid::new();
    refuse_closed(c, &mut v, "review_on");
    if !c.on_plan() {
        v.add("review_on", "Only a child the initial conference put on a child protection plan has a review conference");
    }
    if c.review_on.is_some() {
        v.add("review_on", "The first review conference has already been recorded");
    }
    check_day(
        &mut v,
        "review_on",
        held_on,
        "the review conference was held",
        "06/05/2026",
        c.conference_on.map(|d| (d, "the initial conference")),
        today,
    );
    v.finish()?;
    held_on.map(Checked::new).ok_or_else(|| Invalid::single("review_on", "Enter the date the review conference was held"))
}

/// The CP plan is the child's plan in the MACSE template: written once the initial
/// conference has decided on a plan.
pub fn check_plan_allowed(c: &CaseFacts) -> Result<(), Invalid> {
    if c.on_plan() {
        Ok(())
    } else {
        Err(Invalid::single("plan", "The child protection plan is written after the initial conference decides on one"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn decided() -> CaseFacts {
        // Thursday 2 April 2026, before Easter.
        CaseFacts { decided_on: Some(d(2026, 4, 2)), ..Default::default() }
    }

    #[test]
    fn due_dates_come_from_the_table_in_working_days() {
        let c = decided();
        let s = stages(&c, d(2026, 4, 2));
        // 3 working days after Thursday 2 April 2026, over Easter: Thursday 9 April.
        assert_eq!(s[0], StageDue { stage: CpStage::StrategyMeeting, due: Some(d(2026, 4, 9)), done_on: None, timeliness: Timeliness::OnTime });
        assert_eq!(s[2].timeliness, Timeliness::Waiting, "the conference waits for the strategy meeting");
        assert_eq!(s[2].due, None);
        assert_eq!(next_due(&c), Some((CpStage::StrategyMeeting, d(2026, 4, 9))));
        assert!(!overdue(&c, d(2026, 4, 9)));
        assert!(overdue(&c, d(2026, 4, 10)));
        assert_eq!(stages(&c, d(2026, 4, 10))[0].timeliness, Timeliness::Overdue);

        let c = CaseFacts { strategy_on: Some(d(2026, 4, 10)), strategy_decision: Some(StrategyDecision::Section47), ..decided() };
        let s = stages(&c, d(2026, 4, 10));
        assert_eq!(s[0].timeliness, Timeliness::DoneLate);
        // 15 working days after Friday 10 April 2026 (the May holiday is later): Friday 1 May.
        assert_eq!(s[2].due, Some(d(2026, 5, 1)));
        assert_eq!(s[2].timeliness, Timeliness::OnTime);
        let c = CaseFacts {
            s47_started_on: Some(d(2026, 4, 10)),
            s47_outcome: Some(S47Outcome::ConferenceNeeded),
            s47_outcome_on: Some(d(2026, 4, 20)),
            conference_on: Some(d(2026, 4, 30)),
            conference_outcome: Some(ConferenceOutcome::CpPlan),
            ..c
        };
        let s = stages(&c, d(2026, 5, 1));
        assert_eq!(s[1].timeliness, Timeliness::DoneOnTime);
        assert_eq!(s[2].timeliness, Timeliness::DoneOnTime);
        assert_eq!(s[3].due, Some(d(2026, 7, 30)), "three calendar months");
        assert_eq!(next_due(&c), Some((CpStage::ReviewConference, d(2026, 7, 30))));
        assert!(overdue(&c, d(2026, 7, 31)));
    }

    #[test]
    fn a_case_that_ends_has_nothing_due() {
        let c = CaseFacts { strategy_on: Some(d(2026, 4, 7)), strategy_decision: Some(StrategyDecision::NoFurtherAction), ..decided() };
        assert!(c.closed());
        assert_eq!(next_due(&c), None);
        let s = stages(&c, d(2027, 1, 1));
        assert!(s[1..].iter().all(|s| s.timeliness == Timeliness::NotNeeded), "{s:?}");
        let c = CaseFacts {
            strategy_on: Some(d(2026, 4, 7)),
            strategy_decision: Some(StrategyDecision::Section47),
            s47_started_on: Some(d(2026, 4, 7)),
            s47_outcome: Some(S47Outcome::ConferenceNeeded),
            s47_outcome_on: Some(d(2026, 4, 14)),
            conference_on: Some(d(2026, 4, 20)),
            conference_outcome: Some(ConferenceOutcome::NoPlan),
            ..decided()
        };
        assert!(c.closed() && next_due(&c).is_none());
        assert_eq!(stages(&c, d(2027, 1, 1))[3].timeliness, Timeliness::NotNeeded);
    }

    #[test]
    fn stages_are_recorded_in_order_and_once() {
        let today = d(2026, 4, 20);
        let c = decided();
        // Everything missing, all at once.
        let e = check_strategy(&StrategyInput::default(), &c, today).unwrap_err();
        for f in ["held_on", "agencies", "decision"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
        // Before the decision, or in the future.
        let early =
            StrategyInput { held_on: Some(d(2026, 4, 1)), agencies: vec![2, 1, 2], decision: Some(StrategyDecision::Section47), notes: " ".into() };
        assert!(check_strategy(&early, &c, today).unwrap_err().for_field("held_on").unwrap().contains("on or after"));
        let future = StrategyInput { held_on: Some(d(2026, 4, 21)), ..early.clone() };
        assert!(check_strategy(&future, &c, today).unwrap_err().for_field("held_on").unwrap().contains("past"));
        let ok = check_strategy(&StrategyInput { held_on: Some(d(2026, 4, 7)), ..early.clone() }, &c, today).unwrap();
        assert_eq!(ok.agencies, vec![1, 2]);
        let c = CaseFacts { strategy_on: Some(d(2026, 4, 7)), strategy_decision: Some(StrategyDecision::Section47), ..c };
        assert!(check_strategy(&StrategyInput { held_on: Some(d(2026, 4, 7)), ..early }, &c, today)
            .unwrap_err()
            .for_field("held_on")
            .unwrap()
            .contains("already"));

        // The conference needs the enquiry's outcome first.
        let conf = ConferenceInput { held_on: Some(d(2026, 4, 17)), outcome: Some(ConferenceOutcome::CpPlan) };
        assert!(check_conference(&conf, &c, today).unwrap_err().for_field("held_on").unwrap().contains("section 47"));
        // The section 47 enquiry: started, then its outcome.
        let s = check_s47(&S47Input { started_on: Some(d(2026, 4, 7)), ..Default::default() }, &c, today).unwrap();
        assert_eq!(s.outcome, None);
        let c = CaseFacts { s47_started_on: Some(d(2026, 4, 7)), ..c };
        let e = check_s47(&S47Input::default(), &c, today).unwrap_err();
        assert!(e.for_field("outcome").is_some());
        let e =
            check_s47(&S47Input { outcome: Some(S47Outcome::ConferenceNeeded), outcome_on: Some(d(2026, 4, 6)), ..Default::default() }, &c, today)
                .unwrap_err();
        assert!(e.for_field("outcome_on").unwrap().contains("start of the enquiry"));
        let s =
            check_s47(&S47Input { outcome: Some(S47Outcome::ConferenceNeeded), outcome_on: Some(d(2026, 4, 14)), ..Default::default() }, &c, today)
                .unwrap();
        assert_eq!(s.outcome, Some((S47Outcome::ConferenceNeeded, d(2026, 4, 14))));
        let c = CaseFacts { s47_outcome: Some(S47Outcome::ConferenceNeeded), s47_outcome_on: Some(d(2026, 4, 14)), ..c };
        assert!(check_s47(&S47Input::default(), &c, today).unwrap_err().for_field("started_on").unwrap().contains("already"));

        // The plan and the review wait for the conference.
        assert!(check_plan_allowed(&c).is_err());
        assert!(check_review(Some(d(2026, 4, 20)), &c, today).is_err());
        let before = ConferenceInput { held_on: Some(d(2026, 4, 13)), ..conf.clone() };
        assert!(check_conference(&before, &c, today).unwrap_err().for_field("held_on").unwrap().contains("on or after"));
        let held = check_conference(&conf, &c, today).unwrap();
        assert_eq!(held.outcome, ConferenceOutcome::CpPlan);
        let c = CaseFacts { conference_on: Some(d(2026, 4, 17)), conference_outcome: Some(ConferenceOutcome::CpPlan), ..c };
        check_plan_allowed(&c).unwrap();
        assert!(check_conference(&conf, &c, today).unwrap_err().for_field("held_on").unwrap().contains("already"));
        assert_eq!(*check_review(Some(d(2026, 4, 20)), &c, today).unwrap(), d(2026, 4, 20));
        assert!(check_review(None, &c, today).is_err());
    }

    #[test]
    fn a_closed_case_takes_no_more_stages() {
        let c = CaseFacts {
            strategy_on: Some(d(2026, 4, 7)),
            strategy_decision: Some(StrategyDecision::Section47),
            s47_started_on: Some(d(2026, 4, 7)),
            s47_outcome: Some(S47Outcome::NotSubstantiated),
            s47_outcome_on: Some(d(2026, 4, 9)),
            ..decided()
        };
        let e = check_conference(&ConferenceInput { held_on: Some(d(2026, 4, 10)), outcome: Some(ConferenceOutcome::CpPlan) }, &c, d(2026, 4, 20))
            .unwrap_err();
        assert!(e.for_field("held_on").unwrap().contains("ended"));
    }
}
