//! Odd text and dates from outside (issue 12), on SQLite and PostgreSQL: a NUL or other
//! control character in a form, a JSON body, a query, a multipart form or an imported
//! cell is refused with 422 and a message (never a 500 on PostgreSQL, never stored on
//! SQLite); a search too long or with too many words is refused with 422 (not SQLite's
//! "LIKE or GLOB pattern too complex" 500); a date outside 1900-2100 is refused.

mod common;

use assure_storage::audit::Actor;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_web::auth::sha256_hex;
use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use common::{demo_app, Client};
use tower::ServiceExt;

async fn reviews(db: &TestDb) -> usize {
    db.store.tracker().reviews().await.unwrap().len()
}

async fn api(app: &Router, method: &str, path: &str, body: Option<serde_json::Value>) -> (StatusCode, serde_json::Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", "Bearer odd-input-token")
        .header("content-type", "application/json")
        .body(body.map(|b| Body::from(b.to_string())).unwrap_or_default())
        .unwrap();
    let r = app.clone().oneshot(req).await.unwrap();
    let status = r.status();
    let bytes = to_bytes(r.into_body(), 1 << 24).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
}

async fn with_token(db: &TestDb) -> Router {
    let app = demo_app(db).await;
    let (user, _) = db.store.users().by_email("scrutiny-officer@example.org").await.unwrap().unwrap();
    db.store.users().create_token(&Actor::system(), user.id, "odd", &sha256_hex("odd-input-token")).await.unwrap();
    app
}

async fn control_characters_are_refused_everywhere_text_enters(db: &TestDb) {
    let app = with_token(db).await;
    let mut c = Client::new(app.clone());
    c.sign_in("scrutiny-officer@example.org").await;
    let t = c.csrf().await;
    let before = reviews(db).await;

    // A form.
    for odd in ["Before\0after", "Escape \u{1b}[31m red", "Bell\u{7}"] {
        let r = c.post_form("/reviews", &[("_csrf", &t), ("kind", "other"), ("title", odd)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{odd:?}: {}", r.body);
        assert!(r.has("The field “title” contains a control character"), "{}", r.body);
    }
    // Tab and line ends are text.
    let r = c.post_form("/reviews", &[("_csrf", &t), ("kind", "other"), ("title", "Tabbed\ttitle"), ("terms_of_reference", "One\r\nTwo")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(reviews(db).await, before + 1);

    // The API.
    let (status, body) = api(&app, "POST", "/api/v1/reviews", Some(serde_json::json!({"kind": "other", "title": "Nul\u{0}here"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"], "invalid");
    assert_eq!(body["fields"][0]["field"], "title", "{body}");
    assert!(body["message"].as_str().unwrap().contains("control character (code 0)"), "{body}");

    // A query string.
    let r = c.get("/recommendations?q=a%00b").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = api(&app, "GET", "/api/v1/recommendations?q=a%00b", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A multipart form (a progress update with evidence).
    let rec = common::scrutiny_recommendation(&db.store).await.id;
    let updates = db.store.tracker().recommendation_detail(rec).await.unwrap().updates.len();
    let r = c
        .post_multipart(
            &format!("/recommendations/{rec}/updates?_csrf={t}"),
            &[("update_date", "01/02/2024"), ("narrative", "Progress\0made")],
            &[("evidence", "", b"")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("contains a control character"));
    assert_eq!(db.store.tracker().recommendation_detail(rec).await.unwrap().updates.len(), updates);

    // An imported spreadsheet's cell (a NUL makes the file not a spreadsheet at all).
    let csv = "Recommendation,Response\n\"Improve \u{1b} training\",Accepted\n";
    let r = c.post_multipart(&format!("/imports?_csrf={t}"), &[], &[("file", "tracker.csv", csv.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("control characters that cannot be stored, at row 2, column A (code 27)"), "{}", r.body);
    let csv = "Recommendation,Response\n\"Improve \0 training\",Accepted\n";
    let r = c.post_multipart(&format!("/imports?_csrf={t}"), &[], &[("file", "tracker.csv", csv.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // Nothing was stored with one.
    assert_eq!(reviews(db).await, before + 1);
}
on_both_engines!(control_characters, control_characters_are_refused_everywhere_text_enters);

async fn searches_are_bounded(db: &TestDb) {
    let app = with_token(db).await;
    let mut c = Client::new(app.clone());
    c.sign_in("scrutiny-officer@example.org").await;
    let long = "x".repeat(60_000);
    let r = c.get(&format!("/recommendations?q={long}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The search must be 200 characters or fewer"), "{}", &r.body[..r.body.len().min(3000)]);
    let r = c.get(&format!("/recommendations?q={}", "word+".repeat(20))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("12 words or fewer"));
    let (status, body) = api(&app, "GET", &format!("/api/v1/recommendations?q={long}"), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "q");
    // The dashboard and the audit log's filters are searches too.
    let r = c.get(&format!("/?q={long}")).await;
    assert!(r.status.is_client_error() || r.status.is_success(), "{}", r.status);
    let mut admin = Client::new(app.clone());
    admin.sign_in("administrator@example.org").await;
    let r = admin.get(&format!("/admin/audit?actor={long}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // An ordinary search still works.
    assert_eq!(c.get("/recommendations?q=training").await.status, StatusCode::OK);
    // The full-text index's query syntax is never reached: quotes, operators and stray
    // punctuation are searched for (or find nothing), never a server error.
    for q in [
        "%22",
        "%22unterminated",
        "it%27s",
        "NEAR(a+b)",
        "a+AND+OR+NOT",
        "*",
        "col%3Avalue",
        "a+%26+b+%7C+!c+%3C-%3E+d",
        "(((",
        "%25_%25",
        "SC%2F2016%2F3",
        "-",
    ] {
        let r = c.get(&format!("/recommendations?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "searching {q}");
        let (status, body) = api(&app, "GET", &format!("/api/v1/recommendations?q={q}"), None).await;
        assert_eq!(status, StatusCode::OK, "API search {q}: {body}");
        assert!(c.get(&format!("/?q={q}")).await.status.is_success(), "dashboard {q}");
    }
}
on_both_engines!(searches, searches_are_bounded);

async fn implausible_dates_are_refused(db: &TestDb) {
    let app = with_token(db).await;
    let mut c = Client::new(app.clone());
    c.sign_in("scrutiny-officer@example.org").await;
    let t = c.csrf().await;
    let before = reviews(db).await;
    for date in ["01/01/0000", "1000-06-01", "31/12/9999", "6522-01-01"] {
        let r = c.post_form("/reviews", &[("_csrf", &t), ("kind", "other"), ("title", "Dated"), ("start_date", date)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        assert!(r.has("must be between the years 1900 and 2100"), "{date}: {}", r.body);
    }
    let (status, body) =
        api(&app, "POST", "/api/v1/reviews", Some(serde_json::json!({"kind": "other", "title": "Dated", "start_date": "9999-01-01"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "start_date");
    assert_eq!(reviews(db).await, before);
    // The years either side are dates.
    let r = c
        .post_form("/reviews", &[("_csrf", &t), ("kind", "other"), ("title", "Dated"), ("start_date", "01/01/1900"), ("end_date", "31/12/2100")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}
on_both_engines!(dates, implausible_dates_are_refused);
