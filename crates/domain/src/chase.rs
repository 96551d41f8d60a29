//! Chasing deadlines by e-mail: the rules (held as data: each on or off, with its lead
//! time), when a rule fires for a record with a deadline, and what the message says.
//!
//! A chase fires **once** per rule, record, deadline and person: its [`Chase::event_key`]
//! names the rule, the record and the deadline, and storage keeps one row per key and
//! person, written in the same transaction as the outbox message. A deadline that moves
//! (a revised target date) is a new event and is chased again.
//!
//! **No child's name, date of birth or address can reach an e-mail**: a message is made
//! only from a [`Subject`], and a subject about a child's record can only be made from
//! the record's number; the reader follows a link that needs signing in and passes the
//! need-to-know rule there.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::dates::long as long_date;
use crate::{Checked, Invalid};

slug_enum!(
    /// What is chased.
    ChaseKind {
        UpdateRequestOverdue => ("update-request-overdue", "Update requests past their due date"),
        ResponseApproaching => ("response-approaching", "Executive responses approaching their deadline"),
        ResponseOverdue => ("response-overdue", "Executive responses past their deadline"),
        ActionPastTarget => ("action-past-target", "Actions past their target date"),
        PlacementUnacknowledged => ("placement-unacknowledged", "Placement notifications not acknowledged"),
        ReportDue => ("report-due", "Monitoring reports due at the next meeting"),
        ReturnInterviewOverdue => ("return-interview-overdue", "Return interviews not offered within 72 hours"),
        PlanActionOverdue => ("plan-action-overdue", "MACSE plan actions past their due date"),
        ReferralWaiting => ("referral-waiting", "Referrals waiting for a MASH decision"),
    }
);

/// Whether a rule fires before its deadline (a reminder) or after it (a chase).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// `lead_days` days before the deadline.
    Before,
    /// `lead_days` days after the deadline has passed (0: the day after it).
    After,
}

impl ChaseKind {
    pub fn timing(self) -> Timing {
        match self {
            ChaseKind::ResponseApproaching | ChaseKind::ReportDue => Timing::Before,
            _ => Timing::After,
        }
    }

    /// The lead time a new installation starts with.
    pub fn default_lead_days(self) -> i64 {
        match self {
            ChaseKind::ResponseApproaching => 14,
            // Lead officers are asked for updates about three weeks before the meeting.
            ChaseKind::ReportDue => 21,
            // Acknowledged within a working day: chased once a day has passed.
            ChaseKind::PlacementUnacknowledged => 1,
            // A MASH decision is expected within a working day of the referral.
            ChaseKind::ReferralWaiting => 1,
            _ => 0,
        }
    }

    /// What the lead time means, for the settings page.
    pub fn lead_hint(self) -> &'static str {
        match self.timing() {
            Timing::Before => "days before the deadline",
            Timing::After => "days after the deadline has passed",
        }
    }
}

/// One rule as the administrator keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChaseRule {
    pub kind: ChaseKind,
    pub lead_days: i64,
    pub enabled: bool,
}

impl ChaseRule {
    pub fn default_for(kind: ChaseKind) -> ChaseRule {
        ChaseRule { kind, lead_days: kind.default_lead_days(), enabled: true }
    }

    /// The first day on which this rule fires for a deadline on `due`.
    pub fn fires_from(&self, due: NaiveDate) -> NaiveDate {
        match self.kind.timing() {
            Timing::Before => due - Duration::days(self.lead_days),
            Timing::After => due + Duration::days(self.lead_days.max(0) + 1),
        }
    }
}

/// Check a lead time typed on the settings page.
pub fn check_lead_days(raw: &str) -> Result<i64, String> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (0..=365).contains(&n) => Ok(n),
        Ok(_) => Err("Enter a number of days from 0 to 365".into()),
        Err(_) => Err("Enter the number of days as a whole number, like 14".into()),
    }
}

/// The rules as the settings form sends them: the slugs of those switched on, and each
/// rule's lead time as typed (field `lead-<slug>`).
pub fn check_rules(enabled: &[String], lead: impl Fn(ChaseKind) -> String) -> Result<Checked<Vec<ChaseRule>>, Invalid> {
    let mut errors = Invalid::new();
    let mut rules = Vec::new();
    for kind in ChaseKind::ALL {
        match check_lead_days(&lead(*kind)) {
            Ok(lead_days) => rules.push(ChaseRule { kind: *kind, lead_days, enabled: enabled.iter().any(|e| e == kind.slug()) }),
            Err(m) => errors.add(&format!("lead-{}", kind.slug()), format!("{}: {}", kind.label(), m.to_lowercase())),
        }
    }
    if errors.is_empty() {
        Ok(Checked::new(rules))
    } else {
        Err(errors)
    }
}

/// The record a chase is about, as an e-mail may name it: a reference and the page it
/// is on. There is no way to make one from a child's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    reference: String,
    path: String,
}

impl Subject {
    /// A recommendation, by the council's reference (tracker text, not case data).
    pub fn recommendation(id: i64, reference: &str) -> Subject {
        Subject { reference: format!("recommendation {reference}"), path: format!("/recommendations/{id}") }
    }

    /// A review, by its number: its responses are what is chased.
    pub fn review(id: i64) -> Subject {
        Subject { reference: format!("review {id}"), path: format!("/reviews/{id}") }
    }

    /// A placement notification about a child: its number only, and the team's queue of
    /// notifications to acknowledge (where it is).
    pub fn placement_notification(id: i64) -> Subject {
        Subject { reference: format!("placement notification {id}"), path: "/notifications".into() }
    }

    /// A referral waiting in the MASH queue: its number, and the queue.
    pub fn referral(id: i64) -> Subject {
        Subject { reference: format!("referral {id}"), path: "/mash".into() }
    }

    /// A missing episode: its number, and the child's missing episodes by record number.
    pub fn missing_episode(child_record: i64, episode: i64) -> Subject {
        Subject { reference: format!("missing episode {episode}"), path: format!("/children/{child_record}/missing") }
    }

    /// A child's MACSE plan, by the child's record number.
    pub fn plan(child_record: i64) -> Subject {
        Subject { reference: format!("the MACSE plan of record {child_record}"), path: format!("/children/{child_record}/plan") }
    }

    pub fn reference(&self) -> &str {
        &self.reference
    }

    pub fn path(&self) -> &str {
        &self.path
    }
}

/// A record with a deadline, and who is chased about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub kind: ChaseKind,
    pub subject: Subject,
    pub due: NaiveDate,
    /// Account ids.
    pub recipients: Vec<i64>,
}

/// One person to chase about one deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chase {
    pub kind: ChaseKind,
    pub subject: Subject,
    pub due: NaiveDate,
    pub user_id: i64,
}

impl Chase {
    /// The same for every run that sees this rule, record and deadline.
    pub fn event_key(&self) -> String {
        format!("{}:{}:{}:{}", self.kind.slug(), self.subject.path, self.subject.reference, self.due)
    }
}

/// Deadlines further back than this are not chased by e-mail: a tracker imported with
/// years of history would otherwise send a message for every action missed since 2017.
/// They stay on the dashboards and in the monitoring reports.
pub const HORIZON_DAYS: i64 = 60;

/// The oldest deadline a chase can be about on `today`.
pub fn horizon(today: NaiveDate) -> NaiveDate {
    today - Duration::days(HORIZON_DAYS)
}

/// The chases due on `today`: every enabled rule's deadlines whose firing day has come,
/// once for each recipient. (Whether one was sent already is storage's to know.)
pub fn due_chases(rules: &[ChaseRule], deadlines: &[Deadline], today: NaiveDate) -> Vec<Chase> {
    let mut out = Vec::new();
    for d in deadlines {
        let Some(rule) = rules.iter().find(|r| r.kind == d.kind && r.enabled) else { continue };
        if today < rule.fires_from(d.due) || d.due < horizon(today) {
            continue;
        }
        // A reminder before a deadline is pointless once the deadline has passed: the
        // chase after it takes over.
        if rule.kind.timing() == Timing::Before && today > d.due {
            continue;
        }
        let mut recipients = d.recipients.clone();
        recipients.sort_unstable();
        recipients.dedup();
        for user_id in recipients {
            out.push(Chase { kind: d.kind, subject: d.subject.clone(), due: d.due, user_id });
        }
    }
    out
}

/// An e-mail, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub body: String,
}

/// The message for one chase. `base_url` is the address people reach Assure at.
pub fn compose(chase: &Chase, service: &str, base_url: &str, today: NaiveDate) -> Message {
    let what = chase.subject.reference();
    let due = long_date(chase.due);
    let (subject, line) = match chase.kind {
        ChaseKind::UpdateRequestOverdue => {
            (format!("Update overdue: {what}"), format!("The update requested on {what} was due on {due} and has not been given."))
        }
        ChaseKind::ResponseApproaching => (
            format!("Executive response due {due}: {what}"),
            format!("The executive's response to {what} is due on {due}; some recommendations in it have no response yet."),
        ),
        ChaseKind::ResponseOverdue => (
            format!("Executive response overdue: {what}"),
            format!("The executive's response to {what} was due on {due}; some recommendations in it still have no response."),
        ),
        ChaseKind::ActionPastTarget => {
            (format!("Action past its target date: {what}"), format!("An action on {what} had a target date of {due} and is not marked done."))
        }
        ChaseKind::PlacementUnacknowledged => (
            format!("Placement notification not acknowledged: {what}"),
            format!("Your team has not acknowledged {what}, received on {due}. Acknowledge it, or record why it is not yours."),
        ),
        ChaseKind::ReportDue => (
            format!("Monitoring report due {due}: {what}"),
            format!("A monitoring report on {what} is due at the meeting on {due}. Check the lead officers' updates are in."),
        ),
        ChaseKind::ReturnInterviewOverdue => (
            format!("Return interview not offered: {what}"),
            format!("The return interview for {what} had to be offered by {due} and none is recorded as offered."),
        ),
        ChaseKind::PlanActionOverdue => (
            format!("Plan action overdue: {what}"),
            format!("An action for your agency on {what} was due on {due} and is not marked done or dropped."),
        ),
        ChaseKind::ReferralWaiting => {
            (format!("Referral waiting for a decision: {what}"), format!("The MASH has not yet decided {what}, received on {due}."))
        }
    };
    let link = format!("{}{}", base_url.trim_end_matches('/'), chase.subject.path());
    let body = format!(
        "{line}\n\nSign in to {service} to see it: {link}\n\nYou are sent this because {service} chases {rule} ({today}). \
         This message holds no details of any child; they are only on the page, for those whose work needs them.\n",
        rule = chase.kind.label().to_lowercase(),
        today = long_date(today),
    );
    Message { subject: format!("{service}: {subject}"), body }
}

/// The hour (council time) from which a day's digest is made.
pub const DIGEST_HOUR: u32 = 7;

/// One e-mail gathering the chases held for someone who chose a daily digest. `held`:
/// each held message's subject and body, oldest first (they are made by [`compose`], so
/// they hold no child's details either).
pub fn compose_digest(service: &str, day: NaiveDate, held: &[(String, String)]) -> Message {
    let n = held.len();
    let mut body = format!("{service} has {n} {} for you today, {}.\n", if n == 1 { "reminder" } else { "reminders" }, long_date(day));
    for (i, (subject, text)) in held.iter().enumerate() {
        let subject = subject.strip_prefix(&format!("{service}: ")).unwrap_or(subject);
        let text = text.split("\n\nYou are sent this").next().unwrap_or(text).trim();
        body.push_str(&format!("\n{}. {subject}\n{text}\n", i + 1));
    }
    body.push_str(&format!(
        "\nYou are sent one e-mail a day because you chose a daily digest on your account page in {service}. \
         This message holds no details of any child; they are only on the pages, for those whose work needs them.\n"
    ));
    Message { subject: format!("{service}: {n} {} for {}", if n == 1 { "reminder" } else { "reminders" }, long_date(day)), body }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn rules() -> Vec<ChaseRule> {
        ChaseKind::ALL.iter().map(|k| ChaseRule::default_for(*k)).collect()
    }

    fn deadline(kind: ChaseKind, due: &str, recipients: &[i64]) -> Deadline {
        Deadline { kind, subject: Subject::recommendation(7, "LIC-3"), due: d(due), recipients: recipients.to_vec() }
    }

    #[test]
    fn a_chase_after_a_deadline_fires_from_the_day_after_it_plus_the_lead() {
        let rs = rules();
        let ds = [deadline(ChaseKind::ActionPastTarget, "2026-03-12", &[4])];
        assert!(due_chases(&rs, &ds, d("2026-03-12")).is_empty(), "not on the target date itself");
        let fired = due_chases(&rs, &ds, d("2026-03-13"));
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].user_id, 4);
        // Still due later (storage keeps it to once), until the horizon.
        assert_eq!(due_chases(&rs, &ds, d("2026-04-01")).len(), 1);
        assert_eq!(due_chases(&rs, &ds, d("2026-05-11")).len(), 1, "60 days after");
        assert!(due_chases(&rs, &ds, d("2026-05-12")).is_empty(), "history is not chased by e-mail");
        let mut late = rules();
        late.iter_mut().for_each(|r| r.lead_days = 7);
        assert!(due_chases(&late, &ds, d("2026-03-19")).is_empty());
        assert_eq!(due_chases(&late, &ds, d("2026-03-20")).len(), 1);
    }

    #[test]
    fn a_reminder_fires_within_its_lead_time_and_stops_once_the_deadline_passes() {
        let rs = rules();
        let ds = [Deadline { kind: ChaseKind::ResponseApproaching, subject: Subject::review(2), due: d("2026-06-30"), recipients: vec![1, 2, 2] }];
        assert!(due_chases(&rs, &ds, d("2026-06-15")).is_empty(), "15 days before: not yet");
        let fired = due_chases(&rs, &ds, d("2026-06-16"));
        assert_eq!(fired.iter().map(|c| c.user_id).collect::<Vec<_>>(), [1, 2], "14 days before, each person once");
        assert_eq!(due_chases(&rs, &ds, d("2026-06-30")).len(), 2, "on the day");
        assert!(due_chases(&rs, &ds, d("2026-07-01")).is_empty(), "after it, the overdue rule takes over");
    }

    #[test]
    fn a_rule_turned_off_fires_for_nobody() {
        let mut rs = rules();
        rs.iter_mut().filter(|r| r.kind == ChaseKind::ActionPastTarget).for_each(|r| r.enabled = false);
        let ds = [deadline(ChaseKind::ActionPastTarget, "2026-03-12", &[4]), deadline(ChaseKind::UpdateRequestOverdue, "2026-03-12", &[5])];
        let fired = due_chases(&rs, &ds, d("2026-04-01"));
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].kind, ChaseKind::UpdateRequestOverdue);
    }

    #[test]
    fn the_event_key_names_the_rule_the_record_and_the_deadline() {
        let a = Chase { kind: ChaseKind::ActionPastTarget, subject: Subject::recommendation(7, "LIC-3"), due: d("2026-03-12"), user_id: 1 };
        let moved = Chase { due: d("2026-04-30"), ..a.clone() };
        let other_person = Chase { user_id: 2, ..a.clone() };
        assert_eq!(a.event_key(), "action-past-target:/recommendations/7:recommendation LIC-3:2026-03-12");
        let one = Chase { kind: ChaseKind::PlacementUnacknowledged, subject: Subject::placement_notification(1), due: a.due, user_id: 1 };
        let two = Chase { subject: Subject::placement_notification(2), ..one.clone() };
        assert_ne!(one.event_key(), two.event_key(), "two notifications in one queue are two events");
        assert_ne!(a.event_key(), moved.event_key(), "a revised date is chased again");
        assert_eq!(a.event_key(), other_person.event_key(), "the person is kept beside the key");
    }

    #[test]
    fn a_message_about_a_child_names_only_the_record_number_and_a_link() {
        let c = Chase { kind: ChaseKind::PlacementUnacknowledged, subject: Subject::placement_notification(42), due: d("2026-11-30"), user_id: 9 };
        let m = compose(&c, "Assure", "https://assure.example.gov.uk/", d("2026-12-02"));
        assert_eq!(m.subject, "Assure: Placement notification not acknowledged: placement notification 42");
        assert!(m.body.contains("https://assure.example.gov.uk/notifications"), "{}", m.body);
        assert!(m.body.contains("30 November 2026"), "{}", m.body);
        assert!(m.body.contains("holds no details of any child"));
    }

    #[test]
    fn the_settings_form_is_checked_whole_with_a_message_per_bad_lead_time() {
        let on = vec!["action-past-target".to_string()];
        let ok = check_rules(&on, |k| k.default_lead_days().to_string()).unwrap();
        assert_eq!(ok.len(), ChaseKind::ALL.len());
        assert!(ok.iter().all(|r| r.enabled == (r.kind == ChaseKind::ActionPastTarget)));
        let bad = check_rules(&on, |k| if k == ChaseKind::ResponseApproaching { "two weeks".into() } else { "400".into() }).unwrap_err();
        assert_eq!(bad.errors.len(), ChaseKind::ALL.len(), "every bad field at once");
        assert_eq!(
            bad.for_field("lead-response-approaching"),
            Some("Executive responses approaching their deadline: enter the number of days as a whole number, like 14")
        );
    }

    #[test]
    fn the_pathway_rules_fire_at_their_own_times() {
        let rs = rules();
        let waiting = [Deadline { kind: ChaseKind::ReferralWaiting, subject: Subject::referral(5), due: d("2026-03-02"), recipients: vec![3] }];
        assert!(due_chases(&rs, &waiting, d("2026-03-03")).is_empty(), "the MASH has a working day");
        assert_eq!(due_chases(&rs, &waiting, d("2026-03-04")).len(), 1);
        let interview = [Deadline {
            kind: ChaseKind::ReturnInterviewOverdue,
            subject: Subject::missing_episode(12, 40),
            due: d("2026-03-05"),
            recipients: vec![3],
        }];
        assert!(due_chases(&rs, &interview, d("2026-03-05")).is_empty(), "72 hours end on the due day");
        assert_eq!(due_chases(&rs, &interview, d("2026-03-06")).len(), 1);
        let report = [Deadline { kind: ChaseKind::ReportDue, subject: Subject::review(2), due: d("2026-04-22"), recipients: vec![1] }];
        assert!(due_chases(&rs, &report, d("2026-03-31")).is_empty());
        assert_eq!(due_chases(&rs, &report, d("2026-04-01")).len(), 1, "three weeks before the meeting");
        assert!(due_chases(&rs, &report, d("2026-04-23")).is_empty(), "not after the meeting");
    }

    #[test]
    fn a_message_about_a_plan_an_episode_or_a_referral_names_only_numbers() {
        let cases = [
            (
                ChaseKind::PlanActionOverdue,
                Subject::plan(12),
                "Assure: Plan action overdue: the MACSE plan of record 12",
                "https://a.example/children/12/plan",
            ),
            (
                ChaseKind::ReturnInterviewOverdue,
                Subject::missing_episode(12, 40),
                "Assure: Return interview not offered: missing episode 40",
                "https://a.example/children/12/missing",
            ),
            (ChaseKind::ReferralWaiting, Subject::referral(9), "Assure: Referral waiting for a decision: referral 9", "https://a.example/mash"),
        ];
        for (kind, subject, title, link) in cases {
            let m = compose(&Chase { kind, subject, due: d("2026-03-05"), user_id: 1 }, "Assure", "https://a.example", d("2026-03-06"));
            assert_eq!(m.subject, title);
            assert!(m.body.contains(link) && m.body.contains("5 March 2026"), "{}", m.body);
        }
    }

    #[test]
    fn a_digest_gathers_the_days_chases_into_one_message() {
        let a = compose(
            &Chase { kind: ChaseKind::ActionPastTarget, subject: Subject::recommendation(7, "LIC-3"), due: d("2026-03-12"), user_id: 1 },
            "Assure",
            "https://a.example",
            d("2026-03-13"),
        );
        let b = compose(
            &Chase { kind: ChaseKind::ReferralWaiting, subject: Subject::referral(9), due: d("2026-03-11"), user_id: 1 },
            "Assure",
            "https://a.example",
            d("2026-03-13"),
        );
        let m = compose_digest("Assure", d("2026-03-14"), &[(a.subject, a.body), (b.subject, b.body)]);
        assert_eq!(m.subject, "Assure: 2 reminders for 14 March 2026");
        assert!(
            m.body.contains(
                "1. Action past its target date: recommendation LIC-3\nAn action on recommendation LIC-3 had a target date of 12 March 2026"
            ),
            "{}",
            m.body
        );
        assert!(m.body.contains("2. Referral waiting for a decision: referral 9") && m.body.contains("https://a.example/mash"), "{}", m.body);
        assert_eq!(m.body.matches("You are sent").count(), 1, "one footer, not one per chase:\n{}", m.body);
    }

    #[test]
    fn every_rule_has_a_message_and_a_lead_time_in_range() {
        for k in ChaseKind::ALL {
            let c = Chase { kind: *k, subject: Subject::review(3), due: d("2026-01-05"), user_id: 1 };
            let m = compose(&c, "Assure", "http://localhost:8080", d("2026-01-10"));
            assert!(m.subject.contains("review 3") && m.body.contains("http://localhost:8080/reviews/3"), "{k:?}: {m:?}");
            assert!(check_lead_days(&k.default_lead_days().to_string()).is_ok());
        }
        assert!(check_lead_days("-1").is_err() && check_lead_days("400").is_err() && check_lead_days("two").is_err());
    }
}
