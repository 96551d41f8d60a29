//! Children's pages and API over HTTP, on SQLite and PostgreSQL: the need-to-know rule
//! on the record, the list, the search and the API; emergency access for MASH roles;
//! the access log; merge; the administrator's review; identity edits; partnership
//! administration.

mod common;

use assure_domain::partnership::{InvolvementKind, Scope, Team};
use assure_domain::Role;
use assure_storage::audit::AuditFilter;
use assure_storage::children::ChildInput;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::users::NewUser;
use assure_storage::Actor;
use assure_web::auth::sha256_hex;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::NaiveDate;
use common::{demo_app, Client, Resp};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn agency(db: &TestDb, name: &str) -> i64 {
    db.store.partnership().agencies().await.unwrap().into_iter().find(|a| a.name == name).unwrap().id
}

async fn uid(db: &TestDb, email: &str) -> i64 {
    db.store.users().by_email(email).await.unwrap().unwrap().0.id
}

async fn child(db: &TestDb, first: &str, last: &str, agency: i64) -> i64 {
    let input = ChildInput {
        first_name: first.into(),
        last_name: last.into(),
        date_of_birth: Some(d(2004, 3, 1)),
        ward: "Riverside".into(),
        ..Default::default()
    };
    let id = testing::new_child(&db.store, &input).await;
    testing::involve(&db.store, id, agency, InvolvementKind::RaisedConcern, Scope::Agency, d(2017, 9, 1)).await;
    id
}

async fn signed_in(app: &axum::Router, email: &str) -> (Client, String) {
    let mut c = Client::new(app.clone());
    c.sign_in(email).await;
    let t = c.csrf().await;
    (c, t)
}

/// An API call with a bearer token for this account.
async fn api(db: &TestDb, app: &axum::Router, email: &str, path: &str) -> (Resp, serde_json::Value) {
    let token = format!("children-test-{email}");
    let user = uid(db, email).await;
    let _ = db.store.users().create_token(&Actor::system(), user, "test", &sha256_hex(&token)).await;
    let mut c = Client::new(app.clone());
    let r = c.send(Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).unwrap()).await;
    let json = serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null);
    (r, json)
}

/// A second MASH worker whose account is not in the MASH team (the role without the team).
async fn outside_mash(db: &TestDb) -> i64 {
    let sys = Actor::system();
    let hash = assure_web::auth::hash_password(common::PASSWORD);
    let id = db
        .store
        .users()
        .create(
            &sys,
            NewUser { name: "Jo Kerr", email: "mash-2@example.org", role: Role::MashWorker, job_title: "MASH social worker", password_hash: &hash },
        )
        .await
        .unwrap();
    db.store.partnership().set_agency(&sys, id, agency(db, "Children's Social Care").await).await.unwrap();
    id
}

async fn need_to_know_on_pages_lists_search_and_api(db: &TestDb) {
    let app = demo_app(db).await;
    let hillside = agency(db, "Hillside High School").await;
    let police = agency(db, "Merseyside Police").await;
    let smith = child(db, "Amy", "Smith", hillside).await;
    let smyth = child(db, "Amie", "Smyth", police).await;

    // The practitioner sees the child their school raised, by list and by search (by sound too).
    let (mut p, _) = signed_in(&app, "practitioner@example.org").await;
    let list = p.get("/children").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.has(&format!("href=\"/children/{smith}\"")) && !list.has(&format!("href=\"/children/{smyth}\"")), "{}", list.body);
    let found = p.get("/children?name=Smyth").await;
    assert!(found.has(&format!("href=\"/children/{smith}\"")) && !found.has("Amie"));
    let bad = p.get("/children?date_of_birth=31/02/2004").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.has("Enter a real date of birth"));
    let record = p.get(&format!("/children/{smith}")).await;
    assert_eq!(record.status, StatusCode::OK);
    assert!(record.has("Amy Smith") && record.has("Hillside High School") && record.has("Raised a concern"));
    assert!(record.has(&format!("/children/{smith}/referrals")) && record.has(&format!("/children/{smith}/plan")));
    assert!(
        !record.has(&format!("/children/{smith}/police")) && !record.has(&format!("/children/{smith}/access-log")),
        "police-only and access-log links hidden"
    );
    assert!(!record.has("Possible duplicates") && !record.has("/edit\""));
    // A child out of reach answers exactly as a child that does not exist.
    let refused = p.get(&format!("/children/{smyth}")).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(
        refused.has("There is no child's record to show") && !refused.has("Amie") && !refused.has("emergency-access"),
        "no break glass for a practitioner\n{}",
        refused.body
    );
    let missing = p.get("/children/999999").await;
    assert_eq!(missing.status, refused.status);
    // Byte for byte: the page names neither number (a replace could hit the CSRF token's digits).
    assert_eq!(missing.body, refused.body, "the same page for both");
    assert_eq!(p.get(&format!("/children/{smith}/access-log")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(p.get(&format!("/children/{smith}/emergency-access")).await.status, StatusCode::FORBIDDEN);
    let (r, json) = api(db, &app, "practitioner@example.org", "/api/v1/children?name=smith").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json["total"], 1);
    assert_eq!(json["children"][0]["id"], smith);

    // The other school's practitioner: empty list and search, 403 on page and API, both audited.
    let (mut p2, _) = signed_in(&app, "practitioner-2@example.org").await;
    let list = p2.get("/children").await;
    assert!(list.has("There are no children on the pathway that your agency is involved with") && !list.has("Amy"), "{}", list.body);
    let search = p2.get("/children?name=smith").await;
    assert!(search.has("No children you may see match this search") && !search.has("Amy"));
    let page = p2.get(&format!("/children/{smith}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.has("Amy") && !page.has("Smith"));
    let (r, json) = api(db, &app, "practitioner-2@example.org", &format!("/api/v1/children/{smith}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(json["error"], "no_such_child");
    assert!(!r.body.contains("Smith"));
    let (_, json) = api(db, &app, "practitioner-2@example.org", "/api/v1/children?name=smith").await;
    assert_eq!(json["total"], 0);
    assert_eq!(json["children"].as_array().unwrap().len(), 0);
    let (none, json) = api(db, &app, "practitioner-2@example.org", "/api/v1/children/999999").await;
    assert_eq!((none.status, json["error"].as_str()), (StatusCode::NOT_FOUND, Some("no_such_child")));
    assert_eq!(none.body, r.body, "out of reach and non-existent: the same answer");
    let (refusals, _) = db
        .store
        .audit()
        .list(&AuditFilter { action: Some("child.refused".into()), actor: Some("practitioner-2@example.org".into()), ..Default::default() }, 50, 0)
        .await
        .unwrap();
    assert_eq!(refusals.iter().filter(|e| e.record_type == "child" && e.record_id == smith.to_string()).count(), 2, "the page and the API refusal");
    assert_eq!(
        refusals.iter().filter(|e| e.record_type == "unknown-child" && e.record_id == "999999").count(),
        1,
        "the unknown number is audited too"
    );
    let (lists, _) = db
        .store
        .audit()
        .list(&AuditFilter { action: Some("children.list".into()), actor: Some("practitioner-2@example.org".into()), ..Default::default() }, 50, 0)
        .await
        .unwrap();
    assert_eq!(lists.len(), 3, "every list and search view, page and API");
    assert!(lists.iter().all(|e| !e.detail.contains("smith")));

    // The SPOC of Hillside sees it too; the police officer sees the police child and the police link.
    let (mut spoc, _) = signed_in(&app, "spoc@example.org").await;
    assert_eq!(spoc.get(&format!("/children/{smith}")).await.status, StatusCode::OK);
    let (mut police_officer, _) = signed_in(&app, "police-cse-officer@example.org").await;
    let r = police_officer.get(&format!("/children/{smyth}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.has(&format!("/children/{smyth}/police")));
    assert_eq!(police_officer.get(&format!("/children/{smith}")).await.status, StatusCode::NOT_FOUND);
    // Tracker people never reach children, and the attempt is recorded against the child.
    let (mut officer, _) = signed_in(&app, "scrutiny-officer@example.org").await;
    assert_eq!(officer.get("/children").await.status, StatusCode::FORBIDDEN);
    assert_eq!(officer.get(&format!("/children/{smith}")).await.status, StatusCode::FORBIDDEN);
    let (by_role, _) = db
        .store
        .audit()
        .list(&AuditFilter { action: Some("child.refused".into()), actor: Some("scrutiny-officer@example.org".into()), ..Default::default() }, 50, 0)
        .await
        .unwrap();
    assert!(
        by_role
            .iter()
            .any(|e| e.record_type == "child" && e.record_id == smith.to_string() && e.detail.contains("the role scrutiny-officer does not allow")),
        "{by_role:?}"
    );

    // The access log (MASH): each viewer and why, refusals too.
    let (mut mash, _) = signed_in(&app, "mash-worker@example.org").await;
    let log = mash.get(&format!("/children/{smith}/access-log")).await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    assert!(log.has("Who has looked at this record and why"));
    assert!(log.has("Hannah Price") && log.has("identity: viewed as their agency: raised a concern"));
    assert!(log.has("Grace Turner"), "the SPOC (of their own agency: seen as their agency)");
    assert!(log.has("Owen Lloyd") && log.has("Refused") && log.has("identity: refused, not in the viewer's reach"));
    assert!(log.has("DC Sam Hughes"));
    assert!(log.has("Ravi Patel") && log.has("access-log: viewed as member of the Multi-agency safeguarding hub (MASH) team"));
}
on_both_engines!(need_to_know, need_to_know_on_pages_lists_search_and_api, demo = crate::common::password_hash());

async fn emergency_access_merge_edit_and_review(db: &TestDb) {
    let app = demo_app(db).await;
    let hillside = agency(db, "Hillside High School").await;
    let police = agency(db, "Merseyside Police").await;
    let health = agency(db, "Community Health NHS Trust").await;
    let smith = child(db, "Amy", "Smith", hillside).await;
    let smyth = child(db, "Amie", "Smyth", police).await;
    let other = child(db, "Zed", "Other", health).await;
    outside_mash(db).await;

    // A MASH worker outside the MASH team sees only their own agency's children; refused a
    // child, they are offered emergency access, with a mandatory reason.
    let (mut m2, t2) = signed_in(&app, "mash-2@example.org").await;
    let list = m2.get("/children").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.has("Amy"));
    let refused = m2.get(&format!("/children/{smith}")).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(refused.has(&format!("href=\"/children/{smith}/emergency-access\"")) && !refused.has("Amy"));
    let form = m2.get(&format!("/children/{smith}/emergency-access")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has("name=\"reason\"") && !form.has("Amy"));
    let path = format!("/children/{smith}/emergency-access");
    let r = m2.post_form(&path, &[("_csrf", &t2), ("reason", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter the reason you need emergency access") && r.has("href=\"#reason\""));
    let r = m2.post_form(&path, &[("_csrf", &t2), ("reason", "urgent")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("at least 10 characters"));
    assert!(db.store.emergency_access().log().await.unwrap().iter().all(|g| g.child_id != smith), "nothing granted");
    // The form does not tell whether a number is a child; using it on no child is a 404.
    assert_eq!(m2.get("/children/999999/emergency-access").await.status, StatusCode::OK);
    let r = m2.post_form("/children/999999/emergency-access", &[("_csrf", &t2), ("reason", "Police report a child missing overnight")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = m2.post_form(&path, &[("_csrf", &t2), ("reason", "Police report Amy missing overnight with an older male")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/children/{smith}?notice=emergency-access"));
    let opened = m2.get(r.location()).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert!(opened.has("Amy Smith") && opened.has("under emergency access") && opened.has("Emergency access granted for 24 hours"));
    // (The list is paged and the demo's placed children share the agency: look for Amy's name.)
    assert!(m2.get("/children?name=smith").await.has(&format!("href=\"/children/{smith}\"")), "the list follows the same rule");
    assert_eq!(m2.get(&format!("/children/{other}")).await.status, StatusCode::NOT_FOUND, "only that child");
    // No duplicates or merge outside the MASH team.
    assert!(!opened.has("Possible duplicates"));
    assert_eq!(m2.get(&format!("/children/{smith}/merge")).await.status, StatusCode::FORBIDDEN);
    // The practitioner cannot break glass at all, and the attempt is recorded against the child.
    let (mut p, pt) = signed_in(&app, "practitioner@example.org").await;
    assert_eq!(
        p.post_form(&format!("/children/{other}/emergency-access"), &[("_csrf", &pt), ("reason", "I am worried about this child")]).await.status,
        StatusCode::FORBIDDEN
    );
    let (tried, _) = db
        .store
        .audit()
        .list(&AuditFilter { action: Some("child.refused".into()), actor: Some("practitioner@example.org".into()), ..Default::default() }, 50, 0)
        .await
        .unwrap();
    assert!(tried.iter().any(|e| e.record_id == other.to_string() && e.detail.contains("emergency-access")), "{tried:?}");

    // The access log shows the emergency view and the reason given.
    let (mut mash, t) = signed_in(&app, "mash-worker@example.org").await;
    let log = mash.get(&format!("/children/{smith}/access-log")).await;
    assert!(
        log.has("Jo Kerr")
            && log.has("identity: viewed as emergency access (break glass) with a recorded reason")
            && log.has("Police report Amy missing overnight")
    );

    // The administrator's review list.
    let (mut admin, at) = signed_in(&app, "administrator@example.org").await;
    let list = admin.get("/admin/emergency-access").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.has("Jo Kerr") && list.has(&format!("Child {smith}")) && list.has("Police report Amy missing overnight") && !list.has("Amy Smith"));
    let grant = db.store.emergency_access().log().await.unwrap()[0].id;
    let r = admin.post_form(&format!("/admin/emergency-access/{grant}/review"), &[("_csrf", &at), ("note", " ")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter what the review found") && r.has(&format!("href=\"#g{grant}-note\"")));
    let r = admin
        .post_form(&format!("/admin/emergency-access/{grant}/review"), &[("_csrf", &at), ("note", "Justified: missing episode confirmed by police")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(admin.get("/admin/emergency-access").await.has("Justified: missing episode"));
    assert_eq!(p.get("/admin/emergency-access").await.status, StatusCode::FORBIDDEN);

    // Merge (MASH team): the duplicate is listed, chosen, confirmed; a stale version is refused.
    let record = mash.get(&format!("/children/{smith}")).await;
    assert!(record.has("Possible duplicates") && record.has("Amie Smyth") && record.has("Surname sounds alike, same date of birth"));
    let page = mash.get(&format!("/children/{smith}/merge")).await;
    assert!(page.has(&format!("value=\"{smyth}\"")));
    let version = testing::child_as_stored(&db.store, smith).await.unwrap().version.to_string();
    let merge = format!("/children/{smith}/merge");
    let r = mash.post_form(&merge, &[("_csrf", &t), ("version", &version)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select the record that is a duplicate"));
    let r = mash.post_form(&merge, &[("_csrf", &t), ("version", &version), ("duplicate", &smyth.to_string())]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.has(&format!("Merge child {smyth} into child {smith}?")) && r.has("Merge records"));
    let stale = (version.parse::<i64>().unwrap() - 1).to_string();
    let r = mash.post_form(&merge, &[("_csrf", &t), ("version", &stale), ("duplicate", &smyth.to_string()), ("confirm", "yes")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = mash.post_form(&merge, &[("_csrf", &t), ("version", &version), ("duplicate", &smyth.to_string()), ("confirm", "yes")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The police's involvement moved with it: the officer now sees the kept record.
    let (mut police_officer, _) = signed_in(&app, "police-cse-officer@example.org").await;
    assert_eq!(police_officer.get(&format!("/children/{smith}")).await.status, StatusCode::OK);
    assert!(mash.get(&format!("/children/{smyth}")).await.has("This record was merged"));
    let found = mash.get("/children?name=smyth").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(!found.has(&format!("href=\"/children/{smyth}\"")));
    let log = mash.get(&format!("/children/{smith}/access-log")).await;
    assert!(log.has("Merged") && log.has(&format!("child {smyth} merged into this record")));

    // Identity and legal status: field messages, then saved, then a stale edit is a 409.
    let edit = mash.get(&format!("/children/{smith}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    let version = testing::child_as_stored(&db.store, smith).await.unwrap().version.to_string();
    let path = format!("/children/{smith}/edit");
    let r = mash
        .post_form(
            &path,
            &[
                ("_csrf", &t),
                ("version", &version),
                ("first_name", ""),
                ("last_name", "Smith"),
                ("date_of_birth", "31/02/2004"),
                ("estimated_age", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.has("Enter the child's first name")
            && r.has("Enter a real date of birth")
            && r.has("The estimated age must be a whole number")
            && r.has("Select the child's legal status"),
        "{}",
        r.body
    );
    let ok = [
        ("_csrf", t.as_str()),
        ("version", version.as_str()),
        ("first_name", "Amy"),
        ("last_name", "Smith"),
        ("date_of_birth", "01/03/2004"),
        ("legal_status", "child-in-need"),
        ("ward", "Riverside"),
    ];
    let r = mash.post_form(&path, &ok).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(mash.get(&format!("/children/{smith}")).await.has("Child in need"));
    assert_eq!(mash.post_form(&path, &ok).await.status, StatusCode::CONFLICT);
    assert_eq!(p.get(&path).await.status, StatusCode::FORBIDDEN, "practitioners do not edit identities");
}
on_both_engines!(emergency_merge_edit, emergency_access_merge_edit_and_review, demo = crate::common::password_hash());

async fn partnership_is_administered(db: &TestDb) {
    let app = demo_app(db).await;
    let hillside = agency(db, "Hillside High School").await;
    let smith = child(db, "Amy", "Smith", hillside).await;

    // Every pathway user finds the SPOCs; only the partnership manager changes them.
    let (mut p2, p2t) = signed_in(&app, "practitioner-2@example.org").await;
    let spocs = p2.get("/partnership/spocs").await;
    assert_eq!(spocs.status, StatusCode::OK);
    assert!(spocs.has("Grace Turner") && spocs.has("Hillside High School") && spocs.has("DC Sam Hughes") && !spocs.has("Name a SPOC"));
    assert_eq!(
        p2.post_form("/partnership/spocs", &[("_csrf", &p2t), ("action", "add"), ("agency", &hillside.to_string()), ("user", "1")]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(p2.get("/partnership/people").await.status, StatusCode::FORBIDDEN);

    let (mut pm, t) = signed_in(&app, "partnership-manager@example.org").await;
    let home = pm.get("/").await;
    assert!(home.has("href=\"/children\"") && home.has("href=\"/partnership/people\"") && home.has("Find the single point of contact"));
    let r = pm.post_form("/partnership/agencies", &[("_csrf", &t), ("name", "Hillside High School"), ("kind", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("There is already an agency with this name") && r.has("Select the kind of agency"));
    let r = pm.post_form("/partnership/agencies", &[("_csrf", &t), ("name", "Safe Taxis Ltd"), ("kind", "taxi-firm")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(pm.get("/partnership/agencies").await.has("Safe Taxis Ltd"));

    // Place practitioner-2 in Hillside, in the missing-from-home team, as its SPOC: they now see the child.
    let who = uid(db, "practitioner-2@example.org").await.to_string();
    let r = pm.post_form("/partnership/people", &[("_csrf", &t), ("user", &who), ("agency", &hillside.to_string())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select yes if this person is a SPOC"));
    let r = pm
        .post_form(
            "/partnership/people",
            &[("_csrf", &t), ("user", &who), ("agency", &hillside.to_string()), ("team", "missing-from-home"), ("spoc", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let v = db.store.partnership().viewer(who.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!((v.agency_id, v.teams.clone(), v.spoc_for.clone()), (hillside, vec![Team::MissingFromHome], vec![hillside]));
    assert_eq!(p2.get(&format!("/children/{smith}")).await.status, StatusCode::OK);
    assert!(pm.get("/partnership/spocs").await.has("<td class=\"app-table__cell\">Owen Lloyd</td>"));
    // And removed again.
    let r = pm.post_form("/partnership/spocs", &[("_csrf", &t), ("action", "remove"), ("agency", &hillside.to_string()), ("user", &who)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let spocs = pm.get("/partnership/spocs").await;
    assert_eq!(spocs.status, StatusCode::OK);
    assert!(!spocs.has("<td class=\"app-table__cell\">Owen Lloyd</td>"));
}
on_both_engines!(partnership, partnership_is_administered, demo = crate::common::password_hash());
