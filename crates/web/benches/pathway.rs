//! CSE pathway benchmark: fills a fresh database with a large partnership (1,000,000
//! children by default, with their agencies' involvements and ~1.2 referrals each,
//! most decided and a few thousand on the MASH queue), then times the pathway's
//! busiest pages in-process through the whole app (guard, session, need-to-know rule,
//! store, audit of every view, rendering): the MASH queue for a MASH worker, and a
//! child's page, a child's referrals, the list and a name search for a practitioner
//! whose agency is involved with about 0.5% of the children.
//!
//!     cargo bench -p assure-web --bench pathway
//!
//! Environment:
//! - `ASSURE_BENCH_CHILDREN` (default 1000000) children
//! - `ASSURE_BENCH_DATABASE_URL` (default: a new SQLite file in a temporary
//!   directory); a `postgres://` URL must name a fresh, empty database
//! - `ASSURE_BENCH_ITERATIONS` (default 30) timed requests per page, after 3 warm-ups
//! - `ASSURE_BENCH_KEEP=1` keeps the SQLite file (to look at query plans afterwards)
//! - `ASSURE_BENCH_EXTRA_SQL` statements separated by `;`, run after loading and
//!   before ANALYZE (to try an index before it goes into a migration)

use std::time::Instant;

use assure_domain::children::{name_key, normalise};
use assure_domain::partnership::{AgencyKind, Team};
use assure_domain::Role;
use assure_storage::users::NewUser;
use assure_storage::{Actor, Store};
use chrono::{Duration as Days, SecondsFormat, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Executor;

mod common;

use common::{analyze, bulk_pool, ds, ensure_empty, env_num, measure, ms, pick, print_table, s, temp_dir, weighted, Bulk, Res, V};

struct Opts {
    children: usize,
    url: Option<String>,
    iterations: usize,
    keep: bool,
    extra_sql: Option<String>,
}

impl Opts {
    fn from_env() -> Opts {
        Opts {
            children: env_num("ASSURE_BENCH_CHILDREN", 1_000_000).max(1000),
            url: std::env::var("ASSURE_BENCH_DATABASE_URL").ok().filter(|s| !s.trim().is_empty()),
            iterations: env_num("ASSURE_BENCH_ITERATIONS", 30).max(1),
            keep: std::env::var("ASSURE_BENCH_KEEP").is_ok_and(|v| v == "1"),
            extra_sql: std::env::var("ASSURE_BENCH_EXTRA_SQL").ok().filter(|s| !s.trim().is_empty()),
        }
    }
}

/// Agencies in the partnership; the first few are the big ones (police, social care, health).
const AGENCIES: usize = 200;
const BIG: usize = 3;
/// Children generated (and committed) together with their involvements and referrals.
const BLOCK: usize = 5000;
/// About 1 in 400 referrals is still waiting for the MASH: ~3,000 at a million children.
const UNDECIDED_IN: u32 = 400;
/// The surname searched for (the commonest in the generated names).
const COMMON_SURNAME: &str = "Smith";

const GIRLS: &[&str] = &[
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia", "Grace", "Freya", "Aisha", "Zara", "Maryam", "Chloe",
    "Megan", "Jessica", "Ruby", "Ellie", "Niamh", "Precious", "Amira", "Hannah", "Leah", "Tia", "Maja", "Zofia",
];
const BOYS: &[&str] = &[
    "Noah", "Oliver", "George", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Archie", "Jack", "Jacob", "Charlie", "Ethan", "Kai", "Tyler",
    "Kieran", "Jayden", "Daniel", "Ibrahim", "Kwame", "Reuben", "Liam", "Jakub", "Callum", "Nathan", "Dylan",
];
/// Surnames with rough weights (Smith the commonest, ~1.3% of children).
const SURNAMES: &[(&str, u32)] = &[
    ("Smith", 13),
    ("Jones", 10),
    ("Williams", 8),
    ("Taylor", 7),
    ("Brown", 7),
    ("Davies", 6),
    ("Evans", 5),
    ("Wilson", 5),
    ("Thomas", 5),
    ("Johnson", 5),
    ("Roberts", 5),
    ("Robinson", 4),
    ("Thompson", 4),
    ("Wright", 4),
    ("Walker", 4),
    ("White", 4),
    ("Edwards", 4),
    ("Hughes", 4),
    ("Green", 4),
    ("Hall", 4),
    ("Lewis", 4),
    ("Harris", 4),
    ("Clarke", 4),
    ("Patel", 4),
    ("Jackson", 3),
    ("Wood", 3),
    ("Turner", 3),
    ("Martin", 3),
    ("Cooper", 3),
    ("Hill", 3),
    ("Ward", 3),
    ("Morris", 3),
    ("Moore", 3),
    ("Clark", 3),
    ("Lee", 3),
    ("King", 3),
    ("Baker", 3),
    ("Harrison", 3),
    ("Morgan", 3),
    ("Allen", 3),
    ("James", 3),
    ("Scott", 3),
    ("Phillips", 3),
    ("Watson", 3),
    ("Davis", 3),
    ("Parker", 3),
    ("Price", 3),
    ("Bennett", 3),
    ("Young", 3),
    ("Griffiths", 3),
    ("Mitchell", 3),
    ("Kelly", 3),
    ("Cook", 3),
    ("Carter", 3),
    ("Richardson", 3),
    ("Bailey", 3),
    ("Collins", 3),
    ("Bell", 3),
    ("Shaw", 3),
    ("Murphy", 3),
    ("Miller", 3),
    ("Cox", 3),
    ("Richards", 3),
    ("Khan", 3),
    ("Marshall", 3),
    ("Anderson", 3),
    ("Simpson", 3),
    ("Ellis", 3),
    ("Adams", 3),
    ("Singh", 3),
    ("Begum", 3),
    ("Wilkinson", 3),
    ("Foster", 3),
    ("Chapman", 3),
    ("Powell", 3),
    ("Webb", 3),
    ("Rogers", 3),
    ("Gray", 3),
    ("Mason", 3),
    ("Ali", 3),
    ("Hunt", 3),
    ("Hussain", 3),
    ("Campbell", 3),
    ("Matthews", 3),
    ("Owen", 3),
    ("Palmer", 3),
    ("Holmes", 3),
    ("Mills", 3),
    ("Barnes", 3),
    ("Knight", 3),
    ("Lloyd", 3),
    ("Butler", 3),
    ("Russell", 3),
    ("Barker", 3),
    ("Fisher", 3),
    ("Stevens", 3),
    ("Jenkins", 3),
    ("Murray", 3),
    ("Dixon", 3),
    ("Harvey", 3),
    ("Nowak", 2),
    ("Kowalski", 2),
    ("Okafor", 2),
    ("Mensah", 2),
    ("Rahman", 2),
    ("Ahmed", 2),
    ("Doyle", 2),
    ("Byrne", 2),
    ("Nguyen", 2),
    ("Osei", 2),
    ("Mahmood", 2),
    ("Kaur", 2),
];
const ETHNICITIES: &[&str] = &[
    "White British",
    "White Irish",
    "White other",
    "Mixed White and Black Caribbean",
    "Indian",
    "Pakistani",
    "Bangladeshi",
    "Black African",
    "Black Caribbean",
    "Chinese",
    "Other",
];
const WARDS: &[&str] = &["Eastfield", "Riverside", "Northgate", "Southmoor", "Westbrook", "Castle", "Park", "Harbour", "Meadow", "Abbey"];
const DECISIONS: &[(&str, u32)] =
    &[("child-protection", 10), ("child-in-need-and-macse", 15), ("macse", 20), ("known-child-contact", 20), ("no-cse-concern", 35)];
const RISKS: &[&str] = &["no-apparent-risk", "low", "medium", "high"];

fn ts(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[derive(Default, Debug)]
struct Counts {
    children: u64,
    involvements: u64,
    referrals: u64,
    undecided: u64,
    mine: u64,
}

/// Load the children, involvements and referrals with multi-row INSERTs. `agency_ids`
/// are the agencies made through the store (index 0.. as generated); `mine` is the
/// practitioner's agency (involved with ~1/AGENCIES of the children).
#[allow(clippy::too_many_arguments)]
async fn load(url: &str, n: usize, agency_ids: &[i64], mine: i64, raiser: i64, mash: i64, answers: &str, now: chrono::DateTime<Utc>) -> Res<Counts> {
    let sqlite = url.starts_with("sqlite:");
    let pool = bulk_pool(url).await?;
    let mut conn = pool.acquire().await?;
    let mut c = Counts::default();
    let today = now.date_naive();
    let mut children = Bulk::new(
        sqlite,
        "children",
        &[
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "gender",
            "ethnicity",
            "address",
            "ward",
            "school",
            "legal_status",
            "version",
            "created_at",
            "phonetic_first",
            "phonetic_last",
            "search_first",
            "search_last",
        ],
    );
    let mut involvements = Bulk::new(sqlite, "child_involvements", &["child_id", "agency_id", "kind", "since"]);
    let mut referrals = Bulk::new(
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
            "interventions",
            "keep_monitoring",
            "decided_at",
            "decided_by",
            "returned_at",
            "version",
        ],
    );
    let keys: Vec<(String, String)> = SURNAMES.iter().map(|(s, _)| (s.to_string(), name_key(s))).collect();
    let girls: Vec<String> = GIRLS.iter().map(|f| name_key(f)).collect();
    let boys: Vec<String> = BOYS.iter().map(|f| name_key(f)).collect();
    let mut referral_id = 0i64;
    let started = Instant::now();
    let mut block = 0;
    while block < n {
        let end = (block + BLOCK).min(n);
        conn.execute("BEGIN").await?;
        // Children first, then the rows that refer to them (the bulk inserts flush at different sizes).
        let (mut inv_rows, mut ref_rows): (Vec<Vec<V>>, Vec<Vec<V>>) = (Vec::new(), Vec::new());
        for i in block..end {
            let mut rng = StdRng::seed_from_u64(0xc5e_0000_0000 + i as u64);
            let id = i as i64 + 1;
            let girl = rng.gen_ratio(3, 5);
            let (first, fkey) = if girl {
                let k = rng.gen_range(0..GIRLS.len());
                (GIRLS[k], &girls[k])
            } else {
                let k = rng.gen_range(0..BOYS.len());
                (BOYS[k], &boys[k])
            };
            let last = weighted(&mut rng, SURNAMES);
            let lkey = &keys.iter().find(|(s, _)| s == last).unwrap().1;
            let dob = today - Days::days(rng.gen_range(365 * 10..365 * 18));
            // The agency that raised the first concern: any of the partnership's agencies.
            let primary = agency_ids[rng.gen_range(0..AGENCIES)];
            let since = today - Days::days(rng.gen_range(1..1500));
            children
                .push(
                    &mut conn,
                    vec![
                        V::I(id),
                        s(first),
                        s(last),
                        s(ds(dob)),
                        s(if girl { "Female" } else { "Male" }),
                        s(pick(&mut rng, ETHNICITIES)),
                        s(format!("{} {} Road", rng.gen_range(1..300), pick(&mut rng, WARDS))),
                        s(pick(&mut rng, WARDS)),
                        s(format!("{} Academy", pick(&mut rng, WARDS))),
                        s(["none", "none", "none", "child-in-need", "child-protection-plan", "looked-after-here"][rng.gen_range(0..6)]),
                        V::I(1),
                        s(ts(now - Days::days((today - since).num_days()))),
                        s(fkey.clone()),
                        s(lkey.clone()),
                        s(normalise(first)),
                        s(normalise(last)),
                    ],
                )
                .await?;
            inv_rows.push(vec![V::I(id), V::I(primary), s("raised-concern"), s(ds(since))]);
            c.involvements += 1;
            if primary == mine {
                c.mine += 1;
            }
            // Many children also have a plan action held by one of the big agencies.
            if rng.gen_ratio(2, 5) {
                let big = agency_ids[rng.gen_range(0..BIG)];
                if big != primary {
                    inv_rows.push(vec![V::I(id), V::I(big), s("holds-action"), s(ds(since + Days::days(20)))]);
                    c.involvements += 1;
                }
            }
            // ~1.2 referrals a child; most decided, a few on the MASH queue.
            let count = if rng.gen_ratio(1, 5) { 2 } else { 1 };
            for k in 0..count {
                referral_id += 1;
                let undecided = k == count - 1 && rng.gen_ratio(1, UNDECIDED_IN);
                let submitted = if undecided {
                    now - Days::minutes(rng.gen_range(10..60 * 24 * 5))
                } else {
                    now - Days::days(((today - since).num_days() - k as i64 * 90).max(1))
                };
                let seen_on = submitted.date_naive() - Days::days(rng.gen_range(0..5));
                let decision = (!undecided).then(|| weighted(&mut rng, DECISIONS));
                let status = match decision {
                    None if rng.gen_ratio(1, 3) => "checks-in-progress",
                    None => "submitted",
                    Some("no-cse-concern") => "acknowledged-by-spoc",
                    Some(_) => "decided",
                };
                let picked = (status != "submitted").then(|| submitted + Days::hours(2));
                let decided = decision.map(|_| submitted + Days::hours(rng.gen_range(4..72)));
                ref_rows.push(vec![
                    V::I(referral_id),
                    V::I(id),
                    V::I(primary),
                    V::I(raiser),
                    s("professional-concern"),
                    s("Seen getting into a car with two adult men after school; has a second phone the family did not provide."),
                    s(ds(seen_on)),
                    s("Outside the school gates"),
                    s("Form tutor"),
                    s("Referral to the MASH for screening: repeated pick-ups by adults and unexplained gifts."),
                    V::I(1),
                    s(answers),
                    s(pick(&mut rng, RISKS)),
                    s(status),
                    s(ts(submitted)),
                    picked.map(|t| s(ts(t))).unwrap_or(V::NS),
                    decision.map(s).unwrap_or(V::NS),
                    decision.map(|_| s("Screening and checks considered by the MASH team.")).unwrap_or(V::NS),
                    if decision == Some("no-cse-concern") { s("Keep-safe work in school; keep monitoring.") } else { V::NS },
                    V::I((decision == Some("no-cse-concern")) as i64),
                    decided.map(|t| s(ts(t))).unwrap_or(V::NS),
                    if decision.is_some() { V::I(mash) } else { V::NI },
                    if decision == Some("no-cse-concern") { decided.map(|t| s(ts(t))).unwrap_or(V::NS) } else { V::NS },
                    V::I(1),
                ]);
                if undecided {
                    c.undecided += 1;
                }
            }
        }
        children.flush(&mut conn).await?;
        for r in inv_rows {
            involvements.push(&mut conn, r).await?;
        }
        for r in ref_rows {
            referrals.push(&mut conn, r).await?;
        }
        involvements.flush(&mut conn).await?;
        referrals.flush(&mut conn).await?;
        conn.execute("COMMIT").await?;
        block = end;
        if block % 100_000 == 0 || block == n {
            eprintln!("  {block} children ({:.0}s)", started.elapsed().as_secs_f64());
        }
    }
    c.children = n as u64;
    c.referrals = referral_id as u64;
    if !sqlite {
        for t in ["children", "referrals"] {
            conn.execute(format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {t}), false)").as_str())
                .await?;
        }
    }
    drop(conn);
    pool.close().await;
    Ok(c)
}

// ------------------------------------------------------------------ measuring

// ------------------------------------------------------------------ main

#[tokio::main]
async fn main() -> Res<()> {
    let o = Opts::from_env();
    sqlx::any::install_default_drivers();
    let dir = temp_dir("assure_bench_pathway");
    let url = o.url.clone().unwrap_or_else(|| assure_storage::sqlite_url(&dir));
    let engine = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        "postgresql"
    } else if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        return Err("ASSURE_BENCH_DATABASE_URL must start with sqlite: or postgres://".into());
    };
    println!("Assure pathway benchmark: {engine}, {} children, {AGENCIES} agencies, {} iterations", o.children, o.iterations);
    if let Err(e) = ensure_empty(&url).await {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(e);
    }
    let now = assure_domain::Clock::system().now();

    // The schema, the agencies, the measured people and the screening tool through the store.
    let store = Store::open(&url).await?;
    let sys = Actor::system();
    let mut agency_ids = Vec::with_capacity(AGENCIES);
    for k in 0..AGENCIES {
        let (name, kind) = match k {
            0 => ("Police".to_string(), AgencyKind::Police),
            1 => ("Children's Social Care".to_string(), AgencyKind::ChildrensSocialCare),
            2 => ("Community Health NHS Trust".to_string(), AgencyKind::Health),
            _ if k % 4 == 0 => (format!("Early Help Team {k}"), AgencyKind::EarlyHelp),
            _ => (format!("School {k}"), AgencyKind::Education),
        };
        agency_ids.push(store.partnership().create_agency(&sys, &name, Some(kind)).await?);
    }
    let mine = agency_ids[7];
    let hash = "bench-not-a-real-hash";
    let mash = store
        .users()
        .create(
            &sys,
            NewUser { name: "Bench MASH Worker", email: "mash@bench.example.org", role: Role::MashWorker, job_title: "", password_hash: hash },
        )
        .await?;
    store.partnership().set_agency(&sys, mash, agency_ids[1]).await?;
    store.partnership().add_team_member(&sys, Team::Mash, mash).await?;
    let practitioner = store
        .users()
        .create(
            &sys,
            NewUser {
                name: "Bench Practitioner",
                email: "practitioner@bench.example.org",
                role: Role::Practitioner,
                job_title: "",
                password_hash: hash,
            },
        )
        .await?;
    store.partnership().set_agency(&sys, practitioner, mine).await?;
    let tool = store.screening().current().await?;
    let answers: std::collections::BTreeMap<String, bool> = tool.indicators().enumerate().map(|(k, i)| (i.key.clone(), k % 5 == 0)).collect();
    let answers = serde_json::to_string(&answers)?;
    store.close().await;

    let t = Instant::now();
    let counts = load(&url, o.children, &agency_ids, mine, practitioner, mash, &answers, now).await?;
    let generation = t.elapsed();
    let ta = Instant::now();
    let analyzed = analyze(&url, o.extra_sql.as_deref()).await?;
    println!(
        "Generated in {:.1}s ({}{analyzed} {:.1}s): {} children, {} involvements, {} referrals ({} on the MASH queue); the practitioner's agency raised concerns for {} children",
        generation.as_secs_f64(),
        if o.extra_sql.is_some() { "extra SQL, " } else { "" },
        ta.elapsed().as_secs_f64(),
        counts.children,
        counts.involvements,
        counts.referrals,
        counts.undecided,
        counts.mine
    );

    let store = Store::open(&url).await?;
    let app = assure_web::app(store.clone(), assure_web::Config::new(dir.clone()));
    let mut cookies = Vec::new();
    for (user, n) in [(mash, 0), (practitioner, 1)] {
        let raw = format!("bench-session-{n}-{}", std::process::id());
        store.sessions().create(&assure_web::auth::sha256_hex(&raw), user, &format!("{:064x}", n + 1), "127.0.0.1").await?;
        cookies.push(format!("{}={raw}", assure_web::auth::SESSION_COOKIE));
    }
    let (mash_cookie, practitioner_cookie) = (cookies[0].clone(), cookies[1].clone());
    // A child in the practitioner's reach, from the middle of the table.
    let viewer = store.partnership().viewer(practitioner).await?.expect("the practitioner is on the pathway");
    let (in_reach, total) = assure_storage::testing::children_in_reach(&store, &viewer, None, 1000, 0).await;
    let child = in_reach.get(in_reach.len() / 2).map(|c| c.id).expect("a child in reach");
    println!("The practitioner may see {total} children; measured child {child}");

    let pages = [
        ("MASH queue (MASH worker)", "/mash".to_string(), &mash_cookie),
        ("child page (practitioner)", format!("/children/{child}"), &practitioner_cookie),
        ("child's referrals (pract.)", format!("/children/{child}/referrals"), &practitioner_cookie),
        ("children list (pract.)", "/children".to_string(), &practitioner_cookie),
        ("name search (pract.)", format!("/children?name={COMMON_SURNAME}"), &practitioner_cookie),
        ("name search (MASH)", format!("/children?name={COMMON_SURNAME}"), &mash_cookie),
    ];
    let mut rows = Vec::new();
    for (name, path, cookie) in pages {
        let t = measure(&app, &store, name, &path, cookie, o.iterations).await;
        eprintln!("  measured {} (median {:.1} ms)", t.name, ms(t.samples[t.samples.len() / 2]));
        rows.push(t);
    }
    print_table(&rows, o.iterations);
    store.close().await;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!();
    println!(
        "summary engine={engine} cores={cores} extra_sql={} children={} involvements={} referrals={} queue={} in_reach={total} generation_s={:.1} iterations={}",
        o.extra_sql.is_some(),
        counts.children,
        counts.involvements,
        counts.referrals,
        counts.undecided,
        generation.as_secs_f64(),
        o.iterations
    );
    if o.url.is_none() && o.keep {
        println!("kept {url}");
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
