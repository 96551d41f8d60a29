//! The pages over HTTP: permissions on every route, sign-in and sessions, CSRF,
//! security headers, bad input, and query counts that do not grow with rows.

mod common;

use assure_domain::import::check_upload;
use assure_domain::tracker::{check_action, ActionInput, ScheduleInput, UpdateRequestInput};
use assure_domain::{Permission, Role};
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_web::routes::{self, Kind};
use axum::http::{Method, StatusCode};
use common::{demo_app, demo_app_with, Client};

fn path_with_ids(p: &str, id: i64) -> String {
    p.replace("{id}", &id.to_string())
}

/// Every declared route needs its permission: signed out, only public routes answer.
async fn signed_out_callers_reach_only_public_routes(db: &TestDb) {
    let mut c = Client::new(demo_app(db).await);
    let table = routes::table();
    assert!(table.specs.len() > 40);
    for spec in &table.specs {
        let path = path_with_ids(spec.path, 1);
        let r = if spec.method == Method::GET { c.get(&path).await } else { c.post_form(&path, &[]).await };
        if spec.permission == Permission::Public {
            assert!(
                r.status != StatusCode::UNAUTHORIZED && r.status != StatusCode::FORBIDDEN || spec.method == Method::POST,
                "{} {path} is public",
                spec.method
            );
            continue;
        }
        match (spec.kind, &spec.method) {
            (Kind::Page, &Method::GET) => {
                assert_eq!(r.status, StatusCode::SEE_OTHER, "GET {path} must send a signed-out caller to sign in");
                assert!(r.location().starts_with("/login?next="), "{path}");
            }
            _ => assert!(matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "{} {path} answered {}", spec.method, r.status),
        }
    }
}
on_both_engines!(signed_out, signed_out_callers_reach_only_public_routes, demo = crate::common::password_hash());

/// Deny by default: a route added without a permission is refused even to an administrator.
#[tokio::test]
async fn a_route_without_a_permission_is_refused() {
    let db = TestDb::new(assure_storage::Engine::Sqlite).await;
    let hash = assure_web::auth::hash_password(common::PASSWORD);
    assure_storage::demo::load(&db.store, common::today(), &hash).await.unwrap();
    let (mut routers, table) = routes::build();
    routers.app = routers.app.route("/sneaky", axum::routing::get(|| async { "secret" }));
    let state = assure_web::AppState {
        store: db.store.clone(),
        config: std::sync::Arc::new(assure_web::Config::new(db.dir.clone())),
        routes: std::sync::Arc::new(table),
    };
    let mut c = Client::new(routes::finish(routers, state));
    c.sign_in("administrator@example.org").await;
    let r = c.get("/sneaky").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.has("secret"));
    db.cleanup().await;
}

/// A meeting with a minute whose resolution requested a report for the next meeting,
/// and a member of the body.
async fn meeting_records(db: &TestDb, body: i64) -> (i64, i64, i64, i64) {
    use assure_domain::meetings::{MeetingInput, MeetingType, ResolutionKind, ResolutionPartInput};
    let a = assure_storage::Actor::system();
    let m = db.store.meetings();
    let input = |days| MeetingInput {
        date: Some(common::today() + chrono::Duration::days(days)),
        time: "18:30".into(),
        venue: "Town Hall".into(),
        kind: Some(MeetingType::Ordinary),
        joint_with: String::new(),
    };
    let first = m.create_meeting(&a, body, &input(7)).await.unwrap();
    let next = m.create_meeting(&a, body, &input(70)).await.unwrap();
    let (minute, _) = m.add_minute(&a, first, "Work programme", "", None, None).await.unwrap();
    let part = ResolutionPartInput {
        kind: Some(ResolutionKind::RequestedReport),
        text: "a report be submitted".into(),
        report_from: "Head of Service".into(),
        due_meeting: Some(next),
        ..Default::default()
    };
    m.add_resolution_part(&a, minute, &part).await.unwrap();
    // Its agenda published, so every reader may have the public pack.
    let item = assure_domain::meetings::AgendaItemInput {
        kind: Some(assure_domain::meetings::AgendaKind::Apologies),
        title: "Apologies for absence".into(),
        exempt_paragraph: None,
    };
    m.add_agenda_item(&a, first, &item, None, None, None).await.unwrap();
    // A report item with an uploaded paper (a PDF, published beside the pack).
    let report = assure_domain::meetings::AgendaItemInput {
        kind: Some(assure_domain::meetings::AgendaKind::Report),
        title: "Performance figures".into(),
        exempt_paragraph: None,
    };
    let paper_item = m.add_agenda_item(&a, first, &report, None, None, None).await.unwrap();
    let pdf = assure_storage::meetings::PaperUpload {
        name: "figures.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.4\n%%EOF\n".to_vec(),
        blocks: None,
    };
    m.upload_paper(&a, paper_item, 0, &pdf).await.unwrap();
    let v = m.meeting(first).await.unwrap().version;
    m.set_status(&a, first, v, assure_domain::meetings::MeetingStatus::AgendaPublished).await.unwrap();
    let person = m.add_person(&a, "Councillor Routes", "Labour").await.unwrap();
    let member = assure_domain::meetings::MembershipInput {
        person: Some(person),
        role: Some(assure_domain::meetings::MemberRole::Councillor),
        term_start: Some(common::today()),
        ..Default::default()
    };
    let membership = m.add_member(&a, body, &member).await.unwrap();
    (first, m.requests(None).await.unwrap()[0].id, membership, paper_item)
}

/// A forward plan item and a published plan.
async fn forward_plan_records(db: &TestDb) -> (i64, i64) {
    let a = assure_storage::Actor::system();
    let input = assure_domain::forward_plan::ItemInput {
        title: "Commission a return-interview service".into(),
        decision_maker: Some(assure_domain::forward_plan::DecisionMaker::Cabinet),
        expected: Some(common::today() + chrono::Duration::days(60)),
        financial: true,
        contact_officer: "Head of Commissioning".into(),
        ..Default::default()
    };
    let item = db.store.forward_plan().create_item(&a, &input).await.unwrap();
    (item, db.store.forward_plan().publish(&a).await.unwrap())
}

/// Each demo role signs in and reaches exactly the pages its role allows.
async fn each_role_reaches_what_it_should(db: &TestDb) {
    let app = demo_app(db).await;
    let table = routes::table();
    let rec = common::scrutiny_recommendation(&db.store).await;
    let review = rec.review_id;
    let body = db.store.tracker().bodies().await.unwrap()[0].id;
    // An issued report every role may read, and a draft only managers may edit.
    let officer = assure_storage::Actor::system();
    let input = assure_storage::reports::ReportInput { review_id: Some(review), body_id: None, meeting_date: Some(common::today()), layout: None };
    let issued = db.store.reports().create(&officer, &input).await.unwrap();
    db.store.reports().issue(&officer, issued, 1, common::today()).await.unwrap();
    let draft = db.store.reports().create(&officer, &input).await.unwrap();
    let staged = db
        .store
        .imports()
        .stage(
            &officer,
            &check_upload("tracker.csv", vec![vec!["Recommendation".to_string()], vec!["Lobby the Home Secretary".to_string()]]).unwrap(),
        )
        .await
        .unwrap();
    let (panel, child, operation) = macse_records(db).await;
    let quarterly = db.store.quarterly().list(true).await.unwrap()[0].id;
    let (meeting, request, membership, paper_item) = meeting_records(db, body).await;
    let (plan_item, plan) = forward_plan_records(db).await;
    // The demo's statement of action (two versions), an action of it, a scorecard and a measure.
    let soa = db.store.improvement_plans().list().await.unwrap().into_iter().find(|p| p.latest == 2).unwrap().id;
    let soa_action = db.store.improvement_plans().version(soa, 2).await.unwrap().actions[0].id;
    let scorecard = db.store.scorecards().list().await.unwrap()[0].id;
    let measure = db.store.scorecards().all_measures().await.unwrap()[0].id;
    for role in Role::ALL {
        let mut c = Client::new(app.clone());
        c.sign_in(&format!("{}@example.org", role.slug())).await;
        for spec in table.specs.iter().filter(|s| s.method == Method::GET && s.kind == Kind::Page) {
            let id = if spec.path.starts_with("/forward-plan/items/") {
                plan_item
            } else if spec.path.starts_with("/forward-plan/publications/") {
                plan
            } else if spec.path.starts_with("/meetings/bodies/") {
                body
            } else if spec.path.starts_with("/meetings/requests/") {
                request
            } else if spec.path.starts_with("/meetings/members/") {
                membership
            } else if spec.path.starts_with("/meetings/agenda-items/") {
                paper_item
            } else if spec.path.starts_with("/meetings/") {
                meeting
            } else if spec.path.starts_with("/reviews/") {
                review
            } else if spec.path.starts_with("/bodies/") {
                body
            } else if spec.path == "/reports/{id}/cover" {
                draft
            } else if spec.path.starts_with("/reports/") {
                issued
            } else if spec.path.starts_with("/imports/") {
                staged
            } else if spec.path.starts_with("/panels/") {
                panel
            } else if spec.path.starts_with("/children/") {
                child
            } else if spec.path.starts_with("/operations/") {
                operation
            } else if spec.path.starts_with("/quarterly-reports/") {
                quarterly
            } else if spec.path.starts_with("/plans/{id}") {
                soa
            } else if spec.path.starts_with("/scorecards/measures/") {
                measure
            } else if spec.path.starts_with("/scorecards/") {
                scorecard
            } else {
                rec.id
            };
            if spec.path.starts_with("/evidence/") {
                continue;
            }
            let format = if spec.path.contains("/agenda-pack")
                || spec.path.contains("/minutes-document")
                || spec.path.starts_with("/forward-plan/")
                || spec.path.starts_with("/scorecards/")
            {
                "docx"
            } else {
                "csv"
            };
            let mut path = path_with_ids(spec.path, id)
                .replace("{format}", format)
                .replace("{file}", "register.csv")
                .replace("{n}", "1")
                .replace("{action}", &soa_action.to_string())
                .replace("{slug}", "referrals")
                .replace("{month}", &common::today().format("%Y-%m").to_string());
            if path.starts_with("/work-programme/download/") {
                path.push_str(&format!("?body={body}&year={}", assure_domain::meetings::MunicipalYear::of(common::today()).label()));
            }
            if path.ends_with("/compare") {
                path.push_str(&format!("?with={issued}"));
            }
            let r = c.get(&path).await;
            // A child's record and its parts answer by the need-to-know rule as well as
            // the role: tests/access_matrix.rs covers them for every kind of viewer.
            if role.allows(spec.permission) && spec.path.starts_with("/children/{id}") {
                continue;
            } else if role.allows(spec.permission) && spec.path == "/meetings/{id}/minutes-document/{format}" {
                // Members read approved minutes only (this meeting's are a draft):
                // tests/meetings.rs covers both.
                continue;
            } else if role.allows(spec.permission) && spec.path.starts_with("/case-audits/{id}") {
                // A round answers by who runs rounds and who audits its cases:
                // tests/case_audits.rs covers it.
                continue;
            } else if spec.path == "/meetings/feed/{secret}/calendar.ics" {
                // A made-up feed address is not found (tests/meetings.rs has a real one).
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{role:?} GET {}", spec.path);
            } else if spec.path == "/password-reset/{secret}" {
                // A made-up reset link answers that it no longer works (tests/password_reset.rs).
                assert_eq!(r.status, StatusCode::GONE, "{role:?} GET {}", spec.path);
            } else if role.allows(spec.permission) {
                assert!(r.status.is_success() || r.status == StatusCode::SEE_OTHER, "{role:?} GET {} → {}", spec.path, r.status);
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?} GET {}", spec.path);
                assert!(r.has("You do not have access to this page"));
            }
        }
        // Navigation offers only what the role may use.
        let home = c.get("/").await;
        // The administrator's sections are gathered on the Admin page, not in the menu.
        assert_eq!(home.has("href=\"/admin\""), role == Role::Administrator, "{role:?}");
        assert!(!home.has("href=\"/admin/audit\""), "{role:?}: the audit log is on the Admin page");
        assert_eq!(home.has("href=\"/bodies\""), role.allows(Permission::ManageTracker), "{role:?}");
        // A committee member's recommendation page has no forms that change anything.
        let page = c.get(&format!("/recommendations/{}", rec.id)).await;
        if role == Role::CommitteeMember {
            assert!(!page.has("/updates?_csrf=") && !page.has("/response\"") && !page.has("/lifecycle\""));
        }
    }
}
on_both_engines!(roles, each_role_reaches_what_it_should, demo = crate::common::password_hash());

/// A panel, a child (with a plan) and an operation, for the MACSE routes.
async fn macse_records(db: &TestDb) -> (i64, i64, i64) {
    use assure_domain::partnership::{InvolvementKind, Scope, Section};
    use assure_domain::plan::{ActionStatus, PlanAction, PlanVersion};
    use assure_storage::testing;
    let sys = assure_storage::Actor::system();
    let today = common::today();
    let panel = db.store.panel_calendar().generate_series(&sys, Some(today), Some(today), "").await.unwrap()[0];
    let input =
        assure_storage::children::ChildInput { first_name: "Rae".into(), last_name: "Routes".into(), estimated_age: Some(14), ..Default::default() };
    let child = testing::new_child(&db.store, &input).await;
    let agencies = db.store.partnership().agencies().await.unwrap();
    for name in ["Hillside High School", "Merseyside Police", "Children's Social Care"] {
        let a = agencies.iter().find(|a| a.name == name).unwrap().id;
        testing::involve(&db.store, child, a, InvolvementKind::RaisedConcern, Scope::Agency, today).await;
    }
    let action = PlanAction {
        section: Section::Prevent,
        text: "Mentoring".into(),
        owner: "A Owner".into(),
        agency_id: Some(agencies[0].id),
        due: Some(today),
        status: ActionStatus::NotStarted,
    };
    let v =
        PlanVersion { number: 0, panel_date: None, review_date: Some(today + chrono::Duration::days(28)), sections: vec![], actions: vec![action] };
    common::record_as(db, "cse-analyst@example.org", child, Section::Profile).await.save_plan_version(0, Some(panel), &v, None, today).await.unwrap();
    let officer = testing::reader(&db.store, "police-cse-officer@example.org").await;
    let operation = db
        .store
        .police(&officer)
        .create_operation("Operation Routes", Some(assure_domain::panels::OperationKind::Prevent), "DI Lead", None)
        .await
        .unwrap();
    (panel, child, operation)
}

#[tokio::test]
async fn pages_carry_security_headers_and_strict_cookies() {
    let db = TestDb::new(assure_storage::Engine::Sqlite).await;
    let mut c = Client::new(demo_app_with(&db, |cfg| cfg.https = true).await);
    let r = c.get("/login").await;
    let h = &r.headers;
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(h.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(h.get("referrer-policy").unwrap(), "no-referrer");
    assert!(h.get("strict-transport-security").is_some(), "HSTS when served over TLS");
    let login = c.sign_in("scrutiny-officer@example.org").await;
    let set = login.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|v| v.contains("assure_session")).unwrap();
    assert!(
        set.starts_with("__Host-assure_session=") && set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Secure"),
        "{set}"
    );
    db.cleanup().await;
}

async fn sign_in_rotates_sessions_and_sign_out_ends_them(db: &TestDb) {
    let app = demo_app(db).await;
    // A session id planted before sign-in (fixation) is never the one used after it.
    let mut c = Client::new(app.clone());
    let token = c.get("/login").await.csrf();
    c.cookies.push(("assure_session".into(), "f".repeat(64)));
    let r = c.post_form("/login", &[("_csrf", &token), ("email", "scrutiny-officer@example.org"), ("password", common::PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let first = c.cookies.iter().find(|(k, _)| k == "assure_session").unwrap().1.clone();
    assert_ne!(first, "f".repeat(64));
    // Each sign-in gets its own id.
    let mut c2 = Client::new(app.clone());
    c2.sign_in("scrutiny-officer@example.org").await;
    let second = c2.cookies.iter().find(|(k, _)| k == "assure_session").unwrap().1.clone();
    assert_ne!(first, second);
    let token = c.csrf().await;
    let r = c.post_form("/logout", &[("_csrf", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut after = Client::new(app.clone());
    after.cookies.push(("assure_session".into(), first));
    assert_eq!(after.get("/").await.status, StatusCode::SEE_OTHER, "a signed-out session is gone from the database");
    assert_eq!(c2.get("/").await.status, StatusCode::OK, "other sessions carry on");
}
on_both_engines!(sessions, sign_in_rotates_sessions_and_sign_out_ends_them, demo = crate::common::password_hash());

#[tokio::test]
async fn idle_sessions_expire() {
    let db = TestDb::new(assure_storage::Engine::Sqlite).await;
    let mut c = Client::new(demo_app_with(&db, |cfg| cfg.session_idle = std::time::Duration::from_secs(1)).await);
    c.sign_in("committee-member@example.org").await;
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(c.get("/").await.status, StatusCode::SEE_OTHER);
    db.cleanup().await;
}

/// A sign-in form post from `ip` (as the peer address the server sees).
fn login_from(ip: &str, token: &str, email: &str, password: &str) -> axum::http::Request<axum::body::Body> {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("_csrf", token), ("email", email), ("password", password), ("next", "/")])
        .finish();
    let mut req = axum::http::Request::post("/login")
        .header("cookie", format!("assure_form={token}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body))
        .unwrap();
    let peer: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
    req
}

async fn failed_sign_ins(db: &TestDb) -> usize {
    let (entries, _) = db
        .store
        .audit()
        .list(&assure_storage::audit::AuditFilter { action: Some("user.login-failed".into()), ..Default::default() }, 1000, 0)
        .await
        .unwrap();
    entries.len()
}

async fn repeated_failures_slow_sign_in_down(db: &TestDb) {
    let mut c = Client::new(demo_app(db).await);
    for _ in 0..5 {
        let token = c.get("/login").await.csrf();
        let r = c.post_form("/login", &[("_csrf", &token), ("email", "lead-officer@example.org"), ("password", "wrong password!")]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.has("Enter a correct email address and password"));
    }
    let token = c.get("/login").await.csrf();
    let r = c.post_form("/login", &[("_csrf", &token), ("email", "lead-officer@example.org"), ("password", common::PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // The first wait is 2 seconds from the fifth attempt; it may have run down a little.
    let secs: i64 = r.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&secs), "{secs}");
    let wait = format!("too many attempts to sign in. Wait {} and try again", assure_web::auth::wait_in_words(secs));
    assert!(r.has(&wait), "{}", r.body);
    // Another account from elsewhere is not slowed down.
    let mut other = Client::new(c.app.clone());
    other.sign_in("committee-member@example.org").await;
    // A delay, not a lock-out: once it has passed, the right password works.
    tokio::time::sleep(std::time::Duration::from_millis(secs as u64 * 1000 + 100)).await;
    c.sign_in("lead-officer@example.org").await;
}
on_both_engines!(throttle, repeated_failures_slow_sign_in_down, demo = crate::common::password_hash());

/// 100 wrong passwords sent at once, over two instances of the server (two pools on
/// one database): at most the free attempts are checked, every other one is told to
/// wait; and the real user, from another address, signs in straight away.
async fn concurrent_wrong_passwords_are_counted_before_checking(db: &TestDb) {
    // The clock stands still, so a wait cannot run out while a busy machine works
    // through the hundred attempts (both instances read the same clock).
    let clock = assure_domain::Clock::fixed(chrono::Utc::now());
    let db = &db.with_clock(clock.clone());
    let mut first = Client::new(demo_app(db).await);
    let token = first.get("/login").await.csrf();
    let second = assure_web::app(assure_storage::Store::open(&db.url).await.unwrap().with_clock(clock), assure_web::Config::new(db.dir.clone()));
    let apps = [first.app.clone(), second];
    let mut tasks = Vec::new();
    for i in 0..100 {
        let app = apps[i % 2].clone();
        let req = login_from("203.0.113.7", &token, "lead-officer@example.org", &format!("guess number {i}"));
        tasks.push(tokio::spawn(async move { tower::ServiceExt::oneshot(app, req).await.unwrap() }));
    }
    let (mut checked, mut waiting) = (0, 0);
    for t in tasks {
        let r = t.await.unwrap();
        match r.status() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                let secs: i64 = r.headers().get("retry-after").expect("Retry-After").to_str().unwrap().parse().unwrap();
                assert!(secs >= 1);
                waiting += 1
            }
            s => panic!("unexpected {s}"),
        }
    }
    assert!(checked <= 5, "{checked} of 100 concurrent wrong passwords were checked");
    assert!(checked >= 1);
    assert_eq!(checked + waiting, 100);
    assert_eq!(failed_sign_ins(db).await, checked, "each checked attempt is audited, and only those");
    // The attacker's address is still told to wait, even with the right password.
    let r =
        tower::ServiceExt::oneshot(apps[0].clone(), login_from("203.0.113.7", &token, "lead-officer@example.org", common::PASSWORD)).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // The real user, from their own address, is not.
    let r =
        tower::ServiceExt::oneshot(apps[1].clone(), login_from("198.51.100.20", &token, "lead-officer@example.org", common::PASSWORD)).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the real user is kept out by a stranger's guesses");
}
on_both_engines!(throttle_concurrent, concurrent_wrong_passwords_are_counted_before_checking, demo = crate::common::password_hash());

/// Guesses spread over many addresses meet the softer per-account limit: a short
/// wait (never more than a minute), not a lock-out.
async fn guesses_from_many_addresses_meet_a_short_per_account_wait(db: &TestDb) {
    let app = demo_app(db).await;
    let mut c = Client::new(app.clone());
    let token = c.get("/login").await.csrf();
    for i in 0..20 {
        let r =
            tower::ServiceExt::oneshot(app.clone(), login_from(&format!("192.0.2.{}", i + 1), &token, "lead-officer@example.org", "nope nope nope"))
                .await
                .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = tower::ServiceExt::oneshot(app.clone(), login_from("192.0.2.99", &token, "lead-officer@example.org", common::PASSWORD)).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let secs: i64 = r.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&secs), "{secs}");
}
on_both_engines!(throttle_accounts, guesses_from_many_addresses_meet_a_short_per_account_wait, demo = crate::common::password_hash());

/// Wrong API tokens are counted against the address too: 401, then 429 with Retry-After.
async fn wrong_api_tokens_are_throttled(db: &TestDb) {
    let app = demo_app(db).await;
    let mut statuses = Vec::new();
    for i in 0..8 {
        let mut req =
            axum::http::Request::get("/api/v1/reviews").header("authorization", format!("Bearer wrong-{i}")).body(axum::body::Body::empty()).unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo("203.0.113.9:1234".parse::<std::net::SocketAddr>().unwrap()));
        let r = tower::ServiceExt::oneshot(app.clone(), req).await.unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers().contains_key("retry-after"));
        }
        statuses.push(r.status());
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
}
on_both_engines!(throttle_api, wrong_api_tokens_are_throttled, demo = crate::common::password_hash());

/// Behind HTTPS the signed-out form's cookie is Secure, as the session's is.
async fn pre_sign_in_cookie_is_secure_behind_https(db: &TestDb) {
    let mut c = Client::new(demo_app_with(db, |cfg| cfg.https = true).await);
    let r = c.get("/login").await;
    let set = r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|v| v.starts_with("assure_form=")).unwrap();
    assert!(set.contains("; Secure"), "{set}");
}
on_both_engines!(pre_sign_in_cookie, pre_sign_in_cookie_is_secure_behind_https, demo = crate::common::password_hash());

async fn forged_or_missing_csrf_saves_nothing(db: &TestDb) {
    let mut c = Client::new(demo_app(db).await);
    c.sign_in("scrutiny-officer@example.org").await;
    let before = db.store.tracker().reviews().await.unwrap().len();
    for token in ["", "0000000000000000000000000000000000000000000000000000000000000000"] {
        let r = c.post_form("/reviews", &[("_csrf", token), ("kind", "other"), ("title", "Forged")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.has("Your form could not be sent"));
    }
    // A cross-site origin is refused even with the right token.
    let token = c.csrf().await;
    let body = format!("_csrf={token}&kind=other&title=Forged");
    let req = axum::http::Request::post("/reviews")
        .header("cookie", c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .header("host", "assure.example")
        .body(axum::body::Body::from(body))
        .unwrap();
    assert_eq!(c.send(req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(db.store.tracker().reviews().await.unwrap().len(), before);
    // With the right token it works.
    let r = c.post_form("/reviews", &[("_csrf", &token), ("kind", "other"), ("title", "Genuine")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(db.store.tracker().reviews().await.unwrap().len(), before + 1);
}
on_both_engines!(csrf, forged_or_missing_csrf_saves_nothing, demo = crate::common::password_hash());

async fn bad_input_gets_a_clear_answer_and_saves_nothing(db: &TestDb) {
    let mut c = Client::new(demo_app(db).await);
    c.sign_in("scrutiny-officer@example.org").await;
    let t = c.csrf().await;
    // Missing fields and an end before a start.
    let r = c.post_form("/reviews", &[("_csrf", &t), ("title", ""), ("start_date", "01/09/2017"), ("end_date", "01/08/2017")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.has("app-error-summary")
            && r.has("Select the kind of review")
            && r.has("Enter the title of the review")
            && r.has("end date must be the same as or after the start date")
    );
    assert!(r.has("<title>Error: "));
    // A date that is not a date.
    let r = c.post_form("/reviews", &[("_csrf", &t), ("kind", "other"), ("title", "X"), ("report_date", "31/02/2017")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The report date must be a real date"));

    let licensing = db.store.tracker().reviews().await.unwrap().into_iter().find(|r| r.title.starts_with("Licensing")).unwrap();
    let recs = db.store.tracker().review_recommendations(licensing.id).await.unwrap();
    let r4 = recs.iter().find(|r| r.number == 4).unwrap();
    // A rejection without a reason.
    let r = c
        .post_form(
            &format!("/recommendations/{}/response", r4.id),
            &[("_csrf", &t), ("version", &r4.version.to_string()), ("response", "rejected"), ("response_date", "05/10/2017")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter the reason the executive rejected the recommendation"));
    assert!(r.has("href=\"#response-response_reason\""), "the error summary links to the field");
    // A revised date without a reason.
    let detail = db.store.tracker().recommendation_detail(r4.id).await.unwrap();
    let a = &detail.actions[0];
    let r = c
        .post_form(
            &format!("/actions/{}/revise", a.id),
            &[("_csrf", &t), ("version", &a.version.to_string()), ("new_date", "31/12/2030"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter the reason the target date is being revised"));
    // A stale edit: someone else saved first.
    let ok = c
        .post_form(
            &format!("/recommendations/{}/lifecycle", r4.id),
            &[("_csrf", &t), ("version", &r4.version.to_string()), ("lifecycle", "in-progress")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let stale = c
        .post_form(
            &format!("/recommendations/{}/lifecycle", r4.id),
            &[("_csrf", &t), ("version", &r4.version.to_string()), ("lifecycle", "paused"), ("reason", "x")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.has("Someone else changed this record"));
    let after = db.store.tracker().recommendation_detail(r4.id).await.unwrap();
    assert_eq!(after.rec.lifecycle, assure_domain::tracker::Lifecycle::InProgress);
    assert!(after.actions[0].revisions.len() == a.revisions.len(), "no revision saved without a reason");
    assert_eq!(after.rec.response, assure_domain::tracker::ExecutiveResponse::Accepted);
    // Unknown ids.
    assert_eq!(c.get("/recommendations/987654").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/recommendations/not-a-number").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/reviews/987654").await.status, StatusCode::NOT_FOUND);
}
on_both_engines!(bad_input, bad_input_gets_a_clear_answer_and_saves_nothing);

async fn lead_officers_change_only_what_they_lead(db: &TestDb) {
    let mut c = Client::new(demo_app(db).await);
    c.sign_in("lead-officer@example.org").await;
    let t = c.csrf().await;
    let licensing = db.store.tracker().reviews().await.unwrap().into_iter().find(|r| r.title.starts_with("Licensing")).unwrap();
    let recs = db.store.tracker().review_recommendations(licensing.id).await.unwrap();
    let theirs = recs.iter().find(|r| r.number == 3).unwrap();
    let mine = recs.iter().find(|r| r.number == 2).unwrap();
    let before = db.store.tracker().recommendation_detail(theirs.id).await.unwrap().updates.len();
    let r = c
        .post_multipart(
            &format!("/recommendations/{}/updates?_csrf={t}", theirs.id),
            &[("update_date", "01/11/2026"), ("narrative", "Not mine to report")],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.has("You can only change recommendations you lead"));
    assert_eq!(db.store.tracker().recommendation_detail(theirs.id).await.unwrap().updates.len(), before);
    let r = c
        .post_form(
            &format!("/recommendations/{}/lifecycle", theirs.id),
            &[("_csrf", &t), ("version", &theirs.version.to_string()), ("lifecycle", "paused"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Their own: fine, with evidence, and the download is audited.
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF";
    let r = c
        .post_multipart(
            &format!("/recommendations/{}/updates?_csrf={t}", mine.id),
            &[("update_date", "01/11/2026"), ("narrative", "Reply received from the Department"), ("progress_percent", "70")],
            &[("evidence", "reply.pdf", pdf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let detail = db.store.tracker().recommendation_detail(mine.id).await.unwrap();
    let ev = &detail.updates[0].evidence[0];
    let dl = c.get(&format!("/evidence/{}", ev.id)).await;
    assert_eq!(dl.status, StatusCode::OK);
    assert!(dl.headers.get("content-disposition").unwrap().to_str().unwrap().starts_with("attachment"));
    assert_eq!(dl.body.as_bytes(), pdf);
    let (audit, _) = db
        .store
        .audit()
        .list(&assure_storage::audit::AuditFilter { action: Some("evidence.download".into()), ..Default::default() }, 10, 0)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "lead-officer@example.org");
    // A disguised upload is refused and nothing is saved.
    let r = c
        .post_multipart(
            &format!("/recommendations/{}/updates?_csrf={t}", mine.id),
            &[("update_date", "02/11/2026"), ("narrative", "With a disguised file")],
            &[("evidence", "letter.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("must be a PDF, Word document"));
    assert_eq!(db.store.tracker().recommendation_detail(mine.id).await.unwrap().updates.len(), detail.updates.len());
}
on_both_engines!(lead_officers, lead_officers_change_only_what_they_lead, demo = crate::common::password_hash());

#[tokio::test]
async fn oversized_uploads_are_refused() {
    let db = TestDb::new(assure_storage::Engine::Sqlite).await;
    let mut c = Client::new(demo_app_with(&db, |cfg| cfg.max_upload_bytes = 64 * 1024).await);
    c.sign_in("scrutiny-officer@example.org").await;
    let t = c.csrf().await;
    let rec = common::scrutiny_recommendation(&db.store).await;
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(100 * 1024, b'x');
    let r = c
        .post_multipart(
            &format!("/recommendations/{}/updates?_csrf={t}", rec.id),
            &[("update_date", "02/11/2026"), ("narrative", "Big file")],
            &[("evidence", "big.pdf", &big)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("must be smaller than"));
    // Far past the request limit: a clear 413, not a 500.
    big.resize(2 * 1024 * 1024, b'x');
    let r = c
        .post_multipart(
            &format!("/recommendations/{}/updates?_csrf={t}", rec.id),
            &[("update_date", "02/11/2026"), ("narrative", "Huge file")],
            &[("evidence", "big.pdf", &big)],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(db.store.tracker().recommendation_detail(rec.id).await.unwrap().updates.iter().all(|u| !u.narrative.contains("file")));
    db.cleanup().await;
}

/// List and dashboard pages issue the same number of queries however many rows they show.
async fn list_pages_do_not_grow_their_query_count(db: &TestDb) {
    let mut c = Client::new(demo_app(db).await);
    c.sign_in("scrutiny-officer@example.org").await;
    let pages = ["/", "/recommendations", "/reviews", "/my", "/schedule"];
    let mut admin = Client::new(c.app.clone());
    admin.sign_in("administrator@example.org").await;
    let review = common::scrutiny_review(&db.store).await;
    let officer = assure_storage::Actor { user_id: Some(2), label: "x".into(), ip: String::new() };
    let lead = db.store.users().by_email("scrutiny-officer@example.org").await.unwrap().unwrap().0.id;
    let add = |n: i64| {
        let store = db.store.clone();
        let officer = officer.clone();
        async move {
            let id = store
                .tracker()
                .create_recommendation(
                    &officer,
                    review,
                    &assure_storage::tracker::RecommendationInput {
                        number: Some(n),
                        committee_wording: format!("Extra {n}"),
                        lead_ids: vec![lead],
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            let action = ActionInput { text: "Do it".into(), owner: String::new(), target_date: Some(common::today()) };
            store.tracker().add_action(&officer, id, &check_action(&action).unwrap()).await.unwrap();
            let request = UpdateRequestInput { recommendation_ids: vec![id], due_date: Some(common::today()), ..Default::default() };
            store.tracker().request_updates(&officer, &request, common::today()).await.unwrap();
        }
    };
    add(99).await;
    let mut before = Vec::new();
    for p in pages {
        let start = db.store.query_count();
        c.get(p).await;
        before.push(db.store.query_count() - start);
    }
    let start = db.store.query_count();
    admin.get("/admin/audit").await;
    let audit_before = db.store.query_count() - start;
    // Thirty more recommendations with leads, actions and update requests.
    for n in 100..130 {
        add(n).await;
    }
    // And more monitoring schedules for the schedule page.
    let body = db.store.tracker().bodies().await.unwrap()[0].id;
    for r in db.store.tracker().reviews().await.unwrap() {
        let schedule =
            ScheduleInput { body_id: Some(body), first_report_date: Some(common::today()), interval_months: Some(3), ..Default::default() };
        db.store.tracker().add_schedule(&officer, r.id, &schedule).await.unwrap();
    }
    for (i, p) in pages.iter().enumerate() {
        let start = db.store.query_count();
        let r = c.get(p).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(db.store.query_count() - start, before[i], "{p} issues the same number of queries with more rows");
    }
    let start = db.store.query_count();
    assert_eq!(admin.get("/admin/audit").await.status, StatusCode::OK);
    assert_eq!(db.store.query_count() - start, audit_before, "the audit page with more entries");
}
on_both_engines!(query_counts, list_pages_do_not_grow_their_query_count);

/// The href of a page's Next (or Previous) link, if it has one.
fn pager_link(body: &str, rel: &str) -> Option<String> {
    let at = body.find(&format!("rel=\"{rel}\""))?;
    let start = body[..at].rfind("href=\"")? + 6;
    let end = start + body[start..].find('"')?;
    Some(body[start..end].replace("&amp;", "&"))
}

/// The ids of `/{kind}/{id}` links on a page, in order, each once.
fn linked_ids(body: &str, kind: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for part in body.split(&format!("href=\"/{kind}/")).skip(1) {
        if let Some(Ok(id)) = part.split_once('"').map(|(id, _)| id.parse::<i64>()) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// A review's recommendations and the reviews list a page at a time: Next shows the
/// next items, Previous the ones before, nothing twice and nothing missed.
async fn reviews_and_a_reviews_recommendations_are_paged(db: &TestDb) {
    let mut c = Client::new(demo_app(db).await);
    c.sign_in("scrutiny-officer@example.org").await;
    let officer = assure_storage::Actor { user_id: Some(2), label: "x".into(), ip: String::new() };
    let review = common::scrutiny_review(&db.store).await;
    for n in 100..200 {
        let input = assure_storage::tracker::RecommendationInput { number: Some(n), committee_wording: format!("Paged {n}"), ..Default::default() };
        db.store.tracker().create_recommendation(&officer, review, &input).await.unwrap();
    }
    let all: Vec<i64> = db.store.tracker().review_recommendations(review).await.unwrap().iter().map(|r| r.id).collect();
    assert!(all.len() > 100);
    let mut seen = Vec::new();
    let mut url = format!("/reviews/{review}");
    let mut pages = 0;
    loop {
        let r = c.get(&url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        let ids = linked_ids(&r.body, "recommendations");
        assert!(ids.len() <= 50, "{} on one page", ids.len());
        assert_eq!(pager_link(&r.body, "prev").is_some(), pages > 0, "{url}");
        seen.extend(ids);
        pages += 1;
        match pager_link(&r.body, "next") {
            Some(next) => url = next,
            None => break,
        }
    }
    assert_eq!(seen, all, "every recommendation once, in number order, over {pages} pages");
    // Previous from the last page shows the page before it.
    let last = c.get(&url).await;
    let prev = c.get(&pager_link(&last.body, "prev").unwrap()).await;
    assert_eq!(linked_ids(&prev.body, "recommendations"), all[50..100].to_vec());

    // The reviews list: 60 more reviews, fifty a page.
    for i in 0..60 {
        let input = assure_domain::tracker::ReviewInput {
            kind: Some(assure_domain::tracker::ReviewKind::Other),
            title: format!("Paged review {i}"),
            ..Default::default()
        };
        db.store.tracker().create_review(&officer, &input).await.unwrap();
    }
    let all: Vec<i64> = db.store.tracker().reviews().await.unwrap().iter().map(|r| r.id).collect();
    let first = c.get("/reviews").await;
    let second = c.get(&pager_link(&first.body, "next").expect("a next page")).await;
    let (a, b) = (linked_ids(&first.body, "reviews"), linked_ids(&second.body, "reviews"));
    let a: Vec<i64> = a.into_iter().filter(|id| all.contains(id)).collect();
    let b: Vec<i64> = b.into_iter().filter(|id| all.contains(id)).collect();
    assert_eq!((a.len(), b.len()), (50, all.len() - 50));
    assert_eq!([a, b].concat(), all, "page 2 follows page 1 with nothing twice or missed");
    assert!(pager_link(&second.body, "next").is_none());
}
on_both_engines!(paged_lists, reviews_and_a_reviews_recommendations_are_paged, demo = crate::common::password_hash());

/// The other forms: each wrong value gets its message, a 422, and nothing saved.
async fn every_other_form_refuses_wrong_values(db: &TestDb) {
    let app = demo_app(db).await;
    let mut c = Client::new(app.clone());
    c.sign_in("scrutiny-officer@example.org").await;
    let t = c.csrf().await;
    let review = db.store.tracker().reviews().await.unwrap().into_iter().find(|r| r.title.starts_with("Licensing")).unwrap();
    let path = format!("/reviews/{}", review.id);

    // Bodies: a duplicate name, no kind, a deadline that is not a number.
    let bodies = db.store.tracker().bodies().await.unwrap().len();
    let r = c.post_form("/bodies", &[("_csrf", &t), ("name", "Cabinet"), ("response_unit", "days"), ("response_amount", "soon")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter the number of days, weeks or months as a whole number"));
    let r = c.post_form("/bodies", &[("_csrf", &t), ("name", "cabinet"), ("response_unit", "weeks"), ("response_amount", "0")]).await;
    assert!(r.has("Select what kind of body this is") && r.has("A body with this name already exists") && r.has("a whole number from 1 to 365"));
    assert_eq!(db.store.tracker().bodies().await.unwrap().len(), bodies);

    // Endorsement without a body or date; schedule with an impossible interval.
    let r = c.post_form(&format!("{path}/endorsements"), &[("_csrf", &t), ("endorsed_on", "someday")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select the body that endorsed the report") && r.has("Enter the date of the meeting"));
    assert!(r.has("href=\"#endorse-body_id\""));
    let r = c
        .post_form(
            &format!("{path}/schedules"),
            &[
                ("_csrf", &t),
                ("body_id", &db.store.tracker().bodies().await.unwrap()[0].id.to_string()),
                ("first_report_date", "16/01/2018"),
                ("interval_months", "99"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter how many months between reports"));
    assert_eq!(db.store.tracker().endorsements(review.id).await.unwrap().len(), 2);
    assert_eq!(db.store.tracker().schedules(Some(review.id)).await.unwrap().len(), 2);

    // Update requests: none chosen, a date in the past.
    let r = c.post_form(&format!("{path}/request-updates"), &[("_csrf", &t), ("due_date", "01/01/2018")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select at least one recommendation") && r.has("must be today or in the future"));
    assert!(r.has("href=\"#due_date\""));

    // Recommendations: a number already used, a letter without a parent, no wording.
    let count = db.store.tracker().review_recommendations(review.id).await.unwrap().len();
    let r = c.post_form(&format!("{path}/recommendations"), &[("_csrf", &t), ("number", "2"), ("sub_label", "b")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Only sub-items have a letter") && r.has("Enter the recommendation as the committee worded it"));
    let r = c.post_form(&format!("{path}/recommendations"), &[("_csrf", &t), ("number", "2"), ("committee_wording", "Again")]).await;
    assert!(r.has("This review already has a recommendation (2)"));
    let r = c.post_form(&format!("{path}/recommendations"), &[("_csrf", &t), ("number", "two"), ("committee_wording", "Again")]).await;
    assert!(r.has("must be a whole number, for example 3"));
    assert_eq!(db.store.tracker().review_recommendations(review.id).await.unwrap().len(), count);

    // Progress update: no narrative, progress not a number.
    let rec = db.store.tracker().review_recommendations(review.id).await.unwrap().into_iter().find(|r| r.number == 2).unwrap();
    let updates = db.store.tracker().recommendation_detail(rec.id).await.unwrap().updates.len();
    let r = c
        .post_multipart(
            &format!("/recommendations/{}/updates?_csrf={t}", rec.id),
            &[("update_date", "01/11/2026"), ("narrative", " "), ("progress_percent", "lots")],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Progress must be a whole number from 0 to 100"));
    let r =
        c.post_multipart(&format!("/recommendations/{}/updates?_csrf={t}", rec.id), &[("update_date", "not a date"), ("narrative", " ")], &[]).await;
    assert!(r.has("Describe the progress made") && r.has("Enter the date of the update"));
    // Status needing a reason; an override without one; sign-off of an incomplete one.
    let r = c
        .post_form(
            &format!("/recommendations/{}/lifecycle", rec.id),
            &[("_csrf", &t), ("version", &rec.version.to_string()), ("lifecycle", "paused")],
        )
        .await;
    assert!(r.has("Enter the reason the recommendation is paused"));
    let r = c.post_form(&format!("/recommendations/{}/rag", rec.id), &[("_csrf", &t), ("version", &rec.version.to_string()), ("rag", "red")]).await;
    assert!(r.has("Enter the reason for overriding the suggested RAG"));
    let r = c.post_form(&format!("/recommendations/{}/sign-off", rec.id), &[("_csrf", &t), ("version", &rec.version.to_string())]).await;
    assert!(r.has("Only a recommendation that is complete and awaiting sign-off can be signed off") && r.has("Enter the minute reference"));
    let r = c.post_form(&format!("/recommendations/{}/actions", rec.id), &[("_csrf", &t), ("text", ""), ("target_date", "31/13/2027")]).await;
    assert!(r.has("Describe the action") && r.has("Enter the target date as a real date"));
    let after = db.store.tracker().recommendation_detail(rec.id).await.unwrap();
    assert_eq!(after.updates.len(), updates);
    assert_eq!((after.rec.lifecycle, after.rec.rag_override, after.rec.version), (rec.lifecycle, rec.rag_override, rec.version));

    // Administration: an account with a bad email and no role; settings with a bad colour and pattern.
    let mut admin = Client::new(app);
    admin.sign_in("administrator@example.org").await;
    let ta = admin.csrf().await;
    let users = db.store.users().list().await.unwrap().len();
    let r = admin.post_form("/admin/users", &[("_csrf", &ta), ("name", "New Person"), ("email", "not-an-email"), ("role", "lead-officer")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter an email address in the correct format"));
    let r = admin.post_form("/admin/users", &[("_csrf", &ta), ("name", ""), ("email", "x@example.org")]).await;
    assert!(r.has("Select the account&#39;s role") || r.has("Select the account's role"));
    assert_eq!(db.store.users().list().await.unwrap().len(), users);
    let r = admin
        .post_form(
            "/admin/settings",
            &[
                ("_csrf", &ta),
                ("service_name", "Assure"),
                ("organisation", "Sefton Council"),
                ("brand_colour", "blue"),
                ("reference_pattern", "SR {year}"),
                ("rag_red", "r"),
                ("rag_amber", "a"),
                ("rag_green", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.has("Enter the brand colour as a hex colour") && r.has("must include the recommendation number") && r.has("Say what this colour means")
    );
    assert_eq!(db.store.settings().load().await.unwrap().brand_colour, "#1d70b8");
    // The audit filter with a date that is not a date.
    let r = admin.get("/admin/audit?from=yesterday").await;
    assert!(r.has("From must be a real date"));
}
on_both_engines!(other_forms, every_other_form_refuses_wrong_values, demo = crate::common::password_hash());

/// What only the page can see (a number or date that cannot be read, a file's content)
/// arrives with the domain's messages, in the form's order, and nothing is saved or
/// written.
async fn typed_and_checked_problems_arrive_at_once(db: &TestDb) {
    let app = demo_app(db).await;
    let mut c = Client::new(app);
    c.sign_in("scrutiny-officer@example.org").await;
    let t = c.csrf().await;

    // A body: an amount that is not a number, and no kind.
    let bodies = db.store.tracker().bodies().await.unwrap().len();
    let r = c.post_form("/bodies", &[("_csrf", &t), ("name", "Audit Committee"), ("response_unit", "days"), ("response_amount", "soon")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select what kind of body this is") && r.has("Enter the number of days, weeks or months as a whole number"), "{}", r.body);
    assert!(r.body.find("href=\"#kind\"") < r.body.find("href=\"#response_amount\""), "in the form's order");
    assert_eq!(db.store.tracker().bodies().await.unwrap().len(), bodies);

    // A review: a start date that cannot be read, and no title.
    let reviews = db.store.tracker().reviews().await.unwrap().len();
    let r = c.post_form("/reviews", &[("_csrf", &t), ("kind", "inspection"), ("start_date", "next spring")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter the title of the review") && r.has("The start date must be a real date"), "{}", r.body);
    assert!(r.body.find("href=\"#title\"") < r.body.find("href=\"#start_date\""), "in the form's order");
    assert_eq!(db.store.tracker().reviews().await.unwrap().len(), reviews);

    // A progress update: no narrative, progress that is not a number, a file that is not evidence.
    let rec = common::scrutiny_recommendation(&db.store).await;
    let before = db.store.tracker().recommendation_detail(rec.id).await.unwrap().updates.len();
    let r = c
        .post_multipart(
            &format!("/recommendations/{}/updates?_csrf={t}", rec.id),
            &[("update_date", "01/11/2026"), ("narrative", " "), ("progress_percent", "most")],
            &[("evidence", "notes.html", b"<script>alert(1)</script>")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Describe the progress made") && r.has("Progress must be a whole number from 0 to 100") && r.has("must be a PDF"), "{}", r.body);
    assert_eq!(db.store.tracker().recommendation_detail(rec.id).await.unwrap().updates.len(), before);
}
on_both_engines!(at_once, typed_and_checked_problems_arrive_at_once, demo = crate::common::password_hash());
