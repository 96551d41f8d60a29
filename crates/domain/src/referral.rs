//! A CSE referral's life: the concern a practitioner raises (CSE 1, with the CSE 2
//! screening and the professional referral), the MASH team's checks and decision, and
//! a "no CSE concern" referral's return to the raising agency's SPOC.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::tracker::TagColour;
use crate::validation::{Checked, Invalid};

slug_enum!(
    /// Where a referral came from.
    ReferralSource {
        ProfessionalConcern => ("professional-concern", "Professional concern (CSE 1 and CSE 2)"),
        PoliceNotification => ("police-101", "Police vulnerable-person notification via 101", was "police-notification"),
        PoliceEmergencyCall => ("police-999", "Police: a 999 call"),
        ReportedToPolice => ("reported-to-police", "Police: a concern from the public or a taxi driver reported to police"),
        ReturnInterview => ("return-interview", "A return interview after a missing episode"),
        Marac => ("marac", "A MARAC referral reviewed for CSE (a 16 to 18-year-old victim of an abusive relationship)"),
    }
);

slug_enum!(
    /// Who reported a concern to the police (a concern reported to police, R1).
    ConcernReporter {
        MemberOfPublic => ("member-of-public", "A member of the public"),
        TaxiDriver => ("taxi-or-private-hire-driver", "A taxi or private-hire driver"),
        Other => ("other", "Someone else"),
    }
);

impl ReferralSource {
    /// What reaches the MASH through the police (R1): a 101 notification, a 999 call,
    /// or a concern the public or a taxi driver reported to police. Police accounts
    /// record them.
    pub fn through_police(self) -> bool {
        matches!(self, ReferralSource::PoliceNotification | ReferralSource::PoliceEmergencyCall | ReferralSource::ReportedToPolice)
    }

    /// The police sources are recorded by police accounts only; a return interview's
    /// referral is made by the pattern routing and a MARAC's by its CSE review, never on
    /// the concern form.
    pub fn allowed_for(self, raiser_is_police: bool) -> bool {
        match self {
            ReferralSource::ProfessionalConcern => true,
            s if s.through_police() => raiser_is_police,
            _ => false,
        }
    }

    /// Whether the referral carries a CSE 2 screening (a return interview's and a
    /// MARAC review's do not).
    pub fn screened(self) -> bool {
        !matches!(self, ReferralSource::ReturnInterview | ReferralSource::Marac)
    }

    /// A concern reported to police says who reported it.
    pub fn needs_reporter(self) -> bool {
        self == ReferralSource::ReportedToPolice
    }
}

slug_enum!(
    /// The MASH team's decision on a referral.
    MashDecision {
        ChildProtection => ("child-protection", "Child protection: section 47 enquiry, case conference and plan"),
        ChildInNeedAndMacse => ("child-in-need-and-macse", "Child in need plan, and referral to MACSE for overview"),
        Macse => ("macse", "MACSE"),
        KnownChildContact => ("known-child-contact", "Contact for a child already known (child in need, child protection or looked after)"),
        NoCseConcern => ("no-cse-concern", "No CSE concern: returned to the SPOC"),
    }
);

slug_enum!(
    /// Where a referral is.
    ReferralStatus {
        Submitted => ("submitted", "Submitted to the MASH"),
        ChecksInProgress => ("checks-in-progress", "Screening and checks in progress"),
        ContactChecks => ("contact-checks", "Contact: multi-agency checks before the follow-on decision"),
        Decided => ("decided", "Decided"),
        ReturnedToSpoc => ("returned-to-spoc", "Returned to the SPOC"),
        AcknowledgedBySpoc => ("acknowledged-by-spoc", "Acknowledged by the SPOC"),
    }
);

impl ReferralStatus {
    pub fn colour(self) -> TagColour {
        match self {
            ReferralStatus::Submitted => TagColour::Blue,
            ReferralStatus::ChecksInProgress => TagColour::LightBlue,
            ReferralStatus::ContactChecks => TagColour::Yellow,
            ReferralStatus::Decided => TagColour::Green,
            ReferralStatus::ReturnedToSpoc => TagColour::Orange,
            ReferralStatus::AcknowledgedBySpoc => TagColour::Grey,
        }
    }

    /// Still waiting for the MASH (on the team queue).
    pub fn awaiting_decision(self) -> bool {
        matches!(self, ReferralStatus::Submitted | ReferralStatus::ChecksInProgress)
    }

    /// A contact for a child already known, waiting for the multi-agency checks and the
    /// follow-on decision (R8).
    pub fn awaiting_follow_on(self) -> bool {
        self == ReferralStatus::ContactChecks
    }

    /// Agencies' checks may be recorded: during screening, and during a contact's checks.
    pub fn takes_checks(self) -> bool {
        self.awaiting_decision() || self.awaiting_follow_on()
    }

    /// The statuses before the first decision, as slugs (for list filters).
    pub fn queue_slugs() -> [&'static str; 2] {
        [ReferralStatus::Submitted.slug(), ReferralStatus::ChecksInProgress.slug()]
    }

    /// The statuses on the MASH queue, as slugs: those before the first decision, and a
    /// contact waiting for its checks and follow-on decision (the team's work too).
    pub fn mash_queue_slugs() -> [&'static str; 3] {
        [ReferralStatus::Submitted.slug(), ReferralStatus::ChecksInProgress.slug(), ReferralStatus::ContactChecks.slug()]
    }
}

impl MashDecision {
    /// The decisions that may follow a contact's multi-agency checks (R8): child
    /// protection, or MACSE.
    pub const FOLLOW_ONS: [MashDecision; 2] = [MashDecision::ChildProtection, MashDecision::Macse];

    pub fn may_follow_a_contact(self) -> bool {
        Self::FOLLOW_ONS.contains(&self)
    }
}

/// The allowed moves: a check starts the screening; the decision ends it (a "no CSE
/// concern" goes back to the SPOC); the SPOC acknowledges a returned referral.
/// Recording further checks during screening keeps the status. A contact for a child
/// already known is not final: it waits for the multi-agency checks (which keep the
/// status) and then the follow-on decision, child protection or MACSE, decides it.
pub fn may_move(from: ReferralStatus, to: ReferralStatus) -> bool {
    use ReferralStatus::*;
    matches!(
        (from, to),
        (Submitted, ChecksInProgress)
            | (ChecksInProgress, ChecksInProgress)
            | (Submitted | ChecksInProgress, Decided)
            | (Submitted | ChecksInProgress, ReturnedToSpoc)
            | (Submitted | ChecksInProgress, ContactChecks)
            | (ContactChecks, ContactChecks)
            | (ContactChecks, Decided)
            | (ReturnedToSpoc, AcknowledgedBySpoc)
    )
}

/// The status a decision leads to.
pub fn status_after(decision: MashDecision) -> ReferralStatus {
    match decision {
        MashDecision::NoCseConcern => ReferralStatus::ReturnedToSpoc,
        MashDecision::KnownChildContact => ReferralStatus::ContactChecks,
        _ => ReferralStatus::Decided,
    }
}

/// The follow-on decision of a contact, as the MASH worker typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowOnInput {
    pub decision: Option<MashDecision>,
    pub reasons: String,
}

/// A follow-on decision ready to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowOn {
    pub decision: MashDecision,
    pub reasons: String,
}

/// A contact goes on, once its multi-agency checks are recorded (`checks_since_contact`
/// counts those recorded since the contact was decided), to child protection or MACSE,
/// with reasons; only a contact waiting for it takes one.
pub fn check_follow_on(i: &FollowOnInput, current: ReferralStatus, checks_since_contact: usize) -> Result<Checked<FollowOn>, Invalid> {
    let mut v = Invalid::new();
    match i.decision {
        None => v.add("follow_on", "Select the follow-on decision: child protection or MACSE"),
        Some(d) if !d.may_follow_a_contact() => v.add("follow_on", "A contact goes on to child protection or to MACSE"),
        Some(_) => {}
    }
    let reasons = v.required("follow_on_reasons", &i.reasons, "Enter the reasons for the follow-on decision");
    v.max_len("follow_on_reasons", &reasons, 10_000, "The reasons");
    if !may_move(current, ReferralStatus::Decided) || !current.awaiting_follow_on() {
        v.add(
            "follow_on",
            format!("Only a contact waiting for its checks takes a follow-on decision (this referral is {})", current.label().to_lowercase()),
        );
    } else if checks_since_contact == 0 {
        v.add("follow_on", "Record the multi-agency checks of the contact before the follow-on decision");
    }
    v.finish()?;
    let Some(decision) = i.decision else { return Err(Invalid::single("follow_on", "Select the follow-on decision")) };
    Ok(Checked::new(FollowOn { decision, reasons }))
}

/// The CSE 1 part of a concern, and the professional referral.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcernInput {
    pub source: Option<ReferralSource>,
    /// Who reported it, for a concern reported to police.
    pub reported_by: Option<ConcernReporter>,
    pub what_seen: String,
    pub seen_on: Option<NaiveDate>,
    pub seen_where: String,
    pub seen_by: String,
    pub referral_text: String,
}

/// Check the CSE 1 and the referral, adding a message per field to `v` (so the
/// screening's messages can join them in one answer).
pub fn check_concern(c: &ConcernInput, raiser_is_police: bool, today: NaiveDate, v: &mut Invalid) {
    match c.source {
        None => v.add("source", "Select where the concern came from"),
        Some(s) if !s.allowed_for(raiser_is_police) => {
            v.add("source", "Only police accounts can record a 101 notification, a 999 call or a concern reported to police")
        }
        Some(s) if s.needs_reporter() && c.reported_by.is_none() => {
            v.add("reported_by", "Select who reported the concern to police: a member of the public, a taxi or private-hire driver, or someone else")
        }
        Some(_) => {}
    }
    v.required("what_seen", &c.what_seen, "Describe what was seen or heard that caused concern");
    v.max_len("what_seen", &c.what_seen, 10_000, "The description");
    match c.seen_on {
        None => v.add("seen_on", "Enter the date the concern was seen or heard, for example 16/01/2018"),
        Some(d) if d > today => v.add("seen_on", "The date the concern was seen must be today or in the past"),
        Some(_) => {}
    }
    v.required("seen_where", &c.seen_where, "Enter where it was seen or heard");
    v.max_len("seen_where", &c.seen_where, 500, "Where it was seen");
    v.required("seen_by", &c.seen_by, "Enter who saw or heard it");
    v.max_len("seen_by", &c.seen_by, 500, "Who saw it");
    v.required("referral_text", &c.referral_text, "Write the professional referral: why you are referring and what you know of the child");
    v.max_len("referral_text", &c.referral_text, 20_000, "The referral");
}

/// Everything a practitioner submits at once: the child, the CSE 1 and referral, and
/// the CSE 2 screening's answers.
#[derive(Debug, Clone, Default)]
pub struct ConcernForm {
    pub child: Option<crate::children::ChildRef>,
    pub concern: ConcernInput,
    pub answers: crate::screening::Answers,
}

/// A concern ready to record, with the risk level the screening tool gave it.
#[derive(Debug, Clone)]
pub struct NewConcern {
    pub child: crate::children::ChosenChild,
    pub source: ReferralSource,
    /// Kept only for a concern reported to police.
    pub reported_by: Option<ConcernReporter>,
    pub what_seen: String,
    pub seen_on: NaiveDate,
    pub seen_where: String,
    pub seen_by: String,
    pub referral_text: String,
    pub answers: crate::screening::Answers,
    pub risk: crate::screening::RiskLevel,
    pub tool_version: i64,
}

/// Every rule of a concern, all at once: the child named (a new one valid), the CSE 1
/// and referral ([`check_concern`]), and every screening question answered by `tool`
/// (the version in force). Whether an existing child is in the raiser's reach is for
/// storage to add.
pub fn check_concern_form(
    form: &ConcernForm,
    tool: &crate::screening::ScreeningTool,
    raiser_is_police: bool,
    today: NaiveDate,
) -> Result<Checked<NewConcern>, Invalid> {
    let mut v = Invalid::new();
    let child = crate::children::check_child_ref(form.child.as_ref(), &mut v);
    check_concern(&form.concern, raiser_is_police, today, &mut v);
    let risk = match crate::screening::score(tool, &form.answers) {
        Ok(r) => Some(r),
        Err(e) => {
            v.absorb(e);
            None
        }
    };
    v.finish()?;
    let c = &form.concern;
    let (Some(child), Some(source), Some(seen_on), Some(risk)) = (child, c.source, c.seen_on, risk) else {
        return Err(Invalid::single("source", "Check the concern: a part of it is missing"));
    };
    Ok(Checked::new(NewConcern {
        child,
        source,
        reported_by: c.reported_by.filter(|_| source.needs_reporter()),
        what_seen: c.what_seen.trim().to_string(),
        seen_on,
        seen_where: c.seen_where.trim().to_string(),
        seen_by: c.seen_by.trim().to_string(),
        referral_text: c.referral_text.trim().to_string(),
        answers: form.answers.clone(),
        risk,
        tool_version: tool.version,
    }))
}

/// A decision as the MASH worker typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionInput {
    pub decision: Option<MashDecision>,
    pub reasons: String,
    pub interventions: String,
}

/// A decision ready to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub decision: MashDecision,
    pub reasons: String,
    pub interventions: String,
    /// "No CSE concern" asks the SPOC's agency to keep monitoring the child.
    pub keep_monitoring: bool,
}

/// Every decision needs its reasons; returning a referral to the SPOC also needs the
/// interventions proposed to the agency, and carries a request to keep monitoring.
pub fn check_decision(d: &DecisionInput, current: ReferralStatus) -> Result<Checked<Decision>, Invalid> {
    let mut v = Invalid::new();
    if d.decision.is_none() {
        v.add("decision", "Select the MASH decision");
    }
    let reasons = v.required("reasons", &d.reasons, "Enter the reasons for the decision");
    v.max_len("reasons", &reasons, 10_000, "The reasons");
    let interventions = d.interventions.trim().to_string();
    if d.decision == Some(MashDecision::NoCseConcern) && interventions.is_empty() {
        v.add("interventions", "Enter the interventions proposed to the referring agency when there is no CSE concern");
    }
    v.max_len("interventions", &interventions, 10_000, "The interventions");
    if let Some(dec) = d.decision {
        if !current.awaiting_decision() || !may_move(current, status_after(dec)) {
            v.add(
                "decision",
                format!("This referral has already been decided (it is {}): it cannot be decided again", current.label().to_lowercase()),
            );
        }
    }
    v.finish()?;
    let decision = d.decision.unwrap_or(MashDecision::NoCseConcern);
    Ok(Checked::new(Decision { decision, reasons, interventions, keep_monitoring: decision == MashDecision::NoCseConcern }))
}

/// What one agency holds on the child, as the MASH worker typed it: what may be shared
/// with the agency that referred, and what is for the police only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckInput {
    pub agency_id: Option<i64>,
    /// What may be shared with the referrer and the partnership.
    pub shared: String,
    /// Police intelligence (about adults, offences, operations): police CSE roles, the
    /// co-chairs and the MASH only.
    pub police_only: String,
}

/// A MASH check ready to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MashCheckEntry {
    pub agency_id: i64,
    pub shared: String,
    pub police_only: String,
}

/// Every check needs the agency and something it holds (or that it holds nothing);
/// checks are closed once the referral is decided.
pub fn check_mash_check(c: &CheckInput, current: ReferralStatus) -> Result<Checked<MashCheckEntry>, Invalid> {
    let mut v = Invalid::new();
    if c.agency_id.is_none() {
        v.add("agency_id", "Select the agency whose records were checked");
    }
    let shared = c.shared.trim().to_string();
    let police_only = c.police_only.trim().to_string();
    if shared.is_empty() && police_only.is_empty() {
        v.add(
            "holds",
            "Enter what the agency holds on the child (or that it holds nothing), and put police intelligence under what is for the police only",
        );
    }
    v.max_len("holds", &shared, 10_000, "What may be shared");
    v.max_len("police_only", &police_only, 10_000, "What is for the police only");
    if !current.takes_checks() {
        v.add("holds", "This referral has been decided: checks can no longer be added");
    }
    v.finish()?;
    match c.agency_id {
        Some(agency_id) => Ok(Checked::new(MashCheckEntry { agency_id, shared, police_only })),
        None => Err(Invalid::single("agency_id", "Select the agency whose records were checked")),
    }
}

/// Whole hours a referral has waited (never negative).
pub fn age_hours(submitted_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - submitted_at).num_hours().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralStatus::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn status_moves() {
        assert!(may_move(Submitted, ChecksInProgress));
        assert!(may_move(ChecksInProgress, Decided));
        assert!(may_move(Submitted, ReturnedToSpoc));
        assert!(may_move(ReturnedToSpoc, AcknowledgedBySpoc));
        for to in ReferralStatus::ALL {
            assert!(!may_move(Decided, *to), "a decided referral is final");
            assert!(!may_move(AcknowledgedBySpoc, *to));
            assert!(!may_move(*to, Submitted), "nothing goes back to submitted");
        }
        assert!(!may_move(Submitted, AcknowledgedBySpoc));
        assert!(!may_move(Decided, AcknowledgedBySpoc), "only a returned referral is acknowledged");
        assert_eq!(status_after(MashDecision::NoCseConcern), ReturnedToSpoc);
        assert_eq!(status_after(MashDecision::KnownChildContact), ContactChecks);
        assert!(MashDecision::ALL
            .iter()
            .filter(|m| !matches!(m, MashDecision::NoCseConcern | MashDecision::KnownChildContact))
            .all(|m| status_after(*m) == Decided));
    }

    /// R8: a contact for a child already known is not final. Every allowed move of a
    /// contact, and every refused one.
    #[test]
    fn a_contact_goes_on_after_its_checks() {
        // Allowed: into the contact's checks from screening, checks during it, and the follow-on.
        assert!(may_move(Submitted, ContactChecks));
        assert!(may_move(ChecksInProgress, ContactChecks));
        assert!(may_move(ContactChecks, ContactChecks));
        assert!(may_move(ContactChecks, Decided));
        // Refused: everything else out of, or into, a contact's checks.
        for s in [ReturnedToSpoc, AcknowledgedBySpoc, Submitted, ChecksInProgress] {
            assert!(!may_move(ContactChecks, s), "{s:?}");
        }
        for s in [Decided, ReturnedToSpoc, AcknowledgedBySpoc] {
            assert!(!may_move(s, ContactChecks), "{s:?}");
        }
        assert!(ContactChecks.takes_checks() && !ContactChecks.awaiting_decision() && !Decided.takes_checks());
        assert!(check_mash_check(&CheckInput { agency_id: Some(1), shared: "Open to CIN".into(), police_only: String::new() }, ContactChecks).is_ok());
        // The contact is not decided again through the first decision.
        let again = DecisionInput { decision: Some(MashDecision::Macse), reasons: "Again".into(), ..Default::default() };
        assert!(check_decision(&again, ContactChecks).is_err());

        let cp = FollowOnInput { decision: Some(MashDecision::ChildProtection), reasons: " Parenting concerns ".into() };
        let ok = check_follow_on(&cp, ContactChecks, 1).unwrap();
        assert_eq!((ok.decision, ok.reasons.as_str()), (MashDecision::ChildProtection, "Parenting concerns"));
        let macse = FollowOnInput { decision: Some(MashDecision::Macse), reasons: "No parenting concerns".into() };
        assert_eq!(check_follow_on(&macse, ContactChecks, 2).unwrap().decision, MashDecision::Macse);
        // Refused: before any check, from any other status, to any other decision, without reasons.
        assert!(check_follow_on(&cp, ContactChecks, 0).unwrap_err().for_field("follow_on").unwrap().contains("checks"));
        for s in ReferralStatus::ALL.iter().filter(|s| **s != ContactChecks) {
            assert!(check_follow_on(&cp, *s, 1).is_err(), "{s:?}");
        }
        for d in MashDecision::ALL.iter().filter(|d| !d.may_follow_a_contact()) {
            let e = check_follow_on(&FollowOnInput { decision: Some(*d), reasons: "x".into() }, ContactChecks, 1).unwrap_err();
            assert!(e.for_field("follow_on").is_some(), "{d:?}");
        }
        let e = check_follow_on(&FollowOnInput::default(), ContactChecks, 1).unwrap_err();
        assert!(e.for_field("follow_on").is_some() && e.for_field("follow_on_reasons").is_some());
    }

    #[test]
    fn decisions_need_reasons_and_a_return_needs_interventions() {
        let e = check_decision(&DecisionInput::default(), Submitted).unwrap_err();
        assert!(e.for_field("decision").is_some() && e.for_field("reasons").is_some());
        let e = check_decision(&DecisionInput { decision: Some(MashDecision::Macse), reasons: "  ".into(), ..Default::default() }, Submitted)
            .unwrap_err();
        assert_eq!(e.for_field("reasons"), Some("Enter the reasons for the decision"));
        let ok = check_decision(
            &DecisionInput { decision: Some(MashDecision::Macse), reasons: " Risk high ".into(), ..Default::default() },
            ChecksInProgress,
        )
        .unwrap();
        assert_eq!((ok.reasons.as_str(), ok.keep_monitoring), ("Risk high", false));
        let e = check_decision(
            &DecisionInput { decision: Some(MashDecision::NoCseConcern), reasons: "Nothing found".into(), ..Default::default() },
            Submitted,
        )
        .unwrap_err();
        assert!(e.for_field("interventions").is_some() && e.for_field("reasons").is_none());
        let ok = check_decision(
            &DecisionInput { decision: Some(MashDecision::NoCseConcern), reasons: "Nothing found".into(), interventions: "Mentoring".into() },
            Submitted,
        )
        .unwrap();
        assert!(ok.keep_monitoring);
        let e = check_decision(&DecisionInput { decision: Some(MashDecision::Macse), reasons: "Again".into(), ..Default::default() }, Decided)
            .unwrap_err();
        assert!(e.for_field("decision").unwrap().contains("already been decided"));
    }

    #[test]
    fn concerns_are_checked_field_by_field() {
        let mut v = Invalid::new();
        check_concern(&ConcernInput::default(), false, d(2018, 1, 16), &mut v);
        for f in ["source", "what_seen", "seen_on", "seen_where", "seen_by", "referral_text"] {
            assert!(v.for_field(f).is_some(), "{f}");
        }
        let mut v = Invalid::new();
        let c = ConcernInput {
            source: Some(ReferralSource::PoliceNotification),
            reported_by: None,
            what_seen: "Seen getting into a car".into(),
            seen_on: Some(d(2018, 1, 17)),
            seen_where: "School gate".into(),
            seen_by: "Teacher".into(),
            referral_text: "Referral".into(),
        };
        check_concern(&c, false, d(2018, 1, 16), &mut v);
        assert!(v.for_field("source").unwrap().contains("Only police"));
        assert!(v.for_field("seen_on").unwrap().contains("past"));
        let mut v = Invalid::new();
        check_concern(&ConcernInput { seen_on: Some(d(2018, 1, 16)), ..c }, true, d(2018, 1, 16), &mut v);
        assert!(v.is_empty(), "{v}");
    }

    #[test]
    fn police_sources_are_for_police_accounts_and_a_public_report_says_who_reported_it() {
        use ReferralSource::*;
        for s in [PoliceNotification, PoliceEmergencyCall, ReportedToPolice] {
            assert!(s.through_police() && s.allowed_for(true) && !s.allowed_for(false), "{s:?}");
            assert!(s.screened());
        }
        assert!(ProfessionalConcern.allowed_for(false) && ProfessionalConcern.allowed_for(true));
        for s in [ReturnInterview, Marac] {
            assert!(!s.allowed_for(true) && !s.allowed_for(false) && !s.screened(), "{s:?}");
        }
        let base = ConcernInput {
            source: Some(ReportedToPolice),
            reported_by: None,
            what_seen: "A taxi driver saw a girl given alcohol".into(),
            seen_on: Some(d(2018, 1, 16)),
            seen_where: "Rank on High Street".into(),
            seen_by: "Driver, reported on 101".into(),
            referral_text: "Referral".into(),
        };
        let mut v = Invalid::new();
        check_concern(&base, true, d(2018, 1, 16), &mut v);
        assert!(v.for_field("reported_by").unwrap().contains("taxi"));
        let mut v = Invalid::new();
        check_concern(&ConcernInput { reported_by: Some(ConcernReporter::TaxiDriver), ..base.clone() }, true, d(2018, 1, 16), &mut v);
        assert!(v.is_empty(), "{v}");
        let mut v = Invalid::new();
        check_concern(&ConcernInput { source: Some(PoliceEmergencyCall), ..base.clone() }, true, d(2018, 1, 16), &mut v);
        assert!(v.is_empty(), "a 999 call needs no reporter: {v}");
        let mut v = Invalid::new();
        check_concern(&ConcernInput { source: Some(PoliceEmergencyCall), ..base }, false, d(2018, 1, 16), &mut v);
        assert!(v.for_field("source").unwrap().contains("999"));
        assert_eq!(ReferralSource::from_slug("police-999"), Some(PoliceEmergencyCall));
        assert_eq!(ReferralSource::from_slug("reported-to-police"), Some(ReportedToPolice));
        assert_eq!(ConcernReporter::from_slug("taxi-or-private-hire-driver"), Some(ConcernReporter::TaxiDriver));
    }

    #[test]
    fn age_in_whole_hours() {
        let t0: DateTime<Utc> = "2018-01-16T09:00:00Z".parse().unwrap();
        assert_eq!(age_hours(t0, "2018-01-16T09:59:59Z".parse().unwrap()), 0);
        assert_eq!(age_hours(t0, "2018-01-17T10:00:00Z".parse().unwrap()), 25);
        assert_eq!(age_hours(t0, "2018-01-16T08:00:00Z".parse().unwrap()), 0, "a clock skew is not a negative age");
    }
}
