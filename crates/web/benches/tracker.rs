//! National-scale page benchmark: fills a fresh database with a large council's
//! tracker (100,000 recommendations, 1,000,000 progress updates by default), then
//! times the busiest pages in-process through the whole app (guard, session,
//! store, rendering).
//!
//!     cargo bench -p assure-web --bench tracker
//!
//! Environment:
//! - `ASSURE_BENCH_RECS` (default 100000) recommendations
//! - `ASSURE_BENCH_UPDATES_PER_REC` (default 10) progress updates per recommendation
//! - `ASSURE_BENCH_DATABASE_URL` (default: a new SQLite file in a temporary
//!   directory); a `postgres://` URL must name a fresh, empty database
//! - `ASSURE_BENCH_ITERATIONS` (default 30) timed requests per page, after 3 warm-ups
//! - `ASSURE_BENCH_KEEP=1` keeps the SQLite file (to look at query plans afterwards)
//! - `ASSURE_BENCH_EXTRA_SQL` statements separated by `;`, run after loading and
//!   before ANALYZE: to try an index on national-scale data before it goes into a
//!   migration, e.g. `CREATE INDEX x ON progress_updates(corrects_id)`

use std::time::Instant;

use assure_domain::accounts::AccountInput;
use assure_domain::tracker::{suggested_rag, Lifecycle, RagInput};
use assure_domain::Role;
use assure_storage::{Actor, Store};
use chrono::{Datelike, Duration as Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Executor;

mod common;

use common::{
    analyze, bulk_pool, ds, ensure_empty, env_num, measure, ms, oi, os, pick, print_table, s, temp_dir, weighted, ymd, Bulk, Res, AREAS, TOPICS, V,
    VERBS, WHO,
};

// ------------------------------------------------------------------ settings

struct Opts {
    recs: usize,
    updates_per_rec: usize,
    url: Option<String>,
    iterations: usize,
    keep: bool,
    extra_sql: Option<String>,
}

impl Opts {
    fn from_env() -> Opts {
        Opts {
            recs: env_num("ASSURE_BENCH_RECS", 100_000).max(1),
            updates_per_rec: env_num("ASSURE_BENCH_UPDATES_PER_REC", 10),
            url: std::env::var("ASSURE_BENCH_DATABASE_URL").ok().filter(|s| !s.trim().is_empty()),
            iterations: env_num("ASSURE_BENCH_ITERATIONS", 30).max(1),
            keep: std::env::var("ASSURE_BENCH_KEEP").is_ok_and(|v| v == "1"),
            extra_sql: std::env::var("ASSURE_BENCH_EXTRA_SQL").ok().filter(|s| !s.trim().is_empty()),
        }
    }
}

const PER_REVIEW: usize = 100;
const BODIES: i64 = 20;
const BULK_LEADS: i64 = 199; // plus the measured lead officer: 200 lead officers
const SCRUTINY_OFFICERS: i64 = 5;
const COMMITTEE_MEMBERS: i64 = 10;
/// Recommendations generated (and committed) together with all their child rows.
const BLOCK: usize = 2000;
/// The word the text search looks for (in about 1 in 20 recommendations).
const SEARCH_WORD: &str = "exploitation";

// ------------------------------------------------------------------ bulk loading

/// A value for a multi-row INSERT. Nulls are typed so PostgreSQL accepts them.
const WORDS: &[&str] = &[
    "the",
    "team",
    "has",
    "met",
    "with",
    "partners",
    "and",
    "agreed",
    "a",
    "revised",
    "timetable",
    "for",
    "delivery",
    "of",
    "this",
    "recommendation",
    "training",
    "sessions",
    "were",
    "held",
    "across",
    "all",
    "localities",
    "data",
    "shows",
    "steady",
    "improvement",
    "in",
    "outcomes",
    "families",
    "reported",
    "positive",
    "experience",
    "funding",
    "confirmed",
    "until",
    "next",
    "year",
    "audit",
    "completed",
    "actions",
    "remain",
    "on",
    "track",
    "staff",
    "recruited",
    "pilot",
    "extended",
    "to",
    "two",
    "more",
    "schools",
    "board",
    "received",
    "report",
    "quarterly",
    "review",
    "due",
    "in",
    "spring",
];
const FIRST: &[&str] = &[
    "Alex", "Sam", "Jo", "Chris", "Pat", "Morgan", "Jamie", "Robin", "Lee", "Kim", "Ashley", "Dana", "Jordan", "Taylor", "Casey", "Drew", "Hayden",
    "Riley", "Shannon", "Toni",
];
const LAST: &[&str] = &[
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Roberts", "Johnson", "Lewis", "Walker", "Robinson",
    "Wood", "Thompson", "White", "Watson", "Jackson", "Wright",
];

fn prose(rng: &mut StdRng, min_len: usize) -> String {
    let mut out = String::with_capacity(min_len + 40);
    let mut start = true;
    while out.len() < min_len {
        let w = pick(rng, WORDS);
        if !out.is_empty() {
            out.push(' ');
        }
        if start {
            out.push_str(&w[..1].to_ascii_uppercase());
            out.push_str(&w[1..]);
            start = false;
        } else {
            out.push_str(w);
        }
        if rng.gen_ratio(1, 12) {
            out.push('.');
            start = true;
        }
    }
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

fn ts(d: NaiveDate) -> String {
    d.format("%Y-%m-%dT10:00:00.000000Z").to_string()
}

/// Municipal-year reference, as the default pattern "SR ({YY}/{YY2}) {nn}{sub}" makes it.
fn reference(report: NaiveDate, number: i64, sub: &str) -> String {
    let y = if report.month() >= 4 { report.year() } else { report.year() - 1 };
    format!("SR ({:02}/{:02}) {number:02}{sub}", y % 100, (y + 1) % 100)
}

// ------------------------------------------------------------------ the council's data

const RESPONSES: &[(&str, u32)] =
    &[("awaiting", 8), ("accepted", 45), ("accepted-in-principle", 15), ("partially-accepted", 12), ("rejected", 8), ("noted", 12)];
const LIFECYCLES: &[(&str, u32)] = &[
    ("not-started", 12),
    ("in-progress", 40),
    ("paused", 5),
    ("not-feasible", 3),
    ("superseded", 2),
    ("complete-awaiting-sign-off", 10),
    ("signed-off", 25),
    ("transferred", 3),
];
const RAGS: &[&str] = &["red", "amber", "green"];

struct ReviewPlan {
    report: NaiveDate,
    referral: Option<NaiveDate>,
}

fn review_plan(rv: usize, reviews: usize) -> ReviewPlan {
    // Report dates spread evenly from mid-2016 to the end of 2025, oldest first.
    let span = (ymd(2025, 12, 15) - ymd(2016, 6, 1)).num_days();
    let report = ymd(2016, 6, 1) + Days::days(span * rv as i64 / reviews.max(1) as i64);
    // The last few reviews are not yet referred to the executive.
    let referral = (rv * 100 / reviews.max(1) < 97).then(|| report + Days::days(14));
    ReviewPlan { report, referral }
}

async fn load(url: &str, o: &Opts, lead_me: i64, first_user_id: i64, today: NaiveDate) -> Res<Counts> {
    let sqlite = url.starts_with("sqlite:");
    let pool = bulk_pool(url).await?;
    let mut conn = pool.acquire().await?;
    let mut c = Counts::default();
    let n = o.recs;
    let reviews = n.div_ceil(PER_REVIEW);

    conn.execute("BEGIN").await?;
    // Bodies: committees, the executive, boards.
    let mut bodies = Bulk::new(sqlite, "bodies", &["id", "name", "kind", "response_unit", "response_amount", "version"]);
    for b in 1..=BODIES {
        let (name, kind) = match b {
            1 => ("Cabinet".to_string(), "executive"),
            2 => ("Local Safeguarding Children Board".to_string(), "board"),
            3 => ("Health and Wellbeing Board".to_string(), "board"),
            _ if b % 5 == 0 => (format!("Children's Services Sub-group {b}"), "sub-group"),
            _ => (
                format!(
                    "Overview and Scrutiny Committee ({})",
                    ["Children's Services", "Adult Social Care", "Regeneration", "Performance", "Health"][b as usize % 5]
                ) + &format!(" {b}"),
                "committee",
            ),
        };
        let (unit, amount) = if b == 1 {
            (Some("months".to_string()), Some(2))
        } else if b % 7 == 0 {
            (Some("weeks".to_string()), Some(8))
        } else {
            (None, None)
        };
        bodies.push(&mut conn, vec![V::I(b), s(name), s(kind), os(unit), oi(amount), V::I(1)]).await?;
    }
    bodies.flush(&mut conn).await?;
    c.bodies = bodies.inserted;

    // Accounts: 199 more lead officers (the measured one was made through the store),
    // some scrutiny officers and committee members.
    let mut users = Bulk::new(sqlite, "users", &["id", "name", "email", "role", "job_title", "password_hash", "active", "created_at"]);
    let mut lead_pool = vec![lead_me];
    let mut id = first_user_id;
    for (role, count) in [("lead-officer", BULK_LEADS), ("scrutiny-officer", SCRUTINY_OFFICERS), ("committee-member", COMMITTEE_MEMBERS)] {
        for k in 0..count {
            let name = format!("{} {}", FIRST[(id as usize) % FIRST.len()], LAST[(id as usize / FIRST.len()) % LAST.len()]);
            let title = if role == "lead-officer" { format!("Service Manager, {}", AREAS[k as usize % AREAS.len()]) } else { String::new() };
            users
                .push(
                    &mut conn,
                    vec![
                        V::I(id),
                        s(name),
                        s(format!("{role}{k}@bench.example.org")),
                        s(role),
                        s(title),
                        s("bench-not-a-real-hash"),
                        V::I(1),
                        s(ts(ymd(2016, 1, 4))),
                    ],
                )
                .await?;
            if role == "lead-officer" {
                lead_pool.push(id);
            }
            id += 1;
        }
    }
    users.flush(&mut conn).await?;
    c.users = users.inserted + 2;
    c.lead_officers = lead_pool.len() as u64;

    // Reviews.
    let mut rv_bulk = Bulk::new(
        sqlite,
        "reviews",
        &[
            "id",
            "kind",
            "title",
            "terms_of_reference",
            "lead_member",
            "members",
            "origin_body_id",
            "start_date",
            "end_date",
            "report_date",
            "final_report_ref",
            "referred_to_body_id",
            "referral_date",
            "response_due",
            "version",
            "created_at",
        ],
    );
    let kinds = ["working-group", "inspection", "serious-case-review", "national-review", "other"];
    for rv in 0..reviews {
        let mut rng = StdRng::seed_from_u64(0x5eed_0000 + rv as u64);
        let p = review_plan(rv, reviews);
        let topic = pick(&mut rng, TOPICS);
        let kind = kinds[rv % kinds.len()];
        let origin = 4 + (rv as i64 % (BODIES - 3));
        let due = p.referral.map(|r| r + Days::days(61));
        rv_bulk
            .push(
                &mut conn,
                vec![
                    V::I(rv as i64 + 1),
                    s(kind),
                    s(format!("Review of {topic} ({})", rv + 1)),
                    s(prose(&mut rng, 200)),
                    s(format!("Councillor {}", pick(&mut rng, LAST))),
                    s(format!("Councillors {}, {} and {}", pick(&mut rng, LAST), pick(&mut rng, LAST), pick(&mut rng, LAST))),
                    V::I(origin),
                    s(ds(p.report - Days::days(200))),
                    s(ds(p.report - Days::days(30))),
                    s(ds(p.report)),
                    s(format!("Minute {}", 100 + rv)),
                    if p.referral.is_some() { V::I(1) } else { V::NI },
                    os(p.referral.map(ds)),
                    os(due.map(ds)),
                    V::I(1),
                    s(ts(p.report - Days::days(200))),
                ],
            )
            .await?;
    }
    rv_bulk.flush(&mut conn).await?;
    c.reviews = rv_bulk.inserted;
    conn.execute("COMMIT").await?;

    let mut recs = Bulk::new(
        sqlite,
        "recommendations",
        &[
            "id",
            "review_id",
            "parent_id",
            "number",
            "sub_label",
            "reference",
            "committee_wording",
            "executive_wording",
            "who_must_act",
            "area",
            "outcome",
            "response",
            "response_date",
            "response_reason",
            "lifecycle",
            "lifecycle_reason",
            "rag_override",
            "rag_suggested",
            "rag_override_reason",
            "monitoring_body_id",
            "target_date",
            "progress_percent",
            "last_update_date",
            "version",
            "created_at",
        ],
    );
    let mut leads = Bulk::new(sqlite, "recommendation_leads", &["recommendation_id", "user_id"]);
    let mut actions = Bulk::new(sqlite, "actions", &["id", "recommendation_id", "text", "owner", "target_date", "done", "version", "created_at"]);
    let mut revisions =
        Bulk::new(sqlite, "action_date_revisions", &["id", "action_id", "old_date", "new_date", "reason", "revised_by", "revised_at"]);
    let mut updates = Bulk::new(
        sqlite,
        "progress_updates",
        &["id", "recommendation_id", "author_id", "update_date", "narrative", "progress_percent", "corrects_id", "created_at"],
    );
    let mut evidence = Bulk::new(
        sqlite,
        "evidence_files",
        &["id", "update_id", "original_name", "content_type", "size_bytes", "sha256", "stored_name", "uploaded_by", "uploaded_at"],
    );
    let mut history = Bulk::new(
        sqlite,
        "recommendation_history",
        &["id", "recommendation_id", "at", "user_id", "kind", "from_value", "to_value", "reason", "body_id", "meeting_date", "minute_ref"],
    );
    let mut requests =
        Bulk::new(sqlite, "update_requests", &["id", "recommendation_id", "requested_by", "requested_at", "due_date", "for_report_date", "message"]);
    let (mut revision_id, mut evidence_id, mut history_id, mut request_id) = (0i64, 0i64, 0i64, 0i64);
    let upr = o.updates_per_rec;
    let start_window = ymd(2017, 1, 1);
    let end_window = ymd(2026, 6, 30);
    let started = Instant::now();

    let mut block_start = 0;
    while block_start < n {
        let block_end = (block_start + BLOCK).min(n);
        conn.execute("BEGIN").await?;
        // Each recommendation's child rows are decided with it, so the derived
        // columns (target date, progress, last update, suggested RAG) agree with them.
        struct Children {
            id: i64,
            leads: Vec<i64>,
            actions: Vec<(String, NaiveDate, bool, Option<NaiveDate>)>,
            updates: Vec<(NaiveDate, i64)>,
            report: NaiveDate,
            open: bool,
            response: &'static str,
            lifecycle: &'static str,
            response_date: Option<NaiveDate>,
            body: Option<i64>,
        }
        let mut kids: Vec<Children> = Vec::with_capacity(block_end - block_start);
        for i in block_start..block_end {
            let mut rng = StdRng::seed_from_u64(0xa55e_0000_0000 + i as u64);
            let rid = i as i64 + 1;
            let rv = i / PER_REVIEW;
            let pos = i % PER_REVIEW;
            let rp = review_plan(rv, reviews);
            let sub = pos % 10 == 9;
            let number = if sub { (pos - 1 - (pos - 1) / 10 + 1) as i64 } else { (pos - pos / 10 + 1) as i64 };
            let sub_label = if sub { "a" } else { "" };
            let response = if rp.referral.is_none() { "awaiting" } else { weighted(&mut rng, RESPONSES) };
            let lifecycle = if response == "awaiting" || response == "rejected" { "not-started" } else { weighted(&mut rng, LIFECYCLES) };
            let lc = Lifecycle::from_slug(lifecycle).unwrap();
            let response_date = (response != "awaiting").then(|| rp.referral.unwrap() + Days::days(rng.gen_range(20..75)));
            let body = (!rng.gen_ratio(1, 20)).then(|| rng.gen_range(2..=BODIES));
            let open = lc.is_open();
            // Lead officers.
            let mut ls = vec![lead_pool[rng.gen_range(0..lead_pool.len())]];
            if rng.gen_bool(0.5) {
                let other = lead_pool[rng.gen_range(0..lead_pool.len())];
                if other != ls[0] {
                    ls.push(other);
                }
            }
            // Two actions; some target dates revised later.
            let mut acts = Vec::new();
            for a in 0..2 {
                let first = rp.report + Days::days(rng.gen_range(150..900));
                let revised = rng.gen_ratio(1, 10).then(|| first + Days::days(rng.gen_range(60..300)));
                let done = !open || (a == 0 && rng.gen_ratio(1, 3));
                acts.push((format!("{} {}", ["Draft and agree", "Deliver"][a], pick(&mut rng, TOPICS)), first, done, revised));
            }
            let target = acts.iter().filter(|a| !a.2).map(|a| a.3.unwrap_or(a.1)).max();
            // Progress updates, dated in order across 2017–2026.
            let from = (rp.report + Days::days(20)).max(start_window);
            let from = if from >= end_window { end_window - Days::days(60) } else { from };
            let span = (end_window - from).num_days().max(1);
            let mut dates: Vec<NaiveDate> = (0..upr).map(|_| from + Days::days(rng.gen_range(0..span))).collect();
            dates.sort();
            let final_progress: i64 = match lc {
                Lifecycle::CompleteAwaitingSignOff | Lifecycle::SignedOff => 100,
                Lifecycle::NotStarted => 0,
                _ => rng.gen_range(5..95),
            };
            let ups: Vec<(NaiveDate, i64)> =
                dates.iter().enumerate().map(|(k, d)| (*d, final_progress * (k as i64 + 1) / upr.max(1) as i64)).collect();
            let (progress, last) = match ups.last() {
                Some((d, p)) => (Some(*p), Some(*d)),
                None => (None, None),
            };
            let created = rp.report;
            let start = response_date.or(rp.referral).unwrap_or(created);
            let rag_suggested = suggested_rag(RagInput { lifecycle: lc, start, target, progress_percent: progress, today }).map(|r| r.slug());
            let rag_override = (open && rng.gen_ratio(1, 12)).then(|| RAGS[rng.gen_range(0..3)]);
            let topic = pick(&mut rng, TOPICS);
            let wording = format!("The {} should {} {}. {}", pick(&mut rng, WHO), pick(&mut rng, VERBS), topic, prose(&mut rng, 120));
            let exec = if rng.gen_bool(0.5) { format!("The executive will {} {}.", pick(&mut rng, VERBS), topic) } else { String::new() };
            recs.push(
                &mut conn,
                vec![
                    V::I(rid),
                    V::I(rv as i64 + 1),
                    if sub { V::I(rid - 1) } else { V::NI },
                    V::I(number),
                    s(sub_label),
                    s(reference(rp.report, number, sub_label)),
                    s(wording),
                    s(exec),
                    s(pick(&mut rng, WHO)),
                    s(pick(&mut rng, AREAS)),
                    s(format!("Better outcomes for children in {topic}")),
                    s(response),
                    os(response_date.map(ds)),
                    s(if response == "rejected" { "Not affordable within the current budget" } else { "" }),
                    s(lifecycle),
                    s(if lc.needs_reason() { "Reprioritised after the budget review" } else { "" }),
                    os(rag_override.map(str::to_string)),
                    os(rag_suggested.map(str::to_string)),
                    s(if rag_override.is_some() { "Officer judgement after the partnership board" } else { "" }),
                    oi(body),
                    os(target.map(ds)),
                    oi(progress),
                    os(last.map(ds)),
                    V::I(1 + upr as i64),
                    s(ts(created)),
                ],
            )
            .await?;
            kids.push(Children {
                id: rid,
                leads: ls,
                actions: acts,
                updates: ups,
                report: rp.report,
                open,
                response,
                lifecycle,
                response_date,
                body,
            });
        }
        recs.flush(&mut conn).await?;

        for k in &kids {
            let mut rng = StdRng::seed_from_u64(0xc41d_0000_0000 + k.id as u64);
            for l in &k.leads {
                leads.push(&mut conn, vec![V::I(k.id), V::I(*l)]).await?;
            }
            for (a, (text, first, done, revised)) in k.actions.iter().enumerate() {
                let aid = (k.id - 1) * 2 + a as i64 + 1;
                let current = revised.unwrap_or(*first);
                actions
                    .push(
                        &mut conn,
                        vec![
                            V::I(aid),
                            V::I(k.id),
                            s(text.clone()),
                            s(pick(&mut rng, WHO)),
                            s(ds(current)),
                            V::I(*done as i64),
                            V::I(1 + revised.is_some() as i64),
                            s(ts(k.report)),
                        ],
                    )
                    .await?;
                if let Some(new) = revised {
                    revision_id += 1;
                    revisions
                        .push(
                            &mut conn,
                            vec![
                                V::I(revision_id),
                                V::I(aid),
                                s(ds(*first)),
                                s(ds(*new)),
                                s("Delayed by staff vacancies"),
                                V::I(k.leads[0]),
                                s(ts(*first - Days::days(10))),
                            ],
                        )
                        .await?;
                }
            }
            let base = (k.id - 1) * upr as i64;
            for (j, (d, p)) in k.updates.iter().enumerate() {
                let uid = base + j as i64 + 1;
                let corrects = (j > 0 && rng.gen_ratio(1, 50)).then_some(uid - 1);
                let mut narrative = prose(&mut rng, 290);
                if corrects.is_some() {
                    narrative.insert_str(0, "Correction to the previous update. ");
                }
                let author = k.leads[j % k.leads.len()];
                updates
                    .push(&mut conn, vec![V::I(uid), V::I(k.id), V::I(author), s(ds(*d)), s(narrative), V::I(*p), oi(corrects), s(ts(*d))])
                    .await?;
                if uid % 100 == 0 {
                    evidence_id += 1;
                    evidence
                        .push(
                            &mut conn,
                            vec![
                                V::I(evidence_id),
                                V::I(uid),
                                s(format!("evidence-{uid}.pdf")),
                                s("application/pdf"),
                                V::I(20_000 + (uid % 50_000)),
                                s(format!("{:064x}", uid)),
                                s(format!("{:032x}.bin", uid)),
                                V::I(author),
                                s(ts(*d)),
                            ],
                        )
                        .await?;
                }
            }
            if k.response != "awaiting" {
                history_id += 1;
                let on = k.response_date.unwrap();
                history
                    .push(
                        &mut conn,
                        vec![
                            V::I(history_id),
                            V::I(k.id),
                            s(ts(on)),
                            V::I(lead_me),
                            s("response"),
                            s("Awaiting response"),
                            s(k.response),
                            s(""),
                            V::I(1),
                            os(Some(ds(on))),
                            s(""),
                        ],
                    )
                    .await?;
            }
            if k.lifecycle != "not-started" {
                history_id += 1;
                let on = k.updates.last().map(|u| u.0).unwrap_or(k.report);
                let (body, minute) = if k.lifecycle == "signed-off" { (oi(k.body), s(format!("Minute {}", k.id % 500))) } else { (V::NI, s("")) };
                history
                    .push(
                        &mut conn,
                        vec![
                            V::I(history_id),
                            V::I(k.id),
                            s(ts(on)),
                            V::I(k.leads[0]),
                            s("lifecycle"),
                            s("In progress"),
                            s(k.lifecycle),
                            s(""),
                            body,
                            os(Some(ds(on))),
                            minute,
                        ],
                    )
                    .await?;
            }
            if k.open && k.id % 20 == 0 {
                request_id += 1;
                let due = today + Days::days(rng.gen_range(-30..60));
                requests
                    .push(
                        &mut conn,
                        vec![
                            V::I(request_id),
                            V::I(k.id),
                            V::I(lead_me),
                            s(ts(due - Days::days(28))),
                            s(ds(due)),
                            os(Some(ds(due + Days::days(14)))),
                            s("Please update before the committee meets"),
                        ],
                    )
                    .await?;
            }
        }
        // Children in dependency order, so foreign keys hold at every statement.
        for b in [&mut leads, &mut actions, &mut revisions, &mut updates, &mut evidence, &mut history, &mut requests] {
            b.flush(&mut conn).await?;
        }
        conn.execute("COMMIT").await?;
        block_start = block_end;
        if block_start % 20_000 == 0 || block_start == n {
            eprintln!("  {block_start} of {n} recommendations with their rows ({:.1}s)", started.elapsed().as_secs_f64());
        }
    }
    let all = [&recs, &leads, &actions, &revisions, &updates, &evidence, &history, &requests];
    eprintln!("  time in INSERTs: {}", all.iter().map(|b| format!("{} {:.1}s", b.table, b.busy.as_secs_f64())).collect::<Vec<_>>().join(", "));
    c.recs = recs.inserted;
    c.leads = leads.inserted;
    c.actions = actions.inserted;
    c.revisions = revisions.inserted;
    c.updates = updates.inserted;
    c.evidence = evidence.inserted;
    c.history = history.inserted;
    c.requests = requests.inserted;

    if !sqlite {
        // Explicit ids were inserted: move the identity sequences past them.
        for t in [
            "users",
            "bodies",
            "reviews",
            "recommendations",
            "actions",
            "action_date_revisions",
            "progress_updates",
            "evidence_files",
            "recommendation_history",
            "update_requests",
        ] {
            conn.execute(format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {t}), false)").as_str())
                .await?;
        }
    }
    drop(conn);
    pool.close().await;
    Ok(c)
}

#[derive(Default, Debug)]
struct Counts {
    bodies: u64,
    users: u64,
    lead_officers: u64,
    reviews: u64,
    recs: u64,
    leads: u64,
    actions: u64,
    revisions: u64,
    updates: u64,
    evidence: u64,
    history: u64,
    requests: u64,
}

// ------------------------------------------------------------------ measuring

struct Page {
    name: String,
    path: String,
    cookie: String,
}

// ------------------------------------------------------------------ main

#[tokio::main]
async fn main() -> Res<()> {
    let o = Opts::from_env();
    sqlx::any::install_default_drivers();
    let dir = temp_dir("assure_bench");
    let url = o.url.clone().unwrap_or_else(|| assure_storage::sqlite_url(&dir));
    let engine = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        "postgresql"
    } else if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        return Err("ASSURE_BENCH_DATABASE_URL must start with sqlite: or postgres://".into());
    };
    println!("Assure tracker benchmark: {engine}, {} recommendations x {} updates, {} iterations", o.recs, o.updates_per_rec, o.iterations);
    if let Err(e) = ensure_empty(&url).await {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(e);
    }
    let today = assure_domain::Clock::system().today();

    // The schema is the store's own: open it so the migrations run.
    let store = Store::open(&url).await?;
    let sys = Actor::system();
    let admin = store
        .users()
        .create_account(
            &sys,
            &AccountInput {
                name: "Bench Administrator".into(),
                email: "admin@bench.example.org".into(),
                job_title: String::new(),
                role: Some(Role::Administrator),
            },
            "bench-not-a-real-hash",
        )
        .await?;
    let lead = store
        .users()
        .create_account(
            &sys,
            &AccountInput {
                name: "Bench Lead Officer".into(),
                email: "lead@bench.example.org".into(),
                job_title: "Service Manager".into(),
                role: Some(Role::LeadOfficer),
            },
            "bench-not-a-real-hash",
        )
        .await?;
    store.close().await;

    let t = Instant::now();
    let counts = load(&url, &o, lead, admin.max(lead) + 1, today).await?;
    let generation = t.elapsed();
    let ta = Instant::now();
    let analyzed = analyze(&url, o.extra_sql.as_deref()).await?;
    let analyze_time = ta.elapsed();
    println!(
        "Generated in {:.1}s ({}{analyzed} {:.1}s): {} bodies, {} reviews, {} recommendations, {} leads, {} actions, {} date revisions, {} progress updates, {} evidence files, {} history rows, {} update requests, {} users",
        generation.as_secs_f64(),
        if o.extra_sql.is_some() { "extra SQL, " } else { "" },
        analyze_time.as_secs_f64(),
        counts.bodies,
        counts.reviews,
        counts.recs,
        counts.leads,
        counts.actions,
        counts.revisions,
        counts.updates,
        counts.evidence,
        counts.history,
        counts.requests,
        counts.users
    );

    // Reopen, so every connection plans with the fresh statistics.
    let store = Store::open(&url).await?;
    let app = assure_web::app(store.clone(), assure_web::Config::new(dir.clone()));
    let mut cookies = Vec::new();
    for (user, n) in [(admin, 0), (lead, 1)] {
        let raw = format!("bench-session-{n}-{}", std::process::id());
        store.sessions().create(&assure_web::auth::sha256_hex(&raw), user, &format!("{:064x}", n + 1), "127.0.0.1").await?;
        cookies.push(format!("{}={raw}", assure_web::auth::SESSION_COOKIE));
    }
    let (admin_cookie, lead_cookie) = (cookies[0].clone(), cookies[1].clone());

    // A top-level recommendation in the middle review: ~10 updates, a sub-item, two actions.
    let reviews = o.recs.div_ceil(PER_REVIEW);
    let detail_id = if o.recs > 8 { ((reviews / 2).min((o.recs - 9) / PER_REVIEW) * PER_REVIEW + 8 + 1) as i64 } else { 1 };
    let pages = [
        ("list", "/recommendations".to_string(), &admin_cookie),
        ("list filtered", "/recommendations?rag=red&lifecycle=in-progress".to_string(), &admin_cookie),
        ("list search", format!("/recommendations?q={SEARCH_WORD}"), &admin_cookie),
        ("list by lead", format!("/recommendations?lead={lead}"), &admin_cookie),
        ("recommendation", format!("/recommendations/{detail_id}"), &admin_cookie),
        ("dashboard", "/".to_string(), &admin_cookie),
        ("my (lead)", "/my".to_string(), &lead_cookie),
        ("reviews", "/reviews".to_string(), &admin_cookie),
    ];
    let mut rows = Vec::new();
    for (name, path, cookie) in pages {
        let p = Page { name: name.to_string(), path, cookie: cookie.clone() };
        let t = measure(&app, &store, &p.name, &p.path, &p.cookie, o.iterations).await;
        eprintln!("  measured {} (median {:.1} ms)", t.name, ms(t.samples[t.samples.len() / 2]));
        rows.push(t);
    }
    print_table(&rows, o.iterations);
    store.close().await;

    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!();
    println!(
        "summary engine={engine} cores={cores} extra_sql={} recs={} updates={} reviews={} bodies={} users={} lead_officers={} leads={} actions={} revisions={} evidence={} history={} requests={} generation_s={:.1} iterations={} detail_id={detail_id} lead_id={lead}",
        o.extra_sql.is_some(),
        counts.recs,
        counts.updates,
        counts.reviews,
        counts.bodies,
        counts.users,
        counts.lead_officers,
        counts.leads,
        counts.actions,
        counts.revisions,
        counts.evidence,
        counts.history,
        counts.requests,
        generation.as_secs_f64(),
        o.iterations
    );
    if o.url.is_none() {
        if o.keep {
            println!("kept {}", url);
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
