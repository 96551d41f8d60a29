//! Case-file audits on SQLite and PostgreSQL: the sample is drawn from the period's
//! referrals, CP, CIN and MACSE plans and drawn again from its recorded seed gives the
//! same children (another round with the same seed too); an auditor from another agency
//! sees exactly the assigned child through the child door from the round's first day to
//! its last, audited, and not before, after or once the round is closed; only the
//! auditor grades; an action becomes a recommendation in the tracker with origin
//! "case-file audit"; a triggered round records the figure that crossed its threshold,
//! and one whose figure does not is refused.

use assure_domain::case_audit::{Grade, RoundInput, Stratum};
use assure_domain::datasets::Month;
use assure_domain::partnership::{Basis, Section};
use assure_domain::{Clock, Role};
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::{Actor, ChildKey, StoreError};
use chrono::{NaiveDate, TimeZone, Utc};

const T: &str = "2026-01-01T00:00:00.000000Z";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(db: &TestDb, day: &str) -> TestDb {
    let day = d(day);
    db.with_clock(Clock::fixed(Utc.from_utc_datetime(&day.and_hms_opt(10, 0, 0).unwrap())))
}

/// Twenty children referred by the school between April and September 2026, two of them
/// decided child in need, one with a CP case, three with MACSE plans.
async fn records(db: &TestDb) {
    let s = &db.store;
    testing::exec(s, &format!("INSERT INTO agencies (id, name, kind, created_at) VALUES (1, 'Hillside School', 'education', '{T}'), (2, 'Health Trust', 'health', '{T}')")).await;
    for child in 1..=20 {
        testing::exec(s, &format!("INSERT INTO children (id, first_name, last_name, created_at) VALUES ({child}, 'C{child}', 'Audit', '{T}')")).await;
        let month = 4 + (child % 6);
        let decision = if child <= 2 { "'child-in-need-and-macse'" } else { "NULL" };
        testing::exec(
            s,
            &format!(
                "INSERT INTO referrals (id, child_id, agency_id, source, what_seen, seen_on, seen_where, seen_by, referral_text, tool_version, answers_json, risk_level, status, submitted_at, decided_at, decision) \
                 VALUES ({child}, {child}, 1, 'professional-concern', '', '2026-04-01', '', '', '', 1, '[]', 'medium', 'submitted', '2026-{month:02}-10T10:00:00.000000Z', '2026-{month:02}-11T10:00:00.000000Z', {decision})"
            ),
        )
        .await;
    }
    for q in [
        format!("INSERT INTO cp_cases (child_id, referral_id, decided_on, plan_version, created_at) VALUES (3, 3, '2026-05-02', 1, '{T}')"),
        "INSERT INTO plans (id, child_id, current_version) VALUES (1, 4, 1), (2, 5, 1), (3, 6, 1)".to_string(),
        "INSERT INTO plan_versions (plan_id, number, review_date, created_by, created_at) VALUES (1, 1, '2026-12-01', 'x', '2026-06-20T10:00:00.000000Z'), \
         (2, 1, '2026-12-01', 'x', '2026-07-20T10:00:00.000000Z'), (3, 1, '2026-12-01', 'x', '2026-08-20T10:00:00.000000Z')"
            .to_string(),
    ] {
        testing::exec(s, &q).await;
    }
}

async fn person(db: &TestDb, email: &str, role: Role, agency: Option<i64>) -> Actor {
    let id = db.store.users().create(&Actor::system(), NewUser { name: email, email, role, job_title: "x", password_hash: "x" }).await.unwrap();
    if let Some(a) = agency {
        db.store.partnership().set_agency(&Actor::system(), id, a).await.unwrap();
    }
    Actor { user_id: Some(id), label: email.into(), ip: String::new() }
}

fn round(seed: u64) -> RoundInput {
    RoundInput {
        title: "Autumn 2026".into(),
        period_from: Some(d("2026-04-01")),
        period_to: Some(d("2026-09-30")),
        starts_on: Some(d("2026-10-05")),
        ends_on: Some(d("2026-10-09")),
        seed: Some(seed),
        per_stratum: Some(2),
    }
}

async fn sees(db: &TestDb, auditor: &Actor, child: i64) -> Result<Basis, StoreError> {
    let reader = db.store.reader(auditor.clone()).await.unwrap().expect("on the pathway");
    db.store.open_child(&reader, ChildKey::Child(child), Section::Identity).await.map(|r| r.basis().clone())
}

async fn a_round_samples_reproducibly_and_its_auditor_sees_the_children_only_while_it_runs(db: &TestDb) {
    records(db).await;
    let before = at(db, "2026-10-01");
    let analyst = person(db, "analyst@example.org", Role::CseAnalyst, Some(1)).await;
    let nurse = person(db, "nurse@example.org", Role::Practitioner, Some(2)).await;
    let a = before.store.case_audits();

    let id = a.open_round(&analyst, &round(2026), None).await.unwrap();
    let r = a.round(id).await.unwrap();
    assert_eq!(r.seed, 1013, "the seed recorded (kept below 2^63)");
    let cases = a.cases(id).await.unwrap();
    let drawn: Vec<(Stratum, i64)> = cases.iter().map(|c| (c.stratum, c.child_id)).collect();
    let count = |s: Stratum| drawn.iter().filter(|(x, _)| *x == s).count();
    assert_eq!(count(Stratum::Referral), 2);
    assert!(count(Stratum::MacsePlan) >= 1 && count(Stratum::ChildProtection) <= 1, "{drawn:?}");
    assert_eq!(a.redraw(&r).await.unwrap(), drawn, "the same seed draws the same children");
    let again = a.open_round(&analyst, &round(2026), None).await.unwrap();
    let twin: Vec<(Stratum, i64)> = a.cases(again).await.unwrap().iter().map(|c| (c.stratum, c.child_id)).collect();
    assert_eq!(twin, drawn);
    let other = a.open_round(&analyst, &round(7), None).await.unwrap();
    let other: Vec<i64> = a.cases(other).await.unwrap().iter().map(|c| c.child_id).collect();
    assert_ne!(other, drawn.iter().map(|(_, c)| *c).collect::<Vec<_>>(), "another seed, another sample");

    // The nurse's agency has nothing to do with the child: before the round, out of reach.
    let child = drawn[0].1;
    let unassigned = drawn.iter().map(|(_, c)| *c).find(|c| *c != child).unwrap();
    a.assign(&testing::reader_of(&db.store, analyst.user_id.unwrap()).await, id, child, nurse.user_id.unwrap()).await.unwrap();
    assert!(matches!(sees(&before, &nurse, child).await, Err(StoreError::NoSuchChild)));
    // During the round: exactly the assigned child, on the audit's basis, the view audited.
    let during = at(db, "2026-10-06");
    assert_eq!(sees(&during, &nurse, child).await.unwrap(), Basis::CaseFileAudit);
    assert!(matches!(sees(&during, &nurse, unassigned).await, Err(StoreError::NoSuchChild)));
    let views = db
        .store
        .audit()
        .list(&assure_storage::audit::AuditFilter { actor: Some("nurse@example.org".into()), ..Default::default() }, 50, 0)
        .await
        .unwrap()
        .0;
    assert!(views.iter().any(|e| e.detail.contains("case-file audit")), "{views:?}");
    // After its last day, or once closed: out of reach again.
    assert!(matches!(sees(&at(db, "2026-10-10"), &nurse, child).await, Err(StoreError::NoSuchChild)));

    // Only the auditor grades.
    let q = r.questions[0].clone();
    let v = a.cases(id).await.unwrap()[0].version;
    let e = during
        .store
        .case_audits()
        .grade(&testing::reader_of(&db.store, analyst.user_id.unwrap()).await, id, child, v, &[(q.clone(), Grade::Good)], Grade::Good, "x")
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden));
    during
        .store
        .case_audits()
        .grade(
            &testing::reader_of(&db.store, nurse.user_id.unwrap()).await,
            id,
            child,
            v,
            &[(q, Grade::RequiresImprovement)],
            Grade::RequiresImprovement,
            "The plan names no one to act.",
        )
        .await
        .unwrap();
    assert_eq!(a.cases(id).await.unwrap()[0].grade, Some(Grade::RequiresImprovement));

    // An action is a tracked recommendation.
    let rec = a.add_action(&analyst, id, "Every MACSE plan names who acts by when.", "MACSE co-chairs").await.unwrap();
    let rec = db.store.tracker().recommendation(rec).await.unwrap();
    assert_eq!(rec.origin, "case-file audit");
    assert_eq!(Some(rec.review_id), r.review_id);

    let v = a.round(id).await.unwrap().version;
    during.store.case_audits().close(&analyst, id, v).await.unwrap();
    assert!(matches!(sees(&during, &nurse, child).await, Err(StoreError::NoSuchChild)), "access ends with the round");
}
on_both_engines!(case_file_audit_rounds, a_round_samples_reproducibly_and_its_auditor_sees_the_children_only_while_it_runs);

async fn a_triggered_audit_records_the_figure_as_its_reason(db: &TestDb) {
    records(db).await;
    let db = at(db, "2026-10-01");
    let analyst = person(&db, "analyst@example.org", Role::CseAnalyst, None).await;
    let a = db.store.case_audits();
    let september = Month::parse("2026-09").unwrap();
    // Referrals are watched (neither direction is better): a figure above the threshold triggers.
    let e = a.open_round(&analyst, &round(1), Some(("referrals".into(), september, 50.0))).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("threshold").unwrap().contains("does not cross")), "{e:?}");
    let id = a.open_round(&analyst, &round(1), Some(("referrals".into(), september, 1.0))).await.unwrap();
    let r = a.round(id).await.unwrap();
    assert!(r.triggered);
    let t = r.trigger.expect("the reason recorded");
    assert_eq!((t.figure, t.threshold, t.month), (3.0, 1.0, september));
    assert!(t.reason().contains("September 2026 was 3 against a threshold of 1"), "{}", t.reason());
}
on_both_engines!(triggered_audits, a_triggered_audit_records_the_figure_as_its_reason);
