//! Importing a tracker in a real browser (headless Chromium through chromedriver): a
//! tracker whose references the register already holds updates those recommendations
//! in place, and the preview shows exactly what will change. Also saving the column
//! mapping from the preview. Set `ASSURE_SKIP_BROWSER=1` where Chromium is missing.

mod browser_rig;

use assure_storage::tracker::RecFilter;
use browser_rig::*;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tracker_updates_recommendations_in_place_showing_every_change_first() {
    if !browser_available() {
        return;
    }
    let mut rig = Rig::start().await;
    let store = rig.db.as_ref().unwrap().store.clone();
    let today = store.today();
    let wg = store.tracker().reviews().await.unwrap().into_iter().find(|r| r.title.starts_with("Licensing")).unwrap();
    let entries = store.imports().register_entries(&RecFilter { review_id: Some(wg.id), ..Default::default() }, today).await.unwrap();
    let first = entries[0].clone();
    let old_rag = first.rag.map(|r| r.label().to_string()).unwrap_or_else(|| "(blank)".into());
    let new_rag = if first.rag == Some(assure_domain::tracker::Rag::Green) { "Red" } else { "Green" };

    // The council's tracker: its first row holds a reference the register has, with a
    // new RAG and a new dated update; its second row is a new recommendation.
    let dir = std::env::temp_dir().join(unique_name("assure-import"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tracker.csv");
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let csv = format!(
        "Ref,Recommendation,RAG,Progress\n{},{},{new_rag},{}\nLWG 50,{},,\n",
        q(&first.reference),
        q(&first.committee_wording),
        q("7 December 2025: Letters sent to every MP in the county"),
        q("50. That the council publishes its licensing checks"),
    );
    std::fs::write(&file, csv).unwrap();

    let b = rig.browser().await;
    b.sign_in("scrutiny-officer@example.org").await;
    b.goto("/imports").await;
    b.css("#file").await.send_keys(&file.display().to_string()).await.expect("choose the file");
    b.press("Upload").await;
    b.assert_has("Choose what each column holds").await;
    b.select_text("#review_id", "Licensing").await;
    b.press("Preview the import").await;

    // The file's references are held: every holder named, and the choice asked.
    b.assert_has(&format!("“{}” is already used by recommendation (1) of “{}”", first.reference, wg.title)).await;
    b.assert_lacks("Import 1").await;
    b.choose("existing").await;
    b.press("Continue").await;

    // The preview: exactly what will change, field by field, and what is added.
    b.assert_has("1 recommendation will be added to").await;
    b.assert_has("1 recommendation already in the register will be updated in place").await;
    assert_eq!(b.count("[data-testid=change]").await, 2, "the RAG and one update, nothing else");
    let mut rows = Vec::new();
    for row in b.client.find_all(Locator::Css("[data-testid=change]")).await.unwrap() {
        let mut cells = Vec::new();
        for c in row.find_all(Locator::Css("td, th")).await.unwrap() {
            cells.push(c.text().await.unwrap().split_whitespace().collect::<Vec<_>>().join(" "));
        }
        rows.push(cells);
    }
    assert_eq!(rows[0][0], "2", "the file's row");
    assert!(rows[0][1].starts_with(&first.reference) && rows[0][1].contains(&wg.title), "{rows:?}");
    assert_eq!(rows[0][2..], [String::from("RAG"), old_rag.clone(), new_rag.to_string()], "{rows:?}");
    assert_eq!(rows[1], ["Update added", "", "7 December 2025: Letters sent to every MP in the county"], "{rows:?}");
    b.screenshot("import-update-preview").await;

    // Saving the mapping from the preview: a name is required, then it is kept.
    b.press("Save this mapping").await;
    b.assert_error("Enter a name for the column mapping").await;
    assert_eq!(b.broken_error_links().await, Vec::<String>::new(), "error summary links go to their fields");
    b.fill("#mapping_name", "Licensing tracker CSV").await;
    b.press("Save this mapping").await;
    b.assert_banner("The column mapping was saved as “Licensing tracker CSV”. Choose it for the next file in the same layout.").await;
    assert!(store.imports().preset("Licensing tracker CSV").await.is_ok());

    b.press("Import 1 and update 1 recommendation").await;
    b.assert_banner("Tracker imported: every row was added or updated").await;
    let rec = store.tracker().review_recommendations(wg.id).await.unwrap().into_iter().find(|r| r.reference == first.reference).unwrap();
    assert_eq!(rec.rag_override.map(|r| r.label()), Some(new_rag));
    assert_eq!(rec.committee_wording, first.committee_wording);
    let after = store.imports().register_entries(&RecFilter { review_id: Some(wg.id), ..Default::default() }, today).await.unwrap();
    assert_eq!(after.len(), entries.len() + 1);
    assert_eq!(after[0].updates.len(), first.updates.len() + 1);
    assert_eq!(after[1..entries.len()], entries[1..], "the other recommendations are untouched");
    let _ = std::fs::remove_dir_all(&dir);
    b.quit().await;
    rig.finish().await;
}
