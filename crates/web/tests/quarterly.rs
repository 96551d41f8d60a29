//! The quarterly reports over HTTP, on SQLite and PostgreSQL: the demo's signed MACSE
//! and Cabinet reports; the analyst starts a MACSE report for the last quarter once its
//! months are closed (a quarter not closed, or no kind chosen, is a clear 422 and saves
//! nothing); writes the narrative; the partnership manager's signature is refused with
//! a clear 403; the two co-chairs sign and the report is frozen with a fingerprint; a
//! committee member reads only signed reports, with small numbers suppressed; the DOCX
//! downloads (and opens in LibreOffice when it is installed).

mod common;

use assure_domain::quarterly::Quarter;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use axum::http::StatusCode;
use common::{demo_app, Client};

async fn signed_in(app: &axum::Router, email: &str) -> Client {
    let mut c = Client::new(app.clone());
    c.sign_in(email).await;
    c
}

async fn the_quarterly_reports(db: &TestDb) {
    let app = demo_app(db).await;
    let last = Quarter::of(common::today()).previous();
    let demo = last.previous();

    let mut analyst = signed_in(&app, "cse-analyst@example.org").await;
    let list = analyst.get("/quarterly-reports").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.has(&demo.label()) && list.has("Signed by both co-chairs") && list.has("Start the report"), "{}", list.body);

    // Two referrals in the last quarter's first month: a small number.
    let day = last.months()[0].first_day() + chrono::Duration::days(2);
    for n in 0..2 {
        testing::exec(
            &db.store,
            &format!(
                "INSERT INTO referrals (child_id, agency_id, source, what_seen, seen_on, seen_where, seen_by, referral_text, tool_version, answers_json, risk_level, status, submitted_at) \
                 VALUES ((SELECT MIN(id) FROM children), (SELECT MIN(id) FROM agencies), 'professional-concern', '', '{day}', '', '', '', 1, '[]', 'medium', 'submitted', '{day}T1{n}:00:00.000000Z')"
            ),
        )
        .await;
    }

    let t = analyst.csrf().await;
    let r = analyst.post_form("/quarterly-reports", &[("_csrf", &t)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select which report to start") && r.has("Choose the quarter"), "{}", r.body);
    let q = last.to_string();
    let closed_before = db.store.datasets().closed(last.months()[2]).await.unwrap().is_some();
    if !closed_before {
        let r = analyst.post_form("/quarterly-reports", &[("_csrf", &t), ("kind", "macse"), ("quarter", &q)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.has("not closed yet"), "{}", r.body);
    }
    assert_eq!(db.store.quarterly().list(false).await.unwrap().len(), 2, "nothing saved");
    for m in last.months() {
        if db.store.datasets().closed(m).await.unwrap().is_none() {
            let r = analyst.post_form(&format!("/datasets/{m}/close"), &[("_csrf", &t)]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
    }
    let r = analyst.post_form("/quarterly-reports", &[("_csrf", &t), ("kind", "macse"), ("quarter", &q)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location().split('?').next().unwrap().to_string();
    let p = analyst.get(&page).await;
    assert!(p.has("Write the report") && p.has("Summary of the quarter") && p.has("Shown in full"), "{}", p.body);
    let version = |body: &str| body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let v = version(&p.body);
    let r = analyst
        .post_form(
            &format!("{page}/narrative"),
            &[
                ("_csrf", &t),
                ("version", &v),
                ("summary", "Referrals were few this quarter."),
                ("meeting_date-day", "40"),
                ("meeting_date-month", "1"),
                ("meeting_date-year", "2027"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("must be a real date"), "{}", r.body);
    let r = analyst.post_form(&format!("{page}/narrative"), &[("_csrf", &t), ("version", &v), ("summary", "Referrals were few this quarter.")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // A committee member never sees a draft.
    let mut member = signed_in(&app, "committee-member@example.org").await;
    assert_eq!(member.get(&page).await.status, StatusCode::NOT_FOUND);
    assert!(!member.get("/quarterly-reports").await.has(&last.label()));

    // Not a co-chair: a clear 403, nothing changed.
    let mut manager = signed_in(&app, "partnership-manager@example.org").await;
    let p = manager.get(&page).await;
    assert!(!p.has("Sign as MACSE co-chair"));
    let mt = manager.csrf().await;
    let v = version(&p.body);
    let r = manager.post_form(&format!("{page}/sign"), &[("_csrf", &mt), ("version", &v)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.has("Only the MACSE co-chairs sign"), "{}", r.body);
    assert!(analyst.get(&page).await.has("awaiting both co-chairs"));

    // Both co-chairs sign: frozen.
    for chair in ["macse-co-chair@example.org", "macse-co-chair-2@example.org"] {
        let mut c = signed_in(&app, chair).await;
        let p = c.get(&page).await;
        assert!(p.has("Sign as MACSE co-chair"), "{chair}: {}", p.body);
        let ct = c.csrf().await;
        let r = c.post_form(&format!("{page}/sign"), &[("_csrf", &ct), ("version", &version(&p.body))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{chair}: {}", r.body);
    }
    let p = analyst.get(&page).await;
    assert!(p.has("Signed by both co-chairs") && p.has("Fingerprint") && !p.has("Write the report"), "{}", p.body);

    // The committee member reads it, small numbers suppressed; the analyst in full.
    let m = member.get(&page).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.has("fewer than 5") && m.has("Referrals were few this quarter."), "{}", m.body);
    assert!(p.has("CSE referrals"));
    let docx = member.get(&format!("{page}/download/docx")).await;
    assert_eq!(docx.status, StatusCode::OK);
    assert!(docx.body.starts_with("PK"));
    assert_eq!(member.get(&format!("{page}/download/html")).await.status, StatusCode::NOT_FOUND);

    // Practitioners see none of it.
    let mut teacher = signed_in(&app, "practitioner@example.org").await;
    assert_eq!(teacher.get("/quarterly-reports").await.status, StatusCode::FORBIDDEN);
}
on_both_engines!(quarterly_reports, the_quarterly_reports, demo = crate::common::password_hash());
