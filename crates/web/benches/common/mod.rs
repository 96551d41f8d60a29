//! Helpers both benchmarks use: settings from the environment, random picks,
//! dates, a scratch directory and the empty-database guard.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::Rng;
use sqlx::any::AnyConnectOptions;
use sqlx::pool::PoolConnection;
use sqlx::{Any, ConnectOptions, Connection, Row};

pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Word pools for generated recommendations.
pub const TOPICS: &[&str] = &[
    "early help",
    "school readiness",
    "youth justice",
    "care leavers",
    "transitions to adult services",
    "emotional wellbeing and mental health",
    "foster care sufficiency",
    "child exploitation",
    "special educational needs",
    "domestic abuse",
    "supported housing",
    "speech and language",
    "school attendance",
    "adoption support",
    "short breaks for disabled children",
    "young carers",
    "substance misuse",
    "online safety",
    "neglect",
    "participation of young people",
];
pub const VERBS: &[&str] = &[
    "review its approach to",
    "strengthen partnership work on",
    "publish a plan for",
    "commission an independent audit of",
    "improve the quality of",
    "report twice a year on",
    "develop a strategy for",
    "ring-fence funding for",
    "set measurable targets for",
];
pub const WHO: &[&str] = &["Cabinet Member for Children", "Director of Children's Services", "Head of Education", "Local Safeguarding Partnership", "Clinical Commissioning Group", "Head of Early Help"];
pub const AREAS: &[&str] = &["Education", "Social care", "Health", "Early help", "Youth offending", "Housing"];

/// A whole number from the environment, or the default.
pub fn env_num(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().unwrap_or_else(|_| panic!("{name} must be a whole number, got {v:?}")),
        _ => default,
    }
}

pub fn pick<'a>(rng: &mut StdRng, xs: &[&'a str]) -> &'a str {
    xs[rng.gen_range(0..xs.len())]
}

pub fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A fresh scratch directory under the system's temporary directory.
pub fn temp_dir(prefix: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("{prefix}_{}_{}", std::process::id(), nanos % 1_000_000_000));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Refuse anything but a database with no tables at all.
pub async fn ensure_empty(url: &str) -> Res<()> {
    let opts: AnyConnectOptions = url.parse()?;
    let mut conn = opts.connect().await?;
    let sql = if url.starts_with("sqlite:") {
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'"
    } else {
        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
    };
    let n: i64 = sqlx::query(sql).fetch_one(&mut conn).await?.try_get("n")?;
    conn.close().await?;
    if n != 0 {
        return Err(format!("refusing to run: the database at ASSURE_BENCH_DATABASE_URL already has {n} table(s); give a fresh, empty database").into());
    }
    Ok(())
}

// ------------------------------------------------------------------ bulk loading

/// A value for a bulk insert.
pub enum V {
    I(i64),
    S(String),
    NI,
    NS,
}

pub fn oi(v: Option<i64>) -> V {
    v.map(V::I).unwrap_or(V::NI)
}
pub fn os(v: Option<String>) -> V {
    v.map(V::S).unwrap_or(V::NS)
}
pub fn s(v: impl Into<String>) -> V {
    V::S(v.into())
}

/// Rows for one table, sent as multi-row INSERTs of up to `per` rows
/// (well under SQLite's 32,766 bound-variable limit).
///
/// On SQLite the placeholders are anonymous `?`: SQLite looks numbered
/// parameters (`$n`) up in a linear list, once per parameter when the statement
/// is prepared and again when sqlx binds (sqlite3_bind_parameter_name), which
/// makes a 25,000-parameter statement quadratic (1.5 ms a row instead of µs).
pub struct Bulk {
    pub sqlite: bool,
    pub table: &'static str,
    cols: &'static [&'static str],
    per: usize,
    vals: Vec<V>,
    rows: usize,
    full_sql: String,
    inserted: u64,
    /// Time spent in the database for this table.
    busy: Duration,
}

impl Bulk {
    pub fn new(sqlite: bool, table: &'static str, cols: &'static [&'static str]) -> Bulk {
        let per = (30_000 / cols.len()).min(1000);
        let full_sql = Bulk::sql(sqlite, table, cols, per);
        Bulk { sqlite, table, cols, per, vals: Vec::with_capacity(per * cols.len()), rows: 0, full_sql, inserted: 0, busy: Duration::ZERO }
    }

    fn sql(sqlite: bool, table: &str, cols: &[&str], rows: usize) -> String {
        let n = cols.len();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        for r in 0..rows {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..n {
                if c > 0 {
                    sql.push(',');
                }
                if sqlite {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&(r * n + c + 1).to_string());
                }
            }
            sql.push(')');
        }
        sql
    }

    pub async fn push(&mut self, conn: &mut PoolConnection<Any>, row: Vec<V>) -> Res<()> {
        assert_eq!(row.len(), self.cols.len(), "row width for {}", self.table);
        self.vals.extend(row);
        self.rows += 1;
        if self.rows == self.per {
            self.flush(conn).await?;
        }
        Ok(())
    }

    pub async fn flush(&mut self, conn: &mut PoolConnection<Any>) -> Res<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let partial;
        let sql: &str = if self.rows == self.per {
            &self.full_sql
        } else {
            partial = Bulk::sql(self.sqlite, self.table, self.cols, self.rows);
            &partial
        };
        let mut q = sqlx::query(sql);
        for v in self.vals.drain(..) {
            q = match v {
                V::I(i) => q.bind(i),
                V::S(s) => q.bind(s),
                V::NI => q.bind(None::<i64>),
                V::NS => q.bind(None::<String>),
            };
        }
        let t = Instant::now();
        q.execute(&mut **conn).await.map_err(|e| format!("insert into {}: {e}", self.table))?;
        self.busy += t.elapsed();
        self.inserted += self.rows as u64;
        self.rows = 0;
        Ok(())
    }
}

// ------------------------------------------------------------------ generated text

