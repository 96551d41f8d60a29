//! Storage behaviour, run on SQLite and on PostgreSQL.

use assure_domain::accounts::{check_activation, AccountInput};
use assure_domain::tracker::{
    check_action, check_response, ActionInput, ExecutiveResponse, Lifecycle, LifecycleInput, Rag, ResponseInput, RevisionInput, SignOffInput,
    TransferInput,
};
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_storage::tracker::{BodyInput, RecFilter, RecommendationInput, ReviewInput, UpdateInput};
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

async fn demo(db: &TestDb) {
    assert!(assure_storage::demo::load(&db.store, today(), "hash").await.unwrap());
}

async fn licensing_review(db: &TestDb) -> i64 {
    db.store.tracker().reviews().await.unwrap().into_iter().find(|r| r.title.starts_with("Licensing")).unwrap().id
}

async fn demo_loads_once_with_the_working_group(db: &TestDb) {
    demo(db).await;
    // A second load changes nothing.
    assert!(!assure_storage::demo::load(&db.store, today(), "hash").await.unwrap());
    let wg = licensing_review(db).await;
    let review = db.store.tracker().review(wg).await.unwrap();
    // Referred 26 September 2017: Cabinet's response was due two months later.
    assert_eq!(review.response_due, Some(d(2017, 11, 26)));
    let recs = db.store.tracker().review_recommendations(wg).await.unwrap();
    let labels: Vec<String> = recs.iter().map(|r| r.label()).collect();
    assert_eq!(labels, ["(1)", "(1)(a)", "(1)(b)", "(1)(c)", "(2)", "(3)", "(4)", "(5)"]);
    assert_eq!(recs[0].reference, "SR (17/18) 01");
    assert_eq!(recs[1].reference, "SR (17/18) 01a");
    assert!(recs.iter().all(|r| r.response == ExecutiveResponse::Accepted));
    assert_eq!(recs[1].parent_id, Some(recs[0].id));
    assert_eq!(db.store.tracker().endorsements(wg).await.unwrap().len(), 2);
    // The audit log is intact after all of that.
    let n = db.store.audit().verify().await.unwrap().expect("intact audit chain");
    assert!(n > 50, "demo changes are audited, got {n}");
}
on_both_engines!(demo_loads_once, demo_loads_once_with_the_working_group);

async fn stale_edit_is_refused_and_nothing_is_overwritten(db: &TestDb) {
    demo(db).await;
    let wg = licensing_review(db).await;
    let rec = db.store.tracker().review_recommendations(wg).await.unwrap().into_iter().find(|r| r.number == 4).unwrap();
    let mut input = RecommendationInput {
        number: Some(4),
        committee_wording: "First editor's wording".into(),
        lead_ids: rec.lead_ids(),
        monitoring_body_id: rec.monitoring_body_id,
        ..Default::default()
    };
    db.store.tracker().update_recommendation(&officer(), rec.id, rec.version, &input).await.unwrap();
    input.committee_wording = "Second editor's wording".into();
    let err = db.store.tracker().update_recommendation(&officer(), rec.id, rec.version, &input).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err:?}");
    assert_eq!(db.store.tracker().recommendation(rec.id).await.unwrap().committee_wording, "First editor's wording");
    // Same for a lifecycle change with a stale version.
    let err = db
        .store
        .tracker()
        .set_lifecycle(&officer(), rec.id, rec.version, &LifecycleInput { lifecycle: Some(Lifecycle::InProgress), reason: "".into() })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict));
}
on_both_engines!(stale_edit, stale_edit_is_refused_and_nothing_is_overwritten);

async fn revised_dates_keep_their_history(db: &TestDb) {
    demo(db).await;
    let wg = licensing_review(db).await;
    let rec = db.store.tracker().review_recommendations(wg).await.unwrap().into_iter().find(|r| r.number == 2 && r.sub_label.is_empty()).unwrap();
    let a = db
        .store
        .tracker()
        .add_action(
            &officer(),
            rec.id,
            &check_action(&ActionInput {
                text: "Chase the Department for Education".into(),
                owner: "Head of Children's Social Care".into(),
                target_date: Some(d(2027, 5, 31)),
            })
            .unwrap(),
        )
        .await
        .unwrap();
    // No reason: refused, nothing changed.
    let v = db.store.tracker().action(a).await.unwrap().version;
    let err = db
        .store
        .tracker()
        .revise_action_date(&officer(), a, v, &RevisionInput { new_date: Some(d(2027, 7, 31)), reason: " ".into() })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref i) if i.for_field("reason").is_some()));
    assert_eq!(db.store.tracker().action(a).await.unwrap().target_date, Some(d(2027, 5, 31)));
    db.store
        .tracker()
        .revise_action_date(&officer(), a, v, &RevisionInput { new_date: Some(d(2027, 7, 31)), reason: "General election called".into() })
        .await
        .unwrap();
    let action = db.store.tracker().action(a).await.unwrap();
    assert_eq!(action.target_date, Some(d(2027, 7, 31)));
    assert_eq!(action.revisions.len(), 1);
    assert_eq!(action.revisions[0].reason, "General election called");
    assert_eq!(action.date_history(), "May 2027, revised to July 2027");
    // The recommendation's target date follows its open actions.
    assert_eq!(db.store.tracker().recommendation(rec.id).await.unwrap().target_date, Some(d(2027, 7, 31)));
}
on_both_engines!(revised_dates, revised_dates_keep_their_history);

async fn updates_are_corrected_not_changed(db: &TestDb) {
    demo(db).await;
    let wg = licensing_review(db).await;
    let recs = db.store.tracker().review_recommendations(wg).await.unwrap();
    let r2 = recs.iter().find(|r| r.number == 2).unwrap();
    let r4 = recs.iter().find(|r| r.number == 4).unwrap();
    let detail = db.store.tracker().recommendation_detail(r2.id).await.unwrap();
    let original = detail.updates.last().unwrap().id;
    let fix = UpdateInput {
        update_date: Some(d(2018, 1, 6)),
        narrative: "Correction: the letter was sent on 8 December 2017.".into(),
        progress_percent: None,
        corrects_id: Some(original),
    };
    // An update of another recommendation cannot be "corrected" from here.
    let err = db.store.tracker().add_update(&officer(), r4.id, &fix, &[]).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref i) if i.for_field("corrects_id").is_some()));
    let new_id = db.store.tracker().add_update(&officer(), r2.id, &fix, &[]).await.unwrap();
    let detail = db.store.tracker().recommendation_detail(r2.id).await.unwrap();
    let old = detail.updates.iter().find(|u| u.id == original).unwrap();
    assert_eq!(old.corrected_by_id, Some(new_id));
    assert!(old.narrative.contains("7 December 2017"), "the original stays as it was");
    // Bad values are refused with the field named.
    let bad = UpdateInput { update_date: None, narrative: " ".into(), progress_percent: Some(140), corrects_id: None };
    let err = db.store.tracker().add_update(&officer(), r2.id, &bad, &[]).await.unwrap_err();
    let StoreError::Invalid(i) = err else { panic!() };
    assert!(i.for_field("narrative").is_some() && i.for_field("update_date").is_some() && i.for_field("progress_percent").is_some());
}
on_both_engines!(corrections, updates_are_corrected_not_changed);

async fn responses_sign_off_and_transfer(db: &TestDb) {
    demo(db).await;
    let scr = db.store.tracker().reviews().await.unwrap().into_iter().find(|r| r.title.starts_with("Serious case review")).unwrap();
    let recs = db.store.tracker().review_recommendations(scr.id).await.unwrap();
    let awaiting = recs.iter().find(|r| r.response == ExecutiveResponse::Awaiting).unwrap();
    // A rejection without its reason never becomes a command the store accepts.
    let rejected = ResponseInput { response: Some(ExecutiveResponse::Rejected), response_date: Some(today()), response_reason: String::new() };
    assert!(check_response(&rejected).unwrap_err().for_field("response_reason").is_some());
    assert_eq!(db.store.tracker().recommendation(awaiting.id).await.unwrap().response, ExecutiveResponse::Awaiting);
    // Sign-off only once complete.
    let bodies = db.store.tracker().bodies().await.unwrap();
    let childrens = bodies.iter().find(|b| b.name.contains("Children's Services")).unwrap().id;
    let regulatory = bodies.iter().find(|b| b.name.contains("Regulatory")).unwrap().id;
    let err = db
        .store
        .tracker()
        .sign_off(
            &officer(),
            awaiting.id,
            awaiting.version,
            &SignOffInput { body_id: Some(childrens), meeting_date: Some(today()), minute_ref: "Minute 3".into(), ..Default::default() },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(ref i) if i.for_field("lifecycle").is_some()));
    db.store
        .tracker()
        .transfer(
            &officer(),
            awaiting.id,
            awaiting.version,
            &TransferInput {
                body_id: Some(regulatory),
                meeting_date: Some(today()),
                minute_ref: "Minute 4".into(),
                reason: "Regulatory matters".into(),
            },
        )
        .await
        .unwrap();
    let moved = db.store.tracker().recommendation_detail(awaiting.id).await.unwrap();
    assert_eq!(moved.rec.lifecycle, Lifecycle::Transferred);
    assert_eq!(moved.rec.monitoring_body_id, Some(regulatory));
    assert!(moved.history.iter().any(|h| h.kind == "transfer" && h.minute_ref == "Minute 4"));
}
on_both_engines!(sign_off, responses_sign_off_and_transfer);

async fn lists_filter_and_count_without_growing_queries(db: &TestDb) {
    demo(db).await;
    let all = db.store.tracker().list_recommendations(&RecFilter::default(), 100, 0).await.unwrap();
    assert_eq!(all.0.len() as i64, all.1);
    // The demo's four reviews, and the three actions of its case-file audit.
    assert_eq!(all.1, 8 + 6 + 3 + 5 + 3);
    let before = db.store.query_count();
    db.store.tracker().list_recommendations(&RecFilter::default(), 2, 0).await.unwrap();
    let small = db.store.query_count() - before;
    let before = db.store.query_count();
    db.store.tracker().list_recommendations(&RecFilter::default(), 100, 0).await.unwrap();
    let large = db.store.query_count() - before;
    assert_eq!(small, large, "the list issues the same number of queries whatever its length");

    let lead = db.store.users().by_email("lead-officer@example.org").await.unwrap().unwrap().0;
    let mine = db.store.tracker().list_recommendations(&RecFilter { lead_user_id: Some(lead.id), ..Default::default() }, 100, 0).await.unwrap();
    assert!(mine.0.iter().all(|r| r.is_led_by(lead.id)));
    assert!(mine.1 > 0 && mine.1 < all.1);
    let text = db.store.tracker().list_recommendations(&RecFilter { text: Some("E-LEARNING".into()), ..Default::default() }, 100, 0).await.unwrap();
    assert_eq!(text.1, 1);
    let amber = db.store.tracker().list_recommendations(&RecFilter { rag: Some(Rag::Amber), ..Default::default() }, 100, 0).await.unwrap();
    assert!(amber.0.iter().any(|r| r.rag_override == Some(Rag::Amber)));
    let overdue =
        db.store.tracker().list_recommendations(&RecFilter { response_overdue_on: Some(today()), ..Default::default() }, 100, 0).await.unwrap();
    assert_eq!(overdue.1, 3, "the transport review's three recommendations await an overdue response");
    let dash = db.store.tracker().dashboard(&RecFilter::default(), today()).await.unwrap();
    assert_eq!(dash.total, all.1);
    assert_eq!(dash.responses_overdue, 3);
    assert!(dash.targets_passed >= 1);
    assert_eq!(dash.by_lifecycle.iter().map(|(_, n)| n).sum::<i64>(), dash.total);
    assert_eq!(dash.accepted, 8 + 6 + 2);
}
on_both_engines!(lists, lists_filter_and_count_without_growing_queries);

async fn reviews_validate_dates(db: &TestDb) {
    let bad = ReviewInput { kind: None, title: " ".into(), start_date: Some(d(2017, 9, 1)), end_date: Some(d(2017, 8, 1)), ..Default::default() };
    let err = db.store.tracker().create_review(&officer(), &bad).await.unwrap_err();
    let StoreError::Invalid(i) = err else { panic!() };
    assert!(i.for_field("kind").is_some() && i.for_field("title").is_some() && i.for_field("end_date").is_some());
    assert!(db.store.tracker().reviews().await.unwrap().is_empty(), "nothing saved");
}
on_both_engines!(review_validation, reviews_validate_dates);

async fn schedule_finds_missing_updates(db: &TestDb) {
    demo(db).await;
    let wg = licensing_review(db).await;
    // For the July 2018 report, updates since the January report are missing for
    // every open recommendation.
    let missing = db.store.tracker().missing_updates(wg, None, Some(d(2018, 1, 16)), d(2018, 7, 16)).await.unwrap();
    let labels: Vec<String> = missing.iter().map(|r| r.label()).collect();
    assert_eq!(labels, ["(2)", "(4)", "(5)"]);
    // For January 2018 itself (no earlier report) recommendation (2) had its update.
    let missing = db.store.tracker().missing_updates(wg, None, None, d(2018, 1, 16)).await.unwrap();
    assert!(!missing.iter().any(|r| r.number == 2));
}
on_both_engines!(missing_updates, schedule_finds_missing_updates);

async fn sessions_and_tokens(db: &TestDb) {
    demo(db).await;
    let (u, _) = db.store.users().by_email("Committee-Member@Example.org ").await.unwrap().unwrap();
    db.store.sessions().create("s1", u.id, "csrf", "127.0.0.1").await.unwrap();
    assert_eq!(db.store.sessions().get("s1").await.unwrap().unwrap().user.id, u.id);
    let t = db.store.users().create_token(&Actor::system(), u.id, "reporting", "th").await.unwrap();
    assert_eq!(db.store.users().by_token("th").await.unwrap().unwrap().id, u.id);
    db.store.users().revoke_token(&Actor::system(), t).await.unwrap();
    assert!(db.store.users().by_token("th").await.unwrap().is_none());
    db.store.users().set_active(&Actor::system(), &check_activation(None, u.id, false).unwrap()).await.unwrap();
    assert!(db.store.sessions().get("s1").await.unwrap().is_none(), "deactivation ends sessions");
}
on_both_engines!(sessions, sessions_and_tokens);

/// What only the database can tell joins the domain's problems in one answer, in the
/// form's order, and nothing is saved.
async fn database_problems_arrive_with_the_domains(db: &TestDb) {
    demo(db).await;
    // A body: a name already used, and no kind.
    let err = db.store.tracker().create_body(&officer(), &BodyInput { name: " CABINET ".into(), ..Default::default() }).await.unwrap_err();
    let StoreError::Invalid(i) = err else { panic!("{err:?}") };
    let fields: Vec<&str> = i.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["name", "kind"]);
    assert_eq!(i.for_field("name"), Some("A body with this name already exists"));
    // A recommendation: a number already used, no wording, a lead officer who is not one.
    let wg = licensing_review(db).await;
    let bad = RecommendationInput { number: Some(2), lead_ids: vec![9999], ..Default::default() };
    let err = db.store.tracker().create_recommendation(&officer(), wg, &bad).await.unwrap_err();
    let StoreError::Invalid(i) = err else { panic!("{err:?}") };
    let fields: Vec<&str> = i.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["number", "committee_wording", "lead_ids"]);
    assert_eq!(i.for_field("number"), Some("This review already has a recommendation (2)"));
    // An account: an address already used, and no role.
    let dup = AccountInput { name: "Ada".into(), email: " Lead-Officer@Example.org ".into(), ..Default::default() };
    let err = db.store.users().create_account(&Actor::system(), &dup, "hash").await.unwrap_err();
    let StoreError::Invalid(i) = err else { panic!("{err:?}") };
    let fields: Vec<&str> = i.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["email", "role"]);
    assert_eq!(db.store.tracker().review_recommendations(wg).await.unwrap().len(), 8, "nothing saved");
}
on_both_engines!(database_problems, database_problems_arrive_with_the_domains);

/// The planner's statistics are gathered (on SQLite they were never gathered before),
/// again without harm, and the data is the same afterwards.
async fn statistics_are_gathered(db: &TestDb) {
    demo(db).await;
    let before = db.store.tracker().reviews().await.unwrap().len();
    if db.store.engine() == assure_storage::Engine::Sqlite {
        assert_eq!(assure_storage::testing::sqlite_statistics_rows(&db.store).await, 0);
    }
    db.store.gather_statistics().await.unwrap();
    db.store.gather_statistics().await.unwrap();
    if db.store.engine() == assure_storage::Engine::Sqlite {
        assert!(assure_storage::testing::sqlite_statistics_rows(&db.store).await > 10, "sqlite_stat1 holds the indexes' statistics");
    }
    assert_eq!(db.store.tracker().reviews().await.unwrap().len(), before);
    // Writes go on afterwards (the write lock was given back).
    let input = ReviewInput { kind: Some(assure_domain::tracker::ReviewKind::Other), title: "After statistics".into(), ..Default::default() };
    db.store.tracker().create_review(&officer(), &input).await.unwrap();
}
on_both_engines!(statistics, statistics_are_gathered);

/// The register read a chunk at a time (for the streamed export) is the whole register
/// in the same order, whole or filtered, and its count agrees.
async fn the_register_in_chunks_is_the_whole_register(db: &TestDb) {
    demo(db).await;
    let review = licensing_review(db).await;
    for filter in [RecFilter::default(), RecFilter { review_id: Some(review), ..Default::default() }] {
        let all = db.store.imports().register_entries(&filter, today()).await.unwrap();
        assert!(!all.is_empty());
        let mut chunks = db.store.imports().register_chunks(&filter, today(), 3).unwrap();
        let mut got = Vec::new();
        while let Some(chunk) = chunks.next().await.unwrap() {
            assert!(!chunk.is_empty() && chunk.len() <= 3);
            got.extend(chunk);
        }
        assert_eq!(got, all);
        assert_eq!(db.store.imports().register_count(&filter).await.unwrap(), all.len() as i64);
    }
}
on_both_engines!(register_chunks, the_register_in_chunks_is_the_whole_register);
