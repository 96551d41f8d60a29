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
on_both_engines!(dataset_pages, the_dataset_pages, demo = crate::common::password_hash());

/// The analyst adds a measure from the building blocks and changes it; one that cannot
/// be counted, a short name already used, and an edit from a stale version are refused
/// and save nothing; the threshold is set; a committee member can do none of it.
async fn measures_are_added_and_changed_from_the_form(db: &TestDb) {
    let app = demo_app(db).await;
    let sets = db.store.datasets();
    let before = sets.measures().await.unwrap().len();
    let mut analyst = Client::new(app.clone());
    analyst.sign_in("cse-analyst@example.org").await;
    let list = analyst.get("/datasets/measures").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.has("CSE referrals") && list.has("Add a measure") && !list.has("Police operations"), "{}", list.body);
    let csrf = analyst.csrf().await;

    // Cannot be counted: missing episodes carry no time, nor an agency.
    let bad = analyst
        .post_form(
            "/datasets/measures/new",
            &[
                ("_csrf", &csrf),
                ("slug", "episodes-by-agency"),
                ("name", "Episodes by agency"),
                ("shows", "Missing episodes by agency"),
                ("source", "missing-episodes"),
                ("counting", "median-hours"),
                ("period", "by-start-date"),
                ("breakdowns", "agency"),
                ("direction", "neither"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("There is a problem") && bad.has("cannot be broken down by referring agency") && bad.has("no time"), "{}", bad.body);
    assert!(bad.has("value=\"episodes-by-agency\""), "what was typed is kept");
    assert_eq!(sets.measures().await.unwrap().len(), before, "nothing saved");

    let police = analyst
        .post_form(
            "/datasets/measures/new",
            &[
                ("_csrf", &csrf),
                ("slug", "ops"),
                ("name", "Ops"),
                ("shows", "x"),
                ("source", "operations"),
                ("counting", "count"),
                ("period", "by-start-date"),
                ("direction", "neither"),
            ],
        )
        .await;
    assert_eq!(police.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(police.has("Only police roles"), "{}", police.body);

    let good = [
        ("_csrf", csrf.as_str()),
        ("slug", "placements-cse-risk"),
        ("name", "Placements with a CSE risk"),
        ("shows", "Placements started in the month whose notification declared a CSE risk."),
        ("source", "placements"),
        ("counting", "proportion"),
        ("period", "by-start-date"),
        ("numerator", "cse-risk"),
        ("breakdowns", "placing-authority"),
        ("breakdowns", "age-band"),
        ("direction", "neither"),
    ];
    let r = analyst.post_form("/datasets/measures/new", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = analyst.get(r.location()).await;
    assert!(list.has("Measure added") && list.has("Placements with a CSE risk") && list.has("Placing authority, Age band"), "{}", list.body);
    let again = analyst.post_form("/datasets/measures/new", &good).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.has("already a measure"), "{}", again.body);

    // The month in progress counts it.
    let month = analyst.get(&format!("/datasets/{}", Month::of(common::today()))).await;
    assert!(month.has("Placements with a CSE risk"), "{}", month.body);

    // Change it: a new version; the same form sent again is stale.
    let edit = analyst.get("/datasets/measures/placements-cse-risk").await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.has("version 1") && edit.has("name=\"version\" value=\"1\""), "{}", edit.body);
    let mut changed: Vec<(&str, &str)> = good.iter().filter(|(k, _)| *k != "slug").copied().collect();
    changed.retain(|(k, _)| *k != "name");
    changed.push(("name", "Placements declaring a CSE risk"));
    changed.push(("version", "1"));
    let r = analyst.post_form("/datasets/measures/placements-cse-risk", &changed).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(sets.measure("placements-cse-risk").await.unwrap().version, 2);
    let stale = analyst.post_form("/datasets/measures/placements-cse-risk", &changed).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert_eq!(sets.measure("placements-cse-risk").await.unwrap().version, 2, "nothing saved");
    assert_eq!(analyst.get("/datasets/measures/no-such-measure").await.status, StatusCode::NOT_FOUND);
    assert_eq!(analyst.get("/datasets/measures/operations").await.status, StatusCode::NOT_FOUND, "police-only measures stay with police");

    // The threshold.
    let r = analyst.post_form("/datasets/threshold", &[("_csrf", &csrf), ("threshold", "one")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("whole number from 2 to 50") && r.has("value=\"one\""), "{}", r.body);
    assert_eq!(analyst.post_form("/datasets/threshold", &[("_csrf", &csrf), ("threshold", "1")]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(sets.threshold().await.unwrap(), 5);
    let r = analyst.post_form("/datasets/threshold", &[("_csrf", &csrf), ("threshold", "10")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(sets.threshold().await.unwrap(), 10);
    let audit = db.store.audit().list(&AuditFilter { action: Some("dataset.threshold".into()), ..Default::default() }, 5, 0).await.unwrap().0;
    assert_eq!(audit.len(), 1);

    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    assert_eq!(member.get("/datasets/measures").await.status, StatusCode::FORBIDDEN);
    let csrf = member.csrf().await;
    assert_eq!(member.post_form("/datasets/threshold", &[("_csrf", &csrf), ("threshold", "2")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(sets.threshold().await.unwrap(), 10);
}
on_both_engines!(measures_from_the_form, measures_are_added_and_changed_from_the_form, demo = crate::common::password_hash());
