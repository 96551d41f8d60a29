//! Issue 15's page-level parts over HTTP, on SQLite and PostgreSQL: home pages that say
//! what is waiting for each pathway role (how many, the oldest, a link to the list, a
//! trend chart with its figures as a table); the long lists a page at a time with
//! filters and their count; wide tables in scroll regions; and the fixes a person
//! notices (one current menu item, the Admin page, the phase banner, labels by job,
//! the error summary focused and complete, no skipped heading, no blank answers).

mod common;

use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use axum::http::StatusCode;
use common::{demo_app, Client, Resp};

async fn signed_in(app: &axum::Router, email: &str) -> Client {
    let mut c = Client::new(app.clone());
    c.sign_in(email).await;
    c
}

/// Text as the pages write it (maud escapes these).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The href of a page's Next (or Previous) link, if it has one.
fn pager_link(body: &str, rel: &str) -> Option<String> {
    let at = body.find(&format!("rel=\"{rel}\""))?;
    let start = body[..at].rfind("href=\"")? + 6;
    let end = start + body[start..].find('"')?;
    Some(body[start..end].replace("&amp;", "&"))
}

/// The children linked from a list's rows (`/children/{id}/placements`), in order.
fn placement_rows(r: &Resp) -> usize {
    r.body.matches("/placements\">").count()
}

/// The number a list's caption gives, from "<n> notification(s) ...".
fn caption_count(r: &Resp) -> i64 {
    let marker = "app-table__caption app-table__caption--m\">";
    let at = r.body.find(marker).unwrap_or_else(|| panic!("a caption in {}", r.body)) + marker.len();
    r.body[at..].split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("a count in the caption: {}", &r.body[at..at + 80]))
}

async fn each_home_page_says_what_is_waiting(db: &TestDb) {
    let app = demo_app(db).await;
    let today = db.store.today();

    // The health lead: the notifications waiting for the team, how many, and the oldest.
    let reader = testing::reader(&db.store, "health-lead@example.org").await;
    let waiting = db.store.waiting(&reader).notifications(today).await.unwrap();
    assert!(waiting.count >= 100, "the demo's notifications wait for the health lead ({})", waiting.count);
    let oldest = waiting.oldest.clone().unwrap();
    let mut health = signed_in(&app, "health-lead@example.org").await;
    let home = health.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.has("Waiting for you") && home.has("Placement notifications to acknowledge"), "{}", home.body);
    assert!(home.has(&format!("<span class=\"app-waiting__number\">{}</span>", waiting.count)), "the number waiting");
    assert!(home.has(&esc(&oldest.child_name)) && home.has(&format!("/children/{}/placements", oldest.child_id)), "the oldest, linked");
    assert!(home.has("href=\"/notifications?state=waiting\""), "the card links to the list of those waiting");
    // Named by what they do, not "(Practitioner)".
    assert!(home.has("Dr Anita Mensah (Designated nurse for looked-after children)") && !home.has("(Practitioner)"));
    // The list the card links to counts the same, oldest first.
    let list = health.get("/notifications?state=waiting").await;
    assert_eq!(caption_count(&list), waiting.count);
    let first_row = list.body.find("/placements\">").expect("a row");
    assert!(list.body[..first_row].ends_with(&format!("/children/{}", oldest.child_id)), "the oldest comes first");

    // The education lead and the missing-from-home officer: labelled by their jobs too.
    let mut education = signed_in(&app, "education-lead@example.org").await;
    let home = education.get("/").await;
    assert!(home.has("(Virtual school head)") && home.has("Placement notifications to acknowledge") && !home.has("(Practitioner)"));
    let mut missing = signed_in(&app, "missing-officer@example.org").await;
    let home = missing.get("/").await;
    assert!(home.has("(Missing from home coordinator)") && !home.has("(Practitioner)"));
    assert!(home.has("Return interviews to offer") && home.has("href=\"/missing#to-offer\""), "{}", home.body);
    let r = missing.get("/missing").await;
    assert!(r.has("id=\"to-offer\"") && r.has("Return interviews to offer, the first due first"));

    // The MASH worker: the queue, and referrals by month as a chart with its table.
    let mash_reader = testing::reader(&db.store, "mash-worker@example.org").await;
    let queued = db.store.waiting(&mash_reader).mash_referrals().await.unwrap();
    let mut mash = signed_in(&app, "mash-worker@example.org").await;
    let home = mash.get("/").await;
    assert!(home.has("Referrals waiting in the MASH queue") && home.has("href=\"/mash\""));
    assert!(home.has(&format!("<span class=\"app-waiting__number\">{}</span>", queued.count)));
    if let Some(o) = &queued.oldest {
        assert!(home.has(&format!("/children/{}/referrals/{}", o.child_id, o.item_id)), "the oldest referral, linked");
    }
    assert!(home.has("Referrals raised each month") && home.has("role=\"img\"") && home.has("<desc id=\"trend-desc\">"));
    assert!(home.has("The figures as a table") && home.body.matches("scope=\"row\"").count() == 12, "twelve months as a table");
    assert!(!home.has("<script"), "no script");

    // A co-chair: plan actions due and the next panel; police: children without a flag.
    let mut chair = signed_in(&app, "macse-co-chair@example.org").await;
    let home = chair.get("/").await;
    assert!(home.has("Plan actions due in the next 14 days"), "{}", home.body);
    assert!(home.has("Free half-hour slots at the next MACSE panel") || home.has("No MACSE panel is scheduled"));
    assert!(home.has("MACSE children without a police CSE flag") && home.has("href=\"/police/flags\""));
    // The plan actions card links to the list of those actions, which counts the same.
    assert!(home.has("href=\"/plans/actions-due\""));
    let chair_reader = testing::reader(&db.store, "macse-co-chair@example.org").await;
    let due = db.store.waiting(&chair_reader).plan_actions(today).await.unwrap();
    let list = chair.get("/plans/actions-due").await;
    assert_eq!(list.status, StatusCode::OK);
    if due.count == 0 {
        assert!(list.has("No plan actions are due in the next 14 days"));
    } else {
        assert!(
            list.has(&format!(">{} action", due.count)) && list.has(&format!("/children/{}/plan", due.oldest.unwrap().child_id)),
            "{}",
            list.body
        );
    }
    // The analyst sees no police-only action: never more than the co-chair.
    let analyst_reader = testing::reader(&db.store, "cse-analyst@example.org").await;
    assert!(db.store.waiting(&analyst_reader).plan_actions(today).await.unwrap().count <= due.count);
    let mut police = signed_in(&app, "police-cse-officer@example.org").await;
    assert!(police.get("/").await.has("MACSE children without a police CSE flag"));

    // A SPOC: the referrals the MASH returned to their agency, to acknowledge.
    let mut spoc = signed_in(&app, "spoc@example.org").await;
    let home = spoc.get("/").await;
    assert!(home.has("Referrals returned to you to acknowledge") && home.has("href=\"/spoc\""), "{}", home.body);

    // A practitioner with no queue of their own is not shown empty cards.
    let mut practitioner = signed_in(&app, "practitioner-2@example.org").await;
    let home = practitioner.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.has("Referrals waiting in the MASH queue"));
}
on_both_engines!(home_pages, each_home_page_says_what_is_waiting, demo = crate::common::password_hash());

async fn long_lists_come_a_page_at_a_time_and_filter_on_the_server(db: &TestDb) {
    let app = demo_app(db).await;
    let mut health = signed_in(&app, "health-lead@example.org").await;
    // The queue: one page of fifty, the count of all, a Next link, a table that scrolls in its own region.
    let first = health.get("/notifications").await;
    assert_eq!(first.status, StatusCode::OK);
    let all = caption_count(&first);
    assert!(all > 50, "the demo's two hundred ({all})");
    assert_eq!(placement_rows(&first), 50, "one page");
    assert!(first.has("class=\"app-table-scroll\" role=\"region\" aria-label=\"Notifications for your teams\" tabindex=\"0\""));
    let next = pager_link(&first.body, "next").expect("a next page");
    let second = health.get(&next).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(placement_rows(&second) > 0 && pager_link(&second.body, "prev").is_some());
    assert_ne!(
        first.body.find("/placements\">").map(|i| &first.body[i - 30..i]),
        second.body.find("/placements\">").map(|i| &second.body[i - 30..i])
    );
    // Filters narrow it, and the count says by how much; the pager keeps them.
    let knowsley = health.get("/notifications?authority=Knowsley").await;
    let k = caption_count(&knowsley);
    assert!(k > 0 && k < all, "Knowsley's {k} of {all}");
    assert!(!knowsley.has("<td class=\"app-table__cell\">Wirral</td>"));
    let week = health.get("/notifications?period=7").await;
    assert!(caption_count(&week) < all);
    let paged = health.get("/notifications?state=waiting").await;
    if let Some(n) = pager_link(&paged.body, "next") {
        assert!(n.contains("state=waiting") && n.contains("cursor="), "{n}");
    }
    // An acknowledgement moves a line from waiting to acknowledged, and comes back to the filtered list.
    let waiting_before = caption_count(&paged);
    let acknowledged_before = {
        let r = health.get("/notifications?state=acknowledged").await;
        if r.has("match these filters") {
            0
        } else {
            caption_count(&r)
        }
    };
    let line: i64 = {
        let at = paged.body.find("action=\"/notifications/").unwrap() + "action=\"/notifications/".len();
        paged.body[at..].split('/').next().unwrap().parse().unwrap()
    };
    let t = health.csrf().await;
    let r = health.post_form(&format!("/notifications/{line}/acknowledge"), &[("_csrf", &t), ("state", "waiting")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/notifications?state=waiting&notice="), "{}", r.location());
    assert_eq!(caption_count(&health.get("/notifications?state=waiting").await), waiting_before - 1);
    assert_eq!(caption_count(&health.get("/notifications?state=acknowledged").await), acknowledged_before + 1);
    // Something not offered reads as no filter, not an error.
    assert_eq!(health.get("/notifications?state=everything&period=99&authority=Gotham&cursor=zz").await.status, StatusCode::OK);

    // The placement notification officer's list of every notification: the same.
    let mut officer = signed_in(&app, "notification-officer@example.org").await;
    let list = officer.get("/placements").await;
    assert_eq!(list.status, StatusCode::OK);
    let every = caption_count(&list);
    assert!(every >= 200 && placement_rows(&list) >= 50, "{every}");
    assert!(pager_link(&list.body, "next").is_some());
    assert!(list.has("class=\"app-table-scroll\" role=\"region\""));
    let knowsley = officer.get("/placements?authority=Knowsley").await;
    assert!(caption_count(&knowsley) < every && pager_link(&knowsley.body, "next").is_none_or(|n| n.contains("authority=Knowsley")));
    let acknowledged = officer.get("/placements?state=acknowledged").await;
    let waiting = officer.get("/placements?state=waiting").await;
    let count = |r: &Resp| if r.has("match these filters") { 0 } else { caption_count(r) };
    assert_eq!(count(&acknowledged) + count(&waiting), every, "acknowledged by every team, or not");

    // The MASH queue's table scrolls in its own region too.
    let mut mash = signed_in(&app, "mash-worker@example.org").await;
    let q = mash.get("/mash").await;
    assert!(q.has("There are no referrals waiting") || q.has("class=\"app-table-scroll\" role=\"region\" aria-label=\"Referrals waiting\""));
}
on_both_engines!(long_lists, long_lists_come_a_page_at_a_time_and_filter_on_the_server, demo = crate::common::password_hash());

async fn the_fixes_a_person_notices(db: &TestDb) {
    let app = demo_app(db).await;
    // One menu item is the current page on /missing/new.
    let mut missing = signed_in(&app, "missing-officer@example.org").await;
    let form = missing.get("/missing/new").await;
    assert_eq!(form.body.matches("aria-current=\"page\"").count(), 1);
    assert!(form.has("href=\"/missing/new\" aria-current=\"page\""));
    assert_eq!(missing.get("/missing").await.body.matches("aria-current=\"page\"").count(), 1);
    // The phase banner.
    assert!(form.has("app-phase-banner") && form.has(">Beta<") && form.has("This is a new service"));
    // A child's missing page: headings step down one level at a time; no blank answers.
    let lists = missing.get("/missing").await;
    if let Some(at) = lists.body.find("/missing#episode-") {
        let start = lists.body[..at].rfind("href=\"").unwrap() + 6;
        let child = missing.get(&lists.body[start..at + "/missing".len()]).await;
        assert_eq!(child.status, StatusCode::OK);
        assert!(!child.has("<h4"), "no h4 straight after an h2");
        assert!(!child.has("<dd class=\"app-summary-list__value\"></dd>"), "no blank answers");
    }

    // The administrator's menu: one Admin item, current on every admin section; the
    // Admin page links to each section, and every section keeps its path.
    let mut admin = signed_in(&app, "administrator@example.org").await;
    let home = admin.get("/").await;
    assert!(home.has("href=\"/admin\"") && !home.has("href=\"/admin/users\"") && !home.has("href=\"/partnership/agencies\""));
    let page = admin.get("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    for p in ["/admin/users", "/admin/tokens", "/admin/audit", "/admin/settings", "/admin/mail", "/admin/emergency-access", "/partnership/agencies"] {
        assert!(page.has(&format!("href=\"{p}\"")), "{p}");
        let r = admin.get(p).await;
        assert_eq!(r.status, StatusCode::OK, "{p}");
        assert!(r.has("href=\"/admin\" aria-current=\"page\""), "{p}: Admin is the current item");
    }
    // The partnership manager keeps the partnership's sections in the menu and has no Admin page.
    let mut manager = signed_in(&app, "partnership-manager@example.org").await;
    let home = manager.get("/").await;
    assert!(home.has("href=\"/partnership/agencies\"") && !home.has("href=\"/admin\""));
    assert_eq!(manager.get("/admin").await.status, StatusCode::FORBIDDEN);

    // Focused header links are black on yellow.
    let css = admin.get("/assets/assure.css").await;
    assert!(css.has(".app-header a.app-header__nav-link:focus") && css.has("color: var(--app-focus-text);"));

    // A review's form: every problem at once (an unreadable date, a body not on the list,
    // no kind and no title), in an error summary that takes focus as the page loads.
    let mut officer = signed_in(&app, "scrutiny-officer@example.org").await;
    let t = officer.get("/reviews/new").await.csrf();
    let r = officer
        .post_form("/reviews", &[("_csrf", &t), ("title", ""), ("start_date", "31/02/2017"), ("origin_body_id", "999999"), ("referral_date", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for m in ["Select the kind of review", "Enter the title of the review", "The start date must be a real date", "Select a body from the list"] {
        assert!(r.has(m), "{m}: {}", r.body);
    }
    assert!(r.has("id=\"error-summary\" autofocus"), "the summary takes focus with no script");
}
on_both_engines!(fixes, the_fixes_a_person_notices, demo = crate::common::password_hash());
