//! Monitoring report benchmark: one review with 200 recommendations (some of them
//! sub-items), each with one or two actions (some with revised dates) and 10
//! progress updates (2,000 in all, each a paragraph), built through the store's API
//! in a fresh database; then the time to assemble the draft report, issue it, read
//! the issued snapshot back, and render it as DOCX, XLSX, CSV, HTML and PDF.
//!
//!     cargo bench -p assure-web --bench reports
//!
//! Environment:
//! - `ASSURE_BENCH_RECS` (default 200) recommendations in the review
//! - `ASSURE_BENCH_UPDATES_PER_REC` (default 10) progress updates per recommendation
//! - `ASSURE_BENCH_DATABASE_URL` (default: a new SQLite file in a temporary
//!   directory); a `postgres://` URL must name a fresh, empty database
//! - `ASSURE_BENCH_RUNS` (default 5) timed runs of each step, after one untimed warm-up
//! - `ASSURE_BENCH_PDF_RUNS` (default 3, at most `ASSURE_BENCH_RUNS`) timed PDF conversions
//! - `ASSURE_BENCH_NO_ANALYZE=1` times the database as loaded, without statistics
//! - `ASSURE_SKIP_LIBREOFFICE=1` leaves PDF out (it is left out anyway, with a note,
//!   when LibreOffice's `soffice` cannot be found)
//!
//! The database is analysed after loading (ANALYZE; VACUUM ANALYZE on PostgreSQL),
//! as a live one would have been. Nothing is written outside the temporary
//! directory, which is removed at the end.

use std::time::{Duration, Instant};

use assure_documents::{render, Format};
use assure_domain::accounts::AccountInput;
use assure_domain::report::{Layout, MonitoringReport};
use assure_domain::tracker::{
    check_action, check_rag_override, check_response, ActionInput, BodyKind, EndorsementInput, ExecutiveResponse, Lifecycle, LifecycleInput, Rag,
    RagOverrideInput, ResponseInput, ReviewKind, RevisionInput, ScheduleInput,
};
use assure_domain::Role;
use assure_storage::reports::ReportInput;
use assure_storage::tracker::{BodyInput, RecommendationInput, ReviewInput, UpdateInput};
use assure_storage::{Actor, Store};
use chrono::{Duration as Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

mod common;

use common::{analyze, ensure_empty, env_num, pick, temp_dir, ymd, Res, AREAS, TOPICS, VERBS, WHO};

// ------------------------------------------------------------------ settings

struct Opts {
    recs: usize,
    updates_per_rec: usize,
    url: Option<String>,
    runs: usize,
    pdf_runs: usize,
    skip_pdf: bool,
    analyze: bool,
}

impl Opts {
    fn from_env() -> Opts {
        let runs = env_num("ASSURE_BENCH_RUNS", 5).max(1);
        Opts {
            recs: env_num("ASSURE_BENCH_RECS", 200).clamp(1, 999),
            updates_per_rec: env_num("ASSURE_BENCH_UPDATES_PER_REC", 10),
            url: std::env::var("ASSURE_BENCH_DATABASE_URL").ok().filter(|s| !s.trim().is_empty()),
            runs,
            pdf_runs: env_num("ASSURE_BENCH_PDF_RUNS", 3).clamp(1, runs),
            skip_pdf: std::env::var("ASSURE_SKIP_LIBREOFFICE").is_ok_and(|v| v == "1"),
            analyze: !std::env::var("ASSURE_BENCH_NO_ANALYZE").is_ok_and(|v| v == "1"),
        }
    }
}

/// The committee meeting the report goes to; every update is dated before it.
fn meeting() -> NaiveDate {
    ymd(2026, 1, 20)
}

// ------------------------------------------------------------------ generated text

const OPENINGS: &[&str] = &[
    "The service has met with partners from health, the police and education to agree how this recommendation will be delivered.",
    "A task and finish group chaired by the Head of Service has met three times since the last report.",
    "Following the committee's last meeting, officers have reviewed the current arrangements against the working group's findings.",
    "The multi-agency steering group considered a progress report at its meeting this month.",
    "Officers have completed the consultation with schools, governors and parent carer forums.",
];
const MIDDLES: &[&str] = &[
    "Training sessions were held across all four localities, attended by 140 practitioners, and feedback was consistently positive.",
    "Performance data for the quarter shows a steady improvement, with the proportion of cases reviewed on time rising from 71% to 84%.",
    "Funding for the pilot has been confirmed until March, and two additional schools have joined it.",
    "An audit of 40 case files found that plans were clearer, although the voice of the child was not always recorded.",
    "The revised protocol has been agreed by the partnership board and circulated to all frontline teams.",
    "Recruitment to the two new posts has been completed and both officers started in the service last month.",
    "Families who took part in the evaluation described the support as timely and said they knew who to contact.",
    "A briefing for elected members was held and the committee's questions have been answered in writing.",
];
const CLOSINGS: &[&str] = &[
    "The next milestone is a report to the partnership board in the spring, after which the action can be closed.",
    "The timetable has been revised because the national guidance the work depends on has not yet been published.",
    "Officers consider the recommendation on track and will report further progress to the next meeting.",
    "A further update, with the results of the re-audit, will be provided to the committee in six months.",
    "The remaining action depends on a decision by the Cabinet Member, expected before the end of the municipal year.",
];

/// A progress update of three to five sentences (roughly 350–700 characters).
fn narrative(rng: &mut StdRng) -> String {
    let mut parts = vec![pick(rng, OPENINGS).to_string()];
    let middle = rng.gen_range(1..=3);
    let mut used = Vec::new();
    while used.len() < middle {
        let m = pick(rng, MIDDLES);
        if !used.contains(&m) {
            used.push(m);
        }
    }
    parts.extend(used.into_iter().map(str::to_string));
    parts.push(pick(rng, CLOSINGS).to_string());
    parts.join(" ")
}

// ------------------------------------------------------------------ the review

#[derive(Default)]
struct Counts {
    recs: usize,
    sub_items: usize,
    actions: usize,
    revised_actions: usize,
    updates: usize,
    narrative_chars: usize,
}

/// One review and its tracker, built through the store exactly as the pages would.
async fn build(store: &Store, o: &Opts) -> Res<(i64, Actor, Counts)> {
    let sys = Actor::system();
    let officer_id = store
        .users()
        .create_account(
            &sys,
            &AccountInput {
                name: "Bench Scrutiny Officer".into(),
                email: "officer@bench.example.org".into(),
                job_title: "Senior Democratic Services Officer".into(),
                role: Some(Role::ScrutinyOfficer),
            },
            "bench-not-a-real-hash",
        )
        .await?;
    let officer = Actor { user_id: Some(officer_id), label: "officer@bench.example.org".into(), ip: String::new() };
    let titles = [
        "Head of Children's Social Care",
        "Head of Schools and Families",
        "Head of Early Help",
        "Service Manager, Youth Justice",
        "Head of Regulation and Compliance",
        "Designated Nurse for Safeguarding",
    ];
    let names = ["Jordan Ellis", "Priya Shah", "Sam Okafor", "Alex Morgan", "Tom Reid", "Dana Whitfield"];
    let mut leads = Vec::new();
    for (i, (name, title)) in names.iter().zip(titles).enumerate() {
        let email = format!("lead{i}@bench.example.org");
        let id = store
            .users()
            .create_account(
                &sys,
                &AccountInput { name: name.to_string(), email: email.clone(), job_title: title.into(), role: Some(Role::LeadOfficer) },
                "bench-not-a-real-hash",
            )
            .await?;
        leads.push((id, Actor { user_id: Some(id), label: email, ip: String::new() }));
    }
    let body = |name: &str, kind| BodyInput { name: name.into(), kind: Some(kind), response_unit: None, response_amount: None };
    let committee = store
        .tracker()
        .create_body(&officer, &body("Overview and Scrutiny Committee (Children's Services and Safeguarding)", BodyKind::Committee))
        .await?;
    let cabinet = store.tracker().create_body(&officer, &body("Cabinet", BodyKind::Executive)).await?;
    let review = store
        .tracker()
        .create_review(
            &officer,
            &ReviewInput {
                kind: Some(ReviewKind::WorkingGroup),
                title: "Children's Services Improvement Working Group".into(),
                terms_of_reference: "To review the council's children's services improvement plan and make recommendations.".into(),
                lead_member: "Councillor Dave Robinson".into(),
                members: "Councillors Bradshaw, Keith, O'Brien, Robinson and Thomas".into(),
                origin_body_id: Some(committee),
                start_date: Some(ymd(2020, 6, 1)),
                end_date: Some(ymd(2021, 9, 14)),
                report_date: Some(ymd(2021, 9, 14)),
                final_report_ref: "Children's Services Improvement Working Group Final Report, September 2021".into(),
                referred_to_body_id: Some(cabinet),
                referral_date: Some(ymd(2021, 9, 28)),
            },
        )
        .await?;
    store
        .tracker()
        .add_endorsement(
            &officer,
            review,
            &EndorsementInput { body_id: Some(committee), endorsed_on: Some(ymd(2021, 9, 14)), minute_ref: "Minute 22".into() },
        )
        .await?;
    store
        .tracker()
        .add_schedule(
            &officer,
            review,
            &ScheduleInput {
                body_id: Some(committee),
                first_report_date: Some(ymd(2022, 1, 18)),
                interval_months: Some(6),
                resolution_ref: "Cabinet, 7 October 2021, recommendation (12)".into(),
            },
        )
        .await?;

    let mut rng = StdRng::seed_from_u64(0x7e9_0000);
    let mut c = Counts::default();
    let (mut number, mut parent, mut next_sub) = (0i64, 0i64, 0u8);
    let first_update = ymd(2022, 1, 10);
    let span = (meeting() - Days::days(7) - first_update).num_days();
    let started = Instant::now();
    while c.recs < o.recs {
        // About one recommendation in five is a sub-item (a), (b) ... of the one above.
        let sub = c.recs > 0 && next_sub < 3 && rng.gen_ratio(1, 4);
        let topic = pick(&mut rng, TOPICS);
        let wording = format!(
            "That the {} {} {topic}, working with partners, and report the outcome to this committee within twelve months, including the views of children, young people and their families.",
            pick(&mut rng, WHO),
            pick(&mut rng, VERBS)
        );
        let lead_ids: Vec<i64> = if rng.gen_ratio(1, 3) {
            let a = rng.gen_range(0..leads.len());
            vec![leads[a].0, leads[(a + 1) % leads.len()].0]
        } else {
            vec![leads[rng.gen_range(0..leads.len())].0]
        };
        let input = if sub {
            let label = ((b'a' + next_sub) as char).to_string();
            next_sub += 1;
            c.sub_items += 1;
            RecommendationInput {
                parent_id: Some(parent),
                sub_label: label,
                committee_wording: wording.clone(),
                executive_wording: wording,
                who_must_act: pick(&mut rng, WHO).into(),
                area: pick(&mut rng, AREAS).into(),
                monitoring_body_id: Some(committee),
                lead_ids: lead_ids.clone(),
                ..Default::default()
            }
        } else {
            number += 1;
            next_sub = 0;
            RecommendationInput {
                parent_id: None,
                number: Some(number),
                sub_label: String::new(),
                committee_wording: wording.clone(),
                executive_wording: wording,
                who_must_act: pick(&mut rng, WHO).into(),
                area: pick(&mut rng, AREAS).into(),
                outcome: format!("Children and young people benefit from better {topic}."),
                monitoring_body_id: Some(committee),
                lead_ids: lead_ids.clone(),
                lead_officers_text: None,
                origin: String::new(),
                executive_decision_date: None,
            }
        };
        let id = store.tracker().create_recommendation(&officer, review, &input).await?;
        if !sub {
            parent = id;
        }
        c.recs += 1;

        let (response, reason) = match rng.gen_range(0..20) {
            0 => (ExecutiveResponse::Rejected, "The council's budget does not allow it this year"),
            1..=3 => (ExecutiveResponse::PartiallyAccepted, ""),
            4..=6 => (ExecutiveResponse::AcceptedInPrinciple, ""),
            _ => (ExecutiveResponse::Accepted, ""),
        };
        let v = store.tracker().recommendation(id).await?.version;
        store
            .tracker()
            .record_response(
                &officer,
                id,
                v,
                &check_response(&ResponseInput { response: Some(response), response_date: Some(ymd(2021, 10, 7)), response_reason: reason.into() })?,
            )
            .await?;

        let lead_actor = &leads.iter().find(|(l, _)| *l == lead_ids[0]).unwrap().1;
        let owner = titles[leads.iter().position(|(l, _)| *l == lead_ids[0]).unwrap()];
        for k in 0..rng.gen_range(1..=2) {
            let target = ymd(2022, 3, 31) + Days::days(rng.gen_range(0..1200));
            let text =
                format!("{} the plan for {topic} ({})", ["Agree", "Publish", "Deliver", "Evaluate"][k % 4], pick(&mut rng, AREAS).to_lowercase());
            let action = store
                .tracker()
                .add_action(lead_actor, id, &check_action(&ActionInput { text: text.clone(), owner: owner.into(), target_date: Some(target) })?)
                .await?;
            c.actions += 1;
            if rng.gen_ratio(1, 4) {
                let mut current = target;
                for _ in 0..rng.gen_range(1..=2) {
                    let new_date = current + Days::days(rng.gen_range(60..200));
                    let v = store.tracker().action(action).await?.version;
                    store
                        .tracker()
                        .revise_action_date(
                            lead_actor,
                            action,
                            v,
                            &RevisionInput { new_date: Some(new_date), reason: "Partners asked for more time to consult families".into() },
                        )
                        .await?;
                    current = new_date;
                }
                c.revised_actions += 1;
            }
            if target < ymd(2024, 6, 1) && rng.gen_ratio(1, 2) {
                let v = store.tracker().action(action).await?.version;
                store.tracker().set_action_done(lead_actor, action, v, true).await?;
            }
        }

        for u in 0..o.updates_per_rec {
            // Spread over the monitoring period, in order.
            let day = span * (u as i64 * 2 + 1) / (o.updates_per_rec as i64 * 2).max(1) + rng.gen_range(-10..=10);
            let date = first_update + Days::days(day.clamp(0, span));
            let text = narrative(&mut rng);
            c.narrative_chars += text.len();
            let percent = ((u + 1) * 100 / o.updates_per_rec.max(1)) as i64;
            store
                .tracker()
                .add_update(
                    lead_actor,
                    id,
                    &UpdateInput { update_date: Some(date), narrative: text, progress_percent: Some(percent.min(100)), corrects_id: None },
                    &[],
                )
                .await?;
            c.updates += 1;
        }
        if rng.gen_ratio(1, 6) {
            let v = store.tracker().recommendation(id).await?.version;
            store
                .tracker()
                .set_lifecycle(lead_actor, id, v, &LifecycleInput { lifecycle: Some(Lifecycle::CompleteAwaitingSignOff), reason: "".into() })
                .await?;
        } else if rng.gen_ratio(1, 8) {
            let v = store.tracker().recommendation(id).await?.version;
            store
                .tracker()
                .set_rag_override(
                    &officer,
                    id,
                    v,
                    &check_rag_override(&RagOverrideInput {
                        rag: if rng.gen_ratio(1, 2) { Rag::Red } else { Rag::Amber }.slug().into(),
                        rag_reason: "Key milestones have slipped".into(),
                    })?,
                )
                .await?;
        }
        if c.recs % 50 == 0 || c.recs == o.recs {
            eprintln!("  {} of {} recommendations with their actions and updates ({:.1}s)", c.recs, o.recs, started.elapsed().as_secs_f64());
        }
    }
    Ok((review, officer, c))
}

// ------------------------------------------------------------------ measuring

struct Step {
    name: String,
    samples: Vec<Duration>,
    size: String,
}

fn ms(d: Duration) -> String {
    let m = d.as_secs_f64() * 1000.0;
    if m >= 1000.0 {
        format!("{:.2} s", m / 1000.0)
    } else {
        format!("{m:.1} ms")
    }
}

fn bytes(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{:.2} MB", n as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KB", n as f64 / 1024.0)
    }
}

fn median(sorted: &[Duration]) -> Duration {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

fn step(name: &str, mut samples: Vec<Duration>, size: String) -> Step {
    samples.sort();
    eprintln!("  measured {name}: median {}", ms(median(&samples)));
    Step { name: name.to_string(), samples, size }
}

/// One untimed warm-up, then `runs` timed renders.
fn time_render(report: &MonitoringReport, format: Format, runs: usize, warm_up: bool) -> Res<(Vec<Duration>, usize)> {
    if warm_up {
        render(report, format)?;
    }
    let mut samples = Vec::with_capacity(runs);
    let mut size = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let out = render(report, format)?;
        samples.push(t.elapsed());
        size = out.len();
    }
    Ok((samples, size))
}

fn print_table(steps: &[Step], notes: &[String]) {
    println!();
    println!("| step | median | min | max | output size |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for s in steps {
        println!(
            "| {} ({} runs) | {} | {} | {} | {} |",
            s.name,
            s.samples.len(),
            ms(median(&s.samples)),
            ms(s.samples[0]),
            ms(s.samples[s.samples.len() - 1]),
            s.size
        );
    }
    for n in notes {
        println!();
        println!("{n}");
    }
}

// ------------------------------------------------------------------ main

/// Statistics as a live database has them (autovacuum on PostgreSQL): without them
/// PostgreSQL's first plans for a freshly loaded table can be far slower than any a
/// council would see.
async fn run(o: &Opts, url: &str, engine: &str) -> Res<()> {
    ensure_empty(url).await?;
    let store = Store::open(url).await?;
    let t = Instant::now();
    let (review, officer, c) = build(&store, o).await?;
    let built = t.elapsed();
    store.close().await;
    let t = Instant::now();
    let analyzed = if o.analyze { analyze(url, None).await? } else { "no ANALYZE" };
    println!(
        "Built in {:.1}s through the store ({analyzed} {:.1}s): 1 review, {} recommendations ({} sub-items), {} actions ({} with revised dates), {} progress updates (average {} characters)",
        built.as_secs_f64(),
        t.elapsed().as_secs_f64(),
        c.recs,
        c.sub_items,
        c.actions,
        c.revised_actions,
        c.updates,
        c.narrative_chars / c.updates.max(1)
    );
    // Reopen, so every connection plans with the fresh statistics.
    let store = Store::open(url).await?;
    let today = meeting();
    let mut steps = Vec::new();
    let mut notes = Vec::new();

    // One draft per issue to time (a report is issued only once); all created before
    // any is issued, so none compares itself with an earlier issue.
    let mut drafts = Vec::new();
    for _ in 0..=o.runs {
        let input = ReportInput { review_id: Some(review), body_id: None, meeting_date: Some(meeting()), layout: Some(Layout::ProgressMade) };
        drafts.push(store.reports().create(&officer, &input).await?);
    }

    // Assembling the draft from the tracker.
    let q0 = store.query_count();
    let draft = store.reports().monitoring_report(drafts[0], today).await?;
    let statements = store.query_count() - q0;
    let mut samples = Vec::new();
    for _ in 0..o.runs {
        let t = Instant::now();
        let r = store.reports().monitoring_report(drafts[0], today).await?;
        samples.push(t.elapsed());
        assert_eq!(r.rows.len(), draft.rows.len());
    }
    let included: usize = draft.rows.iter().map(|r| r.updates.len()).sum();
    assert_eq!(draft.rows.len(), c.recs, "every recommendation is in the report");
    assert_eq!(included, c.updates, "every update is dated before the meeting");
    steps.push(step(
        "assemble draft (monitoring_report)",
        samples,
        format!("{} rows, {} updates; {statements} statements", draft.rows.len(), included),
    ));

    // Issuing: freeze the snapshot and record the updates it included.
    let mut samples = Vec::new();
    let mut issued = Vec::new();
    for id in drafts.iter().skip(1) {
        let version = store.reports().get(*id).await?.version;
        let t = Instant::now();
        store.reports().issue(&officer, *id, version, today).await?;
        samples.push(t.elapsed());
        issued.push(*id);
    }
    let snapshot = store.reports().monitoring_report(issued[0], today).await?;
    let json = serde_json::to_vec(&snapshot)?.len();
    steps.push(step("issue report (freeze snapshot)", samples, format!("{} JSON", bytes(json))));

    // Reading the issued snapshot back.
    let mut samples = Vec::new();
    for _ in 0..o.runs {
        let t = Instant::now();
        let r = store.reports().monitoring_report(issued[0], today).await?;
        samples.push(t.elapsed());
        assert_eq!(r.issue, Some(1));
    }
    steps.push(step("read issued snapshot", samples, format!("{} rows", snapshot.rows.len())));

    for format in [Format::Docx, Format::Xlsx, Format::Csv, Format::Html] {
        let (samples, size) = time_render(&snapshot, format, o.runs, true)?;
        steps.push(step(&format!("render {}", format.extension().to_uppercase()), samples, bytes(size)));
    }
    if o.skip_pdf {
        notes.push("PDF left out: ASSURE_SKIP_LIBREOFFICE=1.".to_string());
    } else if !assure_documents::pdf::available() {
        notes.push("PDF left out: LibreOffice (soffice) was not found; install it or set ASSURE_SOFFICE to time PDF output.".to_string());
    } else {
        // Each conversion starts LibreOffice afresh, as a download does: no warm-up.
        let (samples, size) = time_render(&snapshot, Format::Pdf, o.pdf_runs, false)?;
        steps.push(step("render PDF (DOCX + LibreOffice)", samples, bytes(size)));
    }
    store.close().await;

    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    println!();
    println!(
        "Assure report benchmark: {engine}, {cores} cores; one review of {} recommendations and {} updates, reported to the meeting of {}",
        c.recs,
        c.updates,
        meeting()
    );
    print_table(&steps, &notes);
    Ok(())
}

#[tokio::main]
async fn main() -> Res<()> {
    let o = Opts::from_env();
    sqlx::any::install_default_drivers();
    let dir = temp_dir("assure_bench_reports");
    let url = o.url.clone().unwrap_or_else(|| assure_storage::sqlite_url(&dir));
    let engine = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        "postgresql"
    } else if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        let _ = std::fs::remove_dir_all(&dir);
        return Err("ASSURE_BENCH_DATABASE_URL must start with sqlite: or postgres://".into());
    };
    println!(
        "Assure report benchmark: {engine}, {} recommendations x {} updates, {} runs ({} for PDF)",
        o.recs, o.updates_per_rec, o.runs, o.pdf_runs
    );
    let result = run(&o, &url, engine).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}
