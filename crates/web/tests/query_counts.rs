//! An N+1 shows as a failing test, not a slow page: the MASH queue, a child's record,
//! a review's page, the pathway's home pages and the notification lists, a
//! recommendation's page and the tracker's API, the missing children's lists and a
//! child's episodes, and the SPOC's lists issue the same number of SQL statements (the
//! store counts every one) however many rows they show, on both engines: the pages
//! scripts/load-bench measures. The tracker's list pages and the audit log are checked
//! the same way in pages.rs.

mod common;

use assure_domain::partnership::{InvolvementKind, Scope};
use assure_domain::referral::{ConcernForm, ConcernInput, ReferralSource};
use assure_storage::children::{ChildInput, ChildRef};
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use axum::http::StatusCode;
use common::{demo_app, Client};

/// Statements one GET issues.
async fn statements(db: &TestDb, c: &mut Client, path: &str) -> u64 {
    let start = db.store.query_count();
    let r = c.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}");
    db.store.query_count() - start
}

/// `n` more concerns raised by the demo practitioner, each about a new child who shares
/// the name of `like` (so each is also a possible duplicate of it).
async fn raise(db: &TestDb, n: usize, like: &ChildInput) {
    let practitioner = testing::reader(&db.store, "practitioner@example.org").await;
    let tool = db.store.screening().current().await.unwrap();
    for _ in 0..n {
        let form = ConcernForm {
            child: Some(ChildRef::New(like.clone())),
            concern: ConcernInput {
                source: Some(ReferralSource::ProfessionalConcern),
                reported_by: None,
                what_seen: "Seen getting into a car with two adult men".into(),
                seen_on: Some(db.store.today()),
                seen_where: "Outside the school".into(),
                seen_by: "Form tutor".into(),
                referral_text: "For screening".into(),
            },
            answers: tool.indicators().map(|i| (i.key.clone(), false)).collect(),
        };
        db.store.referrals(&practitioner).raise(&form).await.unwrap();
    }
}

async fn child_pages_and_the_queue_do_not_grow_their_query_count(db: &TestDb) {
    let mut c = Client::new(demo_app(db).await);
    c.sign_in("mash-worker@example.org").await;
    let child =
        testing::children_in_reach(&db.store, testing::reader(&db.store, "mash-worker@example.org").await.viewer(), None, 1, 0).await.0.remove(0);
    let like = ChildInput {
        first_name: child.first_name.clone(),
        last_name: child.last_name.clone(),
        date_of_birth: child.date_of_birth,
        estimated_age: child.estimated_age,
        ..Default::default()
    };
    raise(db, 2, &like).await;
    let child_page = format!("/children/{}", child.id);
    let pages = ["/mash", child_page.as_str(), "/children", "/"];
    let mut before = Vec::new();
    for p in pages {
        before.push(statements(db, &mut c, p).await);
    }
    // 60 more referrals on the queue, each a child with the same name and date of birth
    // (a possible duplicate), and more agencies involved with the child.
    raise(db, 60, &like).await;
    let agencies = db.store.partnership().agencies().await.unwrap();
    for a in agencies.iter().take(4) {
        testing::involve(&db.store, child.id, a.id, InvolvementKind::HoldsAction, Scope::Agency, db.store.today()).await;
    }
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(statements(db, &mut c, p).await, before[i], "{p} issues the same number of statements with more rows");
    }
    assert!(c.get(&child_page).await.has("Possible duplicates"), "the duplicates are shown (bounded, not hidden)");
}
on_both_engines!(child_and_queue, child_pages_and_the_queue_do_not_grow_their_query_count, demo = crate::common::password_hash());

async fn a_reviews_page_does_not_grow_its_query_count(db: &TestDb) {
    let mut c = Client::new(demo_app(db).await);
    c.sign_in("scrutiny-officer@example.org").await;
    let officer = assure_storage::Actor { user_id: Some(2), label: "x".into(), ip: String::new() };
    let review = common::scrutiny_review(&db.store).await;
    let path = format!("/reviews/{review}");
    let before = statements(db, &mut c, &path).await;
    for n in 200..260 {
        let input = assure_storage::tracker::RecommendationInput { number: Some(n), committee_wording: format!("More {n}"), ..Default::default() };
        db.store.tracker().create_recommendation(&officer, review, &input).await.unwrap();
    }
    assert_eq!(statements(db, &mut c, &path).await, before, "{path} with sixty more recommendations");
    assert_eq!(statements(db, &mut c, "/reviews").await, statements(db, &mut c, "/reviews").await);
}
on_both_engines!(review_page, a_reviews_page_does_not_grow_its_query_count, demo = crate::common::password_hash());

/// The health lead's home page (what is waiting) and the notification lists, with sixty
/// more notifications: the same number of statements.
async fn home_pages_and_notification_lists_do_not_grow_their_query_count(db: &TestDb) {
    use assure_domain::placements::{english_authorities, PlacementInput, Risk};
    let app = demo_app(db).await;
    let mut health = Client::new(app.clone());
    health.sign_in("health-lead@example.org").await;
    let mut officer = Client::new(app);
    officer.sign_in("notification-officer@example.org").await;
    let health_pages = ["/", "/notifications", "/notifications?state=waiting&period=30"];
    let officer_pages = ["/", "/placements", "/placements?state=waiting"];
    let mut before = Vec::new();
    for p in health_pages {
        before.push(statements(db, &mut health, p).await);
    }
    for p in officer_pages {
        before.push(statements(db, &mut officer, p).await);
    }
    let today = db.store.today();
    let authority = english_authorities()[0];
    let inputs: Vec<PlacementInput> = (0..60)
        .map(|i| PlacementInput {
            child: Some(ChildRef::New(ChildInput {
                first_name: "Counted".into(),
                last_name: format!("Placedchild{}", (b'a' + (i % 26) as u8) as char),
                estimated_age: Some(14),
                ..Default::default()
            })),
            placing_authority: authority.to_string(),
            home: "Brookside House".into(),
            address: "1 Brook Lane".into(),
            ward: "Linacre".into(),
            start_date: Some(today - chrono::Duration::days(3)),
            received_date: Some(today - chrono::Duration::days(1)),
            risks: Risk::ALL.iter().map(|r| (*r, Some(false), String::new())).collect(),
            ..Default::default()
        })
        .collect();
    let reader = testing::reader(&db.store, "notification-officer@example.org").await;
    db.store.placements(&reader).record_notifications_batch(&inputs, today).await.unwrap();
    let mut after = Vec::new();
    for p in health_pages {
        after.push(statements(db, &mut health, p).await);
    }
    for p in officer_pages {
        after.push(statements(db, &mut officer, p).await);
    }
    assert_eq!(after, before, "{health_pages:?} then {officer_pages:?} with sixty more notifications");
}
on_both_engines!(home_and_notifications, home_pages_and_notification_lists_do_not_grow_their_query_count, demo = crate::common::password_hash());

/// Each path's statements, in order.
async fn all_statements(db: &TestDb, c: &mut Client, paths: &[&str]) -> Vec<u64> {
    let mut out = Vec::new();
    for p in paths {
        out.push(statements(db, c, p).await);
    }
    out
}

/// A recommendation's page with thirty more progress updates, and the tracker's API with
/// thirty more recommendations: the same number of statements.
async fn a_recommendation_and_the_tracker_api_do_not_grow_their_query_count(db: &TestDb) {
    use assure_storage::tracker::{RecommendationInput, UpdateInput};
    let mut c = Client::new(demo_app(db).await);
    c.sign_in("scrutiny-officer@example.org").await;
    let officer = testing::actor(&db.store, "scrutiny-officer@example.org").await;
    let review = common::scrutiny_review(&db.store).await;
    let input = RecommendationInput { number: Some(300), committee_wording: "Counted statements".into(), ..Default::default() };
    let rec = db.store.tracker().create_recommendation(&officer, review, &input).await.unwrap();
    let update = |n: i64| UpdateInput {
        update_date: Some(db.store.today() - chrono::Duration::days(40 - n)),
        narrative: format!("Progress note {n}"),
        progress_percent: Some(n),
        corrects_id: None,
    };
    db.store.tracker().add_update(&officer, rec, &update(1), &[]).await.unwrap();
    let rec_page = format!("/recommendations/{rec}");
    let api_rec = format!("/api/v1/recommendations/{rec}");
    let api_review = format!("/api/v1/reviews/{review}");
    let paths = [rec_page.as_str(), api_rec.as_str(), "/api/v1/recommendations", "/api/v1/reviews", api_review.as_str()];
    let before = all_statements(db, &mut c, &paths).await;
    for n in 2..32 {
        db.store.tracker().add_update(&officer, rec, &update(n), &[]).await.unwrap();
    }
    for n in 301..331 {
        let input = RecommendationInput { number: Some(n), committee_wording: format!("More {n}"), ..Default::default() };
        db.store.tracker().create_recommendation(&officer, review, &input).await.unwrap();
    }
    assert_eq!(all_statements(db, &mut c, &paths).await, before, "{paths:?} with thirty more updates and recommendations");
    assert!(c.get(&rec_page).await.has("Progress note 31"), "the new updates are shown");
}
on_both_engines!(recommendation_and_api, a_recommendation_and_the_tracker_api_do_not_grow_their_query_count, demo = crate::common::password_hash());

/// The missing children's lists, a child's episodes and the children API, with thirty
/// more episodes of one child and thirty of new children: the same number of statements.
async fn missing_lists_do_not_grow_their_query_count(db: &TestDb) {
    use assure_domain::missing::{MissingFrom, RiskGrading};
    use assure_storage::missing::EpisodeInput;
    let mut c = Client::new(demo_app(db).await);
    c.sign_in("mash-worker@example.org").await;
    let mash = testing::reader(&db.store, "mash-worker@example.org").await;
    let child = testing::children_in_reach(&db.store, mash.viewer(), None, 1, 0).await.0.remove(0);
    let now = db.store.clock().local_now();
    let now = now.date().and_hms_opt(chrono::Timelike::hour(&now), 0, 0).unwrap();
    let episode = |child: ChildRef, n: i64, ended: bool| EpisodeInput {
        child: Some(child),
        missing_from: Some(MissingFrom::Care),
        started_at: Some(now - chrono::Duration::hours(6 * n + 4)),
        ended_at: ended.then(|| now - chrono::Duration::hours(6 * n + 2)),
        where_found: "Returned by police".into(),
        police_reference: format!("MP/{n}"),
        risk_grading: Some(RiskGrading::Medium),
    };
    db.store.missing(&mash).record_episode(&episode(ChildRef::Existing(child.id), 1, true)).await.unwrap();
    let episodes = format!("/children/{}/missing", child.id);
    let record = format!("/children/{}", child.id);
    let paths = ["/missing", episodes.as_str(), record.as_str(), "/api/v1/children", "/children"];
    let before = all_statements(db, &mut c, &paths).await;
    for n in 2..32 {
        db.store.missing(&mash).record_episode(&episode(ChildRef::Existing(child.id), n, true)).await.unwrap();
        let new = ChildInput { first_name: "Counted".into(), last_name: format!("Missingchild{n}"), estimated_age: Some(15), ..Default::default() };
        db.store.missing(&mash).record_episode(&episode(ChildRef::New(new), n, n % 2 == 0)).await.unwrap();
    }
    assert_eq!(all_statements(db, &mut c, &paths).await, before, "{paths:?} with sixty more episodes");
    assert!(c.get("/missing").await.has("Missingchild30"), "the new episodes are listed (an ended one, its return interview to offer)");
}
on_both_engines!(missing_lists, missing_lists_do_not_grow_their_query_count, demo = crate::common::password_hash());

/// The SPOC's referrals and the use of the CSE forms, and the child protection list,
/// with sixty more referrals: the same number of statements.
async fn spoc_lists_do_not_grow_their_query_count(db: &TestDb) {
    let app = demo_app(db).await;
    let mut spoc = Client::new(app.clone());
    spoc.sign_in("spoc@example.org").await;
    let mut mash = Client::new(app);
    mash.sign_in("mash-worker@example.org").await;
    let like = ChildInput { first_name: "Counted".into(), last_name: "Spocchild".into(), estimated_age: Some(14), ..Default::default() };
    raise(db, 2, &like).await;
    let spoc_paths = ["/spoc", "/spoc/monitoring"];
    let mash_paths = ["/child-protection", "/api/v1/child-protection"];
    let before = (all_statements(db, &mut spoc, &spoc_paths).await, all_statements(db, &mut mash, &mash_paths).await);
    raise(db, 60, &like).await;
    let after = (all_statements(db, &mut spoc, &spoc_paths).await, all_statements(db, &mut mash, &mash_paths).await);
    assert_eq!(after, before, "{spoc_paths:?} and {mash_paths:?} with sixty more referrals");
    assert!(spoc.get("/spoc").await.has("Spocchild"), "the new referrals are the SPOC's");
}
on_both_engines!(spoc_lists, spoc_lists_do_not_grow_their_query_count, demo = crate::common::password_hash());
/// A child's chronology (and its JSON and the child's page, which show its patterns and
/// what happens next), with forty more concerns about the same child: the same number
/// of statements.
async fn a_chronology_does_not_grow_its_query_count(db: &TestDb) {
    let mut c = Client::new(demo_app(db).await);
    c.sign_in("macse-co-chair@example.org").await;
    // A child of the school's, whose practitioner raises the concerns below.
    let practitioner = testing::reader(&db.store, "practitioner@example.org").await;
    let child = testing::children_in_reach(&db.store, practitioner.viewer(), None, 1, 0).await.0.remove(0);
    let pages = [
        format!("/children/{}/chronology", child.id),
        format!("/children/{}/chronology?order=oldest-first&page=2", child.id),
        format!("/api/v1/children/{}/chronology", child.id),
        format!("/children/{}", child.id),
    ];
    let mut before = Vec::new();
    for p in &pages {
        before.push(statements(db, &mut c, p).await);
    }
    let tool = db.store.screening().current().await.unwrap();
    for _ in 0..40 {
        let form = ConcernForm {
            child: Some(ChildRef::Existing(child.id)),
            concern: ConcernInput {
                source: Some(ReferralSource::ProfessionalConcern),
                reported_by: None,
                what_seen: "Seen again with the same adult".into(),
                seen_on: Some(db.store.today()),
                seen_where: "Outside the school".into(),
                seen_by: "Form tutor".into(),
                referral_text: "For screening".into(),
            },
            answers: tool.indicators().map(|i| (i.key.clone(), true)).collect(),
        };
        db.store.referrals(&practitioner).raise(&form).await.unwrap();
    }
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(statements(db, &mut c, p).await, before[i], "{p} issues the same number of statements with forty more events");
    }
    assert!(c.get(&pages[0]).await.has("Seen again") || c.get(&pages[0]).await.has("Professional concern"));
}
on_both_engines!(chronology, a_chronology_does_not_grow_its_query_count, demo = crate::common::password_hash());
