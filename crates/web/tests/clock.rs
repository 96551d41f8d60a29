//! The council's clock over HTTP, on SQLite and PostgreSQL: the application runs on a
//! test clock, and what a person sees follows the London date, not the UTC one. Late on
//! a summer night (23:30 UTC on 30 June is 00:30 on 1 July in London) a missing episode
//! that began at 00:15 can be recorded and is listed under July, and a report due on 30
//! June is no longer the next one; in winter London is UTC and nothing moves.

mod common;

use assure_domain::tracker::ScheduleInput;
use assure_domain::Clock;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_storage::Actor;
use assure_web::auth::sha256_hex;
use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{demo_app, Client};
use serde_json::Value;
use tower::ServiceExt;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// At 00:30 on 1 July in London (23:30 UTC on 30 June) the missing officer records an
/// episode that began at 00:15: it is not in the future, and the missing lists open on
/// July with it; one that begins at 00:45 is still refused as in the future.
async fn a_missing_episode_just_after_london_midnight(db: &TestDb) {
    let clock = Clock::fixed(utc("2026-06-30T23:30:00Z"));
    let db = &db.with_clock(clock.clone());
    let app = demo_app(db).await;
    let mut officer = Client::new(app);
    officer.sign_in("missing-officer@example.org").await;
    let t = officer.get("/missing/new").await.csrf();
    let form = |start: &'static str| {
        vec![
            ("_csrf", t.clone()),
            ("child", "new".into()),
            ("first_name", "Juniper".into()),
            ("last_name", "Midnight".into()),
            ("date_of_birth", "06/05/2011".into()),
            ("missing_from", "home".into()),
            ("police_reference", "MP/0701".into()),
            ("risk_grading", "medium".into()),
            ("start", start.into()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let mut c = Client::new(officer.app.clone());
        c.cookies = officer.cookies.clone();
        async move {
            let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            c.post_form("/missing/new", &fields).await
        }
    };
    let r = post(form("2026-07-01T00:45")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("cannot be in the future"));
    let r = post(form("2026-07-01T00:15")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the London time has passed: {}", r.body);

    let lists = officer.get("/missing").await;
    assert_eq!(lists.status, StatusCode::OK);
    assert!(lists.has("Episodes that started in July 2026"), "the lists open on the London month");
    assert!(lists.has("Juniper"));
}
on_both_engines!(missing_after_london_midnight, a_missing_episode_just_after_london_midnight);

/// The schedule API's next report date moves on at London midnight: a report due on 30
/// June is still next at 23:30 BST on 30 June (22:30 UTC) and gone at 00:30 BST on 1
/// July (23:30 UTC, still 30 June in UTC). On New Year's Eve London is UTC: a report due
/// on 31 December is still next at 23:30 UTC.
async fn the_next_report_date_turns_at_london_midnight(db: &TestDb) {
    let clock = Clock::fixed(utc("2026-06-30T22:30:00Z"));
    let db = &db.with_clock(clock.clone());
    let app = demo_app(db).await;
    let member = "committee-member@example.org";
    let (user, _) = db.store.users().by_email(member).await.unwrap().unwrap();
    db.store.users().create_token(&Actor::system(), user.id, "clock", &sha256_hex("clock-test-token")).await.unwrap();
    let body = db.store.tracker().bodies().await.unwrap()[0].id;
    let review = common::scrutiny_review(&db.store).await;
    let add = |first: NaiveDate| {
        let store = db.store.clone();
        let actor = Actor::system();
        async move {
            let input = ScheduleInput { body_id: Some(body), first_report_date: Some(first), interval_months: Some(3), ..Default::default() };
            store.tracker().add_schedule(&actor, review, &input).await.unwrap()
        }
    };
    let summer = add(d(2026, 6, 30)).await;
    let winter = add(d(2026, 12, 31)).await;
    let next = |id: i64| {
        let app = app.clone();
        async move {
            let req = Request::builder()
                .method(Method::GET)
                .uri("/api/v1/schedule")
                .header(header::AUTHORIZATION, "Bearer clock-test-token")
                .body(Body::empty())
                .unwrap();
            let resp = app.oneshot(req).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            let json: Value = serde_json::from_slice(&to_bytes(resp.into_body(), 1 << 24).await.unwrap()).unwrap();
            let item = json.as_array().unwrap().iter().find(|s| s["id"] == id).cloned().unwrap_or_else(|| panic!("schedule {id} in {json}"));
            item["next_report_date"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(next(summer).await, "2026-06-30", "23:30 on 30 June in London");
    clock.advance(Duration::hours(1));
    assert_eq!(clock.now().date_naive(), d(2026, 6, 30), "still 30 June in UTC");
    assert_eq!(next(summer).await, "2026-09-30", "00:30 on 1 July in London: the June report is past");

    clock.set(utc("2026-12-31T23:30:00Z"));
    assert_eq!(next(winter).await, "2026-12-31", "in winter London is UTC: still New Year's Eve");
    clock.advance(Duration::hours(1));
    assert_eq!(next(winter).await, "2027-03-31");
}
on_both_engines!(next_report_at_london_midnight, the_next_report_date_turns_at_london_midnight);
