//! A child's chronology at 2,000 events (issue 21's target: under 50 ms p50). Loads the
//! demo partnership into a fresh database, gives one demo child a long history — missing
//! episodes with their returns and return interviews, and concerns with their MASH
//! decisions — so that its chronology holds about `ASSURE_BENCH_EVENTS` entries, then
//! times in-process through the whole app (guard, session, need-to-know door, every
//! section's query, pattern rules, rendering, the audited view):
//! the chronology page for a MACSE co-chair and for the school's SPOC, the significant
//! events view, the JSON API's first page and the Word export.
//!
//!     cargo bench -p assure-web --bench chronology
//!
//! Environment:
//! - `ASSURE_BENCH_EVENTS` (default 2000) entries in the child's chronology (about)
//! - `ASSURE_BENCH_DATABASE_URL` (default: a new SQLite file in a temporary
//!   directory); a `postgres://` URL must name a fresh, empty database
//! - `ASSURE_BENCH_ITERATIONS` (default 30) timed requests per page, after 3 warm-ups

use std::time::Instant;

use assure_storage::children::ChildSearch;
use assure_storage::Store;
use chrono::{Duration as Days, NaiveDateTime};

mod common;

use common::{bulk_pool, ensure_empty, env_num, measure, ms, print_table, s, temp_dir, Bulk, Res, V};

/// The demo child given the long history.
const CHILD: &str = "Jessica";

fn ts(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Adds `episodes` missing episodes (each an episode, a return and a return interview:
/// three entries) and `concerns` concerns decided by the MASH (two entries each), spread
/// over the last five years. Returns the rows added.
async fn load(url: &str, child: i64, recorder: i64, agency: i64, episodes: usize, concerns: usize, now: NaiveDateTime) -> Res<usize> {
    let sqlite = url.starts_with("sqlite:");
    let pool = bulk_pool(url).await?;
    let mut conn = pool.acquire().await?;
    let first_episode: i64 = sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) + 1000 FROM missing_episodes").fetch_one(&mut *conn).await?;
    let first_referral: i64 = sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) + 1000 FROM referrals").fetch_one(&mut *conn).await?;
    sqlx::query("BEGIN").execute(&mut *conn).await?;
    let span = 5 * 365 * 24 * 60;
    let mut ep = Bulk::new(
        sqlite,
        "missing_episodes",
        &["id", "child_id", "missing_from", "started_at", "ended_at", "interview_due_by", "risk_grading", "recorded_by", "recorded_at"],
    );
    let mut ri = Bulk::new(sqlite, "return_interviews", &["episode_id", "offered_at", "response", "recorded_by", "recorded_at"]);
    let mut interviews = Vec::with_capacity(episodes);
    for k in 0..episodes {
        let id = first_episode + k as i64;
        let start = now - Days::minutes(span * (k as i64 + 1) / (episodes as i64 + 1));
        let end = start + Days::hours(6 + (k as i64 % 40));
        let from = ["home", "care", "education"][k % 3];
        let grading = ["no-apparent-risk", "low", "medium", "high"][k % 4];
        ep.push(
            &mut conn,
            vec![V::I(id), V::I(child), s(from), s(ts(start)), s(ts(end)), s(ts(end + Days::hours(72))), s(grading), V::I(recorder), s(ts(end))],
        )
        .await?;
        let offered = end + Days::hours(20);
        interviews.push(vec![V::I(id), s(ts(offered)), s(if k % 5 == 0 { "declined" } else { "accepted" }), V::I(recorder), s(ts(offered))]);
    }
    ep.flush(&mut conn).await?;
    for row in interviews {
        ri.push(&mut conn, row).await?;
    }
    ri.flush(&mut conn).await?;
    let mut refs = Bulk::new(
        sqlite,
        "referrals",
        &[
            "id",
            "child_id",
            "agency_id",
            "raised_by",
            "source",
            "what_seen",
            "seen_on",
            "seen_where",
            "seen_by",
            "referral_text",
            "tool_version",
            "answers_json",
            "risk_level",
            "status",
            "submitted_at",
            "picked_up_at",
            "decision",
            "decision_reasons",
            "decided_at",
            "decided_by",
            "version",
        ],
    );
    for k in 0..concerns {
        let submitted = now - Days::minutes(span * (k as i64 + 1) / (concerns as i64 + 1) + 7);
        refs.push(
            &mut conn,
            vec![
                V::I(first_referral + k as i64),
                V::I(child),
                V::I(agency),
                V::I(recorder),
                s("professional-concern"),
                s("Seen getting into a car with two adult men after school."),
                s(ts(submitted).get(..10).unwrap_or_default().to_string()),
                s("Outside the school gates"),
                s("Form tutor"),
                s("Referral to the MASH for screening."),
                V::I(1),
                s("{}"),
                s(["low", "medium", "high"][k % 3]),
                s("decided"),
                s(ts(submitted)),
                s(ts(submitted + Days::hours(1))),
                s("macse"),
                s("Screening and checks considered by the MASH team."),
                s(ts(submitted + Days::hours(30))),
                V::I(recorder),
                V::I(1),
            ],
        )
        .await?;
    }
    refs.flush(&mut conn).await?;
    sqlx::query("COMMIT").execute(&mut *conn).await?;
    if !sqlite {
        for t in ["missing_episodes", "referrals", "return_interviews"] {
            sqlx::query(&format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {t}), false)"))
                .execute(&mut *conn)
                .await?;
        }
    }
    drop(conn);
    pool.close().await;
    Ok(episodes * 2 + concerns)
}

#[tokio::main]
async fn main() -> Res<()> {
    let events = env_num("ASSURE_BENCH_EVENTS", 2000).max(10);
    let iterations = env_num("ASSURE_BENCH_ITERATIONS", 30).max(1);
    let given_url = std::env::var("ASSURE_BENCH_DATABASE_URL").ok().filter(|s| !s.trim().is_empty());
    sqlx::any::install_default_drivers();
    let dir = temp_dir("assure_bench_chronology");
    let url = given_url.clone().unwrap_or_else(|| assure_storage::sqlite_url(&dir));
    let engine = if url.starts_with("sqlite:") { "sqlite" } else { "postgresql" };
    println!("Assure chronology benchmark: {engine}, about {events} events for one child, {iterations} iterations");
    if let Err(e) = ensure_empty(&url).await {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(e);
    }
    let store = Store::open(&url).await?;
    let clock = assure_domain::Clock::system();
    assure_storage::demo::load(&store, clock.today(), "bench-not-a-real-hash").await?;
    let mash = assure_storage::testing::reader(&store, "mash-worker@example.org").await;
    let (found, _) = store.children(&mash).search(&ChildSearch { name: Some(CHILD.into()), date_of_birth: None }, 50, 0).await?;
    let child = found.iter().find(|c| c.first_name == CHILD).ok_or("the demo child")?.id;
    let recorder = store.users().by_email("mash-worker@example.org").await?.ok_or("the demo MASH worker")?.0.id;
    let agency = store.partnership().agencies().await?.first().ok_or("a demo agency")?.id;
    store.close().await;

    // Three entries an episode, two a concern: about two thirds from missing episodes.
    let episodes = events * 2 / 9;
    let concerns = (events - episodes * 3) / 2;
    let t = Instant::now();
    let rows = load(&url, child, recorder, agency, episodes, concerns, clock.now().naive_utc()).await?;
    let analyzed = common::analyze(&url, None).await?;
    println!(
        "Added {rows} rows ({episodes} missing episodes with return interviews, {concerns} decided concerns) and {analyzed} in {:.1}s",
        t.elapsed().as_secs_f64()
    );

    let store = Store::open(&url).await?;
    let app = assure_web::app(store.clone(), assure_web::Config::new(dir.clone()));
    let mut cookies = Vec::new();
    for (n, email) in ["macse-co-chair@example.org", "spoc@example.org"].iter().enumerate() {
        let user = store.users().by_email(email).await?.ok_or("a demo account")?.0.id;
        let raw = format!("bench-session-{n}-{}", std::process::id());
        store.sessions().create(&assure_web::auth::sha256_hex(&raw), user, &format!("{:064x}", n + 1), "127.0.0.1").await?;
        cookies.push(format!("{}={raw}", assure_web::auth::SESSION_COOKIE));
    }
    let (chair, spoc) = (&cookies[0], &cookies[1]);

    // How many entries the co-chair's chronology holds, from the API's total.
    let (_, body) = common::request(&app, &format!("/api/v1/children/{child}/chronology"), chair).await;
    let json: serde_json::Value = serde_json::from_slice(&body)?;
    let total = json.get("total").and_then(|v| v.as_u64()).ok_or("the API's total")?;
    println!("The co-chair's chronology of child {child} holds {total} entries");

    let pages = [
        ("chronology page (co-chair)", format!("/children/{child}/chronology"), chair),
        ("chronology page (SPOC)", format!("/children/{child}/chronology"), spoc),
        ("oldest first, page 20", format!("/children/{child}/chronology?order=oldest-first&page=20"), chair),
        ("significant events only", format!("/children/{child}/chronology?significant=1"), chair),
        ("API first page (co-chair)", format!("/api/v1/children/{child}/chronology"), chair),
        ("child's page (co-chair)", format!("/children/{child}"), chair),
        ("Word export (co-chair)", format!("/children/{child}/chronology/download"), chair),
    ];
    let mut timings = Vec::new();
    for (name, path, cookie) in pages {
        let t = measure(&app, &store, name, &path, cookie, iterations).await;
        eprintln!("  measured {} (median {:.1} ms)", t.name, ms(t.samples[t.samples.len() / 2]));
        timings.push(t);
    }
    print_table(&timings, iterations);
    store.close().await;
    println!();
    println!("summary engine={engine} events={total} iterations={iterations}");
    if given_url.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
