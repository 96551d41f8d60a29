//! The key-decision forward plan (DOMAIN.md §3; seed 004): the items, the rule that a
//! key decision is taken only after 28 clear days' notice on a published plan (or under
//! the general exception or special urgency), what changed between two published plans,
//! and the fingerprint that freezes a publication.
//!
//! Clear days exclude the day of publication and the day of the decision. The 28 days'
//! notice counts every calendar day between them; the general exception's 5 clear days
//! are working days (weekends and England and Wales bank holidays, held as data in
//! [`crate::working_days`], do not count). Plain types and rules; "today" is passed in.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::dates::long;
use crate::validation::{Checked, Invalid};
use crate::working_days::{add_working_days, is_working_day, working_days_between};

/// Clear days of notice a key decision needs on a published plan.
pub const NOTICE_CLEAR_DAYS: i64 = 28;
/// Clear working days between the general exception notice and the decision.
pub const GENERAL_EXCEPTION_CLEAR_DAYS: u32 = 5;
/// A key decision's financial threshold when the department's budget gives a smaller
/// one (£100,000).
pub const FINANCIAL_THRESHOLD_POUNDS: i64 = 100_000;

slug_enum!(
    /// Who takes the decision.
    DecisionMaker {
        Cabinet => ("cabinet", "Cabinet"),
        CabinetMember => ("cabinet-member", "A Cabinet Member"),
        Officer => ("officer", "An officer under delegated powers"),
    }
);

slug_enum!(
    /// Where an item is.
    ItemStatus {
        Open => ("open", "Planned"),
        Taken => ("taken", "Decision taken"),
        Withdrawn => ("withdrawn", "Withdrawn"),
    }
);

/// The days strictly between `from` and `to`: neither the day of publication nor the
/// day of the decision counts.
pub fn clear_days(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days() - 1
}

/// The working days strictly between `from` and `to` (no weekend, no bank holiday,
/// neither end).
pub fn clear_working_days(from: NaiveDate, to: NaiveDate) -> i64 {
    if to <= from {
        return 0;
    }
    working_days_between(from, to) - i64::from(is_working_day(to))
}

/// The first day a key decision on a plan published on `published` can be taken: after
/// 28 clear days.
pub fn first_day_with_notice(published: NaiveDate) -> NaiveDate {
    published + Duration::days(NOTICE_CLEAR_DAYS + 1)
}

/// The first day a decision can be taken under the general exception whose notice was
/// published on `notice`: after 5 clear working days.
pub fn first_day_under_general_exception(notice: NaiveDate) -> NaiveDate {
    add_working_days(notice, GENERAL_EXCEPTION_CLEAR_DAYS) + Duration::days(1)
}

/// The financial threshold of a key decision: £100,000 or 2% of the department's
/// budget, whichever is greater.
pub fn financial_threshold(department_budget_pounds: Option<i64>) -> i64 {
    department_budget_pounds.map_or(FINANCIAL_THRESHOLD_POUNDS, |b| (b / 50).max(FINANCIAL_THRESHOLD_POUNDS))
}

/// An exception to the 28 days' notice, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Exception {
    /// Notice given to the chair of the relevant scrutiny committee and published; the
    /// decision then waits 5 clear working days.
    GeneralException { chair_notified: NaiveDate, notice_published: NaiveDate },
    /// The chair agreed that the decision is urgent and cannot reasonably be deferred.
    SpecialUrgency { chair: String, agreed: NaiveDate, reason: String },
}

/// How a key decision was (or may be) lawfully taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "under")]
pub enum TakenUnder {
    /// Not a key decision: no notice needed.
    NotKey,
    /// 28 clear days' notice on the plan published that day.
    Notice {
        published: NaiveDate,
    },
    GeneralException {
        notice_published: NaiveDate,
    },
    SpecialUrgency {
        chair: String,
    },
}

impl TakenUnder {
    pub fn describe(&self) -> String {
        match self {
            TakenUnder::NotKey => "Not a key decision".into(),
            TakenUnder::Notice { published } => format!("28 clear days' notice on the plan published {}", long(*published)),
            TakenUnder::GeneralException { notice_published } => {
                format!("The general exception (notice published {})", long(*notice_published))
            }
            TakenUnder::SpecialUrgency { chair } => format!("Special urgency, agreed by {chair}"),
        }
    }
}

/// The rule an item's decision comes under on `on`: `key` whether it is a key decision,
/// `first_published` the first published plan it was on, `exception` one recorded.
/// Refused, with what would make it lawful, when none applies.
pub fn check_taken(key: bool, first_published: Option<NaiveDate>, exception: Option<&Exception>, on: NaiveDate) -> Result<TakenUnder, Invalid> {
    if !key {
        return Ok(TakenUnder::NotKey);
    }
    if let Some(p) = first_published.filter(|p| clear_days(*p, on) >= NOTICE_CLEAR_DAYS) {
        return Ok(TakenUnder::Notice { published: p });
    }
    match exception {
        Some(Exception::SpecialUrgency { chair, agreed, .. }) if *agreed <= on => return Ok(TakenUnder::SpecialUrgency { chair: chair.clone() }),
        Some(Exception::GeneralException { notice_published, .. }) => {
            let first = first_day_under_general_exception(*notice_published);
            if on >= first {
                return Ok(TakenUnder::GeneralException { notice_published: *notice_published });
            }
            return Err(Invalid::single(
                "taken_on",
                format!(
                    "The general exception notice was published on {}: the decision can be taken from {} (after 5 clear working days)",
                    long(*notice_published),
                    long(first)
                ),
            ));
        }
        _ => {}
    }
    let notice = match first_published {
        Some(p) => format!(
            "it was first on the plan published {} ({} clear days before; it can be taken from {})",
            long(p),
            clear_days(p, on).max(0),
            long(first_day_with_notice(p))
        ),
        None => "it is not on a published plan".into(),
    };
    Err(Invalid::single(
        "taken_on",
        format!(
            "A key decision needs 28 clear days' notice on a published plan before {}, and {notice}. Record the general exception or special urgency to take it sooner",
            long(on)
        ),
    ))
}

/// What the page says of an open item: the rule it comes under and the first day its
/// decision can be taken, or why it cannot yet be.
pub fn rule_for(key: bool, first_published: Option<NaiveDate>, exception: Option<&Exception>) -> String {
    if !key {
        return "Not a key decision: no notice is needed".into();
    }
    let notice = first_published.map(first_day_with_notice);
    let exception_first = match exception {
        Some(Exception::GeneralException { notice_published, .. }) => Some(first_day_under_general_exception(*notice_published)),
        Some(Exception::SpecialUrgency { agreed, .. }) => Some(*agreed),
        None => None,
    };
    match (notice, exception_first, exception) {
        (Some(n), Some(e), Some(x)) if e < n => format!("{}: can be taken from {}", exception_name(x), long(e)),
        (Some(n), _, _) => format!("28 clear days' notice: can be taken from {}", long(n)),
        (None, Some(e), Some(x)) => format!("{}: can be taken from {}", exception_name(x), long(e)),
        _ => "Not on a published plan yet: publish the plan 28 clear days before the decision, or record an exception".into(),
    }
}

fn exception_name(x: &Exception) -> &'static str {
    match x {
        Exception::GeneralException { .. } => "The general exception",
        Exception::SpecialUrgency { .. } => "Special urgency",
    }
}

/// A general exception: the chair was told no later than the notice was published.
/// Special urgency: the chair's name, the date they agreed and why it cannot wait.
pub fn check_exception(x: &Exception) -> Result<Checked<Exception>, Invalid> {
    let mut v = Invalid::new();
    let out = match x {
        Exception::GeneralException { chair_notified, notice_published } => {
            if chair_notified > notice_published {
                v.add("chair_notified", "Tell the chair before, or on the day, the notice is published");
            }
            x.clone()
        }
        Exception::SpecialUrgency { chair, agreed, reason } => {
            let chair = v.required("chair", chair, "Enter the name of the chair who agreed");
            let reason = v.required("reason", reason, "Enter why the decision is urgent and cannot reasonably be deferred");
            v.max_len("reason", &reason, 2000, "The reason");
            Exception::SpecialUrgency { chair, agreed: *agreed, reason }
        }
    };
    v.finish()?;
    Ok(Checked::new(out))
}

/// A forward plan item as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemInput {
    pub title: String,
    pub decision_maker: Option<DecisionMaker>,
    /// "Cabinet Member – Children, Schools and Safeguarding".
    pub decision_maker_name: String,
    pub expected: Option<NaiveDate>,
    pub financial: bool,
    pub wards_effect: bool,
    pub exempt_paragraph: Option<i64>,
    pub public_interest: String,
    pub wards: String,
    pub scrutiny_area: String,
    pub consultees: String,
    pub consultation_method: String,
    pub background_documents: String,
    pub contact_officer: String,
}

impl ItemInput {
    pub const FIELDS: &'static [&'static str] = &[
        "title",
        "decision_maker",
        "decision_maker_name",
        "expected",
        "exempt_paragraph",
        "public_interest",
        "wards",
        "scrutiny_area",
        "consultees",
        "consultation_method",
        "background_documents",
        "contact_officer",
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDetails {
    pub title: String,
    pub decision_maker: DecisionMaker,
    pub decision_maker_name: String,
    pub expected: NaiveDate,
    pub financial: bool,
    pub wards_effect: bool,
    pub exempt_paragraph: Option<u8>,
    pub public_interest: String,
    pub wards: String,
    pub scrutiny_area: String,
    pub consultees: String,
    pub consultation_method: String,
    pub background_documents: String,
    pub contact_officer: String,
}

impl ItemDetails {
    /// A key decision: over the financial threshold, or significant in two or more wards.
    pub fn key(&self) -> bool {
        self.financial || self.wards_effect
    }
}

/// An item has what the decision is, who takes it, when it is expected (today or later
/// for a new item), a contact officer; an exempt item names its Schedule 12A paragraph
/// and the public-interest reason for withholding it.
pub fn check_item(i: &ItemInput, today: NaiveDate, new: bool) -> Result<Checked<ItemDetails>, Invalid> {
    let mut v = Invalid::new();
    let title = v.required("title", &i.title, "Enter the details of the decision to be taken");
    v.max_len("title", &title, 2000, "The details of the decision");
    if i.decision_maker.is_none() {
        v.add("decision_maker", "Select who takes the decision");
    }
    let decision_maker_name = i.decision_maker_name.trim().to_string();
    v.max_len("decision_maker_name", &decision_maker_name, 300, "The decision maker");
    match i.expected {
        None => v.add("expected", "Enter the date the decision is expected, for example 16 3 2027"),
        Some(d) if new && d < today => v.add("expected", format!("The decision's expected date must be today or later, not {}", long(d))),
        Some(d) => v.plausible_date("expected", Some(d), "The expected date"),
    }
    let exempt = match i.exempt_paragraph {
        None => None,
        Some(p @ 1..=7) => Some(p as u8),
        Some(_) => {
            v.add("exempt_paragraph", "Select the paragraph of Schedule 12A (1 to 7), or open");
            None
        }
    };
    let public_interest = i.public_interest.trim().to_string();
    if exempt.is_some() && public_interest.is_empty() {
        v.add("public_interest", "Enter why the public interest in withholding the report outweighs the public interest in disclosing it");
    }
    let contact_officer = v.required("contact_officer", &i.contact_officer, "Enter the contact officer");
    for (field, value, what) in [
        ("wards", &i.wards, "Wards"),
        ("scrutiny_area", &i.scrutiny_area, "The scrutiny area"),
        ("consultees", &i.consultees, "The consultees"),
        ("consultation_method", &i.consultation_method, "The method of consultation"),
        ("background_documents", &i.background_documents, "The background documents"),
        ("public_interest", &i.public_interest, "The public-interest reason"),
    ] {
        v.max_len(field, value.trim(), 2000, what);
    }
    v.finish()?;
    let (Some(decision_maker), Some(expected)) = (i.decision_maker, i.expected) else {
        return Err(Invalid::single("decision_maker", "Select who takes the decision"));
    };
    Ok(Checked::new(ItemDetails {
        title,
        decision_maker,
        decision_maker_name,
        expected,
        financial: i.financial,
        wards_effect: i.wards_effect,
        exempt_paragraph: exempt,
        public_interest,
        wards: i.wards.trim().to_string(),
        scrutiny_area: i.scrutiny_area.trim().to_string(),
        consultees: i.consultees.trim().to_string(),
        consultation_method: i.consultation_method.trim().to_string(),
        background_documents: i.background_documents.trim().to_string(),
        contact_officer,
    }))
}

/// A change of an open item's expected date: a different date, today or later, and why.
pub fn check_date_change(
    status: ItemStatus,
    from: NaiveDate,
    to: Option<NaiveDate>,
    reason: &str,
    today: NaiveDate,
) -> Result<Checked<(NaiveDate, String)>, Invalid> {
    let mut v = Invalid::new();
    if status != ItemStatus::Open {
        v.add("expected", format!("The item is {}: its date no longer changes", status.label().to_lowercase()));
    }
    match to {
        None => v.add("expected", "Enter the new expected date"),
        Some(d) if d == from => v.add("expected", "Enter a date different from the expected date"),
        Some(d) if d < today => v.add("expected", format!("The new date must be today or later, not {}", long(d))),
        Some(d) => v.plausible_date("expected", Some(d), "The new date"),
    }
    let reason = v.required("reason", reason, "Enter why the date changed");
    v.max_len("reason", &reason, 1000, "The reason");
    v.finish()?;
    let Some(to) = to else { return Err(Invalid::single("expected", "Enter the new expected date")) };
    Ok(Checked::new((to, reason)))
}

/// A change of an item's expected date: when it was made, from and to, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateChange {
    pub on: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
}

impl DateChange {
    /// "27 March 2017: decision due date changed from 6 April 2017 to 27 July 2017.
    /// Reason: …", as the seed's plans print it.
    pub fn describe(&self) -> String {
        format!("{}: decision due date changed from {} to {}. Reason: {}", long(self.on), long(self.from), long(self.to), self.reason)
    }
}

/// An item as a published plan holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedItem {
    pub id: i64,
    pub details: ItemDetails,
    pub status: ItemStatus,
    /// Flagged as new on this plan: not on the plan published before it.
    pub new: bool,
    /// Every change of its expected date up to publication.
    #[serde(default)]
    pub date_changes: Vec<DateChange>,
}

/// The four months a plan published on `published` covers: from the first day of the
/// next month to the last day of the fourth ("1 October 2017 – 31 January 2018" for a
/// plan published in September).
pub fn plan_period(published: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = crate::dates::add_months(published.with_day(1).unwrap_or(published), 1);
    let end = crate::dates::add_months(start, 4) - Duration::days(1);
    (start, end)
}

/// A plan as published: its date and its items (the open ones are the plan; the rest
/// are there so the next plan can say what was taken or withdrawn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSnapshot {
    pub published: NaiveDate,
    pub items: Vec<PublishedItem>,
}

impl PlanSnapshot {
    /// The plan's items: those planned when it was published, by expected date.
    pub fn planned(&self) -> Vec<&PublishedItem> {
        let mut v: Vec<&PublishedItem> = self.items.iter().filter(|i| i.status == ItemStatus::Open).collect();
        v.sort_by_key(|i| (i.details.expected, i.id));
        v
    }

    /// A fingerprint of what was published: any change to it shows.
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        hex::encode(Sha256::digest(json.as_bytes()))
    }
}

/// The plan's items, flagged new where the previous plan did not have them planned.
pub fn mark_new(previous: Option<&PlanSnapshot>, items: Vec<PublishedItem>) -> Vec<PublishedItem> {
    items
        .into_iter()
        .map(|mut i| {
            i.new = i.status == ItemStatus::Open && !previous.is_some_and(|p| p.planned().iter().any(|x| x.id == i.id));
            i
        })
        .collect()
}

/// What changed from one published plan to the next.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanDiff {
    pub new: Vec<i64>,
    /// (item, from, to).
    pub moved: Vec<(i64, NaiveDate, NaiveDate)>,
    pub taken: Vec<i64>,
    pub withdrawn: Vec<i64>,
}

/// The difference between two published plans, `before` and `after`.
pub fn diff(before: &PlanSnapshot, after: &PlanSnapshot) -> PlanDiff {
    let mut d = PlanDiff::default();
    let was = before.planned();
    for i in after.planned() {
        match was.iter().find(|w| w.id == i.id) {
            None => d.new.push(i.id),
            Some(w) if w.details.expected != i.details.expected => d.moved.push((i.id, w.details.expected, i.details.expected)),
            Some(_) => {}
        }
    }
    for w in was {
        match after.items.iter().find(|i| i.id == w.id).map(|i| i.status) {
            Some(ItemStatus::Taken) => d.taken.push(w.id),
            Some(ItemStatus::Withdrawn) | None => d.withdrawn.push(w.id),
            Some(ItemStatus::Open) => {}
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn clear_days_exclude_both_ends_and_cross_weekends_bank_holidays_and_month_ends() {
        for (from, to, clear, why) in [
            (d(2027, 3, 1), d(2027, 3, 2), 0, "the next day: no day between"),
            (d(2027, 3, 1), d(2027, 3, 30), 28, "published 1 March, taken 30 March: 2 to 29 March"),
            (d(2027, 3, 1), d(2027, 3, 29), 27, "a day short"),
            (d(2027, 1, 31), d(2027, 3, 1), 28, "across the end of a 28-day February"),
            (d(2028, 1, 31), d(2028, 3, 1), 29, "a leap year's February has 29 days"),
            (d(2026, 12, 20), d(2027, 1, 18), 28, "Christmas, Boxing Day and New Year's Day count as calendar days"),
        ] {
            assert_eq!(clear_days(from, to), clear, "{why}");
        }
        assert_eq!(first_day_with_notice(d(2027, 3, 1)), d(2027, 3, 30));
        assert_eq!(first_day_with_notice(d(2027, 1, 31)), d(2027, 3, 1), "across a month end");
    }

    #[test]
    fn the_general_exceptions_five_clear_days_are_working_days() {
        for (notice, first, why) in [
            (d(2027, 3, 1), d(2027, 3, 9), "Monday: Tuesday to Monday are the 5 clear working days"),
            (d(2027, 3, 5), d(2027, 3, 13), "Friday: the weekend does not count (8 to 12 March)"),
            (d(2027, 3, 24), d(2027, 4, 3), "Easter: Good Friday 26 March and Easter Monday 29 March do not count"),
            (d(2026, 12, 23), d(2027, 1, 5), "Christmas: 25, 28 (Boxing Day's substitute) December and 1 January do not count"),
        ] {
            assert_eq!(first_day_under_general_exception(notice), first, "{why}");
            assert_eq!(clear_working_days(notice, first), 5, "{why}");
            assert!(clear_working_days(notice, first - Duration::days(1)) < 5, "a day earlier is too soon: {why}");
        }
    }

    #[test]
    fn a_plan_covers_the_four_months_after_the_month_it_is_published_in() {
        assert_eq!(plan_period(d(2017, 9, 1)), (d(2017, 10, 1), d(2018, 1, 31)));
        assert_eq!(plan_period(d(2027, 11, 30)), (d(2027, 12, 1), d(2028, 3, 31)));
        let c = DateChange { on: d(2017, 3, 27), from: d(2017, 4, 6), to: d(2017, 7, 27), reason: "Still deliberating".into() };
        assert_eq!(c.describe(), "27 March 2017: decision due date changed from 6 April 2017 to 27 July 2017. Reason: Still deliberating");
    }

    #[test]
    fn the_threshold_is_100000_or_two_percent_of_the_budget() {
        assert_eq!(financial_threshold(None), 100_000);
        assert_eq!(financial_threshold(Some(3_000_000)), 100_000);
        assert_eq!(financial_threshold(Some(20_000_000)), 400_000);
    }

    #[test]
    fn a_key_decision_needs_notice_or_an_exception() {
        let published = d(2027, 3, 1);
        assert_eq!(check_taken(false, None, None, d(2027, 3, 2)).unwrap(), TakenUnder::NotKey);
        assert_eq!(check_taken(true, Some(published), None, d(2027, 3, 30)).unwrap(), TakenUnder::Notice { published });
        let e = check_taken(true, Some(published), None, d(2027, 3, 29)).unwrap_err();
        let msg = e.for_field("taken_on").unwrap();
        assert!(msg.contains("27 clear days before") && msg.contains("can be taken from 30 March 2027"), "{msg}");
        assert!(check_taken(true, None, None, d(2027, 3, 29)).unwrap_err().to_string().contains("not on a published plan"));
        let general = Exception::GeneralException { chair_notified: d(2027, 3, 10), notice_published: d(2027, 3, 10) };
        assert!(check_taken(true, None, Some(&general), d(2027, 3, 16)).unwrap_err().to_string().contains("from 18 March 2027"));
        assert_eq!(
            check_taken(true, Some(published), Some(&general), d(2027, 3, 18)).unwrap(),
            TakenUnder::GeneralException { notice_published: d(2027, 3, 10) }
        );
        let urgent = Exception::SpecialUrgency { chair: "Councillor Brannigan".into(), agreed: d(2027, 3, 12), reason: "Grant deadline".into() };
        assert_eq!(
            check_taken(true, None, Some(&urgent), d(2027, 3, 12)).unwrap(),
            TakenUnder::SpecialUrgency { chair: "Councillor Brannigan".into() }
        );
        assert!(check_taken(true, None, Some(&urgent), d(2027, 3, 11)).is_err(), "not before the chair agreed");
        assert_eq!(rule_for(true, Some(published), None), "28 clear days' notice: can be taken from 30 March 2027");
        assert_eq!(rule_for(true, Some(published), Some(&general)), "The general exception: can be taken from 18 March 2027");
        assert!(rule_for(true, None, None).starts_with("Not on a published plan yet"));
    }

    #[test]
    fn exceptions_and_items_are_checked() {
        let late = Exception::GeneralException { chair_notified: d(2027, 3, 11), notice_published: d(2027, 3, 10) };
        assert!(check_exception(&late).unwrap_err().for_field("chair_notified").is_some());
        let urgent = Exception::SpecialUrgency { chair: " ".into(), agreed: d(2027, 3, 12), reason: "".into() };
        let e = check_exception(&urgent).unwrap_err();
        assert!(e.for_field("chair").is_some() && e.for_field("reason").is_some());

        let today = d(2027, 2, 1);
        let ok = ItemInput {
            title: "Approve the commissioning of a CSE return-interview service".into(),
            decision_maker: Some(DecisionMaker::CabinetMember),
            expected: Some(d(2027, 4, 15)),
            financial: true,
            contact_officer: "Jane Smith, Head of Service".into(),
            ..Default::default()
        };
        assert!(check_item(&ok, today, true).unwrap().key());
        for (input, field) in [
            (ItemInput { title: " ".into(), ..ok.clone() }, "title"),
            (ItemInput { decision_maker: None, ..ok.clone() }, "decision_maker"),
            (ItemInput { expected: Some(d(2027, 1, 1)), ..ok.clone() }, "expected"),
            (ItemInput { exempt_paragraph: Some(3), ..ok.clone() }, "public_interest"),
            (ItemInput { exempt_paragraph: Some(8), public_interest: "x".into(), ..ok.clone() }, "exempt_paragraph"),
            (ItemInput { contact_officer: "".into(), ..ok.clone() }, "contact_officer"),
        ] {
            assert!(check_item(&input, today, true).unwrap_err().for_field(field).is_some(), "{field}");
        }
        assert!(check_item(&ItemInput { expected: Some(d(2027, 1, 1)), ..ok.clone() }, today, false).is_ok(), "an existing item keeps its date");
        assert!(check_date_change(ItemStatus::Open, d(2027, 4, 15), Some(d(2027, 5, 20)), "Awaiting consultation", today).is_ok());
        assert!(check_date_change(ItemStatus::Open, d(2027, 4, 15), Some(d(2027, 5, 20)), " ", today).unwrap_err().for_field("reason").is_some());
        assert!(check_date_change(ItemStatus::Taken, d(2027, 4, 15), Some(d(2027, 5, 20)), "r", today).is_err());
    }

    #[test]
    fn two_plans_differ_by_new_moved_taken_and_withdrawn_items() {
        let details = |expected| ItemDetails {
            title: "t".into(),
            decision_maker: DecisionMaker::Cabinet,
            decision_maker_name: String::new(),
            expected,
            financial: true,
            wards_effect: false,
            exempt_paragraph: None,
            public_interest: String::new(),
            wards: String::new(),
            scrutiny_area: String::new(),
            consultees: String::new(),
            consultation_method: String::new(),
            background_documents: String::new(),
            contact_officer: "c".into(),
        };
        let item = |id, expected, status| PublishedItem { id, details: details(expected), status, new: false, date_changes: vec![] };
        let march = PlanSnapshot {
            published: d(2027, 3, 1),
            items: vec![
                item(1, d(2027, 4, 1), ItemStatus::Open),
                item(2, d(2027, 4, 8), ItemStatus::Open),
                item(3, d(2027, 4, 15), ItemStatus::Open),
                item(4, d(2027, 4, 22), ItemStatus::Open),
            ],
        };
        let april_items = vec![
            item(1, d(2027, 4, 1), ItemStatus::Taken),
            item(2, d(2027, 5, 13), ItemStatus::Open),
            item(3, d(2027, 4, 15), ItemStatus::Withdrawn),
            item(4, d(2027, 4, 22), ItemStatus::Open),
            item(5, d(2027, 6, 3), ItemStatus::Open),
        ];
        let april = PlanSnapshot { published: d(2027, 4, 1), items: mark_new(Some(&march), april_items) };
        assert_eq!(april.items.iter().filter(|i| i.new).map(|i| i.id).collect::<Vec<_>>(), vec![5]);
        assert_eq!(
            diff(&march, &april),
            PlanDiff { new: vec![5], moved: vec![(2, d(2027, 4, 8), d(2027, 5, 13))], taken: vec![1], withdrawn: vec![3] }
        );
        assert_eq!(april.planned().iter().map(|i| i.id).collect::<Vec<_>>(), vec![4, 2, 5]);
        let mut changed = april.clone();
        changed.items[1].details.title = "changed".into();
        assert_ne!(changed.fingerprint(), april.fingerprint());
        assert_eq!(april.clone().fingerprint(), april.fingerprint());
    }
}
