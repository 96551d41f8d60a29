//! The CSE dataset's pages over HTTP, on SQLite and PostgreSQL: the analyst views a
//! month in full (audited) and closes it with the form; closing again, or closing the
//! month in progress, is refused with a clear message; a malformed or future month is a
//! clear 400; a committee member sees small numbers suppressed and no close form; a
//! practitioner sees only their own agency's referrals and cannot close; police-only
//! measures only for police roles.

mod common;

use assure_domain::datasets::Month;
use assure_storage::audit::AuditFilter;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use axum::http::StatusCode;
use common::{demo_app, Client};

async fn the_dataset_pages(db: &TestDb) {
    let app = demo_app(db).await;
    let last = Month::of(common::today()).previous();
    let current = Month::of(common::today());
    let page = format!("/datasets/{last}");

    let mut analyst = Client::new(app.clone());
    analyst.sign_in("cse-analyst@example.org").await;
    let list = analyst.get("/datasets").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.has(&last.label()) && list.has("In progress"), "{}", list.body);

    for (bad, says) in [("/datasets/2026-13", "is not a month"), ("/datasets/march", "is not a month"), ("/datasets/2099-01", "has not begun")] {
        let r = analyst.get(bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.has(says), "{bad}: {}", r.body);
    }

    let before =
        db.store.audit().list(&AuditFilter { action: Some("dataset.unsuppressed".into()), ..Default::default() }, 50, 0).await.unwrap().0.len();
    let month = analyst.get(&page).await;
    assert_eq!(month.status, StatusCode::OK);
    assert!(month.has("CSE referrals") && month.has("Trend over 12 months") && month.has("<svg"), "{}", month.body);
    assert!(month.has(&format!("Close {}", last.label())));
    assert!(!month.has("Police operations"), "police-only measures stay with police roles");
    let after =
        db.store.audit().list(&AuditFilter { action: Some("dataset.unsuppressed".into()), ..Default::default() }, 50, 0).await.unwrap().0.len();
    assert_eq!(after, before + 1, "viewing unsuppressed figures is audited");
    // The trend over 24 months: a point and a table row for each month.
    let long = analyst.get(&format!("{page}?measure=referrals&months=24")).await;
    assert!(long.has("Trend over 24 months") && long.has(&format!("24 months to {}", last.label())), "{}", long.body);
    let first = (0..23).fold(last, |m, _| m.previous());
    assert!(
        long.has(&first.first_day().format("%B %Y").to_string()) || long.has(&first.label()),
        "the table reaches back 24 months to {}",
        first.label()
    );

    let csrf = analyst.csrf().await;
    let r = analyst.post_form(&format!("{page}/close"), &[("_csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let closed = analyst.get(r.location()).await;
    assert!(closed.has("Month closed") && closed.has("Fingerprint") && !closed.has(&format!("Close {}", last.label())), "{}", closed.body);
    let again = analyst.post_form(&format!("{page}/close"), &[("_csrf", &csrf)]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.has("never closed again"), "{}", again.body);
    let early = analyst.post_form(&format!("/datasets/{current}/close"), &[("_csrf", &csrf)]).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(early.has("has not ended yet"), "{}", early.body);
    assert!(db.store.datasets().closed(current).await.unwrap().is_none());
    let no_token = analyst.post_form(&format!("{page}/close"), &[]).await;
    assert!(no_token.status.is_client_error());

    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    let m = member.get(&page).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.has("are shown as") && m.has("CSE referrals") && !m.has("Close ") && !m.has("Police operations"), "{}", m.body);
    let csrf = member.csrf().await;
    assert_eq!(member.post_form(&format!("{page}/close"), &[("_csrf", &csrf)]).await.status, StatusCode::FORBIDDEN);

    let mut practitioner = Client::new(app.clone());
    practitioner.sign_in("practitioner@example.org").await;
    let p = practitioner.get(&page).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.has("Referrals to the MASH from") && !p.has("Children open to MACSE"), "{}", p.body);

    let mut police = Client::new(app.clone());
    police.sign_in("police-cse-officer@example.org").await;
    assert!(police.get(&page).await.has("Police operations"));
}
on_both_engines!(dataset_pages, the_dataset_pages);
