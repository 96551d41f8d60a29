//! The pathway through the JSON API, on the demo partnership, on both engines: raising a
//! concern, a placement notification and its acknowledgement, a missing episode, its
//! return and return interview. For each: the role check (403), need to know (a child
//! out of reach answers exactly as one that does not exist), every problem at once
//! (422), and what was saved read back through the same door as the pages.

mod common;

use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::Actor;
use assure_web::auth::sha256_hex;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{demo_app, Client, Resp};
use serde_json::{json, Value};

struct Api {
    app: axum::Router,
}

const PRACTITIONER: &str = "practitioner@example.org";
const PRACTITIONER_2: &str = "practitioner-2@example.org";
const NOTIFICATION_OFFICER: &str = "notification-officer@example.org";
const HEALTH_LEAD: &str = "health-lead@example.org";
const MASH: &str = "mash-worker@example.org";
const ADMIN: &str = "administrator@example.org";
const SPOC: &str = "spoc@example.org";
const MANAGER: &str = "partnership-manager@example.org";
const NOBODY: i64 = 99_999_999;

async fn setup(db: &TestDb) -> Api {
    let app = demo_app(db).await;
    for email in [PRACTITIONER, PRACTITIONER_2, NOTIFICATION_OFFICER, HEALTH_LEAD, MASH, ADMIN, SPOC, MANAGER] {
        let uid = db.store.users().by_email(email).await.unwrap().unwrap().0.id;
        db.store.users().create_token(&Actor::system(), uid, "api", &sha256_hex(&format!("token-{email}"))).await.unwrap();
    }
    Api { app }
}

impl Api {
    async fn post(&self, path: &str, as_: &str, body: Value) -> (Resp, Value) {
        let req = Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer token-{as_}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let r = Client::new(self.app.clone()).send(req).await;
        let json = serde_json::from_str(&r.body).unwrap_or(Value::Null);
        (r, json)
    }
    async fn get(&self, path: &str, as_: &str) -> (Resp, Value) {
        let req = Request::get(path).header(header::AUTHORIZATION, format!("Bearer token-{as_}")).body(Body::empty()).unwrap();
        let r = Client::new(self.app.clone()).send(req).await;
        let json = serde_json::from_str(&r.body).unwrap_or(Value::Null);
        (r, json)
    }
}

/// A demo child by first name.
async fn child_named(db: &TestDb, first: &str) -> i64 {
    let every = testing::reader(&db.store, "mash-worker@example.org").await;
    let (found, _) = testing::children_in_reach(&db.store, every.viewer(), Some(first), 50, 0).await;
    found.into_iter().find(|c| c.first_name == first).unwrap_or_else(|| panic!("the demo has {first}")).id
}

fn fields(v: &Value) -> Vec<String> {
    v["fields"].as_array().map(|a| a.iter().map(|f| f["field"].as_str().unwrap().to_string()).collect()).unwrap_or_default()
}

/// The same answer for a child out of reach and a number that is no child.
fn same_answer(what: &str, a: &Resp, b: &Resp, child: i64) {
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{what}: {}", a.body);
    assert_eq!(a.status, b.status, "{what}: status");
    assert!(a.has("\"no_such_child\""), "{what}: {}", a.body);
    assert_eq!(a.body.replace(&child.to_string(), "N"), b.body.replace(&NOBODY.to_string(), "N"), "{what}: body");
}

fn new_child(first: &str) -> Value {
    json!({ "first_name": first, "last_name": "Apitest", "estimated_age": 14 })
}

async fn answers(db: &TestDb, yes: bool) -> Value {
    let tool = db.store.screening().current().await.unwrap();
    Value::Object(tool.indicators().map(|i| (i.key.clone(), Value::Bool(yes))).collect())
}

async fn a_concern_through_the_api(db: &TestDb) {
    let api = setup(db).await;
    let concern = |child: Value, answers: Value| {
        let mut body = json!({
            "source": "professional-concern",
            "what_seen": "Seen getting into a car with older men after school",
            "seen_on": (common::today() - chrono::Duration::days(2)).to_string(),
            "seen_where": "School gates",
            "seen_by": "Form tutor",
            "referral_text": "Referred to the MASH for checks",
            "answers": answers,
        });
        body.as_object_mut().unwrap().extend(child.as_object().unwrap().clone());
        body
    };
    // A new child: 201 with the referral, read back through the child's own route.
    let (r, json) = api.post("/api/v1/concerns", PRACTITIONER, concern(json!({ "new_child": new_child("Ada") }), answers(db, false).await)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(json["source"], "professional-concern");
    assert_eq!(json["status"], "submitted");
    let child = json["child_id"].as_i64().unwrap();
    let (r, list) = api.get(&format!("/api/v1/children/{child}/referrals"), PRACTITIONER).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(list[0]["id"], json["id"]);
    // Audited like the page.
    let f = assure_storage::audit::AuditFilter { action: Some("referral.raise".into()), ..Default::default() };
    assert!(db.store.audit().list(&f, 100, 0).await.unwrap().0.iter().any(|e| e.record_id == child.to_string()));

    // Every problem at once: the JSON's own (an unreadable date, an unknown source) with the domain's.
    let (r, json) = api
        .post(
            "/api/v1/concerns",
            PRACTITIONER,
            json!({ "new_child": { "first_name": "", "last_name": "" }, "source": "gossip", "seen_on": "yesterday" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(json["error"], "invalid");
    let got = fields(&json);
    for f in ["source", "seen_on", "what_seen", "referral_text"] {
        assert!(got.iter().any(|g| g == f), "{f} in {got:?}");
    }
    assert!(got.len() >= 6, "every problem at once: {got:?}");

    // Need to know: a child out of reach answers as no child at all.
    let chloe = child_named(db, "Chloe").await;
    let (a, _) = api.post("/api/v1/concerns", PRACTITIONER_2, concern(json!({ "child_id": chloe }), answers(db, false).await)).await;
    let (b, _) = api.post("/api/v1/concerns", PRACTITIONER_2, concern(json!({ "child_id": NOBODY }), answers(db, false).await)).await;
    same_answer("concern", &a, &b, chloe);

    // The role check: a notification officer does not raise concerns.
    let (r, json) =
        api.post("/api/v1/concerns", NOTIFICATION_OFFICER, concern(json!({ "new_child": new_child("Bea") }), answers(db, false).await)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(json["error"], "forbidden");
}
on_both_engines!(concerns, a_concern_through_the_api);

async fn a_placement_and_its_acknowledgement(db: &TestDb) {
    let api = setup(db).await;
    let placement = json!({
        "new_child": new_child("Cara"),
        "placing_authority": "Birmingham",
        "home": "Oak House",
        "start_date": (common::today() - chrono::Duration::days(3)).to_string(),
        "received_date": (common::today() - chrono::Duration::days(1)).to_string(),
        "risks": [
            { "risk": "cse", "present": true, "detail": "Known to Birmingham's CSE team" },
            { "risk": "missing", "present": false },
            { "risk": "offending", "present": false },
            { "risk": "organised-crime", "present": false },
            { "risk": "substance-misuse", "present": false },
            { "risk": "mental-health", "present": false },
        ],
    });
    // The role check: only the notification officer records them.
    let (r, _) = api.post("/api/v1/placements", PRACTITIONER, placement.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let (r, json) = api.post("/api/v1/placements", NOTIFICATION_OFFICER, placement.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let child = json["child_id"].as_i64().unwrap();
    let notification = json["id"].as_i64().unwrap();

    // Every problem at once.
    let (r, json) = api
        .post(
            "/api/v1/placements",
            NOTIFICATION_OFFICER,
            json!({ "new_child": new_child("Dee"), "start_date": "3rd March", "received_date": "2026-02-30" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let got = fields(&json);
    for f in ["start_date", "received_date", "placing_authority", "risk-cse"] {
        assert!(got.iter().any(|g| g == f), "{f} in {got:?}");
    }

    // The health lead acknowledges the line routed to the health team, and only that one.
    let record = common::mash_record(db, child).await;
    let n = record.notifications().await.unwrap().into_iter().find(|n| n.id == notification).expect("the notification");
    let health = n.recipients.iter().find(|r| r.team == assure_domain::partnership::Team::HealthLead).expect("routed to health").id;
    let education = n.recipients.iter().find(|r| r.team == assure_domain::partnership::Team::EducationLead).expect("routed to education").id;
    let (r, json) = api.post(&format!("/api/v1/notifications/{health}/acknowledge"), HEALTH_LEAD, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json["acknowledged"], true);
    let (r, json) = api.post(&format!("/api/v1/notifications/{education}/acknowledge"), HEALTH_LEAD, json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(json["error"], "forbidden");
    // A line of a child out of reach answers as a line that does not exist.
    let (a, _) = api.post(&format!("/api/v1/notifications/{health}/acknowledge"), PRACTITIONER_2, json!({})).await;
    let (b, _) = api.post(&format!("/api/v1/notifications/{NOBODY}/acknowledge"), PRACTITIONER_2, json!({})).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
    assert_eq!(a.body.replace(&health.to_string(), "N"), b.body.replace(&NOBODY.to_string(), "N"));
}
on_both_engines!(placements, a_placement_and_its_acknowledgement);

async fn a_missing_episode_its_return_and_interview(db: &TestDb) {
    let api = setup(db).await;
    let start = (common::today() - chrono::Duration::days(3)).and_hms_opt(21, 30, 0).unwrap();
    let (r, json) = api
        .post(
            "/api/v1/missing",
            PRACTITIONER,
            json!({
                "new_child": new_child("Evie"),
                "missing_from": "care",
                "started_at": start.format("%Y-%m-%dT%H:%M").to_string(),
                "risk_grading": "medium",
                "police_reference": "MP/123",
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let (child, episode) = (json["child_id"].as_i64().unwrap(), json["id"].as_i64().unwrap());

    // Every problem at once.
    let (r, json) =
        api.post("/api/v1/missing", PRACTITIONER, json!({ "new_child": new_child("Fay"), "started_at": "last night", "missing_from": "moon" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let got = fields(&json);
    for f in ["started_at", "missing_from", "risk_grading"] {
        assert!(got.iter().any(|g| g == f), "{f} in {got:?}");
    }

    // The return, with the version read; a stale one is a conflict.
    let record = common::record_as(db, PRACTITIONER, child, assure_domain::partnership::Section::Missing).await;
    let version = record.episode(episode).await.unwrap().version;
    let ended = (start + chrono::Duration::hours(20)).format("%Y-%m-%dT%H:%M").to_string();
    let ret = format!("/api/v1/children/{child}/missing/{episode}/return");
    let (r, _) = api.post(&ret, PRACTITIONER, json!({ "ended_at": "soon", "version": version })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let (r, _) = api.post(&ret, PRACTITIONER, json!({ "ended_at": ended, "where_found": "A friend's flat", "version": version })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (r, json) = api.post(&ret, PRACTITIONER, json!({ "ended_at": ended, "where_found": "Again", "version": version })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(json["error"], "conflict");

    // The return interview.
    let offered = (start + chrono::Duration::hours(30)).format("%Y-%m-%dT%H:%M").to_string();
    let interview = format!("/api/v1/children/{child}/missing/{episode}/interview");
    let (r, _) = api
        .post(
            &interview,
            PRACTITIONER,
            json!({ "offered_at": offered, "response": "accepted", "interviewer": "J Smith", "provider": "Safe Return", "cse": true, "said_about_cse": "Was given alcohol by older men" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let saved = record.episode(episode).await.unwrap();
    assert!(saved.interview.is_some_and(|i| i.findings.cse));

    // Need to know on every route that names the child.
    let chloe = child_named(db, "Chloe").await;
    for path in ["/api/v1/children/{}/missing/1/return", "/api/v1/children/{}/missing/1/interview"] {
        let body = json!({ "ended_at": ended, "version": 1 });
        let body = if path.ends_with("interview") { json!({ "offered_at": offered }) } else { body };
        let (a, _) = api.post(&path.replace("{}", &chloe.to_string()), PRACTITIONER_2, body.clone()).await;
        let (b, _) = api.post(&path.replace("{}", &NOBODY.to_string()), PRACTITIONER_2, body).await;
        same_answer(path, &a, &b, chloe);
    }
    let (a, _) = api
        .post("/api/v1/missing", PRACTITIONER_2, json!({ "child_id": chloe, "missing_from": "home", "started_at": offered, "risk_grading": "low" }))
        .await;
    let (b, _) = api
        .post("/api/v1/missing", PRACTITIONER_2, json!({ "child_id": NOBODY, "missing_from": "home", "started_at": offered, "risk_grading": "low" }))
        .await;
    same_answer("missing", &a, &b, chloe);

    // The role check: the health lead (a practitioner) may record; a tracker account may not.
    let (r, json) = api.get("/api/v1/me", HEALTH_LEAD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(json["permissions"].as_array().unwrap().contains(&json!("record-missing")));
}
on_both_engines!(missing, a_missing_episode_its_return_and_interview);

impl Api {
    async fn post_keyed(&self, path: &str, as_: &str, key: &str, body: &Value) -> Resp {
        let req = Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer token-{as_}"))
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .unwrap();
        Client::new(self.app.clone()).send(req).await
    }
}

async fn episodes_of(db: &TestDb, first: &str) -> usize {
    let every = testing::reader(&db.store, "mash-worker@example.org").await;
    let (found, _) = testing::children_in_reach(&db.store, every.viewer(), Some(first), 50, 0).await;
    found.iter().filter(|c| c.first_name == first).count()
}

async fn a_create_sent_twice_with_one_key_is_done_once(db: &TestDb) {
    let api = setup(db).await;
    let start = (common::today() - chrono::Duration::days(1)).and_hms_opt(20, 0, 0).unwrap().format("%Y-%m-%dT%H:%M").to_string();
    let episode = |first: &str| json!({ "new_child": new_child(first), "missing_from": "home", "started_at": start, "risk_grading": "low" });
    let first = api.post_keyed("/api/v1/missing", PRACTITIONER, "key-1", &episode("Gwen")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert!(first.headers.get("idempotent-replayed").is_none());
    // The same key and body: the first answer again, and nothing created twice.
    let again = api.post_keyed("/api/v1/missing", PRACTITIONER, "key-1", &episode("Gwen")).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(episodes_of(db, "Gwen").await, 1, "one child, created once");
    // The same key with another request: refused, naming the key.
    let other = api.post_keyed("/api/v1/missing", PRACTITIONER, "key-1", &episode("Hana")).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", other.body);
    assert!(other.has("Idempotency-Key"));
    assert_eq!(episodes_of(db, "Hana").await, 0);
    // Keys are per account: another account's "key-1" is its own.
    let theirs = api.post_keyed("/api/v1/missing", HEALTH_LEAD, "key-1", &episode("Hana")).await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{}", theirs.body);
    // A request that failed keeps nothing: the same key can carry the corrected request.
    let bad = api.post_keyed("/api/v1/missing", PRACTITIONER, "key-2", &json!({ "new_child": new_child("Iris") })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let good = api.post_keyed("/api/v1/missing", PRACTITIONER, "key-2", &episode("Iris")).await;
    assert_eq!(good.status, StatusCode::CREATED, "{}", good.body);
    // A key that is no key.
    let blank = api.post_keyed("/api/v1/missing", PRACTITIONER, "a key with spaces", &episode("Jo")).await;
    assert_eq!(blank.status, StatusCode::BAD_REQUEST, "{}", blank.body);
}
on_both_engines!(idempotency, a_create_sent_twice_with_one_key_is_done_once);

/// Follow `next` links from `first` to the end, collecting each answer's `key` items' ids.
async fn walk(api: &Api, as_: &str, first: &str, key: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut link = Some(first.to_string());
    let mut hops = 0;
    while let Some(path) = link {
        let (r, json) = api.get(&path, as_).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert!(json[key].as_array().unwrap().len() <= 2, "limit is kept");
        ids.extend(json[key].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()));
        link = json["next"].as_str().map(str::to_string);
        if let Some(next) = &link {
            assert!(next.contains(&format!("cursor={}", json["next_cursor"].as_str().unwrap())));
        }
        hops += 1;
        assert!(hops < 500, "the links end");
    }
    ids
}

async fn lists_page_with_a_cursor(db: &TestDb) {
    let api = setup(db).await;
    // Children in the MASH worker's reach, two at a time, and all at once: the same, in order.
    let paged = walk(&api, MASH, "/api/v1/children?limit=2", "children").await;
    let (_, all) = api.get("/api/v1/children?limit=200", MASH).await;
    let every: Vec<i64> = all["children"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert!(every.len() > 2, "the demo has more than one page of children");
    assert_eq!(paged.len() as i64, all["total"].as_i64().unwrap(), "every child once");
    assert_eq!(paged.iter().collect::<std::collections::BTreeSet<_>>().len(), paged.len(), "no child twice");
    assert_eq!(paged[..every.len()], every[..], "the same order as one long page");
    let (_, last) = api.get(&format!("/api/v1/children?limit=2&cursor={}", assure_web::api::extract::cursor_at(paged.len() as i64 - 1)), MASH).await;
    assert_eq!(last["children"].as_array().unwrap().len(), 1);
    assert!(last.get("next").is_none(), "no next at the end");
    // Recommendations keep their filters across pages.
    let paged = walk(&api, ADMIN, "/api/v1/recommendations?limit=2&lifecycle=in-progress", "items").await;
    let (_, all) = api.get("/api/v1/recommendations?per_page=200&lifecycle=in-progress", ADMIN).await;
    let every: Vec<i64> = all["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert!(every.len() > 2 && every.len() < 200);
    assert_eq!(paged, every);
    // A cursor the API did not give, and a limit out of bounds, are 400s.
    for bad in ["/api/v1/children?cursor=abc", "/api/v1/children?limit=201", "/api/v1/recommendations?limit=0"] {
        let (r, json) = api.get(bad, if bad.contains("children") { MASH } else { ADMIN }).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert_eq!(json["error"], "bad_request");
    }
}
on_both_engines!(cursors, lists_page_with_a_cursor);

/// Someone who cannot open this child, for the need-to-know checks.
async fn outsider_of(db: &TestDb, child: i64) -> &'static str {
    for email in [PRACTITIONER_2, PRACTITIONER, HEALTH_LEAD, NOTIFICATION_OFFICER] {
        let r = testing::reader(&db.store, email).await;
        if db.store.open_child(&r, assure_storage::ChildKey::Child(child), assure_domain::partnership::Section::Identity).await.is_err() {
            return email;
        }
    }
    panic!("everyone can see child {child}");
}

async fn child_protection_through_the_api(db: &TestDb) {
    let api = setup(db).await;
    let megan = child_named(db, "Megan").await;
    let today = common::today();
    // The queue of open cases, filtered by overdue, a page at a time with its count.
    let (r, q) = api.get("/api/v1/child-protection?overdue=true", MASH).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let item = q["items"].as_array().unwrap().iter().find(|c| c["child_id"] == megan).expect("Megan's overdue case is on the queue").clone();
    assert_eq!(item["overdue"], true);
    assert_eq!(item["next_stage"], "strategy-meeting");
    assert!(q["total"].as_i64().unwrap() >= 1);
    let (_, all) = api.get("/api/v1/child-protection", MASH).await;
    let total = all["total"].as_i64().unwrap();
    let mut seen = Vec::new();
    let mut link = "/api/v1/child-protection?limit=1".to_string();
    loop {
        let (r, page) = api.get(&link, MASH).await;
        assert_eq!(r.status, StatusCode::OK, "{link}: {}", r.body);
        seen.extend(page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()));
        match page["next"].as_str() {
            Some(next) => link = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, total, "every open case once, a page at a time");
    // Only the MASH; bad filters and cursors are 400s.
    let (r, _) = api.get("/api/v1/child-protection", PRACTITIONER).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for bad in ["/api/v1/child-protection?overdue=maybe", "/api/v1/child-protection?cursor=abc", "/api/v1/child-protection?limit=0"] {
        let (r, json) = api.get(bad, MASH).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert_eq!(json["error"], "bad_request");
    }

    // The child's cases, with every stage's due date and timeliness; through the door.
    let (r, cases) = api.get(&format!("/api/v1/children/{megan}/child-protection"), MASH).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let case = &cases[0];
    assert_eq!(case["stages"][0]["stage"], "strategy-meeting");
    assert_eq!(case["stages"][0]["timeliness"], "overdue");
    let (cid, version) = (case["id"].as_i64().unwrap(), case["version"].as_i64().unwrap());
    let outsider = outsider_of(db, megan).await;
    let (a, _) = api.get(&format!("/api/v1/children/{megan}/child-protection"), outsider).await;
    let (b, _) = api.get(&format!("/api/v1/children/{NOBODY}/child-protection"), outsider).await;
    same_answer("cp cases", &a, &b, megan);

    // The strategy meeting: every problem at once, then recorded, then a stale version refused.
    let path = format!("/api/v1/children/{megan}/child-protection/{cid}/strategy-meeting");
    let (r, json) = api.post(&path, MASH, json!({ "held_on": "yesterday", "decision": "adjourn", "version": version })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let got = fields(&json);
    for f in ["held_on", "decision", "agencies"] {
        assert!(got.iter().any(|g| g == f), "{f} in {got:?}");
    }
    let agencies: Vec<i64> = db.store.partnership().agencies().await.unwrap().iter().take(2).map(|a| a.id).collect();
    let meeting = json!({ "held_on": (today - chrono::Duration::days(1)).to_string(), "agencies": agencies, "decision": "section-47", "notes": "Police and school attended", "version": version });
    let (r, _) = api.post(&path, PRACTITIONER, meeting.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let (r, json) = api.post(&path, MASH, meeting.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json["strategy_decision"], "section-47");
    assert_eq!(json["strategy_attendees"].as_array().unwrap().len(), 2);
    assert_eq!(json["stages"][0]["done_on"], (today - chrono::Duration::days(1)).to_string());
    let (r, _) = api.post(&path, MASH, meeting).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // The section 47 enquiry started.
    let (r, json) = api
        .post(
            &format!("/api/v1/children/{megan}/child-protection/{cid}/section-47"),
            MASH,
            json!({ "started_on": today.to_string(), "outcome": "conference-needed", "outcome_on": today.to_string(), "version": json["version"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json["s47_outcome"], "conference-needed");
    assert!(json["s47_started_on"].is_string());
    // Audited against the child like the page.
    let f = assure_storage::audit::AuditFilter { record_type: Some("child".into()), ..Default::default() };
    let log = db.store.audit().list(&f, 500, 0).await.unwrap().0;
    assert!(log.iter().any(|e| e.record_id == megan.to_string() && e.action.starts_with("cp.")), "the change is audited");
}
on_both_engines!(child_protection, child_protection_through_the_api);

async fn marac_through_the_api(db: &TestDb) {
    let api = setup(db).await;
    let leah = child_named(db, "Leah").await;
    let megan = child_named(db, "Megan").await;
    // Recording one: every problem at once; a 14-year-old is refused by age.
    let (r, json) = api.post(&format!("/api/v1/children/{leah}/marac"), MASH, json!({ "referred_on": "2026-13-01" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let got = fields(&json);
    for f in ["referred_on", "referred_by", "relationship"] {
        assert!(got.iter().any(|g| g == f), "{f} in {got:?}");
    }
    let body = json!({ "referred_on": common::today().to_string(), "referred_by": "IDVA service", "relationship": "Controlling partner" });
    let (r, _) = api.post(&format!("/api/v1/children/{megan}/marac"), MASH, body.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a 14-year-old: {}", r.body);
    let (r, m) = api.post(&format!("/api/v1/children/{leah}/marac"), MASH, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(m["status"], "awaiting-cse-review");
    assert!((16..=18).contains(&m["age_at_referral"].as_i64().unwrap()));

    // Read back through the door.
    let (r, list) = api.get(&format!("/api/v1/children/{leah}/marac"), MASH).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(list.as_array().unwrap().iter().any(|x| x["id"] == m["id"]), "{list}");
    let outsider = outsider_of(db, leah).await;
    let (a, _) = api.get(&format!("/api/v1/children/{leah}/marac"), outsider).await;
    let (b, _) = api.get(&format!("/api/v1/children/{NOBODY}/marac"), outsider).await;
    same_answer("marac", &a, &b, leah);

    // The CSE review: an unknown outcome is named; the review is for the MASH only.
    let review = format!("/api/v1/children/{leah}/marac/{}/review", m["id"]);
    let (r, json) = api.post(&review, MASH, json!({ "outcome": "maybe", "version": m["version"] })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(fields(&json).contains(&"outcome".to_string()));
    let no = json!({ "outcome": "no-cse-concern", "reasons": "Domestic abuse only; no exploitation found on checks", "version": m["version"] });
    let (r, _) = api.post(&review, PRACTITIONER, no.clone()).await;
    assert!(r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND, "{}", r.body);
    let (r, json) = api.post(&review, MASH, no).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json["status"], "no-cse-concern");
}
on_both_engines!(marac, marac_through_the_api);

async fn spoc_monitoring_through_the_api(db: &TestDb) {
    let api = setup(db).await;
    // The partnership manager sees every agency; a SPOC their own.
    let (r, all) = api.get("/api/v1/spoc/monitoring?period=12-months", MANAGER).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(all["every_agency"], true);
    assert_eq!(all["period"], "12-months");
    let every = all["agencies"].as_array().unwrap().len();
    assert!(all["made_none"].as_array().unwrap().iter().any(|a| a["name"].as_str().is_some()), "agencies with none are named");
    let (r, mine) = api.get("/api/v1/spoc/monitoring", SPOC).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(mine["every_agency"], false);
    let own = mine["agencies"].as_array().unwrap();
    assert!(!own.is_empty() && own.len() < every, "{} of {every}", own.len());
    assert!(own.iter().all(|a| a["use_level"].is_string() && a["peer_average"].is_number()));
    assert!(!r.body.contains("Megan"), "counts only: no child named");
    let (r, _) = api.get("/api/v1/spoc/monitoring?period=decade", MANAGER).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let (r, _) = api.get("/api/v1/spoc/monitoring", PRACTITIONER_2).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "not a SPOC: {}", r.body);

    // Challenges, a page at a time; a new one, and the agency's response once.
    let (r, page) = api.get("/api/v1/spoc/challenges?limit=1", MANAGER).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(page["total"].as_i64().unwrap() >= 2, "the demo's challenges");
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert!(page["next"].is_string());
    let agency = own[0]["agency_id"].as_i64().unwrap();
    let (r, json) = api.post("/api/v1/spoc/challenges", SPOC, json!({ "period": "fortnight", "challenge": "" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let got = fields(&json);
    for f in ["agency_id", "period", "challenge"] {
        assert!(got.iter().any(|g| g == f), "{f} in {got:?}");
    }
    let others = all["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["agency_id"].as_i64().unwrap())
        .find(|a| !own.iter().any(|o| o["agency_id"] == *a))
        .unwrap();
    let (r, _) = api.post("/api/v1/spoc/challenges", SPOC, json!({ "agency_id": others, "period": "3-months", "challenge": "Why so few?" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "another agency's: {}", r.body);
    let (r, made) =
        api.post("/api/v1/spoc/challenges", SPOC, json!({ "agency_id": agency, "period": "3-months", "challenge": "Please name a CSE lead" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(made["agency_id"], agency);
    let respond = format!("/api/v1/spoc/challenges/{}/response", made["id"]);
    let (r, _) = api.post(&respond, SPOC, json!({ "response": "Lead named", "version": made["version"].as_i64().unwrap() + 1 })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let (r, json) = api.post(&respond, SPOC, json!({ "response": "Lead named", "version": made["version"] })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json["response"], "Lead named");
    let (r, _) = api.post(&format!("/api/v1/spoc/challenges/{NOBODY}/response"), SPOC, json!({ "response": "x", "version": 1 })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}
on_both_engines!(spoc_monitoring, spoc_monitoring_through_the_api);
