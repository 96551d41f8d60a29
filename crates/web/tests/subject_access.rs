//! The subject access page, on SQLite and PostgreSQL: only the information governance
//! officer may use it (everyone else refused), a bad record number is reported with
//! nothing exported, and the export is a ZIP of a Word summary and JSON per kind of
//! record, with police-only material marked for redaction review, and audited.

mod common;

use std::io::Read;

use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use common::{demo_app, Client};
use tower::ServiceExt;

/// A form POST whose answer is read as bytes.
async fn post_bytes(c: &Client, path: &str, fields: &[(&str, &str)]) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let cookies = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields.iter()).finish();
    let req = Request::post(path)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let resp = c.app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, to_bytes(resp.into_body(), 64 * 1024 * 1024).await.unwrap().to_vec())
}

async fn only_the_ig_officer_exports_a_child(db: &TestDb) {
    let app = demo_app(db).await;
    // A child with a plan holding a Prosecute action.
    let child: i64 = {
        let mash = assure_storage::testing::reader(&db.store, "mash-worker@example.org").await;
        let all = db.store.children(&mash).search(&Default::default(), 1000, 0).await.unwrap().0;
        let ig = db.store.ig_officer(assure_storage::Actor::system()).await.unwrap().unwrap();
        let mut found = None;
        for c in all {
            let e = db.store.subject_access(&ig, c.id).await.unwrap();
            if e.kind("plan_actions").is_some_and(|k| k.records.iter().any(|r| r["section"] == "prosecute")) {
                found = Some(c.id);
                break;
            }
        }
        found.expect("a demo child with a Prosecute action")
    };

    for email in ["administrator@example.org", "mash-worker@example.org", "macse-co-chair@example.org", "committee-member@example.org"] {
        let mut c = Client::new(app.clone());
        c.sign_in(email).await;
        assert_eq!(c.get("/subject-access").await.status, StatusCode::FORBIDDEN, "{email}");
        let t = c.csrf().await;
        let (status, _, _) = post_bytes(&c, "/subject-access", &[("_csrf", &t), ("child", &child.to_string())]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
    }

    let mut ig = Client::new(app.clone());
    ig.sign_in("ig-officer@example.org").await;
    let home = ig.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.has("href=\"/subject-access\""), "{}", home.body);
    let page = ig.get("/subject-access").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Child&#39;s record number") || page.has("Child's record number"), "{}", page.body);
    let t = page.csrf();

    // Without the CSRF token: refused.
    let (status, _, _) = post_bytes(&ig, "/subject-access", &[("child", &child.to_string())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A bad number, and one that names no child: the error summary, nothing exported.
    for (bad, message) in
        [("", "Enter the child&#39;s record number"), ("twelve", "as a whole number"), ("999999", "No child has this record number")]
    {
        let r = ig.post_form("/subject-access", &[("_csrf", &t), ("child", bad)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(r.has("There is a problem") && (r.has(message) || r.has(&message.replace("&#39;", "'"))), "{bad}: {}", r.body);
    }

    let (status, headers, bytes) = post_bytes(&ig, "/subject-access", &[("_csrf", &t), ("child", &child.to_string())]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains(&format!("subject-access-child-{child}.zip")));
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP file");
    let names: Vec<String> = z.file_names().map(|n| n.unwrap().to_string()).collect();
    for n in ["summary.docx", "README.txt", "children.json", "plan_actions.json", "audit_log.json"] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    let mut actions = String::new();
    z.by_name("plan_actions.json").unwrap().read_to_string(&mut actions).unwrap();
    let actions: serde_json::Value = serde_json::from_str(&actions).unwrap();
    let prosecute: Vec<&serde_json::Value> = actions["records"].as_array().unwrap().iter().filter(|r| r["section"] == "prosecute").collect();
    assert!(!prosecute.is_empty() && prosecute.iter().all(|r| r["for_redaction_review"] == true), "{actions}");
    let mut summary = Vec::new();
    z.by_name("summary.docx").unwrap().read_to_end(&mut summary).unwrap();
    let mut doc = String::new();
    zip::ZipArchive::new(std::io::Cursor::new(summary)).unwrap().by_name("word/document.xml").unwrap().read_to_string(&mut doc).unwrap();
    assert!(doc.contains("For redaction review") && doc.contains(&format!("child record {child}")), "{doc}");

    // Audited against the child, as the IG officer.
    let log = db.store.audit().list(&Default::default(), 5, 0).await.unwrap().0;
    assert!(
        log.iter().any(|e| e.action == "child.subject-access" && e.record_id == child.to_string() && e.actor == "ig-officer@example.org"),
        "{log:?}"
    );
}
on_both_engines!(only_the_ig_officer, only_the_ig_officer_exports_a_child, demo = crate::common::password_hash());
