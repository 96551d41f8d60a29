//! The demo is loaded wholly or not at all, on SQLite and PostgreSQL: a load cut off
//! part-way is not taken as loaded but done again from a freshly migrated database, a
//! database with accounts of its own is left alone, and two processes starting at once
//! load it once.

use assure_domain::partnership::AgencyKind;
use assure_domain::Role;
use assure_storage::first_run::Mark;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_storage::users::NewUser;
use assure_storage::{Actor, Store};
use chrono::NaiveDate;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2018, 1, 10).unwrap()
}

async fn users(store: &Store) -> i64 {
    store.users().count().await.unwrap()
}

async fn an_interrupted_load_is_done_again_from_a_fresh_database(db: &TestDb) {
    // What a crash part-way leaves: the mark started, some of the demo, not the rest.
    let sys = Actor::system();
    db.store.set_first_run_mark("demo", Mark::Started).await.unwrap();
    let stray = NewUser { name: "Half-loaded", email: "administrator@example.org", role: Role::Administrator, job_title: "", password_hash: "x" };
    db.store.users().create(&sys, stray).await.unwrap();
    db.store.partnership().create_agency(&sys, "Half-loaded agency", Some(AgencyKind::Education)).await.unwrap();
    assert_eq!(db.store.first_run_mark("demo").await.unwrap(), Mark::Started);

    assert!(assure_storage::demo::load(&db.store, today(), "hash").await.unwrap(), "an interrupted load is not taken as loaded");
    assert_eq!(db.store.first_run_mark("demo").await.unwrap(), Mark::Finished);
    let admin = db.store.users().by_email("administrator@example.org").await.unwrap().expect("the demo's administrator");
    assert_ne!(admin.0.name, "Half-loaded", "the half-loaded account is gone, not kept beside the demo's");
    let agencies = db.store.partnership().agencies().await.unwrap();
    assert!(agencies.iter().all(|a| a.name != "Half-loaded agency"), "nothing of the interrupted load remains");
    // Exactly one demo: the same accounts as a clean load into another database.
    let clean = TestDb::new(db.engine).await;
    assert!(assure_storage::demo::load(&clean.store, today(), "hash").await.unwrap());
    assert_eq!(users(&db.store).await, users(&clean.store).await);
    clean.cleanup().await;
    // What migrations seed came back with the fresh database, and the audit chain is whole.
    assert_eq!(db.store.screening().current().await.unwrap().version, 1, "the default screening tool");
    assert!(db.store.audit().verify().await.unwrap().is_ok(), "the audit chain verifies");
    // And once loaded, it is not loaded again.
    assert!(!assure_storage::demo::load(&db.store, today(), "hash").await.unwrap());
}
on_both_engines!(interrupted, an_interrupted_load_is_done_again_from_a_fresh_database);

async fn a_database_with_accounts_of_its_own_is_left_alone(db: &TestDb) {
    let sys = Actor::system();
    let own = NewUser { name: "Council admin", email: "admin@council.example", role: Role::Administrator, job_title: "", password_hash: "x" };
    db.store.users().create(&sys, own).await.unwrap();
    assert!(!assure_storage::demo::load(&db.store, today(), "hash").await.unwrap());
    assert_eq!(users(&db.store).await, 1, "nothing added");
    assert_eq!(db.store.first_run_mark("demo").await.unwrap(), Mark::None, "and nothing marked");
}
on_both_engines!(own_accounts, a_database_with_accounts_of_its_own_is_left_alone);

async fn two_processes_starting_at_once_load_it_once(db: &TestDb) {
    // A second store on the same database stands for a second instance.
    let other = Store::open(&db.url).await.unwrap();
    let (a, b) = tokio::join!(assure_storage::demo::load(&db.store, today(), "hash"), assure_storage::demo::load(&other, today(), "hash"));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a ^ b, "exactly one loads ({a}, {b})");
    let clean = TestDb::new(db.engine).await;
    assure_storage::demo::load(&clean.store, today(), "hash").await.unwrap();
    assert_eq!(users(&db.store).await, users(&clean.store).await, "one demo, not two");
    clean.cleanup().await;
    other.close().await;
}
on_both_engines!(at_once, two_processes_starting_at_once_load_it_once);
