//! A committee meeting in a real browser: the clerk arranges two meetings; the scrutiny
//! officer plans an item for the first on the work programme; the clerk builds the agenda
//! from what is planned, uploads the item's paper (a Word document), publishes it (the
//! pack is then offered), records attendance, a
//! declaration of interest and a minute whose resolution requests a report for the next
//! meeting and endorses a task and finish group's report (the review then shows the
//! endorsement, linked to the minute); the request then shows on the next meeting's work
//! programme and page. And, with JavaScript off, the clerk imports a council's history
//! from ModernGov's XML.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`; `ASSURE_SKIP_BROWSER=1` skips.
//! Runs on SQLite with the demo loaded. Screenshots go to /tmp/assure-shots.

mod browser_rig;

use assure_domain::meetings::MunicipalYear;
use browser_rig::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clerk_builds_an_agenda_from_the_work_programme_and_minutes_a_request() {
    if !browser_available() {
        return;
    }
    let mut rig = Rig::start().await;
    let store = rig.db.as_ref().expect("the demo database").store.clone();
    let body = store.tracker().bodies().await.expect("bodies")[0].clone();
    let today = store.today();
    let (first_day, next_day) = (today + chrono::Duration::days(14), today + chrono::Duration::days(70));

    // 1. The clerk arranges two meetings (one in the past first: refused, nothing saved).
    let c = rig.browser().await;
    c.sign_in("clerk@example.org").await;
    let mut meetings = Vec::new();
    for (day, venue) in [(first_day, "Committee Room 1, Town Hall"), (next_day, "Committee Room 2, Town Hall")] {
        c.goto("/meetings").await;
        c.follow("Arrange a meeting").await;
        c.select_text("#body", &body.name).await;
        if meetings.is_empty() {
            c.fill_date("#date", today - chrono::Duration::days(1)).await;
            c.fill("#time", "18:30").await;
            c.fill("#venue", venue).await;
            c.choose_labelled("Ordinary").await;
            c.press("Arrange meeting").await;
            c.assert_error("The date of the meeting must be today or later").await;
            assert!(c.broken_error_links().await.is_empty(), "every error links to its field");
        }
        c.fill_date("#date", day).await;
        c.fill("#time", "18:30").await;
        c.fill("#venue", venue).await;
        c.choose_labelled("Ordinary").await;
        c.press("Arrange meeting").await;
        c.assert_banner("Meeting arranged").await;
        meetings.push(c.page_path().await);
    }
    let (first, next) = (meetings[0].clone(), meetings[1].clone());
    let first_id = first.trim_start_matches("/meetings/").to_string();
    c.sign_out().await;
    c.quit().await;

    // 2. The scrutiny officer plans a standing item for the first meeting.
    let o = rig.browser().await;
    o.sign_in("scrutiny-officer@example.org").await;
    o.goto(&format!("/work-programme?body={}&year={}", body.id, MunicipalYear::of(first_day).label())).await;
    o.select_value("#meeting", &first_id).await;
    o.choose_labelled("Standing item").await;
    o.fill("#title", "Cabinet Member Report: Children, Schools and Safeguarding").await;
    o.fill("#officer", "Director of Children's Services").await;
    o.press("Add item").await;
    o.assert_banner("Item added to the work programme").await;
    o.sign_out().await;
    o.quit().await;

    // 3. The clerk puts it on the agenda from the meeting's page, and publishes it.
    let c = rig.browser().await;
    c.sign_in("clerk@example.org").await;
    c.goto(&first).await;
    c.assert_has("Planned for this meeting, not on the agenda yet").await;
    c.follow("Put on the agenda: Cabinet Member Report: Children, Schools and Safeguarding").await;
    assert_eq!(c.css("#title").await.prop("value").await.unwrap().as_deref(), Some("Cabinet Member Report: Children, Schools and Safeguarding"));
    assert!(c.css("input[name='kind'][value='standing']").await.is_selected().await.unwrap(), "planned as a standing item");
    c.press("Add item").await;
    c.assert_banner("Agenda item added").await;
    assert_eq!(
        c.count_xpath("//a[starts-with(normalize-space(), 'Put on the agenda: Cabinet Member Report')]").await,
        0,
        "no longer planned but missing"
    );
    assert!(c.text_of("ol.app-list--number li").await.trim().starts_with("Cabinet Member Report: Children, Schools and Safeguarding"));
    // Its paper: the Cabinet Member's report, uploaded as a Word document.
    c.follow("Add a paper for item 1").await;
    c.assert_has("Write it on the council's cover").await;
    let dir = std::env::temp_dir().join(unique_name("assure-paper"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cabinet-member-report.docx");
    let paper = assure_documents::docx::simple(
        "Cabinet Member Report",
        "",
        &[
            assure_documents::docx::Part::Heading("Cabinet Member Report".into()),
            assure_documents::docx::Part::Text("Children's social care: 96% of assessments completed within 45 working days.".into()),
            assure_documents::docx::Part::Table(vec!["Measure".into(), "Value".into()], vec![vec!["Assessments on time".into(), "96%".into()]]),
        ],
    )
    .unwrap();
    std::fs::write(&file, paper).unwrap();
    c.css("#file").await.send_keys(&file.display().to_string()).await.expect("choose the file");
    c.press("Upload the paper").await;
    c.assert_banner("Paper saved").await;
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        c.count_xpath("//ol[contains(@class,'app-list--number')]//a[normalize-space()='cabinet-member-report.docx']").await,
        1,
        "the paper on the agenda"
    );
    c.press("Publish the agenda").await;
    c.assert_banner("Meeting saved").await;
    assert_eq!(c.summary_value("Status").await, "Agenda published");
    assert_eq!(c.count(&format!("a[href='{first}/agenda-pack/docx']")).await, 1, "the published pack is offered");

    // 4. Attendance, a minute with a resolution requesting a report, a declaration.
    c.follow("Record attendance").await;
    c.fill("#name", "Councillor Ann Example").await;
    c.choose_labelled("Present").await;
    c.fill("#capacity", "Cabinet Member").await;
    c.press("Record attendance").await;
    c.assert_banner("Attendance recorded").await;
    c.follow("Draft a minute").await;
    c.fill("#title", "Cabinet Member Report: Children, Schools and Safeguarding").await;
    c.fill("#text", "The Cabinet Member presented her report on the work of the partnership.").await;
    c.press("Add minute").await;
    c.assert_banner("Minute added").await;
    c.follow("Add to the resolution of minute 1").await;
    c.choose_labelled("Requested a report").await;
    c.fill("#text", "a progress report on return interviews be submitted to the next meeting").await;
    c.fill("#report_from", "Head of Safeguarding").await;
    c.select_text("#due_meeting", &assure_domain::dates::long(next_day)).await;
    c.press("Add to the resolution").await;
    c.assert_banner("Resolution recorded").await;
    // A second part endorses a working group's report: the tracker records it.
    c.follow("Add to the resolution of minute 1").await;
    c.choose_labelled("Endorsed a report's recommendations").await;
    c.fill("#text", "the recommendations of the Working Group be endorsed").await;
    c.press("Add to the resolution").await;
    c.assert_error("Select the report whose recommendations the body endorsed").await;
    assert!(c.broken_error_links().await.is_empty(), "every error links to its field");
    c.select_text("#review", "Safeguarding in home-to-school transport task and finish group").await;
    c.press("Add to the resolution").await;
    c.assert_banner("Resolution recorded").await;
    c.follow("Record a declaration of interest").await;
    c.fill("#member", "Councillor Ann Example").await;
    c.fill("#minute", "1").await;
    c.fill("#reason", "Her daughter is a social worker in the MASH.").await;
    c.fill("#action", "Stayed in the room and took part in the consideration of the item.").await;
    c.press("Record declaration").await;
    c.assert_banner("Declaration of interest recorded").await;
    c.assert_has("Her daughter is a social worker in the MASH.").await;
    c.assert_has("Head of Safeguarding").await;
    c.screenshot("meetings-1-minuted").await;
    c.follow("Safeguarding in home-to-school transport task and finish group").await;
    let cite = format!("Minute No. 1 of {}", assure_domain::dates::long(first_day));
    c.follow(&cite).await;
    assert_eq!(c.page_path().await, first, "the review's endorsement links back to the minute");

    // 5. The request shows as due on the next meeting's work programme and page, where
    //    the clerk can put the answering paper on the agenda.
    c.goto(&format!("/work-programme?body={}&year={}", body.id, MunicipalYear::of(next_day).label())).await;
    c.assert_has("Cabinet Member Report: Children, Schools and Safeguarding (requested at Minute No. 1").await;
    c.assert_has("Head of Safeguarding").await;
    c.goto(&next).await;
    c.assert_has("Reports requested for this meeting").await;
    c.assert_has("Head of Safeguarding").await;
    assert_eq!(c.count_xpath("//a[starts-with(normalize-space(), 'Put on the agenda: Cabinet Member Report: Children, Schools and Safeguarding (requested at Minute No. 1')]").await, 1, "the requested report can go on the agenda");
    c.sign_out().await;
    c.quit().await;
    rig.finish().await;
}

/// A council's ModernGov history through the page, with JavaScript off: the clerk
/// chooses the three XML files at once, checks them (nothing imported yet, the meetings
/// listed), chooses them again and imports, then opens the imported meeting and reads
/// its decision.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clerk_imports_a_moderngov_history_without_javascript() {
    if !browser_available() {
        return;
    }
    let mut rig = Rig::start().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../storage/tests/moderngov").canonicalize().unwrap();
    let files: Vec<String> = ["committees.xml", "meetings.xml", "meeting-1001.xml"].iter().map(|f| dir.join(f).display().to_string()).collect();
    let c = rig.browser_without_javascript().await;
    c.sign_in("clerk@example.org").await;
    c.goto("/meetings").await;
    c.follow("Import from ModernGov").await;
    c.css("#files").await.send_keys(&files.join("\n")).await.expect("choose the files");
    c.press("Check the files").await;
    c.assert_has("Nothing has been imported yet").await;
    c.assert_has("ModernGov meeting 1001").await;
    c.css("#files").await.send_keys(&files.join("\n")).await.expect("choose the files again");
    c.press("Import").await;
    c.assert_banner("Imported 3 meetings from ModernGov").await;
    c.screenshot("moderngov-imported").await;
    c.follow("Overview and Scrutiny Committee (Children's Services and Safeguarding), 10 March 2015").await;
    c.assert_has("the Cabinet Member be requested to circulate the quarterly referral figures").await;
    c.sign_out().await;
    c.quit().await;
    rig.finish().await;
}
