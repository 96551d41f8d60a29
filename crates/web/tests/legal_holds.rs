//! The legal holds page, on SQLite and PostgreSQL: only the information governance
//! officer may use it; bad input reported with nothing saved; a hold placed shows a
//! banner on the child's page (to those who may see the child) until it is lifted.

mod common;

use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use axum::http::StatusCode;
use common::{demo_app, Client};

async fn a_hold_is_placed_shown_and_lifted(db: &TestDb) {
    let app = demo_app(db).await;
    let mash_reader = assure_storage::testing::reader(&db.store, "mash-worker@example.org").await;
    let child = db.store.children(&mash_reader).search(&Default::default(), 1, 0).await.unwrap().0[0].id;
    let child_s = child.to_string();

    for email in ["administrator@example.org", "mash-worker@example.org"] {
        let mut c = Client::new(app.clone());
        c.sign_in(email).await;
        assert_eq!(c.get("/legal-holds").await.status, StatusCode::FORBIDDEN, "{email}");
        let t = c.csrf().await;
        let r = c.post_form("/legal-holds", &[("_csrf", &t), ("child", &child_s), ("reason", "x")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{email}");
    }

    let mut ig = Client::new(app.clone());
    ig.sign_in("ig-officer@example.org").await;
    let page = ig.get("/legal-holds").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("No child&#39;s records are under a legal hold.") || page.has("No child's records are under a legal hold."), "{}", page.body);
    let t = page.csrf();
    let r = ig.post_form("/legal-holds", &[("_csrf", &t), ("child", "twelve"), ("reason", " ")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There is a problem") && r.has("as a whole number") && r.has("Enter the reason"), "{}", r.body);
    let r = ig.post_form("/legal-holds", &[("_csrf", &t), ("child", "999999"), ("reason", "Claim")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("No child has this record number"));
    assert!(
        db.store.legal_holds(&db.store.ig_officer(assure_storage::Actor::system()).await.unwrap().unwrap()).await.unwrap().is_empty(),
        "nothing saved"
    );

    let r = ig.post_form("/legal-holds", &[("_csrf", &t), ("child", &child_s), ("reason", "Claim HQ-2026-17")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = ig.get("/legal-holds").await;
    assert!(page.has("Claim HQ-2026-17") && page.has("Lift the hold"), "{}", page.body);

    let mut mash = Client::new(app.clone());
    mash.sign_in("mash-worker@example.org").await;
    let shown = mash.get(&format!("/children/{child}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.has("data-testid=\"legal-hold\"") && !shown.has("HQ-2026-17"), "the banner, without the reason: {}", shown.body);

    let hold = db.store.legal_holds(&db.store.ig_officer(assure_storage::Actor::system()).await.unwrap().unwrap()).await.unwrap()[0].id;
    let r = ig.post_form(&format!("/legal-holds/{hold}/lift"), &[("_csrf", &t), ("lift_reason", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = ig.post_form(&format!("/legal-holds/{hold}/lift"), &[("_csrf", &t), ("lift_reason", "Claim settled")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!mash.get(&format!("/children/{child}")).await.has("data-testid=\"legal-hold\""));
}
on_both_engines!(legal_holds, a_hold_is_placed_shown_and_lifted, demo = crate::common::password_hash());
