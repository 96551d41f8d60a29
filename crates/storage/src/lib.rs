//! Assure's storage: one code path over SQLite (embedded default) and
//! PostgreSQL (production, several instances).
//!
//! Both engines are driven through `sqlx::Any` with the same SQL text: the
//! schemas use the same column types (dates as ISO TEXT, integers as 64-bit), and
//! the rare engine-specific statement is chosen from [`Engine`] in one place.
//!
//! [`Store`] itself only connects, migrates, counts statements and opens write
//! transactions; the data is reached through its parts, one small handle per
//! aggregate: `store.tracker()`, `store.reports()`, `store.imports()`,
//! `store.users()`, `store.sessions()`, `store.settings()` and `store.audit()`.
//! A statement whose text depends on its input is built with [`sql::Sql`].

#![forbid(unsafe_code)]

pub mod audit;
pub mod backup;
pub mod case_audits;
pub mod child_access;
pub mod child_protection;
pub mod children;
pub mod chronology;
pub mod datasets;
#[cfg(feature = "demo")]
pub mod demo;
#[cfg(feature = "demo")]
pub mod demo_forward_plan;
#[cfg(feature = "demo")]
pub mod demo_history;
#[cfg(feature = "demo")]
pub mod demo_meetings;
#[cfg(feature = "demo")]
pub mod demo_partnership;
#[cfg(feature = "demo")]
pub mod demo_placements;
#[cfg(feature = "demo")]
pub mod demo_plans;
#[cfg(feature = "demo")]
pub mod demo_quarterly;
pub mod first_run;
pub mod forward_plan;
pub mod idempotency;
pub mod imports;
pub mod improvement_plans;
pub mod keyset;
pub mod legal_holds;
pub mod mail;
pub mod marac;
pub mod meetings;
pub mod missing;
pub mod moderngov;
pub mod monitoring;
pub mod oidc;
pub mod panels;
pub mod partnership;
pub mod password_resets;
pub mod placements;
pub mod plans;
pub mod police;
pub mod public;
pub mod published_index;
pub mod quarterly;
pub mod referrals;
pub mod reports;
pub mod retention;
pub mod schema;
pub mod scorecards;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod sql;
pub mod subject_access;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tracker;
pub mod two_factor;
pub mod users;
pub mod waiting;

/// The tracker's record types under their old path.
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use assure_domain::{Checked, Clock, Invalid};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row, Transaction};
use tokio::sync::{Mutex, MutexGuard};

pub use audit::Actor;
pub use child_access::{ChildKey, ChildRecord, Reader};
pub use subject_access::IgOfficer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A child's record that does not exist, or is outside the reader's need to know:
    /// the two answer the same, so that no one learns which children exist.
    #[error("no such child record, or not one you may see")]
    NoSuchChild,
    /// A part of a child's record (the child is in reach) the reader may not see.
    #[error("this part of the record is restricted")]
    Restricted,
    /// The reader's role does not allow this change.
    #[error("your role does not allow this")]
    Forbidden,
    /// Someone else saved first: the version the caller read is stale.
    #[error("someone else changed this record after you opened it")]
    Conflict,
    #[error("{0}")]
    Invalid(Invalid),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Stored data that cannot be read back (a damaged snapshot or JSON column).
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    /// One failure shared by every request whose audit entry was in the same group
    /// commit (see [`Store::record`]).
    #[error("{0}")]
    Shared(Arc<StoreError>),
}

impl StoreError {
    /// The database cannot be reached or will not take work just now: the connection was
    /// lost or refused (a restart, a network cut), no connection came free within the
    /// pool's acquire timeout, the server is shutting down or has too many clients, or
    /// SQLite stayed locked past its busy timeout. Worth trying again shortly.
    pub fn is_unavailable(&self) -> bool {
        if let StoreError::Shared(e) = self {
            return e.is_unavailable();
        }
        let StoreError::Db(e) = self else { return false };
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(d) => {
                let code = d.code().unwrap_or_default();
                match engine_of(d.as_ref()) {
                    // SQLITE_BUSY, SQLITE_LOCKED (with their extended codes).
                    Some(Engine::Sqlite) => matches!(sqlite_primary(&code), Some(5 | 6)),
                    // Class 08 connection exceptions; admin/crash shutdown, cannot connect
                    // now; too many connections.
                    _ => code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300"),
                }
            }
            _ => false,
        }
    }

    /// The disk (or the database's size limit) is full: nothing more can be written
    /// until an operator makes room. SQLite's SQLITE_FULL, PostgreSQL's 53100 disk_full.
    pub fn is_storage_full(&self) -> bool {
        if let StoreError::Shared(e) = self {
            return e.is_storage_full();
        }
        let StoreError::Db(sqlx::Error::Database(d)) = self else { return false };
        let code = d.code().unwrap_or_default();
        match engine_of(d.as_ref()) {
            Some(Engine::Sqlite) => sqlite_primary(&code) == Some(13),
            _ => code == "53100",
        }
    }
}

/// Which engine a database error came from.
fn engine_of(d: &dyn sqlx::error::DatabaseError) -> Option<Engine> {
    if d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        Some(Engine::Sqlite)
    } else if d.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
        Some(Engine::Postgres)
    } else {
        None
    }
}

/// SQLite's primary result code from an extended one (the low byte).
fn sqlite_primary(code: &str) -> Option<u32> {
    code.parse::<u32>().ok().map(|c| c & 0xff)
}

impl From<Invalid> for StoreError {
    fn from(v: Invalid) -> Self {
        StoreError::Invalid(v)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database, whichever engine it is.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    /// Serialises write transactions within this process (SQLite has one writer).
    write_lock: Arc<Mutex<()>>,
    /// Held while a first-run step (the demo) runs: see [`first_run`].
    first_run: Arc<Mutex<()>>,
    /// SQLite: the database file (none in memory).
    sqlite_file: Option<std::path::PathBuf>,
    /// The URL it was opened with (for pg_dump's environment; may hold a password, so
    /// never printed: `Debug` leaves it out).
    url: Arc<str>,
    queries: Arc<AtomicU64>,
    /// The council's clock: every "now" stored and every "today" the store works out.
    clock: Clock,
    /// The audit keys (kept outside the database): entries are appended with the
    /// current one. None: entries are appended unkeyed (benchmarks; see `audit`).
    audit_keys: Arc<std::sync::RwLock<Option<assure_domain::audit::Keyring>>>,
    /// SQLite: how many more connections to check as they leave the pool, after a write
    /// failed (see [`left_in_a_transaction`]).
    suspect: Arc<AtomicUsize>,
    /// Events waiting for their group commit (see [`Store::record`]).
    audit_queue: Arc<audit::AuditQueue>,
}

/// A write transaction. Every change and its audit entry commit together.
pub struct WriteTx<'s> {
    /// Open until committed.
    tx: Option<Transaction<'static, Any>>,
    pub(crate) store: &'s Store,
    _guard: Option<MutexGuard<'s, ()>>,
    /// The last audit entry this transaction appended (seq, hash): while it is open no one
    /// else can append (the PostgreSQL advisory lock, SQLite's single writer), so the next
    /// entry follows it without asking again, and the head is written once, at commit.
    pub(crate) audit_tail: Option<(i64, String)>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("engine", &self.engine).finish_non_exhaustive()
    }
}

impl WriteTx<'_> {
    pub async fn commit(mut self) -> Result<()> {
        self.write_audit_head().await?;
        let tx = self.tx.take().expect("a write transaction is open until it commits");
        if let Err(e) = tx.commit().await {
            self.store.suspect_connections();
            return Err(e.into());
        }
        Ok(())
    }
    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        self.tx.as_mut().expect("a write transaction is open until it commits")
    }
}

impl Drop for WriteTx<'_> {
    /// Dropped open: the change failed or was refused, and sqlx rolls it back.
    fn drop(&mut self) {
        if self.tx.is_some() {
            self.store.suspect_connections();
        }
    }
}

/// The file a `sqlite:` URL names (none for an in-memory database or another engine).
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.contains(":memory:") && !url.contains("mode=memory")).then(|| std::path::PathBuf::from(path))
}

/// How long [`Store::open`] waits for a connection before a statement fails.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the data lives when no `ASSURE_DATABASE_URL` is given.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("assure.db").display())
}

impl Store {
    /// Connect to `url` (`sqlite://...` or `postgres://...`) and apply migrations. The
    /// store keeps the system clock until [`Store::with_clock`] gives it another.
    pub async fn open(url: &str) -> Result<Store> {
        Store::open_with(url, DEFAULT_ACQUIRE_TIMEOUT).await
    }

    /// [`Store::open`], waiting at most `acquire_timeout` for a database connection on
    /// any one statement or transaction (a connection from the pool, or a new one): when
    /// the database is away a request fails after this long rather than hanging.
    pub async fn open_with(url: &str, acquire_timeout: Duration) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            return Err(StoreError::Invalid(Invalid::single("database_url", "ASSURE_DATABASE_URL must start with postgres:// or sqlite://")));
        };
        let max = if engine == Engine::Sqlite { 8 } else { 16 };
        let suspect = Arc::new(AtomicUsize::new(0));
        let checks = suspect.clone();
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(acquire_timeout)
            .before_acquire(move |conn, _| {
                let checks = checks.clone();
                Box::pin(async move {
                    let due = checks.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1)).is_ok();
                    if due && stuck_in_a_transaction(conn).await {
                        tracing::warn!("closed a database connection left in a transaction SQLite had ended itself");
                        return Ok(false);
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // foreign_keys is per connection; journal_mode=WAL persists in the file.
                        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA busy_timeout = 10000").execute(&mut *conn).await?;
                        sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        if engine == Engine::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
        }
        let store = Store {
            pool,
            engine,
            write_lock: Arc::new(Mutex::new(())),
            first_run: Arc::new(Mutex::new(())),
            sqlite_file: sqlite_file(url),
            url: Arc::from(url),
            queries: Arc::new(AtomicU64::new(0)),
            clock: Clock::system(),
            audit_keys: Arc::new(std::sync::RwLock::new(None)),
            suspect,
            audit_queue: Arc::default(),
        };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.engine {
            Engine::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Engine::Postgres => sqlx::migrate!("migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    /// A write failed: on SQLite, check the connections as they are next taken (twice
    /// the pool, so each idle one is seen).
    fn suspect_connections(&self) {
        if self.engine == Engine::Sqlite {
            self.suspect.store(16, Ordering::Release);
        }
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// SQLite: the database file (none in memory, or on PostgreSQL).
    pub fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_file.as_deref()
    }

    /// The same database on another clock (a test's, which it can then set and advance).
    pub fn with_clock(mut self, clock: Clock) -> Store {
        self.clock = clock;
        // Its own queue, so that its entries are stamped by its own clock.
        self.audit_queue = Arc::default();
        self
    }

    /// The council's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Now, as stored (see [`stamp`]).
    pub fn now(&self) -> String {
        stamp(self.clock.now())
    }

    /// The London date today.
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// How many statements this store has issued; list pages are tested to issue a
    /// number that does not grow with the rows they show.
    pub fn query_count(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    /// Bring the query planner's statistics up to date (`assure serve` does this at start
    /// and hourly, in the background). On SQLite: `ANALYZE` with `analysis_limit`, so it
    /// reads a bounded sample of each index, then `PRAGMA optimize` — or, once there are
    /// statistics, `PRAGMA optimize` alone; under the store's write lock, as it writes
    /// sqlite_stat1. Without statistics SQLite can pick a poor index for a search. On
    /// PostgreSQL: `ANALYZE` (autovacuum does this too; this covers a freshly loaded
    /// database).
    pub async fn gather_statistics(&self) -> Result<()> {
        match self.engine {
            Engine::Sqlite => {
                // ANALYZE holds SQLite's write lock while it reads every index: on a cold
                // start of a national-scale database that was 97 s in which no write could
                // be made. Once statistics exist, PRAGMA optimize analyses only the tables
                // that have changed enough to need it.
                let _guard = self.write_lock.lock().await;
                let mut conn = self.pool.acquire().await?;
                let have = self
                    .q("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
                    .fetch_one(&mut *conn)
                    .await?
                    .i("n")?
                    > 0
                    && self.q("SELECT COUNT(*) AS n FROM sqlite_stat1").fetch_one(&mut *conn).await?.i("n")? > 0;
                let statements: &[&str] = if have {
                    &["PRAGMA analysis_limit = 1000", "PRAGMA optimize"]
                } else {
                    &["PRAGMA analysis_limit = 1000", "ANALYZE", "PRAGMA optimize"]
                };
                for statement in statements {
                    self.q(statement).execute(&mut *conn).await?;
                }
            }
            Engine::Postgres => {
                self.q("ANALYZE").execute(&self.pool).await?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub async fn ping(&self) -> Result<()> {
        self.q("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Start a statement (counted).
    pub(crate) fn q<'a>(&self, sql: &'a str) -> sqlx::query::Query<'a, Any, AnyArguments<'a>> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        sqlx::query(sql)
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn write(&self) -> Result<WriteTx<'_>> {
        let guard = if self.engine == Engine::Sqlite { Some(self.write_lock.lock().await) } else { None };
        // On SQLite the transaction takes the write lock at once (BEGIN IMMEDIATE): a
        // deferred one that read first could fail with "database is locked" the moment
        // it writes, if another connection (a session touch, another process) wrote in
        // between. Waiting for the lock is bounded by busy_timeout.
        let tx = if self.engine == Engine::Sqlite { self.pool.begin_with("BEGIN IMMEDIATE").await? } else { self.pool.begin().await? };
        Ok(WriteTx { tx: Some(tx), store: self, _guard: guard, audit_tail: None })
    }
}

/// sqlx's answer to BEGIN on a connection it believes is still in a transaction.
///
/// When SQLite ends a transaction by itself (SQLITE_FULL on a full disk rolls it back),
/// sqlx's own ROLLBACK of it then fails, and the connection goes back to the pool still
/// counting a transaction open: every later BEGIN on it would fail. So after a write
/// fails, the next few connections taken from the pool are checked, and any such one
/// closed (a new one is opened in its place).
fn left_in_a_transaction(e: &sqlx::Error) -> bool {
    e.to_string().contains("non-zero transaction depth")
}

/// Whether a pooled SQLite connection still counts a transaction SQLite has ended.
async fn stuck_in_a_transaction(conn: &mut sqlx::AnyConnection) -> bool {
    match sqlx::Connection::begin_with(conn, "BEGIN").await {
        Ok(t) => {
            let _ = t.rollback().await;
            false
        }
        Err(e) => left_in_a_transaction(&e),
    }
}

/// A write's command, once the domain's checks (`checked`) and storage's own (`found`:
/// what only the database can tell, such as a name already used or a body that does
/// not exist) have both passed; otherwise every problem at once, in the form's order
/// (`fields`).
pub(crate) fn all_checks<T>(checked: std::result::Result<Checked<T>, Invalid>, found: Invalid, fields: &[&str]) -> Result<Checked<T>> {
    match checked {
        Ok(c) if found.is_empty() => Ok(c),
        Ok(_) => Err(found.ordered(fields).into()),
        Err(e) => Err(e.merged(found).ordered(fields).into()),
    }
}

/// An edit's `UPDATE ... WHERE version = $n` touched no row: someone else saved first.
pub(crate) fn check_version(n: u64) -> Result<()> {
    if n == 0 {
        Err(StoreError::Conflict)
    } else {
        Ok(())
    }
}

/// How many ids go into one `IN (...)` list or multi-row insert (well under both
/// engines' limits on bound parameters).
pub(crate) const IN_LIST_CHUNK: usize = 500;

/// A value kept as a JSON text column.
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// An instant as stored: RFC 3339, UTC, microseconds (sorts as text).
pub fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub(crate) fn date_str(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn opt_date_str(d: Option<NaiveDate>) -> Option<String> {
    d.map(date_str)
}

/// Reading columns from a row with the conversions Assure's schema needs.
pub(crate) trait RowExt {
    fn s(&self, col: &str) -> Result<String>;
    fn os(&self, col: &str) -> Result<Option<String>>;
    fn i(&self, col: &str) -> Result<i64>;
    fn oi(&self, col: &str) -> Result<Option<i64>>;
    fn d(&self, col: &str) -> Result<NaiveDate>;
    fn od(&self, col: &str) -> Result<Option<NaiveDate>>;
    fn e<T: TryFrom<String, Error = String>>(&self, col: &str) -> Result<T>;
    fn oe<T: TryFrom<String, Error = String>>(&self, col: &str) -> Result<Option<T>>;
}

fn decode_err(col: &str, msg: impl std::fmt::Display) -> StoreError {
    StoreError::Db(sqlx::Error::ColumnDecode { index: col.to_string(), source: msg.to_string().into() })
}

impl RowExt for AnyRow {
    fn s(&self, col: &str) -> Result<String> {
        Ok(self.try_get::<String, _>(col)?)
    }
    fn os(&self, col: &str) -> Result<Option<String>> {
        Ok(self.try_get::<Option<String>, _>(col)?)
    }
    fn i(&self, col: &str) -> Result<i64> {
        Ok(self.try_get::<i64, _>(col)?)
    }
    fn oi(&self, col: &str) -> Result<Option<i64>> {
        Ok(self.try_get::<Option<i64>, _>(col)?)
    }
    fn d(&self, col: &str) -> Result<NaiveDate> {
        let s = self.s(col)?;
        NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| decode_err(col, e))
    }
    fn od(&self, col: &str) -> Result<Option<NaiveDate>> {
        match self.os(col)? {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d").map(Some).map_err(|e| decode_err(col, e)),
        }
    }
    fn e<T: TryFrom<String, Error = String>>(&self, col: &str) -> Result<T> {
        T::try_from(self.s(col)?).map_err(|e| decode_err(col, e))
    }
    fn oe<T: TryFrom<String, Error = String>>(&self, col: &str) -> Result<Option<T>> {
        match self.os(col)? {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => T::try_from(s).map(Some).map_err(|e| decode_err(col, e)),
        }
    }
}
