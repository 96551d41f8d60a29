//! The JSON API over HTTP, in process, on both engines: the OpenAPI document
//! against the route table, tokens, role and object-level permissions, version
//! conflicts, validation, list filters and JSON errors.

use std::collections::BTreeSet;

use assure_domain::Permission;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_storage::tracker::Recommendation;
use assure_storage::Actor;
use assure_web::auth::{hash_password, sha256_hex};
use assure_web::routes::{self, Kind};
use assure_web::{app, Config};
use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use serde_json::{json, Value};
use tower::ServiceExt;

fn today() -> NaiveDate {
    assure_domain::Clock::system().today()
}

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    raw: String,
    json: Value,
}

impl Resp {
    fn is_json(&self) -> bool {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("application/json"))
            && !self.json.is_null()
    }
    /// A JSON error body with this code.
    fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "body: {}", self.raw);
        assert!(self.is_json(), "error is not JSON: {:?} {}", self.headers.get(header::CONTENT_TYPE), self.raw);
        assert_eq!(self.json["error"], code, "{}", self.raw);
        assert!(self.json["title"].is_string() && self.json["message"].is_string(), "{}", self.raw);
    }
}

/// The app over the demo data, with an API token for each demo account.
struct Api {
    app: Router,
}

const PASSWORD: &str = "demo-password-123";

async fn setup(db: &TestDb) -> Api {
    let hash = hash_password(PASSWORD);
    assert!(assure_storage::demo::load(&db.store, today(), &hash).await.unwrap());
    for email in ACCOUNTS {
        let (user, _) = db.store.users().by_email(email).await.unwrap().unwrap();
        db.store.users().create_token(&Actor::system(), user.id, "t", &sha256_hex(&token_for(email))).await.unwrap();
    }
    Api { app: app(db.store.clone(), Config::new(db.dir.clone())) }
}

const ADMIN: &str = "administrator@example.org";
const OFFICER: &str = "scrutiny-officer@example.org";
const LEAD: &str = "lead-officer@example.org";
const SCHOOLS: &str = "schools-lead@example.org";
const MEMBER: &str = "committee-member@example.org";
const ACCOUNTS: [&str; 5] = [ADMIN, OFFICER, LEAD, SCHOOLS, MEMBER];

fn token_for(email: &str) -> String {
    format!("test-token-{email}")
}

impl Api {
    async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.app.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let headers = resp.headers().clone();
        let raw = String::from_utf8_lossy(&to_bytes(resp.into_body(), 16 * 1024 * 1024).await.unwrap()).to_string();
        let json = serde_json::from_str(&raw).unwrap_or(Value::Null);
        Resp { status, headers, raw, json }
    }

    async fn get(&self, path: &str, as_: Option<&str>) -> Resp {
        let mut b = Request::builder().method(Method::GET).uri(path);
        if let Some(email) = as_ {
            b = b.header(header::AUTHORIZATION, format!("Bearer {}", token_for(email)));
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    async fn post_raw(&self, path: &str, as_: &str, content_type: &str, body: &str) -> Resp {
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", token_for(as_)))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    async fn post(&self, path: &str, as_: &str, body: Value) -> Resp {
        self.post_raw(path, as_, "application/json", &body.to_string()).await
    }

    async fn detail(&self, rec_id: i64) -> Value {
        let r = self.get(&format!("/api/v1/recommendations/{rec_id}"), Some(ADMIN)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
        r.json
    }
}

/// Recommendation (n) of the review whose title starts with `title`.
async fn rec_of(db: &TestDb, title: &str, n: i64) -> Recommendation {
    let review = db.store.tracker().reviews().await.unwrap().into_iter().find(|r| r.title.starts_with(title)).expect("demo review");
    db.store
        .tracker()
        .review_recommendations(review.id)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.number == n && r.sub_label.is_empty())
        .expect("demo recommendation")
}

// ------------------------------------------------------------------ 1. the OpenAPI document

async fn openapi_lists_exactly_the_api_routes(db: &TestDb) {
    let api = setup(db).await;
    // Public: no credentials needed.
    let r = api.get("/api/v1/openapi.json", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    assert!(r.is_json());
    let doc = r.json;
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert_eq!(doc["components"]["securitySchemes"]["bearerAuth"]["type"], "http");
    assert_eq!(doc["components"]["securitySchemes"]["bearerAuth"]["scheme"], "bearer");
    assert_eq!(doc["components"]["securitySchemes"]["cookieSession"]["in"], "cookie");

    let table = routes::table();
    let api_specs: Vec<_> = table.specs.iter().filter(|s| s.kind == Kind::Api).collect();
    assert!(api_specs.len() >= 16, "the API routes are declared");
    let expected: BTreeSet<(String, String)> = api_specs.iter().map(|s| (s.method.as_str().to_lowercase(), s.path.to_string())).collect();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("path item") {
            documented.insert((method.clone(), path.clone()));
        }
    }
    assert_eq!(documented, expected, "the document lists exactly the API routes of the route table");
    assert!(!doc["paths"].as_object().unwrap().keys().any(|p| !p.starts_with("/api/")), "no pages in the API document");

    for spec in api_specs {
        let op = &doc["paths"][spec.path][spec.method.as_str().to_lowercase()];
        assert_eq!(op["x-permission"], spec.permission.name(), "{} {}", spec.method, spec.path);
        assert_eq!(op["summary"], spec.summary);
        // Path parameters for every {segment}.
        let names: Vec<&str> = spec.path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
        let params: Vec<&Value> = op["parameters"].as_array().map(|a| a.iter().filter(|p| p["in"] == "path").collect()).unwrap_or_default();
        assert_eq!(params.len(), names.len(), "{}", spec.path);
        for (p, n) in params.iter().zip(&names) {
            assert_eq!(p["name"], *n);
            assert_eq!(p["required"], true);
        }
        // Every POST takes a JSON object, but an acknowledgement, which takes nothing.
        if spec.path == "/api/v1/imports" {
            // The upload takes the file itself.
            assert!(op["requestBody"]["content"]["application/octet-stream"].is_object(), "the upload takes the file's bytes");
        } else if spec.method == Method::POST && !spec.path.ends_with("/acknowledge") {
            let schema = resolve(&doc, &op["requestBody"]["content"]["application/json"]["schema"]);
            assert_eq!(schema["type"], "object", "POST {} has a request schema", spec.path);
            assert!(schema["properties"].as_object().is_some_and(|p| !p.is_empty()));
        } else {
            assert!(op.get("requestBody").is_none());
        }
        if spec.permission == Permission::Public {
            assert_eq!(op["security"], json!([]));
        }
    }
}
on_both_engines!(openapi_document, openapi_lists_exactly_the_api_routes);

/// A schema, or the component a `$ref` names.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => &doc["components"]["schemas"][name],
        None => schema,
    }
}

/// Every `$ref` in the document names a component that exists, and the types are
/// described as the code declares them: slugs as enums, dates with their format,
/// paging bounded.
#[test]
fn openapi_is_derived_from_the_types() {
    let doc = assure_web::api::openapi::document(&routes::table());
    let text = doc.to_string();
    let missing: BTreeSet<&str> = text
        .split("\"$ref\":\"")
        .skip(1)
        .map(|r| r.split('"').next().unwrap().strip_prefix("#/components/schemas/").expect("a local schema"))
        .filter(|name| doc["components"]["schemas"].get(name).is_none())
        .collect();
    assert!(missing.is_empty(), "named but not among the components: {missing:?}");
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Lifecycle"]["type"], "string");
    assert!(schemas["Lifecycle"]["enum"].as_array().unwrap().contains(&json!("in-progress")));
    assert!(schemas["ReferralSource"]["enum"].as_array().unwrap().contains(&json!("police-101")));
    assert_eq!(schemas["RecView"]["properties"]["created_on"]["format"], "date");
    assert!(schemas["RecView"]["required"].as_array().unwrap().contains(&json!("lifecycle")));
    assert_eq!(schemas["NewReview"]["additionalProperties"], false);
    let per_page = doc["paths"]["/api/v1/recommendations"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "per_page")
        .expect("per_page")
        .clone();
    assert_eq!(per_page["schema"]["maximum"], 200);
    assert_eq!(per_page["in"], "query");
}

// ------------------------------------------------------------------ 2. tokens and roles

async fn tokens_and_roles(db: &TestDb) {
    let api = setup(db).await;
    // No token.
    let r = api.get("/api/v1/recommendations", None).await;
    r.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(r.headers.get(header::WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()), Some("Bearer"));
    // An unknown token.
    let req = Request::builder().uri("/api/v1/recommendations").header(header::AUTHORIZATION, "Bearer not-a-token").body(Body::empty()).unwrap();
    api.send(req).await.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");

    // A revoked token stops working at once.
    let (admin, _) = db.store.users().by_email(ADMIN).await.unwrap().unwrap();
    let secret = "soon-to-be-revoked";
    let tid = db.store.users().create_token(&Actor::system(), admin.id, "revoked", &sha256_hex(secret)).await.unwrap();
    let with = |t: &str| Request::builder().uri("/api/v1/me").header(header::AUTHORIZATION, format!("Bearer {t}")).body(Body::empty()).unwrap();
    assert_eq!(api.send(with(secret)).await.status, StatusCode::OK);
    db.store.users().revoke_token(&Actor::system(), tid).await.unwrap();
    let r = api.send(with(secret)).await;
    r.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(r.headers.get(header::WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()), Some("Bearer"));

    // A committee member reads but cannot write.
    let me = api.get("/api/v1/me", Some(MEMBER)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["email"], MEMBER);
    assert_eq!(me.json["role"], "committee-member");
    let perms: Vec<&str> = me.json["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(perms.contains(&"view-tracker") && !perms.contains(&"record-progress"), "{perms:?}");

    let list = api.get("/api/v1/recommendations", Some(MEMBER)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.raw);
    assert!(list.json["total"].as_i64().unwrap() > 0);
    let rec = rec_of(db, "Licensing", 2).await;
    let before = api.detail(rec.id).await["updates"].as_array().unwrap().len();
    let r = api
        .post(
            &format!("/api/v1/recommendations/{}/updates", rec.id),
            MEMBER,
            json!({ "update_date": "2024-01-02", "narrative": "Members cannot write this" }),
        )
        .await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(api.detail(rec.id).await["updates"].as_array().unwrap().len(), before);
    // Managing the tracker is for scrutiny officers and administrators.
    api.post("/api/v1/reviews", LEAD, json!({ "kind": "other", "title": "Not allowed" })).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    // Every read answers each role.
    let reads = [
        "/api/v1/bodies".to_string(),
        "/api/v1/reviews".into(),
        "/api/v1/dashboard".into(),
        "/api/v1/schedule".into(),
        format!("/api/v1/recommendations/{}", rec.id),
        format!("/api/v1/reviews/{}", rec.review_id),
    ];
    for path in &reads {
        for who in ACCOUNTS {
            let r = api.get(path, Some(who)).await;
            assert_eq!(r.status, StatusCode::OK, "{who} GET {path}: {}", r.raw);
            assert!(r.is_json());
        }
    }
}
on_both_engines!(tokens, tokens_and_roles);

// ------------------------------------------------------------------ 3. lead officers change only what they lead

async fn lead_officers_change_only_what_they_lead(db: &TestDb) {
    let api = setup(db).await;
    let mine = rec_of(db, "Licensing", 2).await;
    let theirs = rec_of(db, "Licensing", 3).await;
    let (lead, _) = db.store.users().by_email(LEAD).await.unwrap().unwrap();
    assert!(mine.is_led_by(lead.id) && !theirs.is_led_by(lead.id), "demo data as expected");

    // Their own: saved, 201 with the update.
    let r = api
        .post(
            &format!("/api/v1/recommendations/{}/updates", mine.id),
            LEAD,
            json!({ "update_date": "2024-02-01", "narrative": "Reply chased with the Department", "progress_percent": 70 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    assert_eq!(r.json["narrative"], "Reply chased with the Department");
    assert_eq!(r.json["progress_percent"], 70);
    assert_eq!(r.json["recommendation_id"], mine.id);
    let d = api.detail(mine.id).await;
    assert!(d["updates"].as_array().unwrap().iter().any(|u| u["narrative"] == "Reply chased with the Department"));

    // Someone else's: 403, and nothing saved.
    let before = api.detail(theirs.id).await;
    let r = api
        .post(
            &format!("/api/v1/recommendations/{}/updates", theirs.id),
            LEAD,
            json!({ "update_date": "2024-02-01", "narrative": "Not mine to write" }),
        )
        .await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert!(r.json["message"].as_str().unwrap().contains("recommendations you lead"), "{}", r.raw);
    let r = api
        .post(&format!("/api/v1/recommendations/{}/lifecycle", theirs.id), LEAD, json!({ "lifecycle": "in-progress", "version": theirs.version }))
        .await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let r =
        api.post(&format!("/api/v1/recommendations/{}/actions", theirs.id), LEAD, json!({ "text": "Not mine", "target_date": "2030-01-01" })).await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let action = &before["actions"][0];
    let r = api
        .post(
            &format!("/api/v1/actions/{}/revise", action["id"]),
            LEAD,
            json!({ "new_date": "2030-01-01", "reason": "Not mine", "version": action["version"] }),
        )
        .await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let after = api.detail(theirs.id).await;
    assert_eq!(after["updates"], before["updates"], "no update was saved");
    assert_eq!(after["actions"], before["actions"], "no action added or revised");
    assert_eq!(after["version"], before["version"]);
    assert_eq!(after["lifecycle"], before["lifecycle"]);

    // The same writes by the lead who does lead it succeed (the refusal is about the record, not the role).
    let r = api
        .post(
            &format!("/api/v1/recommendations/{}/actions", theirs.id),
            SCHOOLS,
            json!({ "text": "Repeat the email each September", "owner": "Head of Schools", "target_date": "2030-09-30" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    assert_eq!(r.json["target_date"], "2030-09-30");
    let new_action = r.json.clone();
    let r = api
        .post(
            &format!("/api/v1/actions/{}/revise", new_action["id"]),
            SCHOOLS,
            json!({ "new_date": "2030-10-31", "reason": "Half-term", "version": new_action["version"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    assert_eq!(r.json["target_date"], "2030-10-31");
    assert_eq!(r.json["revisions"][0]["old_date"], "2030-09-30");
    assert_eq!(r.json["date_history"], "September 2030, revised to October 2030");
    // And a scrutiny officer may change any recommendation.
    let r = api
        .post(
            &format!("/api/v1/recommendations/{}/updates", theirs.id),
            OFFICER,
            json!({ "update_date": "2024-02-01", "narrative": "Recorded by the scrutiny officer" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
}
on_both_engines!(lead_officers, lead_officers_change_only_what_they_lead);

// ------------------------------------------------------------------ 4. conflicts and validation

async fn stale_versions_conflict_and_validation_names_fields(db: &TestDb) {
    let api = setup(db).await;
    // The serious case review's recommendation (5) awaits the executive's response.
    let awaiting = rec_of(db, "Serious case review", 5).await;
    let d = api.detail(awaiting.id).await;
    assert_eq!(d["response"], "awaiting");
    let v = d["version"].as_i64().unwrap();
    let url = format!("/api/v1/recommendations/{}/response", awaiting.id);

    // Stale version: 409, nothing changed.
    let r = api.post(&url, OFFICER, json!({ "response": "accepted", "response_date": "2024-03-01", "version": v - 1 })).await;
    r.assert_error(StatusCode::CONFLICT, "conflict");
    let d = api.detail(awaiting.id).await;
    assert_eq!((d["response"].as_str(), d["version"].as_i64()), (Some("awaiting"), Some(v)));

    // A rejection needs a reason: 422 naming the field.
    let r = api.post(&url, OFFICER, json!({ "response": "rejected", "response_date": "2024-03-01", "version": v })).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(r.json["fields"][0]["field"], "response_reason", "{}", r.raw);
    let d = api.detail(awaiting.id).await;
    assert_eq!((d["response"].as_str(), d["version"].as_i64()), (Some("awaiting"), Some(v)));
    // A bad date counts as missing and is named.
    let r = api.post(&url, OFFICER, json!({ "response": "accepted", "response_date": "1 March 2024", "version": v })).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(r.json["fields"][0]["field"], "response_date");

    // With the reason and the current version it is recorded.
    let r = api
        .post(&url, OFFICER, json!({ "response": "rejected", "response_date": "2024-03-01", "reason": "Not affordable this year", "version": v }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    assert_eq!(r.json["response"], "rejected");
    assert_eq!(r.json["response_reason"], "Not affordable this year");
    assert_eq!(r.json["response_state"]["state"], "responded");
    assert_eq!(r.json["version"], v + 1);
    // The version it was recorded against is now stale.
    let r = api.post(&url, OFFICER, json!({ "response": "accepted", "response_date": "2024-03-02", "version": v })).await;
    r.assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(api.detail(awaiting.id).await["response"], "rejected");

    // Lifecycle: Ofsted recommendation (3) has not started; its lead is the demo lead officer.
    let rec = rec_of(db, "Ofsted", 3).await;
    let url = format!("/api/v1/recommendations/{}/lifecycle", rec.id);
    let v = rec.version;
    let r = api.post(&url, LEAD, json!({ "lifecycle": "in-progress", "version": v })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    assert_eq!(r.json["lifecycle"], "in-progress");
    let r = api.post(&url, LEAD, json!({ "lifecycle": "paused", "reason": "Restructure", "version": v })).await;
    r.assert_error(StatusCode::CONFLICT, "conflict");
    let d = api.detail(rec.id).await;
    assert_eq!((d["lifecycle"].as_str(), d["version"].as_i64()), (Some("in-progress"), Some(v + 1)));
    // Pausing needs a reason; sign-off is not an officer's choice.
    let r = api.post(&url, LEAD, json!({ "lifecycle": "paused", "version": v + 1 })).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(r.json["fields"][0]["field"], "reason");
    let r = api.post(&url, LEAD, json!({ "lifecycle": "signed-off", "version": v + 1 })).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(r.json["fields"][0]["field"], "lifecycle");
    let r = api.post(&url, LEAD, json!({ "lifecycle": "finished", "version": v + 1 })).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(r.json["fields"][0]["field"], "lifecycle");
    assert_eq!(api.detail(rec.id).await["lifecycle"], "in-progress");

    // An update without a narrative or date: 422 naming both.
    let r = api.post(&format!("/api/v1/recommendations/{}/updates", rec.id), LEAD, json!({ "update_date": "31/02/2024" })).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let fields: Vec<&str> = r.json["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["narrative", "update_date"]);
}
on_both_engines!(conflicts_and_validation, stale_versions_conflict_and_validation_names_fields);

// ------------------------------------------------------------------ 5. list filters

async fn list_filters(db: &TestDb) {
    let api = setup(db).await;
    let all = api.get("/api/v1/recommendations?per_page=200", Some(MEMBER)).await;
    assert_eq!(all.status, StatusCode::OK);
    let total = all.json["total"].as_i64().unwrap();
    assert_eq!(all.json["items"].as_array().unwrap().len() as i64, total);
    assert_eq!(all.json["page"], 1);
    assert_eq!(all.json["per_page"], 200);
    let first = &all.json["items"][0];
    for key in
        ["reference", "label", "wording", "response", "lifecycle", "rag", "suggested_rag", "target_date", "response_due", "response_state", "leads"]
    {
        assert!(first.get(key).is_some(), "list items carry {key}: {first}");
    }

    // ?rag=amber: only amber, and not everything.
    let r = api.get("/api/v1/recommendations?rag=amber&per_page=200", Some(MEMBER)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    let amber = r.json["items"].as_array().unwrap();
    assert!(!amber.is_empty() && (amber.len() as i64) < total);
    assert_eq!(r.json["total"].as_i64().unwrap(), amber.len() as i64);
    assert!(amber.iter().all(|i| i["rag"] == "amber"), "{}", r.raw);
    let expected_amber = all.json["items"].as_array().unwrap().iter().filter(|i| i["rag"] == "amber").count();
    assert_eq!(amber.len(), expected_amber, "the filter agrees with the RAG each item shows");

    // Other filters.
    let r = api.get("/api/v1/recommendations?lifecycle=signed-off", Some(MEMBER)).await;
    assert!(r.json["total"].as_i64().unwrap() > 0 && r.json["items"].as_array().unwrap().iter().all(|i| i["lifecycle"] == "signed-off"));
    let r = api.get("/api/v1/recommendations?response=rejected", Some(MEMBER)).await;
    assert!(r.json["total"].as_i64().unwrap() > 0 && r.json["items"].as_array().unwrap().iter().all(|i| i["response"] == "rejected"));
    let (lead, _) = db.store.users().by_email(SCHOOLS).await.unwrap().unwrap();
    let r = api.get(&format!("/api/v1/recommendations?lead={}", lead.id), Some(MEMBER)).await;
    assert!(
        r.json["total"].as_i64().unwrap() > 0
            && r.json["items"].as_array().unwrap().iter().all(|i| i["leads"].as_array().unwrap().iter().any(|l| l["user_id"] == lead.id))
    );
    // Blank parameters are no filter.
    assert_eq!(api.get("/api/v1/recommendations?rag=&lifecycle=", Some(MEMBER)).await.json["total"], total);

    // Paging.
    let p2 = api.get("/api/v1/recommendations?per_page=5&page=2", Some(MEMBER)).await;
    assert_eq!(p2.json["items"].as_array().unwrap().len(), 5);
    assert_eq!(p2.json["items"][0]["id"], all.json["items"][5]["id"]);

    // Unknown values: 400 naming the parameter.
    for (q, name) in [
        ("lifecycle=bogus", "lifecycle"),
        ("response=maybe", "response"),
        ("rag=purple", "rag"),
        ("body_id=abc", "body_id"),
        ("page=0", "page"),
        ("overdue=soon", "overdue"),
    ] {
        let r = api.get(&format!("/api/v1/recommendations?{q}"), Some(MEMBER)).await;
        r.assert_error(StatusCode::BAD_REQUEST, "bad_request");
        assert!(r.json["message"].as_str().unwrap().contains(name), "{q}: {}", r.raw);
    }

    // Search.
    let r = api.get("/api/v1/recommendations?q=e-learning", Some(MEMBER)).await;
    assert_eq!(r.json["total"], 1, "{}", r.raw);
    assert_eq!(r.json["items"][0]["label"], "(3)");
    assert!(r.json["items"][0]["review_title"].as_str().unwrap().starts_with("Licensing"));

    // The dashboard counts the same recommendations.
    let d = api.get("/api/v1/dashboard", Some(MEMBER)).await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.json["total"], total);
    // Amber as rated and Amber as suggested are counted apart; the filter takes both.
    let amber_count: u64 = d.json["by_rag"].as_array().unwrap().iter().filter(|c| c["rag"] == "amber").map(|c| c["count"].as_u64().unwrap()).sum();
    assert_eq!(amber_count as usize, expected_amber);
    // (The first committee's: a case-file audit's actions are under no committee.)
    let by_body = d.json["by_body"].as_array().unwrap().iter().find(|b| b["body_id"].is_i64()).unwrap();
    let body = by_body["body_id"].as_i64().unwrap();
    let scoped = api.get(&format!("/api/v1/dashboard?body_id={body}"), Some(MEMBER)).await;
    assert_eq!(scoped.json["total"], by_body["total"]);
    api.get("/api/v1/dashboard?body_id=x", Some(MEMBER)).await.assert_error(StatusCode::BAD_REQUEST, "bad_request");

    // The schedule gives each monitoring schedule's next report.
    let s = api.get("/api/v1/schedule", Some(MEMBER)).await;
    let items = s.json.as_array().unwrap();
    assert!(items.len() >= 3);
    for i in items {
        let next = i["next_report_date"].as_str().expect("six-monthly schedules always have a next report");
        assert!(next >= today().to_string().as_str());
        assert_eq!(i["upcoming_report_dates"][0], next);
    }
}
on_both_engines!(filters, list_filters);

/// GET /api/v1/reviews a page at a time: following `next` gives every review once, in
/// the list's order, including reviews with the same report date; a made-up cursor is a 400.
async fn reviews_are_paged_by_key(db: &TestDb) {
    let api = setup(db).await;
    let sys = Actor::system();
    for i in 0..7 {
        let input = assure_domain::tracker::ReviewInput {
            kind: Some(assure_domain::tracker::ReviewKind::Other),
            title: format!("Paged review {i}"),
            report_date: Some(NaiveDate::from_ymd_opt(2020, 5, 1).unwrap()),
            ..Default::default()
        };
        db.store.tracker().create_review(&sys, &input).await.unwrap();
    }
    let expected: Vec<i64> = db.store.tracker().reviews().await.unwrap().iter().map(|r| r.id).collect();
    let mut seen = Vec::new();
    let mut url = "/api/v1/reviews?limit=3".to_string();
    loop {
        let r = api.get(&url, Some(MEMBER)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
        assert_eq!(r.json["total"].as_i64().unwrap(), expected.len() as i64);
        assert_eq!(r.json["limit"], 3);
        let items = r.json["items"].as_array().unwrap();
        assert!(items.len() <= 3 && !items.is_empty());
        seen.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
        match r.json["next"].as_str() {
            Some(next) => {
                assert_eq!(r.json["next_cursor"].as_str().map(|c| next.ends_with(c)), Some(true));
                url = next.to_string();
            }
            None => break,
        }
    }
    assert_eq!(seen, expected, "every review once, newest first");
    for bad in ["cursor=zz", "cursor=76312e35", "limit=0", "limit=201"] {
        api.get(&format!("/api/v1/reviews?{bad}"), Some(MEMBER)).await.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    }
}
on_both_engines!(reviews_paged, reviews_are_paged_by_key);

// ------------------------------------------------------------------ 6. unknown ids and bad bodies

async fn unknown_ids_and_bad_bodies_answer_json(db: &TestDb) {
    let api = setup(db).await;
    for path in [
        "/api/v1/recommendations/999999",
        "/api/v1/recommendations/abc",
        "/api/v1/recommendations/-1",
        "/api/v1/reviews/999999",
        "/api/v1/reviews/1x",
    ] {
        api.get(path, Some(ADMIN)).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    let update = json!({ "update_date": "2024-01-01", "narrative": "x" });
    api.post("/api/v1/recommendations/999999/updates", ADMIN, update.clone()).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    api.post("/api/v1/recommendations/nope/updates", ADMIN, update.clone()).await.assert_error(StatusCode::NOT_FOUND, "not_found");
    api.post("/api/v1/actions/999999/revise", ADMIN, json!({ "new_date": "2030-01-01", "reason": "x", "version": 1 }))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    api.post("/api/v1/reviews/999999/recommendations", ADMIN, json!({ "number": 1, "committee_wording": "x" }))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    let rec = rec_of(db, "Licensing", 2).await;
    let url = format!("/api/v1/recommendations/{}/updates", rec.id);
    let before = api.detail(rec.id).await["updates"].as_array().unwrap().len();
    // Malformed JSON.
    let r = api.post_raw(&url, ADMIN, "application/json", "{\"narrative\": ").await;
    r.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.json["message"].as_str().unwrap().contains("not valid JSON"), "{}", r.raw);
    // Not JSON at all.
    let r = api.post_raw(&url, ADMIN, "text/plain", "narrative=hello").await;
    r.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.json["message"].as_str().unwrap().contains("application/json"), "{}", r.raw);
    // Wrong types, unknown fields and a missing version are named.
    let r = api.post(&url, ADMIN, json!({ "update_date": "2024-01-01", "narrative": "x", "progress_percent": "lots" })).await;
    r.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.json["message"].as_str().unwrap().contains("progress_percent"), "{}", r.raw);
    let r = api.post(&url, ADMIN, json!({ "update_date": "2024-01-01", "narative": "typo" })).await;
    r.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.json["message"].as_str().unwrap().contains("narative"), "{}", r.raw);
    let r = api.post(&format!("/api/v1/recommendations/{}/lifecycle", rec.id), ADMIN, json!({ "lifecycle": "paused", "reason": "x" })).await;
    r.assert_error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.json["message"].as_str().unwrap().contains("version"), "{}", r.raw);
    assert_eq!(api.detail(rec.id).await["updates"].as_array().unwrap().len(), before, "nothing saved");
}
on_both_engines!(bad_requests, unknown_ids_and_bad_bodies_answer_json);

// ------------------------------------------------------------------ creating reviews and recommendations

async fn scrutiny_officers_create_reviews_and_recommendations(db: &TestDb) {
    let api = setup(db).await;
    let bodies = api.get("/api/v1/bodies", Some(OFFICER)).await.json;
    let cabinet = bodies.as_array().unwrap().iter().find(|b| b["name"] == "Cabinet").unwrap()["id"].as_i64().unwrap();

    // Validation: missing title and kind, an unknown kind, a malformed date.
    let r = api.post("/api/v1/reviews", OFFICER, json!({ "terms_of_reference": "x" })).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let fields: Vec<&str> = r.json["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["kind", "title"]);
    let r = api.post("/api/v1/reviews", OFFICER, json!({ "kind": "panel", "title": "x", "report_date": "12/09/2017" })).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let fields: Vec<&str> = r.json["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["kind", "report_date"]);

    let r = api
        .post("/api/v1/reviews", OFFICER, json!({ "kind": "working-group", "title": "Adult social care waiting lists", "report_date": "2024-01-10", "referred_to_body_id": cabinet, "referral_date": "2024-01-20" }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    assert_eq!(r.json["kind"], "working-group");
    assert_eq!(r.json["response_due"], "2024-03-20", "two months from the later of report and referral");
    let review_id = r.json["id"].as_i64().unwrap();

    let (lead, _) = db.store.users().by_email(LEAD).await.unwrap().unwrap();
    let url = format!("/api/v1/reviews/{review_id}/recommendations");
    let r = api.post(&url, OFFICER, json!({ "number": 1, "committee_wording": "Publish waiting times monthly", "lead_ids": [lead.id] })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    assert_eq!(r.json["label"], "(1)");
    assert_eq!(r.json["response"], "awaiting");
    assert_eq!(r.json["response_state"]["state"], "overdue");
    assert_eq!(r.json["leads"][0]["user_id"], lead.id);
    let parent = r.json["id"].as_i64().unwrap();
    let r = api.post(&url, OFFICER, json!({ "parent_id": parent, "sub_label": "a", "committee_wording": "Including by ward" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    assert_eq!(r.json["label"], "(1)(a)");
    let r = api.post(&url, OFFICER, json!({ "number": 1, "committee_wording": "A duplicate number" })).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(r.json["fields"][0]["field"], "number");

    let r = api.get(&format!("/api/v1/reviews/{review_id}"), Some(MEMBER)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["title"], "Adult social care waiting lists");
    assert_eq!(r.json["recommendations"].as_array().unwrap().len(), 2);
    assert!(r.json["endorsements"].as_array().unwrap().is_empty() && r.json["schedules"].as_array().unwrap().is_empty());
    let d = api.detail(parent).await;
    assert_eq!(d["children"][0]["label"], "(1)(a)");

    // The new recommendation's lead may now record progress on it, with no CSRF token needed for a bearer token.
    let r = api
        .post(&format!("/api/v1/recommendations/{parent}/actions"), LEAD, json!({ "text": "Set up the monthly report", "target_date": "2030-06-30" }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    // Detail of a recommendation with a revised action shows its date history.
    let ofsted1 = rec_of(db, "Ofsted", 1).await;
    let d = api.detail(ofsted1.id).await;
    assert_eq!(d["rag"], "amber", "the officer's override");
    assert!(d["actions"][0]["date_history"].as_str().unwrap().starts_with("May 2017, revised to July 2017, revised to "));
    assert!(d["history"].as_array().unwrap().iter().any(|h| h["kind"] == "rag"));
    assert!(d["updates"][0].get("evidence").is_some());
}
on_both_engines!(creating, scrutiny_officers_create_reviews_and_recommendations);

// ------------------------------------------------------------------ browser sessions

fn cookies_from(r: &Resp) -> Vec<String> {
    r.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string)).collect()
}

fn csrf_in(page: &str) -> String {
    let i = page.find("name=\"_csrf\" value=\"").expect("page has a CSRF field") + 20;
    page[i..i + 64].to_string()
}

/// A signed-in browser session may use the API too, but its writes need the CSRF token.
async fn sessions_use_the_api_with_csrf(db: &TestDb) {
    let api = setup(db).await;
    let login = api.get("/login", None).await;
    let pre = cookies_from(&login).join("; ");
    let form = format!("_csrf={}&email={}&password={PASSWORD}&next=%2F", csrf_in(&login.raw), OFFICER.replace('@', "%40"));
    let req = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::COOKIE, &pre)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let signed_in = api.send(req).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.raw);
    let session = cookies_from(&signed_in).into_iter().find(|c| c.starts_with("assure_session=")).expect("session cookie");
    let home = api.send(Request::builder().uri("/").header(header::COOKIE, &session).body(Body::empty()).unwrap()).await;
    let csrf = csrf_in(&home.raw);

    let me = api.send(Request::builder().uri("/api/v1/me").header(header::COOKIE, &session).body(Body::empty()).unwrap()).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["email"], OFFICER);

    let rec = rec_of(db, "Licensing", 2).await;
    let url = format!("/api/v1/recommendations/{}/updates", rec.id);
    let body = json!({ "update_date": "2024-04-01", "narrative": "Sent from the browser" }).to_string();
    let post = |token: Option<&str>| {
        let mut b =
            Request::builder().method(Method::POST).uri(&url).header(header::COOKIE, &session).header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            b = b.header("x-csrf-token", t);
        }
        b.body(Body::from(body.clone())).unwrap()
    };
    api.send(post(None)).await.assert_error(StatusCode::FORBIDDEN, "csrf_failed");
    api.send(post(Some(&"0".repeat(64)))).await.assert_error(StatusCode::FORBIDDEN, "csrf_failed");
    assert!(!api.detail(rec.id).await["updates"].as_array().unwrap().iter().any(|u| u["narrative"] == "Sent from the browser"));
    let r = api.send(post(Some(&csrf))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    assert_eq!(r.json["author"], "Alex Morgan");
}
on_both_engines!(sessions, sessions_use_the_api_with_csrf);

// ------------------------------------------------------------------ monitoring reports

async fn monitoring_reports(db: &TestDb) {
    let api = setup(db).await;
    let review = assure_storage::testing::scrutiny_review(&db.store).await;
    let count = || async { db.store.reports().list(None).await.unwrap().len() };
    let before = count().await;
    // The role check: a committee member reads reports but does not prepare them.
    let r = api.post("/api/v1/reports", MEMBER, json!({ "review_id": review, "meeting_date": "2026-02-12" })).await;
    r.assert_error(StatusCode::FORBIDDEN, "forbidden");
    // Every problem at once.
    let r = api.post("/api/v1/reports", OFFICER, json!({ "meeting_date": "12th February" })).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let fields: Vec<&str> = r.json["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"meeting_date") && fields.contains(&"review_id"), "{fields:?}");
    // A draft, created once even when sent twice with one Idempotency-Key.
    let body = json!({ "review_id": review, "meeting_date": "2026-02-12", "layout": "rag-tracker" });
    let send = || {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/reports")
            .header(header::AUTHORIZATION, format!("Bearer {}", token_for(OFFICER)))
            .header(header::CONTENT_TYPE, "application/json")
            .header("idempotency-key", "report-2026-02-12")
            .body(Body::from(body.to_string()))
            .unwrap();
        api.send(req)
    };
    let first = send().await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.raw);
    assert_eq!(first.json["status"], "draft");
    assert_eq!(first.json["layout"], "rag-tracker");
    let again = send().await;
    assert_eq!((again.status, &again.raw), (StatusCode::CREATED, &first.raw));
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(count().await, before + 1, "created once");
    // A draft is the managers' own: to a committee member it answers as no report at all.
    let id = first.json["id"].as_i64().unwrap();
    let r = api.get(&format!("/api/v1/reports/{id}"), Some(OFFICER)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    let draft = api.get(&format!("/api/v1/reports/{id}"), Some(MEMBER)).await;
    let none = api.get("/api/v1/reports/99999999", Some(MEMBER)).await;
    draft.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(draft.raw, none.raw);
    let listed = api.get("/api/v1/reports", Some(MEMBER)).await;
    assert!(listed.json.as_array().unwrap().iter().all(|r| r["status"] == "issued"));
    let listed = api.get("/api/v1/reports", Some(OFFICER)).await;
    assert!(listed.json.as_array().unwrap().iter().any(|r| r["id"] == id));
}
on_both_engines!(reports, monitoring_reports);

// ------------------------------------------------------------------ imports

const TRACKER_CSV: &str = "Children's services tracker,,,,\r\n\
Ref,Recommendation,Lead Officer,Action,Date,RAG\r\n\
R1,\"1. That the Cabinet Member write to all schools\",Steph Cordon Head of Service,Email all heads,May 2017 / Revised to July 2017,Amber\r\n\
R2,\"2. That the taxi licensing policy be reviewed\",\"Tom Reid, Head of Regulation and Compliance\",Report to Licensing Committee,Ongoing,G\r\n";

async fn imports_upload_preview_apply(db: &TestDb) {
    let api = setup(db).await;
    let review = db
        .store
        .tracker()
        .create_review(
            &Actor::system(),
            &assure_storage::tracker::ReviewInput {
                kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
                title: "Children's services tracker".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let upload = |name: &str, body: &str, as_: &str| {
        let req = Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/imports?file_name={name}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", token_for(as_)))
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(body.to_string()))
            .unwrap();
        api.send(req)
    };
    // The role check, and a file that is not a tracker.
    upload("tracker.csv", TRACKER_CSV, MEMBER).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    upload("tracker.xlsx", "PK\u{3}\u{4}garbage", OFFICER).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    // Staged, with the headings found and a mapping suggested.
    let staged = upload("tracker.csv", TRACKER_CSV, OFFICER).await;
    assert_eq!(staged.status, StatusCode::CREATED, "{}", staged.raw);
    assert_eq!(staged.json["header_row"], 2);
    assert_eq!(staged.json["suggested_columns"]["recommendation"], "Recommendation");
    let id = staged.json["id"].as_i64().unwrap();
    let choices = json!({
        "review_id": review,
        "header_row": 2,
        "columns": { "reference": "Ref", "recommendation": "Recommendation", "lead-officer": "Lead Officer", "action": "Action", "action-date": "Date", "rag": "RAG" },
    });
    // Every problem with the choices at once.
    let r = api.post(&format!("/api/v1/imports/{id}/preview"), OFFICER, json!({ "header_row": 99, "columns": { "colour": "RAG" } })).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let fields: Vec<&str> = r.json["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"review_id") && fields.contains(&"header_row") && fields.contains(&"col_colour"), "{fields:?}");
    // The preview saves nothing; apply imports every row once.
    let before = db.store.tracker().review_recommendations(review).await.unwrap().len();
    let r = api.post(&format!("/api/v1/imports/{id}/preview"), OFFICER, choices.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    assert_eq!(r.json["count"], 2);
    assert_eq!(db.store.tracker().review_recommendations(review).await.unwrap().len(), before);
    let r = api.post(&format!("/api/v1/imports/{id}/apply"), OFFICER, choices.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    assert_eq!(r.json["recommendations"], 2);
    assert_eq!(db.store.tracker().review_recommendations(review).await.unwrap().len(), before + 2);
    // Applied once only.
    api.post(&format!("/api/v1/imports/{id}/apply"), OFFICER, choices.clone()).await.assert_error(StatusCode::CONFLICT, "conflict");
    // The same rows again with a new RAG: refused until on_existing is chosen; "update"
    // previews each change and applies it only at the versions the preview read.
    let again = upload("tracker.csv", &TRACKER_CSV.replace(",Amber\r\n", ",Green\r\n"), OFFICER).await.json["id"].as_i64().unwrap();
    let r = api.post(&format!("/api/v1/imports/{again}/preview"), OFFICER, choices.clone()).await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(r.raw.contains("already used by") && r.raw.contains("on_existing"), "{}", r.raw);
    let mut update = choices.clone();
    update["on_existing"] = json!("update");
    let r = api.post(&format!("/api/v1/imports/{again}/preview"), OFFICER, update.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    assert_eq!(r.json["count"], 0, "{}", r.raw);
    let changed: Vec<&serde_json::Value> =
        r.json["updated"].as_array().unwrap().iter().filter(|u| !u["changes"].as_array().unwrap().is_empty()).collect();
    assert_eq!(changed.len(), 1, "{}", r.raw);
    assert_eq!(changed[0]["changes"], json!([{ "field": "rag", "old": "Amber", "new": "Green" }]), "{}", r.raw);
    let versions: Vec<serde_json::Value> =
        r.json["updated"].as_array().unwrap().iter().map(|u| json!({ "id": u["id"], "version": u["version"] })).collect();
    let mut stale = update.clone();
    stale["expected_versions"] =
        json!(versions.iter().map(|v| json!({ "id": v["id"], "version": v["version"].as_i64().unwrap() - 1 })).collect::<Vec<_>>());
    api.post(&format!("/api/v1/imports/{again}/apply"), OFFICER, stale).await.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    update["expected_versions"] = json!(versions);
    let r = api.post(&format!("/api/v1/imports/{again}/apply"), OFFICER, update).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    assert_eq!((r.json["recommendations"].clone(), r.json["updated"].clone()), (json!(0), json!(1)), "{}", r.raw);
    assert_eq!(db.store.tracker().review_recommendations(review).await.unwrap().len(), before + 2, "updated, not added");
    // A bad cell: every problem by row, nothing imported.
    let bad = upload("tracker.csv", &TRACKER_CSV.replace("Ongoing", "Dec 202017"), OFFICER).await;
    let bid = bad.json["id"].as_i64().unwrap();
    let other = db
        .store
        .tracker()
        .create_review(
            &Actor::system(),
            &assure_storage::tracker::ReviewInput {
                kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
                title: "Another".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = api
        .post(
            &format!("/api/v1/imports/{bid}/apply"),
            OFFICER,
            json!({ "review_id": other, "header_row": 2, "columns": { "reference": "Ref", "recommendation": "Recommendation", "action": "Action", "action-date": "Date" } }),
        )
        .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(r.raw.contains("row-4") && r.raw.contains("Dec 202017"), "{}", r.raw);
    assert!(db.store.tracker().review_recommendations(other).await.unwrap().is_empty());
    // Fault 3 of issue 14: a RAG the file leaves blank is not rated unless a suggestion
    // is asked for ("suggest_rag"), and a suggestion is marked as one.
    let blank = TRACKER_CSV.replace("R1,", "S1,").replace("R2,", "S2,").replace(",Ongoing,G\r\n", ",May 2018,\r\n");
    for (title, suggest) in [("Not rated", false), ("Suggested", true)] {
        let target = db
            .store
            .tracker()
            .create_review(
                &Actor::system(),
                &assure_storage::tracker::ReviewInput {
                    kind: Some(assure_domain::tracker::ReviewKind::WorkingGroup),
                    title: title.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let refs = if suggest { ("T1", "T2") } else { ("S1", "S2") };
        let file = if suggest { blank.replace("S1,", "T1,").replace("S2,", "T2,") } else { blank.clone() };
        let sid = upload("tracker.csv", &file, OFFICER).await.json["id"].as_i64().unwrap();
        let mut choices = json!({
            "review_id": target,
            "header_row": 2,
            "columns": { "reference": "Ref", "recommendation": "Recommendation", "action": "Action", "action-date": "Date", "rag": "RAG" },
        });
        if suggest {
            choices["suggest_rag"] = json!(true);
        }
        let r = api.post(&format!("/api/v1/imports/{sid}/preview"), OFFICER, choices.clone()).await;
        assert_eq!((r.json["entries"][0]["rag"].clone(), r.json["entries"][1]["rag"].clone()), (json!("amber"), json!(null)), "{}", r.raw);
        let r = api.post(&format!("/api/v1/imports/{sid}/apply"), OFFICER, choices).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
        let list = api.get(&format!("/api/v1/recommendations?review_id={target}"), Some(MEMBER)).await;
        let item = |reference: &str| list.json["items"].as_array().unwrap().iter().find(|i| i["reference"] == reference).unwrap().clone();
        assert_eq!((item(refs.0)["rag"].clone(), item(refs.0)["rag_suggested"].clone()), (json!("amber"), json!(false)), "{}", list.raw);
        let second = item(refs.1);
        if suggest {
            assert_eq!((second["rag"].is_string(), second["rag_suggested"].clone()), (true, json!(true)), "{}", list.raw);
        } else {
            assert_eq!((second["rag"].clone(), second["rag_suggested"].clone()), (json!(null), json!(false)), "{}", list.raw);
        }
        assert_eq!(second["response"], "not-recorded", "fault 8: no response column, so not recorded");
        assert_eq!(second["response_state"]["state"], "not-recorded");
    }
    // Missing and unknown imports.
    api.post("/api/v1/imports/99999999/preview", OFFICER, json!({})).await.assert_error(StatusCode::NOT_FOUND, "not_found");
}
on_both_engines!(imports, imports_upload_preview_apply);
