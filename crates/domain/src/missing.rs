//! Missing episodes and return interviews (seed 002:417-427; DOMAIN.md §5). Going
//! missing from home, care or education is the strongest warning sign of exploitation:
//! every episode is recorded, every return gets an independent interview (statutory
//! guidance expects it offered within 72 hours), and patterns are routed to the
//! missing monitoring group, MACSE, the guns-and-gangs meeting or the CICOLA sub-group
//! by rules held as data.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::validation::Invalid;

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
    pub fn hours(&self, now: NaiveDateTime) -> i64 {
        (self.end.unwrap_or(now) - self.start).num_hours().max(0)
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

/// Whether the interview was offered in time (`None` while the child is missing or no
/// offer is recorded and the 72 hours have not yet passed).
pub fn offered_in_time(returned: Option<NaiveDateTime>, offered: Option<NaiveDateTime>, now: NaiveDateTime) -> Option<bool> {
    let returned = returned?;
    let deadline = returned + Duration::hours(INTERVIEW_WITHIN_HOURS);
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
pub fn check_pattern_rules(rules: &[PatternRule]) -> Result<(), Invalid> {
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
    v.finish()
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
}
