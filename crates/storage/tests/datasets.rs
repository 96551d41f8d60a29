//! The monthly CSE dataset on SQLite and PostgreSQL: every seeded measure counted from
//! hand-built records matches the figure worked out by hand (month boundaries on the
//! London clock, across the change to British Summer Time on 29 March 2026); closing a
//! month freezes it; a late-recorded event shows as a restatement beside the closed
//! figure; closing twice, or closing the month in progress, is refused and changes
//! nothing; a measure an administrator writes is checked against its building blocks.

use assure_domain::datasets::{Condition, Counting, Dimension, Direction, MeasureInput, Month, PeriodRule, Source, Value};
use assure_domain::Clock;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::{Actor, StoreError};
use chrono::{NaiveDate, TimeZone, Utc};

const T: &str = "2026-01-01T00:00:00.000000Z";

async fn records(db: &TestDb) {
    let s = &db.store;
    let sql = [
        format!("INSERT INTO agencies (id, name, kind, created_at) VALUES (1, 'Police', 'police', '{T}'), (2, 'Hillside School', 'education', '{T}'), (3, 'Health', 'health', '{T}')"),
        format!(
            "INSERT INTO children (id, first_name, last_name, date_of_birth, estimated_age, gender, ward, created_at) VALUES \
             (1, 'Amy', 'A', '2009-01-01', NULL, 'Female', 'Abbey', '{T}'), \
             (2, 'Ben', 'B', '2013-06-01', NULL, 'Male', 'Bridge', '{T}'), \
             (3, 'Cat', 'C', NULL, 14, 'Female', 'Abbey', '{T}'), \
             (4, 'Dan', 'D', '2010-05-01', NULL, 'Male', 'Castle', '{T}'), \
             (5, 'Amie', 'A', '2009-01-01', NULL, 'Female', 'Abbey', '{T}')"
        ),
        "UPDATE children SET merged_into_id = 1 WHERE id = 5".to_string(),
    ];
    for q in sql {
        testing::exec(s, &q).await;
    }
    // id, child, agency, source, risk, submitted, decided, decision
    let referrals = [
        (1, 1, 2, "professional-concern", "high", "2026-03-02T10:00:00.000000Z", Some("2026-03-02T14:00:00.000000Z"), Some("macse")),
        (2, 2, 1, "police-101", "medium", "2026-03-10T09:00:00.000000Z", Some("2026-04-01T09:00:00.000000Z"), Some("macse")),
        // 23:30 BST on 31 March: March; decided 00:30 BST on 1 April: April.
        (3, 1, 2, "professional-concern", "high", "2026-03-31T22:30:00.000000Z", Some("2026-03-31T23:30:00.000000Z"), Some("macse")),
        // 00:30 BST on 1 April: April.
        (4, 3, 2, "professional-concern", "low", "2026-03-31T23:30:00.000000Z", None, None),
        (5, 5, 1, "police-101", "low", "2026-03-15T12:00:00.000000Z", Some("2026-03-15T20:00:00.000000Z"), Some("no-cse-concern")),
        // 23:30 GMT on 28 February: February; decided 1 March.
        (6, 4, 2, "professional-concern", "medium", "2026-02-28T23:30:00.000000Z", Some("2026-03-01T01:30:00.000000Z"), Some("child-protection")),
        (7, 4, 2, "professional-concern", "medium", "2025-06-01T10:00:00.000000Z", Some("2025-06-01T12:00:00.000000Z"), Some("child-protection")),
    ];
    for (id, child, agency, source, risk, submitted, decided, decision) in referrals {
        let q = format!(
            "INSERT INTO referrals (id, child_id, agency_id, source, what_seen, seen_on, seen_where, seen_by, referral_text, tool_version, answers_json, risk_level, status, submitted_at, decided_at, decision) \
             VALUES ({id}, {child}, {agency}, '{source}', '', '2026-03-01', '', '', '', 1, '[]', '{risk}', '{}', '{submitted}', {}, {})",
            if decided.is_some() { "decided" } else { "submitted" },
            decided.map_or("NULL".into(), |d| format!("'{d}'")),
            decision.map_or("NULL".into(), |d| format!("'{d}'")),
        );
        testing::exec(s, &q).await;
    }
    for q in [
        format!("INSERT INTO panels (id, meeting_date, created_at) VALUES (1, '2026-02-20', '{T}'), (2, '2026-03-12', '{T}')"),
        format!("INSERT INTO panel_slots (panel_id, child_id, starts_at, minutes, created_at) VALUES (1, 2, '10:00', 30, '{T}'), (2, 4, '10:00', 30, '{T}')"),
        "INSERT INTO plans (id, child_id, current_version) VALUES (1, 1, 1), (2, 3, 1)".to_string(),
        "INSERT INTO plan_versions (plan_id, number, review_date, created_by, created_at) VALUES (1, 1, '2026-06-01', 'x', '2026-03-20T10:00:00.000000Z'), (2, 1, '2026-06-01', 'x', '2026-04-02T10:00:00.000000Z')".to_string(),
        format!(
            "INSERT INTO police_flags (child_id, flagged, flag_date, recorded_by, recorded_at) VALUES (2, 1, '2026-02-21', 'x', '{T}'), (4, 1, '2026-03-05', 'x', '{T}'), \
             (4, 0, '2026-03-25', 'x', '{T}'), (1, 1, '2026-04-03', 'x', '{T}')"
        ),
        format!("INSERT INTO cp_cases (child_id, referral_id, decided_on, plan_version, created_at) VALUES (4, 7, '2025-06-01', 1, '{T}'), (4, 6, '2026-03-03', 2, '{T}')"),
        format!(
            "INSERT INTO placement_notifications (child_id, placing_authority, start_date, received_date, risks_json, rules_version, recorded_at) VALUES \
             (2, 'Leeds', '2026-03-03', '2026-03-01', '[{{\"risk\":\"cse\",\"present\":true,\"detail\":\"x\"}}]', 1, '{T}'), \
             (3, 'Leeds', '2026-03-05', '2026-03-20', '[]', 1, '{T}'), \
             (4, 'Kent', '2026-03-10', NULL, '[]', 1, '{T}'), \
             (1, 'Kent', '2026-02-01', '2026-02-01', '[]', 1, '{T}')"
        ),
        format!(
            "INSERT INTO missing_episodes (id, child_id, missing_from, started_at, ended_at, interview_due_by, risk_grading, recorded_at) VALUES \
             (1, 2, 'care', '2026-03-05T20:00:00', '2026-03-06T08:00:00', '2026-03-09T08:00:00', 'medium', '{T}'), \
             (2, 2, 'care', '2026-03-20T22:00:00', '2026-03-21T06:00:00', '2026-03-24T06:00:00', 'low', '{T}'), \
             (3, 3, 'home', '2026-03-31T23:30:00', NULL, NULL, 'high', '{T}'), \
             (4, 1, 'home', '2026-04-01T00:10:00', NULL, NULL, 'high', '{T}')"
        ),
        format!(
            "INSERT INTO return_interviews (episode_id, offered_at, response, finding_cse, recorded_at) VALUES \
             (1, '2026-03-07T10:00:00', 'accepted', 1, '{T}'), (2, '2026-03-26T10:00:00', 'declined', 0, '{T}')"
        ),
        "INSERT INTO operations (name, kind, lead, created_at) VALUES ('Op Alder', 'prevent', 'DS Smith', '2026-03-10T10:00:00.000000Z'), ('Op Birch', 'prosecute', 'DS Smith', '2026-04-10T10:00:00.000000Z')".to_string(),
    ] {
        testing::exec(s, &q).await;
    }
}

fn count(n: i64) -> Value {
    Value::Count { n }
}

fn row(f: &assure_domain::datasets::Figure, d: Dimension, label: &str) -> Value {
    let b = f.breakdowns.iter().find(|b| b.dimension == d).unwrap_or_else(|| panic!("{} has no {d:?} breakdown", f.measure));
    b.rows.iter().find(|(l, _)| l == label).unwrap_or_else(|| panic!("{} {d:?} has no row {label}: {:?}", f.measure, b.rows)).1
}

/// 10 April 2026 on the London clock: March has ended, April is in progress.
fn clocked(db: &TestDb) -> TestDb {
    db.with_clock(Clock::fixed(Utc.with_ymd_and_hms(2026, 4, 10, 9, 0, 0).unwrap()))
}

async fn each_measure_counts_what_it_says(db: &TestDb) {
    let db = clocked(db);
    records(&db).await;
    let march = Month::parse("2026-03").unwrap();
    let d = db.store.datasets().month(march).await.unwrap();
    let f = |slug: &str| d.figure(slug).unwrap_or_else(|| panic!("no figure {slug}")).clone();

    let referrals = f("referrals");
    assert_eq!(referrals.total, count(4), "referred in March on the London clock");
    assert_eq!(row(&referrals, Dimension::Agency, "Hillside School"), count(2));
    assert_eq!(row(&referrals, Dimension::Agency, "Police"), count(2));
    assert_eq!(row(&referrals, Dimension::Agency, "Health"), count(0), "an agency that made none is named");
    assert_eq!(row(&referrals, Dimension::RiskLevel, "High risk"), count(2));
    assert_eq!(row(&referrals, Dimension::AgeBand, "16 to 17"), count(3));
    assert_eq!(row(&referrals, Dimension::AgeBand, "10 to 12"), count(1));
    assert_eq!(f("children-referred").total, count(2), "a merged child counts once");
    assert_eq!(f("referrals-over-16").total, Value::Proportion { numerator: 3, denominator: 4 });
    let decisions = f("mash-decisions");
    assert_eq!(decisions.total, count(3), "decided in March (one at 00:30 BST on 1 April is April's)");
    assert_eq!(row(&decisions, Dimension::Decision, "MACSE"), count(1));
    assert_eq!(f("time-to-decision").total, Value::Median { hours: Some(4.0), over: 3 });
    assert_eq!(f("open-to-macse").total, count(3));
    assert_eq!(f("new-to-macse").total, count(2));
    assert_eq!(f("plan-more-than-once").total, count(1));
    assert_eq!(f("police-flag-coverage").total, Value::Proportion { numerator: 1, denominator: 3 }, "the flag as it stood on 31 March");
    let placed = f("placements-notified");
    assert_eq!(placed.total, count(3));
    assert_eq!(row(&placed, Dimension::PlacingAuthority, "Leeds"), count(2));
    assert_eq!(f("placements-late").total, count(1));
    assert_eq!(f("placements-not-notified").total, count(1));
    assert_eq!(row(&f("placements-not-notified"), Dimension::PlacingAuthority, "Kent"), count(1));
    assert_eq!(f("missing-episodes").total, count(3));
    assert_eq!(f("children-missing").total, count(2));
    assert_eq!(f("interviews-within-72-hours").total, Value::Proportion { numerator: 1, denominator: 2 });
    assert_eq!(f("interviews-accepted").total, Value::Proportion { numerator: 1, denominator: 2 });
    assert_eq!(f("episodes-cse-link").total, count(1));
    assert_eq!(f("operations").total, count(1));
    assert!(d.measures.iter().find(|m| m.slug == "operations").unwrap().police_only);

    // April: the referral at 00:30 BST and the decision made then.
    let april = db.store.datasets().compute_month(Month::parse("2026-04").unwrap()).await.unwrap();
    let a = |slug: &str| april.iter().find(|f| f.measure == slug).unwrap().total;
    assert_eq!(a("referrals"), count(1));
    assert_eq!(a("mash-decisions"), count(2));
    db.cleanup().await;
}
on_both_engines!(each_measure_counts_what_it_says_on, each_measure_counts_what_it_says);

async fn a_closed_month_is_frozen_and_a_late_event_restates_it(db: &TestDb) {
    let db = clocked(db);
    records(&db).await;
    let analyst = Actor { user_id: None, label: "analyst@example.org".into(), ip: String::new() };
    let sets = db.store.datasets();
    let march = Month::parse("2026-03").unwrap();

    // The month in progress cannot be closed.
    let e = sets.close(&analyst, Month::parse("2026-04").unwrap()).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("month").unwrap().contains("has not ended")), "{e:?}");
    assert!(sets.closed(Month::parse("2026-04").unwrap()).await.unwrap().is_none());

    let closed = sets.close(&analyst, march).await.unwrap();
    assert_eq!(closed.snapshot.figures.iter().find(|f| f.measure == "missing-episodes").unwrap().total, count(3));
    assert_eq!(closed.fingerprint.len(), 64);
    // Closing again is refused and changes nothing.
    let e = sets.close(&analyst, march).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("month").unwrap().contains("never closed again")), "{e:?}");
    assert_eq!(sets.closed(march).await.unwrap().unwrap(), closed);

    // A missing episode on 15 March recorded in April, and a new measure definition.
    testing::exec(
        &db.store,
        "INSERT INTO missing_episodes (id, child_id, missing_from, started_at, ended_at, interview_due_by, risk_grading, recorded_at) VALUES \
         (9, 4, 'home', '2026-03-15T18:00:00', NULL, NULL, 'low', '2026-04-09T09:00:00.000000Z')",
    )
    .await;
    let mut changed = sets.measures().await.unwrap().into_iter().find(|m| m.slug == "missing-episodes").unwrap();
    changed.breakdowns.clear();
    let input = MeasureInput {
        slug: changed.slug.clone(),
        name: changed.name.clone(),
        shows: changed.shows.clone(),
        source: Some(changed.source),
        counting: Some(changed.counting),
        period: Some(changed.period),
        direction: Some(changed.direction),
        ..Default::default()
    };
    assert_eq!(sets.save_measure(&analyst, &input, Some(1)).await.unwrap().version, 2);

    let d = sets.month(march).await.unwrap();
    let missing = d.figure("missing-episodes").unwrap();
    assert_eq!(missing.total, count(3), "the closed figure reads the same");
    assert_eq!(missing.version, 1, "with the definition it was counted by");
    assert!(!missing.breakdowns.is_empty(), "and its breakdowns as they were");
    let r = d.restatements.iter().find(|r| r.measure == "missing-episodes" && r.row.is_none()).expect("the late episode restates March");
    assert_eq!((r.closed, r.now, r.difference()), (count(3), count(4), 1.0));
    assert!(d.restatements.iter().any(|r| r.measure == "children-missing" && r.row.is_none()), "{:?}", d.restatements);
    assert_eq!(sets.closed(march).await.unwrap().unwrap().fingerprint, closed.fingerprint);

    // The trend: March closed, April live.
    let trend = sets.trend("missing-episodes", Month::parse("2026-04").unwrap(), 2).await.unwrap();
    assert_eq!(trend.iter().map(|(_, f)| f.as_ref().unwrap().total).collect::<Vec<_>>(), vec![count(3), count(1)]);
    db.cleanup().await;
}
on_both_engines!(a_closed_month_is_frozen_and_a_late_event_restates_it_on, a_closed_month_is_frozen_and_a_late_event_restates_it);

async fn an_administrator_adds_a_measure_from_the_building_blocks(db: &TestDb) {
    let db = clocked(db);
    records(&db).await;
    let admin = Actor { user_id: None, label: "admin@example.org".into(), ip: String::new() };
    let sets = db.store.datasets();
    let before = sets.measures().await.unwrap().len();
    let bad = MeasureInput {
        slug: "episodes-by-agency".into(),
        name: "Episodes by agency".into(),
        shows: "x".into(),
        source: Some(Source::MissingEpisodes),
        counting: Some(Counting::MedianHours),
        period: Some(PeriodRule::ByStartDate),
        breakdowns: vec![Dimension::Agency],
        direction: Some(Direction::Neither),
        ..Default::default()
    };
    let e = sets.save_measure(&admin, &bad, None).await.unwrap_err();
    let StoreError::Invalid(i) = e else { panic!("{e:?}") };
    assert!(i.for_field("breakdowns").unwrap().contains("cannot be broken down by referring agency"));
    assert!(i.for_field("counting").unwrap().contains("no time"));
    assert_eq!(sets.measures().await.unwrap().len(), before, "nothing saved");

    let good = MeasureInput {
        slug: "placements-cse-risk".into(),
        name: "Placements with a CSE risk".into(),
        shows: "Placements started in the month whose notification declared a CSE risk.".into(),
        source: Some(Source::Placements),
        counting: Some(Counting::Proportion),
        period: Some(PeriodRule::ByStartDate),
        numerator: Some(Condition::CseRisk),
        breakdowns: vec![Dimension::PlacingAuthority],
        direction: Some(Direction::Neither),
        ..Default::default()
    };
    sets.save_measure(&admin, &good, None).await.unwrap();
    // The same short name again as a new measure, and an edit from a stale version.
    let e = sets.save_measure(&admin, &good, None).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("slug").unwrap().contains("already a measure")), "{e:?}");
    let mut edited = good.clone();
    edited.name = "Placements declaring a CSE risk".into();
    assert!(matches!(sets.save_measure(&admin, &edited, Some(2)).await, Err(StoreError::Conflict)), "version 2 was never read");
    assert_eq!(sets.save_measure(&admin, &edited, Some(1)).await.unwrap().version, 2);
    assert!(matches!(sets.save_measure(&admin, &edited, Some(1)).await, Err(StoreError::Conflict)), "a second edit from version 1 is stale");
    assert_eq!(sets.measure("placements-cse-risk").await.unwrap().name, "Placements declaring a CSE risk");
    let figures = sets.compute_month(Month::parse("2026-03").unwrap()).await.unwrap();
    assert_eq!(figures.last().unwrap().measure, "placements-cse-risk");
    assert_eq!(figures.last().unwrap().total, Value::Proportion { numerator: 1, denominator: 3 });
    let _ = NaiveDate::from_ymd_opt(2026, 3, 1);
    db.cleanup().await;
}
on_both_engines!(an_administrator_adds_a_measure_from_the_building_blocks_on, an_administrator_adds_a_measure_from_the_building_blocks);

/// The server's upkeep closes last month on the first working day after it ends, once;
/// a month a person closed first is left as it is.
async fn last_month_closes_itself_when_due(db: &TestDb) {
    let db = clocked(db);
    records(&db).await;
    let sets = db.store.datasets();
    let march = Month::parse("2026-03").unwrap();
    assert_eq!(sets.close_if_due().await.unwrap(), Some(march));
    let closed = sets.closed(march).await.unwrap().expect("March closed");
    assert_eq!(closed.closed_by, "system");
    assert_eq!(sets.close_if_due().await.unwrap(), None, "once");
    assert_eq!(sets.closed(march).await.unwrap().unwrap(), closed);
    assert!(sets.closed(Month::parse("2026-02").unwrap()).await.unwrap().is_none(), "only the month just ended");

    // On 1 May (a Friday) April is due; the analyst closed it first.
    let may = db.with_clock(Clock::fixed(Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap()));
    let analyst = Actor { user_id: None, label: "cse-analyst@example.org".into(), ip: String::new() };
    may.store.datasets().close(&analyst, Month::parse("2026-04").unwrap()).await.unwrap();
    assert_eq!(may.store.datasets().close_if_due().await.unwrap(), None);
    assert_eq!(may.store.datasets().closed(Month::parse("2026-04").unwrap()).await.unwrap().unwrap().closed_by, "cse-analyst@example.org");
    db.cleanup().await;
}
on_both_engines!(last_month_closes_itself_when_due_on, last_month_closes_itself_when_due);

/// The demo partnership has two years behind it: every one of the 24 months before this
/// one has referrals, the months before the reported quarter are closed, one closed month
/// shows a referral recorded late as a restatement, and the case-file audits are there: a
/// six-monthly round with cases graded and its three actions in the tracker, and a round
/// triggered by the month whose return interviews were offered late.
async fn the_demo_has_two_years_of_history(db: &TestDb) {
    let s = &db.store;
    let sets = s.datasets();
    let this = Month::of(s.today());
    let last = this.previous();
    let trend = sets.trend("referrals", last, 24).await.unwrap();
    assert_eq!(trend.len(), 24);
    for (m, f) in &trend {
        let n = f.as_ref().map_or(0.0, |f| f.total.headline());
        assert!(n >= 3.0, "{m}: {n} referrals");
    }
    let closed = sets.closed_months(None, 100).await.unwrap();
    // Closed up to the quarter before last (the analyst closes the last quarter's).
    let open_from = assure_domain::quarterly::Quarter::of(s.today()).previous().months()[0];
    assert_eq!(closed.len(), trend.iter().filter(|(m, _)| *m < open_from).count(), "{closed:?}");
    assert!(closed.len() >= 19, "{} months closed", closed.len());

    // Recorded this week about a concern seven months ago: the closed month says so.
    let late = (0..7).fold(this, |m, _| m.previous());
    let d = sets.month(late).await.unwrap();
    assert!(matches!(d.status, assure_storage::datasets::MonthStatus::Closed { .. }), "{late} is closed");
    let r = d.restatements.iter().find(|r| r.measure == "referrals" && r.row.is_none()).expect("the referrals total is restated");
    assert_eq!(r.now.headline(), r.closed.headline() + 1.0);

    let rounds = s.case_audits().rounds().await.unwrap();
    assert_eq!(rounds.len(), 2);
    let triggered = rounds.iter().find(|r| r.triggered).expect("a triggered round");
    let t = triggered.trigger.as_ref().unwrap();
    assert_eq!(t.measure, "interviews-within-72-hours");
    assert!(t.figure < 80.0, "{}", t.reason());
    let six = rounds.iter().find(|r| !r.triggered).unwrap();
    assert!(six.open && six.starts_on <= s.today() && s.today() <= six.ends_on, "the six-monthly round is under way");
    let cases = s.case_audits().cases(six.id).await.unwrap();
    assert!(cases.iter().all(|c| c.auditor_id.is_some()), "every case has its auditor");
    assert!(cases.iter().filter(|c| c.grade.is_some()).count() >= 3, "cases graded");
    let actions = s.tracker().review_recommendations(six.review_id.unwrap()).await.unwrap();
    assert_eq!(actions.len(), 3);
    assert!(actions.iter().all(|r| r.origin == assure_storage::case_audits::ORIGIN));
}
on_both_engines!(demo_history, the_demo_has_two_years_of_history, demo = "hash".into());
