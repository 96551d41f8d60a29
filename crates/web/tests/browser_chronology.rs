//! A child's chronology in a real browser (issue 21): a MACSE co-chair opens a child,
//! goes from "what happens next" to the chronology, marks an event significant with a
//! note, filters to significant events and downloads them as Word — the file the browser
//! receives is the cut, watermarked chronology and opens in LibreOffice. The same child
//! as the school's SPOC shows no police entry and no trace of one.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`; `ASSURE_SKIP_BROWSER=1` skips.
//! Runs on SQLite with the demo loaded. Screenshots go to /tmp/assure-shots.

mod browser_rig;

use std::io::Read;

use assure_storage::audit::AuditFilter;
use assure_storage::children::ChildSearch;
use base64::Engine as _;
use browser_rig::*;

/// What only police roles and the co-chairs may see of the demo child's record.
const POLICE_WORDS: [&str; 3] = ["Kestrel", "Abduction Warning", "Police CSE flag"];

/// "Showing N of M events." → (N, M).
fn counts(body: &str) -> (usize, usize) {
    let at = body.find("Showing ").expect("the count of events");
    let words: Vec<&str> = body[at..].split_whitespace().collect();
    (words[1].parse().unwrap(), words[3].parse().unwrap())
}

/// Fetches a link of the page as the browser would (its cookies, same origin) and
/// returns the bytes.
async fn download(b: &Browser, href: &str) -> Vec<u8> {
    let js = r#"
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], { credentials: 'same-origin' })
            .then(r => r.ok ? r.arrayBuffer() : Promise.reject('status ' + r.status))
            .then(buf => {
                let s = '';
                const bytes = new Uint8Array(buf);
                for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
                done(btoa(s));
            })
            .catch(e => done('failed: ' + e));
    "#;
    let v = b.client.execute_async(js, vec![serde_json::Value::String(href.to_string())]).await.expect("fetch the download");
    let text = v.as_str().expect("a string").to_string();
    assert!(!text.starts_with("failed"), "download {href}: {text}");
    base64::engine::general_purpose::STANDARD.decode(text).expect("base64")
}

fn docx_text(bytes: &[u8]) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
    let mut s = String::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        if name.starts_with("word/") && name.ends_with(".xml") {
            f.read_to_string(&mut s).unwrap();
        }
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_co_chair_exports_the_significant_events_and_a_spoc_sees_no_police_entry() {
    if !browser_available() {
        return;
    }
    let mut rig = Rig::start().await;
    let store = rig.db.as_ref().expect("the demo database").store.clone();
    let mash = assure_storage::testing::reader(&store, "mash-worker@example.org").await;
    let (found, _) = store.children(&mash).search(&ChildSearch { name: Some("Jessica".into()), date_of_birth: None }, 50, 0).await.unwrap();
    let jess = found.iter().find(|c| c.first_name == "Jessica").expect("the demo child").id;

    // 1. The co-chair opens the child: the page opens on the work, then the chronology.
    let b = rig.browser().await;
    b.sign_in("macse-co-chair@example.org").await;
    b.goto(&format!("/children/{jess}")).await;
    b.assert_has("What happens next").await;
    b.follow("See the chronology").await;
    assert_eq!(b.path().await, format!("/children/{jess}/chronology"));
    let body = b.body_text().await;
    for w in POLICE_WORDS {
        assert!(body.contains(w), "the co-chair sees the police entry {w:?}");
    }
    let (shown, all) = counts(&body);
    assert!(all > 0 && shown == all.min(50), "the first page shows the newest {shown} of {all}");

    // 2. Mark the newest event significant: a note is required, then saved with a banner.
    b.click_to_load(b.css("a[href*='/chronology?mark=']").await, "Mark significant").await;
    b.assert_has("Mark as a significant event").await;
    b.press("Save the note").await;
    b.assert_error("Say why the event is significant").await;
    assert!(b.broken_error_links().await.is_empty(), "the error links to the note");
    let note = "Third concern naming the same older male: raise at the next panel";
    b.fill("#note", note).await;
    b.press("Save the note").await;
    b.assert_banner("The event is marked significant").await;
    b.assert_has(note).await;

    // 3. Significant events only: one event, and the download link keeps the filter.
    b.tick("Significant events only").await;
    b.press("Show events").await;
    let body = b.body_text().await;
    assert_eq!(counts(&body), (1, all), "one significant event of {all}");
    assert!(body.contains(note));
    b.screenshot("chronology-1-significant").await;
    let link = b.find(fantoccini::Locator::LinkText("Download these events as a Word document")).await;
    let href = link.attr("href").await.unwrap().expect("the download's address");
    assert!(href.contains("significant=1"), "the download is of what is shown: {href}");
    let docx = download(&b, &href).await;
    let text = docx_text(&docx);
    assert!(text.contains(note), "the exported event carries its note");
    assert!(text.contains("Exported by"), "the export is watermarked with who exported it");
    assert!(text.contains("marked significant"), "the export says it holds the significant events only");
    if assure_documents::pdf::available() {
        let pdf = assure_documents::pdf::to_pdf(&docx, "docx").expect("LibreOffice opens the chronology");
        assert!(pdf.starts_with(b"%PDF"));
    }
    b.sign_out().await;
    b.quit().await;

    // The export is in the child's access log as an export.
    let exports = store
        .audit()
        .list(&AuditFilter { action: Some("child.export".into()), record_id: Some(jess.to_string()), ..Default::default() }, 100, 0)
        .await
        .unwrap()
        .0;
    assert!(exports.iter().any(|e| e.detail.contains("chronology") && e.detail.contains("significant")), "the download is audited: {exports:?}");

    // 4. The school's SPOC: the same child, no police entry and no trace of one.
    let s = rig.browser().await;
    s.sign_in("spoc@example.org").await;
    s.goto(&format!("/children/{jess}/chronology")).await;
    let body = s.body_text().await;
    for w in POLICE_WORDS {
        assert!(!body.contains(w), "the SPOC must not see {w:?}");
    }
    let (shown, spoc_all) = counts(&body);
    assert!(spoc_all < all, "the SPOC sees fewer events ({spoc_all}) than the co-chair ({all})");
    assert_eq!(shown, spoc_all.min(50));
    assert_eq!(s.count("a[href*='/police']").await, 0, "no link to the police section");
    s.screenshot("chronology-2-spoc").await;
    s.sign_out().await;
    s.quit().await;
    rig.finish().await;
}
