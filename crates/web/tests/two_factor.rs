//! Two-factor sign-in for local accounts, on SQLite and PostgreSQL: enrolment by QR
//! code (the key checked with a first code), sign-in that then asks for a code, a code
//! refused when wrong or used already, a recovery code that works once, too many wrong
//! codes end the attempt, and turning it off needs a current code.

mod common;

use assure_domain::Clock;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_web::two_factor::code_at;
use axum::http::StatusCode;
use chrono::Duration;
use common::{demo_app, Client, PASSWORD};

const EMAIL: &str = "mash-worker@example.org";

async fn password_step(c: &mut Client) -> common::Resp {
    let t = c.get("/login").await.csrf();
    c.post_form("/login", &[("_csrf", &t), ("email", EMAIL), ("password", PASSWORD), ("next", "/mash")]).await
}

async fn code_step(c: &mut Client, code: &str) -> common::Resp {
    let t = c.get("/login/two-factor").await.csrf();
    c.post_form("/login/two-factor", &[("_csrf", &t), ("code", code)]).await
}

async fn two_factor_sign_in_asks_for_a_code_that_works_once(db: &TestDb) {
    let clock = Clock::fixed(chrono::Utc::now());
    let db = &db.with_clock(clock.clone());
    let app = demo_app(db).await;
    let now = || clock.now().timestamp() as u64;

    // Enrol: the page shows a QR code and the key; a wrong first code turns nothing on.
    let mut c = Client::new(app.clone());
    c.sign_in(EMAIL).await;
    assert!(c.get("/account").await.has("href=\"/account/two-factor\""));
    let page = c.get("/account/two-factor").await;
    assert!(page.has("<svg") && page.has("Scan this code"), "{}", page.body);
    let i = page.body.find("name=\"secret\" value=\"").unwrap() + 21;
    let secret = page.body[i..].split('"').next().unwrap().to_string();
    let t = page.csrf();
    let r = c.post_form("/account/two-factor", &[("_csrf", &t), ("secret", &secret), ("code", "000000")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The code is not right") && r.has(&format!("value=\"{secret}\"")), "the same key is kept to try again");
    let user = db.store.users().by_email(EMAIL).await.unwrap().unwrap().0.id;
    assert!(db.store.two_factor().secret(user).await.unwrap().is_none());
    let r = c.post_form("/account/two-factor", &[("_csrf", &t), ("secret", &secret), ("code", &code_at(&secret, now()))]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let i = r.body.find("data-testid=\"recovery-codes\"").expect("recovery codes shown once");
    let codes: Vec<String> = r.body[i..].split("<code>").skip(1).take(10).map(|s| s.split('<').next().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(db.store.two_factor().recovery_left(user).await.unwrap(), 10);

    // Signing in now asks for a code after the password; no session before it.
    let mut c = Client::new(app.clone());
    let r = password_step(&mut c).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login/two-factor"));
    let home = c.get("/").await;
    assert!(home.location().starts_with("/login"), "not signed in on the password alone");
    let wrong = code_step(&mut c, "123456").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.has("The code is not right") && wrong.has("4 tries left"), "{}", wrong.body);
    // The code used at enrolment is refused (a code works once); the next step's is taken.
    assert_eq!(code_step(&mut c, &code_at(&secret, now())).await.status, StatusCode::UNAUTHORIZED);
    clock.advance(Duration::seconds(30));
    let code = code_at(&secret, now());
    let ok = code_step(&mut c, &code).await;
    assert_eq!((ok.status, ok.location()), (StatusCode::SEE_OTHER, "/mash"), "{}", ok.body);
    assert_eq!(c.get("/mash").await.status, StatusCode::OK);

    // The same code again, on another sign-in, is refused; a recovery code works once.
    let mut d = Client::new(app.clone());
    password_step(&mut d).await;
    assert_eq!(code_step(&mut d, &code).await.status, StatusCode::UNAUTHORIZED, "a code replayed is refused");
    let r = code_step(&mut d, &codes[3].to_uppercase()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(db.store.two_factor().recovery_left(user).await.unwrap(), 9);
    let mut e = Client::new(app.clone());
    password_step(&mut e).await;
    assert_eq!(code_step(&mut e, &codes[3]).await.status, StatusCode::UNAUTHORIZED, "a recovery code works once");

    // Five wrong codes end the attempt: back to the password.
    let mut f = Client::new(app.clone());
    password_step(&mut f).await;
    for _ in 0..4 {
        assert_eq!(code_step(&mut f, "999999").await.status, StatusCode::UNAUTHORIZED);
    }
    let last = code_step(&mut f, "999999").await;
    assert_eq!((last.status, last.location()), (StatusCode::SEE_OTHER, "/login"));
    assert!(f.get("/login/two-factor").await.location().starts_with("/login"));

    // Turning it off needs a current code.
    let t = c.get("/account/two-factor").await.csrf();
    let r = c.post_form("/account/two-factor/off", &[("_csrf", &t), ("code", "111111")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    clock.advance(Duration::seconds(30));
    let r = c.post_form("/account/two-factor/off", &[("_csrf", &t), ("code", &code_at(&secret, now()))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut g = Client::new(app.clone());
    assert_eq!(password_step(&mut g).await.location(), "/mash", "the password alone signs in again");
    assert!(db.store.audit().verify().await.unwrap().is_ok());
}
on_both_engines!(two_factor, two_factor_sign_in_asks_for_a_code_that_works_once, demo = crate::common::password_hash());

/// A role that requires two-factor sign-in: the administrator ticks it on Settings →
/// Sign-in; its people without it are signed out, and at their next sign-in set it up
/// before any session begins; then it cannot be turned off. The demo requires it of no
/// role (its accounts share a password) and says so; a database without the demo
/// requires it of every pathway role.
async fn a_role_that_requires_two_factor_sets_it_up_at_sign_in(db: &TestDb) {
    let clock = Clock::fixed(chrono::Utc::now());
    let db = &db.with_clock(clock.clone());
    let app = demo_app(db).await;
    let now = || clock.now().timestamp() as u64;

    // The demo: nobody is asked, and the page warns that pathway roles are on a password alone.
    let mut worker = Client::new(app.clone());
    worker.sign_in(EMAIL).await;
    assert_eq!(worker.get("/mash").await.status, StatusCode::OK);
    let mut admin = Client::new(app.clone());
    admin.sign_in("administrator@example.org").await;
    let page = admin.get("/admin/sign-in").await;
    assert!(page.has("data-testid=\"two-factor-off-for-pathway\"") && page.has("MASH worker"), "{}", page.body);

    // The administrator requires it of MASH workers: the worker, not set up, is signed out.
    let t = page.csrf();
    let r = admin.post_form("/admin/sign-in/two-factor", &[("_csrf", &t), ("roles", "mash-worker")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = admin.get(r.location()).await;
    assert!(page.has("Two-factor sign-in requirements saved"));
    assert!(page.has("value=\"mash-worker\" checked") || page.has("checked value=\"mash-worker\""), "MASH worker ticked");
    assert!(worker.get("/mash").await.location().starts_with("/login"), "the worker's session ended");
    let mut other = Client::new(app.clone());
    other.sign_in("spoc@example.org").await;
    assert_eq!(other.get("/").await.status, StatusCode::OK, "a role not ticked signs in as before");

    // The worker's next sign-in: the password, then setting it up; no session before.
    let mut c = Client::new(app.clone());
    let r = password_step(&mut c).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/login/two-factor"));
    assert!(c.get("/mash").await.location().starts_with("/login"), "not signed in on the password alone");
    let page = c.get("/login/two-factor").await;
    assert!(page.has("Set up two-factor sign-in") && page.has("<svg"), "{}", page.body);
    let i = page.body.find("name=\"secret\" value=\"").unwrap() + 21;
    let secret = page.body[i..].split('"').next().unwrap().to_string();
    let t = page.csrf();
    let wrong = c.post_form("/login/two-factor", &[("_csrf", &t), ("secret", &secret), ("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.has("The code is not right") && wrong.has("4 tries left") && wrong.has(&secret), "{}", wrong.body);
    let ok = c.post_form("/login/two-factor", &[("_csrf", &t), ("secret", &secret), ("code", &code_at(&secret, now()))]).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(ok.has("data-testid=\"recovery-codes\"") && ok.has("href=\"/mash\""), "codes shown once, then on to where they were going");
    assert_eq!(c.get("/mash").await.status, StatusCode::OK, "signed in");
    let user = db.store.users().by_email(EMAIL).await.unwrap().unwrap().0.id;
    assert!(db.store.two_factor().secret(user).await.unwrap().is_some());

    // Required: it cannot be turned off, even with a right code.
    let page = c.get("/account/two-factor").await;
    assert!(page.has("data-testid=\"two-factor-required\"") && !page.has("Turn off two-factor sign-in"), "{}", page.body);
    clock.advance(Duration::seconds(30));
    let t = page.csrf();
    let r = c.post_form("/account/two-factor/off", &[("_csrf", &t), ("code", &code_at(&secret, now()))]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("cannot be turned off"));
    assert!(db.store.two_factor().secret(user).await.unwrap().is_some());

    // Signing in again asks for the code, as for anyone set up.
    clock.advance(Duration::seconds(30));
    let mut d = Client::new(app.clone());
    assert_eq!(password_step(&mut d).await.location(), "/login/two-factor");
    assert_eq!(code_step(&mut d, &code_at(&secret, now())).await.location(), "/mash");

    // Who changed what is in the audit trail; the chain holds.
    let (entries, _) = db
        .store
        .audit()
        .list(&assure_storage::audit::AuditFilter { action: Some("settings.two-factor-roles".into()), ..Default::default() }, 10, 0)
        .await
        .unwrap();
    assert!(entries.iter().any(|e| e.detail.contains("MASH worker required") && e.detail.contains("1 session(s) ended")), "{entries:?}");
    assert!(db.store.audit().verify().await.unwrap().is_ok());
}
on_both_engines!(required_by_role, a_role_that_requires_two_factor_sets_it_up_at_sign_in, demo = crate::common::password_hash());

/// Without the demo, every role that sees children's records requires two-factor sign-in
/// and the tracker's roles do not, until an administrator chooses otherwise.
async fn without_the_demo_every_pathway_role_requires_it(db: &TestDb) {
    let reqs = db.store.two_factor().requirements().await.unwrap();
    assert_eq!(reqs.len(), assure_domain::Role::ALL.len());
    for r in &reqs {
        assert_eq!(r.required, r.role.pathway().is_some(), "{:?}", r.role);
        assert!(r.by_default);
    }
    let sys = assure_storage::Actor::system();
    db.store.two_factor().set_required(&sys, &[assure_domain::Role::ScrutinyOfficer]).await.unwrap();
    let reqs = db.store.two_factor().requirements().await.unwrap();
    let of = |role| reqs.iter().find(|r| r.role == role).unwrap();
    assert!(of(assure_domain::Role::ScrutinyOfficer).required && !of(assure_domain::Role::ScrutinyOfficer).by_default);
    assert!(!of(assure_domain::Role::MashWorker).required && !of(assure_domain::Role::MashWorker).by_default);
    assert!(!db.store.two_factor().required(assure_domain::Role::Spoc).await.unwrap());
}
on_both_engines!(default_requirements, without_the_demo_every_pathway_role_requires_it);
