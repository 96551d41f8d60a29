//! The leaks issue 10 closed, each tried from outside as a partner agency would, on the
//! demo partnership, on SQLite and PostgreSQL:
//! - a child out of reach answers exactly as a child that does not exist (pages, API,
//!   downloads, acknowledgements, the operation's child field), and both are audited;
//! - police intelligence in a MASH check reaches only police CSE roles, co-chairs and the MASH;
//! - police-only plan actions cast no shadow on the child's agencies involved;
//! - refusals at the role check are audited (a committee member, a SPOC, a practitioner);
//! - a large agency is involved team by team: the health lead no longer sees every child
//!   her trust has anything to do with.

mod common;

use assure_domain::partnership::{InvolvementKind, Scope, Team};
use assure_storage::audit::AuditFilter;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use axum::http::StatusCode;
use common::{demo_app, Client, Resp};

async fn signed_in(app: &axum::Router, email: &str) -> (Client, String) {
    let mut c = Client::new(app.clone());
    c.sign_in(email).await;
    let t = c.csrf().await;
    (c, t)
}

/// A demo child by first name, as stored.
async fn child_named(db: &TestDb, first: &str) -> i64 {
    let every = testing::reader(&db.store, "mash-worker@example.org").await;
    let (found, _) = testing::children_in_reach(&db.store, every.viewer(), Some(first), 50, 0).await;
    found.into_iter().find(|c| c.first_name == first).unwrap_or_else(|| panic!("the demo has {first}")).id
}

async fn refusals(db: &TestDb, actor: &str) -> Vec<assure_domain::audit::AuditEntry> {
    let f = AuditFilter { action: Some("child.refused".into()), actor: Some(actor.into()), ..Default::default() };
    db.store.audit().list(&f, 1000, 0).await.unwrap().0
}

/// `body` with every whole number equal to `n` (not part of a longer word, such as a
/// CSRF token) written as `N`.
fn numbered(body: &str, n: i64) -> String {
    let n = n.to_string();
    let mut out = String::new();
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            let run: String = chars[i..j].iter().collect();
            if run == n && (j == chars.len() || !chars[j].is_ascii_alphanumeric()) {
                out.push('N');
            } else {
                out.push_str(&run);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The same answer for a child out of reach and a number that is no child: status and
/// body, once each number is written the same way.
fn same_answer(what: &str, out_of_reach: &Resp, none: &Resp, child: i64, nobody: i64) {
    assert_eq!(out_of_reach.status, none.status, "{what}: status");
    let normal = |body: &str| numbered(&numbered(body, child), nobody);
    assert_eq!(normal(&out_of_reach.body), normal(&none.body), "{what}: body");
}

async fn a_child_out_of_reach_answers_as_no_child(db: &TestDb) {
    let app = demo_app(db).await;
    // Practitioner 2's school is involved with no child; Chloe was raised by Hillside.
    let chloe = child_named(db, "Chloe").await;
    let nobody = 99_999_999;
    let (mut p2, t2) = signed_in(&app, "practitioner-2@example.org").await;
    for path in [
        "/children/{}",
        "/children/{}/referrals",
        "/children/{}/plan",
        "/children/{}/plan/download/csv",
        "/children/{}/missing",
        "/children/{}/placements",
    ] {
        let a = p2.get(&path.replace("{}", &chloe.to_string())).await;
        let b = p2.get(&path.replace("{}", &nobody.to_string())).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!a.has("Chloe") && !a.has("Bennett"), "{path}");
        same_answer(path, &a, &b, chloe, nobody);
    }
    // The API, with a bearer token.
    let uid = db.store.users().by_email("practitioner-2@example.org").await.unwrap().unwrap().0.id;
    db.store.users().create_token(&assure_storage::Actor::system(), uid, "test", &assure_web::auth::sha256_hex("p2-token")).await.unwrap();
    let api = |path: String| {
        let app = app.clone();
        async move {
            let mut c = Client::new(app);
            let req = axum::http::Request::get(path).header("authorization", "Bearer p2-token").body(axum::body::Body::empty()).unwrap();
            c.send(req).await
        }
    };
    for path in ["/api/v1/children/{}", "/api/v1/children/{}/referrals", "/api/v1/children/{}/plan"] {
        let a = api(path.replace("{}", &chloe.to_string())).await;
        let b = api(path.replace("{}", &nobody.to_string())).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{path}: {}", a.body);
        assert!(a.has("\"no_such_child\""), "{path}");
        same_answer(path, &a, &b, chloe, nobody);
    }
    // Both kinds of refusal are audited: against the child, and against the unknown number.
    let audited = refusals(db, "practitioner-2@example.org").await;
    assert!(audited.iter().filter(|e| e.record_type == "child" && e.record_id == chloe.to_string()).count() >= 9, "{audited:?}");
    assert!(audited.iter().filter(|e| e.record_type == "unknown-child" && e.record_id == nobody.to_string()).count() >= 9);

    // Acknowledging a notification line of a child out of reach, and a line that does not exist.
    let every = testing::reader(&db.store, "mash-worker@example.org").await;
    let placed = db.store.placements(&every).list(None).await.unwrap();
    let line = placed[0].recipients[0].id;
    let a = p2.post_form(&format!("/notifications/{line}/acknowledge"), &[("_csrf", &t2)]).await;
    let b = p2.post_form(&format!("/notifications/{nobody}/acknowledge"), &[("_csrf", &t2)]).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    same_answer("acknowledge", &a, &b, line, nobody);

    // A police officer linking a child to an operation: the field says the same for a child
    // outside their need to know (Chloe: no police involvement) and a number that is no child.
    let (mut officer, to) = signed_in(&app, "police-cse-officer@example.org").await;
    let reader = testing::reader(&db.store, "police-cse-officer@example.org").await;
    let op = db.store.police(&reader).operations().await.unwrap()[0].id;
    let a = officer.post_form(&format!("/operations/{op}/children"), &[("_csrf", &to), ("child_id", &chloe.to_string())]).await;
    let b = officer.post_form(&format!("/operations/{op}/children"), &[("_csrf", &to), ("child_id", &nobody.to_string())]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.has("There is no child with record number"));
    same_answer("operation link", &a, &b, chloe, nobody);
    assert!(refusals(db, "police-cse-officer@example.org")
        .await
        .iter()
        .any(|e| e.record_id == chloe.to_string() && e.detail.starts_with("operations")));
}
on_both_engines!(no_such_child, a_child_out_of_reach_answers_as_no_child, demo = crate::common::password_hash());

async fn police_material_stays_with_the_police(db: &TestDb) {
    let app = demo_app(db).await;
    // Megan's MASH check from the police is police intelligence about an adult.
    let megan = child_named(db, "Megan").await;
    let record = common::mash_record(db, megan).await;
    let rid = record.referrals().await.unwrap()[0].id;
    let page = format!("/children/{megan}/referrals/{rid}");
    let secret = "known to police for offences against children";
    let (mut teacher, _) = signed_in(&app, "practitioner@example.org").await;
    let seen = teacher.get(&page).await;
    assert_eq!(seen.status, StatusCode::OK, "the school raised Megan");
    assert!(seen.has("Closed to children") && !seen.has(secret), "the school sees what may be shared, not the police's intelligence");
    for email in ["macse-co-chair@example.org", "mash-worker@example.org"] {
        let (mut c, _) = signed_in(&app, email).await;
        assert!(c.get(&page).await.has(secret), "{email} sees the police information");
    }

    // A child the school raised whose plan gives the police only a Prosecute action.
    let agencies = db.store.partnership().agencies().await.unwrap();
    let agency = |n: &str| agencies.iter().find(|a| a.name == n).unwrap().id;
    let (hillside, police) = (agency("Hillside High School"), agency("Merseyside Police"));
    let input =
        assure_storage::children::ChildInput { first_name: "Pia".into(), last_name: "Shadow".into(), estimated_age: Some(14), ..Default::default() };
    let pia = testing::new_child(&db.store, &input).await;
    testing::involve(&db.store, pia, hillside, InvolvementKind::RaisedConcern, Scope::Agency, common::today()).await;
    use assure_domain::partnership::Section;
    use assure_domain::plan::{ActionStatus, PlanAction, PlanVersion};
    let action = |section, agency| PlanAction {
        section,
        text: "An action".into(),
        owner: "Owner".into(),
        agency_id: Some(agency),
        due: Some(common::today()),
        status: ActionStatus::InProgress,
    };
    let plan = PlanVersion {
        number: 0,
        panel_date: None,
        review_date: Some(common::today() + chrono::Duration::days(28)),
        sections: vec![],
        actions: vec![action(Section::Prevent, hillside), action(Section::Prosecute, police)],
    };
    let chair_record = common::record_as(db, "macse-co-chair@example.org", pia, Section::Profile).await;
    chair_record.save_plan_version(0, None, &plan, None, common::today()).await.unwrap();
    let stored = testing::involvements_of(&db.store, pia).await;
    let police_inv: Vec<_> = stored.iter().filter(|i| i.agency_id == police).collect();
    assert!(!police_inv.is_empty() && police_inv.iter().all(|i| i.kind == InvolvementKind::HoldsPoliceAction), "the fixture: {stored:?}");
    let (mut spoc, _) = signed_in(&app, "spoc@example.org").await;
    let shown = spoc.get(&format!("/children/{pia}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.has("Hillside High School") && !shown.has("Merseyside Police") && !shown.has("police-only"), "no shadow of the Prosecute action");
    let json = spoc.get("/children?name=shadow").await;
    assert!(json.has("Pia") && !json.has("Merseyside Police"), "nor on the list");
    let (mut chair, _) = signed_in(&app, "macse-co-chair@example.org").await;
    assert!(chair.get(&format!("/children/{pia}")).await.has("Merseyside Police"), "the co-chair sees the police involved");
}
on_both_engines!(police_material, police_material_stays_with_the_police, demo = crate::common::password_hash());

async fn refusals_by_role_are_audited(db: &TestDb) {
    let app = demo_app(db).await;
    let chloe = child_named(db, "Chloe").await;
    let (mut member, _) = signed_in(&app, "committee-member@example.org").await;
    assert_eq!(member.get(&format!("/children/{chloe}")).await.status, StatusCode::FORBIDDEN);
    assert!(refusals(db, "committee-member@example.org").await.iter().any(|e| e.record_type == "child" && e.record_id == chloe.to_string()));
    let (mut teacher, tt) = signed_in(&app, "practitioner@example.org").await;
    let r = teacher.post_form(&format!("/children/{chloe}/emergency-access"), &[("_csrf", &tt), ("reason", "I think she is at risk tonight")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(refusals(db, "practitioner@example.org").await.iter().any(|e| e.record_id == chloe.to_string() && e.detail.contains("emergency-access")));
    // A SPOC opening an operation: refused by role, and recorded against the route.
    let reader = testing::reader(&db.store, "police-cse-officer@example.org").await;
    let op = db.store.police(&reader).operations().await.unwrap()[0].id;
    let (mut spoc, _) = signed_in(&app, "spoc@example.org").await;
    assert_eq!(spoc.get(&format!("/operations/{op}")).await.status, StatusCode::FORBIDDEN);
    let f = AuditFilter { action: Some("access.refused".into()), actor: Some("spoc@example.org".into()), ..Default::default() };
    let (entries, _) = db.store.audit().list(&f, 50, 0).await.unwrap();
    assert!(entries.iter().any(|e| e.record_id == format!("/operations/{op}")), "{entries:?}");
}
on_both_engines!(role_refusals, refusals_by_role_are_audited, demo = crate::common::password_hash());

async fn a_large_agency_is_involved_team_by_team(db: &TestDb) {
    let app = demo_app(db).await;
    let health = db.store.partnership().agencies().await.unwrap().into_iter().find(|a| a.name == "Community Health NHS Trust").unwrap().id;
    let lead = testing::reader(&db.store, "health-lead@example.org").await;
    let every = testing::reader(&db.store, "mash-worker@example.org").await;
    let (all, total) = testing::children_in_reach(&db.store, every.viewer(), None, 1000, 0).await;
    let (_, hers) = testing::children_in_reach(&db.store, lead.viewer(), None, 1000, 0).await;
    // The trust is involved with many children (plan actions, routed placements), the lead
    // only through her team and her own work.
    let mut trust = 0;
    let mut team = 0;
    for c in &all {
        let inv = testing::involvements_of(&db.store, c.id).await;
        let of_trust: Vec<_> = inv.iter().filter(|i| i.agency_id == health).collect();
        trust += usize::from(!of_trust.is_empty());
        team += usize::from(of_trust.iter().any(|i| i.scope == Scope::Team(Team::HealthLead) || i.scope == Scope::Person(lead.user_id())));
    }
    assert_eq!(hers, team as i64, "the lead sees the children of her team and her own work");
    assert!(team < trust, "not every child the trust is involved with ({team} of {trust} of {total})");
    // The page and the API say the same.
    let (mut c, _) = signed_in(&app, "health-lead@example.org").await;
    let list = c.get("/children").await;
    assert!(list.has(&format!("{hers} children")) || list.has(&format!("{hers} child")), "{}", &list.body[..list.body.len().min(3000)]);

    // The partnership manager makes the trust agency-wide: the lead then sees every child the trust is involved with.
    let (mut manager, mt) = signed_in(&app, "partnership-manager@example.org").await;
    let page = manager.get("/partnership/agencies").await;
    assert!(page.has("Team by team") && page.has(&format!("action=\"/partnership/agencies/{health}/level\"")));
    let r = manager.post_form(&format!("/partnership/agencies/{health}/level"), &[("_csrf", &mt), ("level", "everyone")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has(&format!("href=\"#level-{health}-level\"")));
    let r = manager.post_form(&format!("/partnership/agencies/{health}/level"), &[("_csrf", &mt), ("level", "agency-wide")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let lead = testing::reader(&db.store, "health-lead@example.org").await;
    let (_, now_hers) = testing::children_in_reach(&db.store, lead.viewer(), None, 1000, 0).await;
    assert_eq!(now_hers, trust as i64);
}
on_both_engines!(team_level, a_large_agency_is_involved_team_by_team, demo = crate::common::password_hash());
