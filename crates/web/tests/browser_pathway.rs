//! The CSE pathway in a real browser, by the people who do each step: a school's
//! concern with the CSE 2 screening → the MASH decision → a MACSE panel slot → a plan
//! with a police-only Prosecute section → who sees what → the child's access log; and a
//! "no CSE concern" referral going back to the school's SPOC.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`; `ASSURE_SKIP_BROWSER=1` skips.
//! Runs on SQLite with the demo loaded, but makes its own children through the pages.
//! Screenshots go to /tmp/assure-shots (never into the repository).

mod browser_rig;

use std::time::Instant;

use browser_rig::*;
use fantoccini::Locator;

/// A surname no demo child has, in letters only (names are checked as names).
fn unique_surname(prefix: &str) -> String {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() ^ std::process::id();
    let letters: String = format!("{n:08}").chars().take(6).map(|d| (b'a' + d.to_digit(10).unwrap() as u8) as char).collect();
    format!("{prefix}{letters}")
}

/// The child's id from a referral's address, /children/{id}/referrals/{rid}.
fn child_id_of(path: &str) -> i64 {
    path.trim_start_matches("/children/").split('/').next().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("a child's id in {path}"))
}

/// A school practitioner raises a concern about a child not yet known, answering every
/// screening question (yes to `yes`, no to the rest). Returns the child's id.
async fn raise_concern_for_new_child(b: &Browser, first: &str, last: &str, yes: &[&str], what_seen: &str) -> i64 {
    b.sign_in("practitioner@example.org").await;
    b.nav_to("Raise a concern").await;
    assert_eq!(b.text_of("h1").await, "Raise a CSE concern");
    // Search before create: the child is not found, so the new child's details open.
    b.fill("#name", last).await;
    b.press("Search").await;
    b.choose_labelled("A child not listed here: I will enter their details below").await;
    b.open_details("A new child's details").await;
    b.fill("#first_name", first).await;
    b.fill("#last_name", last).await;
    b.fill("#date_of_birth", "14/03/2011").await;
    b.fill("#gender", "Female").await;
    b.fill("#ethnicity", "White British").await;
    b.fill("#address", "12 Orchard Row, Hillside").await;
    b.fill("#ward", "Hillside").await;
    b.fill("#school", "Hillside High School").await;
    b.fill("#what_seen", what_seen).await;
    b.fill("#seen_on", &date_in(-2)).await;
    b.fill("#seen_where", "School gates at home time").await;
    b.fill("#seen_by", "Hannah Price, designated safeguarding lead").await;
    // Every screening question is answered.
    let mut ids = Vec::new();
    for e in b.client.find_all(Locator::Css("input.app-radios__input[name^='answer-'][value='no']")).await.unwrap() {
        ids.push((e.attr("name").await.unwrap().unwrap(), e.attr("id").await.unwrap().unwrap()));
    }
    assert!(ids.len() >= 10, "the screening tool asks its questions ({} found)", ids.len());
    for (name, no_id) in &ids {
        let key = name.trim_start_matches("answer-");
        if yes.contains(&key) {
            b.choose(name).await; // the first radio, "Yes", carries the field's id
        } else {
            b.choose(no_id).await;
        }
    }
    b.fill("#referral_text", "Referred because of the pattern of gifts, a second phone and being collected by older men.").await;
    b.press("Send the referral to the MASH").await;
    b.assert_banner("Referral sent to the MASH: the screening's risk level is shown below").await;
    b.assert_has("Risk level from the CSE 2 screening").await;
    child_id_of(&b.page_path().await)
}

/// The MASH worker opens the referral from the team's queue.
async fn open_from_mash_queue(b: &Browser, child: &str) {
    b.sign_in("mash-worker@example.org").await;
    b.nav_to("MASH queue").await;
    b.follow(child).await;
    b.assert_has(child).await;
}

/// The whole pathway, and who may see what of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pathway_from_concern_to_plan() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let mut rig = Rig::start().await;
    let b = rig.browser().await;
    let (first, last) = ("Tamsin", unique_surname("Pathway"));
    let child = format!("{first} {last}");
    let prosecute = "Disruption of the two men collecting her; evidence gathering for a CAWN";
    let protect = "Safety plan agreed with her mother; school to watch the gates at home time";

    // 1. The school practitioner raises the concern; three medium indicators give a high risk.
    let cid = raise_concern_for_new_child(&b, first, &last, &["unexplained-gifts", "second-phone", "substance-misuse"], "Seen getting into a car with two older men at the school gates.").await;
    b.assert_has("High risk").await;
    b.screenshot("pathway-1-referral").await;
    b.sign_out().await;

    // 2. The MASH records a police check and decides MACSE with reasons.
    open_from_mash_queue(&b, &child).await;
    b.select_text("#check-agency_id", "Merseyside Police").await;
    b.fill("#check-holds", "Two missing episodes last month; no offences recorded.").await;
    b.press("Record the check").await;
    b.assert_banner("Agency check recorded").await;
    b.assert_has("Two missing episodes last month").await;
    b.choose_labelled("MACSE").await;
    b.fill("#decision-reasons", "High risk screening with missing episodes: needs a multi-agency plan.").await;
    b.press("Record the decision").await;
    b.assert_banner("MASH decision recorded").await;
    assert_eq!(b.summary_value("Decision").await, "MACSE");
    b.assert_has("Next, the CSE analyst books the young person a slot at a MACSE panel").await;
    b.sign_out().await;

    // 3. The analyst books a slot at a panel (adding the fortnightly series if there is none) and invites the proposed people.
    b.sign_in("cse-analyst@example.org").await;
    b.nav_to("MACSE panels").await;
    if b.count_xpath("//table//a[starts-with(@href, '/panels/')]").await == 0 {
        b.fill("#first", &date_in(7)).await;
        b.fill("#until", &date_in(63)).await;
        b.fill("#location", "Town Hall, Room 3").await;
        b.press("Add the panels").await;
        b.assert_banner("Panels added to the series").await;
    }
    let panel_link = b.find(Locator::XPath("(//table//a[starts-with(@href, '/panels/')])[last()]")).await;
    let panel_date = panel_link.text().await.unwrap().trim().to_string();
    b.click_to_load(panel_link, "open a panel").await;
    assert_eq!(b.text_of("h1").await, panel_date);
    b.select_text("#slot-child_id", &child).await;
    b.fill("#slot-starts_at", "16:20").await;
    b.fill("#slot-minutes", "30").await;
    b.press("Book the slot").await;
    b.assert_banner("Slot booked").await;
    let card = format!("//div[contains(@class, 'app-summary-card')][.//a[normalize-space()={}]]", xq(&child));
    let invite = b.find(Locator::XPath(&format!("{card}//button[starts-with(normalize-space(), 'Invite the involved')]"))).await;
    b.click_to_load(invite, "invite the proposed people").await;
    b.assert_banner("Invitations saved").await;
    let invited = b.find(Locator::XPath(&card)).await.text().await.unwrap();
    for who in ["Grace Turner", "Hannah Price", "DC Sam Hughes", "DCI Laura Byrne"] {
        assert!(invited.contains(who), "{who} is invited to the slot:\n{invited}");
    }
    b.screenshot("pathway-3-panel").await;
    b.sign_out().await;

    // 4. The co-chair opens the child from the panel's agenda and saves the plan.
    b.sign_in("macse-co-chair@example.org").await;
    b.nav_to("MACSE panels").await;
    b.follow(&panel_date).await;
    b.follow(&child).await;
    assert_eq!(b.text_of("h1").await, "MACSE plan");
    b.follow("Make a plan").await;
    b.select_text("#panel_id", &panel_date).await;
    // The plan is reviewed six weeks after the panel that made it.
    let panel_day = chrono::NaiveDate::parse_from_str(&panel_date, "%-d %B %Y").unwrap_or_else(|e| panic!("read the panel's date {panel_date:?}: {e}"));
    b.fill("#review_date", &(panel_day + chrono::Duration::days(42)).format("%d/%m/%Y").to_string()).await;
    b.fill("#discussion-profile", "Year 8 pupil; two missing episodes; gifts and a second phone.").await;
    b.fill("#discussion-prevent", "Sessions with the school nurse on healthy relationships.").await;
    b.fill("#discussion-protect", protect).await;
    b.fill("#discussion-prosecute", prosecute).await;
    b.select_text("#action-1-section", "Prosecute").await;
    b.fill("#action-1-text", "Serve a child abduction warning notice on the driver").await;
    b.fill("#action-1-owner", "DC Sam Hughes").await;
    b.select_text("#action-1-agency", "Merseyside Police").await;
    b.fill("#action-1-due", &date_in(14)).await;
    b.select_text("#action-2-section", "Protect").await;
    b.fill("#action-2-text", "Staff on the gates at home time for six weeks").await;
    b.fill("#action-2-owner", "Grace Turner").await;
    b.select_text("#action-2-agency", "Hillside High School").await;
    b.fill("#action-2-due", &date_in(7)).await;
    b.press("Save the new version").await;
    b.assert_banner("New version of the plan saved; the earlier versions are kept").await;
    b.assert_has(prosecute).await;
    b.assert_has("Serve a child abduction warning notice on the driver").await;
    b.sign_out().await;

    // 5. The police CSE officer finds the child and sees the Prosecute section.
    b.sign_in("police-cse-officer@example.org").await;
    b.nav_to("Children").await;
    b.fill("#name", &last).await;
    b.press("Search").await;
    b.follow(&format!("{last}, {first}")).await;
    b.follow("MACSE plan").await;
    assert_eq!(b.count_xpath("//h2[normalize-space()='Prosecute']").await, 1, "the police see the Prosecute heading");
    b.assert_has(prosecute).await;
    b.assert_has("Serve a child abduction warning notice on the driver").await;
    b.sign_out().await;

    // 6. The school SPOC opens the child from their agency's referrals and sees the plan without Prosecute.
    b.sign_in("spoc@example.org").await;
    b.nav_to("Agency referrals").await;
    b.follow(&child).await;
    b.follow(&child).await; // the breadcrumb to the child's record
    b.follow("MACSE plan").await;
    b.assert_has(protect).await;
    b.assert_has("Staff on the gates at home time for six weeks").await;
    b.assert_has("Sessions with the school nurse").await;
    assert_eq!(b.count_xpath("//h2[normalize-space()='Prosecute']").await, 0, "no Prosecute heading for a SPOC");
    b.assert_lacks(prosecute).await;
    b.assert_lacks("Prosecute").await;
    b.assert_lacks("child abduction warning notice").await;
    b.screenshot("pathway-6-spoc-plan").await;
    b.sign_out().await;

    // 7. A practitioner of a school not involved is refused (and the attempt audited).
    b.sign_in("practitioner-2@example.org").await;
    b.goto(&format!("/children/{cid}")).await;
    b.assert_has("You do not have access to this record").await;
    b.assert_lacks(&last).await;
    b.sign_out().await;

    // 8. The co-chair reads the child's access log: everyone who took part is in it.
    b.sign_in("macse-co-chair@example.org").await;
    b.nav_to("Children").await;
    b.fill("#name", &last).await;
    b.press("Search").await;
    b.follow(&format!("{last}, {first}")).await;
    b.follow("Who has looked at this record and why").await;
    let log = b.text_of("main").await;
    for who in ["Hannah Price", "Ravi Patel", "Chris Moran", "DCI Laura Byrne", "DC Sam Hughes", "Grace Turner", "Owen Lloyd"] {
        assert!(log.contains(who), "the access log lists {who}:\n{log}");
    }
    b.screenshot("pathway-8-access-log").await;
    b.quit().await;
    rig.finish().await;
    eprintln!("the_pathway_from_concern_to_plan took {:?}", started.elapsed());
}

/// "No CSE concern": the MASH (without JavaScript) returns the referral to the school's
/// SPOC with reasons and interventions; the SPOC sees it and acknowledges it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_cse_concern_goes_back_to_the_spoc() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let mut rig = Rig::start().await;
    let b = rig.browser().await;
    let (first, last) = ("Niamh", unique_surname("Returned"));
    let child = format!("{first} {last}");
    let reasons = "Low mood explained by a family bereavement; no indicators of exploitation found in the checks.";
    let interventions = "School counsellor sessions weekly; early help assessment offered to the family.";

    raise_concern_for_new_child(&b, first, &last, &["low-mood"], "Tearful in lessons and spending breaks alone.").await;
    b.assert_has("Low risk").await;
    b.sign_out().await;
    b.quit().await;

    // The MASH decides with JavaScript switched off.
    let nojs = rig.browser_without_javascript().await;
    open_from_mash_queue(&nojs, &child).await;
    nojs.choose_labelled("No CSE concern: returned to the SPOC").await;
    // A decision without reasons is refused with a message, and nothing is saved.
    nojs.press("Record the decision").await;
    nojs.assert_error("reason").await;
    assert!(nojs.broken_error_links().await.is_empty(), "every error links to its field");
    nojs.choose_labelled("No CSE concern: returned to the SPOC").await;
    nojs.fill("#decision-reasons", reasons).await;
    nojs.fill("#decision-interventions", interventions).await;
    nojs.press("Record the decision").await;
    nojs.assert_banner("MASH decision recorded").await;
    assert_eq!(nojs.summary_value("Decision").await, "No CSE concern: returned to the SPOC");
    nojs.assert_has("keep monitoring").await;
    nojs.sign_out().await;
    nojs.quit().await;

    // The school's SPOC sees the return with its reasons and interventions, and acknowledges it.
    let b = rig.browser().await;
    b.sign_in("spoc@example.org").await;
    b.nav_to("Agency referrals").await;
    let card = format!("//div[contains(@class, 'app-returned')][.//a[normalize-space()={}]]", xq(&child));
    let returned = b.find(Locator::XPath(&card)).await.text().await.unwrap();
    for text in [reasons, interventions, "keep monitoring"] {
        assert!(returned.contains(text), "the returned referral shows {text:?}:\n{returned}");
    }
    b.screenshot("returned-1-spoc").await;
    let ack = b.find(Locator::XPath(&format!("{card}//button"))).await;
    b.click_to_load(ack, "acknowledge the returned referral").await;
    b.assert_banner("Returned referral acknowledged").await;
    assert_eq!(b.count_xpath(&card).await, 0, "the acknowledged referral leaves the returned list");
    b.follow(&child).await;
    b.assert_has("Acknowledged by the SPOC").await;
    b.quit().await;
    rig.finish().await;
    eprintln!("no_cse_concern_goes_back_to_the_spoc took {:?}", started.elapsed());
}
