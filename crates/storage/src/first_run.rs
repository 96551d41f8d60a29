//! First-run setup (the demo) that is done wholly or not at all.
//!
//! A first run writes through the ordinary checked commands, each in its own
//! transaction, so a crash part-way leaves some of it behind. The setup is therefore
//! *marked*: `started` before its first write, `finished` after its last (a row of
//! `settings` under `first_run.<name>`), and only a finished mark counts as done. A mark
//! that is started but not finished can only have been left by an interrupted run on a
//! database that was empty when it began (the setup starts only on an empty database),
//! so the next run takes the database back to its freshly migrated state and starts
//! again.
//!
//! Only one process runs a first-run step at a time: on PostgreSQL a session advisory
//! lock held on its own connection for the whole run (released by the server if the
//! process dies, so a crash never leaves it held; a second instance waits for it and
//! then finds the step finished); on SQLite, an exclusive lock on a file beside the
//! database (`assure.db.first-run.lock`), which the system also releases when the
//! process ends.

use sqlx::pool::PoolConnection;
use sqlx::{Any, Row};
use tokio::sync::OwnedMutexGuard;

use crate::{Engine, Result, Store, StoreError};

/// Where a first-run step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Never started here.
    None,
    /// Started and not finished: an interrupted run.
    Started,
    /// Done.
    Finished,
}

/// Held while a first-run step runs; dropping it lets the next one in.
pub struct FirstRunLock {
    /// PostgreSQL: the connection holding the advisory lock (unlocked on release).
    conn: Option<PoolConnection<Any>>,
    /// SQLite: the locked file beside the database (closing it unlocks).
    _file: Option<std::fs::File>,
    _local: OwnedMutexGuard<()>,
}

impl Drop for FirstRunLock {
    /// Dropped without [`release`](FirstRunLock::release) (an error part-way): the
    /// connection holding the advisory lock is closed rather than returned to the pool
    /// with the lock still held, and closing it releases the lock.
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            drop(c.detach());
        }
    }
}

/// The advisory lock's key on PostgreSQL (the audit chain's is 724200).
const ADVISORY_KEY: i64 = 724_201;

impl FirstRunLock {
    /// Let the next first run in.
    pub async fn release(mut self) -> Result<()> {
        if let Some(mut c) = self.conn.take() {
            sqlx::query("SELECT pg_advisory_unlock($1)").bind(ADVISORY_KEY).execute(&mut *c).await?;
        }
        Ok(())
    }
}

fn key(step: &str) -> String {
    format!("first_run.{step}")
}

impl Store {
    /// Wait until no other process runs a first-run step, then hold the lock.
    pub async fn first_run_lock(&self) -> Result<FirstRunLock> {
        let local = self.first_run.clone().lock_owned().await;
        let (conn, file) = match self.engine() {
            Engine::Sqlite => match self.sqlite_file() {
                None => (None, None),
                Some(db) => {
                    let path = db.with_file_name(format!("{}.first-run.lock", db.file_name().and_then(|n| n.to_str()).unwrap_or("assure.db")));
                    let file = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
                        let f = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path)?;
                        f.lock()?;
                        Ok(f)
                    })
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("waiting for the first-run lock: {e}")))?
                    .map_err(|e| StoreError::Corrupt(format!("cannot lock the first-run lock file: {e}")))?;
                    (None, Some(file))
                }
            },
            Engine::Postgres => {
                let mut c = self.pool().acquire().await?;
                self.q("SELECT pg_advisory_lock($1)").bind(ADVISORY_KEY).execute(&mut *c).await?;
                (Some(c), None)
            }
        };
        Ok(FirstRunLock { conn, _file: file, _local: local })
    }

    /// Where the first-run step `step` stands.
    pub async fn first_run_mark(&self, step: &str) -> Result<Mark> {
        let row = self.q("SELECT value FROM settings WHERE key = $1").bind(key(step)).fetch_optional(self.pool()).await?;
        Ok(match row.map(|r| r.try_get::<String, _>("value")).transpose()?.as_deref() {
            None => Mark::None,
            Some("finished") => Mark::Finished,
            Some(_) => Mark::Started,
        })
    }

    /// Mark `step` started (before its first write) or finished (after its last).
    pub async fn set_first_run_mark(&self, step: &str, mark: Mark) -> Result<()> {
        let k = key(step);
        let mut tx = self.pool().begin().await?;
        self.q("DELETE FROM settings WHERE key = $1").bind(&k).execute(&mut *tx).await?;
        let value = match mark {
            Mark::None => None,
            Mark::Started => Some("started"),
            Mark::Finished => Some("finished"),
        };
        if let Some(v) = value {
            self.q("INSERT INTO settings (key, value) VALUES ($1, $2)").bind(&k).bind(v).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Take the database back to its freshly migrated state: every table dropped, the
    /// migrations run again (with what they seed). Only for an interrupted first run,
    /// whose database held nothing else; the caller holds the [`FirstRunLock`].
    pub async fn reset_interrupted_first_run(&self, _lock: &FirstRunLock) -> Result<()> {
        let mut c = self.pool().acquire().await?;
        match self.engine() {
            Engine::Sqlite => {
                let names: Vec<String> = self
                    .q("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                    .fetch_all(&mut *c)
                    .await?
                    .iter()
                    .map(|r| r.try_get("name"))
                    .collect::<std::result::Result<_, _>>()?;
                // Dropping a table deletes its rows first, which foreign keys would check.
                self.q("PRAGMA foreign_keys = OFF").execute(&mut *c).await?;
                for n in &names {
                    self.q(&format!("DROP TABLE IF EXISTS \"{}\"", n.replace('"', "\"\""))).execute(&mut *c).await?;
                }
                self.q("PRAGMA foreign_keys = ON").execute(&mut *c).await?;
            }
            Engine::Postgres => {
                let names: Vec<String> = self
                    .q("SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = current_schema()")
                    .fetch_all(&mut *c)
                    .await?
                    .iter()
                    .map(|r| r.try_get("tablename"))
                    .collect::<std::result::Result<_, _>>()?;
                for n in &names {
                    self.q(&format!("DROP TABLE IF EXISTS \"{}\" CASCADE", n.replace('"', "\"\""))).execute(&mut *c).await?;
                }
                // The functions migrations create (the search index's triggers) go too,
                // or running the migrations again would find them already there.
                let functions: Vec<String> = self
                    .q("SELECT p.oid::regprocedure::text AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
                        WHERE n.nspname = current_schema() AND p.prokind = 'f' \
                        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')")
                    .fetch_all(&mut *c)
                    .await?
                    .iter()
                    .map(|r| r.try_get("signature"))
                    .collect::<std::result::Result<_, _>>()?;
                for f in &functions {
                    self.q(&format!("DROP FUNCTION IF EXISTS {f} CASCADE")).execute(&mut *c).await?;
                }
            }
        }
        drop(c);
        self.migrate().await
    }
}
