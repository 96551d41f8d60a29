//! Case-file audits from their pages, on SQLite and PostgreSQL (issue 16): the analyst
//! opens a round over the demo's year (bad input answered field by field, nothing
//! opened), the page shows the recorded seed and the sample; a case assigned to a
//! practitioner of an agency involved with no child opens that child's record for them,
//! and only that one; they grade it with the audit tool (every question needed); an
//! action agreed becomes a recommendation in the tracker; closing the round ends the
//! auditor's access and freezes the grades. Anyone else sees no round.

mod common;

use assure_domain::case_audit::Grade;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use axum::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate};
use common::{demo_app, Client};

fn date_parts(name: &str, d: NaiveDate) -> Vec<(String, String)> {
    vec![
        (format!("{name}-day"), d.day().to_string()),
        (format!("{name}-month"), d.month().to_string()),
        (format!("{name}-year"), d.year().to_string()),
    ]
}

async fn post(c: &mut Client, path: &str, csrf: &str, fields: &[(String, String)]) -> common::Resp {
    let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf)];
    all.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    c.post_form(path, &all).await
}

async fn an_audit_round_runs_from_its_pages(db: &TestDb) {
    let app = demo_app(db).await;
    let today = db.store.today();
    let audits = db.store.case_audits();
    // (The demo has its own rounds.)
    let rounds_before = audits.rounds().await.unwrap().len();
    let mut analyst = Client::new(app.clone());
    analyst.sign_in("cse-analyst@example.org").await;
    let page = analyst.get("/case-audits").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Open an audit round"));
    let csrf = page.csrf();

    // Bad input: every problem at once, and nothing opened.
    let r = post(&mut analyst, "/case-audits", &csrf, &[("kind".into(), "six-monthly".into()), ("per_stratum".into(), "five".into())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for m in
        ["Enter a title for the audit round", "as a whole number", "Enter the first day of the period to sample", "Enter the day the audit starts"]
    {
        assert!(r.has(m), "{m}: {}", r.body);
    }
    let r = post(
        &mut analyst,
        "/case-audits",
        &csrf,
        &[("kind".into(), "triggered".into()), ("title".into(), "Triggered".into()), ("threshold".into(), "lots".into())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Choose the measure whose figure crossed its threshold") && r.has("Enter the threshold as a number"));
    assert_eq!(audits.rounds().await.unwrap().len(), rounds_before, "nothing opened");

    // A round over the demo's year, starting today.
    let mut fields = vec![
        ("kind".to_string(), "six-monthly".to_string()),
        ("title".into(), "Case-file audit, winter".into()),
        ("per_stratum".into(), "2".into()),
        ("seed".into(), "4242".into()),
    ];
    fields.extend(date_parts("period_from", today - Duration::days(365)));
    fields.extend(date_parts("period_to", today - Duration::days(1)));
    fields.extend(date_parts("starts_on", today));
    fields.extend(date_parts("ends_on", today + Duration::days(10)));
    let r = post(&mut analyst, "/case-audits", &csrf, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let round = audits.rounds().await.unwrap().remove(0);
    assert!(r.location().starts_with(&format!("/case-audits/{}", round.id)));
    let page = analyst.get(r.location()).await;
    assert!(page.has("Audit round opened") && page.has(&format!("data-testid=\"audit-seed\">{}<", round.seed)), "{}", page.body);
    let cases = audits.cases(round.id).await.unwrap();
    assert!(!cases.is_empty());
    assert_eq!(cases, audits.cases(round.id).await.unwrap());
    let redrawn: Vec<i64> = audits.redraw(&round).await.unwrap().into_iter().map(|(_, c)| c).collect();
    assert_eq!(redrawn, cases.iter().map(|c| c.child_id).collect::<Vec<_>>(), "the seed on the page draws the same children");
    let child = cases[0].child_id;

    // Before assignment the auditor (whose school is involved with no child) sees nothing.
    let mut auditor = Client::new(app.clone());
    auditor.sign_in("practitioner-2@example.org").await;
    assert_ne!(auditor.get(&format!("/children/{child}")).await.status, StatusCode::OK);
    assert_eq!(auditor.get(&format!("/case-audits/{}", round.id)).await.status, StatusCode::NOT_FOUND);
    let user = db.store.users().by_email("practitioner-2@example.org").await.unwrap().unwrap().0.id;
    let csrf = page.csrf();
    let r = post(&mut analyst, &format!("/case-audits/{}/assign", round.id), &csrf, &[("child".into(), child.to_string())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Choose the auditor"));
    let r = post(
        &mut analyst,
        &format!("/case-audits/{}/assign", round.id),
        &csrf,
        &[("child".into(), child.to_string()), ("auditor".into(), user.to_string())],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // The auditor: the round lists their case only, and the child's record opens.
    let list = auditor.get("/case-audits").await;
    assert!(list.has("Case-file audit, winter") && !list.has("Open an audit round"));
    let mine = auditor.get(&format!("/case-audits/{}", round.id)).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.has("Grade this case") && mine.has(&format!("Record {child}")));
    for other in cases.iter().skip(1) {
        assert!(!mine.has(&format!("Record {}<", other.child_id)), "only their case");
    }
    assert_eq!(auditor.get(&format!("/children/{child}")).await.status, StatusCode::OK, "the assigned child's record opens");
    if let Some(other) = cases.iter().find(|c| c.child_id != child) {
        assert_ne!(auditor.get(&format!("/children/{}", other.child_id)).await.status, StatusCode::OK, "no other sampled child");
    }
    let mut spoc = Client::new(app.clone());
    spoc.sign_in("spoc@example.org").await;
    assert_eq!(spoc.get(&format!("/case-audits/{}", round.id)).await.status, StatusCode::NOT_FOUND, "no round for anyone else");
    assert_eq!(spoc.get(&format!("/case-audits/{}/cases/{child}", round.id)).await.status, StatusCode::NOT_FOUND);

    // Grading: every question needs a grade; then saved.
    let tool = auditor.get(&format!("/case-audits/{}/cases/{child}", round.id)).await;
    assert_eq!(tool.status, StatusCode::OK);
    let csrf_a = tool.csrf();
    let version = audits.cases(round.id).await.unwrap()[0].version.to_string();
    let r = post(
        &mut auditor,
        &format!("/case-audits/{}/cases/{child}", round.id),
        &csrf_a,
        &[("version".into(), version.clone()), ("grade".into(), "good".into())],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Grade question 1"));
    let mut answers: Vec<(String, String)> = (1..=round.questions.len()).map(|i| (format!("q{i}"), "good".to_string())).collect();
    answers.push(("version".into(), version));
    answers.push(("grade".into(), "requires-improvement".into()));
    answers.push(("findings".into(), "Screening late; the plan's actions had no owners.".into()));
    let r = post(&mut auditor, &format!("/case-audits/{}/cases/{child}", round.id), &csrf_a, &answers).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let graded = audits.cases(round.id).await.unwrap().into_iter().find(|c| c.child_id == child).unwrap();
    assert_eq!(graded.grade, Some(Grade::RequiresImprovement));
    assert_eq!(graded.answers.len(), round.questions.len());
    assert!(analyst.get(&format!("/case-audits/{}", round.id)).await.has("Requires improvement: 1"));

    // An action agreed becomes a recommendation in the tracker.
    let r = post(
        &mut analyst,
        &format!("/case-audits/{}/actions", round.id),
        &csrf,
        &[("wording".into(), "Every plan action names an owner and a date".into()), ("who_must_act".into(), "MACSE co-chairs".into())],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let recs = db.store.tracker().review_recommendations(round.review_id.unwrap()).await.unwrap();
    assert!(recs.iter().any(|r| r.committee_wording == "Every plan action names an owner and a date" && r.origin == "case-file audit"));
    assert!(analyst.get(&format!("/case-audits/{}", round.id)).await.has("Every plan action names an owner and a date"));

    // Closing ends the auditor's access and freezes the grades; a stale version is refused.
    let version = audits.round(round.id).await.unwrap().version;
    let stale = post(&mut analyst, &format!("/case-audits/{}/close", round.id), &csrf, &[("version".into(), (version - 1).to_string())]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let r = post(&mut analyst, &format!("/case-audits/{}/close", round.id), &csrf, &[("version".into(), version.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(!audits.round(round.id).await.unwrap().open);
    assert_ne!(auditor.get(&format!("/children/{child}")).await.status, StatusCode::OK, "access ends with the round");
    let version = audits.cases(round.id).await.unwrap().into_iter().find(|c| c.child_id == child).unwrap().version.to_string();
    let mut again = answers.clone();
    again.retain(|(k, _)| k != "version");
    again.push(("version".into(), version));
    let r = post(&mut auditor, &format!("/case-audits/{}/cases/{child}", round.id), &csrf_a, &again).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The round is closed"));

    // Opening a round needs the dataset's permission.
    let csrf_s = spoc.get("/").await.csrf();
    assert_eq!(post(&mut spoc, "/case-audits", &csrf_s, &fields).await.status, StatusCode::FORBIDDEN);
    assert!(db.store.audit().verify().await.unwrap().is_ok());
}
on_both_engines!(pages, an_audit_round_runs_from_its_pages, demo = crate::common::password_hash());
