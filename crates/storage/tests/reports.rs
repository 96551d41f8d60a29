//! Monitoring reports and tracker import/export, run on SQLite and on PostgreSQL.

use assure_domain::import::{plan, register_preset, register_table};
use assure_domain::report::Layout;
use assure_storage::on_both_engines;
use assure_storage::reports::{DraftInput, ReportInput};
use assure_storage::testing::TestDb;
use assure_storage::tracker::{RecFilter, ReviewInput, UpdateInput};
use assure_storage::{Actor, StoreError};
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2026, 11, 23)
}

fn officer() -> Actor {
    Actor { user_id: Some(2), label: "scrutiny-officer@example.org".into(), ip: "127.0.0.1".into() }
}

async fn licensing(db: &TestDb) -> i64 {
    assert!(assure_storage::demo::load(&db.store, today(), "hash").await.unwrap());
    db.store.tracker().reviews().await.unwrap().into_iter().find(|r| r.title.starts_with("Licensing")).unwrap().id
}

fn input(review: i64, meeting: NaiveDate) -> ReportInput {
    ReportInput { review_id: Some(review), body_id: None, meeting_date: Some(meeting), layout: Some(Layout::RagTracker) }
}

async fn issued_reports_are_frozen_and_compared(db: &TestDb) {
    let wg = licensing(db).await;
    let jan = db.store.reports().create(&officer(), &input(wg, d(2018, 1, 16))).await.unwrap();
    let draft = db.store.reports().monitoring_report(jan, today()).await.unwrap();
    // The cover is pre-filled from the review's schedule and wording.
    assert!(draft.cover.report_to.contains("16 January 2018"), "{}", draft.cover.report_to);
    assert!(draft.cover.recommendation.contains("be noted"));
    assert!(draft.cover.introduction.contains("Licensing/Child Sexual Exploitation Working Group"));
    assert_eq!(draft.rows.len(), 8);
    // Only updates dated on or before the meeting are in it.
    assert!(draft.rows.iter().flat_map(|r| &r.updates).all(|u| u.date <= d(2018, 1, 16)));
    assert!(draft.rows.iter().any(|r| !r.updates.is_empty()));
    assert_eq!(draft.summary.total, 8);

    // An issued report cannot change, even when the tracker does.
    let version = db.store.reports().get(jan).await.unwrap().version;
    assert_eq!(db.store.reports().issue(&officer(), jan, version, today()).await.unwrap(), 1);
    let frozen = db.store.reports().monitoring_report(jan, today()).await.unwrap();
    let rec = draft.rows[0].recommendation_id;
    db.store
        .tracker()
        .add_update(
            &officer(),
            rec,
            &UpdateInput {
                update_date: Some(d(2018, 6, 1)),
                narrative: "Reply received from the Home Office".into(),
                progress_percent: Some(60),
                corrects_id: None,
            },
            &[],
        )
        .await
        .unwrap();
    let again = db.store.reports().monitoring_report(jan, today()).await.unwrap();
    assert_eq!(frozen, again, "an issued report says exactly what it said");
    assert_eq!(again.issue, Some(1));
    let r = db.store.reports().get(jan).await.unwrap();
    let refused = db
        .store
        .reports()
        .save(
            &officer(),
            jan,
            r.version,
            &DraftInput { cover: r.cover.clone(), layout: Some(Layout::ProgressMade), include_changes: Some(false), compare_with_id: None },
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))), "{refused:?}");
    assert!(matches!(db.store.reports().delete_draft(&officer(), jan, r.version).await, Err(StoreError::Invalid(_))));

    // The next report compares itself with the last one issued, by default.
    let jul = db.store.reports().create(&officer(), &input(wg, d(2018, 7, 17))).await.unwrap();
    let next = db.store.reports().get(jul).await.unwrap();
    assert_eq!(next.compare_with_id, Some(jan));
    let july = db.store.reports().monitoring_report(jul, today()).await.unwrap();
    let changes = july.changes.expect("the appendix of changes is included");
    let first = changes.changes.iter().find(|c| c.recommendation_id == rec).unwrap();
    assert_eq!(first.new_updates.iter().map(|u| u.narrative.as_str()).collect::<Vec<_>>(), ["Reply received from the Home Office"]);
    let diff = db.store.reports().compare(jul, jan, today()).await.unwrap();
    assert!(diff.from.contains("16 January 2018 (issue 1)") && diff.to.contains("17 July 2018 (draft)"), "{} → {}", diff.from, diff.to);

    // A stale edit of the draft is refused, not silently applied.
    let mut cover = next.cover.clone();
    cover.report_of = "Head of Regulation and Compliance".into();
    db.store
        .reports()
        .save(
            &officer(),
            jul,
            next.version,
            &DraftInput { cover: cover.clone(), layout: Some(Layout::ProgressMade), include_changes: Some(true), compare_with_id: Some(jan) },
        )
        .await
        .unwrap();
    let stale = db
        .store
        .reports()
        .save(
            &officer(),
            jul,
            next.version,
            &DraftInput { cover: cover.clone(), layout: Some(Layout::ProgressMade), include_changes: Some(true), compare_with_id: Some(jan) },
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict)));
    assert_eq!(db.store.reports().get(jul).await.unwrap().cover.report_of, "Head of Regulation and Compliance");
    // Issue numbers run within the review.
    let v = db.store.reports().get(jul).await.unwrap().version;
    assert_eq!(db.store.reports().issue(&officer(), jul, v, today()).await.unwrap(), 2);
}
on_both_engines!(frozen_reports, issued_reports_are_frozen_and_compared);

async fn a_report_needs_recommendations_and_a_meeting(db: &TestDb) {
    licensing(db).await;
    let empty = db
        .store
        .tracker()
        .create_review(
            &officer(),
            &ReviewInput {
                kind: Some(assure_domain::tracker::ReviewKind::Other),
                title: "A review with no recommendations yet".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let err = db.store.reports().create(&officer(), &input(empty, d(2018, 1, 16))).await.unwrap_err();
    let StoreError::Invalid(e) = err else { panic!("{err:?}") };
    assert!(e.for_field("review_id").unwrap().contains("no recommendations"));
    let err =
        db.store.reports().create(&officer(), &ReportInput { review_id: Some(empty), meeting_date: None, ..Default::default() }).await.unwrap_err();
    let StoreError::Invalid(e) = err else { panic!("{err:?}") };
    assert!(e.for_field("meeting_date").is_some());
    assert!(db.store.reports().list(None).await.unwrap().is_empty(), "nothing saved");
}
on_both_engines!(report_validation, a_report_needs_recommendations_and_a_meeting);

/// Export the demo working group, import the file into another database, export
/// again: the same register comes back.
async fn export_then_import_gives_back_the_same_register(db: &TestDb) {
    let wg = licensing(db).await;
    let filter = RecFilter { review_id: Some(wg), ..Default::default() };
    let exported = db.store.imports().register_entries(&filter, today()).await.unwrap();
    assert_eq!(exported.len(), 8);
    assert!(exported.iter().any(|e| e.actions.iter().any(|a| !a.revisions.is_empty())), "the demo has a revised date");
    let table = register_table(&exported);

    let other = TestDb::new(db.store.engine()).await;
    let review = other
        .store
        .tracker()
        .create_review(
            &Actor::system(),
            &ReviewInput { kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup), title: "Imported".into(), ..Default::default() },
        )
        .await
        .unwrap();
    let p = plan(&table, &register_preset(), today()).unwrap();
    let outcome = other.store.imports().commit(&Actor::system(), review, &p, today(), "register.xlsx", None).await.unwrap().unwrap();
    assert_eq!(outcome.recommendations, 8);
    let back = other.store.imports().register_entries(&RecFilter { review_id: Some(review), ..Default::default() }, today()).await.unwrap();
    assert_eq!(back, exported);

    // Importing the same file again is refused as a whole: the references are taken.
    let before = other.store.imports().register_entries(&RecFilter::default(), today()).await.unwrap().len();
    let errors = other.store.imports().commit(&Actor::system(), review, &p, today(), "register.xlsx", None).await.unwrap().unwrap_err();
    assert_eq!(errors.len(), 8);
    assert!(errors[0].message.contains("is already used by recommendation (1) of “Imported”"), "{}", errors[0].message);
    assert_eq!(other.store.imports().register_entries(&RecFilter::default(), today()).await.unwrap().len(), before, "nothing half-imported");
    other.cleanup().await;
}
on_both_engines!(round_trip, export_then_import_gives_back_the_same_register);

/// Fault 1 of issue 14: references Assure generates repeated across reviews, and took
/// a council's own. A second review of the same municipal year is given the next free
/// references in the council's pattern; a council's own reference is kept as written.
async fn generated_references_never_take_one_already_held(db: &TestDb) {
    let wg = licensing(db).await;
    let held: Vec<String> = db.store.tracker().review_recommendations(wg).await.unwrap().into_iter().map(|r| r.reference).collect();
    assert!(held.contains(&"SR (17/18) 01".to_string()), "{held:?}");
    let review = db
        .store
        .tracker()
        .create_review(
            &officer(),
            &ReviewInput {
                kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
                title: "Children Missing from Education Working Group".into(),
                report_date: Some(d(2017, 11, 21)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // A "Ref | Recommendation | Progress made" tracker as the council keeps it: its own
    // reference on one row, none on the others.
    let table: Vec<Vec<String>> = [
        ["Ref", "Recommendation", "Progress made"],
        ["", "(1) That Sefton's Members write to the MPs for the borough", "7 December 2017: Letters sent to all three MPs"],
        ["", "a) That a national data base of licence holders be created", ""],
        ["CME 2017/2", "(2) That the Cabinet Member reports back in six months", ""],
        ["", "(3) That training on CSE be given to all taxi drivers", ""],
    ]
    .iter()
    .map(|r| r.iter().map(|c| c.to_string()).collect())
    .collect();
    let preset = assure_domain::import::Preset {
        name: "CME".into(),
        header_row: 1,
        mapping: assure_domain::import::Mapping {
            columns: vec![
                (assure_domain::import::ImportField::Reference, "Ref".into()),
                (assure_domain::import::ImportField::Recommendation, "Recommendation".into()),
                (assure_domain::import::ImportField::Progress, "Progress made".into()),
            ],
        },
    };
    let p = plan(&table, &preset, today()).unwrap();
    db.store.imports().commit(&officer(), review, &p, today(), "cme.csv", None).await.unwrap().unwrap();
    let recs = db.store.tracker().review_recommendations(review).await.unwrap();
    let refs: Vec<(String, String)> =
        recs.iter().map(|r| (assure_domain::tracker::number_label(r.number, Some(&r.sub_label)), r.reference.clone())).collect();
    for (_, r) in &refs {
        assert!(!held.contains(r), "{r} is already the working group's: {refs:?}");
    }
    let of = |label: &str| refs.iter().find(|(l, _)| l == label).map(|(_, r)| r.clone()).unwrap();
    assert_eq!(of("(2)"), "CME 2017/2", "the council's own reference is kept");
    assert!(of("(1)").starts_with("SR (17/18) "), "the council's pattern: {refs:?}");
    assert_eq!(of("(1)(a)"), format!("{}a", of("(1)")), "a sub-item follows its parent");
    assert_ne!(of("(3)"), of("(1)"));
    // A recommendation added by hand afterwards takes none of them either.
    let id = db
        .store
        .tracker()
        .create_recommendation(
            &officer(),
            review,
            &assure_storage::tracker::RecommendationInput {
                number: Some(4),
                committee_wording: "That schools report children missing education within five days".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let fourth = db.store.tracker().recommendation(id).await.unwrap().reference;
    // Across the whole register, no reference is held twice.
    let all = db.store.imports().register_entries(&RecFilter::default(), today()).await.unwrap();
    let mut seen = std::collections::HashSet::new();
    for e in &all {
        assert!(seen.insert(e.reference.clone()), "{} is held twice (the hand-made one is {fourth})", e.reference);
    }
    // Importing the working group's own export into this review: refused, each row
    // naming the recommendation that holds its reference.
    let exported = db.store.imports().register_entries(&RecFilter { review_id: Some(wg), ..Default::default() }, today()).await.unwrap();
    let again = plan(&register_table(&exported), &register_preset(), today()).unwrap();
    let errors = db.store.imports().commit(&officer(), review, &again, today(), "register.xlsx", None).await.unwrap().unwrap_err();
    assert!(
        errors[0].message.ends_with("“SR (17/18) 01” is already used by recommendation (1) of “Licensing/Child Sexual Exploitation Working Group”"),
        "{}",
        errors[0].message
    );
}
on_both_engines!(references, generated_references_never_take_one_already_held);

/// A review with the date a council's tracker implies: reported 12 September 2017 (so
/// its response was due on 12 November 2017).
async fn imported_review(db: &TestDb, title: &str) -> i64 {
    db.store
        .tracker()
        .create_review(
            &Actor::system(),
            &ReviewInput {
                kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
                title: title.into(),
                report_date: Some(d(2017, 9, 12)),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

/// A RAG tracker as a council keeps it: a RAG on the first row only, a status column,
/// and no column for the executive's response.
fn council_tracker() -> (Vec<Vec<String>>, assure_domain::import::Preset) {
    use assure_domain::import::{ImportField, Mapping, Preset};
    let table: Vec<Vec<String>> = [
        ["Recommendation", "Action", "Date", "Status", "RAG"],
        ["1. That the Cabinet Member writes to the MPs", "Write letters", "31 May 2019", "In progress", "Amber"],
        ["2. That training on CSE is given to taxi drivers", "Run courses", "31 May 2019", "In progress", ""],
        ["3. That schools report children missing education", "Agree a protocol", "31 March 2018", "Paused", ""],
        ["4. That a national database of licence holders is created", "Lobby the LGA", "31 March 2018", "Superseded", ""],
    ]
    .iter()
    .map(|r| r.iter().map(|c| c.to_string()).collect())
    .collect();
    let columns = [
        (ImportField::Recommendation, "Recommendation"),
        (ImportField::Action, "Action"),
        (ImportField::ActionDate, "Date"),
        (ImportField::Status, "Status"),
        (ImportField::Rag, "RAG"),
    ];
    let preset = Preset {
        name: "Council tracker".into(),
        header_row: 1,
        mapping: Mapping { columns: columns.iter().map(|(f, h)| (*f, h.to_string())).collect() },
    };
    (table, preset)
}

/// Fault 3 of issue 14: a tracker whose RAG column is blank came out Red on every row,
/// in the summary counts too, with nothing saying the colour was Assure's; a report for
/// a past meeting used today's date. Now the council's RAG is kept as the council's, a
/// blank one is "Not rated" unless a suggestion is asked for, a suggestion is always
/// marked and counted apart, and a report's RAG is as at its meeting.
async fn rag_is_kept_as_the_council_wrote_it(db: &TestDb) {
    use assure_domain::tracker::Rag;
    let (table, preset) = council_tracker();
    let p = plan(&table, &preset, today()).unwrap();
    let review = imported_review(db, "Taxi licensing review").await;
    db.store.imports().commit(&Actor::system(), review, &p, today(), "tracker.xlsx", None).await.unwrap().unwrap();
    let recs = db.store.tracker().review_recommendations(review).await.unwrap();
    let rec = |n: i64| recs.iter().find(|r| r.number == n).unwrap();
    assert_eq!((rec(1).rag(today()), rec(1).rag_is_suggested(today())), (Some(Rag::Amber), false), "the council's rating");
    assert_eq!(rec(2).rag(today()), None, "a blank RAG is not turned Red");
    assert_eq!(rec(2).rag_words(today()), "Not rated");
    let dash = db.store.tracker().dashboard(&RecFilter { review_id: Some(review), ..Default::default() }, today()).await.unwrap();
    assert!(dash.by_rag.contains(&(Some(Rag::Red), false, 0)) && dash.by_rag.contains(&(None, false, 3)), "{:?}", dash.by_rag);
    assert!(!dash.by_rag.iter().any(|(_, suggested, _)| *suggested), "{:?}", dash.by_rag);
    // Per committee too: the council's Amber, three not rated, nothing Red.
    assert_eq!(dash.by_body.len(), 1, "{:?}", dash.by_body);
    let b = &dash.by_body[0];
    assert_eq!((b.total, b.red, b.amber, b.green, b.suggested(), b.not_rated), (4, 0, 1, 0, 0, 3), "{b:?}");
    let red = RecFilter { review_id: Some(review), rag: Some(Rag::Red), ..Default::default() };
    assert_eq!(db.store.tracker().list_recommendations(&red, 10, 0).await.unwrap().1, 0);

    let report = db.store.reports().create(&Actor::system(), &input(review, d(2018, 1, 16))).await.unwrap();
    let drawn = db.store.reports().monitoring_report(report, today()).await.unwrap();
    assert_eq!(drawn.rows.iter().map(|r| r.rag_words()).collect::<Vec<_>>(), ["Amber", "Not rated", "Not rated", "Not rated"]);
    let lines = drawn.summary.lines();
    assert!(lines.contains(&("RAG: Red".to_string(), 0)) && lines.contains(&("RAG: Not rated".to_string(), 3)), "{lines:?}");

    // Asked for, a suggestion stands in, marked as one and counted apart; in a report it
    // is worked out as at the meeting (16 January 2018, long before the May 2019 target:
    // Green), not as at today (target passed: Red).
    let review = imported_review(db, "Taxi licensing review (suggested)").await;
    let options = assure_storage::imports::CommitOptions { suggest_rag: true, ..Default::default() };
    db.store.imports().commit_with(&Actor::system(), review, &p, today(), "tracker.xlsx", None, options).await.unwrap().unwrap();
    let recs = db.store.tracker().review_recommendations(review).await.unwrap();
    let two = recs.iter().find(|r| r.number == 2).unwrap();
    assert_eq!(two.rag_words(today()), "Suggested: Red");
    let one = recs.iter().find(|r| r.number == 1).unwrap();
    assert_eq!(one.rag_words(today()), "Amber", "the council's rating is never replaced by a suggestion");
    let dash = db.store.tracker().dashboard(&RecFilter { review_id: Some(review), ..Default::default() }, today()).await.unwrap();
    assert!(dash.by_rag.contains(&(Some(Rag::Red), false, 0)), "{:?}", dash.by_rag);
    // The per-committee counts keep ratings given and suggestions apart, as the
    // summary counts do: the suggested Red is not counted as the council's Red.
    let b = &dash.by_body[0];
    assert_eq!((b.total, b.red, b.amber, b.green), (4, 0, 1, 0), "only the council's Amber is a rating: {b:?}");
    assert!(b.suggested_red >= 1, "the suggested Red is counted as a suggestion: {b:?}");
    assert_eq!(b.suggested() + b.not_rated, 3, "{b:?}");
    let suggested_in_summary: i64 = dash.by_rag.iter().filter(|(_, s, _)| *s).map(|(_, _, n)| n).sum();
    assert_eq!(b.suggested(), suggested_in_summary, "the committee's suggestions are the summary's");
    let given = RecFilter { review_id: Some(review), rag: Some(Rag::Red), rag_suggested: Some(false), ..Default::default() };
    assert_eq!(db.store.tracker().list_recommendations(&given, 10, 0).await.unwrap().1, 0);
    let report = db.store.reports().create(&Actor::system(), &input(review, d(2018, 1, 16))).await.unwrap();
    let drawn = db.store.reports().monitoring_report(report, today()).await.unwrap();
    let row = drawn.rows.iter().find(|r| r.recommendation_id == two.id).unwrap();
    assert_eq!((row.rag, row.rag_suggested, row.rag_words()), (Some(Rag::Green), true, "Suggested: Green".to_string()));
    assert!(drawn.summary.lines().iter().any(|(l, n)| l == "RAG: Suggested: Green" && *n >= 1), "{:?}", drawn.summary.lines());
    assert!(drawn.summary.lines().contains(&("RAG: Green".to_string(), 0)), "a suggestion is not counted as the council's Green");
    assert!(drawn.summary.lines().contains(&("RAG: Amber".to_string(), 1)), "only the council's Amber counts as Amber");
}
on_both_engines!(rag_as_written, rag_is_kept_as_the_council_wrote_it);

/// Fault 8 of issue 14: imported paused and superseded rows had no reason, and a
/// tracker with no response column showed "Response overdue by 3556 days". Now such
/// states carry "Reason not recorded in the imported tracker", a paused one is not past
/// its target, and an unknown response is "not recorded", never overdue.
async fn imported_states_keep_what_was_not_recorded(db: &TestDb) {
    use assure_domain::tracker::{ExecutiveResponse, Lifecycle, ResponseState, REASON_NOT_RECORDED};
    let (table, preset) = council_tracker();
    let p = plan(&table, &preset, today()).unwrap();
    let review = imported_review(db, "Children missing education review").await;
    db.store.imports().commit(&Actor::system(), review, &p, today(), "tracker.xlsx", None).await.unwrap().unwrap();
    let recs = db.store.tracker().review_recommendations(review).await.unwrap();
    let rec = |n: i64| recs.iter().find(|r| r.number == n).unwrap();
    for r in &recs {
        assert_eq!(r.response, ExecutiveResponse::NotRecorded);
        assert_eq!(r.response_state(today()), ResponseState::NotRecorded, "never overdue");
    }
    assert_eq!((rec(3).lifecycle, rec(3).lifecycle_reason.as_str()), (Lifecycle::Paused, REASON_NOT_RECORDED));
    assert_eq!((rec(4).lifecycle, rec(4).lifecycle_reason.as_str()), (Lifecycle::Superseded, REASON_NOT_RECORDED));
    assert_eq!(rec(1).lifecycle_reason, "", "an open state needs no reason");
    assert!(!rec(3).target_passed(today()), "a paused recommendation is not overdue");

    let scope = RecFilter { review_id: Some(review), ..Default::default() };
    let dash = db.store.tracker().dashboard(&scope, today()).await.unwrap();
    assert_eq!((dash.responses_overdue, dash.targets_passed), (0, 2), "only the two in progress are past their target");
    let overdue = RecFilter { response_overdue_on: Some(today()), ..scope.clone() };
    assert_eq!(db.store.tracker().list_recommendations(&overdue, 10, 0).await.unwrap().1, 0);
    let passed = RecFilter { target_passed_on: Some(today()), ..scope };
    let (past, _) = db.store.tracker().list_recommendations(&passed, 10, 0).await.unwrap();
    assert_eq!(past.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
    let listed = db.store.tracker().reviews().await.unwrap().into_iter().find(|r| r.id == review).unwrap();
    assert_eq!((listed.awaiting_response, listed.response_not_recorded), (0, 4));
}
on_both_engines!(imported_states, imported_states_keep_what_was_not_recorded);

/// Fault 5 of issue 14: an executive decision date column was guessed as an action's
/// date (actions with no text, turning rows Red) and the origin had nowhere to go. Both
/// are fields now: imported from their own columns (guessed from the headings), filtered
/// on, exported in the register and printed under the reference in reports.
async fn origin_and_decision_date_are_kept(db: &TestDb) {
    use assure_domain::import::{headings, suggest_mapping, ImportField, Preset};
    let table: Vec<Vec<String>> = [
        ["Ref", "Recommendation", "Origin", "Executive decision date", "Action", "Target date", "Status"],
        ["OF1", "That return interviews are offered within 72 hours", "Ofsted inspection 2016", "5 October 2017", "", "", "Paused"],
        ["SR2", "That taxi drivers are trained", "Licensing/CSE scrutiny review", "05/10/2017", "Run courses", "31 March 2018", "In progress"],
    ]
    .iter()
    .map(|r| r.iter().map(|c| c.to_string()).collect())
    .collect();
    let mapping = suggest_mapping(&headings(&table, 1));
    assert_eq!(mapping.heading(ImportField::DecisionDate), Some("Executive decision date"), "not guessed as an action's date");
    let p = plan(&table, &Preset { name: String::new(), header_row: 1, mapping }, today()).unwrap();
    let review = imported_review(db, "Inspection and scrutiny tracker").await;
    db.store.imports().commit(&Actor::system(), review, &p, today(), "tracker.xlsx", None).await.unwrap().unwrap();
    let recs = db.store.tracker().review_recommendations(review).await.unwrap();
    let of1 = recs.iter().find(|r| r.reference == "OF1").unwrap();
    assert_eq!((of1.origin.as_str(), of1.executive_decision_date), ("Ofsted inspection 2016", Some(d(2017, 10, 5))));
    let detail = db.store.tracker().recommendation_detail(of1.id).await.unwrap();
    assert!(detail.actions.is_empty(), "no action without text: {:?}", detail.actions.iter().map(|a| &a.text).collect::<Vec<_>>());
    assert_eq!(of1.target_date, None);

    let ofsted = RecFilter { review_id: Some(review), origin: Some("Ofsted inspection 2016".into()), ..Default::default() };
    let (found, n) = db.store.tracker().list_recommendations(&ofsted, 10, 0).await.unwrap();
    assert_eq!((n, found[0].reference.as_str()), (1, "OF1"));
    assert_eq!(db.store.tracker().origins(Some(review)).await.unwrap(), ["Licensing/CSE scrutiny review", "Ofsted inspection 2016"]);

    let exported = db.store.imports().register_entries(&RecFilter { review_id: Some(review), ..Default::default() }, today()).await.unwrap();
    let table = register_table(&exported);
    assert!(table[0].contains(&"Origin".to_string()) && table[0].contains(&"Executive decision date".to_string()), "{:?}", table[0]);
    let back = plan(&table, &register_preset(), today()).unwrap();
    assert_eq!(
        back.entries.iter().map(|e| (e.origin.clone(), e.executive_decision_date)).collect::<Vec<_>>(),
        [("Ofsted inspection 2016".to_string(), Some(d(2017, 10, 5))), ("Licensing/CSE scrutiny review".to_string(), Some(d(2017, 10, 5)))]
    );

    let report = db.store.reports().create(&Actor::system(), &input(review, d(2018, 1, 16))).await.unwrap();
    let drawn = db.store.reports().monitoring_report(report, today()).await.unwrap();
    assert_eq!(drawn.rows[0].origin_line().as_deref(), Some("Origin: Ofsted inspection 2016. Executive decision: 5 October 2017"));
}
on_both_engines!(origin_and_decision_date, origin_and_decision_date_are_kept);

/// Issue 14, "What to build": an import whose references the register already holds is
/// refused naming every holder until the user chooses; updating in place changes
/// exactly what the preview listed (field by field, with the updates it adds), each
/// recommendation with its audit entry, and nothing if one was edited since; importing
/// as new gives fresh references.
async fn an_import_updates_recommendations_in_place_or_adds_them_afresh(db: &TestDb) {
    use assure_domain::import::{FieldChange, ImportField, ImportedUpdate};
    use assure_domain::tracker::{Lifecycle, Rag, REASON_NOT_RECORDED};
    use assure_storage::audit::AuditFilter;
    use assure_storage::imports::{CommitOptions, OnExisting};
    let wg = licensing(db).await;
    let filter = RecFilter { review_id: Some(wg), ..Default::default() };
    let mut entries = db.store.imports().register_entries(&filter, today()).await.unwrap();
    let first = entries[0].clone();
    let new_rag = if first.rag == Some(Rag::Green) { Rag::Red } else { Rag::Green };
    entries[0].rag = Some(new_rag);
    entries[0].lifecycle = Some(Lifecycle::Paused);
    entries[0].updates.push(ImportedUpdate { date: Some(d(2018, 2, 1)), narrative: "Reply received from the Home Office".into() });
    let mut fresh = assure_domain::import::RegisterEntry::new(99, "That a new recommendation is tracked");
    fresh.reference = "LWG 99".into();
    entries.push(fresh);
    let p = plan(&register_table(&entries), &register_preset(), today()).unwrap();
    let review = imported_review(db, "Licensing tracker, returned").await;

    // No choice made: refused, naming the holder of each reference.
    let refused = db.store.imports().commit(&officer(), review, &p, today(), "tracker.xlsx", None).await.unwrap().unwrap_err();
    assert_eq!(refused.len(), 8);
    assert!(
        refused[0].message.contains("is already used by recommendation (1) of “Licensing/Child Sexual Exploitation Working Group”"),
        "{}",
        refused[0].message
    );

    // The preview: one recommendation changes, field by field; seven change nothing.
    let in_place = db.store.imports().in_place(&p, today()).await.unwrap().unwrap();
    assert_eq!(in_place.len(), 8);
    let changed: Vec<_> = in_place.iter().filter(|u| !u.changes.is_empty()).collect();
    assert_eq!(changed.len(), 1, "{:#?}", in_place.iter().map(|u| &u.changes).collect::<Vec<_>>());
    let u = changed[0];
    assert_eq!(u.reference, first.reference);
    let old_status = first.lifecycle.map(|l| l.label().to_string()).unwrap_or_default();
    assert_eq!(
        u.changes.fields,
        vec![
            FieldChange { field: ImportField::Status, old: old_status, new: "Paused".into() },
            FieldChange { field: ImportField::Rag, old: first.rag.map(|r| r.label().to_string()).unwrap_or_default(), new: new_rag.label().into() },
        ]
    );
    assert_eq!(u.changes.updates_added.len(), 1);
    assert_eq!(db.store.imports().conflicts_with(review, &p, OnExisting::Update).await.unwrap(), vec![]);

    // Someone edits the recommendation after the preview: nothing is imported.
    let rec_id = u.holder.id;
    let previewed: Vec<(i64, i64)> = in_place.iter().map(|u| (u.holder.id, u.holder.version)).collect();
    let lifecycle = assure_domain::tracker::LifecycleInput { lifecycle: Some(Lifecycle::InProgress), reason: String::new() };
    db.store.tracker().set_lifecycle(&officer(), rec_id, u.holder.version, &lifecycle).await.unwrap();
    let before = db.store.imports().register_entries(&RecFilter::default(), today()).await.unwrap();
    let before_wg = db.store.imports().register_entries(&filter, today()).await.unwrap();
    let options = CommitOptions { on_existing: OnExisting::Update, expected: previewed, ..Default::default() };
    let stale = db.store.imports().commit_with(&officer(), review, &p, today(), "tracker.xlsx", None, options).await.unwrap().unwrap_err();
    assert!(stale[0].message.contains("was changed by someone else after the preview, so nothing has been imported"), "{}", stale[0].message);
    assert_eq!(db.store.imports().register_entries(&RecFilter::default(), today()).await.unwrap(), before, "nothing half-applied");

    // Previewed again and committed: exactly those changes, each audited.
    let in_place = db.store.imports().in_place(&p, today()).await.unwrap().unwrap();
    let options = CommitOptions {
        on_existing: OnExisting::Update,
        expected: in_place.iter().map(|u| (u.holder.id, u.holder.version)).collect(),
        ..Default::default()
    };
    let out = db.store.imports().commit_with(&officer(), review, &p, today(), "tracker.xlsx", None, options).await.unwrap().unwrap();
    assert_eq!((out.recommendations, out.updated, out.unchanged, out.updates), (1, 1, 7, 1));
    let rec = db.store.tracker().recommendation(rec_id).await.unwrap();
    assert_eq!((rec.lifecycle, rec.lifecycle_reason.as_str(), rec.rag_override), (Lifecycle::Paused, REASON_NOT_RECORDED, Some(new_rag)));
    assert_eq!(rec.review_id, wg, "updated where it is");
    let after = db.store.imports().register_entries(&filter, today()).await.unwrap();
    assert!(after[0].updates.iter().any(|u| u.narrative == "Reply received from the Home Office"));
    assert_eq!(after[0].reference, first.reference);
    assert_eq!(after[1..], before_wg[1..], "the rest untouched");
    let added = db.store.tracker().review_recommendations(review).await.unwrap();
    assert_eq!(added.iter().map(|r| r.reference.as_str()).collect::<Vec<_>>(), ["LWG 99"]);
    let (audit, _) =
        db.store.audit().list(&AuditFilter { action: Some("recommendation.import-update".into()), ..Default::default() }, 10, 0).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0].detail.contains("Status, RAG and 1 update added"), "{}", audit[0].detail);

    // Or imported as new: every reference fresh, none the register already held.
    let held: Vec<String> =
        db.store.imports().register_entries(&RecFilter::default(), today()).await.unwrap().into_iter().map(|e| e.reference).collect();
    let copy = imported_review(db, "Licensing tracker, a copy").await;
    let p2 = plan(&register_table(&entries[..8]), &register_preset(), today()).unwrap();
    let options = CommitOptions { on_existing: OnExisting::AsNew, ..Default::default() };
    let out = db.store.imports().commit_with(&officer(), copy, &p2, today(), "tracker.xlsx", None, options).await.unwrap().unwrap();
    assert_eq!((out.recommendations, out.updated), (8, 0));
    let copies = db.store.tracker().review_recommendations(copy).await.unwrap();
    assert!(copies.iter().all(|r| !held.contains(&r.reference)), "{:?}", copies.iter().map(|r| &r.reference).collect::<Vec<_>>());
}
on_both_engines!(update_in_place, an_import_updates_recommendations_in_place_or_adds_them_afresh);

/// Fault 6 of issue 14: a mapping saved from a workbook whose headings are on row 2,
/// applied to a CSV with headings on row 1, failed on every column. A saved mapping now
/// finds its heading row in each file.
async fn a_saved_mapping_finds_its_heading_row_in_each_file(db: &TestDb) {
    use assure_domain::import::{check_preset, ImportField, Mapping, Preset};
    let cols = [(ImportField::Reference, "Ref"), (ImportField::Recommendation, "Recommendation"), (ImportField::Rag, "RAG")];
    let saved = Preset {
        name: "Council workbook".into(),
        header_row: 2,
        mapping: Mapping { columns: cols.iter().map(|(f, h)| (*f, h.to_string())).collect() },
    };
    db.store.imports().save_preset(&Actor::system(), &check_preset(&saved).unwrap()).await.unwrap();
    let csv: Vec<Vec<String>> = [["Ref", "Recommendation", "RAG"], ["CW 1", "That drivers are trained", "Green"]]
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let preset = db.store.imports().preset("council workbook").await.unwrap();
    assert!(plan(&csv, &preset, today()).is_err(), "as saved, it reads row 2 for headings");
    let fitted = preset.fitted(&csv);
    assert_eq!(fitted.header_row, 1);
    let p = plan(&csv, &fitted, today()).unwrap();
    assert_eq!((p.entries.len(), p.entries[0].reference.as_str()), (1, "CW 1"));
}
on_both_engines!(mapping_heading_row, a_saved_mapping_finds_its_heading_row_in_each_file);
