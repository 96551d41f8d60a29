//! Helpers both benchmarks use: settings from the environment, random picks,
//! dates, a scratch directory and the empty-database guard.
#![allow(dead_code)]

use std::path::PathBuf;

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::Rng;
use sqlx::any::AnyConnectOptions;
use sqlx::{ConnectOptions, Connection, Row};

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
