//! Helpers both benchmarks use: settings from the environment, random picks,
//! dates, a scratch directory and the empty-database guard.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use assure_storage::Store;
use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::Rng;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, ConnectOptions, Connection, Executor, Row};
use tower::ServiceExt;

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
pub const WHO: &[&str] = &[
    "Cabinet Member for Children",
    "Director of Children's Services",
    "Head of Education",
    "Local Safeguarding Partnership",
    "Clinical Commissioning Group",
    "Head of Early Help",
];
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
        return Err(
            format!("refusing to run: the database at ASSURE_BENCH_DATABASE_URL already has {n} table(s); give a fresh, empty database").into()
        );
    }
    Ok(())
}

// ------------------------------------------------------------------ bulk loading

/// One connection for bulk loading; on SQLite, durability off and a large cache (the
/// data is generated and thrown away).
pub async fn bulk_pool(url: &str) -> Res<AnyPool> {
    let sqlite = url.starts_with("sqlite:");
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    conn.execute("PRAGMA synchronous = OFF").await?;
                    conn.execute("PRAGMA cache_size = -262144").await?;
                    conn.execute("PRAGMA temp_store = MEMORY").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await?;
    Ok(pool)
}

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
    pub inserted: u64,
    /// Time spent in the database for this table.
    pub busy: Duration,
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

/// A weighted pick: each value with its relative weight.
pub fn weighted(rng: &mut StdRng, xs: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = xs.iter().map(|x| x.1).sum();
    let mut n = rng.gen_range(0..total);
    for (v, w) in xs {
        if n < *w {
            return v;
        }
        n -= w;
    }
    unreachable!()
}

/// A date as stored (ISO).
pub fn ds(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

// ------------------------------------------------------------------ measuring

/// Run `ASSURE_BENCH_EXTRA_SQL`, then bring the planner's statistics to a live
/// database's steady state.
pub async fn analyze(url: &str, extra_sql: Option<&str>) -> Res<&'static str> {
    let opts: AnyConnectOptions = url.parse()?;
    let mut conn = opts.connect().await?;
    for stmt in extra_sql.unwrap_or("").split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let t = Instant::now();
        conn.execute(stmt).await.map_err(|e| format!("ASSURE_BENCH_EXTRA_SQL {stmt:?}: {e}"))?;
        println!("extra: {stmt} ({:.1}s)", t.elapsed().as_secs_f64());
    }
    let what = if url.starts_with("sqlite:") {
        conn.execute("ANALYZE").await?;
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
        "ANALYZE"
    } else {
        // A live database has been vacuumed by autovacuum; a freshly loaded one has not
        // (visibility map empty: no index-only scans). VACUUM ANALYZE gives the steady state.
        conn.execute("VACUUM ANALYZE").await?;
        "VACUUM ANALYZE"
    };
    conn.close().await?;
    Ok(what)
}

/// One page's timings.
pub struct Timing {
    pub name: String,
    pub path: String,
    pub samples: Vec<Duration>,
    pub bytes: usize,
    pub queries_min: u64,
    pub queries_max: u64,
    pub found: Option<String>,
}

pub async fn request(app: &Router, path: &str, cookie: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    let resp = app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let body = to_bytes(resp.into_body(), usize::MAX).await.expect("body");
    (status, body.to_vec())
}

/// "1,234 recommendations found" on list pages.
fn found(body: &str) -> Option<String> {
    let i = body.find("role=\"status\"><strong>")? + "role=\"status\"><strong>".len();
    let j = body[i..].find("</strong>")?;
    Some(body[i..i + j].to_string())
}

/// Time a page in-process through the whole app, after three warm-ups, counting the
/// statements the store issues per request.
pub async fn measure(app: &Router, store: &Store, name: &str, path: &str, cookie: &str, iterations: usize) -> Timing {
    for _ in 0..3 {
        let (status, body) = request(app, path, cookie).await;
        assert_eq!(status, StatusCode::OK, "GET {path} answered {status}: {}", String::from_utf8_lossy(&body[..body.len().min(2000)]));
    }
    let mut samples = Vec::with_capacity(iterations);
    let (mut qmin, mut qmax, mut bytes, mut body_text) = (u64::MAX, 0, 0, String::new());
    for _ in 0..iterations {
        let q0 = store.query_count();
        let t = Instant::now();
        let (status, body) = request(app, path, cookie).await;
        let el = t.elapsed();
        let q = store.query_count() - q0;
        assert_eq!(status, StatusCode::OK, "GET {path} answered {status}");
        samples.push(el);
        qmin = qmin.min(q);
        qmax = qmax.max(q);
        bytes = body.len();
        if body_text.is_empty() {
            body_text = String::from_utf8_lossy(&body).into_owned();
        }
    }
    samples.sort();
    Timing { name: name.to_string(), path: path.to_string(), samples, bytes, queries_min: qmin, queries_max: qmax, found: found(&body_text) }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn print_table(rows: &[Timing], iterations: usize) {
    let width = rows.iter().map(|t| t.name.chars().count()).max().unwrap_or(4).max(4);
    println!();
    println!("{iterations} timed requests per page after 3 warm-ups; milliseconds; size of the HTML; statements the store issued per request");
    println!("{:<width$} {:>9} {:>9} {:>9} {:>9} {:>10} {:>8} {:>8}  path", "page", "min", "median", "p95", "max", "bytes", "queries", "found");
    for t in rows {
        let n = t.samples.len();
        let median = if n % 2 == 1 { t.samples[n / 2] } else { (t.samples[n / 2 - 1] + t.samples[n / 2]) / 2 };
        let p95 = t.samples[((n as f64 * 0.95).ceil() as usize).clamp(1, n) - 1];
        let q = if t.queries_min == t.queries_max { t.queries_min.to_string() } else { format!("{}-{}", t.queries_min, t.queries_max) };
        println!(
            "{:<width$} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>10} {:>8} {:>8}  {}",
            t.name,
            ms(t.samples[0]),
            ms(median),
            ms(p95),
            ms(t.samples[n - 1]),
            t.bytes,
            q,
            t.found.as_deref().unwrap_or("-"),
            t.path
        );
    }
}
