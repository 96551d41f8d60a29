//! A resident on the public site in a real browser, with JavaScript off and the
//! keyboard only (Tab to a link, Enter to follow it): from the public home page to a
//! committee, one of its meetings with approved minutes (the agenda pack offered, a
//! decision read), then to what the committee was told about a recommendation's
//! progress. No sign-in anywhere.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`; `ASSURE_SKIP_BROWSER=1` skips.
//! Runs on SQLite with the demo loaded. Screenshots go to /tmp/assure-shots.

mod browser_rig;

use assure_domain::dates::long;
use assure_domain::meetings::MeetingStatus;
use browser_rig::*;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;

async fn key(b: &Browser, k: Key) {
    let actions = KeyActions::new("keyboard".into()).then(KeyAction::Down { value: k.into() }).then(KeyAction::Up { value: k.into() });
    b.client.perform_actions(actions).await.expect("press a key");
}

/// Press Tab until a link whose text starts with `text` has the focus, then Enter; the
/// next page has loaded when this returns.
async fn tab_and_enter(b: &Browser, text: &str) {
    let before = b.url().await;
    for _ in 0..400 {
        key(b, Key::Tab).await;
        let focused = b.client.active_element().await.expect("the focused element");
        let shown = focused.text().await.unwrap_or_default();
        if focused.tag_name().await.unwrap_or_default() == "a" && shown.trim().starts_with(text) {
            key(b, Key::Enter).await;
            for _ in 0..100 {
                if b.url().await != before {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!("following {text:?} from {before} went nowhere");
        }
    }
    panic!("no link {text:?} could be reached with the Tab key on {before}\n{}", b.body_text().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_finds_a_meeting_reads_a_decision_and_a_recommendations_progress_by_keyboard() {
    if !browser_available() {
        return;
    }
    let mut rig = Rig::start().await;
    let store = rig.db.as_ref().expect("the demo database").store.clone();
    // What the committee was told: a monitoring report issued for its meeting.
    let a = assure_storage::Actor::system();
    let rec = assure_storage::testing::scrutiny_recommendation(&store).await;
    let input =
        assure_storage::reports::ReportInput { review_id: Some(rec.review_id), body_id: None, meeting_date: Some(store.today()), layout: None };
    let report = store.reports().create(&a, &input).await.unwrap();
    store.reports().issue(&a, report, 1, store.today()).await.unwrap();
    let approved = store
        .meetings()
        .list(None)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.status == MeetingStatus::MinutesApproved)
        .expect("the demo has approved minutes");

    let b = rig.browser_without_javascript().await;
    b.goto("/public").await;
    b.assert_has("Committees and decisions").await;
    assert!(b.nav().await.iter().any(|n| n == "Committees"), "the public menu");
    tab_and_enter(&b, "Committees").await;
    assert_eq!(b.path().await, "/public/committees");
    tab_and_enter(&b, &approved.body_name).await;
    b.assert_has("Members").await;
    // The committee's page opens on its latest year with meetings; the meeting is in it
    // or a year link away.
    if !b.body_text().await.contains(&long(approved.date)) {
        tab_and_enter(&b, &approved.year.label()).await;
    }
    tab_and_enter(&b, &long(approved.date)).await;
    assert_eq!(b.path().await, format!("/public/meetings/{}", approved.id));
    b.assert_has("Minutes and decisions").await;
    b.assert_has("RESOLVED:").await;
    b.assert_has("The agenda pack").await;
    assert_eq!(b.count("a[href$='/agenda-pack/docx']").await, 1, "the pack is offered");
    b.screenshot("public-meeting").await;

    tab_and_enter(&b, "Recommendations").await;
    assert_eq!(b.path().await, "/public/recommendations");
    tab_and_enter(&b, "Monitoring report for the meeting of").await;
    assert_eq!(b.path().await, format!("/public/reports/{report}"));
    b.assert_has("Latest progress reported").await;
    b.assert_has(&format!("Progress on recommendations arising from the {}", rec.review_title)).await;
    b.assert_lacks("Sign out").await;
    b.screenshot("public-report").await;
    b.quit().await;
    rig.finish().await;
}
