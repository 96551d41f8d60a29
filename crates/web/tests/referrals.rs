//! The referral pages over HTTP, on SQLite and PostgreSQL: a school practitioner raises
//! a concern with the screening tool, the MASH decides "no CSE concern", the school's
//! SPOC sees the reasons and acknowledges; bad input, stale edits and a practitioner
//! from an uninvolved school are refused with nothing saved.

mod common;

use assure_domain::partnership::Viewer;
use assure_storage::audit::AuditFilter;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use axum::http::StatusCode;
use common::{demo_app, Client};

async fn viewer(db: &TestDb, email: &str) -> Viewer {
    let (u, _) = db.store.users().by_email(email).await.unwrap().unwrap();
    db.store.partnership().viewer(u.id).await.unwrap().unwrap()
}

/// Referrals waiting on the MASH queue.
async fn queued(db: &TestDb) -> usize {
    let mash = assure_storage::testing::reader(&db.store, "mash-worker@example.org").await;
    db.store.referrals(&mash).mash_queue(db.store.clock().now()).await.unwrap().len()
}

/// The concern form's fields, with every screening question answered unless told otherwise.
async fn concern_fields(db: &TestDb, csrf: &str, answer: bool, yes: &[&str]) -> Vec<(String, String)> {
    let today = assure_domain::dates::numeric(common::today());
    let mut f: Vec<(String, String)> = [
        ("_csrf", csrf),
        ("child", "new"),
        ("first_name", "Zoe"),
        ("last_name", "Quill"),
        ("date_of_birth", "06/05/2005"),
        ("gender", "Female"),
        ("school", "Hillside High School"),
        ("source", "professional-concern"),
        ("what_seen", "Seen getting into a silver car with two adult men at the school gate"),
        ("seen_on", today.as_str()),
        ("seen_where", "School gate, Hillside Road"),
        ("seen_by", "Form tutor"),
        ("referral_text", "Zoe has missed school and has a new phone she will not explain."),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if answer {
        for i in db.store.screening().current().await.unwrap().indicators() {
            f.push((format!("answer-{}", i.key), if yes.contains(&i.key.as_str()) { "yes" } else { "no" }.into()));
        }
    }
    f
}

fn pairs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn the_no_cse_concern_pathway(db: &TestDb) {
    let app = demo_app(db).await;
    let mut teacher = Client::new(app.clone());
    teacher.sign_in("practitioner@example.org").await;
    let form = teacher.get("/referrals/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has("CSE 2 screening") && form.has("name=\"answer-second-phone\"") && form.has("Going missing and staying out"));
    assert!(!form.has("police-101"), "only police accounts see the 101 source");
    let t = form.csrf();

    // Missing answers: 422 naming them, what was typed kept, nothing saved.
    let before = queued(db).await;
    let f = concern_fields(db, &t, false, &[]).await;
    let r = teacher.post_form("/referrals/new", &pairs(&f)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The CSE 2 screening has no answers"));
    assert!(r.has("Answer yes or no: Has a second phone or a new phone that family did not provide"));
    assert!(r.has("href=\"#answer-second-phone\""), "the summary links to the question");
    assert!(r.has("Seen getting into a silver car") && r.has("value=\"Quill\""), "everything typed is kept");
    assert_eq!(queued(db).await, before);
    // (The search also finds names that sound alike, such as the demo's Kelly: look for Quill itself.)
    assert!(
        assure_storage::testing::children_in_reach(&db.store, &viewer(db, "mash-worker@example.org").await, Some("Quill"), 10, 0)
            .await
            .0
            .iter()
            .all(|c| c.last_name != "Quill"),
        "no child saved"
    );

    // All answers: sent, with the risk level shown.
    let f = concern_fields(db, &t, true, &["truancy"]).await;
    let r = teacher.post_form("/referrals/new", &pairs(&f)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location().split('?').next().unwrap().to_string();
    let shown = teacher.get(r.location()).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.has("Low risk") && shown.has("Referral sent to the MASH"));
    assert!(!shown.has("Record the decision"), "a practitioner does not decide");
    let child_id: i64 = page.split('/').nth(2).unwrap().parse().unwrap();
    assert!(teacher.get(&format!("/children/{child_id}/referrals")).await.has(&page));
    // The search finds the child within the practitioner's reach, and can preselect.
    let search = teacher.get("/referrals/new?name=quil").await;
    assert!(search.has(&format!("value=\"{child_id}\"")) && search.has("Zoe Quill"));

    // The MASH queue shows it; a decision without reasons is refused; a stale one conflicts.
    let mut mash = Client::new(app.clone());
    mash.sign_in("mash-worker@example.org").await;
    let q = mash.get("/mash").await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(q.has(&page) && q.has("Zoe Quill") && q.has("Low risk") && q.has("Waiting (hours)"));
    let m = mash.csrf().await;
    let r = mash.post_form(&format!("{page}/checks"), &[("_csrf", &m), ("agency_id", ""), ("holds", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("href=\"#check-agency_id\""));
    let police = db.store.partnership().agencies().await.unwrap().into_iter().find(|a| a.name == "Merseyside Police").unwrap().id.to_string();
    let r = mash.post_form(&format!("{page}/checks"), &[("_csrf", &m), ("agency_id", &police), ("holds", "No police records held")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let rid: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let version = common::mash_record(db, child_id).await.referral(rid).await.unwrap().version.to_string();
    let r = mash
        .post_form(
            &format!("{page}/decision"),
            &[("_csrf", &m), ("version", &version), ("decision", "no-cse-concern"), ("reasons", ""), ("interventions", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter the reasons for the decision") && r.has("Enter the interventions proposed"));
    let r = mash
        .post_form(
            &format!("{page}/decision"),
            &[("_csrf", &m), ("version", "1"), ("decision", "macse"), ("reasons", "Stale"), ("interventions", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "the check moved the referral on");
    assert!(common::mash_record(db, child_id).await.referral(rid).await.unwrap().decision.is_none());
    let r = mash
        .post_form(
            &format!("{page}/decision"),
            &[
                ("_csrf", &m),
                ("version", &version),
                ("decision", "no-cse-concern"),
                ("reasons", "Attendance concern only; no CSE indicators found"),
                ("interventions", "Attendance officer and a mentor"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let queue = mash.get("/mash").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(!queue.has(&page), "off the queue");

    // The school's SPOC sees the return with its reasons, and acknowledges it.
    let mut spoc = Client::new(app.clone());
    spoc.sign_in("spoc@example.org").await;
    let list = spoc.get("/spoc").await;
    assert!(
        list.has("Returned to you with no CSE concern")
            && list.has("Attendance concern only")
            && list.has("Attendance officer and a mentor")
            && list.has("keep monitoring")
    );
    // The practitioner is not a SPOC: they cannot acknowledge.
    let r = teacher
        .post_form(
            &format!("{page}/acknowledge"),
            &[("_csrf", &t), ("version", &common::mash_record(db, child_id).await.referral(rid).await.unwrap().version.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let s = list.csrf();
    let v = common::mash_record(db, child_id).await.referral(rid).await.unwrap().version.to_string();
    let r = spoc.post_form(&format!("{page}/acknowledge"), &[("_csrf", &s), ("version", &v)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(spoc.get(&page).await.has("Acknowledged by the SPOC"));
    // Its card leaves the returned list (the demo's own unacknowledged return stays).
    let returned = |body: &str| body.matches("app-inset-text app-returned").count();
    let after = spoc.get("/spoc").await;
    assert_eq!(returned(&after.body), returned(&list.body) - 1);
    assert!(!after.has("Attendance officer and a mentor"), "its reasons and interventions are no longer listed as returned");

    // A practitioner at an uninvolved school: no such child (404), and the attempt audited.
    let mut other = Client::new(app.clone());
    other.sign_in("practitioner-2@example.org").await;
    let before = db
        .store
        .audit()
        .list(&AuditFilter { action: Some("child.refused".into()), record_id: Some(child_id.to_string()), ..Default::default() }, 50, 0)
        .await
        .unwrap()
        .0
        .len();
    let r = other.get(&page).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.has("Zoe") && !r.has("silver car"));
    assert_eq!(other.get(&format!("/children/{child_id}/referrals")).await.status, StatusCode::NOT_FOUND);
    let after = db
        .store
        .audit()
        .list(&AuditFilter { action: Some("child.refused".into()), record_id: Some(child_id.to_string()), ..Default::default() }, 50, 0)
        .await
        .unwrap()
        .0
        .len();
    assert_eq!(after, before + 2);
    // Nor can they name the child in a concern of their own, or find them by search.
    let search = other.get("/referrals/new?name=quill").await;
    assert_eq!(search.status, StatusCode::OK);
    assert!(!search.has("Zoe Quill"));
    let o = other.csrf().await;
    let mut f = concern_fields(db, &o, true, &[]).await;
    f.retain(|(k, _)| k != "child");
    f.push(("child".into(), child_id.to_string()));
    let r = other.post_form("/referrals/new", &pairs(&f)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.has("Zoe Quill"));
    // A referral under the wrong child's address is not found.
    assert_eq!(mash.get(&format!("/children/{}/referrals/{rid}", child_id + 1000)).await.status, StatusCode::NOT_FOUND);
}
on_both_engines!(no_cse_concern, the_no_cse_concern_pathway, demo = crate::common::password_hash());

async fn police_and_the_tool(db: &TestDb) {
    let app = demo_app(db).await;
    let mut officer = Client::new(app.clone());
    officer.sign_in("police-cse-officer@example.org").await;
    let form = officer.get("/referrals/new").await;
    assert!(form.has("value=\"police-101\""));
    let t = form.csrf();
    let mut f = concern_fields(db, &t, true, &["missing-overnight"]).await;
    f.retain(|(k, _)| k != "source");
    f.push(("source".into(), "police-101".into()));
    let r = officer.post_form("/referrals/new", &pairs(&f)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let referral_page = r.location().split('?').next().unwrap().to_string();
    let shown = officer.get(&referral_page).await;
    assert!(shown.has("High risk") && shown.has("vulnerable-person notification via 101"));

    // The partnership manager edits the tool; bad JSON and bad tools are refused.
    let mut manager = Client::new(app.clone());
    manager.sign_in("partnership-manager@example.org").await;
    let page = manager.get("/partnership/screening-tool").await;
    assert!(page.has("Version 1 is in use"));
    let m = page.csrf();
    let r = manager.post_form("/partnership/screening-tool", &[("_csrf", &m), ("tool", "{ not json")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("could not be read as JSON") && r.has("{ not json"));
    let bad = r#"{"categories":[{"key":"a","title":"A","indicators":[]}],"rules":[{"level":"high","at_least":1}]}"#;
    let r = manager.post_form("/partnership/screening-tool", &[("_csrf", &m), ("tool", bad)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("has no indicators") && r.has("name the weight"));
    let good = r#"{"categories":[{"key":"a","title":"Going missing","indicators":[{"key":"x","text":"Missing overnight","weight":"significant"}]}],"rules":[{"level":"high","at_least":1,"weight":"significant"}]}"#;
    let r = manager.post_form("/partnership/screening-tool", &[("_csrf", &m), ("tool", good)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(manager.get("/partnership/screening-tool").await.has("Version 2 is in use"));
    // The old referral still shows the questions it was answered with.
    let old = officer.get(&referral_page).await;
    assert!(old.has("Scored with version 1") && old.has("Has a second phone"));
    assert!(officer.get("/referrals/new").await.has("Missing overnight"));
    // A practitioner cannot edit the tool.
    let mut teacher = Client::new(app.clone());
    teacher.sign_in("practitioner@example.org").await;
    assert_eq!(teacher.get("/partnership/screening-tool").await.status, StatusCode::FORBIDDEN);
    assert_eq!(teacher.get("/mash").await.status, StatusCode::FORBIDDEN);
}
on_both_engines!(police_and_tool, police_and_the_tool, demo = crate::common::password_hash());
