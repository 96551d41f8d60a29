//! The quarterly reports on SQLite and PostgreSQL: a report is made only from a quarter
//! whose three months are closed; the joint sign-off (both co-chairs; an edit after one
//! signature clears it; a signature by anyone else refused and nothing changed; a stale
//! version a conflict); the second signature freezes the report, fingerprinted, and a
//! frozen report is never edited or signed again; the MACSE report reads in full, the
//! Cabinet report with small numbers suppressed; a tampered snapshot is noticed.

use assure_domain::datasets::Month;
use assure_domain::disclosure::Cell;
use assure_domain::quarterly::{Quarter, QuarterlyKind, Signed};
use assure_domain::{Clock, Role};
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::{Actor, StoreError};
use chrono::{TimeZone, Utc};

const T: &str = "2026-01-01T00:00:00.000000Z";

async fn person(db: &TestDb, email: &str, role: Role, title: &str) -> Actor {
    let id = db
        .store
        .users()
        .create(&Actor::system(), NewUser { name: email.split('@').next().unwrap(), email, role, job_title: title, password_hash: "x" })
        .await
        .unwrap();
    Actor { user_id: Some(id), label: email.into(), ip: String::new() }
}

/// Three referrals from a school in March 2026 and twelve in January: a small number
/// the Cabinet report suppresses, and one it shows.
async fn referrals(db: &TestDb) {
    let s = &db.store;
    testing::exec(s, &format!("INSERT INTO agencies (id, name, kind, created_at) VALUES (1, 'Hillside School', 'education', '{T}')")).await;
    for child in 1..=15 {
        testing::exec(s, &format!("INSERT INTO children (id, first_name, last_name, created_at) VALUES ({child}, 'C{child}', 'Q', '{T}')")).await;
        let submitted =
            if child <= 3 { format!("2026-03-{:02}T10:00:00.000000Z", child + 1) } else { format!("2026-01-{:02}T10:00:00.000000Z", child) };
        testing::exec(
            s,
            &format!(
                "INSERT INTO referrals (id, child_id, agency_id, source, what_seen, seen_on, seen_where, seen_by, referral_text, tool_version, answers_json, risk_level, status, submitted_at) \
                 VALUES ({child}, {child}, 1, 'professional-concern', '', '2026-01-01', '', '', '', 1, '[]', 'medium', 'submitted', '{submitted}')"
            ),
        )
        .await;
    }
}

fn text(sections: &[(&str, &str)]) -> Vec<(String, String)> {
    sections.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

async fn quarterly_reports_are_signed_jointly_and_frozen(db: &TestDb) {
    let db = db.with_clock(Clock::fixed(Utc.with_ymd_and_hms(2026, 4, 10, 9, 0, 0).unwrap()));
    referrals(&db).await;
    let analyst = person(&db, "analyst@example.org", Role::CseAnalyst, "CSE analyst").await;
    let chair = person(&db, "dci@example.org", Role::MacseCoChair, "Detective Chief Inspector, MACSE co-chair").await;
    let other = person(&db, "manager@example.org", Role::MacseCoChair, "Safeguarding service manager, MACSE co-chair").await;
    let manager = person(&db, "pm@example.org", Role::PartnershipManager, "Partnership manager").await;
    let q = db.store.quarterly();
    let q1 = Quarter::parse("2026-Q1").unwrap();

    // Not before the quarter has ended and every month is closed.
    let e = q.create(&analyst, QuarterlyKind::Macse, Quarter::parse("2026-Q2").unwrap()).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("quarter").unwrap().contains("has not ended")), "{e:?}");
    for m in ["2026-01", "2026-02"] {
        db.store.datasets().close(&analyst, Month::parse(m).unwrap()).await.unwrap();
    }
    let e = q.create(&analyst, QuarterlyKind::Macse, q1).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("quarter").unwrap().contains("March 2026 is not closed yet")), "{e:?}");
    assert!(q.list(false).await.unwrap().is_empty(), "nothing saved");
    db.store.datasets().close(&analyst, Month::parse("2026-03").unwrap()).await.unwrap();
    let macse = q.create(&analyst, QuarterlyKind::Macse, q1).await.unwrap();
    let cabinet = q.create(&analyst, QuarterlyKind::Cabinet, q1).await.unwrap();
    let e = q.create(&analyst, QuarterlyKind::Macse, q1).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("quarter").unwrap().contains("already")), "{e:?}");

    // Nothing is signed before the summary is written.
    let r = q.get(macse).await.unwrap();
    let e = q.sign(&chair, macse, r.version).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("summary").is_some()), "{e:?}");
    assert_eq!(q.edit(&analyst, macse, r.version, &text(&[("summary", "Referrals fell in March.")]), None).await.unwrap(), 0);
    let r = q.get(macse).await.unwrap();

    // Someone who is not a co-chair: refused, nothing changed.
    for not_chair in [&analyst, &manager] {
        assert!(matches!(q.sign(not_chair, macse, r.version).await, Err(StoreError::Forbidden)));
    }
    let same = q.get(macse).await.unwrap();
    assert!(same.signatures.is_empty() && same.version == r.version && !same.signed);

    // One co-chair signs; signing again is refused; a stale version is a conflict.
    assert_eq!(q.sign(&chair, macse, r.version).await.unwrap(), Signed::AwaitingOther);
    assert!(matches!(q.sign(&other, macse, r.version).await, Err(StoreError::Conflict)));
    let r = q.get(macse).await.unwrap();
    assert_eq!(r.signatures.len(), 1);
    assert!(matches!(q.sign(&chair, macse, r.version).await, Err(StoreError::Invalid(_))));

    // An edit after one signature clears it.
    let cleared =
        q.edit(&analyst, macse, r.version, &text(&[("summary", "Referrals fell in March."), ("audit", "Two audits.")]), None).await.unwrap();
    assert_eq!(cleared, 1);
    let r = q.get(macse).await.unwrap();
    assert!(r.signatures.is_empty() && !r.signed);
    let edits = db
        .store
        .audit()
        .list(&assure_storage::audit::AuditFilter { action: Some("quarterly.edit".into()), ..Default::default() }, 10, 0)
        .await
        .unwrap()
        .0;
    assert!(edits.iter().any(|e| e.detail.contains("1 signature cleared")), "the clearing is audited");

    // Both co-chairs sign: frozen and fingerprinted.
    assert_eq!(q.sign(&chair, macse, r.version).await.unwrap(), Signed::AwaitingOther);
    let r = q.get(macse).await.unwrap();
    assert_eq!(q.sign(&other, macse, r.version).await.unwrap(), Signed::Complete);
    let r = q.get(macse).await.unwrap();
    assert!(r.signed && r.signatures.len() == 2);
    assert_eq!(r.snapshot_sha256.as_deref().map(str::len), Some(64));
    let e = q.edit(&analyst, macse, r.version, &text(&[("summary", "Changed.")]), None).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("sign").unwrap().contains("frozen")), "{e:?}");
    assert!(matches!(q.sign(&chair, macse, r.version).await, Err(StoreError::Invalid(_))));

    // The MACSE report in full; as published, the small March figure suppressed.
    let full = q.document(macse, true).await.unwrap();
    assert_eq!(full.signatures.len(), 2);
    assert!(full.sign_off_line().contains("Signed jointly"));
    assert_eq!(full.narrative[0], ("Summary of the quarter".to_string(), "Referrals fell in March.".to_string()));
    assert_eq!(full.month_fingerprints.len(), 3);
    let total = |d: &assure_domain::quarterly::QuarterlyReport| d.tables.iter().find(|t| t.measure == "referrals").unwrap().rows[0].1.clone();
    assert_eq!(total(&full).iter().map(|c| c.display()).collect::<Vec<_>>(), ["12", "0", "3"]);
    let published = q.document(macse, false).await.unwrap();
    assert_eq!(total(&published)[2], Cell::FewerThan { threshold: 5 });
    assert_eq!(full, q.document(macse, true).await.unwrap(), "a frozen report reads the same");

    // The Cabinet report is suppressed for everyone.
    let cab = q.document(cabinet, true).await.unwrap();
    assert_eq!(cab.suppressed, Some(5));
    assert_eq!(total(&cab)[2], Cell::FewerThan { threshold: 5 });

    // A snapshot changed behind the store's back is noticed.
    testing::exec(&db.store, &format!("UPDATE quarterly_reports SET snapshot = REPLACE(snapshot, 'fell', 'rose') WHERE id = {macse}")).await;
    assert!(matches!(q.document(macse, true).await, Err(StoreError::Corrupt(_))));
    db.cleanup().await;
}
on_both_engines!(quarterly_reports_are_signed_jointly_and_frozen_on, quarterly_reports_are_signed_jointly_and_frozen);
