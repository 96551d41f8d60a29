//! Views are audited by group commit, run on both engines: many people opening records
//! at once share commits, each is answered only once its own entry is committed, and a
//! batch that cannot be written fails every request in it.

use std::time::Duration;

use assure_storage::audit::{AuditFilter, Event};
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_storage::{Actor, Engine, Store};
use sqlx::Connection;

const N: usize = 40;

fn viewer(i: usize) -> Actor {
    Actor { user_id: None, label: format!("viewer-{i}@example.org"), ip: "127.0.0.1".into() }
}

/// The entries of `record_id` for the test's views, read afresh.
async fn rows_for(store: &Store, record_id: &str) -> usize {
    let f = AuditFilter { action: Some("child.view".into()), record_id: Some(record_id.into()), ..Default::default() };
    store.audit().list(&f, 10, 0).await.unwrap().0.len()
}

/// Wait until `n` entries are queued for their commit.
async fn wait_until_waiting(store: &Store, n: usize) {
    for _ in 0..500 {
        if store.audit_entries_waiting() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("only {} of {n} entries queued", store.audit_entries_waiting());
}

async fn concurrent_views_each_wait_for_their_own_commit(db: &TestDb) {
    let before = db.store.audit().head().await.unwrap().0;
    // Hold the audit chain (what a slow write does): an open write transaction that has
    // appended an entry, so no other commit can take the chain until it ends.
    let mut hold = db.store.write().await.unwrap();
    hold.audit(&Actor::system(), Event::new("test.hold", "test", 0, "holding the chain")).await.unwrap();

    let started = db.store.query_count();
    let mut tasks = Vec::new();
    for i in 0..N {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            store.record(&viewer(i), Event::new("child.view", "child", 1000 + i, format!("profile: viewed, number {i}"))).await.unwrap();
            // Answered: its entry is already there for anyone to read.
            assert_eq!(rows_for(&store, &(1000 + i).to_string()).await, 1, "view {i} was answered before its entry was committed");
        }));
    }
    // Every view is waiting, and none is answered while the chain is held.
    wait_until_waiting(&db.store, N).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(tasks.iter().all(|t| !t.is_finished()), "a view was answered before its entry could be committed");
    assert_eq!(db.store.audit().head().await.unwrap().0, before, "nothing is committed yet");

    hold.commit().await.unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    // In far fewer statements than a commit each (one takes four or five; each view's
    // check above reads once), each view exactly once, the chain intact.
    let statements = db.store.query_count() - started;
    assert!(statements < 3 * N as u64, "{N} views in one shared commit, not one each (four or five statements): {statements} statements");
    for i in 0..N {
        assert_eq!(rows_for(&db.store, &(1000 + i).to_string()).await, 1);
    }
    assert_eq!(db.store.audit().head().await.unwrap().0, before + 1 + N as i64);
    db.store.audit().verify().await.unwrap().expect("intact audit chain");

    // Unhurried views, one after another, are each committed too.
    for i in 0..5 {
        db.store.record(&viewer(i), Event::new("child.view", "child", 2000 + i, "profile: viewed")).await.unwrap();
        assert_eq!(rows_for(&db.store, &(2000 + i).to_string()).await, 1);
    }
    db.store.audit().verify().await.unwrap().expect("intact audit chain");
}
on_both_engines!(views_share_commits, concurrent_views_each_wait_for_their_own_commit);

/// Make the database refuse audit entries whose detail starts "refuse me".
async fn refuse_some_entries(db: &TestDb) {
    match db.engine {
        Engine::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            sqlx::query(
                "CREATE TRIGGER refuse_some BEFORE INSERT ON audit_log WHEN NEW.detail LIKE 'refuse me%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
            )
            .execute(&mut c)
            .await
            .unwrap();
        }
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
            sqlx::query(
                "CREATE FUNCTION refuse_some() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.detail LIKE 'refuse me%' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$",
            )
            .execute(&mut c)
            .await
            .unwrap();
            sqlx::query("CREATE TRIGGER refuse_some BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_some()")
                .execute(&mut c)
                .await
                .unwrap();
        }
    }
}

async fn a_batch_that_cannot_be_written_fails_every_request_in_it(db: &TestDb) {
    refuse_some_entries(db).await;
    let before = db.store.audit().head().await.unwrap().0;
    let mut hold = db.store.write().await.unwrap();
    hold.audit(&Actor::system(), Event::new("test.hold", "test", 0, "holding the chain")).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..N {
        let store = db.store.clone();
        // One entry in the batch the database refuses; the others are fine on their own.
        let detail = if i == N / 2 { "refuse me".to_string() } else { format!("profile: viewed, number {i}") };
        tasks.push(tokio::spawn(async move { store.record(&viewer(i), Event::new("child.view", "child", 3000 + i, detail)).await }));
    }
    wait_until_waiting(&db.store, N).await;
    hold.commit().await.unwrap();
    for t in tasks {
        let e = t.await.unwrap().expect_err("every request in the failed batch fails");
        assert!(!e.is_unavailable() && !e.is_storage_full(), "{e}");
    }
    for i in 0..N {
        assert_eq!(rows_for(&db.store, &(3000 + i).to_string()).await, 0, "nothing of the failed batch was written");
    }
    assert_eq!(db.store.audit().head().await.unwrap().0, before + 1);

    // The queue goes on: the next views are committed.
    for i in 0..3 {
        db.store.record(&viewer(i), Event::new("child.view", "child", 4000 + i, "profile: viewed")).await.unwrap();
        assert_eq!(rows_for(&db.store, &(4000 + i).to_string()).await, 1);
    }
    // And a view the database refuses alone fails alone.
    assert!(db.store.record(&viewer(0), Event::new("child.view", "child", 5000, "refuse me")).await.is_err());
    db.store.audit().verify().await.unwrap().expect("intact audit chain");
}
on_both_engines!(failed_batch, a_batch_that_cannot_be_written_fails_every_request_in_it);

/// Views that arrive just as a writer finds the queue empty and ends: each is committed
/// by the next writer, never dropped by the one ending (many small bursts, so writers
/// end and start over and over on two threads).
async fn views_arriving_as_a_writer_ends_are_never_dropped(db: &TestDb) {
    const TASKS: usize = 16;
    const EACH: usize = 40;
    let before = db.store.audit().head().await.unwrap().0;
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..EACH {
                let n = 10_000 + t * EACH + i;
                store.record(&viewer(n), Event::new("child.view", "child", n, "profile: viewed")).await.expect("a view is committed, not dropped");
                tokio::task::yield_now().await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(db.store.audit().head().await.unwrap().0, before + (TASKS * EACH) as i64, "every view has its entry");
    db.store.audit().verify().await.unwrap().expect("intact audit chain");
}
on_both_engines!(writers_hand_over, views_arriving_as_a_writer_ends_are_never_dropped);
