//! The retention page, on SQLite and PostgreSQL and a fixed clock: only the information
//! governance officer may use it; nothing is due today; decades on, the due list shows
//! every child, a held one kept, and a confirmed destruction removes the child's record
//! and leaves a tombstone.

mod common;

use assure_domain::Clock;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::{demo_app, Client};

async fn the_ig_officer_confirms_what_is_due(db: &TestDb) {
    let clock = Clock::fixed(Utc::now());
    let db = &db.with_clock(clock.clone());
    let app = demo_app(db).await;
    let mut admin = Client::new(app.clone());
    admin.sign_in("administrator@example.org").await;
    assert_eq!(admin.get("/retention").await.status, StatusCode::FORBIDDEN);

    let mut ig = Client::new(app.clone());
    ig.sign_in("ig-officer@example.org").await;
    let page = ig.get("/retention").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("25th birthday") && page.has("data-testid=\"nothing-due\""), "{}", page.body);

    let mash = assure_storage::testing::reader(&db.store, "mash-worker@example.org").await;
    let children = db.store.children(&mash).search(&Default::default(), 1000, 0).await.unwrap().0;
    let (held, gone) = (children[0].id, children[1].id);
    let t = page.csrf();
    let r = ig.post_form("/legal-holds", &[("_csrf", &t), ("child", &held.to_string()), ("reason", "Claim")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Not due yet: refused, nothing destroyed.
    let r = ig.post_form(&format!("/retention/{gone}/destroy"), &[("_csrf", &t)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("not due for destruction"), "{}", r.body);

    clock.advance(Duration::days(365 * 50));
    // (The session ended with the years: sign in again.)
    let mut ig = Client::new(app.clone());
    ig.sign_in("ig-officer@example.org").await;
    let page = ig.get("/retention").await;
    let t = page.csrf();
    assert!(page.has(&format!("Destroy child {gone}")) && !page.has(&format!("Destroy child {held}")), "{}", page.body);
    assert!(page.has("Under a legal hold: kept"));
    let r = ig.post_form(&format!("/retention/{held}/destroy"), &[("_csrf", &t)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("under a legal hold"), "{}", r.body);
    let r = ig.post_form(&format!("/retention/{gone}/destroy"), &[("_csrf", &t)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(assure_storage::testing::child_as_stored(&db.store, gone).await.is_none());
    assert!(assure_storage::testing::child_as_stored(&db.store, held).await.is_some());
    assert!(!ig.get("/retention").await.has(&format!("Destroy child {gone}")));
    let mut m = Client::new(app.clone());
    m.sign_in("mash-worker@example.org").await;
    assert_eq!(m.get(&format!("/children/{gone}")).await.status, StatusCode::NOT_FOUND);
    assert!(db.store.audit().verify().await.unwrap().is_ok());
}
on_both_engines!(retention, the_ig_officer_confirms_what_is_due, demo = crate::common::password_hash());
