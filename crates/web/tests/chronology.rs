//! A child's chronology over HTTP (issue 21), on SQLite and PostgreSQL: the page and its
//! filters, the JSON, marking a significant event (a stale version is a 409), the Word
//! export (cut, watermarked, audited, and it opens in LibreOffice), and the child's
//! page with its patterns and what happens next — the co-chair sees the police entries,
//! the school's SPOC sees none of them and no trace of them.

mod common;

use assure_storage::audit::AuditFilter;
use assure_storage::children::ChildSearch;
use assure_storage::keyset::PageRequest;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use common::{demo_app, docx_text, Client};
use tower::ServiceExt;

const POLICE_WORDS: [&str; 4] = ["Kestrel", "Abduction Warning", "Police CSE flag", "/police"];

async fn child_named(db: &TestDb, first: &str) -> i64 {
    let r = testing::reader(&db.store, "mash-worker@example.org").await;
    let (found, _) = db.store.children(&r).search(&ChildSearch { name: Some(first.into()), date_of_birth: None }, 50, 0).await.unwrap();
    found.iter().find(|c| c.first_name == first).unwrap().id
}

async fn raw(c: &Client, path: &str) -> (StatusCode, Vec<u8>) {
    let cookies = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let resp = c.app.clone().oneshot(Request::get(path).header(header::COOKIE, cookies).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    (status, to_bytes(resp.into_body(), 64 * 1024 * 1024).await.unwrap().to_vec())
}

/// "Showing N of M events." → M.
fn total_of(body: &str) -> usize {
    let at = body.find("Showing ").expect("a count");
    let rest = &body[at..];
    let of = rest.find(" of ").unwrap();
    rest[of + 4..].split(' ').next().unwrap().parse().unwrap()
}

async fn the_chronology_over_http(db: &TestDb) {
    let app = demo_app(db).await;
    let jess = child_named(db, "Jessica").await;
    let mut chair = Client::new(app.clone());
    chair.sign_in("macse-co-chair@example.org").await;
    let mut spoc = Client::new(app.clone());
    spoc.sign_in("spoc@example.org").await;
    let page = format!("/children/{jess}/chronology");

    // The co-chair sees the police entries; the SPOC none of them, and exactly fewer events.
    let full = chair.get(&page).await;
    assert_eq!(full.status, StatusCode::OK);
    assert!(full.has("Kestrel") && full.has("Police CSE flag recorded"), "the co-chair sees the police entries");
    let cut = spoc.get(&page).await;
    assert_eq!(cut.status, StatusCode::OK);
    for w in POLICE_WORDS {
        assert!(!cut.body.contains(w), "{w} on the SPOC's chronology");
    }
    let spoc_record = common::record_as(db, "spoc@example.org", jess, assure_domain::partnership::Section::Identity).await;
    assert_eq!(total_of(&cut.body), spoc_record.chronology().await.unwrap().len());
    assert!(total_of(&cut.body) < total_of(&full.body));

    // Filters: a kind, oldest first; a date that is no date is a 400 that says so.
    let decisions = chair.get(&format!("{page}?kind=mash-decision&order=oldest-first")).await;
    assert_eq!(decisions.status, StatusCode::OK);
    assert!(decisions.has("data-kind=\"mash-decision\"") && !decisions.has("data-kind=\"concern\""));
    let bad = chair.get(&format!("{page}?from=31%2F02%2F2026")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.has("The start of the period must be a real date"));

    // Mark the first concern significant; a stale version is refused (409).
    let rec = common::record_as(db, "macse-co-chair@example.org", jess, assure_domain::partnership::Section::Identity).await;
    let ep = rec.chronology().await.unwrap().into_iter().find(|e| e.kind == assure_domain::chronology::EntryKind::Concern).unwrap();
    let entry = format!("concern-{}", ep.record_id);
    let form = chair.get(&format!("{page}?mark={entry}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has("Mark as a significant event"));
    let t = chair.csrf().await;
    let none = chair.post_form(&format!("{page}/marks"), &[("_csrf", &t), ("entry", &entry), ("version", "0"), ("note", "")]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.has("Say why the event is significant"));
    let ok = chair
        .post_form(&format!("{page}/marks"), &[("_csrf", &t), ("entry", &entry), ("version", "0"), ("note", "Missing overnight with the older male")])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let stale = chair.post_form(&format!("{page}/marks"), &[("_csrf", &t), ("entry", &entry), ("version", "0"), ("note", "Another view")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let significant = spoc.get(&format!("{page}?significant=1")).await;
    assert!(significant.has("Missing overnight with the older male"), "the SPOC sees the mark on an entry they may see");
    assert_eq!(significant.body.matches("data-kind=").count(), 1);

    // The JSON: the same entries, a page at a time; the SPOC's has no police entries.
    let api = chair.get(&format!("/api/v1/children/{jess}/chronology?per_page=3&order=oldest-first")).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["items"].as_array().unwrap().len(), 3);
    assert_eq!(json["total"].as_u64().unwrap() as usize, total_of(&full.body));
    let api = spoc.get(&format!("/api/v1/children/{jess}/chronology?per_page=500")).await;
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    for item in json["items"].as_array().unwrap() {
        assert!(!matches!(item["section"].as_str().unwrap(), "prosecute" | "operations" | "perpetrators"), "{item}");
    }
    for w in POLICE_WORDS {
        assert!(!api.body.contains(w), "{w} in the SPOC's JSON");
    }

    // The Word export of the significant events: cut, watermarked, audited.
    let (status, bytes) = raw(&chair, &format!("{page}/download?significant=1")).await;
    assert_eq!(status, StatusCode::OK);
    let text = docx_text(&bytes);
    assert!(text.contains("Missing overnight with the older male"));
    assert!(text.contains("exported by") && text.contains("Exported by"), "watermarked with who and when");
    let (_, bytes) = raw(&spoc, &format!("{page}/download")).await;
    let text = docx_text(&bytes);
    for w in ["Kestrel", "Abduction Warning", "Police CSE flag"] {
        assert!(!text.contains(w), "{w} in the SPOC's export");
    }
    let exports = db
        .store
        .audit()
        .list(&AuditFilter { action: Some("child.export".into()), record_id: Some(jess.to_string()), ..Default::default() }, 100, 0)
        .await
        .unwrap()
        .0;
    assert!(exports.iter().filter(|e| e.detail.contains("chronology")).count() >= 2, "each export audited: {exports:?}");
    if std::env::var("ASSURE_SKIP_LIBREOFFICE").is_ok_and(|v| v == "1") {
        eprintln!("LibreOffice check skipped: ASSURE_SKIP_LIBREOFFICE=1");
    } else {
        let pdf = tokio::task::spawn_blocking(move || assure_documents::pdf::from_docx(&bytes)).await.unwrap().expect("LibreOffice opens the DOCX");
        assert!(pdf.starts_with(b"%PDF"));
    }
}
on_both_engines!(over_http, the_chronology_over_http, demo = crate::common::password_hash());

async fn the_childs_page_opens_on_the_work_and_the_patterns(db: &TestDb) {
    let app = demo_app(db).await;
    // The demo's child missing three times in 90 days.
    let officer = testing::reader(&db.store, "cse-analyst@example.org").await;
    let repeated = db.store.missing(&officer).repeatedly_missing(db.store.today(), &PageRequest::first(500)).await.unwrap().0.items;
    let tia = repeated.iter().max_by_key(|c| c.episodes).expect("a child missing repeatedly").child_id;
    let mut chair = Client::new(app.clone());
    chair.sign_in("cse-analyst@example.org").await;
    let r = chair.get(&format!("/children/{tia}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.has("What happens next"));
    assert!(r.has(&format!("/children/{tia}/chronology")));
    // The repeated-missing pattern, with its entries.
    assert!(r.has("3 or more missing episodes within 90 days"), "{}", r.body);
    assert!(r.has("data-testid=\"pattern-flag\""));
}
on_both_engines!(child_page, the_childs_page_opens_on_the_work_and_the_patterns, demo = crate::common::password_hash());
