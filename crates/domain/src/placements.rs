//! Placement notifications: looked-after children placed in the area by other
//! authorities (seed 002: 203 children from 27 authorities on one day). The risks a
//! notification declares, the routing rules that decide who must see it (held as data,
//! with the partnership's defaults), lateness, escalation of authorities that do not
//! notify, and the count of children each authority has placed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::children::{check_child_ref, ChildRef, ChosenChild};
use crate::partnership::Team;
use crate::validation::{Checked, Invalid};

/// Local authorities in England with children's services, as data.
const AUTHORITIES: &str = include_str!("../data/english_authorities.txt");

/// The authorities a placing authority is chosen from, in alphabetical order.
pub fn english_authorities() -> Vec<&'static str> {
    AUTHORITIES.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

/// The listed authority with this name (ignoring case and surrounding spaces).
pub fn authority(name: &str) -> Option<&'static str> {
    let n = name.trim().to_lowercase();
    english_authorities().into_iter().find(|a| a.to_lowercase() == n)
}

slug_enum!(
    /// The risks a placement notification declares, each answered with detail.
    Risk {
        Cse => ("cse", "Child sexual exploitation"),
        Missing => ("missing", "Going missing"),
        Offending => ("offending", "Offending"),
        OrganisedCrime => ("organised-crime", "Organised crime"),
        SubstanceMisuse => ("substance-misuse", "Substance misuse"),
        MentalHealth => ("mental-health", "Mental health"),
    }
);

/// One risk as the notification answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskAnswer {
    pub risk: Risk,
    pub present: bool,
    pub detail: String,
}

/// Every risk answered yes or no, and a yes explained: one message per unanswered risk.
pub fn check_risks(answers: &[(Risk, Option<bool>, String)]) -> Result<Vec<RiskAnswer>, Invalid> {
    let mut v = Invalid::new();
    let mut out = Vec::new();
    if answers.iter().all(|(_, a, _)| a.is_none()) {
        v.add("risks", "Answer the notification's risk questions: each risk is yes or no");
    }
    for r in Risk::ALL {
        let field = format!("risk-{}", r.slug());
        match answers.iter().find(|(k, _, _)| k == r) {
            Some((_, Some(present), detail)) => {
                if *present && detail.trim().is_empty() {
                    v.add(&format!("{field}-detail"), format!("Say what the notification tells you about the risk of {}", r.label().to_lowercase()));
                }
                out.push(RiskAnswer { risk: *r, present: *present, detail: detail.trim().to_string() });
            }
            _ => v.add(&field, format!("Answer yes or no: is there a risk of {}?", r.label().to_lowercase())),
        }
    }
    v.finish().map(|_| out)
}

/// When a routing rule applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "when", content = "risks")]
pub enum Condition {
    /// Every notification.
    Always,
    /// The notification declares at least one of these risks.
    AnyOf(Vec<Risk>),
    /// The child has gone missing before (a missing episode is known, or the missing risk is declared).
    MissingBefore,
}

/// A routing rule: when the condition holds, this team is notified and must acknowledge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRule {
    pub condition: Condition,
    /// The team's slug, kept as text so a rule naming a team that no longer exists is
    /// caught when the rules are saved.
    pub team: String,
    /// What the recipient confirms by acknowledging.
    pub acknowledge: String,
}

/// The partnership's defaults (seed 002:474-512): health and education leads always; CSE
/// risk to the police CSE unit, the missing-from-home officer and the CSE analyst;
/// offending or organised crime to the youth offending team; a history of going missing
/// to the missing-from-home officer.
pub fn default_rules() -> Vec<RoutingRule> {
    let rule = |condition: Condition, team: Team, acknowledge: &str| RoutingRule {
        condition,
        team: team.slug().to_string(),
        acknowledge: acknowledge.to_string(),
    };
    vec![
        rule(Condition::Always, Team::HealthLead, "The child's health needs are known and a health assessment is arranged"),
        rule(Condition::Always, Team::EducationLead, "A school place is confirmed or being arranged"),
        rule(Condition::AnyOf(vec![Risk::Cse]), Team::PoliceCse, "The CSE risk is recorded and the police CSE flag considered"),
        rule(Condition::AnyOf(vec![Risk::Cse]), Team::MissingFromHome, "The child is known to the missing-from-home officer"),
        rule(Condition::AnyOf(vec![Risk::Cse]), Team::CseAnalyst, "The child is considered for the MACSE panel"),
        rule(
            Condition::AnyOf(vec![Risk::Offending, Risk::OrganisedCrime]),
            Team::YouthOffending,
            "The youth offending team knows the child is in the area",
        ),
        rule(Condition::MissingBefore, Team::MissingFromHome, "Return interview arrangements are in place"),
    ]
}

/// Rules that can be saved: each names a team that exists, an acknowledgement and, for
/// a risk condition, at least one risk. Every problem is listed, by rule number.
pub fn check_rules(rules: &[RoutingRule]) -> Result<Checked<Vec<RoutingRule>>, Invalid> {
    let mut v = Invalid::new();
    if rules.is_empty() {
        v.add("rules", "Keep at least one routing rule, or every notification would reach no one");
    }
    for (i, r) in rules.iter().enumerate() {
        let n = i + 1;
        if Team::from_slug(&r.team).is_none() {
            v.add(&format!("rule-{n}-team"), format!("Rule {n} names a team that does not exist ({:?}): choose a team from the list", r.team));
        }
        if r.acknowledge.trim().is_empty() {
            v.add(&format!("rule-{n}-acknowledge"), format!("Rule {n}: say what the team confirms when it acknowledges"));
        }
        if let Condition::AnyOf(risks) = &r.condition {
            if risks.is_empty() {
                v.add(&format!("rule-{n}-risks"), format!("Rule {n}: choose at least one risk, or make it apply to every notification"));
            }
        }
    }
    v.finish()?;
    Ok(Checked::new(rules.to_vec()))
}

/// The facts a notification is routed on.
#[derive(Debug, Clone, Default)]
pub struct RoutingFacts {
    pub risks: BTreeSet<Risk>,
    /// A missing episode is already known for the child.
    pub missing_before: bool,
}

impl RoutingFacts {
    pub fn from_answers(answers: &[RiskAnswer], missing_before: bool) -> RoutingFacts {
        RoutingFacts { risks: answers.iter().filter(|a| a.present).map(|a| a.risk).collect(), missing_before }
    }
}

impl Condition {
    pub fn holds(&self, f: &RoutingFacts) -> bool {
        match self {
            Condition::Always => true,
            Condition::AnyOf(risks) => risks.iter().any(|r| f.risks.contains(r)),
            Condition::MissingBefore => f.missing_before || f.risks.contains(&Risk::Missing),
        }
    }
}

/// Who is notified, once per team, with everything each team must acknowledge.
pub fn route(rules: &[RoutingRule], facts: &RoutingFacts) -> BTreeMap<Team, Vec<String>> {
    let mut out: BTreeMap<Team, Vec<String>> = BTreeMap::new();
    for r in rules.iter().filter(|r| r.condition.holds(facts)) {
        if let Some(t) = Team::from_slug(&r.team) {
            let list = out.entry(t).or_default();
            if !list.contains(&r.acknowledge) {
                list.push(r.acknowledge.clone());
            }
        }
    }
    out
}

/// A notification is late when it arrives more than this many days after the
/// placement started (it should come before, or at the latest within days of, an
/// emergency placement).
pub const LATE_AFTER_DAYS: i64 = 5;

/// How a placement came to be known.
pub fn lateness(start: NaiveDate, received: Option<NaiveDate>) -> Timeliness {
    match received {
        None => Timeliness::NotNotified,
        Some(r) if (r - start).num_days() > LATE_AFTER_DAYS => Timeliness::Late((r - start).num_days()),
        Some(_) => Timeliness::OnTime,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Timeliness {
    OnTime,
    /// Days after the placement started.
    Late(i64),
    /// Found without a notification.
    NotNotified,
}

slug_enum!(
    /// The escalation of an authority that does not notify (seed 002).
    EscalationStep {
        DirectorContact => ("director-contact", "Contact by the Director of Children's Services"),
        Ofsted => ("ofsted", "Escalation to Ofsted"),
    }
);

/// Authorities with more placed children than the threshold are marked on the list.
pub const PLACED_THRESHOLD: usize = 5;

/// Children placed per authority, most first, each with whether it is above the threshold.
pub fn placed_counts<'a, I: IntoIterator<Item = &'a str>>(authorities: I) -> Vec<(String, usize, bool)> {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for a in authorities {
        *by.entry(a).or_default() += 1;
    }
    let mut out: Vec<(String, usize, bool)> = by.into_iter().map(|(a, n)| (a.to_string(), n, n > PLACED_THRESHOLD)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

// ---------------------------------------------------------------- checked commands

/// Everything the notification officer submits at once.
#[derive(Debug, Clone, Default)]
pub struct PlacementInput {
    pub child: Option<ChildRef>,
    pub placing_authority: String,
    /// A provider already on the list.
    pub provider_id: Option<i64>,
    /// Or a provider not yet on the list (added with the notification).
    pub new_provider: String,
    pub home: String,
    pub address: String,
    pub ward: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// When the notification arrived; `None` with `found_without_notification`.
    pub received_date: Option<NaiveDate>,
    pub found_without_notification: bool,
    /// Each risk: answered yes or no (or not at all), with detail.
    pub risks: Vec<(Risk, Option<bool>, String)>,
}

/// The provider of a placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderChoice {
    None,
    Existing(i64),
    New(String),
}

/// A placement ready to record.
#[derive(Debug, Clone)]
pub struct PlacementDetails {
    pub child: ChosenChild,
    pub authority: &'static str,
    pub provider: ProviderChoice,
    pub home: String,
    pub address: String,
    pub ward: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// `None`: found without a notification.
    pub received_date: Option<NaiveDate>,
    pub answers: Vec<RiskAnswer>,
}

/// Every rule of a placement that needs no stored record, all at once: the child named
/// (a new one valid), the placing authority one of England's, a provider chosen or
/// named (not both), each text within its length, a start (and an end not before it),
/// the date received (not in the future; none when found without a notification) and
/// every risk answered. Whether the child is in the officer's reach and the provider
/// exists is for storage to add.
pub fn check_placement(p: &PlacementInput, today: NaiveDate) -> Result<Checked<PlacementDetails>, Invalid> {
    let mut v = Invalid::new();
    let child = check_child_ref(p.child.as_ref(), &mut v);
    let authority_name = if p.placing_authority.trim().is_empty() {
        v.add("placing_authority", "Choose the placing authority: the local authority that placed the child");
        None
    } else {
        let a = authority(&p.placing_authority);
        if a.is_none() {
            v.add("placing_authority", "Choose the placing authority from the list of English local authorities");
        }
        a
    };
    let new_provider = p.new_provider.trim().to_string();
    let provider = match p.provider_id {
        Some(id) => {
            if !new_provider.is_empty() {
                v.add("new_provider", "Either choose a provider from the list or enter a new one, not both");
            }
            ProviderChoice::Existing(id)
        }
        None if new_provider.is_empty() => ProviderChoice::None,
        None => {
            v.max_len("new_provider", &new_provider, 200, "The provider's name");
            ProviderChoice::New(new_provider)
        }
    };
    v.max_len("home", p.home.trim(), 200, "The home's name");
    v.max_len("address", p.address.trim(), 500, "The address");
    v.max_len("ward", p.ward.trim(), 100, "The ward");
    match p.start_date {
        None => v.add("start_date", "Enter the date the placement started"),
        Some(s) => {
            if p.end_date.is_some_and(|e| e < s) {
                v.add("end_date", "The placement cannot end before it started: check the start and end dates");
            }
        }
    }
    match (p.received_date, p.found_without_notification) {
        (None, false) => {
            v.add("received_date", "Enter the date the notification was received, or say the placement was found without a notification")
        }
        (Some(_), true) => v.add("received_date", "Leave the date received blank for a placement found without a notification"),
        (Some(r), false) if r > today => v.add("received_date", "The date the notification was received cannot be in the future"),
        _ => {}
    }
    let answers = match check_risks(&p.risks) {
        Ok(a) => Some(a),
        Err(e) => {
            v.absorb(e);
            None
        }
    };
    for (r, _, detail) in &p.risks {
        v.max_len(&format!("risk-{}-detail", r.slug()), detail.trim(), 5000, "The detail");
    }
    v.finish()?;
    let (Some(child), Some(authority), Some(start_date), Some(answers)) = (child, authority_name, p.start_date, answers) else {
        return Err(Invalid::single("child", "Check the placement: a part of it is missing"));
    };
    Ok(Checked::new(PlacementDetails {
        child,
        authority,
        provider,
        home: p.home.trim().to_string(),
        address: p.address.trim().to_string(),
        ward: p.ward.trim().to_string(),
        start_date,
        end_date: p.end_date,
        received_date: if p.found_without_notification { None } else { p.received_date },
        answers,
    }))
}

/// A step taken against a placing authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEscalation {
    pub authority: &'static str,
    pub step: EscalationStep,
    pub step_date: NaiveDate,
    pub note: String,
}

/// The authority one of England's, a step, its date (not in the future), a note of at
/// most 5,000 characters.
pub fn check_escalation(
    name: &str,
    step: Option<EscalationStep>,
    step_date: Option<NaiveDate>,
    note: &str,
    today: NaiveDate,
) -> Result<Checked<NewEscalation>, Invalid> {
    let Some(authority) = authority(name) else {
        return Err(Invalid::single("authority", "Choose the placing authority from the list of English local authorities"));
    };
    let mut v = Invalid::new();
    if step.is_none() {
        v.add("step", "Choose the escalation step");
    }
    match step_date {
        None => v.add("step_date", "Enter the date of the escalation step"),
        Some(d) if d > today => v.add("step_date", "The date of the escalation step cannot be in the future"),
        _ => {}
    }
    let note = note.trim().to_string();
    v.max_len("note", &note, 5000, "The note");
    v.finish()?;
    let (Some(step), Some(step_date)) = (step, step_date) else { return Err(Invalid::single("step", "Choose the escalation step and its date")) };
    Ok(Checked::new(NewEscalation { authority, step, step_date, note }))
}

/// A provider's name: required, at most 200 characters (whether it is already on the
/// list is for storage to add).
pub fn check_provider_name(name: &str) -> Result<Checked<String>, Invalid> {
    let mut v = Invalid::new();
    let name = v.required("name", name, "Enter the provider's name");
    v.max_len("name", &name, 200, "The provider's name");
    v.finish()?;
    Ok(Checked::new(name))
}

/// A concern about a provider or one of its homes, as typed.
#[derive(Debug, Clone, Default)]
pub struct ProviderConcernInput {
    pub provider_id: Option<i64>,
    pub home: String,
    pub raised_on: Option<NaiveDate>,
    pub concern: String,
    pub action: String,
    pub ofsted_referral_date: Option<NaiveDate>,
}

impl ProviderConcernInput {
    pub const FIELDS: &'static [&'static str] = &["provider_id", "home", "raised_on", "concern", "action", "ofsted_referral_date"];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProviderConcern {
    pub provider_id: i64,
    pub home: String,
    pub raised_on: NaiveDate,
    pub concern: String,
    pub action: String,
    pub ofsted_referral_date: Option<NaiveDate>,
}

/// A provider chosen, the date raised (not in the future), the concern (required) and
/// the action (each at most 10,000 characters), a referral to Ofsted not before the
/// concern nor in the future. Whether the provider exists is for storage to add.
pub fn check_provider_concern(c: &ProviderConcernInput, today: NaiveDate) -> Result<Checked<NewProviderConcern>, Invalid> {
    let mut v = Invalid::new();
    if c.provider_id.is_none() {
        v.add("provider_id", "Choose the provider the concern is about");
    }
    v.max_len("home", c.home.trim(), 200, "The home's name");
    match c.raised_on {
        None => v.add("raised_on", "Enter the date the concern was raised"),
        Some(d) if d > today => v.add("raised_on", "The date the concern was raised cannot be in the future"),
        _ => {}
    }
    let concern = v.required("concern", &c.concern, "Describe the concern about the provider or home");
    v.max_len("concern", &concern, 10_000, "The concern");
    v.max_len("action", c.action.trim(), 10_000, "The action");
    if let (Some(r), Some(o)) = (c.raised_on, c.ofsted_referral_date) {
        if o < r {
            v.add("ofsted_referral_date", "The referral to Ofsted cannot be before the concern was raised");
        }
    }
    if c.ofsted_referral_date.is_some_and(|o| o > today) {
        v.add("ofsted_referral_date", "The date of the referral to Ofsted cannot be in the future");
    }
    v.finish()?;
    let (Some(provider_id), Some(raised_on)) = (c.provider_id, c.raised_on) else {
        return Err(Invalid::single("provider_id", "Choose the provider the concern is about and the date it was raised"));
    };
    Ok(Checked::new(NewProviderConcern {
        provider_id,
        home: c.home.trim().to_string(),
        raised_on,
        concern,
        action: c.action.trim().to_string(),
        ofsted_referral_date: c.ofsted_referral_date,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn facts(risks: &[Risk], missing_before: bool) -> RoutingFacts {
        RoutingFacts { risks: risks.iter().copied().collect(), missing_before }
    }

    fn teams(f: &RoutingFacts) -> BTreeSet<Team> {
        route(&default_rules(), f).into_keys().collect()
    }

    #[test]
    fn the_authorities_are_the_english_list() {
        let all = english_authorities();
        assert_eq!(all.len(), 153);
        assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 153, "no duplicates");
        assert_eq!(authority("  sefton "), Some("Sefton"));
        assert_eq!(authority("Knowsley"), Some("Knowsley"));
        assert_eq!(authority("Gotham"), None);
    }

    /// Every default rule: each combination of risks and history reaches exactly the
    /// teams the partnership's rules name, and no one else.
    #[test]
    fn each_condition_reaches_exactly_the_right_teams() {
        for mask in 0u32..(1 << Risk::ALL.len()) {
            for missing_before in [false, true] {
                let risks: Vec<Risk> = Risk::ALL.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| *r).collect();
                let f = facts(&risks, missing_before);
                let mut want: BTreeSet<Team> = [Team::HealthLead, Team::EducationLead].into();
                if risks.contains(&Risk::Cse) {
                    want.extend([Team::PoliceCse, Team::MissingFromHome, Team::CseAnalyst]);
                }
                if risks.contains(&Risk::Offending) || risks.contains(&Risk::OrganisedCrime) {
                    want.insert(Team::YouthOffending);
                }
                if missing_before || risks.contains(&Risk::Missing) {
                    want.insert(Team::MissingFromHome);
                }
                assert_eq!(teams(&f), want, "{risks:?} missing before: {missing_before}");
            }
        }
    }

    #[test]
    fn a_team_reached_by_two_rules_is_notified_once_with_both_things_to_acknowledge() {
        let r = route(&default_rules(), &facts(&[Risk::Cse, Risk::Missing], false));
        assert_eq!(r[&Team::MissingFromHome].len(), 2);
    }

    #[test]
    fn rules_naming_a_missing_team_or_nothing_to_acknowledge_are_refused() {
        let mut rules = default_rules();
        rules[1].team = "virtual-school-old".into();
        rules[2].acknowledge = " ".into();
        rules.push(RoutingRule { condition: Condition::AnyOf(vec![]), team: "mash".into(), acknowledge: "x".into() });
        let err = check_rules(&rules).unwrap_err();
        assert!(err.for_field("rule-2-team").unwrap().contains("does not exist"));
        assert!(err.for_field("rule-3-acknowledge").is_some());
        assert!(err.for_field("rule-8-risks").is_some());
        assert!(check_rules(&default_rules()).is_ok());
        assert!(check_rules(&[]).is_err());
    }

    #[test]
    fn a_notification_answers_every_risk_and_explains_each_yes() {
        let err = check_risks(&[]).unwrap_err();
        assert!(err.for_field("risks").is_some());
        let mut answers: Vec<(Risk, Option<bool>, String)> = Risk::ALL.iter().map(|r| (*r, Some(false), String::new())).collect();
        answers[0] = (Risk::Cse, Some(true), "".into());
        answers[5].1 = None;
        let err = check_risks(&answers).unwrap_err();
        assert!(err.for_field("risk-cse-detail").is_some());
        assert!(err.for_field("risk-mental-health").is_some());
        answers[0].2 = "Seen with older males".into();
        answers[5].1 = Some(false);
        let ok = check_risks(&answers).unwrap();
        assert_eq!(RoutingFacts::from_answers(&ok, false).risks, [Risk::Cse].into());
    }

    #[test]
    fn late_and_missing_notifications() {
        assert_eq!(lateness(d(2026, 3, 1), Some(d(2026, 2, 25))), Timeliness::OnTime);
        assert_eq!(lateness(d(2026, 3, 1), Some(d(2026, 3, 6))), Timeliness::OnTime);
        assert_eq!(lateness(d(2026, 3, 1), Some(d(2026, 3, 7))), Timeliness::Late(6));
        assert_eq!(lateness(d(2026, 3, 1), None), Timeliness::NotNotified);
    }

    #[test]
    fn authorities_above_five_placed_children_are_marked() {
        let mut placed = vec!["Knowsley"; 6];
        placed.extend(["Liverpool"; 5]);
        placed.push("Wirral");
        let counts = placed_counts(placed);
        assert_eq!(counts[0], ("Knowsley".into(), 6, true));
        assert_eq!(counts[1], ("Liverpool".into(), 5, false));
        assert_eq!(counts[2], ("Wirral".into(), 1, false));
    }

    #[test]
    fn a_placement_gives_every_problem_at_once() {
        let p = PlacementInput {
            placing_authority: "Gotham".into(),
            provider_id: Some(1),
            new_provider: "Also this".into(),
            start_date: Some(d(2026, 3, 10)),
            end_date: Some(d(2026, 3, 1)),
            received_date: Some(d(2026, 12, 1)),
            ..Default::default()
        };
        let e = check_placement(&p, d(2026, 3, 20)).unwrap_err();
        for f in ["child", "placing_authority", "new_provider", "end_date", "received_date", "risks"] {
            assert!(e.for_field(f).is_some(), "{f}: {e:?}");
        }
    }

    #[test]
    fn a_placement_found_without_a_notification_has_no_date_received() {
        let p = PlacementInput {
            child: Some(ChildRef::Existing(7)),
            placing_authority: "knowsley".into(),
            new_provider: " Harbour Homes ".into(),
            start_date: Some(d(2026, 3, 1)),
            found_without_notification: true,
            risks: Risk::ALL.iter().map(|r| (*r, Some(false), String::new())).collect(),
            ..Default::default()
        };
        let ok = check_placement(&p, d(2026, 3, 20)).unwrap();
        assert_eq!((ok.authority, ok.received_date, ok.provider.clone()), ("Knowsley", None, ProviderChoice::New("Harbour Homes".into())));
        let late = PlacementInput { received_date: Some(d(2026, 3, 2)), ..p };
        assert!(check_placement(&late, d(2026, 3, 20)).unwrap_err().for_field("received_date").is_some());
    }

    #[test]
    fn escalations_and_provider_concerns_are_checked_whole() {
        assert!(check_escalation("Gotham", None, None, "", d(2026, 3, 1)).unwrap_err().for_field("authority").is_some());
        let e = check_escalation("Knowsley", None, Some(d(2026, 4, 1)), "", d(2026, 3, 1)).unwrap_err();
        assert!(e.for_field("step").is_some() && e.for_field("step_date").is_some());
        let e = check_provider_concern(
            &ProviderConcernInput { raised_on: Some(d(2026, 3, 2)), ofsted_referral_date: Some(d(2026, 3, 1)), ..Default::default() },
            d(2026, 3, 20),
        )
        .unwrap_err();
        for f in ["provider_id", "concern", "ofsted_referral_date"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
        assert!(check_provider_name(" ").is_err());
    }
}
