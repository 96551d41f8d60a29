//! Subject access on both engines: everything held about one child, found from the
//! schema so that no table that refers to a child is missed (one added by the test
//! itself included), police-only material marked for redaction review, nothing about
//! another child, only for the information governance officer, and audited.

use std::collections::BTreeSet;

use assure_domain::partnership::Section;
use assure_storage::children::ChildSearch;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::{Actor, StoreError};
use serde_json::Value;

async fn demo(db: &TestDb) {
    assert!(assure_storage::demo::load(&db.store, db.store.today(), "hash").await.unwrap());
}

async fn all_children(db: &TestDb) -> Vec<i64> {
    let mash = testing::reader(&db.store, "mash-worker@example.org").await;
    db.store.children(&mash).search(&ChildSearch::default(), 1000, 0).await.unwrap().0.into_iter().map(|c| c.id).collect()
}

async fn every_child_referencing_table_is_exported(db: &TestDb) {
    demo(db).await;
    let ig = db.store.ig_officer(testing::actor(&db.store, "ig-officer@example.org").await).await.unwrap().expect("the IG officer");
    // A table added after this code was written, holding a child's id: exported too, and
    // marked for review since nothing describes it yet.
    testing::exec(
        &db.store,
        "CREATE TABLE later_notes (id BIGINT PRIMARY KEY, child_id BIGINT NOT NULL REFERENCES children(id), note TEXT NOT NULL)",
    )
    .await;
    let children = all_children(db).await;
    testing::exec(&db.store, &format!("INSERT INTO later_notes (id, child_id, note) VALUES (1, {}, 'a note kept later')", children[0])).await;

    // The demo holds no legal hold: place one so that every kind of record is met.
    let reason = assure_domain::retention::check_hold_reason("reason", "Claim").unwrap();
    db.store.place_legal_hold(&ig, children[1], &reason).await.unwrap();
    // Nor a case-file audit: open a round over the demo's year, so its sampled children's
    // cases are met.
    let today = db.store.today();
    let round = assure_domain::case_audit::RoundInput {
        title: "Spring audit".into(),
        period_from: Some(today - chrono::Duration::days(365)),
        period_to: Some(today - chrono::Duration::days(1)),
        starts_on: Some(today),
        ends_on: Some(today + chrono::Duration::days(14)),
        seed: Some(7),
        per_stratum: Some(1),
    };
    let analyst = testing::actor(&db.store, "cse-analyst@example.org").await;
    db.store.case_audits().open_round(&analyst, &round, None).await.unwrap();

    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut police_reviewed = 0;
    for &child in &children {
        let export = db.store.subject_access(&ig, child).await.unwrap();
        assert_eq!(export.child_id, child);
        assert_eq!(export.generated_by, "ig-officer@example.org");
        assert_eq!(export.kind("children").unwrap().records[0]["id"], Value::from(child), "the child's own record first");
        assert_eq!(export.kinds[0].table, "children");
        for k in &export.kinds {
            seen.insert(k.table.clone());
            for r in &k.records {
                // Nothing about another child: every row that names a child names this one.
                if let Some(c) = r.get("child_id") {
                    assert_eq!(c, &Value::from(child), "{:?}: {} names another child: {r:?}", db.engine, k.table);
                }
                let reviewed = r["for_redaction_review"] == Value::Bool(true);
                if matches!(k.table.as_str(), "police_flags" | "operations" | "operation_children" | "later_notes") {
                    assert!(reviewed, "{:?}: {} is police-only or unknown: {r:?}", db.engine, k.table);
                }
                if k.table == "plan_actions" && r["section"] == Section::Prosecute.slug() {
                    assert!(reviewed, "a Prosecute action is marked for redaction review");
                    police_reviewed += 1;
                }
                if k.table == "plan_actions" && r["section"] == Section::Protect.slug() {
                    assert!(!reviewed, "a Protect action is not police-only");
                }
            }
            assert_eq!(k.for_redaction_review, k.records.iter().filter(|r| r["for_redaction_review"] == Value::Bool(true)).count());
        }
        // Audited against the child, with counts and no personal data.
        let log = db.store.audit().list(&Default::default(), 1, 0).await.unwrap().0;
        let last = &log[0];
        assert_eq!(
            (last.action.as_str(), last.record_id.as_str(), last.actor.as_str()),
            ("child.subject-access", &*child.to_string(), "ig-officer@example.org")
        );
        assert!(last.detail.contains(&format!("{} records", export.records())), "{}", last.detail);
    }
    assert!(police_reviewed > 0, "the demo has a Prosecute action");

    // Every table that holds a child's id is in some child's export, and so is what hangs
    // off them in the demo.
    let referencing: BTreeSet<String> = db.store.references_to("children").await.unwrap().into_iter().map(|(t, _)| t).collect();
    for t in &referencing {
        if t == "children" {
            continue; // merged duplicates: covered below
        }
        assert!(seen.contains(t), "{:?}: {t} holds a child's id but is in no export: {seen:?}", db.engine);
    }
    for t in [
        "later_notes",
        "mash_checks",
        "plan_versions",
        "plan_sections",
        "plan_actions",
        "operations",
        "operation_updates",
        "return_interviews",
        "audit_log",
    ] {
        assert!(seen.contains(t), "{:?}: {t} is exported: {seen:?}", db.engine);
    }
}
on_both_engines!(every_child_referencing_table, every_child_referencing_table_is_exported);

async fn only_the_ig_officer_opens_it(db: &TestDb) {
    demo(db).await;
    for email in ["mash-worker@example.org", "administrator@example.org", "macse-co-chair@example.org"] {
        assert!(db.store.ig_officer(testing::actor(&db.store, email).await).await.unwrap().is_none(), "{email}");
    }
    assert!(db.store.ig_officer(Actor::system()).await.unwrap().is_some(), "the command line, which holds the database already");
    let ig = db.store.ig_officer(testing::actor(&db.store, "ig-officer@example.org").await).await.unwrap().unwrap();
    // A number that names no child: refused as no such child, audited.
    assert!(matches!(db.store.subject_access(&ig, 999_999).await, Err(StoreError::NoSuchChild)));
    let log = db.store.audit().list(&Default::default(), 1, 0).await.unwrap().0;
    assert_eq!((log[0].action.as_str(), log[0].record_type.as_str()), ("child.refused", "unknown-child"));
    // A merged duplicate's record is part of the record it was merged into.
    let children = all_children(db).await;
    let mash = testing::reader(&db.store, "mash-worker@example.org").await;
    let (keep, dup) = (children[0], children[1]);
    let k = db.store.open_child(&mash, assure_storage::ChildKey::Child(keep), Section::Identity).await.unwrap();
    let d = db.store.open_child(&mash, assure_storage::ChildKey::Child(dup), Section::Identity).await.unwrap();
    if k.merge(&d, k.child().version).await.is_ok() {
        let export = db.store.subject_access(&ig, keep).await.unwrap();
        let ids: Vec<&Value> = export.kind("children").unwrap().records.iter().map(|r| &r["id"]).collect();
        assert_eq!(ids, [&Value::from(keep), &Value::from(dup)]);
    }
    // The audit chain still verifies.
    assert!(db.store.audit().verify().await.unwrap().is_ok(), "the audit chain is intact");
}
on_both_engines!(only_the_ig_officer, only_the_ig_officer_opens_it);

/// Legal holds: placed with a reason on a child that exists, listed in force first,
/// lifted once, audited against the child without the reason, and part of the export.
async fn legal_holds_are_placed_and_lifted(db: &TestDb) {
    demo(db).await;
    let ig = db.store.ig_officer(testing::actor(&db.store, "ig-officer@example.org").await).await.unwrap().unwrap();
    let child = all_children(db).await[0];
    let reason = assure_domain::retention::check_hold_reason("reason", "Claim HQ-2026-17").unwrap();
    assert!(matches!(db.store.place_legal_hold(&ig, 999_999, &reason).await, Err(StoreError::NoSuchChild)));
    let hold = db.store.place_legal_hold(&ig, child, &reason).await.unwrap();
    let mash = testing::reader(&db.store, "mash-worker@example.org").await;
    let record = db.store.open_child(&mash, assure_storage::ChildKey::Child(child), Section::Identity).await.unwrap();
    assert!(record.on_hold().await.unwrap(), "the child's page shows the hold");
    let holds = db.store.legal_holds(&ig).await.unwrap();
    assert_eq!((holds[0].id, holds[0].child_id, holds[0].reason.as_str()), (hold, child, "Claim HQ-2026-17"));
    assert_eq!(holds[0].placed_by.as_deref(), Some("ig-officer@example.org"));
    let export = db.store.subject_access(&ig, child).await.unwrap();
    assert_eq!(export.kind("legal_holds").unwrap().records.len(), 1, "a hold is part of what is held");

    let why = assure_domain::retention::check_hold_reason("lift_reason", "Claim settled").unwrap();
    db.store.lift_legal_hold(&ig, hold, &why).await.unwrap();
    assert!(matches!(db.store.lift_legal_hold(&ig, hold, &why).await, Err(StoreError::NotFound)), "lifted once");
    assert!(!record.on_hold().await.unwrap());
    let holds = db.store.legal_holds(&ig).await.unwrap();
    assert_eq!((holds[0].lifted_by.as_deref(), holds[0].lift_reason.as_str()), (Some("ig-officer@example.org"), "Claim settled"));
    let filter = assure_storage::audit::AuditFilter { action: Some("child.legal-hold".into()), ..Default::default() };
    let log = db.store.audit().list(&filter, 10, 0).await.unwrap().0;
    let details: Vec<&str> = log.iter().map(|e| e.detail.as_str()).collect();
    assert_eq!(details, [format!("legal hold {hold} lifted"), format!("legal hold {hold} placed")], "audited without the reason");
    assert!(log.iter().all(|e| e.record_id == child.to_string()));
}
on_both_engines!(legal_holds, legal_holds_are_placed_and_lifted);
