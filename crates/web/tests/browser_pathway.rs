//! The CSE pathway in a real browser, by the people who do each step: a school's
//! concern with the CSE 2 screening → the MASH decision → a MACSE panel slot → a plan
//! with a police-only Prosecute section → who sees what → the child's access log; and a
//! "no CSE concern" referral going back to the school's SPOC; and (issue 5) a placement
//! notification with CSE and missing risks routed to the right teams' queues, each
//! acknowledging, the child going missing, the return interview's CSE link referring
//! the child to MACSE.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`; `ASSURE_SKIP_BROWSER=1` skips.
//! Runs on SQLite with the demo loaded, but makes its own children through the pages.
//! Screenshots go to /tmp/assure-shots (never into the repository).

mod browser_rig;

use std::time::Instant;

use assure_domain::partnership::Team;
use assure_domain::Role;
use assure_storage::users::NewUser;
use assure_storage::Actor;
use browser_rig::*;
use chrono::Duration;
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
    b.fill_date("#date_of_birth", chrono::NaiveDate::from_ymd_opt(2011, 3, 14).unwrap()).await;
    b.fill("#gender", "Female").await;
    b.fill("#ethnicity", "White British").await;
    b.fill("#address", "12 Orchard Row, Hillside").await;
    b.fill("#ward", "Hillside").await;
    b.fill("#school", "Hillside High School").await;
    b.fill("#what_seen", what_seen).await;
    b.fill_date_in("#seen_on", -2).await;
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
    let cid = raise_concern_for_new_child(
        &b,
        first,
        &last,
        &["unexplained-gifts", "second-phone", "substance-misuse"],
        "Seen getting into a car with two older men at the school gates.",
    )
    .await;
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
        b.fill_date_in("#first", 7).await;
        b.fill_date_in("#until", 63).await;
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
    let panel_day =
        chrono::NaiveDate::parse_from_str(&panel_date, "%-d %B %Y").unwrap_or_else(|e| panic!("read the panel's date {panel_date:?}: {e}"));
    b.fill_date("#review_date", panel_day + chrono::Duration::days(42)).await;
    b.fill("#discussion-profile", "Year 8 pupil; two missing episodes; gifts and a second phone.").await;
    b.fill("#discussion-prevent", "Sessions with the school nurse on healthy relationships.").await;
    b.fill("#discussion-protect", protect).await;
    b.fill("#discussion-prosecute", prosecute).await;
    b.select_text("#action-1-section", "Prosecute").await;
    b.fill("#action-1-text", "Serve a child abduction warning notice on the driver").await;
    b.fill("#action-1-owner", "DC Sam Hughes").await;
    b.select_text("#action-1-agency", "Merseyside Police").await;
    b.fill_date_in("#action-1-due", 14).await;
    b.select_text("#action-2-section", "Protect").await;
    b.fill("#action-2-text", "Staff on the gates at home time for six weeks").await;
    b.fill("#action-2-owner", "Grace Turner").await;
    b.select_text("#action-2-agency", "Hillside High School").await;
    b.fill_date_in("#action-2-due", 7).await;
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

    // 7. A practitioner of a school not involved is told there is no such record (and the attempt audited).
    b.sign_in("practitioner-2@example.org").await;
    b.goto(&format!("/children/{cid}")).await;
    b.assert_has("There is no child's record to show").await;
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

/// The teams the default routing rules name for a notification declaring CSE and missing
/// risks (health and education always; police CSE, missing from home and the analyst for
/// CSE), with a demo member of each who acknowledges for it.
const ROUTED: [(&str, &str, &str); 5] = [
    ("Police CSE unit", "police-cse-officer@example.org", "DC Sam Hughes"),
    ("Missing from home", "missing-officer@example.org", "PC Dana Webb"),
    ("CSE analyst", "cse-analyst@example.org", "Chris Moran"),
    ("Health lead for looked-after children", "health-lead@example.org", "Dr Anita Mensah"),
    ("Education lead (virtual school)", "education-lead@example.org", "Mark Ellison"),
];

/// Issue 5: a notification with CSE and missing risks arrives → the right queues show it
/// (and a team not routed to does not) → each acknowledges → the child goes missing → the
/// episode, the return and the return interview are recorded → the CSE link refers the
/// child to MACSE, where the analyst can book the child a panel slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_placed_child_goes_missing_and_is_referred_to_macse() {
    if !browser_available() {
        return;
    }
    let started = Instant::now();
    let mut rig = Rig::start().await;
    // A youth offending officer: offending is not declared, so the team's queue stays empty.
    {
        let store = &rig.db.as_ref().expect("the rig's database").store;
        let sys = Actor::system();
        let hash = assure_web::auth::hash_password(PASSWORD);
        let yot = store
            .partnership()
            .agencies()
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.name == "Youth Offending Service")
            .expect("the demo's youth offending service")
            .id;
        let uid = store
            .users()
            .create(
                &sys,
                NewUser {
                    name: "Kerry Osei",
                    email: "yot-officer@example.org",
                    role: Role::Practitioner,
                    job_title: "Youth offending team officer",
                    password_hash: &hash,
                },
            )
            .await
            .unwrap();
        store.partnership().set_agency(&sys, uid, yot).await.unwrap();
        store.partnership().add_team_member(&sys, Team::YouthOffending, uid).await.unwrap();
    }
    let b = rig.browser().await;
    let (first, last) = ("Kayleigh", unique_surname("Placed"));
    let child = format!("{first} {last}");
    let cse_detail = "Knowsley's assessment: groomed by older males met online; a CSE plan is in place there.";
    let missing_detail = "Missing four times in the last three months, twice overnight.";

    // 1. The notification officer records the placement from Knowsley: a child not known here, CSE and missing risks declared.
    b.sign_in("notification-officer@example.org").await;
    b.nav_to("Placements").await;
    b.follow("Record a placement notification").await;
    assert_eq!(b.text_of("h1").await, "Record a placement notification");
    b.fill("#name", &last).await;
    b.press("Search").await;
    b.choose_labelled("A child not listed here: I will enter their details below").await;
    b.open_details("A new child's details").await;
    b.fill("#first_name", first).await;
    b.fill("#last_name", &last).await;
    b.fill_date("#date_of_birth", chrono::NaiveDate::from_ymd_opt(2010, 9, 2).unwrap()).await;
    b.fill("#gender", "Female").await;
    b.fill("#ethnicity", "White British").await;
    b.fill("#address", "4 Kirkby Row, Knowsley").await;
    b.fill("#ward", "Northwood").await;
    b.fill("#school", "Kirkby Academy").await;
    b.select_text("#placing_authority", "Knowsley").await;
    b.fill("#new_provider", "Harbourside Care Ltd").await;
    b.fill("#home", "Harbour View").await;
    b.fill("#placement_address", "Harbour View, 2 Marine Parade").await;
    b.fill("#placement_ward", "Church").await;
    b.fill_date_in("#start_date", -3).await;
    b.fill_date_in("#received_date", -2).await;
    let mut risks = Vec::new();
    for e in b.client.find_all(Locator::Css("input.app-radios__input[name^='risk-'][value='no']")).await.unwrap() {
        risks.push((e.attr("name").await.unwrap().unwrap(), e.attr("id").await.unwrap().unwrap()));
    }
    assert_eq!(risks.len(), 6, "the form asks about each of the six risks");
    for (name, no_id) in &risks {
        match name.as_str() {
            "risk-cse" => b.choose(name).await, // the first radio, "Yes", carries the field's id
            "risk-missing" => b.choose(name).await,
            _ => b.choose(no_id).await,
        }
    }
    b.fill("#risk-cse-detail", cse_detail).await;
    b.fill("#risk-missing-detail", missing_detail).await;
    b.press("Record the notification").await;
    b.assert_banner("Placement recorded and sent to the teams the routing rules name").await;
    let cid = child_id_of(&b.page_path().await);
    b.assert_has(cse_detail).await;
    let notified = "//table[caption[normalize-space()='Teams notified']]/tbody/tr/td[1]";
    let mut teams = Vec::new();
    for td in b.client.find_all(Locator::XPath(notified)).await.unwrap() {
        teams.push(td.text().await.unwrap().trim().to_string());
    }
    teams.sort();
    let mut expected: Vec<String> = ROUTED.iter().map(|(t, _, _)| t.to_string()).collect();
    expected.sort();
    assert_eq!(teams, expected, "the default rules route a CSE and missing notification to exactly these teams");
    b.assert_clear_of_footer().await;
    b.screenshot("placement-1-recorded").await;
    b.sign_out().await;

    // 2. Each routed team's member finds it in "Notifications for your teams" and acknowledges it.
    for (team, email, name) in ROUTED {
        b.sign_in(email).await;
        b.nav_to("Notifications").await;
        assert_eq!(b.text_of("h1").await, "Notifications for your teams");
        // The queue holds the demo's notifications too, a page at a time: the filter
        // finds this week's (and keeps them after the acknowledgement).
        b.select_value("#period", "7").await;
        b.press("Filter").await;
        let row = format!("//table//tr[td[1]/a[normalize-space()={}] and td[2][normalize-space()={}]]", xq(&child), xq(team));
        let shown = b.find(Locator::XPath(&row)).await.text().await.unwrap();
        assert!(
            shown.contains("Knowsley") && shown.contains("Child sexual exploitation, Going missing"),
            "{email}'s queue shows the notification:\n{shown}"
        );
        let button = b.find(Locator::XPath(&format!("{row}//button"))).await;
        let label = button.text().await.unwrap();
        assert!(label.starts_with(&format!("Acknowledge for the {team}")), "the button names the team: {label:?}");
        b.click_to_load(button, &format!("acknowledge for {team}")).await;
        b.assert_banner("Notification acknowledged for your team").await;
        let done = b.find(Locator::XPath(&row)).await.text().await.unwrap();
        assert!(
            done.contains(&format!("by {name}")) && b.count_xpath(&format!("{row}//button")).await == 0,
            "{team}: acknowledged by {name}:\n{done}"
        );
        b.assert_clear_of_footer().await;
        if email == "health-lead@example.org" {
            b.screenshot("placement-2-health-queue").await;
        }
        b.sign_out().await;
    }

    // A team not routed to: the youth offending officer's queue does not show the child.
    b.sign_in("yot-officer@example.org").await;
    b.nav_to("Notifications").await;
    b.assert_has("No notifications have been routed to your teams.").await;
    b.assert_lacks(&last).await;
    b.sign_out().await;

    // 3. The missing-from-home officer records the child going missing from care, then the return.
    let now = assure_domain::Clock::system().local_now();
    let went = now - Duration::hours(40);
    let back = now - Duration::hours(26);
    let offered = now - Duration::hours(4);
    b.sign_in("missing-officer@example.org").await;
    b.goto(&format!("/children/{cid}/placements")).await;
    assert_eq!(
        b.count_xpath("//table[caption[normalize-space()='Teams notified']]//tr[.//*[contains(normalize-space(), 'Not yet acknowledged')]]").await,
        0,
        "every team has acknowledged"
    );
    b.nav_to("Record missing").await;
    assert_eq!(b.text_of("h1").await, "Record a missing episode");
    b.fill("#name", &last).await;
    b.press("Search").await;
    b.choose_labelled(&format!("{child}, born 2 September 2010")).await;
    b.choose_labelled("Care").await;
    b.fill_time("#start", went).await;
    b.fill("#police_reference", "MP/2417/26").await;
    b.choose_labelled("High").await;
    b.press("Record the episode").await;
    b.assert_banner("Missing episode recorded").await;
    assert_eq!(child_id_of(&b.page_path().await), cid, "the episode is on the placed child's record");
    b.assert_has("Still missing").await;
    let eid: i64 = b.css("section[id^='episode-']").await.attr("id").await.unwrap().unwrap().trim_start_matches("episode-").parse().unwrap();
    b.fill_time(&format!("#end-{eid}-end"), back).await;
    b.fill(&format!("#end-{eid}-where_found"), "A flat above a takeaway in the town centre, with two older males").await;
    b.press("Record the return").await;
    b.assert_banner("Return recorded: offer the return interview within 72 hours").await;
    b.assert_lacks("Still missing").await;

    // 4. The independent return interview, with a link to CSE: routed to MACSE by the pattern rules.
    let p = format!("#interview-{eid}");
    b.fill_time(&format!("{p}-offered_at"), offered).await;
    b.choose_labelled("Accepted").await;
    b.fill(&format!("{p}-provider"), "Safe Return Independent Advocacy").await;
    b.fill(&format!("{p}-interviewer"), "Leah Gordon").await;
    b.fill(&format!("{p}-where_and_with_whom"), "At a flat in the town centre with two men in their twenties she met online.").await;
    b.fill(&format!("{p}-said_about_cse"), "She was given alcohol and a phone, and was asked to stay the night.").await;
    b.fill(&format!("{p}-said_about_organised_crime"), "Nothing said.").await;
    b.fill(&format!("{p}-follow_up_actions"), "Share the address with the police CSE unit; safety plan with the home.").await;
    b.tick("A link to child sexual exploitation (referred to MACSE)").await;
    b.press("Record the interview").await;
    b.assert_banner("Return interview recorded and routed by the pattern rules").await;
    assert_eq!(b.summary_value("Accepted or declined").await, "Accepted");
    let routed = b.summary_value("Routed to").await;
    assert!(routed.contains("MACSE panel") && routed.contains("MACSE referral"), "the CSE link goes to MACSE: {routed:?}");
    b.assert_clear_of_footer().await;
    b.screenshot("placement-3-missing").await;
    b.follow("MACSE referral").await;
    assert_eq!(b.summary_value("Decision").await, "MACSE");

    // 5. The child's concerns and referrals show the MACSE referral from the return interview.
    b.goto(&format!("/children/{cid}")).await;
    b.follow("Concerns and referrals").await;
    let referral_row = "//table//tbody/tr[td[normalize-space()='A return interview after a missing episode']]";
    let row = b.find(Locator::XPath(referral_row)).await.text().await.unwrap();
    assert!(row.contains("MACSE"), "the referral is decided for MACSE:\n{row}");
    b.sign_out().await;

    // 6. The CSE analyst can book the child a slot at a MACSE panel.
    b.sign_in("cse-analyst@example.org").await;
    b.nav_to("MACSE panels").await;
    if b.count_xpath("//table//a[starts-with(@href, '/panels/')]").await == 0 {
        b.fill_date_in("#first", 7).await;
        b.fill_date_in("#until", 63).await;
        b.fill("#location", "Town Hall, Room 3").await;
        b.press("Add the panels").await;
    }
    let panel_link = b.find(Locator::XPath("(//table//a[starts-with(@href, '/panels/')])[last()]")).await;
    b.click_to_load(panel_link, "open a panel").await;
    let options = b.text_of("#slot-child_id").await;
    assert!(options.contains(&child), "the child is among those a slot can be booked for:\n{options}");
    b.quit().await;
    rig.finish().await;
    eprintln!("a_placed_child_goes_missing_and_is_referred_to_macse took {:?}", started.elapsed());
}

/// WCAG 1.4.10 reflow: at 320 CSS pixels wide the pages with long lists and wide tables
/// (home pages, the notification and placement lists, the MASH queue, the missing
/// lists, the Admin page) do not scroll sideways: wide tables scroll in their own region.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_reflow_at_320_pixels() {
    if !browser_available() {
        return;
    }
    let mut rig = Rig::start().await;
    let b = rig.browser().await;
    b.client.set_window_size(320, 900).await.expect("a narrow window");
    let pages: [(&str, &[&str]); 5] = [
        ("health-lead@example.org", &["/", "/notifications", "/notifications?state=waiting"]),
        ("notification-officer@example.org", &["/", "/placements"]),
        ("mash-worker@example.org", &["/", "/mash"]),
        ("missing-officer@example.org", &["/", "/missing", "/missing/new"]),
        ("administrator@example.org", &["/admin"]),
    ];
    for (email, paths) in pages {
        b.sign_in(email).await;
        for path in paths {
            b.goto(path).await;
            let widths =
                b.client.execute("return [document.documentElement.scrollWidth, window.innerWidth]", vec![]).await.expect("measure the page");
            let scroll = widths[0].as_u64().unwrap_or(u64::MAX);
            let inner = widths[1].as_u64().unwrap_or(0);
            assert!(inner <= 320, "the window is 320 pixels wide ({inner})");
            assert!(scroll <= 320, "{email} {path}: the page is {scroll} pixels wide at 320");
        }
        b.sign_out().await;
    }
    b.quit().await;
    rig.finish().await;
}
