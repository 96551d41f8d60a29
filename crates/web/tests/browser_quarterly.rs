//! The quarterly report in a real browser: the analyst closes the last quarter's months
//! on the dataset's pages, starts the MACSE quarterly report and writes its summary; the
//! two co-chairs sign it (the second signature freezes it); a committee member reads
//! it with small numbers suppressed. The DOCX it downloads opens in LibreOffice.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`; `ASSURE_SKIP_BROWSER=1` skips.
//! Runs on SQLite with the demo loaded. Screenshots go to /tmp/assure-shots.

mod browser_rig;

use assure_domain::quarterly::Quarter;
use browser_rig::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_co_chairs_sign_the_quarterly_report_and_members_read_it_suppressed() {
    if !browser_available() {
        return;
    }
    let mut rig = Rig::start().await;
    let last = Quarter::of(chrono::Utc::now().date_naive()).previous();
    let store = rig.db.as_ref().expect("the demo database").store.clone();
    // Two referrals early in the quarter: a small number to suppress.
    let day = last.months()[0].first_day() + chrono::Duration::days(2);
    for n in 0..2 {
        assure_storage::testing::exec(
            &store,
            &format!(
                "INSERT INTO referrals (child_id, agency_id, source, what_seen, seen_on, seen_where, seen_by, referral_text, tool_version, answers_json, risk_level, status, submitted_at) \
                 VALUES ((SELECT MIN(id) FROM children), (SELECT MIN(id) FROM agencies), 'professional-concern', '', '{day}', '', '', '', 1, '[]', 'medium', 'submitted', '{day}T1{n}:00:00.000000Z')"
            ),
        )
        .await;
    }

    // 1. The analyst closes each month of the quarter, then starts the report.
    let b = rig.browser().await;
    b.sign_in("cse-analyst@example.org").await;
    for m in last.months() {
        b.goto(&format!("/datasets/{m}")).await;
        let label = format!("Close {}", m.label());
        if b.body_text().await.contains(&label) {
            b.press(&label).await;
            b.assert_banner("Month closed: its figures are frozen").await;
        }
    }
    b.goto("/datasets").await;
    b.follow("Quarterly reports").await;
    b.press("Start the report").await;
    b.assert_error("Select which report to start").await;
    assert!(b.broken_error_links().await.is_empty(), "every error links to its field");
    b.choose_labelled("MACSE quarterly report to the partnership board").await;
    b.select_value("#quarter", &last.to_string()).await;
    b.press("Start the report").await;
    b.assert_banner("Quarterly report started from the quarter's closed months").await;
    b.fill("#summary", "Two referrals early in the quarter; every child at risk has a plan.").await;
    b.press("Save the report").await;
    b.assert_banner("Report saved").await;
    let page = b.page_path().await;
    b.screenshot("quarterly-1-written").await;
    b.sign_out().await;
    b.quit().await;

    // 2. The co-chairs sign, one after the other.
    for (chair, banner) in [
        ("macse-co-chair@example.org", "Signed: the report now waits for the other co-chair's signature"),
        ("macse-co-chair-2@example.org", "Signed by both co-chairs: the report is frozen and fingerprinted"),
    ] {
        let c = rig.browser().await;
        c.sign_in(chair).await;
        c.goto(&page).await;
        c.press("Sign as MACSE co-chair").await;
        c.assert_banner(banner).await;
        c.sign_out().await;
        c.quit().await;
    }

    // 3. A committee member reads it: small numbers suppressed, nothing to sign or edit.
    let m = rig.browser().await;
    m.sign_in("committee-member@example.org").await;
    m.goto("/datasets").await;
    m.follow("Quarterly reports").await;
    m.assert_has(&last.label()).await;
    m.goto(&page).await;
    m.assert_has("Signed jointly by the MACSE co-chairs").await;
    m.assert_has("fewer than 5").await;
    m.assert_has("Two referrals early in the quarter").await;
    m.assert_lacks("Sign as MACSE co-chair").await;
    m.assert_lacks("Save the report").await;
    m.screenshot("quarterly-2-member").await;
    m.sign_out().await;
    m.quit().await;

    // The DOCX, as the member downloads it, opens in LibreOffice.
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let doc = store.quarterly().document(id, false).await.unwrap();
    let docx = assure_documents::render_quarterly(&doc, assure_documents::Format::Docx).unwrap();
    if assure_documents::pdf::available() {
        let pdf = assure_documents::pdf::to_pdf(&docx, "docx").expect("LibreOffice opens the quarterly report");
        assert!(pdf.starts_with(b"%PDF"));
    }
    rig.finish().await;
}
