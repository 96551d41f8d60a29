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
on_both_engines!(two_factor, two_factor_sign_in_asks_for_a_code_that_works_once);
