//! The MARAC route (R10) in a real browser: the MASH worker records a MARAC referral of a
//! 17-year-old victim of an abusive relationship with the GOV.UK date input (every
//! problem at once first, then a real date), finds it on the MASH queue, and records the
//! CSE review: a CSE concern refers the young person to MACSE, and the referral decided
//! "MACSE" is on her record. With JavaScript off for the review.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`; `ASSURE_SKIP_BROWSER=1` skips.
//! Runs on SQLite with the demo loaded. Screenshots go to /tmp/assure-shots.

mod browser_rig;

use std::time::Instant;

use browser_rig::*;
use chrono::Datelike;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_marac_referral_is_reviewed_for_cse_and_referred_to_macse() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let mut rig = Rig::start().await;
    // The demo's 17-year-old, Leah Morgan, found as the MASH finds her.
    let leah = {
        let db = rig.db.as_ref().unwrap();
        let mash = assure_storage::testing::reader(&db.store, "mash-worker@example.org").await;
        let (found, _) = assure_storage::testing::children_in_reach(&db.store, mash.viewer(), Some("Morgan"), 10, 0).await;
        found.into_iter().find(|c| c.first_name == "Leah" && c.last_name == "Morgan").expect("the demo has Leah Morgan").id
    };
    let b = rig.browser().await;
    b.sign_in("mash-worker@example.org").await;

    // 1. From her record, the MARAC referrals; every problem at once, the date in three boxes.
    b.goto(&format!("/children/{leah}")).await;
    b.follow("MARAC referrals (16 to 18-year-olds)").await;
    assert_eq!(b.text_of("h1").await, "MARAC referrals");
    b.fill("#referred_on", "31").await;
    b.fill("#referred_on-month", "2").await;
    b.fill("#referred_on-year", "2026").await;
    b.press("Record the MARAC referral").await;
    b.assert_error("must be a real date").await;
    b.assert_error("Enter who referred the young person to MARAC").await;
    b.assert_error("Describe the abusive relationship").await;
    assert!(b.broken_error_links().await.is_empty(), "every error links to its field");
    b.screenshot("marac-1-errors").await;
    let today = chrono::Utc::now().date_naive();
    b.fill("#referred_on", &today.day().to_string()).await;
    b.fill("#referred_on-month", &today.month().to_string()).await;
    b.fill("#referred_on-year", &today.year().to_string()).await;
    b.fill("#referred_by", "Independent domestic violence adviser").await;
    b.fill("#relationship", "Her partner, 31, takes her phone and has hit her; he drives her to parties with his friends.").await;
    b.press("Record the MARAC referral").await;
    b.assert_banner("MARAC referral recorded: it waits on the MASH queue for a CSE review").await;
    assert_eq!(b.summary_value("Age when referred").await, "17");
    b.sign_out().await;
    b.quit().await;

    // 2. The review, with JavaScript off: found on the MASH queue.
    let nojs = rig.browser_without_javascript().await;
    nojs.sign_in("mash-worker@example.org").await;
    nojs.nav_to("MASH queue").await;
    nojs.assert_has("MARAC referrals awaiting a CSE review").await;
    let link = nojs.find(Locator::XPath("//h2[@id='marac']/following::table[1]//a[normalize-space()='Leah Morgan']")).await;
    nojs.click_to_load(link, "the first MARAC referral waiting").await;
    nojs.press("Record the CSE review").await;
    nojs.assert_error("Select the outcome of the CSE review").await;
    nojs.assert_error("Enter the reasons for the outcome of the CSE review").await;
    nojs.choose_labelled("CSE concern: refer to MACSE").await;
    nojs.fill("#reasons", "An older partner who controls her and takes her to parties with other adults: indicators of CSE.").await;
    nojs.press("Record the CSE review").await;
    nojs.assert_banner("CSE review recorded: the young person is referred to MACSE").await;
    assert_eq!(nojs.summary_value("Outcome").await, "CSE concern: refer to MACSE");
    nojs.screenshot("marac-2-reviewed").await;
    nojs.follow("The referral decided for MACSE").await;
    assert_eq!(nojs.summary_value("Source").await, "A MARAC referral reviewed for CSE (a 16 to 18-year-old victim of an abusive relationship)");
    nojs.assert_has("Not screened").await;
    nojs.sign_out().await;
    nojs.quit().await;

    // 3. A school not involved with her cannot open her MARAC referrals.
    let b = rig.browser().await;
    b.sign_in("practitioner-2@example.org").await;
    b.goto(&format!("/children/{leah}/marac")).await;
    b.assert_has("There is no child's record with this number that you may see").await;
    b.quit().await;
    rig.finish().await;
    eprintln!("a_marac_referral_is_reviewed_for_cse_and_referred_to_macse took {:?}", started.elapsed());
}
