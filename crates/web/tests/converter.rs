//! A PDF converter that hangs does not take the reports down with it: while LibreOffice
//! is stuck on one report, Word downloads are still served, a second PDF request is told
//! the converter is busy (503 with Retry-After) after a bounded wait, and the stuck
//! conversion itself ends in the same clear answer when its time limit passes.
//!
//! The only test in this binary, because it points the process's converter settings at
//! a stand-in LibreOffice that never finishes.

mod common;

use std::time::{Duration, Instant};

use assure_storage::testing::TestDb;
use assure_storage::Engine;
use axum::http::StatusCode;
use common::{demo_app, Client};

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_converter_leaves_word_downloads_working_and_answers_503() {
    use std::os::unix::fs::PermissionsExt;
    let db = TestDb::new(Engine::Sqlite).await;
    let script = db.dir.join("soffice");
    std::fs::write(&script, "#!/bin/sh\nsleep 60\n").expect("write the stand-in converter");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("make it executable");
    // Set before anything reads them; nothing else runs in this binary.
    std::env::set_var("ASSURE_SOFFICE", &script);
    std::env::set_var("ASSURE_SOFFICE_TIMEOUT", "4");
    std::env::set_var("ASSURE_SOFFICE_MAX", "1");
    std::env::set_var("ASSURE_SOFFICE_QUEUE_WAIT", "1");

    let app = demo_app(&db).await;
    let mut officer = Client::new(app.clone());
    officer.sign_in("scrutiny-officer@example.org").await;
    let review = db.store.tracker().reviews().await.unwrap().into_iter().find(|r| r.title.starts_with("Licensing")).unwrap().id;
    let t = officer.csrf().await;
    let r = officer
        .post_form("/reports", &[("_csrf", &t), ("review_id", &review.to_string()), ("meeting_date", "16/01/2018"), ("layout", "rag-tracker")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location().split('?').next().unwrap().to_string();

    // Someone asks for the PDF; LibreOffice hangs on it.
    let mut first = Client::new(app.clone());
    first.cookies = officer.cookies.clone();
    let pdf_url = format!("{page}/download/pdf");
    let started = Instant::now();
    let stuck = tokio::spawn(async move { first.get(&pdf_url).await });
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Meanwhile the Word version comes at once.
    let asked = Instant::now();
    let docx = officer.get(&format!("{page}/download/docx")).await;
    assert_eq!(docx.status, StatusCode::OK);
    assert!(docx.body.starts_with("PK"), "a DOCX");
    assert!(asked.elapsed() < Duration::from_secs(2), "Word is not queued behind the PDF: {:?}", asked.elapsed());
    assert!(!stuck.is_finished(), "the PDF is still being made");

    // A second PDF finds the one converter slot taken and is told so, after a bounded wait.
    let asked = Instant::now();
    let busy = officer.get(&format!("{page}/download/pdf")).await;
    assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE, "{}", busy.body);
    assert_eq!(busy.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("30"));
    assert!(busy.has("The PDF could not be made just now") && busy.has("download the Word version"), "{}", busy.body);
    assert!(asked.elapsed() < Duration::from_secs(3), "refused after the queue wait, not the whole time limit: {:?}", asked.elapsed());

    // The stuck conversion is stopped at its limit and answers the same way, not 500.
    let stuck = stuck.await.expect("no panic");
    assert_eq!(stuck.status, StatusCode::SERVICE_UNAVAILABLE, "{}", stuck.body);
    assert!(stuck.has("The PDF could not be made just now"));
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(4) && took < Duration::from_secs(15), "stopped at the time limit: {took:?}");

    // Word keeps working afterwards.
    assert_eq!(officer.get(&format!("{page}/download/docx")).await.status, StatusCode::OK);
}
