//! Two years of the demo partnership's work behind the pathway's dozen children, so the
//! CSE dataset has something to show: each of the 24 months before this one has its
//! referrals (from health, the police and social care; each screened,
//! decided by the MASH, some for young people over 16), and missing episodes with
//! their return interviews (offered within 72 hours, or not: one month falls well
//! short). They are recorded through the same checked commands as the pages, then
//! dated back to their month, as the rest of the demo is.
//!
//! [`load`] records the history and closes its months up to the quarter the quarterly
//! demo reports on; [`after_close`] (once that quarter is closed too) records one
//! referral late into a closed month, so the month shows a restatement, and opens the
//! case-file audits: the six-monthly round, under way, with cases graded and the
//! actions agreed tracked as recommendations, and a round triggered by the month whose
//! return interviews fell short.

use assure_domain::case_audit::{Grade, RoundInput};
use assure_domain::datasets::Month;
use assure_domain::missing::{EpisodeInput, Findings, InterviewInput, InterviewResponse, MissingFrom, RiskGrading};
use assure_domain::partnership::Section;
use assure_domain::quarterly::Quarter;
use assure_domain::referral::{ConcernForm, ConcernInput, DecisionInput, MashDecision, ReferralSource};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::child_access::{ChildKey, Reader};
use crate::children::{ChildInput, ChildRef};
use crate::{Actor, Result, Store, StoreError};

/// The months of history: the 24 before the demo's own month.
pub const MONTHS: usize = 24;

/// The month whose return interviews fell short, counted back from the demo's month.
const SHORT_MONTH_BACK: u32 = 5;

async fn person(store: &Store, email: &str) -> Result<Reader> {
    let (user, _) = store.users().by_email(email).await?.ok_or(StoreError::NotFound)?;
    store.reader(Actor { user_id: Some(user.id), label: email.into(), ip: String::new() }).await?.ok_or(StoreError::NotFound)
}

/// The day the history is counted back from: the demo's day, or the store's if earlier.
fn today(store: &Store, today: NaiveDate) -> NaiveDate {
    today.min(store.today())
}

/// The month `back` months before `today`'s.
fn month_back(today: NaiveDate, back: u32) -> Month {
    (0..back).fold(Month::of(today), |m, _| m.previous())
}

/// A spread that is the same on every load (Knuth's multiplicative hash).
fn pick(i: usize, salt: usize, n: usize) -> usize {
    ((i.wrapping_mul(2_654_435_761) ^ salt.wrapping_mul(40_503)) >> 7) % n
}

const FIRST: [(&str, &str); 16] = [
    ("Amelia", "Female"),
    ("Ruby", "Female"),
    ("Lily", "Female"),
    ("Mia", "Female"),
    ("Ellie", "Female"),
    ("Freya", "Female"),
    ("Isla", "Female"),
    ("Grace", "Female"),
    ("Evie", "Female"),
    ("Poppy", "Female"),
    ("Harvey", "Male"),
    ("Tyler", "Male"),
    ("Callum", "Male"),
    ("Reece", "Male"),
    ("Jamal", "Male"),
    ("Kai", "Male"),
];
const LAST: [&str; 18] = [
    "Ashworth",
    "Barlow",
    "Crompton",
    "Dunne",
    "Entwistle",
    "Fletcher",
    "Gorman",
    "Halliwell",
    "Ingham",
    "Jolley",
    "Kershaw",
    "Livesey",
    "Molyneux",
    "Naylor",
    "Ormerod",
    "Pilling",
    "Quigley",
    "Rimmer",
];
const WARDS: [&str; 5] = ["Eastfield", "Riverside", "Northgate", "Southmoor", "Westbrook"];
const ETHNICITY: [&str; 5] = ["White British", "Mixed White and Black Caribbean", "Pakistani", "White Irish", "Black British"];

/// Who raised the month's concerns, in turn: (account, the route it came by). Not the
/// schools' practitioners: the pathway's children are the ones their pages show.
const RAISERS: [(&str, ReferralSource); 5] = [
    ("health-lead@example.org", ReferralSource::ProfessionalConcern),
    ("police-cse-officer@example.org", ReferralSource::PoliceNotification),
    ("education-lead@example.org", ReferralSource::ProfessionalConcern),
    ("missing-officer@example.org", ReferralSource::PoliceNotification),
    ("health-lead@example.org", ReferralSource::ProfessionalConcern),
];

/// The indicators answered yes, by how worried the raiser was.
const ANSWERS: [&[&str]; 4] = [
    &["truancy", "low-mood"],
    &["returns-late", "new-older-friends", "secretive-online"],
    &["missing-overnight", "older-partner", "unexplained-gifts"],
    &["picked-up-in-cars", "found-far-away", "sexual-health", "seen-at-hotspots"],
];

const WHAT_SEEN: [&str; 4] = [
    "Seen getting into a car with two older men outside school; the car has been seen before.",
    "Has a new phone and money she cannot explain, and talks about an older boyfriend.",
    "Found at a house known to police late at night with older youths and alcohol.",
    "Disclosed being asked for images by someone met online, then withdrew it.",
];

/// A referral's decision: mostly MACSE, some child in need with MACSE overview.
fn decision(n: usize) -> (MashDecision, &'static str) {
    if n % 3 == 2 {
        (MashDecision::ChildInNeedAndMacse, "Needs met by a child in need plan, with MACSE overview of the exploitation risk.")
    } else {
        (MashDecision::Macse, "Risk of CSE confirmed by the checks: to the MACSE panel for a plan.")
    }
}

/// How many referrals a month had: between three and six, drifting up over the two
/// years as awareness training reached more staff.
fn referrals_in(i: usize) -> usize {
    3 + pick(i, 1, 3) + i / 12
}

struct Recorded {
    child_id: i64,
    submitted: NaiveDateTime,
}

/// Record the two years and close their months up to the quarter the quarterly demo
/// closes and reports on.
pub async fn load(store: &Store, today: NaiveDate) -> Result<()> {
    let today = self::today(store, today);
    let mash = person(store, "mash-worker@example.org").await?;
    let analyst = person(store, "cse-analyst@example.org").await?;
    let mut raisers = Vec::new();
    for (email, source) in RAISERS {
        raisers.push((person(store, email).await?, source));
    }
    let mut n = 0usize;
    for (i, month) in month_back(today, 1).trailing(MONTHS).into_iter().enumerate() {
        let mut recorded = Vec::new();
        for k in 0..referrals_in(i) {
            let day = month.first_day() + Duration::days(pick(n, 2, month.last_day().day() as usize - 1) as i64);
            let at = day.and_time(NaiveTime::from_hms_opt(8 + pick(n, 3, 9) as u32, 15, 0).unwrap_or_default());
            let (raiser, source) = &raisers[(n + i) % raisers.len()];
            recorded.push(raise(store, &mash, raiser, *source, n, k, at, today).await?);
            n += 1;
        }
        // Missing episodes of two or three of the month's children, each with its return
        // interview: offered the next day, except in the month that fell short.
        for (j, r) in recorded.iter().enumerate().take(2 + pick(i, 4, 2)) {
            let started = r.submitted + Duration::days(2 + j as i64);
            let ended = started + Duration::hours(14 + pick(n + j, 5, 20) as i64);
            if ended >= store.clock().local_now() - Duration::days(5) {
                continue;
            }
            let (_, episode) = store
                .missing(&analyst)
                .record_episode(&EpisodeInput {
                    child: Some(ChildRef::Existing(r.child_id)),
                    missing_from: Some(if j == 1 { MissingFrom::Education } else { MissingFrom::Home }),
                    started_at: Some(started),
                    ended_at: Some(ended),
                    where_found: "Returned home".into(),
                    police_reference: format!("MP/{}/{}", 1000 + n, j + 1),
                    risk_grading: Some(if j == 0 { RiskGrading::Medium } else { RiskGrading::Low }),
                })
                .await?;
            let short = month == month_back(today, SHORT_MONTH_BACK);
            let late = if short { j != 2 } else { pick(n + j, 6, 7) == 0 };
            let offered = ended + Duration::hours(if late { 110 } else { 20 });
            let accepted = pick(n + j, 7, 4) != 0;
            store
                .open_child(&analyst, ChildKey::Child(r.child_id), Section::Missing)
                .await?
                .record_interview(
                    episode,
                    None,
                    &InterviewInput {
                        offered_at: Some(offered),
                        response: Some(if accepted { InterviewResponse::Accepted } else { InterviewResponse::Declined }),
                        interviewer: if accepted { "Return interview worker".into() } else { String::new() },
                        provider: "Safe Return Advocacy Service".into(),
                        follow_up_actions: "Shared with the MASH and the child's school.".into(),
                        findings: Findings::default(),
                        ..Default::default()
                    },
                )
                .await?;
        }
    }
    let analyst_actor = analyst.actor().clone();
    let before = Quarter::of(today).previous().previous().months()[0];
    for month in month_back(today, 1).trailing(MONTHS).into_iter().filter(|m| *m < before) {
        if store.datasets().closed(month).await?.is_none() {
            store.datasets().close(&analyst_actor, month).await?;
        }
    }
    Ok(())
}

/// A concern raised for a new child, decided by the MASH, and dated back to `at`.
#[allow(clippy::too_many_arguments)]
async fn raise(
    store: &Store,
    mash: &Reader,
    raiser: &Reader,
    source: ReferralSource,
    n: usize,
    k: usize,
    at: NaiveDateTime,
    today: NaiveDate,
) -> Result<Recorded> {
    let (first, gender) = FIRST[pick(n, 8, FIRST.len())];
    let last = LAST[(n * 7 + k) % LAST.len()];
    // One in six over 16: the dataset watches for under-reporting of older teenagers.
    let age = if pick(n, 9, 6) == 0 { 16 + pick(n, 10, 2) as i32 } else { 11 + pick(n, 11, 5) as i32 };
    let born = NaiveDate::from_ymd_opt(at.date().year() - age, 1 + pick(n, 12, 12) as u32, 1 + pick(n, 13, 28) as u32);
    let child = ChildInput {
        first_name: first.into(),
        last_name: last.into(),
        date_of_birth: born,
        estimated_age: None,
        gender: gender.into(),
        ethnicity: ETHNICITY[pick(n, 14, ETHNICITY.len())].into(),
        address: format!("{} {} Street", 2 + pick(n, 15, 90), LAST[pick(n, 16, LAST.len())]),
        ward: WARDS[pick(n, 17, WARDS.len())].into(),
        school: String::new(),
    };
    let worry = pick(n, 18, ANSWERS.len());
    let tool = store.screening().current().await?;
    let answers = tool.indicators().map(|i| (i.key.clone(), ANSWERS[worry].contains(&i.key.as_str()))).collect();
    let concern = ConcernInput {
        source: Some(source),
        reported_by: None,
        what_seen: WHAT_SEEN[pick(n, 19, WHAT_SEEN.len())].into(),
        seen_on: Some(today),
        seen_where: "Near the child's home".into(),
        seen_by: "The referrer".into(),
        referral_text: "Referred to the MASH for screening and multi-agency checks.".into(),
    };
    let raised = store.referrals(raiser).raise(&ConcernForm { child: Some(ChildRef::New(child)), concern, answers }).await?;
    let record = store.open_child(mash, ChildKey::Child(raised.child_id), Section::MashDecision).await?;
    let version = record.referral(raised.referral_id).await?.version;
    let (d, reasons) = decision(n);
    record.decide(raised.referral_id, version, &DecisionInput { decision: Some(d), reasons: reasons.into(), interventions: String::new() }).await?;
    // Decided within hours for the riskiest, within a few days for the rest.
    let hours = [70, 40, 20, 6][worry] + pick(n, 20, 12) as i64;
    let decided = (at + Duration::hours(hours)).min(store.clock().local_now() - Duration::hours(1));
    date_back(store, raised.referral_id, at, decided).await?;
    Ok(Recorded { child_id: raised.child_id, submitted: at })
}

/// Date a referral's steps back to when they were taken, as the demo does for the
/// pathway's own children.
async fn date_back(store: &Store, referral: i64, submitted: NaiveDateTime, decided: NaiveDateTime) -> Result<()> {
    let instant = |t: NaiveDateTime| crate::stamp(assure_domain::clock::from_london(t));
    let mut tx = store.write().await?;
    store
        .q("UPDATE referrals SET submitted_at = $1, seen_on = $2, picked_up_at = CASE WHEN picked_up_at IS NULL THEN NULL ELSE $1 END, \
            decided_at = CASE WHEN decided_at IS NULL THEN NULL ELSE $3 END WHERE id = $4")
        .bind(instant(submitted))
        .bind(crate::date_str(submitted.date() - Duration::days(1)))
        .bind(instant(decided))
        .bind(referral)
        .execute(tx.conn())
        .await?;
    tx.commit().await
}

/// After the quarterly demo has closed its quarter: a referral recorded late into a
/// closed month (its restatement), and the case-file audits.
pub async fn after_close(store: &Store, today: NaiveDate) -> Result<()> {
    let today = self::today(store, today);
    let mash = person(store, "mash-worker@example.org").await?;
    let health = person(store, "health-lead@example.org").await?;
    // Recorded today about a concern raised by phone in a closed month and never entered.
    let late = month_back(today, 7);
    let at = (late.first_day() + Duration::days(11)).and_time(NaiveTime::from_hms_opt(10, 30, 0).unwrap_or_default());
    raise(store, &mash, &health, ReferralSource::ProfessionalConcern, 9_999, 0, at, today).await?;

    let analyst = person(store, "cse-analyst@example.org").await?;
    let manager = person(store, "partnership-manager@example.org").await?;
    let audits = store.case_audits();
    // The six-monthly round: the six months before last quarter, audited over three
    // weeks that end next week.
    let from = month_back(today, 9).first_day();
    let to = month_back(today, 4).last_day();
    let round = audits
        .open_round(
            manager.actor(),
            &RoundInput {
                title: format!("Case-file audit, {}", if today.month() >= 4 && today.month() <= 9 { "spring" } else { "autumn" }),
                period_from: Some(from),
                period_to: Some(to),
                starts_on: Some(today - Duration::days(14)),
                ends_on: Some(today + Duration::days(7)),
                seed: Some(20_261_001 << 1),
                per_stratum: Some(3),
            },
            None,
        )
        .await?;
    let auditors = [
        person(store, "education-lead@example.org").await?,
        person(store, "missing-officer@example.org").await?,
        person(store, "mash-worker@example.org").await?,
    ];
    let questions = audits.questions().await?;
    let findings = [
        (Grade::Good, "Referred the same day and screened well; the plan names who does what."),
        (Grade::RequiresImprovement, "The plan does not say by when; the child's own words are not recorded."),
        (Grade::RequiresImprovement, "Return interview offered after five days; the school was not told of the episode."),
        (Grade::Good, "Agencies shared what they knew within a day; the decision's reasons are clear."),
    ];
    for (i, case) in audits.cases(round).await?.into_iter().enumerate() {
        let auditor = &auditors[i % auditors.len()];
        let uid = auditor.actor().user_id.ok_or(StoreError::NotFound)?;
        audits.assign(&manager, round, case.child_id, uid).await?;
        if i < findings.len() {
            let (grade, text) = findings[i];
            let version = audits.cases(round).await?.into_iter().find(|c| c.child_id == case.child_id).ok_or(StoreError::NotFound)?.version;
            let answers: Vec<(String, Grade)> = questions.iter().map(|q| (q.clone(), grade)).collect();
            audits.grade(auditor, round, case.child_id, version, &answers, grade, text).await?;
        }
    }
    for (wording, who) in [
        ("Every MACSE plan should say who will do each action and by when, and be checked at the panel.", "MACSE co-chairs"),
        ("Return interviews should be offered within 72 hours of every return, and the child's school told of the episode.", "Head of Early Help"),
        ("Record the child's own words in every plan and review.", "Principal social worker"),
    ] {
        audits.add_action(manager.actor(), round, wording, who).await?;
    }
    // The month whose return interviews fell short triggers its own round.
    let short = month_back(today, SHORT_MONTH_BACK);
    audits
        .open_round(
            analyst.actor(),
            &RoundInput {
                title: format!("Triggered audit: return interviews, {}", short.label()),
                period_from: Some(short.first_day()),
                period_to: Some(short.last_day()),
                starts_on: Some(today),
                ends_on: Some(today + Duration::days(14)),
                seed: None,
                per_stratum: Some(2),
            },
            Some(("interviews-within-72-hours".into(), short, 80.0)),
        )
        .await?;
    Ok(())
}
