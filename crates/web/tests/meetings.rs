//! Committee meetings over HTTP, on both engines: the clerk arranges meetings (one in
//! the past refused, nothing saved), drafts a minute (a cross-reference to a minute
//! that does not exist refused), records a resolution that requests a report for the
//! next meeting — which shows as due on that meeting's page and the work programme — and
//! a stale edit is refused with 409. A committee member sees no draft and changes
//! nothing. The calendar feeds parse as iCalendar.

mod common;

use assure_storage::on_both_engines;
use assure_storage::testing::{count_rows, TestDb};
use axum::http::StatusCode;
use common::{demo_app, Client};

async fn the_clerk_runs_a_meeting(db: &TestDb) {
    let app = demo_app(db).await;
    let mut c = Client::new(app.clone());
    c.sign_in("clerk@example.org").await;
    let body = db.store.tracker().bodies().await.unwrap()[0].clone();
    let b = body.id.to_string();
    let page = c.get("/meetings/new").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let day = |days: i64| common::today() + chrono::Duration::days(days);
    let parts = |d: chrono::NaiveDate| (d.format("%-d").to_string(), d.format("%-m").to_string(), d.format("%Y").to_string());
    let before = count_rows(&db.store, "meetings").await;

    // A meeting in the past: refused with a message, nothing saved.
    let (dd, mm, yy) = parts(day(-1));
    let r = c
        .post_form(
            "/meetings/new",
            &[
                ("_csrf", &csrf),
                ("body", &b),
                ("date-day", &dd),
                ("date-month", &mm),
                ("date-year", &yy),
                ("time", "18:30"),
                ("venue", "Town Hall"),
                ("kind", "ordinary"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The date of the meeting must be today or later"), "{}", r.body);
    assert_eq!(count_rows(&db.store, "meetings").await, before);

    let mut ids = Vec::new();
    for days in [14, 70] {
        let (dd, mm, yy) = parts(day(days));
        let r = c
            .post_form(
                "/meetings/new",
                &[
                    ("_csrf", &csrf),
                    ("body", &b),
                    ("date-day", &dd),
                    ("date-month", &mm),
                    ("date-year", &yy),
                    ("time", "18:30"),
                    ("venue", "Town Hall, Bootle"),
                    ("kind", "ordinary"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        ids.push(r.location().trim_start_matches("/meetings/").split('?').next().unwrap().parse::<i64>().unwrap());
    }
    let (first, next) = (ids[0], ids[1]);

    // A minute referring to one that does not exist: refused.
    let minutes_before = count_rows(&db.store, "minutes").await;
    let r = c
        .post_form(
            &format!("/meetings/{first}/minutes"),
            &[
                ("_csrf", &csrf),
                ("title", "Work programme"),
                ("text", "x"),
                ("refers_number", "9"),
                ("refers_date-day", "12"),
                ("refers_date-month", "7"),
                ("refers_date-year", "2016"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There is no Minute No. 9 of 12 July 2016"), "{}", r.body);
    assert_eq!(count_rows(&db.store, "minutes").await, minutes_before);
    let r = c
        .post_form(
            &format!("/meetings/{first}/minutes"),
            &[("_csrf", &csrf), ("title", "Work programme"), ("text", "The Committee considered its work programme.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The resolution requests a report for the next meeting.
    let r = c
        .post_form(
            &format!("/meetings/{first}/minutes/1/resolution"),
            &[
                ("_csrf", &csrf),
                ("kind", "requested-report"),
                ("text", "a progress report be submitted to the next meeting"),
                ("report_from", "Head of Schools and Families"),
                ("due_meeting", &next.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&format!("/meetings/{next}")).await;
    assert!(page.has("Reports requested for this meeting") && page.has("Head of Schools and Families"), "{}", page.body);
    let wp = c.get(&format!("/work-programme?body={b}&year={}", assure_domain::meetings::MunicipalYear::of(day(70)).label())).await;
    assert_eq!(wp.status, StatusCode::OK);
    assert!(wp.has("Requested report") && wp.has("Head of Schools and Families"), "{}", wp.body);

    // A stale edit: refused with 409.
    let m = db.store.meetings().meeting(first).await.unwrap();
    let v = m.version.to_string();
    let r = c.post_form(&format!("/meetings/{first}/status"), &[("_csrf", &csrf), ("version", &v), ("status", "agenda-published")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = c.post_form(&format!("/meetings/{first}/status"), &[("_csrf", &csrf), ("version", &v), ("status", "cancelled")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // A member sees the published agenda, not the draft minutes, and changes nothing.
    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    let page = member.get(&format!("/meetings/{first}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.has("The Committee considered its work programme."));
    assert!(page.has("have not been approved yet"));
    let mcsrf = member.csrf().await;
    let r = member.post_form(&format!("/meetings/{first}/minutes"), &[("_csrf", &mcsrf), ("title", "x")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The feeds parse as iCalendar.
    for path in ["/meetings/calendar.ics".to_string(), format!("/meetings/bodies/{b}/calendar.ics"), format!("/meetings/{first}/calendar.ics")] {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.headers[axum::http::header::CONTENT_TYPE].to_str().unwrap().starts_with("text/calendar"));
        let cal: icalendar::Calendar = r.body.parse().unwrap_or_else(|e| panic!("{path}: {e}"));
        let events: Vec<_> = cal.components.iter().filter_map(|c| c.as_event()).collect();
        assert!(!events.is_empty(), "{path}");
        use icalendar::{Component, EventLike};
        let ours: Vec<_> = events.iter().filter(|e| e.get_summary() == Some(body.name.as_str())).collect();
        assert!(!ours.is_empty() && ours.iter().all(|e| e.get_location() == Some("Town Hall, Bootle")), "{path}");
        assert!(events.iter().any(|e| e.get_uid() == Some(&format!("meeting-{first}@assure"))), "{path}");
    }
}
on_both_engines!(the_clerk_runs_a_meeting_on, the_clerk_runs_a_meeting);
