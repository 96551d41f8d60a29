//! The missing episode pages over HTTP, on SQLite and PostgreSQL: a school practitioner
//! records an episode for a new child, records the return and a return interview with a
//! CSE link, and the child's referrals show the MACSE referral it made; an end before
//! the start and an overlapping episode are refused with nothing saved; a practitioner
//! from an uninvolved school is refused the child's missing page, and the refusal audited.

mod common;

use assure_domain::partnership::Viewer;
use assure_storage::audit::AuditFilter;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use axum::http::StatusCode;
use chrono::Duration;
use common::{demo_app, mash_record, Client};

async fn viewer(db: &TestDb, email: &str) -> Viewer {
    let (u, _) = db.store.users().by_email(email).await.unwrap().unwrap();
    db.store.partnership().viewer(u.id).await.unwrap().unwrap()
}

fn at(days_ago: i64, hour: u32) -> String {
    (assure_domain::Clock::system().local_now() - Duration::days(days_ago))
        .date()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

async fn episodes_of(db: &TestDb, child: i64) -> usize {
    mash_record(db, child).await.episodes().await.unwrap().len()
}

async fn an_episode_its_interview_and_the_macse_referral(db: &TestDb) {
    let app = demo_app(db).await;
    let mut teacher = Client::new(app.clone());
    teacher.sign_in("practitioner@example.org").await;
    let form = teacher.get("/missing/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has("Record a missing episode") && form.has("name=\"risk_grading\""));
    let t = form.csrf();
    let start = at(6, 20);
    let end = at(5, 9);

    // An end before the start: 422, nothing saved (not even the new child).
    let mash = viewer(db, "mash-worker@example.org").await;
    let before = assure_storage::testing::children_in_reach(&db.store, &mash, None, 1000, 0).await.1;
    let base = [
        ("_csrf", t.as_str()),
        ("child", "new"),
        ("first_name", "Mia"),
        ("last_name", "Quarry"),
        ("date_of_birth", "06/05/2010"),
        ("missing_from", "care"),
        ("police_reference", "MP/123"),
        ("risk_grading", "medium"),
    ];
    let mut bad: Vec<(&str, &str)> = base.to_vec();
    bad.extend([("start", end.as_str()), ("end", start.as_str()), ("where_found", "Town centre")]);
    let r = teacher.post_form("/missing/new", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("must be after the time they went missing") && r.has("href=\"#end\"") && r.has("value=\"Quarry\""));
    assert_eq!(assure_storage::testing::children_in_reach(&db.store, &mash, None, 1000, 0).await.1, before, "no child saved");
    // An unreadable time is named too.
    let mut unreadable: Vec<(&str, &str)> = base.to_vec();
    unreadable.extend([("start", "last tuesday")]);
    let r = teacher.post_form("/missing/new", &unreadable).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("as a date and time"));

    // Still missing: recorded, then the child's missing page.
    let mut ok: Vec<(&str, &str)> = base.to_vec();
    ok.extend([("start", start.as_str())]);
    let r = teacher.post_form("/missing/new", &ok).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page_path = r.location().split('?').next().unwrap().to_string();
    let child: i64 = page_path.trim_start_matches("/children/").trim_end_matches("/missing").parse().unwrap();
    let page = teacher.get(&page_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Still missing") && page.has("The child was found or returned"));
    let ep = mash_record(db, child).await.episodes().await.unwrap().remove(0);

    // Overlap: another episode while this one is open is refused, nothing saved.
    let child_s = child.to_string();
    let later = at(2, 10);
    let overlap = [("_csrf", t.as_str()), ("child", child_s.as_str()), ("missing_from", "home"), ("start", later.as_str()), ("risk_grading", "low")];
    let r = teacher.post_form("/missing/new", &overlap).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("already has a missing episode"));
    assert_eq!(episodes_of(db, child).await, 1);

    // The return: an end before the start is 422 on the child's page; then recorded; stale is 409.
    let end_path = format!("/children/{child}/missing/{}/end", ep.id);
    let v = ep.version.to_string();
    let r = teacher
        .post_form(&end_path, &[("_csrf", t.as_str()), ("version", v.as_str()), ("end", at(7, 9).as_str()), ("where_found", "Bus station")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has(&format!("href=\"#end-{}-end\"", ep.id)));
    let r =
        teacher.post_form(&end_path, &[("_csrf", t.as_str()), ("version", v.as_str()), ("end", end.as_str()), ("where_found", "Bus station")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r =
        teacher.post_form(&end_path, &[("_csrf", t.as_str()), ("version", v.as_str()), ("end", end.as_str()), ("where_found", "Bus station")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // An episode of another child is not found through this child.
    assert_eq!(
        teacher.post_form(&format!("/children/{}/missing/{}/end", child + 1000, ep.id), &[("_csrf", t.as_str()), ("version", "1")]).await.status,
        StatusCode::NOT_FOUND
    );

    // The return interview with a CSE link: routed to MACSE, and the referral is there.
    let offered = at(4, 15);
    let interview_path = format!("/children/{child}/missing/{}/interview", ep.id);
    let fields = [
        ("_csrf", t.as_str()),
        ("offered_at", offered.as_str()),
        ("response", "accepted"),
        ("provider", "Independent Return Interviews Ltd"),
        ("interviewer", "A. Worker"),
        ("where_and_with_whom", "A flat with older men"),
        ("said_about_cse", "Was given alcohol and a phone by older men"),
        ("follow_up_actions", "Safety plan"),
        ("finding", "cse"),
    ];
    let r = teacher.post_form(&interview_path, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = teacher.get(&page_path).await;
    assert!(page.has("MACSE panel") && page.has("MACSE referral"));
    let refs = teacher.get(&format!("/children/{child}/referrals")).await;
    assert_eq!(refs.status, StatusCode::OK);
    assert!(refs.has("A return interview after a missing episode") && refs.has("MACSE"));
    let referral = mash_record(db, child).await.referrals().await.unwrap().remove(0);
    let shown = teacher.get(&format!("/children/{child}/referrals/{}", referral.id)).await;
    assert!(shown.has("CSE link in the return interview of a missing episode") && shown.has("Not screened"));

    // The group's lists show the child to the school, and never to practitioner 2.
    // (The month the episode started in: six days ago may be last month.)
    let month_path = format!("/missing?month={}", &start[..7]);
    let lists = teacher.get(&month_path).await;
    assert_eq!(lists.status, StatusCode::OK);
    assert!(lists.has("Mia Quarry"));
    let bad_month = teacher.get("/missing?month=1999-01").await;
    assert_eq!(bad_month.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_month.has("Choose a month from the list") && bad_month.has("href=\"#month\""));
    let mut other = Client::new(app.clone());
    other.sign_in("practitioner-2@example.org").await;
    let theirs = other.get(&month_path).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.has("Mia Quarry"));
    // The child's missing page: for practitioner 2 no such child (404, as for a number that
    // is no child), and the attempt audited.
    let refused = |db: &TestDb| {
        let f = AuditFilter { action: Some("child.refused".into()), record_id: Some(child.to_string()), ..Default::default() };
        let store = db.store.clone();
        async move { store.audit().list(&f, 50, 0).await.unwrap().0.len() }
    };
    let n = refused(db).await;
    assert_eq!(other.get(&page_path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(refused(db).await, n + 1);
    let t2 = other.csrf().await;
    assert_eq!(other.post_form(&interview_path, &[("_csrf", t2.as_str())]).await.status, StatusCode::NOT_FOUND);

    // Pattern rules: the partnership manager may edit them, a practitioner may not; a rule set with nothing for CSE is refused.
    assert_eq!(teacher.get("/partnership/pattern-rules").await.status, StatusCode::FORBIDDEN);
    let mut manager = Client::new(app.clone());
    manager.sign_in("partnership-manager@example.org").await;
    let rules = manager.get("/partnership/pattern-rules").await;
    assert_eq!(rules.status, StatusCode::OK);
    let mt = rules.csrf();
    let r = manager
        .post_form("/partnership/pattern-rules", &[("_csrf", mt.as_str()), ("version", "1"), ("rule", "organised-crime-link:guns-and-gangs")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("href=\"#trigger.cse-link\""));
    let all = [
        ("_csrf", mt.as_str()),
        ("version", "1"),
        ("rule", "cse-link:macse"),
        ("rule", "cse-link:missing-monitoring-group"),
        ("rule", "organised-crime-link:guns-and-gangs"),
        ("rule", "placement-concern:cicola"),
        ("rule", "repeated:missing-monitoring-group"),
    ];
    assert_eq!(manager.post_form("/partnership/pattern-rules", &all).await.status, StatusCode::SEE_OTHER);
    assert_eq!(manager.post_form("/partnership/pattern-rules", &all).await.status, StatusCode::CONFLICT);
    assert_eq!(db.store.pattern_rules().current().await.unwrap().version, 2);
}
on_both_engines!(missing_pages, an_episode_its_interview_and_the_macse_referral, demo = crate::common::password_hash());

async fn post(c: &mut Client, f: Vec<(&'static str, String)>) -> common::Resp {
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.post_form("/missing/new", &pairs).await
}

/// The GOV.UK date input with its time box, as a browser sends it: the part that is wrong
/// is named, what was typed is kept, a blank optional moment stays blank, and a whole
/// one is saved.
async fn times_in_the_gov_uk_date_input(db: &TestDb) {
    let app = demo_app(db).await;
    let mut teacher = Client::new(app.clone());
    teacher.sign_in("practitioner@example.org").await;
    let form = teacher.get("/missing/new").await;
    for name in ["start-day", "start-month", "start-year", "start-time", "end-day", "end-time"] {
        assert!(form.has(&format!("name=\"{name}\"")), "{name}");
    }
    assert!(!form.has("datetime-local"), "no browser date picker");
    let t = form.csrf();
    let went = common::today() - chrono::Duration::days(3);
    let (day, month, year) = (went.format("%-d").to_string(), went.format("%-m").to_string(), went.format("%Y").to_string());
    let base = vec![
        ("_csrf", t.clone()),
        ("child", "new".into()),
        ("first_name", "Ria".into()),
        ("last_name", "Datepart".into()),
        ("estimated_age", "14".into()),
        ("missing_from", "home".into()),
        ("risk_grading", "medium".into()),
        ("end-day", String::new()),
        ("end-month", String::new()),
        ("end-year", String::new()),
        ("end-time", String::new()),
    ];
    let send = |start: [&str; 4]| {
        let mut f = base.clone();
        f.extend([
            ("start-day", start[0].to_string()),
            ("start-month", start[1].to_string()),
            ("start-year", start[2].to_string()),
            ("start-time", start[3].to_string()),
        ]);
        f
    };
    let r = post(&mut teacher, send([&day, "", &year, "21:30"])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("The time the child went missing must include a month"), "{}", r.body);
    assert!(r.has("value=\"21:30\"") && r.has(&format!("value=\"{year}\"")), "what was typed is kept");
    assert!(r.has("href=\"#start\""), "the summary links to the day box");
    let r = post(&mut teacher, send([&day, &month, &year, "25:99"])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("the time must be a real time on the 24-hour clock"), "{}", r.body);
    let r = post(&mut teacher, send([&day, &month, &year, ""])).await;
    assert!(r.has("must include a time"), "{}", r.body);
    let r = post(&mut teacher, send(["31", "2", &year, "10:00"])).await;
    assert!(r.has("must be a real date"), "{}", r.body);
    // Whole: saved, with the end left blank (still missing).
    let r = post(&mut teacher, send([&day, &month, &year, "21:30"])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let child: i64 = r.location().split('?').next().unwrap().trim_start_matches("/children/").trim_end_matches("/missing").parse().unwrap();
    let ep = mash_record(db, child).await.episodes().await.unwrap().remove(0);
    assert_eq!(ep.started_at, went.and_hms_opt(21, 30, 0).unwrap());
    assert!(ep.ended_at.is_none());
}
on_both_engines!(gov_uk_times, times_in_the_gov_uk_date_input, demo = crate::common::password_hash());

/// The part of a page between `from` and the next `to` (empty when absent).
fn section<'a>(body: &'a str, from: &str, to: &str) -> &'a str {
    let Some(start) = body.find(from) else { return "" };
    let rest = &body[start..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

/// The missing children's lists show 50 at a time: with 55 more return interviews to
/// offer, the list's Next links (which keep the page's other lists on their first page)
/// walk it to its end, every child of those 55 once, and each later page links back.
async fn the_lists_are_paged(db: &TestDb) {
    use assure_domain::missing::{MissingFrom, RiskGrading};
    use assure_storage::children::ChildInput;
    use assure_storage::missing::EpisodeInput;
    use assure_storage::referrals::ChildRef;
    let app = demo_app(db).await;
    let mash = assure_storage::testing::reader(&db.store, "mash-worker@example.org").await;
    let now = db.store.clock().local_now();
    for n in 0..55 {
        let child = ChildInput { first_name: "Paged".into(), last_name: format!("Number{n}x"), estimated_age: Some(14), ..Default::default() };
        let start = now - Duration::minutes(2 * n + 3);
        let input = EpisodeInput {
            child: Some(ChildRef::New(child)),
            missing_from: Some(MissingFrom::Home),
            started_at: Some(start),
            ended_at: Some(start + Duration::minutes(1)),
            where_found: "Returned home".into(),
            police_reference: String::new(),
            risk_grading: Some(RiskGrading::Low),
        };
        db.store.missing(&mash).record_episode(&input).await.unwrap();
    }
    let mut c = Client::new(app);
    c.sign_in("mash-worker@example.org").await;
    let mut seen = vec![0; 55];
    let mut path = "/missing".to_string();
    let mut pages = 0;
    loop {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.has("Return interviews to offer (") && r.has("Each list shows 50 at a time"));
        let list = section(&r.body, "<section id=\"to-offer\"", "</section>");
        for (n, count) in seen.iter_mut().enumerate() {
            *count += list.matches(&format!("Paged Number{n}x<")).count();
        }
        assert_eq!(list.contains("rel=\"prev\""), pages > 0, "{path}: a Previous link on every page but the first");
        pages += 1;
        let next = section(list, "<div class=\"app-pagination__next\">", "</div>");
        let Some(href) = next.split("href=\"").nth(1).and_then(|h| h.split('"').next()) else { break };
        path = href.replace("&amp;", "&");
        assert!(path.starts_with("/missing?month=") && path.contains("&list=to-offer&cursor=") && path.ends_with("#to-offer"), "{path}");
        path.truncate(path.find('#').unwrap());
    }
    assert!(pages >= 2, "55 more than a page");
    assert_eq!(seen, vec![1; 55], "every one of the 55 once");
}
on_both_engines!(paged_lists, the_lists_are_paged, demo = crate::common::password_hash());
