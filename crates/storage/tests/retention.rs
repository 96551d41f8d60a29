//! The retention policy on both engines, on a fixed clock: nothing of the demo is due
//! today; decades on, every child is due on the later of the 25th birthday and six years
//! after the last activity; a held child is listed as held and never destroyed; a
//! destruction deletes every row held about the child in one go, leaves a tombstone
//! without personal data, and the audit chain still verifies.

use assure_domain::retention::{due_on, CHILD_RECORDS};
use assure_domain::Clock;
use assure_storage::children::ChildSearch;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::{Actor, StoreError};
use chrono::{Duration, Utc};

async fn the_due_list_holds_and_destruction(db: &TestDb) {
    let clock = Clock::fixed(Utc::now());
    let db = db.with_clock(clock.clone());
    let db = &db;
    assert!(assure_storage::demo::load(&db.store, db.store.today(), "hash").await.unwrap());
    let ig = db.store.ig_officer(testing::actor(&db.store, "ig-officer@example.org").await).await.unwrap().unwrap();
    let policy = db.store.retention_policy().await.unwrap();
    let children_policy = policy.iter().find(|p| p.kind == CHILD_RECORDS).unwrap().clone();
    assert_eq!((children_policy.until_age, children_policy.years_after_last_activity, children_policy.destroyed), (Some(25), 6, true));
    assert!(policy.iter().any(|p| p.kind == "audit-log" && !p.destroyed), "the audit log is never destroyed");
    assert!(db.store.retention_due(&ig).await.unwrap().is_empty(), "{:?}: nothing is due today", db.engine);

    let mash = testing::reader(&db.store, "mash-worker@example.org").await;
    let children = db.store.children(&mash).search(&ChildSearch::default(), 1000, 0).await.unwrap().0;
    let (held, gone) = (children[0].id, children[1].id);
    let reason = assure_domain::retention::check_hold_reason("reason", "Claim").unwrap();
    db.store.place_legal_hold(&ig, held, &reason).await.unwrap();

    // Fifty years on, every child is due on the later of the two dates.
    clock.advance(Duration::days(365 * 50));
    let due = db.store.retention_due(&ig).await.unwrap();
    assert_eq!(due.len(), children.len(), "{:?}: every child is due", db.engine);
    for c in &children {
        let d = due.iter().find(|d| d.child_id == c.id).unwrap();
        assert_eq!(d.due_on, due_on(&children_policy, c.date_of_birth, d.last_activity), "{}", c.id);
        assert_eq!(d.held, c.id == held);
    }
    // Six years after the last activity of a child, but not a day before.
    let d = due.iter().find(|d| d.child_id == gone).unwrap().clone();
    let before = db.store.clone().with_clock(Clock::fixed((d.due_on - Duration::days(1)).and_hms_opt(12, 0, 0).unwrap().and_utc()));
    assert!(!before.retention_due(&ig).await.unwrap().iter().any(|x| x.child_id == gone), "not due the day before");

    // A held child is never destroyed.
    assert!(matches!(db.store.destroy_child_record(&ig, held).await, Err(StoreError::Invalid(_))));
    assert!(testing::child_as_stored(&db.store, held).await.is_some());

    let rows = db.store.destroy_child_record(&ig, gone).await.unwrap();
    assert!(rows > 1, "the child and what hangs off it ({rows} rows)");
    assert!(testing::child_as_stored(&db.store, gone).await.is_none());
    let system = db.store.ig_officer(Actor::system()).await.unwrap().unwrap();
    assert!(matches!(db.store.subject_access(&system, gone).await, Err(StoreError::NoSuchChild)), "nothing held any more");
    let filter = assure_storage::audit::AuditFilter { action: Some("retention.destroy".into()), ..Default::default() };
    let log = db.store.audit().list(&filter, 10, 0).await.unwrap().0;
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].record_id.as_str(), log[0].actor.as_str()), (&*gone.to_string(), "ig-officer@example.org"));
    assert!(log[0].detail.contains("children 1"), "{}", log[0].detail);
    let c = &children[1];
    for personal in [&c.first_name, &c.last_name, &c.address] {
        assert!(personal.is_empty() || !log[0].detail.contains(personal.as_str()), "no personal data in the tombstone");
    }
    assert!(!db.store.retention_due(&ig).await.unwrap().iter().any(|x| x.child_id == gone));
    assert!(matches!(db.store.destroy_child_record(&ig, gone).await, Err(StoreError::Invalid(_))), "once");
    assert!(db.store.audit().verify().await.unwrap().is_ok(), "the audit chain still verifies");
    // Every other child's record is whole.
    for c in &children[2..] {
        assert!(testing::child_as_stored(&db.store, c.id).await.is_some());
    }
}
on_both_engines!(due_list_and_destruction, the_due_list_holds_and_destruction);

/// The daily retention scan reads each child's last activity from an index alone
/// (audit_child_activity, migration 0095: the child's entries with their time and action),
/// never the audit log's rows: at national scale (10,000,000 entries) reading the rows
/// took minutes. SQLite's `EXPLAIN QUERY PLAN` names the covering index and no scan of
/// the log; PostgreSQL's `EXPLAIN` an index-only scan of it.
async fn the_retention_scan_reads_the_last_activity_from_an_index(db: &TestDb) {
    assert!(assure_storage::demo::load(&db.store, db.store.today(), "hash").await.unwrap());
    // Records with years behind them: forty more entries a child (on the demo's handful
    // a child, reading the rows or the index costs the planner about the same).
    testing::exec(
        &db.store,
        "INSERT INTO audit_log (seq, at, actor, action, record_type, record_id, detail, ip, prev_hash, hash) \
         WITH RECURSIVE n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 40) \
         SELECT (SELECT MAX(seq) FROM audit_log) + c.id * 100 + n.n, '2020-01-01T00:00:00.000000Z', 'system', 'child.update', 'child', \
         CAST(c.id AS TEXT), '', '', 'generated', 'generated' FROM children c CROSS JOIN n",
    )
    .await;
    let plan = testing::retention_scan_plan(&db.store).await;
    let text = plan.join("\n");
    match db.engine {
        assure_storage::Engine::Sqlite => {
            assert!(plan.iter().any(|l| l.contains("USING COVERING INDEX audit_child_activity")), "{text}");
            assert!(!plan.iter().any(|l| l.trim_start().starts_with("SCAN a")), "no scan of the audit log:\n{text}");
        }
        assure_storage::Engine::Postgres => {
            // (Backward: the latest entry first, so the scan stops at the first activity.)
            assert!(plan.iter().any(|l| l.contains("Index Only Scan") && l.contains("using audit_child_activity on audit_log a")), "{text}");
            assert!(!text.contains("Seq Scan on audit_log"), "{text}");
        }
    }
}
on_both_engines!(retention_scan_plan, the_retention_scan_reads_the_last_activity_from_an_index);
