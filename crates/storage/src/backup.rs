//! A consistent copy of the database taken while it is in use, and putting one back into
//! an empty database.
//!
//! SQLite: `VACUUM INTO` writes a complete, consistent database file from one read
//! transaction (writers carry on meanwhile). PostgreSQL: `pg_dump` in its custom format
//! (one snapshot, however long the dump takes) and `pg_restore`; the connection settings
//! go to them in the environment (`PGHOST`, `PGPASSWORD`...), never on a command line
//! another user could read. The archive around the copy (evidence files, manifest,
//! checksums) is the `assure backup` command's.

use std::path::Path;
use std::process::Stdio;

use sqlx::{Connection, Row};

use crate::{Engine, Store, StoreError};

/// Why a copy could not be taken or put back.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// `pg_dump` or `pg_restore` missing or failing (with what it said).
    #[error("{0}")]
    Tool(String),
    /// The target already holds data: a restore goes only into an empty database.
    #[error("{0}")]
    NotEmpty(String),
    #[error("{0}")]
    Url(String),
}

type Result<T> = std::result::Result<T, BackupError>;

impl Store {
    /// Write a consistent copy of the whole database to `dest`, which must not exist:
    /// a SQLite database file, or a PostgreSQL custom-format dump.
    pub async fn snapshot_to(&self, dest: &Path) -> Result<()> {
        if dest.exists() {
            return Err(BackupError::Io(std::io::Error::new(std::io::ErrorKind::AlreadyExists, format!("{} exists already", dest.display()))));
        }
        match self.engine() {
            Engine::Sqlite => {
                let path = dest.to_str().ok_or_else(|| BackupError::Url(format!("{} is not a path SQLite can be given", dest.display())))?;
                self.q(&format!("VACUUM INTO '{}'", path.replace('\'', "''"))).execute(self.pool()).await.map_err(StoreError::from)?;
            }
            Engine::Postgres => {
                let mut c = tokio::process::Command::new("pg_dump");
                c.arg("--format=custom").arg("--no-owner").arg("--no-privileges").arg("--file").arg(dest);
                run_tool(c, &self.url, "pg_dump").await?;
            }
        }
        Ok(())
    }
}

/// The names of the tables `url`'s database holds (its current schema on PostgreSQL),
/// without migrating it or creating anything.
pub async fn tables_in(url: &str) -> Result<Vec<String>> {
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(url).await?;
    let sql = if is_postgres(url) {
        "SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema()"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    };
    let rows = sqlx::query(sql).fetch_all(&mut c).await?;
    let names = rows.iter().map(|r| r.try_get::<String, _>("name")).collect::<std::result::Result<Vec<_>, _>>()?;
    c.close().await?;
    Ok(names)
}

/// Put a PostgreSQL dump written by [`Store::snapshot_to`] into the empty database at `url`.
pub async fn restore_postgres(url: &str, dump: &Path) -> Result<()> {
    let tables = tables_in(url).await?;
    if !tables.is_empty() {
        return Err(BackupError::NotEmpty(format!(
            "the database named by ASSURE_DATABASE_URL is not empty (it has {} tables): restore goes only into an empty database",
            tables.len()
        )));
    }
    // pg_restore needs the database named on its command line: the name alone (the
    // password stays in the environment).
    let name = pg_env(url)?.into_iter().rev().find(|(k, _)| *k == "PGDATABASE").map(|(_, v)| v).unwrap_or_else(|| "postgres".into());
    let mut c = tokio::process::Command::new("pg_restore");
    c.arg("--no-owner").arg("--no-privileges").arg("--exit-on-error").arg("--single-transaction").arg("--dbname").arg(name).arg(dump);
    run_tool(c, url, "pg_restore").await
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres:") || url.starts_with("postgresql:")
}

/// Run `pg_dump`/`pg_restore` with the connection from `url` in its environment.
async fn run_tool(mut c: tokio::process::Command, url: &str, name: &str) -> Result<()> {
    for (k, v) in pg_env(url)? {
        c.env(k, v);
    }
    c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    let out = c.output().await.map_err(|e| BackupError::Tool(format!("cannot run {name} (is the PostgreSQL client installed?): {e}")))?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        return Err(BackupError::Tool(format!("{name} failed ({}): {}", out.status, said.trim())));
    }
    Ok(())
}

/// libpq's environment for a `postgres://user:password@host:port/db?sslmode=...` URL.
fn pg_env(url: &str) -> Result<Vec<(&'static str, String)>> {
    let u = url::Url::parse(url).map_err(|e| BackupError::Url(format!("ASSURE_DATABASE_URL is not a URL: {e}")))?;
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let mut env = vec![("PGCONNECT_TIMEOUT", "30".to_string())];
    if let Some(h) = u.host_str() {
        env.push(("PGHOST", h.trim_start_matches('[').trim_end_matches(']').to_string()));
    }
    if let Some(p) = u.port() {
        env.push(("PGPORT", p.to_string()));
    }
    if !u.username().is_empty() {
        env.push(("PGUSER", decode(u.username())));
    }
    if let Some(p) = u.password() {
        env.push(("PGPASSWORD", decode(p)));
    }
    let db = u.path().trim_start_matches('/');
    if !db.is_empty() {
        env.push(("PGDATABASE", decode(db)));
    }
    for (k, v) in u.query_pairs() {
        match k.as_ref() {
            "sslmode" => env.push(("PGSSLMODE", v.into_owned())),
            "sslrootcert" => env.push(("PGSSLROOTCERT", v.into_owned())),
            "application_name" => env.push(("PGAPPNAME", v.into_owned())),
            "host" => env.push(("PGHOST", v.into_owned())),
            "port" => env.push(("PGPORT", v.into_owned())),
            "user" => env.push(("PGUSER", v.into_owned())),
            "password" => env.push(("PGPASSWORD", v.into_owned())),
            "dbname" => env.push(("PGDATABASE", v.into_owned())),
            _ => {}
        }
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::pg_env;

    #[test]
    fn the_url_becomes_libpq_settings_with_the_password_decoded() {
        let env = pg_env("postgres://assure:p%40ss%2Fword@db.example:6543/assure_live?sslmode=require").unwrap();
        let get = |k: &str| env.iter().rev().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("PGHOST"), Some("db.example"));
        assert_eq!(get("PGPORT"), Some("6543"));
        assert_eq!(get("PGUSER"), Some("assure"));
        assert_eq!(get("PGPASSWORD"), Some("p@ss/word"));
        assert_eq!(get("PGDATABASE"), Some("assure_live"));
        assert_eq!(get("PGSSLMODE"), Some("require"));
    }
}
