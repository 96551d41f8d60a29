//! Plans and scorecards on SQLite and PostgreSQL: a statement of action re-drafted with
//! a split, a merge, a replacement, a new action and a dropped one reads back as the
//! cross-reference members could not make by hand (and over two re-drafts as well as
//! one); a re-draft whose lineage names another plan's action, or drops one without a
//! reason, is refused and saves nothing; closing a dataset month writes the figure into
//! every measure computed from it; a computed measure added later is filled from the
//! months already closed; bands that overlap or contradict their direction are refused;
//! an outcome runs from the month a recommendation was agreed to the latest value, and a
//! completed recommendation whose outcome has not moved is listed.

use assure_domain::datasets::Month;
use assure_domain::improvement_plan::{read_sheet, LineageKind, PlanKind};
use assure_domain::scorecard::{Band, BandsInput, MeasureInput, Travel, ValueSource};
use assure_domain::Clock;
use assure_storage::on_both_engines;
use assure_storage::scorecards::Linked;
use assure_storage::testing::{self, TestDb};
use assure_storage::{Actor, StoreError};
use chrono::{TimeZone, Utc};

const T: &str = "2026-01-01T00:00:00.000000Z";

fn officer() -> Actor {
    Actor { user_id: None, label: "improvement.lead@example.org".into(), ip: String::new() }
}

fn sheet(rows: &[&[&str]]) -> assure_domain::import::Table {
    rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

fn first_version() -> assure_domain::improvement_plan::PlanDraft {
    read_sheet(&sheet(&[
        &["Ref", "Action", "Progress / review date", "Lead", "Update commentary"],
        &["A2", "Children missing from home", "", "", ""],
        &["A2.1", "Return interviews", "", "", ""],
        &["A2.1.7", "Improve return interviews", "31 March 2026", "Head of Service", ""],
        &["A2.1.8", "Write a missing protocol", "Ongoing", "Head of Service", ""],
        &["A2.1.9", "Agree the protocol with the police", "Ongoing", "DCI", ""],
        &["A2.1.10", "Hold a conference", "Completed", "Head of Service", ""],
        &["A2.1.11", "Review the dataset", "30 June 2026", "Analyst", ""],
    ]))
    .unwrap()
}

fn redraft() -> assure_domain::improvement_plan::PlanDraft {
    read_sheet(&sheet(&[
        &["Ref", "Action", "Progress / review date", "Lead", "Update commentary", "Lineage"],
        &["A2.1.1", "Offer every return interview within 72 hours", "31 March 2027", "Head of Service", "", "Split from A2.1.7"],
        &["A2.1.2", "Audit ten return interviews a month", "Ongoing", "Head of Service", "", "Split from A2.1.7"],
        &["A2.1.3", "One missing protocol agreed with the police", "31 January 2027", "DCI", "", "Merged from A2.1.8, A2.1.9"],
        &["A2.1.4", "Report the dataset monthly", "Ongoing", "Analyst", "", "Replaces A2.1.11"],
        &["A2.1.5", "Train taxi drivers", "30 April 2027", "Licensing", "", "New"],
        &["A2.1.10", "", "", "", "", "Dropped: held in May 2026; nothing left to do"],
    ]))
    .unwrap()
}

async fn a_redraft_keeps_its_lineage_and_the_versions_cross_reference(db: &TestDb) {
    let plans = db.store.improvement_plans();
    let a = plans.create(&officer(), "Statement of action", PlanKind::StatementOfAction, &first_version()).await.unwrap();
    assert_eq!(plans.redraft(&officer(), a, "Ofsted: not specific, measurable, relevant or timely", &redraft()).await.unwrap(), 2);

    let (old, new, rows) = plans.cross_reference(a, 1, 2).await.unwrap();
    assert_eq!(old.actions.len(), 5);
    assert_eq!(new.actions.len(), 5);
    let line = |i: usize| {
        let r = &rows[i];
        (r.old.iter().map(|x| x.r#ref.as_str()).collect::<Vec<_>>(), r.label(), r.new.as_ref().map(|x| x.r#ref.as_str()), r.reason.as_str())
    };
    assert_eq!(line(0), (vec!["A2.1.7"], "Split from", Some("A2.1.1"), ""));
    assert_eq!(line(1), (vec!["A2.1.7"], "Split from", Some("A2.1.2"), ""));
    assert_eq!(line(2), (vec!["A2.1.8", "A2.1.9"], "Merged from", Some("A2.1.3"), ""));
    assert_eq!(line(3), (vec!["A2.1.10"], "Dropped", None, "held in May 2026; nothing left to do"));
    assert_eq!(line(4), (vec!["A2.1.11"], "Replaces", Some("A2.1.4"), ""));
    assert_eq!(line(5), (vec![], "New", Some("A2.1.5"), ""));
    assert_eq!(rows.len(), 6);

    // Another plan's action cannot be named, and nothing of the refused re-draft is kept.
    let other = read_sheet(&sheet(&[&["Ref", "Action"], &["B1.1.1", "Something else"]])).unwrap();
    plans.create(&officer(), "Another plan", PlanKind::ImprovementPlan, &other).await.unwrap();
    let versions_before = testing::count_rows(&db.store, "improvement_plan_versions").await;
    let actions_before = testing::count_rows(&db.store, "improvement_plan_actions").await;
    let wrong = read_sheet(&sheet(&[
        &["Ref", "Action", "Lineage"],
        &["A2.1.1", "Offer", "Replaces B1.1.1"],
        &["A2.1.2", "Audit", "Replaces A2.1.2"],
        &["A2.1.3", "Protocol", "Replaces A2.1.3"],
        &["A2.1.4", "Report", "Replaces A2.1.4"],
        &["A2.1.5", "", "Dropped"],
    ]));
    // A dropped row without a reason is refused when the sheet is read...
    let errors = wrong.unwrap_err();
    assert!(errors.iter().any(|e| e.message.contains("say why action A2.1.5 was dropped")), "{errors:?}");
    // ... and the lineage check refuses the other plan's action.
    let mut draft = read_sheet(&sheet(&[
        &["Ref", "Action", "Lineage"],
        &["A2.1.1", "Offer", "Replaces B1.1.1"],
        &["A2.1.2", "Audit", "Replaces A2.1.2"],
        &["A2.1.3", "Protocol", "Replaces A2.1.3"],
        &["A2.1.4", "Report", "Replaces A2.1.4"],
    ]))
    .unwrap();
    let e = plans.redraft(&officer(), a, "Again", &draft).await.unwrap_err();
    let StoreError::Invalid(i) = &e else { panic!("{e:?}") };
    assert!(i.for_field("lineage-A2.1.1").unwrap().contains("B1.1.1"), "{i:?}");
    assert!(i.for_field("dropped-A2.1.5").unwrap().contains("neither carried forward nor dropped"), "{i:?}");
    assert_eq!(testing::count_rows(&db.store, "improvement_plan_versions").await, versions_before);
    assert_eq!(testing::count_rows(&db.store, "improvement_plan_actions").await, actions_before);

    // A third version: 1 → 3 composes both re-drafts.
    draft.actions[0].origin.as_mut().unwrap().from = vec!["A2.1.1".into()];
    draft.dropped.push(assure_domain::improvement_plan::Dropped { action: "A2.1.5".into(), reason: "The licensing plan has it".into() });
    plans.redraft(&officer(), a, "Six-month review", &draft).await.unwrap();
    let (_, _, rows) = plans.cross_reference(a, 1, 3).await.unwrap();
    let kinds: Vec<(&str, &str)> = rows.iter().map(|r| (r.old.first().map_or("", |x| x.r#ref.as_str()), r.label())).collect();
    assert_eq!(
        kinds,
        [("A2.1.7", "Split from"), ("A2.1.7", "Split from"), ("A2.1.8", "Merged from"), ("A2.1.10", "Dropped"), ("A2.1.11", "Replaces")]
    );
    assert_eq!(plans.version(a, 3).await.unwrap().actions[0].lineage, Some(LineageKind::Replaces));
}
on_both_engines!(plan_lineage, a_redraft_keeps_its_lineage_and_the_versions_cross_reference);

async fn referrals(db: &TestDb) {
    let s = &db.store;
    testing::exec(
        s,
        &format!(
            "INSERT INTO agencies (id, name, kind, created_at) VALUES (1, 'Police', 'police', '{T}'), (2, 'Hillside School', 'education', '{T}')"
        ),
    )
    .await;
    for child in 1..=5 {
        testing::exec(s, &format!("INSERT INTO children (id, first_name, last_name, created_at) VALUES ({child}, 'C{child}', 'Score', '{T}')")).await;
        // Children 1-3 referred by the school in March, 4-5 by the police in April.
        let (agency, month) = if child <= 3 { (2, "03") } else { (1, "04") };
        testing::exec(
            s,
            &format!(
                "INSERT INTO referrals (id, child_id, agency_id, source, what_seen, seen_on, seen_where, seen_by, referral_text, tool_version, answers_json, risk_level, status, submitted_at) \
                 VALUES ({child}, {child}, {agency}, 'professional-concern', '', '2026-03-01', '', '', '', 1, '[]', 'medium', 'submitted', '2026-{month}-10T10:00:00.000000Z')"
            ),
        )
        .await;
    }
}

fn schools() -> MeasureInput {
    MeasureInput {
        title: "Referrals from schools".into(),
        bands: BandsInput { requires_improvement: "0-1".into(), good: "2-3".into(), outstanding: "4-10".into(), direction: None },
        source: Some(ValueSource::Computed),
        dataset_measure: "referrals".into(),
        dataset_row: "agency:Hillside School".into(),
        ..Default::default()
    }
}

async fn closing_a_month_writes_the_measures_computed_from_it(db: &TestDb) {
    referrals(db).await;
    let db = db.with_clock(Clock::fixed(Utc.with_ymd_and_hms(2026, 5, 10, 9, 0, 0).unwrap()));
    let cards = db.store.scorecards();
    let card = cards.create(&officer(), "CSE partnership scorecard", "").await.unwrap();
    let from_schools = cards.add_measure(&officer(), card, &schools()).await.unwrap();
    let total = cards
        .add_measure(
            &officer(),
            card,
            &MeasureInput { title: "Referrals".into(), dataset_row: String::new(), dataset_measure: "referrals".into(), ..schools() },
        )
        .await
        .unwrap();
    assert!(cards.measure(from_schools).await.unwrap().values.is_empty(), "no month closed yet");

    let march = Month::parse("2026-03").unwrap();
    db.store.datasets().close(&officer(), march).await.unwrap();
    let m = cards.measure(from_schools).await.unwrap();
    assert_eq!(m.points(), vec![(march, 3.0)]);
    assert_eq!(m.values[0].source, ValueSource::Computed);
    assert_eq!(m.standing().band, Some(Band::Good));
    db.store.datasets().close(&officer(), Month::parse("2026-04").unwrap()).await.unwrap();
    let m = cards.measure(from_schools).await.unwrap();
    assert_eq!(m.points().last(), Some(&(Month::parse("2026-04").unwrap(), 0.0)));
    assert_eq!(m.standing().travel, Some(Travel::Worsening));
    assert_eq!(cards.measure(total).await.unwrap().points().iter().map(|p| p.1).collect::<Vec<_>>(), [3.0, 2.0]);

    // An action that must move it: its outcome from March, and, for a reader of published
    // figures, without the small March count (3 referrals).
    let plan = db
        .store
        .improvement_plans()
        .create(&officer(), "CSE strategy", PlanKind::Strategy, &read_sheet(&sheet(&[&["Ref", "Action"], &["2.1.1", "SPOC training"]])).unwrap())
        .await
        .unwrap();
    let action = db.store.improvement_plans().version(plan, 1).await.unwrap().actions[0].id;
    cards.link(&officer(), Linked::PlanAction(action), from_schools, march).await.unwrap();
    let e = cards.link(&officer(), Linked::PlanAction(action), from_schools, march).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("measure_id").unwrap().contains("already linked")), "{e:?}");
    let full = cards.outcomes(&[Linked::PlanAction(action)], None, None).await.unwrap();
    let o = &full[&Linked::PlanAction(action)][0].1;
    assert_eq!((o.baseline, o.latest, o.travel), (Some((march, 3.0)), Some((Month::parse("2026-04").unwrap(), 0.0)), Some(Travel::Worsening)));
    let published = cards.outcomes(&[Linked::PlanAction(action)], None, Some(5)).await.unwrap();
    let o = &published[&Linked::PlanAction(action)][0].1;
    assert_eq!(o.baseline, Some((Month::parse("2026-04").unwrap(), 0.0)), "the suppressed March count is left out");
    assert_eq!(o.travel, None);

    // Added after the months closed: filled from them at once.
    let later = cards.add_measure(&officer(), card, &MeasureInput { title: "Schools, again".into(), ..schools() }).await.unwrap();
    assert_eq!(cards.measure(later).await.unwrap().points().len(), 2);

    // A computed measure's values are not typed in; an entered one's are, with a note.
    let e = cards.enter_value(&officer(), from_schools, 1, Some(march), "5", "counted").await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("value").unwrap().contains("computed")), "{e:?}");
    let entered = cards
        .add_measure(
            &officer(),
            card,
            &MeasureInput {
                title: "Caseloads".into(),
                unit: "cases".into(),
                bands: BandsInput { requires_improvement: "35-26".into(), good: "25-20".into(), outstanding: "19-10".into(), direction: None },
                source: Some(ValueSource::Entered),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let e = cards.enter_value(&officer(), entered, 1, Some(Month::parse("2026-07").unwrap()), "24", "").await.unwrap_err();
    let StoreError::Invalid(i) = &e else { panic!("{e:?}") };
    assert!(i.for_field("month").unwrap().contains("not started"));
    assert!(i.for_field("note").is_some());
    cards.enter_value(&officer(), entered, 1, Some(march), "24", "Team count").await.unwrap();
    let e = cards.enter_value(&officer(), entered, 1, Some(march), "23", "Stale form").await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict), "{e:?}");
    let c = cards.measure(entered).await.unwrap();
    assert_eq!(c.standing().band, Some(Band::Good));
    assert_eq!(c.show(24.0), "24 cases");

    // Bands that overlap, or run against the direction given, save nothing.
    let before = testing::count_rows(&db.store, "performance_measures").await;
    let overlapping = MeasureInput {
        bands: BandsInput { requires_improvement: "65-79".into(), good: "75-89".into(), outstanding: "90-100".into(), direction: None },
        ..schools()
    };
    let e = cards.add_measure(&officer(), card, &overlapping).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("good").unwrap().contains("overlaps")), "{e:?}");
    let contradicting = MeasureInput {
        bands: BandsInput {
            requires_improvement: "35-26".into(),
            good: "25-20".into(),
            outstanding: "19-10".into(),
            direction: Some(assure_domain::datasets::Direction::HigherIsBetter),
        },
        ..schools()
    };
    let e = cards.add_measure(&officer(), card, &contradicting).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("direction").is_some()), "{e:?}");
    let unknown = MeasureInput { dataset_measure: "no-such-measure".into(), ..schools() };
    let e = cards.add_measure(&officer(), card, &unknown).await.unwrap_err();
    assert!(matches!(&e, StoreError::Invalid(i) if i.for_field("dataset_measure").is_some()), "{e:?}");
    assert_eq!(testing::count_rows(&db.store, "performance_measures").await, before);
}
on_both_engines!(month_close_updates_measures, closing_a_month_writes_the_measures_computed_from_it);
