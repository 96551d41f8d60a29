//! Sign-in through an identity provider, end to end in a real browser against a real
//! OpenID Connect provider on localhost (the npm package `oidc-provider`, started by
//! tests/oidc_provider/provider.mjs; scripts/test installs it): the provider's own
//! sign-in form, the account linked by its verified e-mail address, a group giving a
//! role, sign-out at Assure and at the provider; a group giving a team (and so sight of
//! the team's child) and, out of the group at the next sign-in, taking it away again;
//! an unverified address links nothing; a tampered state or nonce, a sign-in from
//! another browser, a wrong client secret and an issuer that does not answer are each
//! refused with a message and change nothing.
//!
//! Skipped, with a note, when ASSURE_SKIP_OIDC=1 or ASSURE_SKIP_BROWSER=1.
//!
//! And, on SQLite and PostgreSQL without a browser: Settings refuses group → team lines
//! naming a team Assure does not have, saving nothing.

mod browser_rig;
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assure_domain::partnership::{InvolvementKind, Scope, Team};
use assure_domain::sign_in::{check_provider, ProviderInput};
use assure_domain::Role;
use assure_storage::audit::AuditFilter;
use assure_storage::children::ChildInput;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::Actor;
use axum::http::StatusCode;
use browser_rig::{browser_available, Browser, Rig};
use fantoccini::Locator;

const CLIENT_ID: &str = "assure-test";
const SECRET_ENV: &str = "ASSURE_TEST_OIDC_SECRET";
const WRONG_SECRET_ENV: &str = "ASSURE_TEST_OIDC_WRONG_SECRET";

/// The provider's package folder, or None (with a note) when these tests are skipped.
fn provider_package() -> Option<String> {
    if std::env::var("ASSURE_SKIP_OIDC").as_deref() == Ok("1") {
        eprintln!("note: identity provider tests skipped (ASSURE_SKIP_OIDC=1)");
        return None;
    }
    if !browser_available() {
        return None;
    }
    let dir = std::env::var("ASSURE_TEST_OIDC_PROVIDER").unwrap_or_default();
    assert!(
        std::path::Path::new(&dir).join("lib/index.js").exists(),
        "the identity provider tests need the npm package oidc-provider: run scripts/test (it installs it and sets \
         ASSURE_TEST_OIDC_PROVIDER), or set ASSURE_SKIP_OIDC=1 to skip them (ASSURE_TEST_OIDC_PROVIDER={dir:?})"
    );
    Some(dir)
}

/// The provider's node process, in its own process group; dropping it ends the group.
struct Idp {
    child: Child,
    issuer: String,
    /// Its people (read again at each sign-in).
    people: std::path::PathBuf,
    /// Kept open: the provider may write to it after its first line.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Idp {
    fn start(package: &str, app: &str, secret: &str, dir: &std::path::Path) -> Idp {
        use std::os::unix::process::CommandExt;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc_provider/provider.mjs");
        let people = dir.join("oidc-people.json");
        write_people(&people, &["Staff", "Police-YOT"]);
        let callbacks: Vec<String> = ["council", "wrong-secret"].iter().map(|s| format!("{app}/login/oidc/{s}/callback")).collect();
        let mut child = Command::new("node")
            .arg(script)
            .env("ASSURE_TEST_OIDC_PROVIDER", package)
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", secret)
            .env("OIDC_REDIRECT_URIS", callbacks.join(" "))
            .env("OIDC_POST_LOGOUT_URIS", format!("{app}/login?notice=signed-out"))
            .env("OIDC_PEOPLE_FILE", &people)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start node {script}: {e} (is Node.js installed?)"));
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).expect("read the provider's first line");
        let port: u16 =
            line.trim().strip_prefix("listening ").and_then(|p| p.parse().ok()).unwrap_or_else(|| panic!("the provider did not start: {line:?}"));
        Idp { child, issuer: format!("http://localhost:{port}"), people, _stdout: stdout }
    }

    /// The groups the police officer is in from their next sign-in.
    fn officer_groups(&self, groups: &[&str]) {
        write_people(&self.people, groups);
    }
}

/// The provider's people; `officer_groups` are the police officer's.
fn write_people(file: &std::path::Path, officer_groups: &[&str]) {
    let people = serde_json::json!({
        // A demo account's address, verified, in a group that makes them a scrutiny officer.
        "s-lead-7f3a": { "email": "lead-officer@example.org", "email_verified": true, "name": "Lead Officer", "groups": ["Staff", "Democratic-Services"] },
        // A demo account's address the provider has not verified: it links nothing.
        "s-unverified-2c91": { "email": "scrutiny-officer@example.org", "email_verified": false, "name": "Someone", "groups": [] },
        // The demo's missing from home coordinator (police, team by team), whose groups
        // may put them in the youth offending team.
        "s-officer-5d21": { "email": "missing-officer@example.org", "email_verified": true, "name": "Dana Webb", "groups": officer_groups },
    });
    std::fs::write(file, people.to_string()).expect("write the provider's people");
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn provider(slug: &str, label: &str, issuer: &str, secret_env: &str) -> ProviderInput {
    ProviderInput {
        slug: slug.into(),
        label: label.into(),
        issuer: issuer.into(),
        client_id: CLIENT_ID.into(),
        secret_env: secret_env.into(),
        email_claim: "email".into(),
        groups_claim: "groups".into(),
        group_roles: "Democratic-Services = scrutiny-officer".into(),
        group_teams: "Police-YOT = youth-offending".into(),
        create_accounts: false,
        active: true,
    }
}

/// Through the provider's pages (its sign-in form, its consent), as far as they ask,
/// until the browser is back at Assure.
async fn through_provider(b: &Browser, login: &str) {
    let started = Instant::now();
    loop {
        let url = b.url().await;
        if url.starts_with(&b.base) {
            b.css("body").await;
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "still at the provider after 30 s: {url}\n{}", b.body_text().await);
        if let Ok(input) = b.client.find(Locator::Css("input[name=login]")).await {
            input.send_keys(login).await.unwrap();
            b.client.find(Locator::Css("input[name=password]")).await.unwrap().send_keys("any password").await.unwrap();
            let e = b.client.find(Locator::Css("button[type=submit]")).await.unwrap();
            b.click_to_load(e, "the provider's Sign-in").await;
        } else if let Ok(e) = b.client.find(Locator::XPath("//button[normalize-space()='Continue']")).await {
            b.click_to_load(e, "the provider's Continue").await;
        } else {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// GET without following: the status, Location and Set-Cookie headers.
async fn get_raw(url: &str) -> (u16, String, Vec<String>) {
    use http_body_util::Empty;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http::<Empty<bytes::Bytes>>();
    let r = client.get(url.parse().unwrap()).await.unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let cookies = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    (r.status().as_u16(), location, cookies)
}

/// Change what the sign-in waiting at the provider is checked against, as a tampered
/// answer would differ from it: its state (so the answer's names no waiting sign-in) or
/// its nonce (so the identity token's differs).
async fn tamper(rig: &Rig, what: &str) {
    use sqlx::Connection;
    let db = rig.db.as_ref().unwrap();
    let mut c = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let sql = match what {
        "state" => "UPDATE oidc_sign_ins SET state_hash = state_hash || 'x'",
        _ => "UPDATE oidc_sign_ins SET nonce = nonce || 'x'",
    };
    let n = sqlx::query(sql).execute(&mut c).await.unwrap().rows_affected();
    assert!(n >= 1, "a sign-in waits");
    c.close().await.unwrap();
}

async fn teams_of(store: &assure_storage::Store, user: i64) -> Vec<Team> {
    store.partnership().viewer(user).await.unwrap().expect("on the pathway").teams
}

async fn audited(store: &assure_storage::Store, action: &str) -> usize {
    store.audit().list(&AuditFilter { action: Some(action.into()), ..Default::default() }, 100, 0).await.unwrap().0.len()
}

async fn links(rig: &Rig) -> usize {
    let db = rig.db.as_ref().unwrap();
    db.store.audit().list(&AuditFilter { action: Some("user.sign-in-linked".into()), ..Default::default() }, 100, 0).await.unwrap().0.len()
}

/// Sign out at Assure, then at the provider (its own confirmation), and back at
/// Assure's sign-in page.
async fn sign_out_everywhere(b: &Browser) {
    let e = b.css(".app-header__signout").await;
    b.click_to_load(e, "sign out").await;
    let started = Instant::now();
    while !b.url().await.starts_with(&format!("{}/login?notice=signed-out", b.base)) {
        assert!(started.elapsed() < Duration::from_secs(20), "not back from the provider's sign-out: {}\n{}", b.url().await, b.body_text().await);
        if let Ok(yes) = b.client.find(Locator::XPath("//button[normalize-space()='Yes, sign me out']")).await {
            let _ = yes.click().await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    b.assert_has("You have signed out").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_through_a_real_identity_provider() {
    let Some(package) = provider_package() else { return };
    let secret = assure_web::auth::random_token();
    let given = secret.clone();
    let mut rig = Rig::start_with(move |c| {
        c.oidc_secrets.0.insert(SECRET_ENV.into(), given);
        c.oidc_secrets.0.insert(WRONG_SECRET_ENV.into(), "not the client secret".into());
    })
    .await;
    let dir = rig.db.as_ref().unwrap().dir.clone();
    let idp = Idp::start(&package, &rig.base, &secret, &dir);
    let store = rig.db.as_ref().unwrap().store.clone();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for p in [
        provider("council", "Example Council account", &idp.issuer, SECRET_ENV),
        provider("wrong-secret", "Misconfigured account", &idp.issuer, WRONG_SECRET_ENV),
        // Nothing listens there (the port was free a moment ago).
        provider("gone", "Retired account", &format!("http://127.0.0.1:{closed}"), SECRET_ENV),
    ] {
        store.oidc().save(&Actor::system(), &check_provider(&p).unwrap()).await.unwrap();
    }
    let council = store.oidc().provider("council").await.unwrap().unwrap().id;
    let lead = store.users().by_email("lead-officer@example.org").await.unwrap().unwrap().0;
    assert_eq!(lead.role, Role::LeadOfficer);

    let b = rig.browser().await;

    // An issuer that does not answer: a clear message on the sign-in page, nothing started.
    b.goto("/login").await;
    b.follow("Sign in with Retired account").await;
    b.assert_error("Retired account did not answer").await;

    // Sign in at the provider: linked by the verified address, the group gives the role.
    b.goto("/login").await;
    b.follow("Sign in with Example Council account").await;
    assert!(!b.url().await.starts_with(&rig.base), "at the provider");
    through_provider(&b, "s-lead-7f3a").await;
    b.css(".app-header__signout").await;
    let who = b.text_of(".app-header__user").await;
    assert!(who.contains(&lead.name) && who.contains("Scrutiny officer"), "signed in as the lead officer, now a scrutiny officer: {who}");
    assert_eq!(store.oidc().linked(council, "s-lead-7f3a").await.unwrap(), Some(lead.id), "linked by subject");
    assert_eq!(store.users().get(lead.id).await.unwrap().unwrap().role, Role::ScrutinyOfficer);
    assert_eq!(links(&rig).await, 1);

    // Sign out: Assure's session ends, then the provider's (its own confirmation), and back.
    sign_out_everywhere(&b).await;
    b.assert_has("You have signed out").await;
    assert!(b.url().await.starts_with(&rig.base));
    b.goto("/").await;
    assert!(b.path().await.starts_with("/login"), "the session has ended");

    // Signed out at the provider too: it asks again, and the link (by subject) holds.
    b.follow("Sign in with Example Council account").await;
    b.css("input[name=login]").await;
    through_provider(&b, "s-lead-7f3a").await;
    b.css(".app-header__signout").await;
    assert_eq!(links(&rig).await, 1, "the second sign-in found the link");
    sign_out_everywhere(&b).await;

    // An address the provider has not verified links no account.
    let before = store.users().get(lead.id).await.unwrap().map(|u| (u.role, u.active, u.email));
    b.follow("Sign in with Example Council account").await;
    through_provider(&b, "s-unverified-2c91").await;
    b.assert_error("you have no Assure account that it can use").await;
    assert_eq!(b.count(".app-header__signout").await, 0);
    assert_eq!(links(&rig).await, 1);

    // A wrong client secret: the provider refuses Assure at the token endpoint.
    b.goto("/login").await;
    b.follow("Sign in with Misconfigured account").await;
    through_provider(&b, "s-lead-7f3a").await;
    b.assert_error("Misconfigured account refused Assure's client id or secret").await;
    assert_eq!(b.count(".app-header__signout").await, 0);

    // A tampered state or nonce: refused (each in a fresh browser, which the provider
    // asks to sign in, so that the sign-in waits while it is changed).
    for what in ["state", "nonce"] {
        let fresh = rig.browser().await;
        fresh.goto("/login").await;
        fresh.follow("Sign in with Example Council account").await;
        fresh.css("input[name=login]").await;
        tamper(&rig, what).await;
        through_provider(&fresh, "s-lead-7f3a").await;
        fresh.assert_error("This sign-in could not be checked").await;
        assert_eq!(fresh.count(".app-header__signout").await, 0, "a tampered {what} signs nobody in");
        fresh.quit().await;
    }

    // A sign-in started elsewhere (another browser's cookie, or none) is refused here.
    let (status, location, _) = get_raw(&format!("{}/login/oidc/council", rig.base)).await;
    assert_eq!(status, 303);
    b.client.goto(&location).await.unwrap();
    through_provider(&b, "s-lead-7f3a").await;
    b.assert_error("This sign-in could not be checked").await;
    assert_eq!(b.count(".app-header__signout").await, 0);

    // Nothing changed by the refusals.
    assert_eq!(links(&rig).await, 1);
    assert_eq!(store.users().get(lead.id).await.unwrap().map(|u| (u.role, u.active, u.email)), before);
    b.quit().await;

    // Teams from groups. A child the police's youth offending team is involved with
    // (the police are involved team by team), out of the officer's reach: they are in
    // the missing from home team, which an administrator gave them.
    let officer = store.users().by_email("missing-officer@example.org").await.unwrap().unwrap().0;
    assert_eq!(teams_of(&store, officer.id).await, vec![Team::MissingFromHome]);
    let police = store.partnership().agencies().await.unwrap().into_iter().find(|a| a.name == "Merseyside Police").expect("the demo's police").id;
    let surname = browser_rig::unique_name("Groups");
    let child = testing::new_child(
        &store,
        &ChildInput { first_name: "Tia".into(), last_name: surname.clone(), estimated_age: Some(14), ..Default::default() },
    )
    .await;
    testing::involve(&store, child, police, InvolvementKind::HoldsAction, Scope::Team(Team::YouthOffending), store.today()).await;
    let record = format!("/children/{child}");

    // Signed in through the provider in the group that gives the youth offending team:
    // in the team, and so the child's record opens.
    let b = rig.browser().await;
    b.goto("/login").await;
    b.follow("Sign in with Example Council account").await;
    through_provider(&b, "s-officer-5d21").await;
    b.css(".app-header__signout").await;
    assert_eq!(teams_of(&store, officer.id).await, vec![Team::MissingFromHome, Team::YouthOffending], "the group gave the team");
    b.goto(&record).await;
    b.assert_has(&surname).await;
    sign_out_everywhere(&b).await;

    // Out of the group by the next sign-in: out of the team, and the record is out of
    // reach; the team the administrator gave stays.
    idp.officer_groups(&["Staff"]);
    b.follow("Sign in with Example Council account").await;
    through_provider(&b, "s-officer-5d21").await;
    b.css(".app-header__signout").await;
    assert_eq!(teams_of(&store, officer.id).await, vec![Team::MissingFromHome], "leaving the group took the team away, and only it");
    b.goto(&record).await;
    b.assert_has("There is no child's record to show").await;
    b.assert_lacks(&surname).await;
    assert_eq!((audited(&store, "team.join-from-groups").await, audited(&store, "team.leave-from-groups").await), (1, 1), "each change audited");
    drop(idp);
    b.quit().await;
    rig.finish().await;
}

/// The provider form on Settings, as an administrator fills it in.
async fn save_provider(admin: &mut common::Client, csrf: &str, group_teams: &str) -> common::Resp {
    let fields = [
        ("_csrf", csrf),
        ("slug", "council"),
        ("label", "Example Council account"),
        ("issuer", "https://login.example.org/tenant/v2.0"),
        ("client_id", "assure"),
        ("secret_env", "ASSURE_OIDC_CLIENT_SECRET"),
        ("email_claim", "email"),
        ("groups_claim", "groups"),
        ("group_roles", "CSE-MASH = mash-worker"),
        ("group_teams", group_teams),
        ("create_accounts", "active"),
    ];
    admin.post_form("/admin/sign-in/providers", &fields).await
}

/// Settings: group → team lines are checked, a team Assure does not have refused with
/// the line and the teams it has, and nothing saved; good lines are kept.
async fn teams_from_groups_on_settings(db: &TestDb) {
    let app = common::demo_app(db).await;
    let mut admin = common::Client::new(app);
    admin.sign_in("administrator@example.org").await;
    let page = admin.get("/admin/sign-in").await;
    assert!(page.has("Teams from groups (optional)") && page.has("youth-offending (Youth offending team)"), "{}", page.body);
    let t = page.csrf();

    let r = save_provider(&mut admin, &t, "CSE-MASH = mash\nPolice CSE Unit = police-cse-unit").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.has("href=\"#group_teams\""), "the error summary links to the field: {}", r.body);
    assert!(r.has("Line 2 of the group teams names &quot;police-cse-unit&quot;, which is not a team Assure has: use one of mash,"), "{}", r.body);
    assert!(r.has("Police CSE Unit = police-cse-unit"), "what was typed is kept: {}", r.body);
    assert!(db.store.oidc().providers().await.unwrap().is_empty(), "nothing saved");

    let r = save_provider(&mut admin, &t, "CSE-MASH = mash\nPolice CSE Unit = police-cse").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let saved = db.store.oidc().provider("council").await.unwrap().expect("saved").provider;
    assert_eq!(saved.group_teams, "CSE-MASH = mash\nPolice CSE Unit = police-cse");
}
on_both_engines!(settings_teams, teams_from_groups_on_settings, demo = crate::common::password_hash());
