//! The administrator's e-mail page, on SQLite and PostgreSQL: the chase rules kept as
//! data and changed with every bad field reported at once (nothing saved, nothing typed
//! lost); the outbox's waiting and failed messages shown; nobody else may see it.

mod common;

use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use axum::http::StatusCode;
use common::{demo_app, Client};

async fn the_administrator_keeps_the_chase_rules_and_sees_the_outbox(db: &TestDb) {
    let app = demo_app(db).await;
    let mut admin = Client::new(app.clone());
    admin.sign_in("administrator@example.org").await;
    let page = admin.get("/admin/mail").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Actions past their target date") && page.has("never a child"), "{}", page.body);
    assert!(page.has("Nothing is waiting and nothing has failed."));

    // Every bad lead time reported at once; nothing saved; what was typed kept.
    let t = admin.csrf().await;
    let r = admin
        .post_form(
            "/admin/mail/rules",
            &[
                ("_csrf", &t),
                ("enabled", "response-approaching"),
                ("lead-update-request-overdue", "0"),
                ("lead-response-approaching", "two weeks"),
                ("lead-response-overdue", "0"),
                ("lead-action-past-target", "400"),
                ("lead-placement-unacknowledged", "1"),
                ("lead-report-due", "21"),
                ("lead-return-interview-overdue", "0"),
                ("lead-plan-action-overdue", "0"),
                ("lead-referral-waiting", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There is a problem"), "{}", r.body);
    assert!(r.has("Executive responses approaching their deadline: enter the number of days as a whole number, like 14"));
    assert!(r.has("Actions past their target date: enter a number of days from 0 to 365"));
    assert!(r.has("value=\"two weeks\""), "what was typed is kept");
    assert!(db.store.mail().rules().await.unwrap().iter().all(|r| r.enabled), "nothing saved");

    // Saved: only the approaching-response reminder on, 21 days ahead.
    let r = admin
        .post_form(
            "/admin/mail/rules",
            &[
                ("_csrf", &t),
                ("enabled", "response-approaching"),
                ("lead-update-request-overdue", "0"),
                ("lead-response-approaching", "21"),
                ("lead-response-overdue", "0"),
                ("lead-action-past-target", "3"),
                ("lead-placement-unacknowledged", "1"),
                ("lead-report-due", "21"),
                ("lead-return-interview-overdue", "0"),
                ("lead-plan-action-overdue", "0"),
                ("lead-referral-waiting", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let rules = db.store.mail().rules().await.unwrap();
    let on: Vec<_> = rules.iter().filter(|r| r.enabled).map(|r| (r.kind.slug(), r.lead_days)).collect();
    assert_eq!(on, [("response-approaching", 21)]);
    assert_eq!(rules.iter().find(|r| r.kind.slug() == "action-past-target").unwrap().lead_days, 3);
    let to = r.location().to_string();
    let page = admin.get(&to).await;
    assert!(page.has("E-mail rules saved") && page.has("value=\"21\""), "{}", page.body);

    // A message that could not be sent is shown with why.
    let id = db.store.mail().queue_test(&assure_storage::Actor::system(), "dpo@example.org", "Assure").await.unwrap();
    db.store.mail().claim(1, Some(id)).await.unwrap();
    db.store.mail().mark_attempt_failed(id, "554 relay access denied").await.unwrap();
    let page = admin.get("/admin/mail").await;
    assert!(page.has("dpo@example.org") && page.has("554 relay access denied") && page.has("1 waiting to be sent"), "{}", page.body);

    // Nobody else.
    for email in ["scrutiny-officer@example.org", "committee-member@example.org", "mash-worker@example.org"] {
        let mut c = Client::new(app.clone());
        c.sign_in(email).await;
        assert_eq!(c.get("/admin/mail").await.status, StatusCode::FORBIDDEN, "{email}");
    }
}
on_both_engines!(mail_page, the_administrator_keeps_the_chase_rules_and_sees_the_outbox, demo = crate::common::password_hash());

async fn each_person_chooses_reminders_as_they_happen_or_a_daily_digest(db: &TestDb) {
    let app = demo_app(db).await;
    let mut lead = Client::new(app.clone());
    lead.sign_in("lead-officer@example.org").await;
    let home = lead.get("/").await;
    assert!(home.has("href=\"/account\""), "the header links to the account page");
    let page = lead.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("lead-officer@example.org") && page.has("value=\"each\" checked"), "{}", page.body);

    let t = lead.csrf().await;
    let r = lead.post_form("/account/mail", &[("_csrf", &t)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There is a problem") && r.has("Choose how you would like your reminders"), "{}", r.body);

    let r = lead.post_form("/account/mail", &[("_csrf", &t), ("reminders", "daily")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.location().to_string();
    let page = lead.get(&to).await;
    assert!(page.has("Your reminder setting is saved") && page.has("value=\"daily\" checked"), "{}", page.body);
    let id = db.store.users().by_email("lead-officer@example.org").await.unwrap().unwrap().0.id;
    assert!(db.store.mail().digest_chosen(id).await.unwrap());

    // Signed out, the page asks for sign-in.
    let mut anon = Client::new(app.clone());
    let r = anon.get("/account").await;
    assert!(r.status == StatusCode::SEE_OTHER && r.location().starts_with("/login"), "{:?}", r.status);
}
on_both_engines!(reminder_choice, each_person_chooses_reminders_as_they_happen_or_a_daily_digest, demo = crate::common::password_hash());
