//! The two migration sets, kept in step by hand, make the same schema: a fresh SQLite
//! and a fresh PostgreSQL database are migrated and their schemas compared. And the
//! columns that hold a child's id, read from the foreign keys, are the ones a merge of
//! two children's records moves.

use assure_storage::children::MERGED_SEPARATELY;
use assure_storage::on_both_engines;
use assure_storage::schema::{compare, engine_name, ForeignKey, Index, Schema};
use assure_storage::testing::{engines, TestDb};
use assure_storage::Engine;
use sqlx::{Connection, Executor};

/// Both engines, or none when `ASSURE_TEST_ENGINES` narrows the run to one.
async fn both() -> Option<(TestDb, TestDb)> {
    let e = engines();
    if !(e.contains(&Engine::Sqlite) && e.contains(&Engine::Postgres)) {
        eprintln!("schema parity needs both engines; ASSURE_TEST_ENGINES narrows this run to {e:?}");
        return None;
    }
    Some((TestDb::new(Engine::Sqlite).await, TestDb::new(Engine::Postgres).await))
}

/// The description holds what the migrations wrote (so that two empty or half-read
/// descriptions cannot pass the comparison).
fn described(s: &Schema) {
    let on = engine_name(s.engine);
    assert!(s.tables.len() >= 40, "{on}: only {} tables read", s.tables.len());
    assert!(!s.tables.contains_key("_sqlx_migrations"), "{on}: sqlx's table is not the schema's");
    let t = |name: &str| s.tables.get(name).unwrap_or_else(|| panic!("{on}: table {name} not read"));

    let users = t("users");
    assert_eq!(users.primary_key, ["id"], "{on}");
    assert!(!users.column("id").unwrap().nullable, "{on}: a lone integer primary key is never NULL");
    assert!(users.unique_constraints.contains(&vec!["email".to_string()]), "{on}: {:?}", users.unique_constraints);
    assert!(users.indexes.is_empty(), "{on}: the index behind UNIQUE (email) is the constraint's: {:?}", users.indexes);

    let actions = t("actions");
    assert!(actions.column("target_date").unwrap().nullable, "{on}: migration 0004");
    assert!(!actions.column("text").unwrap().nullable, "{on}");
    assert_eq!(actions.column("done").unwrap().ty, assure_storage::schema::ColumnType::Integer, "{on}");

    let order = &t("recommendations").indexes["recommendations_list_order"];
    assert_eq!(order, &Index { columns: vec!["review_id DESC".into(), "number".into(), "sub_label".into()], unique: false, partial: false }, "{on}");
    assert!(t("recommendations").unique_constraints.contains(&vec!["review_id".into(), "number".into(), "sub_label".into()]), "{on}");
    assert_eq!(t("recommendation_leads").primary_key, ["recommendation_id", "user_id"], "{on}");

    let sessions = t("sessions");
    let fk = sessions.foreign_keys.iter().find(|f| f.columns == ["user_id"]).unwrap_or_else(|| panic!("{on}: {:?}", sessions.foreign_keys));
    assert_eq!((fk.table.as_str(), fk.references.as_slice(), fk.on_delete.as_str()), ("users", &["id".to_string()][..], "CASCADE"), "{on}");
    assert!(t("referrals").foreign_keys.contains(&ForeignKey::new(&["child_id"], "children", &["id"])), "{on}");
    assert!(t("children").foreign_keys.contains(&ForeignKey::new(&["merged_into_id"], "children", &["id"])), "{on}");
}

fn listed(diffs: &[String]) -> String {
    diffs.iter().map(|d| format!("\n  - {d}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgresql_migrations_make_the_same_schema() {
    let Some((sqlite, pg)) = both().await else { return };
    let a = sqlite.store.schema().await.unwrap();
    let b = pg.store.schema().await.unwrap();
    described(&a);
    described(&b);
    let diffs = compare(&a, &b);
    assert!(
        diffs.is_empty(),
        "crates/storage/migrations/sqlite and .../postgres make different schemas ({} differences); \
         change the migration that is wrong with a new migration pair:{}",
        diffs.len(),
        listed(&diffs)
    );
    sqlite.cleanup().await;
    pg.cleanup().await;
}

/// The parity test fails, naming each, when one engine gets a column, loses a NOT NULL,
/// gets an index or loses a foreign key that the other does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_on_one_engine_only_is_reported() {
    let Some((sqlite, pg)) = both().await else { return };
    let mut conn = sqlx::SqliteConnection::connect(&sqlite.url).await.unwrap();
    conn.execute("ALTER TABLE children ADD COLUMN nickname TEXT").await.unwrap();
    conn.close().await.unwrap();
    let mut conn = sqlx::PgConnection::connect(&pg.url).await.unwrap();
    for statement in [
        "ALTER TABLE missing_episodes ALTER COLUMN risk_grading DROP NOT NULL",
        "CREATE INDEX children_ward ON children(ward)",
        "ALTER TABLE referrals DROP CONSTRAINT referrals_child_id_fkey",
    ] {
        conn.execute(statement).await.unwrap();
    }
    conn.close().await.unwrap();

    let diffs = compare(&sqlite.store.schema().await.unwrap(), &pg.store.schema().await.unwrap());
    assert_eq!(
        diffs,
        [
            "table `children`: column `nickname` exists only on SQLite",
            "index `children_ward` on `children(ward)` exists only on PostgreSQL",
            "table `missing_episodes`: column `risk_grading` is NOT NULL on SQLite but nullable on PostgreSQL",
            "table `referrals`: foreign key (child_id) → children(id) exists only on SQLite",
        ],
        "{}",
        listed(&diffs)
    );
    sqlite.cleanup().await;
    pg.cleanup().await;
}

/// A merge moves every column with a foreign key to `children(id)` except the
/// involvements (their own rule) and the merge itself, and that list is read from the
/// foreign keys: the tables that hold a child's id today are all in it.
async fn child_references_come_from_the_foreign_keys(db: &TestDb) {
    let derived = db.store.references_to("children").await.unwrap();
    let moved = db.store.child_references().await.unwrap();
    let separately: Vec<(String, String)> = MERGED_SEPARATELY.iter().map(|(t, c)| (t.to_string(), c.to_string())).collect();
    assert!(separately.iter().all(|r| derived.contains(r)), "{:?}: {derived:?}", db.engine);
    let mut both: Vec<(String, String)> = moved.iter().chain(&separately).cloned().collect();
    both.sort();
    assert_eq!(both, derived, "{:?}: every reference is moved by the merge or by its own rule", db.engine);
    for table in
        ["emergency_access", "referrals", "plans", "panel_slots", "police_flags", "operation_children", "placement_notifications", "missing_episodes"]
    {
        assert!(moved.iter().any(|(t, c)| t == table && c == "child_id"), "{:?}: {table}.child_id is moved by a merge: {moved:?}", db.engine);
    }
}
on_both_engines!(child_references, child_references_come_from_the_foreign_keys);
