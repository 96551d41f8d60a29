//! A child's chronology (issue 21; DOMAIN.md §5): every dated event of the child's
//! record, from every part of the pathway, in one list. Storage builds the entries from
//! the records themselves (there is no second copy to drift) and already cut to the
//! reader; this module orders and filters them, pages them, and runs the pattern rules
//! — held as data — that raise flags people miss when each agency holds part of the
//! picture.
//!
//! A flag is raised from the entries given to [`evaluate`]; storage gives it only the
//! entries the reader may see, so a flag is never shown to someone who may not see
//! every entry behind it.
//!
//! "The same adult or location named in concerns from two agencies" is not a rule here:
//! the records hold where and by whom a concern was seen only as free text
//! (`referrals.seen_where`, `referrals.seen_by`), not as structured people or places,
//! and matching free text would raise flags nobody could trust.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::missing::InterviewResponse;
use crate::partnership::Section;
use crate::screening::RiskLevel;

slug_enum!(
    /// What happened, as the chronology lists it.
    EntryKind {
        Concern => ("concern", "Concern raised and screened"),
        MaracReferral => ("marac-referral", "MARAC referral"),
        MashCheck => ("mash-check", "MASH check"),
        MashDecision => ("mash-decision", "MASH decision"),
        FollowOn => ("follow-on", "Decision after a contact's checks"),
        ReturnedToSpoc => ("returned-to-spoc", "Returned to the SPOC"),
        StrategyMeeting => ("strategy-meeting", "Strategy meeting"),
        Section47 => ("section-47", "Section 47 enquiry"),
        Conference => ("conference", "Child protection conference"),
        ReviewConference => ("review-conference", "Review child protection conference"),
        PanelSlot => ("panel-slot", "MACSE panel slot"),
        PlanVersion => ("plan-version", "MACSE plan version"),
        PlanAction => ("plan-action", "Plan action due"),
        PoliceFlag => ("police-flag", "Police CSE flag"),
        Operation => ("operation", "Police operation"),
        Placement => ("placement", "Placement"),
        Notification => ("notification", "Placement notification received"),
        MissingEpisode => ("missing-episode", "Went missing"),
        Return => ("return", "Returned from missing"),
        ReturnInterview => ("return-interview", "Return interview"),
        BreakGlass => ("break-glass", "Emergency (break-glass) access"),
    }
);

impl EntryKind {
    /// The position of kinds that happened at the same moment: the order of the pathway.
    fn rank(self) -> usize {
        EntryKind::ALL.iter().position(|k| *k == self).unwrap_or(usize::MAX)
    }
}

/// The structured facts pattern rules read. Only what the records hold as fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// A screening's CSE 2 level (concerns that carry a screening).
    pub risk_level: Option<RiskLevel>,
    /// The CSE 2 categories answered yes at that screening.
    pub categories: Vec<String>,
    /// A return interview's answer.
    pub interview: Option<InterviewResponse>,
    /// A placement notification's answer to the CSE risk question.
    pub cse_risk: Option<bool>,
}

/// A significant-event mark on an entry: the latest version of its note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Significance {
    pub note: String,
    pub version: i64,
    pub marked_by: String,
    pub marked_at: String,
    /// `false` once a later version took the mark off (the note says why).
    pub significant: bool,
}

/// One dated event of the child's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub kind: EntryKind,
    /// The id of the record the entry is built from (unique with the kind).
    pub record_id: i64,
    /// When it happened: a moment, or a date at midnight when only the date is held.
    pub at: NaiveDateTime,
    /// Only the date is held (show no time).
    pub date_only: bool,
    pub agency_id: Option<i64>,
    pub agency: String,
    pub summary: String,
    /// Where the record is, inside Assure.
    pub link: String,
    /// The part of the record the entry belongs to (who may see it).
    pub section: Section,
    pub facts: Facts,
    pub significance: Option<Significance>,
}

impl Entry {
    /// The key a significant-event mark is held under.
    pub fn key(&self) -> EntryKey {
        EntryKey { kind: self.kind, record_id: self.record_id }
    }
    pub fn date(&self) -> NaiveDate {
        self.at.date()
    }
    pub fn is_significant(&self) -> bool {
        self.significance.as_ref().is_some_and(|s| s.significant)
    }
}

/// An entry's identity: its kind and the id of its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntryKey {
    pub kind: EntryKind,
    pub record_id: i64,
}

/// Oldest or newest first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Order {
    #[default]
    NewestFirst,
    OldestFirst,
}

impl Order {
    pub fn slug(self) -> &'static str {
        match self {
            Order::NewestFirst => "newest-first",
            Order::OldestFirst => "oldest-first",
        }
    }
    pub fn from_slug(s: &str) -> Option<Order> {
        [Order::NewestFirst, Order::OldestFirst].into_iter().find(|o| o.slug() == s)
    }
}

/// Put entries in time order (ties: the pathway's order of kinds, then the record id),
/// oldest first; newest first is exactly the reverse.
pub fn sort(entries: &mut [Entry], order: Order) {
    entries.sort_by_key(|a| (a.at, a.kind.rank(), a.record_id));
    if order == Order::NewestFirst {
        entries.reverse();
    }
}

/// What a reader asked to see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Empty: every kind.
    pub kinds: Vec<EntryKind>,
    pub agency_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub significant_only: bool,
    pub order: Order,
}

impl Filter {
    pub fn admits(&self, e: &Entry) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&e.kind))
            && self.agency_id.is_none_or(|a| e.agency_id == Some(a))
            && self.from.is_none_or(|d| e.date() >= d)
            && self.to.is_none_or(|d| e.date() <= d)
            && (!self.significant_only || e.is_significant())
    }

    /// A period that ends before it starts, said so a person can fix it.
    pub fn problem(&self) -> Option<&'static str> {
        match (self.from, self.to) {
            (Some(f), Some(t)) if t < f => Some("The end of the period must be the same as or after its start"),
            _ => None,
        }
    }
}

/// The entries the filter admits, in its order.
pub fn apply(entries: Vec<Entry>, filter: &Filter) -> Vec<Entry> {
    let mut out: Vec<Entry> = entries.into_iter().filter(|e| filter.admits(e)).collect();
    sort(&mut out, filter.order);
    out
}

/// One page of entries, counted from 1; a page past the end is empty.
pub fn page(entries: &[Entry], page: usize, per_page: usize) -> &[Entry] {
    let per_page = per_page.max(1);
    let start = page.max(1).saturating_sub(1).saturating_mul(per_page);
    if start >= entries.len() {
        return &[];
    }
    &entries[start..(start + per_page).min(entries.len())]
}

/// A pattern rule, held as data (the partnership can change the numbers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "rule")]
pub enum PatternRule {
    /// At least `at_least` missing episodes starting within any `within_days` days.
    RepeatedMissing { at_least: usize, within_days: i64 },
    /// At least `at_least` return interviews declined.
    InterviewsDeclined { at_least: usize },
    /// A placement from another authority, starting within the last `within_days`
    /// days, whose notification declared a CSE risk.
    NewPlacementWithCseRisk { within_days: i64 },
    /// The screening's risk level rose at each of the last `rises` screenings.
    RiskRising { rises: usize },
}

impl PatternRule {
    /// The rule as a sentence, for the flag.
    pub fn describe(&self) -> String {
        match self {
            PatternRule::RepeatedMissing { at_least, within_days } => format!("{at_least} or more missing episodes within {within_days} days"),
            PatternRule::InterviewsDeclined { at_least } => format!("A return interview declined {at_least} or more times"),
            PatternRule::NewPlacementWithCseRisk { within_days } => {
                format!("A placement from another authority in the last {within_days} days, notified with a CSE risk")
            }
            PatternRule::RiskRising { rises } => format!("The CSE 2 risk level rose at each of the last {rises} screenings"),
        }
    }
}

/// The rules Assure starts with (issue 21).
pub fn default_rules() -> Vec<PatternRule> {
    vec![
        PatternRule::RepeatedMissing { at_least: 3, within_days: 90 },
        PatternRule::InterviewsDeclined { at_least: 2 },
        PatternRule::NewPlacementWithCseRisk { within_days: 90 },
        PatternRule::RiskRising { rises: 2 },
    ]
}

/// A pattern a rule found, with the entries behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub rule: PatternRule,
    pub description: String,
    pub entries: Vec<EntryKey>,
}

/// Run each rule over the entries (any order). `today` from the domain clock.
pub fn evaluate(rules: &[PatternRule], entries: &[Entry], today: NaiveDate) -> Vec<Flag> {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by_key(|a| (a.at, a.kind.rank(), a.record_id));
    let of_kind = |k: EntryKind| sorted.iter().copied().filter(move |e| e.kind == k);
    let mut flags = Vec::new();
    for rule in rules {
        let behind: Vec<&Entry> = match rule {
            PatternRule::RepeatedMissing { at_least, within_days } => {
                let eps: Vec<&Entry> = of_kind(EntryKind::MissingEpisode).collect();
                // The window with the most episodes, the latest one on ties.
                let mut best: &[&Entry] = &[];
                for i in 0..eps.len() {
                    let end = eps[i].at + Duration::days(*within_days);
                    let j = eps[i..].iter().take_while(|e| e.at < end).count();
                    if j >= best.len() && j >= *at_least {
                        best = &eps[i..i + j];
                    }
                }
                best.to_vec()
            }
            PatternRule::InterviewsDeclined { at_least } => {
                let d: Vec<&Entry> = of_kind(EntryKind::ReturnInterview).filter(|e| e.facts.interview == Some(InterviewResponse::Declined)).collect();
                if d.len() >= *at_least {
                    d
                } else {
                    vec![]
                }
            }
            PatternRule::NewPlacementWithCseRisk { within_days } => of_kind(EntryKind::Placement)
                .filter(|e| e.facts.cse_risk == Some(true) && e.date() <= today && (today - e.date()).num_days() < *within_days)
                .collect(),
            PatternRule::RiskRising { rises } => {
                let s: Vec<&Entry> = sorted.iter().copied().filter(|e| e.facts.risk_level.is_some()).collect();
                if *rises == 0 || s.len() < rises + 1 {
                    vec![]
                } else {
                    let last = &s[s.len() - rises - 1..];
                    if last.windows(2).all(|w| w[1].facts.risk_level > w[0].facts.risk_level) {
                        last.to_vec()
                    } else {
                        vec![]
                    }
                }
            }
        };
        if !behind.is_empty() {
            flags.push(Flag { rule: rule.clone(), description: rule.describe(), entries: behind.iter().map(|e| e.key()).collect() });
        }
    }
    flags
}

/// Only the flags every entry of which is among `visible` (a flag raised from one
/// reader's entries, shown to another, must pass this).
pub fn visible_flags(flags: Vec<Flag>, visible: &[Entry]) -> Vec<Flag> {
    let keys: BTreeSet<EntryKey> = visible.iter().map(Entry::key).collect();
    flags.into_iter().filter(|f| f.entries.iter().all(|k| keys.contains(k))).collect()
}

/// A significant-event note: short, and not empty when marking.
pub fn check_note(note: &str, significant: bool) -> Result<String, &'static str> {
    let n = note.trim();
    if significant && n.is_empty() {
        return Err("Say why the event is significant");
    }
    if !significant && n.is_empty() {
        return Err("Say why the event is no longer significant");
    }
    if n.chars().count() > 1000 {
        return Err("The note must be 1,000 characters or fewer");
    }
    Ok(n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: &str) -> NaiveDateTime {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap().and_hms_opt(9, 0, 0).unwrap()
    }
    fn entry(kind: EntryKind, id: i64, d: &str) -> Entry {
        Entry {
            kind,
            record_id: id,
            at: at(d),
            date_only: false,
            agency_id: Some(id % 3),
            agency: String::new(),
            summary: String::new(),
            link: String::new(),
            section: Section::Missing,
            facts: Facts::default(),
            significance: None,
        }
    }
    fn missing(id: i64, d: &str) -> Entry {
        entry(EntryKind::MissingEpisode, id, d)
    }
    fn interview(id: i64, d: &str, r: InterviewResponse) -> Entry {
        Entry { facts: Facts { interview: Some(r), ..Facts::default() }, ..entry(EntryKind::ReturnInterview, id, d) }
    }
    fn screening(id: i64, d: &str, l: RiskLevel) -> Entry {
        Entry { facts: Facts { risk_level: Some(l), ..Facts::default() }, ..entry(EntryKind::Concern, id, d) }
    }
    fn placement(id: i64, d: &str, cse: bool) -> Entry {
        Entry { facts: Facts { cse_risk: Some(cse), ..Facts::default() }, ..entry(EntryKind::Placement, id, d) }
    }
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
    }

    #[test]
    fn each_rule_fires_on_its_events_and_not_on_near_misses() {
        use InterviewResponse::*;
        use RiskLevel::*;
        type Case = (&'static str, PatternRule, Vec<Entry>, Option<Vec<i64>>);
        let cases: Vec<Case> = vec![
            (
                "three missing in 90 days",
                default_rules()[0].clone(),
                vec![missing(1, "2026-01-01"), missing(2, "2026-02-01"), missing(3, "2026-03-31")],
                Some(vec![1, 2, 3]),
            ),
            (
                "three missing over 90 days",
                default_rules()[0].clone(),
                vec![missing(1, "2026-01-01"), missing(2, "2026-02-01"), missing(3, "2026-04-01")],
                None,
            ),
            ("two missing", default_rules()[0].clone(), vec![missing(1, "2026-01-01"), missing(2, "2026-01-02")], None),
            (
                "four missing, the tightest window wins",
                default_rules()[0].clone(),
                vec![missing(1, "2025-01-01"), missing(2, "2026-01-01"), missing(3, "2026-01-02"), missing(4, "2026-01-03")],
                Some(vec![2, 3, 4]),
            ),
            (
                "declined twice",
                default_rules()[1].clone(),
                vec![interview(1, "2026-01-01", Declined), interview(2, "2026-03-01", Declined)],
                Some(vec![1, 2]),
            ),
            (
                "declined once, accepted once",
                default_rules()[1].clone(),
                vec![interview(1, "2026-01-01", Declined), interview(2, "2026-03-01", Accepted)],
                None,
            ),
            ("new placement with CSE risk", default_rules()[2].clone(), vec![placement(7, "2026-06-01", true)], Some(vec![7])),
            ("new placement without CSE risk", default_rules()[2].clone(), vec![placement(7, "2026-06-01", false)], None),
            ("old placement with CSE risk", default_rules()[2].clone(), vec![placement(7, "2026-04-01", true)], None),
            ("future placement with CSE risk", default_rules()[2].clone(), vec![placement(7, "2026-07-10", true)], None),
            (
                "risk rose twice",
                default_rules()[3].clone(),
                vec![screening(1, "2026-01-01", Low), screening(2, "2026-02-01", Medium), screening(3, "2026-03-01", High)],
                Some(vec![1, 2, 3]),
            ),
            (
                "risk rose, then held",
                default_rules()[3].clone(),
                vec![screening(1, "2026-01-01", Low), screening(2, "2026-02-01", High), screening(3, "2026-03-01", High)],
                None,
            ),
            (
                "risk rose once, fell before",
                default_rules()[3].clone(),
                vec![screening(1, "2026-01-01", High), screening(2, "2026-02-01", Low), screening(3, "2026-03-01", Medium)],
                None,
            ),
            ("two screenings only", default_rules()[3].clone(), vec![screening(1, "2026-01-01", Low), screening(2, "2026-02-01", High)], None),
        ];
        for (name, rule, entries, want) in cases {
            let flags = evaluate(std::slice::from_ref(&rule), &entries, today());
            let got = flags.first().map(|f| f.entries.iter().map(|k| k.record_id).collect::<Vec<_>>());
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn rules_are_data() {
        let json = serde_json::to_string(&default_rules()).unwrap();
        assert!(json.contains(r#"{"rule":"repeated-missing","at_least":3,"within_days":90}"#), "{json}");
        let back: Vec<PatternRule> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, default_rules());
        let stricter: Vec<PatternRule> = serde_json::from_str(r#"[{"rule":"repeated-missing","at_least":2,"within_days":30}]"#).unwrap();
        let two = [missing(1, "2026-01-01"), missing(2, "2026-01-20")];
        assert_eq!(evaluate(&stricter, &two, today()).len(), 1);
        assert!(evaluate(&default_rules(), &two, today()).is_empty());
    }

    #[test]
    fn a_flag_needs_every_entry_behind_it_visible() {
        let all = vec![missing(1, "2026-01-01"), missing(2, "2026-01-02"), missing(3, "2026-01-03")];
        let flags = evaluate(&default_rules(), &all, today());
        assert_eq!(flags.len(), 1);
        assert_eq!(visible_flags(flags.clone(), &all).len(), 1);
        assert!(visible_flags(flags, &all[..2]).is_empty());
    }

    #[test]
    fn order_filter_and_pages() {
        let mut es = vec![
            entry(EntryKind::Return, 5, "2026-01-02"),
            entry(EntryKind::MissingEpisode, 9, "2026-01-02"),
            entry(EntryKind::Concern, 1, "2026-01-01"),
            entry(EntryKind::Placement, 2, "2026-03-01"),
        ];
        sort(&mut es, Order::OldestFirst);
        let ids: Vec<i64> = es.iter().map(|e| e.record_id).collect();
        assert_eq!(ids, vec![1, 9, 5, 2], "same moment: the pathway's order of kinds");
        sort(&mut es, Order::NewestFirst);
        assert_eq!(es.iter().map(|e| e.record_id).collect::<Vec<_>>(), vec![2, 5, 9, 1]);

        let cases: Vec<(&str, Filter, Vec<i64>)> = vec![
            ("everything, newest first", Filter::default(), vec![2, 5, 9, 1]),
            ("one kind", Filter { kinds: vec![EntryKind::Concern], ..Filter::default() }, vec![1]),
            (
                "two kinds, oldest first",
                Filter { kinds: vec![EntryKind::Placement, EntryKind::Return], order: Order::OldestFirst, ..Filter::default() },
                vec![5, 2],
            ),
            ("agency", Filter { agency_id: Some(2), ..Filter::default() }, vec![2, 5]),
            (
                "period, both ends in",
                Filter { from: NaiveDate::from_ymd_opt(2026, 1, 2), to: NaiveDate::from_ymd_opt(2026, 1, 2), ..Filter::default() },
                vec![5, 9],
            ),
            ("significant only, none", Filter { significant_only: true, ..Filter::default() }, vec![]),
        ];
        for (name, f, want) in cases {
            assert_eq!(apply(es.clone(), &f).iter().map(|e| e.record_id).collect::<Vec<_>>(), want, "{name}");
        }
        let mut marked = es.clone();
        marked[3].significance = Some(Significance { note: "n".into(), version: 1, marked_by: "x".into(), marked_at: "t".into(), significant: true });
        marked[2].significance =
            Some(Significance { note: "n".into(), version: 2, marked_by: "x".into(), marked_at: "t".into(), significant: false });
        let f = Filter { significant_only: true, ..Filter::default() };
        assert_eq!(apply(marked, &f).iter().map(|e| e.record_id).collect::<Vec<_>>(), vec![1]);

        let bad = Filter { from: NaiveDate::from_ymd_opt(2026, 2, 1), to: NaiveDate::from_ymd_opt(2026, 1, 1), ..Filter::default() };
        assert!(bad.problem().is_some());

        assert_eq!(page(&es, 1, 3).len(), 3);
        assert_eq!(page(&es, 2, 3).len(), 1);
        assert!(page(&es, 3, 3).is_empty());
        assert_eq!(page(&es, 0, 3).len(), 3, "page 0 is the first page");
    }

    #[test]
    fn notes() {
        assert!(check_note("  ", true).is_err());
        assert!(check_note("", false).is_err());
        assert_eq!(check_note(" third episode with the same older male ", true).unwrap(), "third episode with the same older male");
        assert!(check_note(&"x".repeat(1001), true).is_err());
    }
}
