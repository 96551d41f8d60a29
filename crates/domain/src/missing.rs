//! Missing episodes and return interviews (seed 002:417-427; DOMAIN.md §5). Going
//! missing from home, care or education is the strongest warning sign of exploitation:
//! every episode is recorded, every return gets an independent interview (statutory
//! guidance expects it offered within 72 hours), and patterns are routed to the
//! missing monitoring group, MACSE, the guns-and-gangs meeting or the CICOLA sub-group
//! by rules held as data.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::children::{check_child_ref, ChildRef, ChosenChild};
use crate::validation::{Checked, Invalid};

slug_enum!(
    /// Where the child went missing from.
    MissingFrom {
        Home => ("home", "Home"),
        Care => ("care", "Care"),
        Education => ("education", "Education"),
    }
);

slug_enum!(
    /// The police risk grading of an episode.
    RiskGrading {
        NoApparentRisk => ("no-apparent-risk", "No apparent risk (absent)"),
        Low => ("low", "Low"),
        Medium => ("medium", "Medium"),
        High => ("high", "High"),
    }
);

slug_enum!(
    /// Whether the child took up the return interview offered (Annex A: "return
    /// interview offered" / "return interview accepted").
    InterviewResponse {
        Accepted => ("accepted", "Accepted"),
        Declined => ("declined", "Declined"),
    }
);

slug_enum!(
    /// Groups that patterns of going missing are taken to.
    Forum {
        MissingMonitoringGroup => ("missing-monitoring-group", "Missing monitoring group"),
        Macse => ("macse", "MACSE panel"),
        GunsAndGangs => ("guns-and-gangs", "Guns and gangs meeting"),
        Cicola => ("cicola", "CICOLA sub-group (children in care of other local authorities)"),
    }
);

/// Statutory guidance: a return interview is offered within 72 hours of the return.
pub const INTERVIEW_WITHIN_HOURS: i64 = 72;

/// An episode's times as entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: NaiveDateTime,
    /// `None` while the child is still missing.
    pub end: Option<NaiveDateTime>,
}

impl Span {
    fn end_or_open(&self) -> NaiveDateTime {
        self.end.unwrap_or(NaiveDateTime::MAX)
    }
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end_or_open() && other.start < self.end_or_open()
    }
    /// Real hours missing (London wall-clock times, so a night the clocks change counts right).
    pub fn hours(&self, now: NaiveDateTime) -> i64 {
        crate::clock::elapsed(self.start, self.end.unwrap_or(now)).num_hours().max(0)
    }
}

/// An episode can be saved: it ends after it starts, does not start in the future, and
/// does not overlap another episode of the same child (`others` excludes itself).
pub fn check_episode(span: &Span, others: &[Span], now: NaiveDateTime) -> Result<(), Invalid> {
    let mut v = Invalid::new();
    if span.start > now {
        v.add("start", "The time the child went missing cannot be in the future");
    }
    if let Some(end) = span.end {
        if end <= span.start {
            v.add("end", "The time the child was found or returned must be after the time they went missing");
        } else if end > now {
            v.add("end", "The time the child was found or returned cannot be in the future");
        }
    }
    if v.is_empty() && others.iter().any(|o| o.overlaps(span)) {
        v.add("start", "This child already has a missing episode covering part of this time: change that episode instead, or check the times");
    }
    v.finish()
}

/// When the return interview must be offered by: 72 real hours after the return, on the
/// London clock (so a return on the Friday before the clocks go forward is due at 11:00
/// on the Monday, not 10:00).
pub fn interview_due_by(returned: NaiveDateTime) -> NaiveDateTime {
    crate::clock::later(returned, Duration::hours(INTERVIEW_WITHIN_HOURS))
}

/// Whether the interview was offered in time (`None` while the child is missing or no
/// offer is recorded and the 72 hours have not yet passed).
pub fn offered_in_time(returned: Option<NaiveDateTime>, offered: Option<NaiveDateTime>, now: NaiveDateTime) -> Option<bool> {
    let deadline = interview_due_by(returned?);
    match offered {
        Some(o) => Some(o <= deadline),
        None if now > deadline => Some(false),
        None => None,
    }
}

/// What the return interview found that can be routed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    pub cse: bool,
    pub organised_crime: bool,
    /// A concern about the placing authority or the home the child lives in.
    pub placement_concern: bool,
}

slug_enum!(
    /// What a pattern-routing rule looks at.
    Trigger {
        CseLink => ("cse-link", "A link to child sexual exploitation"),
        OrganisedCrimeLink => ("organised-crime-link", "A link to organised crime"),
        PlacementConcern => ("placement-concern", "A concern about the placing authority or the home"),
        Repeated => ("repeated", "Missing three or more times in 90 days"),
    }
);

/// A pattern-routing rule, as data: when the trigger holds, the episode goes to the forum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatternRule {
    pub trigger: Trigger,
    pub forum: Forum,
}

/// The defaults: CSE to MACSE, organised crime to guns and gangs, placing authorities
/// and homes to CICOLA, repeated episodes to the missing monitoring group.
pub fn default_pattern_rules() -> Vec<PatternRule> {
    vec![
        PatternRule { trigger: Trigger::CseLink, forum: Forum::Macse },
        PatternRule { trigger: Trigger::OrganisedCrimeLink, forum: Forum::GunsAndGangs },
        PatternRule { trigger: Trigger::PlacementConcern, forum: Forum::Cicola },
        PatternRule { trigger: Trigger::Repeated, forum: Forum::MissingMonitoringGroup },
    ]
}

/// A set of pattern rules can be saved: no rule twice, and every trigger goes to at
/// least one group (a link to CSE recorded and sent nowhere would be lost).
pub fn check_pattern_rules(rules: &[PatternRule]) -> Result<Checked<Vec<PatternRule>>, Invalid> {
    let mut v = Invalid::new();
    for (i, r) in rules.iter().enumerate() {
        if rules[..i].contains(r) {
            v.add("rules", format!("\"{}\" to the {} is listed twice: remove one", r.trigger.label(), r.forum.label()));
        }
    }
    for t in Trigger::ALL {
        if !rules.iter().any(|r| r.trigger == *t) {
            v.add(
                &format!("trigger.{}", t.slug()),
                format!("Choose at least one group for \"{}\": otherwise it would be recorded and go nowhere", t.label().to_lowercase()),
            );
        }
    }
    v.finish()?;
    Ok(Checked::new(rules.to_vec()))
}

/// The forums an episode goes to, once each, in the rules' order.
pub fn forums_for(rules: &[PatternRule], findings: &Findings, repeated: bool) -> Vec<Forum> {
    let mut out = Vec::new();
    for r in rules {
        let holds = match r.trigger {
            Trigger::CseLink => findings.cse,
            Trigger::OrganisedCrimeLink => findings.organised_crime,
            Trigger::PlacementConcern => findings.placement_concern,
            Trigger::Repeated => repeated,
        };
        if holds && !out.contains(&r.forum) {
            out.push(r.forum);
        }
    }
    out
}

/// Missing three or more times in the 90 days up to `on` (counting episodes that started then).
pub fn repeatedly_missing(starts: &[NaiveDateTime], on: NaiveDate) -> bool {
    let from = on - Duration::days(90);
    starts.iter().filter(|s| s.date() > from && s.date() <= on).count() >= 3
}

// ---------------------------------------------------------------- checked commands

/// A new episode as entered.
#[derive(Debug, Clone, Default)]
pub struct EpisodeInput {
    pub child: Option<ChildRef>,
    pub missing_from: Option<MissingFrom>,
    pub started_at: Option<NaiveDateTime>,
    /// `None`: the child is still missing.
    pub ended_at: Option<NaiveDateTime>,
    pub where_found: String,
    pub police_reference: String,
    pub risk_grading: Option<RiskGrading>,
}

/// An episode ready to record.
#[derive(Debug, Clone)]
pub struct NewEpisode {
    pub child: ChosenChild,
    pub missing_from: MissingFrom,
    pub span: Span,
    pub where_found: String,
    pub police_reference: String,
    pub risk_grading: RiskGrading,
}

/// Every rule of a new episode, all at once: the child named (a new one valid), where
/// they went missing from, when (not in the future; an end after the start, with where
/// they were found), the police's grading, each text within its length, and no overlap
/// with the child's `others` episodes (read by storage). Whether an existing child is
/// in the recorder's reach is for storage to add.
pub fn check_new_episode(e: &EpisodeInput, others: &[Span], now: NaiveDateTime) -> Result<Checked<NewEpisode>, Invalid> {
    let mut v = Invalid::new();
    let child = check_child_ref(e.child.as_ref(), &mut v);
    if e.missing_from.is_none() {
        v.add("missing_from", "Select where the child went missing from: home, care or education");
    }
    if e.started_at.is_none() {
        v.add("start", "Enter the date and time the child went missing");
    }
    if e.ended_at.is_some() {
        v.required("where_found", &e.where_found, "Enter where the child was found or returned to");
    }
    v.max_len("where_found", e.where_found.trim(), 1000, "Where the child was found");
    v.max_len("police_reference", e.police_reference.trim(), 100, "The police reference");
    if e.risk_grading.is_none() {
        v.add("risk_grading", "Select the police risk grading");
    }
    if let Some(start) = e.started_at {
        if let Err(x) = check_episode(&Span { start, end: e.ended_at }, others, now) {
            v.absorb(x);
        }
    }
    v.finish()?;
    let (Some(child), Some(missing_from), Some(start), Some(risk_grading)) = (child, e.missing_from, e.started_at, e.risk_grading) else {
        return Err(Invalid::single("child", "Check the episode: a part of it is missing"));
    };
    Ok(Checked::new(NewEpisode {
        child,
        missing_from,
        span: Span { start, end: e.ended_at },
        where_found: e.where_found.trim().to_string(),
        police_reference: e.police_reference.trim().to_string(),
        risk_grading,
    }))
}

/// The child's return: when, and where they were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Return {
    pub ended_at: NaiveDateTime,
    pub where_found: String,
}

/// A return after the episode started, not in the future, not overlapping the child's
/// `others` episodes (an overlap is with the end just entered), and where the child was found.
pub fn check_return(
    started_at: NaiveDateTime,
    ended_at: Option<NaiveDateTime>,
    where_found: &str,
    others: &[Span],
    now: NaiveDateTime,
) -> Result<Checked<Return>, Invalid> {
    let mut v = Invalid::new();
    let where_found = v.required("where_found", where_found, "Enter where the child was found or returned to");
    v.max_len("where_found", &where_found, 1000, "Where the child was found");
    match ended_at {
        None => v.add("end", "Enter the date and time the child was found or returned"),
        Some(end) => {
            if let Err(e) = check_episode(&Span { start: started_at, end: Some(end) }, others, now) {
                for f in e.errors {
                    v.add(if f.field == "start" { "end" } else { &f.field }, f.message);
                }
            }
        }
    }
    v.finish()?;
    let Some(ended_at) = ended_at else { return Err(Invalid::single("end", "Enter the date and time the child was found or returned")) };
    Ok(Checked::new(Return { ended_at, where_found }))
}

/// A return interview as entered. Annex A: "return interview offered" is `offered_at`,
/// "return interview accepted" is `response`.
#[derive(Debug, Clone, Default)]
pub struct InterviewInput {
    pub offered_at: Option<NaiveDateTime>,
    pub response: Option<InterviewResponse>,
    pub interviewer: String,
    /// The independent provider that offered or held the interview.
    pub provider: String,
    pub said_about_cse: String,
    pub said_about_organised_crime: String,
    pub where_and_with_whom: String,
    pub follow_up_actions: String,
    pub findings: Findings,
}

/// A return interview ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterviewDetails {
    pub offered_at: NaiveDateTime,
    pub response: InterviewResponse,
    pub interviewer: String,
    pub provider: String,
    pub said_about_cse: String,
    pub said_about_organised_crime: String,
    pub where_and_with_whom: String,
    pub follow_up_actions: String,
    pub findings: Findings,
}

fn text(v: &mut Invalid, field: &str, value: &str, max: usize, what: &str) -> String {
    let t = value.trim().to_string();
    v.max_len(field, &t, max, what);
    t
}

/// Every rule of a return interview, all at once: the child returned (`returned_at`)
/// before it is offered, offered not before the return nor in the future, accepted or
/// declined, the independent provider (and who held it, if accepted), each text within
/// its length, and what the child said behind each link found.
pub fn check_interview(i: &InterviewInput, returned_at: Option<NaiveDateTime>, now: NaiveDateTime) -> Result<Checked<InterviewDetails>, Invalid> {
    let mut v = Invalid::new();
    match (returned_at, i.offered_at) {
        (None, _) => v.add("offered_at", "Record when the child was found or returned before the return interview"),
        (_, None) => v.add("offered_at", "Enter the date and time the return interview was offered"),
        (Some(back), Some(o)) if o < back => v.add("offered_at", "The interview cannot have been offered before the child returned"),
        (_, Some(o)) if o > now => v.add("offered_at", "The date the interview was offered cannot be in the future"),
        _ => {}
    }
    if i.response.is_none() {
        v.add("response", "Select whether the child accepted or declined the return interview");
    }
    let provider = v.required("provider", &i.provider, "Enter the independent provider that offered the interview");
    v.max_len("provider", &provider, 200, "The provider");
    let interviewer = text(&mut v, "interviewer", &i.interviewer, 200, "The interviewer's name");
    if i.response == Some(InterviewResponse::Accepted) && interviewer.is_empty() {
        v.add("interviewer", "Enter who held the interview");
    }
    let cse = text(&mut v, "said_about_cse", &i.said_about_cse, 10_000, "What the child said about CSE");
    let oc = text(&mut v, "said_about_organised_crime", &i.said_about_organised_crime, 10_000, "What the child said about organised crime");
    let whom = text(&mut v, "where_and_with_whom", &i.where_and_with_whom, 10_000, "Where the child was and with whom");
    let follow = text(&mut v, "follow_up_actions", &i.follow_up_actions, 10_000, "The follow-up actions");
    if i.findings.cse && cse.is_empty() {
        v.add("said_about_cse", "Describe what the child said about CSE: the link to CSE is referred to MACSE");
    }
    if i.findings.organised_crime && oc.is_empty() {
        v.add("said_about_organised_crime", "Describe what the child said about organised crime");
    }
    v.finish()?;
    let (Some(offered_at), Some(response)) = (i.offered_at, i.response) else {
        return Err(Invalid::single("offered_at", "Enter when the interview was offered and whether the child accepted it"));
    };
    Ok(Checked::new(InterviewDetails {
        offered_at,
        response,
        interviewer,
        provider,
        said_about_cse: cse,
        said_about_organised_crime: oc,
        where_and_with_whom: whom,
        follow_up_actions: follow,
        findings: i.findings,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    #[test]
    fn an_episode_ends_after_it_starts_and_overlaps_no_other() {
        let now = t(20, 12);
        assert!(check_episode(&Span { start: t(1, 20), end: Some(t(2, 9)) }, &[], now).is_ok());
        let e = check_episode(&Span { start: t(2, 9), end: Some(t(1, 20)) }, &[], now).unwrap_err();
        assert!(e.for_field("end").unwrap().contains("after"));
        let e = check_episode(&Span { start: t(21, 9), end: None }, &[], now).unwrap_err();
        assert!(e.for_field("start").unwrap().contains("future"));
        let earlier = [Span { start: t(1, 20), end: Some(t(2, 9)) }];
        let e = check_episode(&Span { start: t(2, 8), end: Some(t(3, 9)) }, &earlier, now).unwrap_err();
        assert!(e.for_field("start").unwrap().contains("already has a missing episode"));
        // Touching is not overlapping; an open episode overlaps everything after it.
        assert!(check_episode(&Span { start: t(2, 9), end: Some(t(3, 9)) }, &earlier, now).is_ok());
        let open = [Span { start: t(10, 9), end: None }];
        assert!(check_episode(&Span { start: t(15, 9), end: Some(t(15, 10)) }, &open, now).is_err());
    }

    #[test]
    fn the_interview_is_offered_within_72_hours() {
        let now = t(20, 12);
        assert_eq!(offered_in_time(Some(t(1, 9)), Some(t(4, 9)), now), Some(true));
        assert_eq!(offered_in_time(Some(t(1, 9)), Some(t(4, 10)), now), Some(false));
        assert_eq!(offered_in_time(Some(t(1, 9)), None, now), Some(false));
        assert_eq!(offered_in_time(Some(t(19, 9)), None, now), None, "still within 72 hours");
        assert_eq!(offered_in_time(None, None, now), None, "still missing");
    }

    #[test]
    fn the_72_hours_are_real_hours_when_the_clocks_change() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        // Back on Friday 27 March 2026 at 10:00 GMT; the clocks go forward on the Sunday.
        let returned = at("2026-03-27T10:00");
        assert_eq!(interview_due_by(returned), at("2026-03-30T11:00"));
        assert_eq!(offered_in_time(Some(returned), Some(at("2026-03-30T10:30")), at("2026-04-01T09:00")), Some(true), "71.5 hours after");
        assert_eq!(offered_in_time(Some(returned), None, at("2026-03-30T10:30")), None, "not yet late");
        // Back on Friday 23 October 2026; the clocks go back on the Sunday.
        let returned = at("2026-10-23T10:00");
        assert_eq!(interview_due_by(returned), at("2026-10-26T09:00"));
        assert_eq!(offered_in_time(Some(returned), Some(at("2026-10-26T09:30")), at("2026-11-01T09:00")), Some(false), "72.5 hours after");
        assert_eq!(offered_in_time(Some(returned), None, at("2026-10-26T09:30")), Some(false));
        // In summer the clocks and the hours agree.
        assert_eq!(interview_due_by(at("2026-07-01T10:00")), at("2026-07-04T10:00"));
    }

    #[test]
    fn patterns_go_to_the_right_forums() {
        let rules = default_pattern_rules();
        assert_eq!(forums_for(&rules, &Findings { cse: true, ..Default::default() }, false), vec![Forum::Macse]);
        assert_eq!(
            forums_for(&rules, &Findings { organised_crime: true, placement_concern: true, ..Default::default() }, true),
            vec![Forum::GunsAndGangs, Forum::Cicola, Forum::MissingMonitoringGroup]
        );
        assert!(forums_for(&rules, &Findings::default(), false).is_empty());
    }

    #[test]
    fn pattern_rules_are_checked() {
        assert!(check_pattern_rules(&default_pattern_rules()).is_ok());
        let mut twice = default_pattern_rules();
        twice.push(PatternRule { trigger: Trigger::CseLink, forum: Forum::Macse });
        assert!(check_pattern_rules(&twice).unwrap_err().for_field("rules").unwrap().contains("twice"));
        let none: Vec<PatternRule> = default_pattern_rules().into_iter().filter(|r| r.trigger != Trigger::CseLink).collect();
        assert!(check_pattern_rules(&none).unwrap_err().for_field("trigger.cse-link").is_some());
        let mut more = default_pattern_rules();
        more.push(PatternRule { trigger: Trigger::CseLink, forum: Forum::MissingMonitoringGroup });
        assert_eq!(forums_for(&more, &Findings { cse: true, ..Default::default() }, false), vec![Forum::Macse, Forum::MissingMonitoringGroup]);
    }

    #[test]
    fn three_times_in_ninety_days() {
        let on = NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
        assert!(repeatedly_missing(&[t(1, 1), t(5, 1), t(19, 1)], on));
        assert!(!repeatedly_missing(&[t(1, 1), t(5, 1)], on));
        let old = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap().and_hms_opt(1, 0, 0).unwrap();
        assert!(!repeatedly_missing(&[old, t(5, 1), t(19, 1)], on));
    }

    #[test]
    fn a_new_episode_gives_every_problem_at_once() {
        let now = NaiveDate::from_ymd_opt(2026, 3, 20).unwrap().and_hms_opt(12, 0, 0).unwrap();
        let e = check_new_episode(&EpisodeInput { ended_at: Some(now), ..Default::default() }, &[], now).unwrap_err();
        for f in ["child", "missing_from", "start", "where_found", "risk_grading"] {
            assert!(e.for_field(f).is_some(), "{f}: {e:?}");
        }
        let start = now - Duration::hours(5);
        let ok = EpisodeInput {
            child: Some(ChildRef::Existing(4)),
            missing_from: Some(MissingFrom::Care),
            started_at: Some(start),
            risk_grading: Some(RiskGrading::High),
            ..Default::default()
        };
        assert_eq!(check_new_episode(&ok, &[], now).unwrap().span, Span { start, end: None });
        let open = Span { start: start - Duration::hours(1), end: None };
        assert!(check_new_episode(&ok, &[open], now).unwrap_err().for_field("start").unwrap().contains("already has a missing episode"));
    }

    #[test]
    fn a_return_and_an_interview_are_checked_whole() {
        let now = NaiveDate::from_ymd_opt(2026, 3, 20).unwrap().and_hms_opt(12, 0, 0).unwrap();
        let started = now - Duration::hours(10);
        let e = check_return(started, Some(started - Duration::hours(1)), "", &[], now).unwrap_err();
        assert!(e.for_field("where_found").is_some() && e.for_field("end").is_some());
        let other = Span { start: now - Duration::hours(3), end: Some(now - Duration::hours(2)) };
        assert!(
            check_return(started, Some(now - Duration::hours(1)), "Home", &[other], now).unwrap_err().for_field("end").is_some(),
            "overlap named on the end"
        );
        let e =
            check_interview(&InterviewInput { findings: Findings { cse: true, ..Default::default() }, ..Default::default() }, None, now).unwrap_err();
        for f in ["offered_at", "response", "provider", "said_about_cse"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
        let i = InterviewInput {
            offered_at: Some(now - Duration::hours(1)),
            response: Some(InterviewResponse::Declined),
            provider: "Safe Return".into(),
            ..Default::default()
        };
        assert_eq!(check_interview(&i, Some(now - Duration::hours(2)), now).unwrap().response, InterviewResponse::Declined);
    }
}
