//! The child protection pages over HTTP, on SQLite and PostgreSQL: the demo's Megan has
//! a CP case with an overdue strategy meeting, on the CP queue; the MASH records each
//! stage through GOV.UK date inputs (every problem at once), writes the CP plan in the
//! MACSE template and names the reviewing officer; a contact for a child already known
//! goes on after its checks (R8). Someone who may read but not record sees no forms
//! and is refused; someone without reach gets the same 404 as for no child at all.

mod common;

use assure_domain::partnership::Section;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use axum::http::StatusCode;
use chrono::Datelike;
use common::{demo_app, Client};

async fn child_named(db: &TestDb, first: &str) -> i64 {
    let every = testing::reader(&db.store, "mash-worker@example.org").await;
    let (found, _) = testing::children_in_reach(&db.store, every.viewer(), Some(first), 50, 0).await;
    found.into_iter().find(|c| c.first_name == first).unwrap_or_else(|| panic!("the demo has {first}")).id
}

/// A date as the three boxes of the GOV.UK date input.
fn date_fields(name: &str, d: chrono::NaiveDate) -> Vec<(String, String)> {
    vec![
        (format!("{name}-day"), d.day().to_string()),
        (format!("{name}-month"), d.month().to_string()),
        (format!("{name}-year"), d.year().to_string()),
    ]
}

fn pairs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn the_cp_route_over_http(db: &TestDb) {
    let app = demo_app(db).await;
    let megan = child_named(db, "Megan").await;
    let today = common::today();
    let mut mash = Client::new(app.clone());
    mash.sign_in("mash-worker@example.org").await;

    // The child's record links to the CP page; the case shows its overdue strategy meeting.
    let record = mash.get(&format!("/children/{megan}")).await;
    assert!(record.has(&format!("href=\"/children/{megan}/child-protection\"")));
    let page = mash.get(&format!("/children/{megan}/child-protection")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Megan Hughes") && page.has("Strategy meeting") && page.has("Overdue") && page.has("Record the strategy meeting"));
    assert!(page.has("Working Together 2023"), "the timescales say where they come from");
    let case = common::record_as(db, "mash-worker@example.org", megan, Section::ChildProtection).await.cp_cases().await.unwrap().remove(0);
    let cid = case.id;

    // The queue, from the MASH queue's page, filtered by overdue.
    assert!(mash.get("/mash").await.has("href=\"/child-protection?overdue=yes\""));
    let queue = mash.get("/child-protection?overdue=yes").await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(queue.has("Megan Hughes") && queue.has("with an overdue stage"), "{}", queue.body);

    // Every problem at once, in a GOV.UK error summary linking to the day box.
    let t = page.csrf();
    let base = format!("/children/{megan}/child-protection/{cid}");
    let v = case.version.to_string();
    let r = mash
        .post_form(
            &format!("{base}/strategy-meeting"),
            &[("_csrf", &t), ("version", &v), ("held_on-day", "31"), ("held_on-month", "2"), ("held_on-year", "2026")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There is a problem") && r.has("must be a real date"));
    assert!(r.has(&format!("href=\"#strategy-{cid}-held_on\"")) && r.has(&format!("id=\"strategy-{cid}-held_on\"")));
    assert!(r.has("Select the agencies that attended") && r.has("Select what the strategy meeting decided"));
    assert!(r.has("value=\"31\""), "what was typed is kept");

    // The strategy meeting, today, with the agencies attending.
    let agencies = db.store.partnership().agencies().await.unwrap();
    let police = agencies.iter().find(|a| a.name == "Merseyside Police").unwrap().id.to_string();
    let care = agencies.iter().find(|a| a.name == "Children's Social Care").unwrap().id.to_string();
    let mut f: Vec<(String, String)> = vec![
        ("_csrf".into(), t.clone()),
        ("version".into(), v.clone()),
        (format!("strategy-{cid}-agencies"), police.clone()),
        (format!("strategy-{cid}-agencies"), care.clone()),
        ("decision".into(), "section-47".into()),
    ];
    f.extend(date_fields("held_on", today));
    let r = mash.post_form(&format!("{base}/strategy-meeting"), &pairs(&f)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = mash.get(&format!("/children/{megan}/child-protection")).await;
    assert!(page.has("Done late") && page.has("Merseyside Police") && !page.has("Record the strategy meeting"));

    // The section 47 enquiry's outcome, then the conference, then the plan.
    let version = |db: &TestDb| {
        let db = db.store.clone();
        async move {
            let reader = testing::reader(&db, "mash-worker@example.org").await;
            db.open_child(&reader, assure_storage::ChildKey::Child(megan), Section::ChildProtection)
                .await
                .unwrap()
                .cp_case(cid)
                .await
                .unwrap()
                .version
                .to_string()
        }
    };
    let mut f = vec![("_csrf".to_string(), t.clone()), ("version".into(), version(db).await), ("outcome".into(), "conference-needed".into())];
    f.extend(date_fields("outcome_on", today));
    let r = mash.post_form(&format!("{base}/section-47"), &pairs(&f)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut f = vec![("_csrf".to_string(), t.clone()), ("version".into(), version(db).await), ("outcome".into(), "cp-plan".into())];
    f.extend(date_fields("held_on", today));
    let r = mash.post_form(&format!("{base}/conference"), &pairs(&f)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let plan = mash.get(&format!("{base}/plan")).await;
    assert_eq!(plan.status, StatusCode::OK);
    assert!(plan.has("Child protection plan (MACSE plan template)") && plan.has("Protect: discussion") && !plan.has("Panel that made this plan"));
    let based_on = common::record_as(db, "mash-worker@example.org", megan, Section::Profile).await.plan_number().await.unwrap().to_string();
    let review = assure_domain::dates::numeric(today + chrono::Duration::days(60));
    let due = assure_domain::dates::numeric(today + chrono::Duration::days(14));
    let r = mash
        .post_form(
            &format!("{base}/plan"),
            &[
                ("_csrf", &t),
                ("version", &based_on),
                ("rows", "4"),
                ("review_date", &review),
                ("discussion-protect", "Safety plan agreed at the conference"),
                ("action-1-section", "protect"),
                ("action-1-text", "Safety plan at home"),
                ("action-1-owner", "Social worker"),
                ("action-1-agency", &care),
                ("action-1-due", &due),
                ("action-1-status", "not-started"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = mash.get(&format!("/children/{megan}/child-protection")).await;
    assert!(page.has("of the plan</a> is the child protection plan"), "{}", page.body);
    assert!(page.has("First review conference"));

    // The named CSE reviewing officer.
    let iro = db.store.users().by_email("education-lead@example.org").await.unwrap().unwrap().0.id.to_string();
    let r = mash.post_form(&format!("{base}/reviewing-officer"), &[("_csrf", &t), ("version", &version(db).await), ("officer", &iro)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(mash.get(&format!("/children/{megan}/child-protection")).await.has("Mark Ellison"));

    // The school raised Megan: its practitioner reads the case, with no forms, and may not record.
    let mut school = Client::new(app.clone());
    school.sign_in("practitioner@example.org").await;
    let seen = school.get(&format!("/children/{megan}/child-protection")).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(
        seen.has("Initial child protection conference")
            && !seen.has("Record the first review conference")
            && !seen.has("Name the CSE reviewing officer")
    );
    let st = seen.csrf();
    let r = school.post_form(&format!("{base}/review-conference"), &[("_csrf", &st), ("version", "1")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(school.get("/child-protection").await.status, StatusCode::FORBIDDEN);

    // Northway's practitioner: Megan is no child at all, the same 404 as a number that is none.
    let mut other = Client::new(app.clone());
    other.sign_in("practitioner-2@example.org").await;
    let theirs = other.get(&format!("/children/{megan}/child-protection")).await;
    let nobody = other.get("/children/99999999/child-protection").await;
    assert_eq!((theirs.status, nobody.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(theirs.body.replace(&megan.to_string(), "N"), nobody.body.replace("99999999", "N"));
    assert!(!theirs.has("Megan"));
}
on_both_engines!(cp_route, the_cp_route_over_http, demo = crate::common::password_hash());

async fn a_contact_goes_on_over_http(db: &TestDb) {
    let app = demo_app(db).await;
    let oliver = child_named(db, "Oliver").await;
    let record = common::mash_record(db, oliver).await;
    let rid = record.referrals().await.unwrap()[0].id;
    let mut mash = Client::new(app.clone());
    mash.sign_in("mash-worker@example.org").await;
    let href = format!("/children/{oliver}/referrals/{rid}");
    let page = mash.get(&href).await;
    assert!(page.has("Follow-on decision") && page.has("Record the follow-on decision") && page.has("Record the check"));
    let t = page.csrf();
    // Nothing chosen, no reasons, and no checks yet: all at once.
    let v = record.referral(rid).await.unwrap().version.to_string();
    let r = mash.post_form(&format!("{href}/follow-on"), &[("_csrf", &t), ("version", &v)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select the follow-on decision") && r.has("Enter the reasons for the follow-on decision"));
    assert!(r.has("href=\"#follow-on-follow_on\""));
    let r = mash
        .post_form(
            &format!("{href}/follow-on"),
            &[("_csrf", &t), ("version", &v), ("follow_on", "macse"), ("follow_on_reasons", "No parenting concerns")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Record the multi-agency checks of the contact"));
    // The checks, then the follow-on: MACSE.
    let care = db.store.partnership().agencies().await.unwrap().into_iter().find(|a| a.name == "Children's Social Care").unwrap().id.to_string();
    let r = mash.post_form(&format!("{href}/checks"), &[("_csrf", &t), ("agency_id", &care), ("holds", "Looked after; no parenting concerns")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let v = record.referral(rid).await.unwrap().version.to_string();
    let r = mash
        .post_form(
            &format!("{href}/follow-on"),
            &[("_csrf", &t), ("version", &v), ("follow_on", "macse"), ("follow_on_reasons", "No parenting concerns")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = mash.get(&href).await;
    assert!(page.has("Follow-on decision") && page.has("No parenting concerns") && !page.has("Record the follow-on decision"));
    assert!(page.has("books the young person a slot"), "MACSE, as after a MACSE decision");
    // A practitioner may not record it (the guard's role check).
    let mut school = Client::new(app.clone());
    school.sign_in("practitioner@example.org").await;
    let st = school.csrf().await;
    assert_eq!(school.post_form(&format!("{href}/follow-on"), &[("_csrf", &st), ("version", &v)]).await.status, StatusCode::FORBIDDEN);
}
on_both_engines!(contact_follow_on, a_contact_goes_on_over_http, demo = crate::common::password_hash());
