//! The forward plan over HTTP, on both engines: the clerk adds a key decision (bad
//! input refused with the error summary, nothing saved), publishes the plan, is refused
//! recording the decision before 28 clear days have passed (told when it can be taken),
//! records special urgency and then the decision; moves another item's date with a
//! reason; a stale form is refused (409); the next day's plan shows what is new, moved
//! and taken since the one before. A committee member reads it all and changes nothing.

mod common;

use assure_domain::dates::long;
use assure_storage::on_both_engines;
use assure_storage::testing::{count_rows, TestDb};
use axum::http::StatusCode;
use common::{demo_app, Client};

fn date_fields(name: &str, d: chrono::NaiveDate) -> Vec<(String, String)> {
    vec![
        (format!("{name}-day"), d.format("%-d").to_string()),
        (format!("{name}-month"), d.format("%-m").to_string()),
        (format!("{name}-year"), d.format("%Y").to_string()),
    ]
}

async fn post(c: &mut Client, path: &str, fields: &[(&str, &str)], dates: &[(&str, chrono::NaiveDate)]) -> common::Resp {
    let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    for (name, d) in dates {
        all.extend(date_fields(name, *d));
    }
    let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post_form(path, &refs).await
}

async fn the_clerk_keeps_the_forward_plan(db: &TestDb) {
    let app = demo_app(db).await;
    let today = db.store.today();
    let mut c = Client::new(app.clone());
    c.sign_in("clerk@example.org").await;
    let meetings = c.get("/meetings").await;
    assert!(meetings.has("href=\"/forward-plan\""));
    let page = c.get("/forward-plan/new").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let before = count_rows(&db.store, "forward_plan_items").await;
    let audit_filter = assure_storage::audit::AuditFilter { record_type: Some("forward_plan_item".into()), ..Default::default() };
    let audited_before = db.store.audit().list(&audit_filter, 1000, 0).await.unwrap().0.len();

    let expected = today + chrono::Duration::days(45);
    let item = [
        ("_csrf", csrf.as_str()),
        ("title", "Commission a return-interview service for children missing from home"),
        ("decision_maker", "cabinet-member"),
        ("decision_maker_name", "Cabinet Member – Children, Schools and Safeguarding"),
        ("criteria", "financial"),
        ("exempt_paragraph", "open"),
        ("wards", "All Wards"),
        ("contact_officer", "Jane Smith, Head of Commissioning"),
    ];
    // Bad input: an exempt report without its public-interest reason; a past date.
    let mut bad = item.to_vec();
    bad.retain(|(k, _)| *k != "exempt_paragraph");
    bad.push(("exempt_paragraph", "3"));
    let r = post(&mut c, "/forward-plan/new", &bad, &[("expected", today - chrono::Duration::days(1))]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("app-error-summary") && r.has("must be today or later") && r.has("public interest in withholding"), "{}", r.body);
    assert_eq!(count_rows(&db.store, "forward_plan_items").await, before, "nothing saved");

    let r = post(&mut c, "/forward-plan/new", &item, &[("expected", expected)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let service = r.location().split('?').next().unwrap().rsplit('/').next().unwrap().to_string();
    let page = c.get(r.location()).await;
    assert!(page.has("Decision added to the forward plan") && page.has("Not on a published plan yet"), "{}", page.body);
    let mut other = item.to_vec();
    other[1] = ("title", "Adopt the taxi licensing safeguarding conditions");
    let r = post(&mut c, "/forward-plan/new", &other, &[("expected", expected + chrono::Duration::days(7))]).await;
    let taxis = r.location().split('?').next().unwrap().rsplit('/').next().unwrap().to_string();

    // Published today: notice runs from today.
    let r = c.post_form("/forward-plan/publish", &[("_csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let first_plan = r.location().to_string();
    let page = c.get(&first_plan).await;
    assert!(page.has("Forward plan published") && page.has("Intact") && page.has(">New<"), "{}", page.body);
    let r = c.post_form("/forward-plan/publish", &[("_csrf", &csrf)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "once a day");
    let can_take = today + chrono::Duration::days(29);
    let page = c.get(&format!("/forward-plan/items/{service}")).await;
    assert!(page.has(&format!("can be taken from {}", long(can_take))), "{}", page.body);

    // Taken today: too soon, and the page says when it can be.
    let v = db.store.forward_plan().item(service.parse().unwrap()).await.unwrap().version.to_string();
    let taken = format!("/forward-plan/items/{service}/taken");
    let r = post(&mut c, &taken, &[("_csrf", &csrf), ("version", &v)], &[("taken_on", today)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("28 clear days") && r.has(&format!("can be taken from {}", long(can_take))), "{}", r.body);

    // Special urgency, then the decision.
    let exception = format!("/forward-plan/items/{service}/exception");
    let r =
        post(&mut c, &exception, &[("_csrf", &csrf), ("version", &v), ("exception", "special-urgency"), ("chair", " ")], &[("agreed", today)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter the name of the chair who agreed") && r.has("cannot reasonably be deferred"), "{}", r.body);
    let urgency = [
        ("_csrf", csrf.as_str()),
        ("version", v.as_str()),
        ("exception", "special-urgency"),
        ("chair", "Councillor Helen Brannigan"),
        ("urgency_reason", "The provider's contract ends before the next Cabinet"),
    ];
    let r = post(&mut c, &exception, &urgency, &[("agreed", today)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = post(&mut c, &exception, &urgency, &[("agreed", today)]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "stale");
    let v = db.store.forward_plan().item(service.parse().unwrap()).await.unwrap().version.to_string();
    let r = post(&mut c, &taken, &[("_csrf", &csrf), ("version", &v)], &[("taken_on", today)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(r.location()).await;
    assert!(page.has("Decision recorded as taken") && page.has("special urgency, agreed by Councillor Helen Brannigan"), "{}", page.body);

    // The other item moves, with a reason.
    let tv = db.store.forward_plan().item(taxis.parse().unwrap()).await.unwrap().version.to_string();
    let moved_to = expected + chrono::Duration::days(35);
    let date = format!("/forward-plan/items/{taxis}/date");
    let r = post(&mut c, &date, &[("_csrf", &csrf), ("version", &tv), ("reason", "")], &[("expected", moved_to)]).await;
    assert!(r.has("Enter why the date changed"), "{}", r.body);
    let r =
        post(&mut c, &date, &[("_csrf", &csrf), ("version", &tv), ("reason", "Awaiting the trade's consultation")], &[("expected", moved_to)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(r.location()).await;
    assert!(page.has(&format!("to {}: Awaiting the trade's consultation", long(moved_to))), "{}", page.body);

    // A committee member reads; changes nothing.
    let mut member = Client::new(app.clone());
    member.sign_in("committee-member@example.org").await;
    let plan = member.get("/forward-plan").await;
    assert_eq!(plan.status, StatusCode::OK);
    assert!(plan.has("Adopt the taxi licensing safeguarding conditions") && !plan.has("Publish the plan today"));
    let mcsrf = member.csrf().await;
    assert_eq!(member.post_form("/forward-plan/publish", &[("_csrf", &mcsrf)]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(member.get("/forward-plan/new").await.status, StatusCode::FORBIDDEN);
    assert!(!member.get(&format!("/forward-plan/items/{taxis}")).await.has("Record the decision"));

    // The next day's plan: what changed since today's.
    let tomorrow = db.with_clock(assure_domain::Clock::fixed(chrono::Utc::now() + chrono::Duration::days(1)));
    let second = tomorrow.store.forward_plan().publish(&assure_storage::Actor::system()).await.unwrap();
    let page = c.get(&format!("/forward-plan/publications/{second}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Changes since the plan published"), "{}", page.body);
    assert!(page.has("Taken: Commission a return-interview service"), "{}", page.body);
    assert!(
        page.has(&format!(
            "Moved: Adopt the taxi licensing safeguarding conditions, from {} to {}",
            long(expected + chrono::Duration::days(7)),
            long(moved_to)
        )),
        "{}",
        page.body
    );
    // The plan as published, as a Word document in the seeds' layout.
    let r = c.get(&format!("/forward-plan/publications/{second}/document/docx")).await;
    assert_eq!(r.status, StatusCode::OK);
    let (_, _, docx) = common::download(&c, &format!("/forward-plan/publications/{second}/document/docx")).await;
    let text = common::docx_text(&docx);
    let fingerprint = db.store.forward_plan().publication(second).await.unwrap().0.fingerprint;
    for expected in [
        "Forward Plan",
        "For the four month period",
        "Adopt the taxi licensing safeguarding conditions",
        "decision due date changed from",
        "Awaiting the trade",
        &fingerprint,
    ] {
        assert!(text.contains(expected), "{expected} in the plan");
    }
    assert!(!text.contains("Commission a return-interview service"), "a decision taken is not on the next plan");
    assert_eq!(c.get(&format!("/forward-plan/publications/{second}/document/xlsx")).await.status, StatusCode::NOT_FOUND);
    if std::env::var("ASSURE_SKIP_LIBREOFFICE").is_ok_and(|v| v == "1") {
        eprintln!("LibreOffice check skipped: ASSURE_SKIP_LIBREOFFICE=1");
    } else {
        let pdf = assure_documents::pdf::to_pdf(&docx, "docx").expect("LibreOffice opens the forward plan");
        assert!(pdf.starts_with(b"%PDF"), "a PDF");
    }

    let audited = db.store.audit().list(&audit_filter, 1000, 0).await.unwrap().0.len();
    assert_eq!(audited - audited_before, 5, "two added, an exception, a decision, a move");
}
on_both_engines!(forward_plan, the_clerk_keeps_the_forward_plan, demo = crate::common::password_hash());
