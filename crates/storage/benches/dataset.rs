//! The CSE dataset at scale (issue 16): on a database grown by `scripts/national-data`,
//! the time to count one month's full dataset (every measure), each source's share of
//! it (reading the month's records, then counting), closing the month, and building and
//! rendering a quarterly report as DOCX. `scripts/dataset-bench` runs it on both engines
//! beside DuckDB counting the same figures over the same rows.
//!
//!     ASSURE_BENCH_DATABASE_URL=sqlite:///path/assure.db cargo bench -p assure-storage --bench dataset
//!
//! Environment:
//! - `ASSURE_BENCH_DATABASE_URL` (required): the grown database; the month is closed in it
//!   (unless `ASSURE_BENCH_NO_CLOSE=1`), so use a copy
//! - `ASSURE_BENCH_MONTH` (default: the month before last) `YYYY-MM`
//! - `ASSURE_BENCH_RUNS` (default 5) timed runs of each step, after one untimed warm-up
//! - `ASSURE_BENCH_FIGURES` a file to write the month's totals to, one `slug<TAB>value`
//!   a line, for the comparison with DuckDB
//!
//! It prints one line a step: `step<TAB>p50 ms<TAB>min ms<TAB>records`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use assure_domain::datasets::{compute, Month, Source};
use assure_storage::{Actor, Store};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The median and the fastest of `runs` timed runs (after one warm-up).
async fn timed<T, F, Fut>(runs: usize, mut f: F) -> (f64, f64, T)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut last = f().await;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        last = f().await;
        times.push(ms(t.elapsed()));
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times[0], last)
}

fn line(step: &str, p50: f64, min: f64, records: usize) {
    println!("{step}\t{p50:.1}\t{min:.1}\t{records}");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Some(url) = env("ASSURE_BENCH_DATABASE_URL") else {
        eprintln!("set ASSURE_BENCH_DATABASE_URL to a database grown by scripts/national-data (scripts/dataset-bench does)");
        return;
    };
    let runs: usize = env("ASSURE_BENCH_RUNS").and_then(|v| v.parse().ok()).unwrap_or(5).max(1);
    let store = Store::open(&url).await.expect("open the database");
    let month = env("ASSURE_BENCH_MONTH")
        .map(|m| Month::parse(&m).expect("ASSURE_BENCH_MONTH is YYYY-MM"))
        .unwrap_or_else(|| Month::of(store.today()).previous().previous());
    eprintln!("the dataset for {} ({month}), {runs} runs a step", month.label());
    let sets = store.datasets();
    let measures = sets.measures().await.expect("measures");

    // Each source's share: its records read once a period rule, then its measures counted.
    let mut by_source: BTreeMap<Source, Vec<_>> = BTreeMap::new();
    for m in &measures {
        by_source.entry(m.source).or_default().push(m.clone());
    }
    let known = sets.known_values().await.expect("known values");
    for (source, ms_) in &by_source {
        let (p50, min, n) = timed(runs, || async {
            let mut read = BTreeMap::new();
            let mut n = 0;
            for m in ms_ {
                if let std::collections::btree_map::Entry::Vacant(e) = read.entry(m.period) {
                    let facts = sets.facts(m.source, m.period, month).await.expect("facts");
                    n += facts.len();
                    e.insert(facts);
                }
                std::hint::black_box(compute(m, &read[&m.period], &known));
            }
            n
        })
        .await;
        line(&format!("{} ({} measures)", source.label(), ms_.len()), p50, min, n);
    }

    let (p50, min, figures) = timed(runs, || async { sets.compute_month(month).await.expect("compute") }).await;
    line(&format!("the whole dataset ({} measures)", figures.len()), p50, min, 0);
    if let Some(path) = env("ASSURE_BENCH_FIGURES") {
        let text: String = figures.iter().map(|f| format!("{}\t{}\n", f.measure, f.total.headline())).collect();
        std::fs::write(&path, text).expect("write the figures");
    }

    if env("ASSURE_BENCH_NO_CLOSE").is_none() && sets.closed(month).await.expect("closed").is_none() {
        let t = Instant::now();
        sets.close(&Actor::system(), month).await.expect("close the month");
        let took = ms(t.elapsed());
        line("closing the month", took, took, 0);
    }

    // A quarterly report as a co-chair downloads it: built from the closed months, rendered.
    if let Some(r) = store.quarterly().list(false).await.expect("quarterly reports").first() {
        let (p50, min, bytes) = timed(runs, || async {
            let doc = store.quarterly().document(r.id, true).await.expect("the report");
            assure_documents::render_quarterly(&doc, assure_documents::Format::Docx).expect("DOCX").len()
        })
        .await;
        line("a quarterly report as DOCX", p50, min, bytes);
    }
    store.close().await;
}
