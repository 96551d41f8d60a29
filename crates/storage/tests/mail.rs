//! E-mail that chases deadlines, on SQLite and PostgreSQL: each deadline chased once per
//! person, again when it moves; rules turned off stay quiet; the outbox claimed once,
//! retried with back-off, and a send interrupted mid-way never repeated; and no child's
//! details in any message with the whole demo loaded.

use assure_domain::chase::{check_rules, ChaseKind, Timing};
use assure_domain::tracker::{check_action, ActionInput, RevisionInput};
use assure_domain::{Clock, Role};
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_storage::tracker::{RecommendationInput, ReviewInput};
use assure_storage::users::NewUser;
use assure_storage::Actor;
use chrono::{Duration, NaiveDate};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn noon(day: NaiveDate) -> Clock {
    Clock::fixed_london(day.and_hms_opt(12, 0, 0).unwrap())
}

const SERVICE: &str = "Assure";
const BASE: &str = "https://assure.example.gov.uk";

async fn account(db: &TestDb, email: &str, role: Role) -> i64 {
    db.store.users().create(&Actor::system(), NewUser { name: email, email, role, job_title: "", password_hash: "hash" }).await.unwrap()
}

async fn each_deadline_is_chased_once_and_again_when_it_moves(db: &TestDb) {
    let clock = noon(d(2026, 3, 20));
    let db = db.with_clock(clock.clone());
    let system = Actor::system();
    let lead = account(&db, "lead@example.org", Role::LeadOfficer).await;
    let officer = account(&db, "officer@example.org", Role::ScrutinyOfficer).await;
    let tracker = db.store.tracker();
    let cabinet = tracker
        .create_body(
            &system,
            &assure_storage::tracker::BodyInput {
                name: "Cabinet".into(),
                kind: Some(assure_domain::tracker::BodyKind::Executive),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let review = tracker
        .create_review(
            &system,
            &ReviewInput {
                kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
                title: "Taxi licensing".into(),
                referral_date: Some(d(2026, 1, 25)),
                referred_to_body_id: Some(cabinet),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(tracker.review(review).await.unwrap().response_due, Some(d(2026, 3, 25)), "two months after referral");
    let rec = tracker
        .create_recommendation(
            &system,
            review,
            &RecommendationInput { number: Some(1), committee_wording: "Check every driver".into(), lead_ids: vec![lead], ..Default::default() },
        )
        .await
        .unwrap();
    let reference = tracker.recommendation(rec).await.unwrap().reference;
    let action = tracker
        .add_action(
            &system,
            rec,
            &check_action(&ActionInput { text: "Write to drivers".into(), owner: String::new(), target_date: Some(d(2026, 3, 15)) }).unwrap(),
        )
        .await
        .unwrap();

    let mail = db.store.mail();
    assert_eq!(mail.run_chases(SERVICE, BASE).await.unwrap(), 2, "the overdue action to its lead, the approaching response to the officer");
    let sent = mail.recent(10).await.unwrap();
    let to_lead = sent.iter().find(|m| m.user_id == Some(lead)).expect("the lead is chased");
    assert_eq!(to_lead.to_address, "lead@example.org");
    assert_eq!(to_lead.subject, format!("Assure: Action past its target date: recommendation {reference}"));
    assert!(to_lead.body.contains(&format!("{BASE}/recommendations/{rec}")) && to_lead.body.contains("15 March 2026"), "{}", to_lead.body);
    let to_officer = sent.iter().find(|m| m.user_id == Some(officer)).expect("the officer is reminded");
    assert!(to_officer.subject.contains("Executive response due 25 March 2026") && to_officer.subject.contains(&format!("review {review}")));
    assert!(sent.iter().all(|m| m.status == "pending"));

    // Again the same day, and the next: nothing new.
    assert_eq!(mail.run_chases(SERVICE, BASE).await.unwrap(), 0);
    clock.advance(Duration::days(1));
    assert_eq!(mail.run_chases(SERVICE, BASE).await.unwrap(), 0);

    // A revised target date is a new deadline, chased once it too has passed.
    let v = tracker.action(action).await.unwrap().version;
    tracker
        .revise_action_date(&system, action, v, &RevisionInput { new_date: Some(d(2026, 3, 21)), reason: "Printing delayed".into() })
        .await
        .unwrap();
    assert_eq!(mail.run_chases(SERVICE, BASE).await.unwrap(), 0, "21 March has not passed on the 21st");
    clock.advance(Duration::days(1));
    assert_eq!(mail.run_chases(SERVICE, BASE).await.unwrap(), 1);

    // The response deadline passes: the overdue chase, once.
    clock.set(noon(d(2026, 3, 27)).now());
    assert_eq!(mail.run_chases(SERVICE, BASE).await.unwrap(), 1);
    assert!(mail.recent(1).await.unwrap()[0].subject.contains("Executive response overdue"));

    // A rule turned off stays quiet.
    let on: Vec<String> = ChaseKind::ALL.iter().filter(|k| **k != ChaseKind::ActionPastTarget).map(|k| k.slug().to_string()).collect();
    mail.set_rules(&system, &check_rules(&on, |k| k.default_lead_days().to_string()).unwrap()).await.unwrap();
    let v = tracker.action(action).await.unwrap().version;
    tracker.revise_action_date(&system, action, v, &RevisionInput { new_date: Some(d(2026, 3, 26)), reason: "Again".into() }).await.unwrap();
    assert_eq!(mail.run_chases(SERVICE, BASE).await.unwrap(), 0);
    let rules = mail.rules().await.unwrap();
    assert_eq!(rules.len(), ChaseKind::ALL.len());
    assert!(!rules.iter().find(|r| r.kind == ChaseKind::ActionPastTarget).unwrap().enabled);
    assert_eq!(mail.counts().await.unwrap().pending, 4);
    assert!(db.store.audit().verify().await.unwrap().is_ok(), "the audit chain is intact");
}
on_both_engines!(chased_once, each_deadline_is_chased_once_and_again_when_it_moves);

async fn the_outbox_is_claimed_once_retried_with_back_off_and_never_sent_twice(db: &TestDb) {
    let clock = noon(d(2026, 3, 20));
    let db = db.with_clock(clock.clone());
    let mail = db.store.mail();
    let first = mail.queue_test(&Actor::system(), "dpo@example.org", SERVICE).await.unwrap();
    let claimed = mail.claim(10, None).await.unwrap();
    assert_eq!(claimed.iter().map(|m| m.id).collect::<Vec<_>>(), [first]);
    assert!(mail.claim(10, None).await.unwrap().is_empty(), "a claimed message is not taken again");

    // The SMTP server refused it: tried again after a minute, not before.
    assert_eq!(mail.mark_attempt_failed(first, "554 relay refused").await.unwrap(), "pending");
    assert!(mail.claim(10, None).await.unwrap().is_empty());
    clock.advance(Duration::seconds(61));
    let again = mail.claim(10, Some(first)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].last_error, "554 relay refused");
    mail.mark_sent(first).await.unwrap();
    let m = mail.message(first).await.unwrap();
    assert_eq!((m.status.as_str(), m.attempts), ("sent", 2));

    // A worker that died between claiming and marking: not sent again, but shown failed.
    let second = mail.queue_test(&Actor::system(), "dpo@example.org", SERVICE).await.unwrap();
    assert_eq!(mail.claim(10, None).await.unwrap().len(), 1);
    assert_eq!(mail.abandon_interrupted().await.unwrap(), 0, "still within its lease");
    clock.advance(Duration::minutes(11));
    assert_eq!(mail.abandon_interrupted().await.unwrap(), 1);
    let m = mail.message(second).await.unwrap();
    assert_eq!(m.status, "failed");
    assert!(m.last_error.contains("may or may not have been delivered"));
    assert!(mail.claim(10, None).await.unwrap().is_empty());

    // Refused every time: failed after the last try, each try later than the one before.
    let third = mail.queue_test(&Actor::system(), "dpo@example.org", SERVICE).await.unwrap();
    let mut waits = Vec::new();
    for _ in 0..assure_storage::mail::MAX_ATTEMPTS {
        let before = clock.now();
        let m = loop {
            if let Some(m) = mail.claim(10, Some(third)).await.unwrap().pop() {
                break m;
            }
            clock.advance(Duration::minutes(1));
        };
        waits.push(clock.now() - before);
        mail.mark_attempt_failed(m.id, "421 try later").await.unwrap();
    }
    assert!(waits.windows(2).skip(1).all(|w| w[1] >= w[0]), "back-off grows: {waits:?}");
    assert_eq!(mail.message(third).await.unwrap().status, "failed");
    let waiting = mail.waiting(10).await.unwrap();
    assert_eq!(waiting.iter().map(|m| m.id).collect::<Vec<_>>(), [second, third], "the administrator sees the failures");
    let c = mail.counts().await.unwrap();
    assert_eq!((c.sent, c.failed, c.pending), (1, 2, 0));
}
on_both_engines!(outbox, the_outbox_is_claimed_once_retried_with_back_off_and_never_sent_twice);

/// Someone who chose a daily digest gets one message a day from 7am gathering their
/// chases, however often the job runs; a chase later that day waits for tomorrow's.
async fn a_daily_digest_gathers_the_days_chases_once(db: &TestDb) {
    let clock = Clock::fixed_london(d(2026, 3, 20).and_hms_opt(6, 0, 0).unwrap());
    let db = db.with_clock(clock.clone());
    let system = Actor::system();
    let lead = account(&db, "lead@example.org", Role::LeadOfficer).await;
    let other = account(&db, "other@example.org", Role::LeadOfficer).await;
    let mail = db.store.mail();
    assert!(!mail.digest_chosen(lead).await.unwrap(), "each as it happens, unless chosen");
    let me = Actor { user_id: Some(lead), label: "lead@example.org".into(), ip: String::new() };
    mail.choose_digest(&me, lead, true).await.unwrap();
    assert!(mail.digest_chosen(lead).await.unwrap());
    let tracker = db.store.tracker();
    let review = tracker
        .create_review(
            &system,
            &ReviewInput { kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup), title: "Night-time economy".into(), ..Default::default() },
        )
        .await
        .unwrap();
    let mut actions = Vec::new();
    for (n, leads) in [(1, vec![lead]), (2, vec![lead, other]), (3, vec![lead])] {
        let rec = tracker
            .create_recommendation(
                &system,
                review,
                &RecommendationInput { number: Some(n), committee_wording: format!("Do {n}"), lead_ids: leads, ..Default::default() },
            )
            .await
            .unwrap();
        let target = if n == 3 { d(2026, 3, 20) } else { d(2026, 3, 10) };
        let a = check_action(&ActionInput { text: format!("Step {n}"), owner: String::new(), target_date: Some(target) }).unwrap();
        actions.push(tracker.add_action(&system, rec, &a).await.unwrap());
    }

    // 6am: the chases are queued; the lead's held, the other's ready to send.
    assert_eq!(mail.run_chases(SERVICE, BASE).await.unwrap(), 3);
    let claimed = mail.claim(10, None).await.unwrap();
    assert_eq!(claimed.iter().map(|m| m.user_id).collect::<Vec<_>>(), [Some(other)], "only the other lead's goes now");
    assert_eq!(mail.counts().await.unwrap().held, 2);
    assert_eq!(mail.run_digests(SERVICE).await.unwrap(), 0, "not before 7am");

    // 7am: one digest with both; again the same day, nothing.
    clock.set(Clock::fixed_london(d(2026, 3, 20).and_hms_opt(7, 0, 0).unwrap()).now());
    assert_eq!(mail.run_digests(SERVICE).await.unwrap(), 1);
    assert_eq!(mail.run_digests(SERVICE).await.unwrap(), 0);
    let digest = mail.claim(10, None).await.unwrap();
    assert_eq!(digest.len(), 1);
    assert_eq!(digest[0].to_address, "lead@example.org");
    assert_eq!(digest[0].subject, "Assure: 2 reminders for 20 March 2026");
    assert!(
        digest[0].body.contains("1. Action past its target date") && digest[0].body.contains("2. Action past its target date"),
        "{}",
        digest[0].body
    );
    let counts = mail.counts().await.unwrap();
    assert_eq!((counts.held, counts.digested), (0, 2));

    // The third action passes its target at midnight: held until the next day's digest.
    clock.set(Clock::fixed_london(d(2026, 3, 21).and_hms_opt(6, 30, 0).unwrap()).now());
    assert_eq!(mail.run_chases(SERVICE, BASE).await.unwrap(), 1);
    assert_eq!(mail.run_digests(SERVICE).await.unwrap(), 0);
    clock.set(Clock::fixed_london(d(2026, 3, 21).and_hms_opt(9, 0, 0).unwrap()).now());
    assert_eq!(mail.run_digests(SERVICE).await.unwrap(), 1);
    let next = mail.claim(10, None).await.unwrap();
    assert_eq!(next[0].subject, "Assure: 1 reminder for 21 March 2026");

    assert!(db.store.audit().verify().await.unwrap().is_ok());
}
on_both_engines!(daily_digest, a_daily_digest_gathers_the_days_chases_once);

/// With the whole demo loaded and every rule firing, no message names a child or gives
/// a child's date of birth or address.
async fn no_childs_details_reach_any_message(db: &TestDb) {
    let today = d(2026, 11, 23);
    let clock = noon(today);
    let db = db.with_clock(clock.clone());
    assert!(assure_storage::demo::load(&db.store, today, "hash").await.unwrap());
    // A child back from a missing episode whose return interview is never offered.
    let officer = assure_storage::testing::reader(&db.store, "notification-officer@example.org").await;
    let back = today.and_hms_opt(9, 0, 0).unwrap();
    db.store
        .missing(&officer)
        .record_episode(&assure_storage::missing::EpisodeInput {
            child: Some(assure_storage::referrals::ChildRef::New(assure_storage::children::ChildInput {
                first_name: "Amelia".into(),
                last_name: "Northcote".into(),
                date_of_birth: Some(d(2010, 4, 17)),
                ..Default::default()
            })),
            missing_from: Some(assure_domain::missing::MissingFrom::Home),
            started_at: Some(back - Duration::hours(20)),
            ended_at: Some(back),
            where_found: "Returned home by herself".into(),
            police_reference: "MP/2026/0417".into(),
            risk_grading: Some(assure_domain::missing::RiskGrading::Medium),
        })
        .await
        .unwrap();
    // A month on, so the current plans' actions have passed their dates too.
    clock.advance(Duration::days(30));
    let mail = db.store.mail();
    let all: Vec<String> = ChaseKind::ALL.iter().map(|k| k.slug().to_string()).collect();
    mail.set_rules(&Actor::system(), &check_rules(&all, |k| if k.timing() == Timing::Before { "120".into() } else { "0".into() }).unwrap())
        .await
        .unwrap();
    let queued = mail.run_chases(SERVICE, BASE).await.unwrap();
    let messages = mail.recent(100_000).await.unwrap();
    assert_eq!(messages.len(), queued);
    assert!(
        messages.iter().any(|m| m.subject.contains("Placement notification not acknowledged")),
        "the demo's unacknowledged notifications are chased"
    );
    for chased in ["Referral waiting for a decision", "Return interview not offered", "Plan action overdue", "Monitoring report due"] {
        assert!(messages.iter().any(|m| m.subject.contains(chased)), "the demo has a {chased:?} chase");
    }
    let children = assure_storage::testing::every_child_identity(&db.store).await;
    assert!(children.len() > 50, "the demo has children");
    let words = |text: &str| {
        text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-').map(str::to_string).collect::<std::collections::HashSet<_>>()
    };
    for m in &messages {
        let text = format!("{}\n{}", m.subject, m.body);
        let in_text = words(&text);
        for (first, last, dob, address) in &children {
            for name in [first, last] {
                assert!(!in_text.contains(name.as_str()), "message {} names a child ({name}):\n{text}", m.id);
            }
            if let Some(dob) = *dob {
                for shown in [assure_domain::dates::long(dob), assure_domain::dates::numeric(dob), assure_domain::dates::iso(dob)] {
                    assert!(!text.contains(&shown), "message {} gives a date of birth:\n{text}", m.id);
                }
            }
            for line in address.lines().map(str::trim).filter(|l| l.len() > 3) {
                assert!(!text.contains(line), "message {} gives an address:\n{text}", m.id);
            }
        }
    }
}
on_both_engines!(no_child_details, no_childs_details_reach_any_message);
