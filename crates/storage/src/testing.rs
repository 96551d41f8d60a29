//! Fresh databases for tests, on either engine. Every storage test runs on both:
//! SQLite in a temporary directory, and PostgreSQL in a new database on the
//! server named by `ASSURE_TEST_POSTGRES_URL` (default: local, trust auth).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor};

use crate::{sqlite_url, Engine, Store};

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub fn postgres_admin_url() -> String {
    std::env::var("ASSURE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{prefix}_{}_{}_{}", std::process::id(), nanos % 1_000_000_000, COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A throwaway database and the URL it lives at.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    pub engine: Engine,
    /// For SQLite: the data directory (also used for uploaded files).
    pub dir: PathBuf,
}

impl TestDb {
    pub async fn new(engine: Engine) -> TestDb {
        let dir = std::env::temp_dir().join(unique("assure_test"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = match engine {
            Engine::Sqlite => sqlite_url(&dir),
            Engine::Postgres => create_pg_database().await,
        };
        let store = Store::open(&url).await.unwrap_or_else(|e| panic!("open {engine:?} test database: {e}"));
        // The audit keys in the data directory, as the assure command uses them.
        store.set_audit_keys(crate::audit::load_or_create_audit_keys(&dir).expect("audit keys"));
        TestDb { store, url, engine, dir }
    }

    /// The same database seen through a store on `clock` (a test clock the test sets and
    /// advances). Only the original is cleaned up.
    pub fn with_clock(&self, clock: assure_domain::Clock) -> TestDb {
        TestDb { store: self.store.clone().with_clock(clock), url: self.url.clone(), engine: self.engine, dir: self.dir.clone() }
    }

    /// Remove the database and its directory (called when a test passes).
    pub async fn cleanup(self) {
        self.store.close().await;
        let _ = std::fs::remove_dir_all(&self.dir);
        if self.engine == Engine::Postgres {
            if let Some((_, name)) = self.url.rsplit_once('/') {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                    let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
                }
            }
        }
    }
}

/// The first recommendation on the register from a scrutiny review: the demo's newest
/// review is its case-file audit's, whose actions report to no committee.
pub async fn scrutiny_recommendation(store: &Store) -> crate::tracker::Recommendation {
    let (recs, _) = store.tracker().list_recommendations(&Default::default(), 100, 0).await.expect("recommendations");
    recs.into_iter().find(|r| r.origin != crate::case_audits::ORIGIN).expect("a scrutiny review's recommendation")
}

/// The newest scrutiny review (not a case-file audit's: see [`scrutiny_recommendation`]).
pub async fn scrutiny_review(store: &Store) -> i64 {
    let reviews = store.tracker().reviews().await.expect("reviews");
    reviews.into_iter().find(|r| r.kind != assure_domain::tracker::ReviewKind::Other).expect("a scrutiny review").id
}

/// Where each engine's demo template is, once this test process has made it.
#[cfg(feature = "demo")]
static DEMO_TEMPLATES: tokio::sync::Mutex<Vec<(Engine, PathBuf, Option<String>)>> = tokio::sync::Mutex::const_new(Vec::new());

#[cfg(feature = "demo")]
impl TestDb {
    /// A fresh database with the demo already loaded, as if [`crate::demo::load`] had run
    /// on a new [`TestDb`] today. The demo is loaded once per test process and engine,
    /// into a template (`password_hash` is asked for then); each test gets its own copy:
    /// the data directory copied (the SQLite file, the audit keys), and on PostgreSQL a
    /// database made with `CREATE DATABASE … TEMPLATE`. Templates of test processes that
    /// have ended are removed when a new one is made.
    pub async fn with_demo(engine: Engine, password_hash: impl FnOnce() -> String) -> TestDb {
        let (template_dir, template_db) = {
            let mut templates = DEMO_TEMPLATES.lock().await;
            match templates.iter().find(|(e, _, _)| *e == engine) {
                Some((_, dir, db)) => (dir.clone(), db.clone()),
                None => {
                    remove_ended_templates().await;
                    let dir = std::env::temp_dir().join(unique("assure_tpl"));
                    std::fs::create_dir_all(&dir).expect("template dir");
                    let (url, db) = match engine {
                        Engine::Sqlite => (sqlite_url(&dir), None),
                        Engine::Postgres => {
                            let name = unique("assure_tpl");
                            (create_pg_database_named(&name, None).await, Some(name))
                        }
                    };
                    let store = Store::open(&url).await.unwrap_or_else(|e| panic!("open the {engine:?} demo template: {e}"));
                    store.set_audit_keys(crate::audit::load_or_create_audit_keys(&dir).expect("audit keys"));
                    let loaded = crate::demo::load(&store, store.today(), &password_hash()).await.expect("load the demo into the template");
                    assert!(loaded, "the demo loads into the empty template");
                    let dir = match engine {
                        Engine::Postgres => {
                            store.close().await;
                            dir
                        }
                        // The copies are made from a snapshot that no connection ever
                        // opens: the live file's write-ahead log can still be checkpointed
                        // and removed while a copy is being made (seen in CI).
                        Engine::Sqlite => {
                            let snapshot = std::env::temp_dir().join(unique("assure_tpl"));
                            std::fs::create_dir_all(&snapshot).expect("template snapshot dir");
                            let file = snapshot.join("assure.db");
                            store
                                .q(&format!("VACUUM INTO '{}'", file.display().to_string().replace('\'', "''")))
                                .execute(store.pool())
                                .await
                                .expect("snapshot the SQLite demo template");
                            store.close().await;
                            copy_dir_except(&dir, &snapshot, |name| name.starts_with("assure.db"));
                            let _ = std::fs::remove_dir_all(&dir);
                            snapshot
                        }
                    };
                    templates.push((engine, dir.clone(), db.clone()));
                    (dir, db)
                }
            }
        };
        let dir = std::env::temp_dir().join(unique("assure_test"));
        copy_dir(&template_dir, &dir);
        let url = match &template_db {
            None => sqlite_url(&dir),
            Some(t) => create_pg_database_named(&unique("assure_t"), Some(t)).await,
        };
        let store = Store::open(&url).await.unwrap_or_else(|e| panic!("open {engine:?} test database: {e}"));
        store.set_audit_keys(crate::audit::load_or_create_audit_keys(&dir).expect("audit keys"));
        TestDb { store, url, engine, dir }
    }
}

#[cfg(feature = "demo")]
fn copy_dir(from: &Path, to: &Path) {
    copy_dir_except(from, to, |_| false);
}

#[cfg(feature = "demo")]
fn copy_dir_except(from: &Path, to: &Path, skip: impl Fn(&str) -> bool + Copy) {
    std::fs::create_dir_all(to).expect("test dir");
    for e in std::fs::read_dir(from).expect("read the template dir").flatten() {
        if e.file_name().to_str().is_some_and(skip) {
            continue;
        }
        let target = to.join(e.file_name());
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            copy_dir_except(&e.path(), &target, skip);
        } else {
            std::fs::copy(e.path(), &target).unwrap_or_else(|err| panic!("copy {}: {err}", e.path().display()));
        }
    }
}

/// Remove demo templates (directories and PostgreSQL databases) whose test process has
/// ended: their names carry the process id.
#[cfg(feature = "demo")]
async fn remove_ended_templates() {
    let ended = |name: &str| {
        name.strip_prefix("assure_tpl_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|pid| pid.parse::<u32>().ok())
            .is_some_and(|pid| pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists())
    };
    if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
        for e in entries.flatten() {
            if e.file_name().to_str().is_some_and(ended) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    if engines().contains(&Engine::Postgres) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
            let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'assure_tpl_%'")
                .fetch_all(&mut conn)
                .await
                .unwrap_or_default();
            for n in names.iter().filter(|n| ended(n)) {
                let _ = conn.execute(format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)").as_str()).await;
            }
        }
    }
}

/// Declare a storage test that runs once per engine: `on_both_engines!(name, async_fn);`
/// where `async fn async_fn(db: &TestDb)`. With `demo = HASH` (an expression giving the
/// demo accounts' password hash) each database starts with the demo loaded
/// ([`TestDb::with_demo`]).
#[macro_export]
macro_rules! on_both_engines {
    ($name:ident, $body:ident, demo = $hash:expr) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if !$crate::testing::engines().contains(&$crate::Engine::Sqlite) {
                    return;
                }
                let db = $crate::testing::TestDb::with_demo($crate::Engine::Sqlite, || $hash).await;
                super::$body(&db).await;
                db.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if !$crate::testing::engines().contains(&$crate::Engine::Postgres) {
                    return;
                }
                let db = $crate::testing::TestDb::with_demo($crate::Engine::Postgres, || $hash).await;
                super::$body(&db).await;
                db.cleanup().await;
            }
        }
    };
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if !$crate::testing::engines().contains(&$crate::Engine::Sqlite) {
                    return;
                }
                let db = $crate::testing::TestDb::new($crate::Engine::Sqlite).await;
                super::$body(&db).await;
                db.cleanup().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if !$crate::testing::engines().contains(&$crate::Engine::Postgres) {
                    return;
                }
                let db = $crate::testing::TestDb::new($crate::Engine::Postgres).await;
                super::$body(&db).await;
                db.cleanup().await;
            }
        }
    };
}

async fn create_pg_database() -> String {
    create_pg_database_named(&unique("assure_t"), None).await
}

/// Create a database (a copy of `template` when given) and return its URL. Copies of
/// one template made at the same moment can be refused while another is being made:
/// tried again for a while.
async fn create_pg_database_named(name: &str, template: Option<&str>) -> String {
    let admin = postgres_admin_url();
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is needed for the storage tests at {admin} ({e}); start it or set ASSURE_TEST_POSTGRES_URL"));
    let sql = match template {
        Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
        None => format!("CREATE DATABASE {name}"),
    };
    let mut tries = 0;
    loop {
        match conn.execute(sql.as_str()).await {
            Ok(_) => break,
            Err(e) if template.is_some() && tries < 100 && e.to_string().contains("being accessed by other users") => {
                tries += 1;
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Err(e) => panic!("create test database {name}: {e}"),
        }
    }
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin.clone());
    format!("{base}/{name}")
}

/// Somewhere to restore a backup into: a data directory that does not exist yet and,
/// on PostgreSQL, the URL of a new database with nothing in it (not migrated).
pub async fn empty_target(engine: Engine) -> (PathBuf, Option<String>) {
    let dir = std::env::temp_dir().join(unique("assure_restore"));
    let url = match engine {
        Engine::Sqlite => None,
        Engine::Postgres => Some(create_pg_database().await),
    };
    (dir, url)
}

/// Remove what [`empty_target`] made (and whatever was restored into it).
pub async fn drop_target(dir: &Path, url: Option<&str>) {
    let _ = std::fs::remove_dir_all(dir);
    if let Some((_, name)) = url.and_then(|u| u.rsplit_once('/')) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
            let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
        }
    }
}

/// Run a test body on both engines (or only those in `ASSURE_TEST_ENGINES`, e.g. "sqlite").
pub fn engines() -> Vec<Engine> {
    match std::env::var("ASSURE_TEST_ENGINES").ok().as_deref() {
        Some("sqlite") => vec![Engine::Sqlite],
        Some("postgres") => vec![Engine::Postgres],
        _ => vec![Engine::Sqlite, Engine::Postgres],
    }
}

// ------------------------------------------------------------------ fixtures and assertions
// These read or write past the door (the need-to-know rule) on purpose: tests set up
// partnerships and check what was stored. Production code never calls them.

/// The reader behind an account, by e-mail (a pathway role placed in an agency).
pub async fn reader(store: &Store, email: &str) -> crate::Reader {
    let (user, _) = store.users().by_email(email).await.expect("look up the account").unwrap_or_else(|| panic!("no account {email}"));
    let actor = crate::Actor { user_id: Some(user.id), label: email.to_string(), ip: String::new() };
    store.reader(actor).await.expect("load the reader").unwrap_or_else(|| panic!("{email} is not on the pathway"))
}

/// The reader behind an account, by id.
pub async fn reader_of(store: &Store, user_id: i64) -> crate::Reader {
    let actor = crate::Actor { user_id: Some(user_id), label: format!("user-{user_id}@example.org"), ip: String::new() };
    store.reader(actor).await.expect("load the reader").unwrap_or_else(|| panic!("user {user_id} is not on the pathway"))
}

/// Children in a viewer's reach by name (not audited), with the total: the same filter
/// as every list.
pub async fn children_in_reach(
    store: &Store,
    viewer: &assure_domain::partnership::Viewer,
    name: Option<&str>,
    limit: i64,
    offset: i64,
) -> (Vec<crate::children::Child>, crate::keyset::Total) {
    let search = crate::children::ChildSearch { name: name.map(str::to_string), date_of_birth: None };
    store.find_children(viewer, &search, limit, offset).await.expect("list children")
}

/// A child as stored, with every involvement (none cut), or `None`.
pub async fn child_as_stored(store: &Store, child_id: i64) -> Option<crate::children::Child> {
    store.child_with_involvements(child_id).await.expect("read the child")
}

/// Every involvement of a child as stored.
pub async fn involvements_of(store: &Store, child_id: i64) -> Vec<assure_domain::partnership::Involvement> {
    child_as_stored(store, child_id).await.map(|c| c.involvements).unwrap_or_default()
}

/// Make an agency involved with a child directly (a fixture).
pub async fn involve(
    store: &Store,
    child_id: i64,
    agency_id: i64,
    kind: assure_domain::partnership::InvolvementKind,
    scope: assure_domain::partnership::Scope,
    since: chrono::NaiveDate,
) {
    let mut tx = store.write().await.expect("write");
    store.involve(&mut tx, &crate::Actor::system(), child_id, agency_id, kind, scope, since).await.expect("involve");
    tx.commit().await.expect("commit");
}

/// A child with no agency involved (a fixture).
pub async fn new_child(store: &Store, input: &crate::children::ChildInput) -> i64 {
    let child = crate::children::check_child(input).expect("a valid child");
    let mut tx = store.write().await.expect("write");
    let id = store.insert_child(&mut tx, &crate::Actor::system(), &child).await.expect("insert child");
    tx.commit().await.expect("commit");
    id
}

/// Every child's identifying details as stored (a fixture for checking that none reach
/// somewhere they must not, such as an e-mail): first name, last name, date of birth,
/// address.
pub async fn every_child_identity(store: &Store) -> Vec<(String, String, Option<chrono::NaiveDate>, String)> {
    use crate::RowExt;
    let rows =
        store.q("SELECT first_name, last_name, date_of_birth, address FROM children ORDER BY id").fetch_all(store.pool()).await.expect("children");
    rows.iter().map(|r| (r.s("first_name").unwrap(), r.s("last_name").unwrap(), r.od("date_of_birth").unwrap(), r.s("address").unwrap())).collect()
}

/// How many rows SQLite's planner statistics hold (sqlite_stat1; 0 before any ANALYZE).
pub async fn sqlite_statistics_rows(store: &Store) -> i64 {
    use crate::RowExt;
    let exists =
        store.q("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'").fetch_one(store.pool()).await.expect("schema").i("n").unwrap();
    if exists == 0 {
        return 0;
    }
    store.q("SELECT COUNT(*) AS n FROM sqlite_stat1").fetch_one(store.pool()).await.expect("statistics").i("n").unwrap()
}

/// The actor behind an account, by e-mail.
pub async fn actor(store: &Store, email: &str) -> crate::Actor {
    let (user, _) = store.users().by_email(email).await.expect("look up the account").unwrap_or_else(|| panic!("no account {email}"));
    crate::Actor { user_id: Some(user.id), label: email.to_string(), ip: String::new() }
}

/// Run a statement past every rule (a test's own table, a row set up by hand).
pub async fn exec(store: &Store, sql: &str) {
    store.q(sql).execute(store.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A child protection case opened for a child's referral today, as a decision of child
/// protection opens one (a fixture: the referral itself is left as it is).
pub async fn open_cp_case(store: &Store, child_id: i64, referral_id: i64) -> i64 {
    let mut tx = store.write().await.expect("write");
    let id = store.open_cp_case(&mut tx, &crate::Actor::system(), child_id, referral_id, store.today()).await.expect("open cp case");
    tx.commit().await.expect("commit");
    id
}

/// How many rows a table holds (a test's check that a refused write saved nothing).
pub async fn count_rows(store: &Store, table: &str) -> i64 {
    use crate::RowExt;
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    store.q(&sql).fetch_one(store.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}")).i("n").unwrap()
}

/// The engine's plan for a statement, a line a step: SQLite's `EXPLAIN QUERY PLAN`
/// details, PostgreSQL's `EXPLAIN`. On PostgreSQL sequential scans are turned off for
/// the statement (on a test's few rows a scan is always cheapest), so that the plan
/// shows whether an index can serve it; the table's statistics and visibility map are
/// brought up to date first (`VACUUM ANALYZE`), as an index-only scan needs them.
pub async fn query_plan(store: &Store, sql: &crate::sql::Sql, tables: &[&str]) -> Vec<String> {
    use sqlx::Row;
    let mut conn = store.pool().acquire().await.expect("a connection");
    let postgres = store.engine() == Engine::Postgres;
    if postgres {
        for t in tables {
            conn.execute(format!("VACUUM ANALYZE {t}").as_str()).await.expect("vacuum");
        }
        conn.execute("SET enable_seqscan = off").await.expect("set");
    }
    let mut explain = crate::sql::Sql::new(if postgres { "EXPLAIN " } else { "EXPLAIN QUERY PLAN " });
    explain.append(sql);
    let rows = explain.query(store).fetch_all(&mut *conn).await.unwrap_or_else(|e| panic!("{}: {e}", explain.text()));
    if postgres {
        conn.execute("RESET enable_seqscan").await.expect("reset");
    }
    rows.iter().map(|r| r.try_get::<String, _>(if postgres { 0 } else { 3 }).expect("a plan line")).collect()
}

/// The plan of the daily retention scan (see [`query_plan`]).
pub async fn retention_scan_plan(store: &Store) -> Vec<String> {
    query_plan(store, &crate::retention::due_children_sql(None), &["audit_log", "children", "legal_holds"]).await
}
