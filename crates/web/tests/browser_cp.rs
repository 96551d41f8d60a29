//! The child protection route (R5) in a real browser: a school's concern → the MASH
//! decision of child protection → the section 47 enquiry → the strategy meeting (every
//! problem of an empty form at once, then recorded) → the enquiry's outcome → the
//! initial conference → the CP plan in the MACSE template; the case then on the CP
//! queue. Dates are typed in the GOV.UK day, month and year boxes.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`; `ASSURE_SKIP_BROWSER=1` skips.
//! Runs on SQLite with the demo loaded. Screenshots go to /tmp/assure-shots.

mod browser_rig;

use browser_rig::*;
use chrono::Datelike;
use fantoccini::Locator;

/// A surname no demo child has, in letters only (names are checked as names).
fn unique_surname(prefix: &str) -> String {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() ^ std::process::id();
    let letters: String = format!("{n:08}").chars().take(6).map(|d| (b'a' + d.to_digit(10).unwrap() as u8) as char).collect();
    format!("{prefix}{letters}")
}

/// Type today's date into the day, month and year boxes of the date input whose id ends
/// with `-{name}` (the case's forms are named after the case).
async fn fill_today(b: &Browser, name: &str) {
    let t = assure_domain::Clock::system().today();
    b.fill(&format!("input[id$='-{name}']"), &t.day().to_string()).await;
    b.fill(&format!("input[id$='-{name}-month']"), &t.month().to_string()).await;
    b.fill(&format!("input[id$='-{name}-year']"), &t.year().to_string()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_child_protection_route_from_decision_to_plan() {
    if !browser_available() {
        return;
    }
    let mut rig = Rig::start().await;
    let b = rig.browser().await;
    let last = unique_surname("Cpwalk");
    let child = format!("Robyn {last}");

    // 1. The school raises a concern about a child not yet known.
    b.sign_in("practitioner@example.org").await;
    b.nav_to("Raise a concern").await;
    b.fill("#name", &last).await;
    b.press("Search").await;
    b.choose_labelled("A child not listed here: I will enter their details below").await;
    b.open_details("A new child's details").await;
    b.fill("#first_name", "Robyn").await;
    b.fill("#last_name", &last).await;
    b.fill_date("#date_of_birth", chrono::NaiveDate::from_ymd_opt(2012, 3, 14).unwrap()).await;
    b.fill("#gender", "Female").await;
    b.fill("#ethnicity", "White British").await;
    b.fill("#address", "4 Quarry Lane, Hillside").await;
    b.fill("#ward", "Hillside").await;
    b.fill("#school", "Hillside High School").await;
    b.fill("#what_seen", "Robyn said her stepfather's friend gives her alcohol and takes photographs of her.").await;
    b.fill_date_in("#seen_on", -1).await;
    b.fill("#seen_where", "School nurse's room").await;
    b.fill("#seen_by", "School nurse").await;
    let mut ids = Vec::new();
    for e in b.client.find_all(Locator::Css("input.app-radios__input[name^='answer-'][value='no']")).await.unwrap() {
        ids.push(e.attr("id").await.unwrap().unwrap());
    }
    for id in &ids {
        b.choose(id).await;
    }
    b.fill("#referral_text", "A disclosure about an adult known to the family; her mother does not believe her.").await;
    b.press("Send the referral to the MASH").await;
    b.assert_banner("Referral sent to the MASH: the screening's risk level is shown below").await;
    b.sign_out().await;

    // 2. The MASH decides child protection; the referral links to the case.
    b.sign_in("mash-worker@example.org").await;
    b.nav_to("MASH queue").await;
    b.follow(&child).await;
    b.choose_labelled("Child protection: section 47 enquiry, case conference and plan").await;
    b.fill("#decision-reasons", "Concerns about the care she receives at home: a child protection matter.").await;
    b.press("Record the decision").await;
    b.assert_banner("MASH decision recorded").await;
    b.follow("see the child protection stages").await;
    assert_eq!(b.text_of("h1").await, "Child protection");
    b.assert_has("Strategy meeting").await;
    b.screenshot("cp-1-case-opened").await;

    // 3. The section 47 enquiry starts.
    fill_today(&b, "started_on").await;
    b.press("Record the section 47 enquiry").await;
    b.assert_banner("Section 47 enquiry recorded").await;

    // 4. The strategy meeting: an empty form gives every problem at once, then it is recorded.
    b.press("Record the strategy meeting").await;
    b.assert_has("There is a problem").await;
    b.assert_has("Enter the date the strategy meeting was held").await;
    b.assert_has("Select the agencies that attended the strategy meeting").await;
    b.assert_has("Select what the strategy meeting decided").await;
    assert!(b.broken_error_links().await.is_empty(), "every error links to its field");
    fill_today(&b, "held_on").await;
    b.tick("Merseyside Police").await;
    b.tick("Children's Social Care").await;
    b.choose_labelled("Start (or continue) a section 47 enquiry").await;
    b.press("Record the strategy meeting").await;
    b.assert_banner("Strategy meeting recorded").await;

    // 5. The enquiry's outcome: a conference is needed.
    b.choose_labelled("Concerns substantiated: convene an initial child protection conference").await;
    fill_today(&b, "outcome_on").await;
    b.press("Record the outcome").await;
    b.assert_banner("Section 47 enquiry recorded").await;

    // 6. The initial conference decides on a plan.
    fill_today(&b, "held_on").await;
    b.choose_labelled("Child protection plan").await;
    b.press("Record the conference").await;
    b.assert_banner("Initial child protection conference recorded").await;
    b.assert_has("Done on time").await;

    // 7. The CP plan, in the MACSE plan template.
    b.follow("Write the CP plan").await;
    assert_eq!(b.text_of("h1").await, "Child protection plan (MACSE plan template)");
    b.fill_date_in("#review_date", 80).await;
    b.fill("#discussion-protect", "Safety plan: Robyn stays with her grandmother at weekends.").await;
    b.select_text("#action-1-section", "Protect").await;
    b.fill("#action-1-text", "Safety plan reviewed with Robyn every week").await;
    b.fill("#action-1-owner", "Ravi Patel").await;
    b.select_text("#action-1-agency", "Children's Social Care").await;
    b.fill_date_in("#action-1-due", 14).await;
    b.press("Save the new version").await;
    b.assert_banner("Child protection plan saved as a new version of the child's plan").await;
    b.assert_has("is the child protection plan").await;
    b.screenshot("cp-2-on-a-plan").await;

    // 8. The open case is on the CP queue, the first review conference next.
    b.goto("/child-protection").await;
    b.assert_has(&child).await;
    b.assert_has("First review conference").await;

    b.quit().await;
    rig.finish().await;
}
