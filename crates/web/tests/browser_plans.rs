//! Plans and scorecards in a real browser: a lead officer opens a plan action from the
//! plan, updates it (commentary, RAG) and sees the measure it must move on the same
//! page; a committee member reads the CSE scorecard and the statement of action's
//! cross-reference of its two versions, with nothing to change. The cross-reference's
//! DOCX opens in LibreOffice.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`; `ASSURE_SKIP_BROWSER=1` skips.
//! Runs on SQLite with the demo loaded. Screenshots go to /tmp/assure-shots.

mod browser_rig;

use browser_rig::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_updates_an_action_beside_its_outcome_and_a_member_reads_the_scorecard_and_versions() {
    if !browser_available() {
        return;
    }
    let mut rig = Rig::start().await;
    let store = rig.db.as_ref().expect("the demo database").store.clone();

    // 1. The lead officer finds the action from the plan and updates it.
    let b = rig.browser().await;
    b.sign_in("lead-officer@example.org").await;
    b.nav_to("Plans").await;
    b.follow("Children's services improvement plan").await;
    b.assert_has("What good looks like").await;
    b.follow("1.1.7").await;
    b.assert_has("The outcome it must move").await;
    b.assert_has("Assessments completed within 45 days").await;
    assert!(b.count(".app-chart svg").await >= 1, "the measure's chart is on the action's page");
    b.press("Save the update").await;
    b.assert_error("Write the update, or change the date or RAG").await;
    assert!(b.broken_error_links().await.is_empty(), "every error links to its field");
    b.fill("#commentary", "Clinics now run twice a week; three assessments past 40 days this month.").await;
    b.select_value("#rag", "amber").await;
    b.press("Save the update").await;
    b.assert_banner("Action updated").await;
    b.assert_has("Clinics now run twice a week").await;
    b.assert_has("Amber").await;
    b.assert_has("Assessments completed within 45 days: 72%").await;
    b.screenshot("plans-1-action-updated").await;
    b.sign_out().await;
    b.quit().await;

    // 2. A committee member reads the scorecard and the two versions' cross-reference.
    let m = rig.browser().await;
    m.sign_in("committee-member@example.org").await;
    m.nav_to("Plans").await;
    m.follow("See the scorecards").await;
    m.follow("CSE partnership scorecard").await;
    m.assert_has("Return interviews within 72 hours").await;
    m.assert_has("Direction of travel").await;
    m.assert_lacks("Add a performance measure").await;
    m.screenshot("plans-2-scorecard").await;
    m.nav_to("Plans").await;
    m.follow("Statement of action: children missing from home and care").await;
    m.assert_has("Version 2 of 2").await;
    m.press("Show the cross-reference").await;
    m.assert_has("Version 1 and version 2: cross-reference").await;
    for s in ["Split into", "Merged into", "Replaced by", "Dropped", "New", "held in May 2026"] {
        m.assert_has(s).await;
    }
    m.assert_lacks("Save the new version").await;
    m.screenshot("plans-3-cross-reference").await;
    m.sign_out().await;
    m.quit().await;

    // The cross-reference as members download it opens in LibreOffice.
    let soa = store.improvement_plans().list().await.unwrap().into_iter().find(|p| p.latest == 2).unwrap().id;
    let (_, _, rows) = store.improvement_plans().cross_reference(soa, 1, 2).await.unwrap();
    assert!(rows.iter().any(|r| r.label() == "Merged from"));
    if assure_documents::pdf::available() {
        let docx = assure_web::pages::improvement_plans::cross_reference_document("Statement of action", 1, 2, &rows).unwrap();
        let pdf = assure_documents::pdf::to_pdf(&docx, "docx").expect("LibreOffice opens the cross-reference");
        assert!(pdf.starts_with(b"%PDF"));
        // The plan itself as a committee paper, with its Outcome column.
        let plan =
            store.improvement_plans().list().await.unwrap().into_iter().find(|p| p.title == "Children's services improvement plan").unwrap().id;
        let v = store.improvement_plans().version(plan, 1).await.unwrap();
        let keys: Vec<_> = v.actions.iter().map(|a| assure_storage::scorecards::Linked::PlanAction(a.id)).collect();
        let outcomes = store.scorecards().outcomes(&keys, None, Some(5)).await.unwrap();
        let docx = assure_web::pages::improvement_plans::plan_document(&v, &outcomes).unwrap();
        let pdf = assure_documents::pdf::to_pdf(&docx, "docx").expect("LibreOffice opens the plan");
        assert!(pdf.starts_with(b"%PDF"));
    }
    rig.finish().await;
}
