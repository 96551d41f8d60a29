//! The pathway routes added for issue 15 over HTTP, on SQLite and PostgreSQL: the
//! police sources on the concern form, the MARAC route (recording with the GOV.UK date
//! input, every problem at once, the MASH's CSE review and the referral to MACSE),
//! police flag coverage of every child at risk, and SPOC monitoring with challenges.

mod common;

use assure_domain::partnership::Section;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use axum::http::StatusCode;
use chrono::Datelike;
use common::{demo_app, Client};

/// A demo child by name.
async fn child_named(db: &TestDb, first: &str, last: &str) -> i64 {
    let every = testing::reader(&db.store, "mash-worker@example.org").await;
    let (found, _) = testing::children_in_reach(&db.store, every.viewer(), Some(last), 50, 0).await;
    found.into_iter().find(|c| c.first_name == first && c.last_name == last).unwrap_or_else(|| panic!("the demo has {first} {last}")).id
}

async fn signed_in(db: &TestDb, email: &str) -> Client {
    let mut c = Client::new(demo_app(db).await);
    c.sign_in(email).await;
    c
}

async fn police_accounts_record_the_999_and_reported_concerns(db: &TestDb) {
    let mut officer = signed_in(db, "police-cse-officer@example.org").await;
    let form = officer.get("/referrals/new").await;
    assert_eq!(form.status, StatusCode::OK);
    for s in [
        "value=\"police-101\"",
        "value=\"police-999\"",
        "value=\"reported-to-police\"",
        "value=\"taxi-or-private-hire-driver\"",
        "Who reported it to police?",
    ] {
        assert!(form.has(s), "{s}");
    }
    let mut teacher = signed_in(db, "practitioner@example.org").await;
    let form = teacher.get("/referrals/new").await;
    assert!(!form.has("police-999") && !form.has("reported-to-police"), "only police accounts see the police sources");
    // The demo's taxi driver's report is on the MASH queue and says who reported it.
    let mut mash = signed_in(db, "mash-worker@example.org").await;
    let leah = child_named(db, "Leah", "Morgan").await;
    let q = mash.get("/mash").await;
    assert!(q.has("Police: a concern from the public or a taxi driver reported to police") && q.has("Leah Morgan"), "{}", q.body);
    let rid = common::record_as(db, "mash-worker@example.org", leah, Section::Concerns).await.referrals().await.unwrap()[0].id;
    let page = mash.get(&format!("/children/{leah}/referrals/{rid}")).await;
    assert!(page.has("Reported to police by") && page.has("A taxi or private-hire driver"));
}
on_both_engines!(police_sources, police_accounts_record_the_999_and_reported_concerns);

async fn the_marac_route(db: &TestDb) {
    let mut mash = signed_in(db, "mash-worker@example.org").await;
    let leah = child_named(db, "Leah", "Morgan").await;
    let kieran = child_named(db, "Kieran", "Doyle").await;
    // The demo's MARAC referral waits on the MASH queue and in the child's record.
    let q = mash.get("/mash").await;
    assert!(q.has("MARAC referrals awaiting a CSE review") && q.has(&format!("/children/{leah}/marac/")), "{}", q.body);
    let record = mash.get(&format!("/children/{leah}")).await;
    assert!(record.has(&format!("/children/{leah}/marac")));
    let list = mash.get(&format!("/children/{leah}/marac")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.has("Awaiting a CSE review") && list.has("name=\"referred_on-day\"") && list.has("name=\"referred_on-year\""));
    let mid = common::record_as(db, "mash-worker@example.org", leah, Section::Concerns).await.marac_referrals().await.unwrap()[0].id;
    let page = mash.get(&format!("/children/{leah}/marac/{mid}")).await;
    assert!(page.has("Record the CSE review") && page.has("value=\"cse-concern\""));
    let t = page.csrf();

    // Every problem at once; nothing saved.
    let r = mash.post_form(&format!("/children/{leah}/marac/{mid}/review"), &[("_csrf", &t), ("version", "1")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select the outcome of the CSE review") && r.has("Enter the reasons for the outcome"), "{}", r.body);
    assert!(r.has("href=\"#outcome\"") && r.has("href=\"#reasons\""));
    // Others may not review: the route's role, refused.
    let mut teacher = signed_in(db, "practitioner@example.org").await;
    let tt = teacher.csrf().await;
    let r = teacher
        .post_form(
            &format!("/children/{leah}/marac/{mid}/review"),
            &[("_csrf", &tt), ("version", "1"), ("outcome", "no-cse-concern"), ("reasons", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A school not involved with the young person: no such record.
    let mut other = signed_in(db, "practitioner-2@example.org").await;
    assert_eq!(other.get(&format!("/children/{leah}/marac")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/children/{leah}/marac/{mid}")).await.status, StatusCode::NOT_FOUND);

    // The review: a CSE concern refers her to MACSE.
    let r = mash
        .post_form(
            &format!("/children/{leah}/marac/{mid}/review"),
            &[
                ("_csrf", &t),
                ("version", "1"),
                ("outcome", "cse-concern"),
                ("reasons", "An older partner paying for taxis and gifts: CSE indicators."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let shown = mash.get(r.location()).await;
    assert!(shown.has("CSE review recorded: the young person is referred to MACSE") && shown.has("The referral decided for MACSE"), "{}", shown.body);
    assert!(!mash.get("/mash").await.has(&format!("/children/{leah}/marac/{mid}")), "off the queue");

    // Recording: the GOV.UK date input, an unreadable date and the rest at once.
    let t = mash.csrf().await;
    let r = mash
        .post_form(
            &format!("/children/{leah}/marac"),
            &[
                ("_csrf", &t),
                ("referred_on-day", "31"),
                ("referred_on-month", "2"),
                ("referred_on-year", "2026"),
                ("referred_by", ""),
                ("relationship", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("must be a real date") && r.has("Enter who referred") && r.has("Describe the abusive relationship"), "{}", r.body);
    assert!(r.has("href=\"#referred_on\"") && r.has("value=\"31\""), "the summary links to the day box, what was typed is kept");
    // A 15-year-old is not on the MARAC route.
    let today = common::today();
    let (d, m, y) = (today.day().to_string(), today.month().to_string(), today.year().to_string());
    let good = |who: &str| {
        vec![
            ("_csrf".to_string(), t.clone()),
            ("referred_on-day".into(), d.clone()),
            ("referred_on-month".into(), m.clone()),
            ("referred_on-year".into(), y.clone()),
            ("referred_by".into(), who.to_string()),
            ("relationship".into(), "Controlled by an older partner".to_string()),
        ]
    };
    let f = good("IDVA service");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = mash.post_form(&format!("/children/{kieran}/marac"), &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("aged 16 to 18: on that date this child was 15"), "{}", r.body);
    let r = mash.post_form(&format!("/children/{leah}/marac"), &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(mash.get(r.location()).await.has("MARAC referral recorded"));
    // A practitioner may record, but not for a child out of reach.
    let ot = other.csrf().await;
    let r = other.post_form(&format!("/children/{leah}/marac"), &[("_csrf", &ot)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
on_both_engines!(marac_route, the_marac_route);

async fn flag_coverage_shows_every_child_at_risk_and_the_macse_children(db: &TestDb) {
    let mut officer = signed_in(db, "police-cse-officer@example.org").await;
    let p = officer.get("/police/flags").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.has("All children at risk") && p.has("MACSE children") && p.has("The target for MACSE children is 100%"), "{}", p.body);
    let police = testing::reader(&db.store, "police-cse-officer@example.org").await;
    let cov = db.store.police(&police).flag_coverage().await.unwrap();
    assert!(cov.at_risk.total > cov.macse.total, "more children at risk than on MACSE");
    assert!(p.has(&format!("{}% of all children at risk flagged ({} of {})", cov.at_risk.percent(), cov.at_risk.flagged, cov.at_risk.total)));
    assert!(p.has(&format!("{}% of MACSE children flagged ({} of {})", cov.macse.percent(), cov.macse.flagged, cov.macse.total)));
    let mut mash = signed_in(db, "mash-worker@example.org").await;
    assert_eq!(mash.get("/police/flags").await.status, StatusCode::FORBIDDEN);
}
on_both_engines!(flag_coverage, flag_coverage_shows_every_child_at_risk_and_the_macse_children);

async fn spoc_monitoring_and_challenges(db: &TestDb) {
    let mut spoc = signed_in(db, "spoc@example.org").await;
    let page = spoc.get("/spoc/monitoring?period=12-months").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Use of the CSE forms") && page.has("Hillside High School") && page.has("Average for its kind"), "{}", page.body);
    assert!(page.has("Agencies that raised no forms") && page.has("Northway Primary School"));
    for name in ["Chloe", "Kieran", "Bennett", "Leah"] {
        assert!(!page.has(name), "no child is named: {name}");
    }
    assert!(spoc.get("/spoc").await.has("/spoc/monitoring"));
    // A period that is not one of the choices falls back to three months.
    assert_eq!(spoc.get("/spoc/monitoring?period=forever").await.status, StatusCode::OK);
    let t = page.csrf();
    let northway = db.store.partnership().agencies().await.unwrap().into_iter().find(|a| a.name == "Northway Primary School").unwrap().id;
    let hillside = db.store.partnership().agencies().await.unwrap().into_iter().find(|a| a.name == "Hillside High School").unwrap().id;
    // Every problem at once.
    let r = spoc.post_form("/spoc/challenges", &[("_csrf", &t)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select the agency you are challenging") && r.has("Select the period") && r.has("Enter the challenge"), "{}", r.body);
    let r = spoc.post_form("/spoc/challenges", &[("_csrf", &t), ("agency_id", "x"), ("period", "6-months"), ("challenge", "Why?")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = spoc
        .post_form("/spoc/challenges", &[("_csrf", &t), ("agency_id", &northway.to_string()), ("period", "6-months"), ("challenge", "Why?")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Select one of the agencies you are the SPOC for"));
    let r = spoc
        .post_form(
            "/spoc/challenges",
            &[("_csrf", &t), ("agency_id", &hillside.to_string()), ("period", "3-months"), ("challenge", "Only the DSL raises forms")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let shown = spoc.get(r.location()).await;
    assert!(shown.has("Challenge recorded against the agency") && shown.has("Only the DSL raises forms") && shown.has("Not yet recorded"));
    assert!(!shown.has("Northway Primary School has raised no CSE forms"), "another agency's challenges are not the SPOC's");
    let reader = testing::reader(&db.store, "spoc@example.org").await;
    let c = db.store.monitoring(&reader).challenges().await.unwrap().remove(0);
    let r =
        spoc.post_form(&format!("/spoc/challenges/{}/response", c.id), &[("_csrf", &t), ("version", &c.version.to_string()), ("response", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Enter the agency&#39;s response") || r.has("Enter the agency's response"), "{}", r.body);
    let r = spoc
        .post_form(
            &format!("/spoc/challenges/{}/response", c.id),
            &[("_csrf", &t), ("version", &c.version.to_string()), ("response", "All staff trained")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(spoc.get("/spoc/monitoring").await.has("All staff trained"));

    // The partnership manager sees every agency and the demo's challenges.
    let mut manager = signed_in(db, "partnership-manager@example.org").await;
    let all = manager.get("/spoc/monitoring").await;
    assert!(all.has("Every agency") && all.has("Licensing Service") && all.has("Northway Primary School has raised no CSE forms"), "{}", all.body);
    assert!(all.has("The head teacher is the named lead"));
    // Neither: told so, and refused a challenge.
    let mut teacher = signed_in(db, "practitioner@example.org").await;
    let p = teacher.get("/spoc/monitoring").await;
    assert!(p.status == StatusCode::OK && p.has("You are not the single point of contact"));
    let tt = p.csrf();
    let r = teacher
        .post_form("/spoc/challenges", &[("_csrf", &tt), ("agency_id", &hillside.to_string()), ("period", "3-months"), ("challenge", "x")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = teacher.post_form(&format!("/spoc/challenges/{}/response", c.id), &[("_csrf", &tt), ("version", "9"), ("response", "x")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A tracker account is not on the pathway at all.
    let mut admin = signed_in(db, "administrator@example.org").await;
    assert_eq!(admin.get("/spoc/monitoring").await.status, StatusCode::FORBIDDEN);
}
on_both_engines!(spoc_monitoring, spoc_monitoring_and_challenges);

async fn the_home_authority_must_attend_on_the_panel_page(db: &TestDb) {
    let mut analyst = signed_in(db, "cse-analyst@example.org").await;
    let tia = child_named(db, "Tia", "Campbell").await;
    let reader = testing::reader(&db.store, "cse-analyst@example.org").await;
    let panel =
        db.store.open_child(&reader, assure_storage::ChildKey::Child(tia), Section::PanelMinutes).await.unwrap().slots().await.unwrap()[0].panel_id;
    let page = analyst.get(&format!("/panels/{panel}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Knowsley Council (placing authority)") && page.has("Must attend"), "{}", page.body);
}
on_both_engines!(home_authority, the_home_authority_must_attend_on_the_panel_page);
