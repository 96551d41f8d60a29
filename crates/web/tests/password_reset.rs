//! Forgotten passwords, on SQLite and PostgreSQL: the same answer for any address, a
//! link e-mailed through the outbox that works once for an hour, a new password that
//! ends every session of the account, and no second link within moments of the last.

mod common;

use assure_domain::Clock;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use axum::http::StatusCode;
use chrono::Duration;
use common::{demo_app_with, Client};

const EMAIL: &str = "lead-officer@example.org";

/// The secret in the newest message to `to`, and how many messages `to` has had.
async fn link_sent_to(db: &TestDb, to: &str) -> (Option<String>, usize) {
    let mine: Vec<_> = db.store.mail().recent(1000).await.unwrap().into_iter().filter(|m| m.to_address == to).collect();
    let secret = mine.first().and_then(|m| {
        let i = m.body.find("https://assure.example.gov.uk/password-reset/")? + "https://assure.example.gov.uk/password-reset/".len();
        Some(m.body[i..i + 64].to_string())
    });
    (secret, mine.len())
}

async fn ask(c: &mut Client, email: &str) -> common::Resp {
    let t = c.get("/password-reset").await.csrf();
    c.post_form("/password-reset", &[("_csrf", &t), ("email", email)]).await
}

async fn a_forgotten_password_is_reset_once_through_an_emailed_link(db: &TestDb) {
    let clock = Clock::fixed(chrono::Utc::now());
    let db = &db.with_clock(clock.clone());
    let app = demo_app_with(db, |c| c.public_url = "https://assure.example.gov.uk".into()).await;

    // Signed in elsewhere: that session ends when the password is reset.
    let mut elsewhere = Client::new(app.clone());
    elsewhere.sign_in(EMAIL).await;

    let mut c = Client::new(app.clone());
    assert!(c.get("/login").await.has("href=\"/password-reset\""), "the sign-in page offers a reset");
    let bad = ask(&mut c, "not an address").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("There is a problem") && bad.has("Enter an email address in the correct format"), "{}", bad.body);

    // An unknown address and a real one get the same page; only the real one is sent a link.
    let unknown = ask(&mut c, "nobody@example.org").await;
    let known = ask(&mut c, "Lead-Officer@Example.org ").await;
    assert_eq!((unknown.status, known.status), (StatusCode::OK, StatusCode::OK));
    assert!(unknown.has("Check your e-mail") && known.has("Check your e-mail"));
    assert_eq!(link_sent_to(db, "nobody@example.org").await.1, 0);
    let (secret, sent) = link_sent_to(db, EMAIL).await;
    assert_eq!(sent, 1);
    let secret = secret.expect("the message carries the link made from ASSURE_PUBLIC_URL");
    let message = &db.store.mail().recent(1).await.unwrap()[0];
    assert!(message.subject.ends_with("reset your password") && message.body.contains("60 minutes"), "{}", message.body);
    assert_eq!(ask(&mut c, EMAIL).await.status, StatusCode::OK);
    assert_eq!(link_sent_to(db, EMAIL).await.1, 1, "no second link moments after the first");

    // The link: every bad field said at once, nothing changed.
    let path = format!("/password-reset/{secret}");
    let form = c.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has("Choose a new password"));
    let t = form.csrf();
    let r = c.post_form(&path, &[("_csrf", &t), ("password", "short"), ("confirm", "short")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("at least 12 characters"), "{}", r.body);
    let r = c.post_form(&path, &[("_csrf", &t), ("password", "copper kettle lantern"), ("confirm", "copper kettle lanterns")]).await;
    assert!(r.has("The passwords do not match"), "{}", r.body);

    let r = c.post_form(&path, &[("_csrf", &t), ("password", "copper kettle lantern"), ("confirm", "copper kettle lantern")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/login?notice=password-reset");
    assert!(c.get("/login?notice=password-reset").await.has("Your password has been changed"));
    let home = elsewhere.get("/").await;
    assert!(home.status == StatusCode::SEE_OTHER && home.location().starts_with("/login"), "the other session has ended");

    // The new password signs in; the old does not; the link is spent.
    let t = c.get("/login").await.csrf();
    let old = c.post_form("/login", &[("_csrf", &t), ("email", EMAIL), ("password", common::PASSWORD), ("next", "/")]).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = c.post_form("/login", &[("_csrf", &t), ("email", EMAIL), ("password", "copper kettle lantern"), ("next", "/")]).await;
    assert_eq!(new.status, StatusCode::SEE_OTHER, "{}", new.body);
    let mut other = Client::new(app.clone());
    assert_eq!(other.get(&path).await.status, StatusCode::GONE);
    let t = other.get("/password-reset").await.csrf();
    let again = other.post_form(&path, &[("_csrf", &t), ("password", "another long phrase"), ("confirm", "another long phrase")]).await;
    assert_eq!(again.status, StatusCode::GONE, "a link works once");

    // A later link lasts an hour.
    clock.advance(Duration::minutes(5));
    let mut c = Client::new(app.clone());
    ask(&mut c, EMAIL).await;
    let (secret, sent) = link_sent_to(db, EMAIL).await;
    assert_eq!(sent, 2);
    let path = format!("/password-reset/{}", secret.unwrap());
    assert_eq!(c.get(&path).await.status, StatusCode::OK);
    clock.advance(Duration::minutes(61));
    let gone = c.get(&path).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.has("Ask for a new link"));
    assert_eq!(c.get("/password-reset/not-a-link").await.status, StatusCode::GONE);

    let audit = db.store.audit().verify().await.unwrap();
    assert!(audit.is_ok());
}
on_both_engines!(password_reset, a_forgotten_password_is_reset_once_through_an_emailed_link, demo = crate::common::password_hash());
