//! MACSE panels, plans and police pages over HTTP, on SQLite and PostgreSQL, one rule a
//! test: the analyst books slots, the co-chair makes a plan with a Prosecute action, the
//! police see it, and the school's SPOC and practitioners never do — on the page or in a
//! download.

mod common;

use assure_domain::partnership::{InvolvementKind, Scope, Section};
use assure_storage::children::ChildInput;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::Reader;
use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use common::{demo_app, docx_text, Client};
use tower::ServiceExt;

const SECRET_ACTION: &str = "Arrest and interview the suspect ZX9";
const SECRET_TALK: &str = "Intelligence on the suspect QV7";

async fn agency(db: &TestDb, name: &str) -> i64 {
    db.store.partnership().agencies().await.unwrap().into_iter().find(|a| a.name == name).unwrap().id
}

async fn child(db: &TestDb, first: &str, school: i64) -> i64 {
    let input = ChildInput { first_name: first.into(), last_name: "Testchild".into(), estimated_age: Some(14), ..Default::default() };
    let id = testing::new_child(&db.store, &input).await;
    testing::involve(&db.store, id, school, InvolvementKind::RaisedConcern, Scope::Agency, common::today()).await;
    id
}

/// The demo's CSE analyst, who sees every child (for reading back what the pages saved).
async fn everyone(db: &TestDb) -> Reader {
    testing::reader(&db.store, "cse-analyst@example.org").await
}

fn iso(days: i64) -> String {
    assure_domain::dates::numeric(common::today() + chrono::Duration::days(days))
}

/// A GET with the raw bytes of the answer (for DOCX).
async fn raw(c: &Client, path: &str) -> (StatusCode, Vec<u8>) {
    let cookies = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let resp = c.app.clone().oneshot(Request::get(path).header(header::COOKIE, cookies).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    (status, to_bytes(resp.into_body(), 64 * 1024 * 1024).await.unwrap().to_vec())
}

async fn audit(db: &TestDb, action: &str) -> Vec<assure_domain::audit::AuditEntry> {
    db.store.audit().list(&assure_storage::audit::AuditFilter { action: Some(action.into()), ..Default::default() }, 1000, 0).await.unwrap().0
}

/// The demo app, two children of Hillside's (Amy and Ben), a series of three panels in
/// the Town hall arranged by the analyst, and Amy booked on the first at 10:00.
struct Macse {
    app: axum::Router,
    hillside: i64,
    police: i64,
    kid: i64,
    other: i64,
    panel: i64,
    slot: i64,
    analyst: Client,
    t: String,
}

async fn macse(db: &TestDb) -> Macse {
    let app = demo_app(db).await;
    let hillside = agency(db, "Hillside High School").await;
    let police = agency(db, "Merseyside Police").await;
    let kid = child(db, "Amy", hillside).await;
    let other = child(db, "Ben", hillside).await;
    let mut analyst = Client::new(app.clone());
    analyst.sign_in("cse-analyst@example.org").await;
    let t = analyst.csrf().await;
    let r = analyst.post_form("/panels/series", &[("_csrf", &t), ("first", &iso(7)), ("until", &iso(40)), ("location", "Town hall")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let panel = town_hall_panels(db).await[0];
    let r = analyst
        .post_form(&format!("/panels/{panel}/slots"), &[("_csrf", &t), ("child_id", &kid.to_string()), ("starts_at", "10:00"), ("minutes", "30")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let slot = db.store.panels(&everyone(db).await).agenda(panel).await.unwrap()[0].id;
    Macse { app, hillside, police, kid, other, panel, slot, analyst, t }
}

async fn town_hall_panels(db: &TestDb) -> Vec<i64> {
    let all = db.store.panels(&everyone(db).await).list().await.unwrap();
    all.into_iter().filter(|p| p.panel.location == "Town hall").map(|p| p.panel.id).collect()
}

async fn signed_in(app: &axum::Router, email: &str) -> (Client, String) {
    let mut c = Client::new(app.clone());
    c.sign_in(email).await;
    let t = c.csrf().await;
    (c, t)
}

/// The co-chair's plan form: Prevent (Hillside's mentoring) and Prosecute (the police's
/// secret action, with `owner`), and a secret Prosecute discussion.
fn plan_form(m: &Macse, csrf: &str, version: &str, owner: &str) -> Vec<(String, String)> {
    let (h, p, due) = (m.hillside.to_string(), m.police.to_string(), iso(20));
    [
        ("_csrf", csrf),
        ("version", version),
        ("rows", "4"),
        ("panel_id", &m.panel.to_string()),
        ("review_date", &iso(35)),
        ("discussion-profile", "Profile discussion"),
        ("discussion-prevent", "Prevent discussion"),
        ("discussion-protect", "Protect discussion"),
        ("discussion-prosecute", SECRET_TALK),
        ("action-1-section", "prevent"),
        ("action-1-text", "Weekly mentoring sessions"),
        ("action-1-owner", "Hannah Price"),
        ("action-1-agency", &h),
        ("action-1-due", &due),
        ("action-1-status", "not-started"),
        ("action-2-section", "prosecute"),
        ("action-2-text", SECRET_ACTION),
        ("action-2-owner", owner),
        ("action-2-agency", &p),
        ("action-2-due", &due),
        ("action-2-status", "in-progress"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

async fn post_plan(c: &mut Client, kid: i64, form: &[(String, String)]) -> common::Resp {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post_form(&format!("/children/{kid}/plan/edit"), &pairs).await
}

/// The co-chair, signed in, having saved the first version of Amy's plan.
async fn with_plan(m: &Macse) -> (Client, String) {
    let (mut chair, tc) = signed_in(&m.app, "macse-co-chair@example.org").await;
    let r = post_plan(&mut chair, m.kid, &plan_form(m, &tc, "0", "DC Sam Hughes")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    (chair, tc)
}

async fn a_series_ending_before_it_starts_is_refused(db: &TestDb) {
    let m = macse(db).await;
    let mut analyst = m.analyst;
    let r = analyst.post_form("/panels/series", &[("_csrf", &m.t), ("first", &iso(7)), ("until", &iso(1))]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("must run until a date on or after"));
    assert_eq!(town_hall_panels(db).await.len(), 3, "the fixture's series added three panels, the refused one none");
}
on_both_engines!(series, a_series_ending_before_it_starts_is_refused);

async fn a_clashing_slot_is_refused_with_a_summary_and_saves_nothing(db: &TestDb) {
    let m = macse(db).await;
    let mut analyst = m.analyst;
    let r = analyst
        .post_form(
            &format!("/panels/{}/slots", m.panel),
            &[("_csrf", &m.t), ("child_id", &m.other.to_string()), ("starts_at", "10:15"), ("minutes", "30")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("clashes with another young person") && r.has("app-error-summary"));
    assert_eq!(db.store.panels(&everyone(db).await).agenda(m.panel).await.unwrap().len(), 1, "the clash saved nothing");
    let page = analyst.get(&format!("/panels/{}", m.panel)).await;
    assert!(page.has("Amy Testchild") && page.has("10:00–10:30"));
}
on_both_engines!(clash, a_clashing_slot_is_refused_with_a_summary_and_saves_nothing);

async fn proposed_invitations_bring_in_the_spoc_and_the_police_investigator(db: &TestDb) {
    let m = macse(db).await;
    let mut analyst = m.analyst;
    let r = analyst.post_form(&format!("/panels/{}/slots/{}/invitations", m.panel, m.slot), &[("_csrf", &m.t), ("propose", "yes")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = analyst.get(&format!("/panels/{}", m.panel)).await;
    assert!(page.has("Grace Turner") && page.has("DC Sam Hughes"), "SPOC and police investigator invited");
}
on_both_engines!(invitations, proposed_invitations_bring_in_the_spoc_and_the_police_investigator);

fn pairs<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn a_stale_edit_of_the_minutes_is_refused_and_changes_nothing(db: &TestDb) {
    let m = macse(db).await;
    let (mut analyst, t, panel, slot) = (m.analyst, m.t, m.panel, m.slot);
    let version = db.store.panels(&everyone(db).await).get(panel).await.unwrap().version.to_string();
    let minutes =
        |text: &'static str| [("_csrf", t.clone()), ("version", version.clone()), ("minutes", text.to_string()), ("status", "held".to_string())];
    let (first, stale) = (minutes("Agreed actions"), minutes("Overwrite"));
    assert_eq!(analyst.post_form(&format!("/panels/{panel}/minutes"), &pairs(&first)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(analyst.post_form(&format!("/panels/{panel}/minutes"), &pairs(&stale)).await.status, StatusCode::CONFLICT);
    assert_eq!(db.store.panels(&everyone(db).await).get(panel).await.unwrap().business, "Agreed actions");
    // The young person's own part of the minutes, kept with their slot, the same.
    let path = format!("/panels/{panel}/slots/{slot}/discussion");
    let r = analyst.post_form(&path, &[("_csrf", &t), ("version", "1"), ("discussion", "Amy's discussion: mentoring agreed")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = analyst.post_form(&path, &[("_csrf", &t), ("version", "1"), ("discussion", "Overwrite")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a stale edit of a young person's minutes");
    assert_eq!(db.store.panels(&everyone(db).await).agenda(panel).await.unwrap()[0].discussion, "Amy's discussion: mentoring agreed");
}
on_both_engines!(stale_minutes, a_stale_edit_of_the_minutes_is_refused_and_changes_nothing);

async fn minutes_reach_only_organisers_invitees_and_those_who_may_see_the_child(db: &TestDb) {
    let m = macse(db).await;
    let Macse { app, mut analyst, t, panel, slot, .. } = m;
    analyst.post_form(&format!("/panels/{panel}/slots/{slot}/invitations"), &[("_csrf", &t), ("propose", "yes")]).await;
    let version = db.store.panels(&everyone(db).await).get(panel).await.unwrap().version.to_string();
    let r = analyst
        .post_form(&format!("/panels/{panel}/minutes"), &[("_csrf", &t), ("version", &version), ("minutes", "Agreed actions"), ("status", "held")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = analyst
        .post_form(
            &format!("/panels/{panel}/slots/{slot}/discussion"),
            &[("_csrf", &t), ("version", "1"), ("discussion", "Amy's discussion: mentoring agreed")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (mut p2, _) = signed_in(&app, "practitioner-2@example.org").await;
    let agenda = p2.get(&format!("/panels/{panel}")).await;
    assert_eq!(agenda.status, StatusCode::OK);
    assert!(!agenda.has("Amy Testchild") && agenda.has("no young people on this agenda that you may see"));
    assert!(!agenda.has("Agreed actions"), "minutes only for the panel's organisers and invitees");
    assert!(!agenda.has("Amy&#39;s discussion") && !agenda.has("mentoring agreed"), "a young person's minutes only with their record");
    let (mut spoc, _) = signed_in(&app, "spoc@example.org").await;
    let spoc_agenda = spoc.get(&format!("/panels/{panel}")).await;
    assert!(spoc_agenda.has("Agreed actions"), "an invitee reads the general business");
    assert!(spoc_agenda.has("mentoring agreed"), "the SPOC may see Amy: her part of the minutes is on their agenda");
}
on_both_engines!(minutes_reach, minutes_reach_only_organisers_invitees_and_those_who_may_see_the_child);

async fn a_plan_is_refused_whole_when_an_action_has_no_owner_and_a_stale_copy_is_refused(db: &TestDb) {
    let m = macse(db).await;
    let (mut chair, tc) = signed_in(&m.app, "macse-co-chair@example.org").await;
    let form = chair.get(&format!("/children/{}/plan/edit", m.kid)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has("Prosecute: discussion") && form.has("Action row 4"));
    let r = post_plan(&mut chair, m.kid, &plan_form(&m, &tc, "0", "")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Action row 2") && r.has("has no owner") && r.has("href=\"#action-2-owner\""), "{}", r.body);
    assert_eq!(common::mash_record(db, m.kid).await.plan_number().await.unwrap(), 0, "nothing saved");
    let whole = plan_form(&m, &tc, "0", "DC Sam Hughes");
    assert_eq!(post_plan(&mut chair, m.kid, &whole).await.status, StatusCode::SEE_OTHER);
    assert_eq!(post_plan(&mut chair, m.kid, &whole).await.status, StatusCode::CONFLICT, "the same form again, from the stale version 0");
    assert_eq!(common::mash_record(db, m.kid).await.plan_number().await.unwrap(), 1);
    let page = chair.get(&format!("/children/{}/plan", m.kid)).await;
    assert!(page.has(SECRET_ACTION) && page.has(SECRET_TALK), "the co-chair sees Prosecute");
}
on_both_engines!(plan_refused, a_plan_is_refused_whole_when_an_action_has_no_owner_and_a_stale_copy_is_refused);

async fn the_police_see_prosecute_on_the_page_and_only_in_a_police_export(db: &TestDb) {
    let m = macse(db).await;
    with_plan(&m).await;
    let (mut officer, _) = signed_in(&m.app, "police-cse-officer@example.org").await;
    let page = officer.get(&format!("/children/{}/plan", m.kid)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has(SECRET_ACTION) && page.has(">Prosecute<"));
    let csv = officer.get(&format!("/children/{}/plan/download/csv?police=1", m.kid)).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.has(SECRET_ACTION));
    let plain = officer.get(&format!("/children/{}/plan/download/csv", m.kid)).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.has("Weekly mentoring sessions") && !plain.has(SECRET_ACTION), "an ordinary export leaves Prosecute out, even for the police");
    assert_eq!(officer.get(&format!("/children/{}/police", m.kid)).await.status, StatusCode::OK);
    assert!(audit(db, "child.export").await.iter().any(|e| e.actor == "police-cse-officer@example.org" && e.detail.contains("police export")));
}
on_both_engines!(police_see, the_police_see_prosecute_on_the_page_and_only_in_a_police_export);

async fn the_spoc_never_sees_prosecute_on_the_page_in_a_download_or_an_old_version(db: &TestDb) {
    let m = macse(db).await;
    with_plan(&m).await;
    let kid = m.kid;
    let (mut spoc, _) = signed_in(&m.app, "spoc@example.org").await;
    let page = spoc.get(&format!("/children/{kid}/plan")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Weekly mentoring sessions"));
    assert!(
        !page.has("Prosecute") && !page.has(SECRET_ACTION) && !page.has(SECRET_TALK) && !page.has("police=1"),
        "not even its heading: {}",
        page.body
    );
    let csv = spoc.get(&format!("/children/{kid}/plan/download/csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.has("Weekly mentoring sessions") && !csv.has("Prosecute") && !csv.has(SECRET_ACTION) && !csv.has(SECRET_TALK));
    let (status, bytes) = raw(&spoc, &format!("/children/{kid}/plan/download/docx")).await;
    assert_eq!(status, StatusCode::OK);
    let doc = docx_text(&bytes);
    assert!(doc.contains("Weekly mentoring sessions") && !doc.contains("Prosecute") && !doc.contains("ZX9") && !doc.contains("QV7"));
    let r = spoc.get(&format!("/children/{kid}/plan/download/csv?police=1")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.has(SECRET_ACTION));
    let versions = spoc.get(&format!("/children/{kid}/plan/versions/1")).await;
    assert!(versions.has("Weekly mentoring sessions") && !versions.has("Prosecute"));
    assert_eq!(spoc.get(&format!("/children/{kid}/police")).await.status, StatusCode::FORBIDDEN, "flags and operations are police-only");
    let exports = audit(db, "child.export").await;
    assert!(
        exports.iter().any(|e| e.actor == "spoc@example.org" && e.record_id == kid.to_string() && e.detail.contains("docx")),
        "the download is audited"
    );
    assert!(audit(db, "child.refused").await.iter().any(|e| e.actor == "spoc@example.org" && e.detail.starts_with("prosecute")), "so is the refusal");
}
on_both_engines!(spoc_never, the_spoc_never_sees_prosecute_on_the_page_in_a_download_or_an_old_version);

async fn the_compare_page_shows_the_change_and_the_spocs_has_no_prosecute(db: &TestDb) {
    let m = macse(db).await;
    let (mut chair, tc) = with_plan(&m).await;
    let mut v2 = plan_form(&m, &tc, "1", "DC Sam Hughes");
    v2.iter_mut().filter(|(k, _)| k == "action-1-status").for_each(|(_, v)| *v = "done".into());
    assert_eq!(post_plan(&mut chair, m.kid, &v2).await.status, StatusCode::SEE_OTHER);
    let cmp = chair.get(&format!("/children/{}/plan/compare?from=1&to=2", m.kid)).await;
    assert!(cmp.has("Actions changed") && cmp.has("done"), "{}", cmp.body);
    let (mut spoc, _) = signed_in(&m.app, "spoc@example.org").await;
    let cmp = spoc.get(&format!("/children/{}/plan/compare?from=1&to=2", m.kid)).await;
    assert!(cmp.has("Actions changed") && !cmp.has("Prosecute"));
}
on_both_engines!(compare, the_compare_page_shows_the_change_and_the_spocs_has_no_prosecute);

async fn the_analyst_edits_a_plan_without_seeing_or_changing_prosecute(db: &TestDb) {
    let m = macse(db).await;
    with_plan(&m).await;
    let (kid, t, h, review, due) = (m.kid, m.t.clone(), m.hillside.to_string(), iso(35), iso(20));
    let mut analyst = m.analyst;
    let form = analyst.get(&format!("/children/{kid}/plan/edit")).await;
    assert!(!form.has(SECRET_ACTION) && !form.has("Prosecute: discussion"));
    let r = analyst
        .post_form(
            &format!("/children/{kid}/plan/edit"),
            &[
                ("_csrf", &t),
                ("version", "1"),
                ("rows", "4"),
                ("review_date", &review),
                ("discussion-profile", "Updated profile"),
                ("action-1-section", "prosecute"),
                ("action-1-text", "Sneak in"),
                ("action-1-owner", "Me"),
                ("action-1-agency", &h),
                ("action-1-due", &due),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the analyst cannot write to Prosecute");
    let r = analyst
        .post_form(
            &format!("/children/{kid}/plan/edit"),
            &[("_csrf", &t), ("version", "1"), ("rows", "4"), ("review_date", &review), ("discussion-profile", "Updated profile")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let v2 = common::record_as(db, "macse-co-chair@example.org", kid, Section::Profile).await.plan().await.unwrap().unwrap();
    assert_eq!(v2.number, 2);
    assert!(v2.actions.iter().any(|a| a.text == SECRET_ACTION) && v2.discussion(Section::Prosecute) == SECRET_TALK, "carried over unchanged");
}
on_both_engines!(analyst_edits, the_analyst_edits_a_plan_without_seeing_or_changing_prosecute);

async fn an_uninvolved_practitioner_finds_no_such_child_and_is_audited(db: &TestDb) {
    let m = macse(db).await;
    with_plan(&m).await;
    let (mut p2, _) = signed_in(&m.app, "practitioner-2@example.org").await;
    let r = p2.get(&format!("/children/{}/plan", m.kid)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.has("Weekly mentoring"));
    assert_eq!(p2.get(&format!("/children/{}/plan/download/csv", m.kid)).await.status, StatusCode::NOT_FOUND);
    assert!(audit(db, "child.refused").await.iter().any(|e| e.actor == "practitioner-2@example.org" && e.record_id == m.kid.to_string()));
}
on_both_engines!(uninvolved, an_uninvolved_practitioner_finds_no_such_child_and_is_audited);

async fn a_police_flag_takes_the_child_off_the_unflagged_list(db: &TestDb) {
    let m = macse(db).await;
    with_plan(&m).await;
    let (mut officer, to) = signed_in(&m.app, "police-cse-officer@example.org").await;
    let officer_reader = testing::reader(&db.store, "police-cse-officer@example.org").await;
    let flags = officer.get("/police/flags").await;
    let before = db.store.police(&officer_reader).children_without_flag().await.unwrap();
    assert!(before.without.iter().any(|c| c.child_id == m.kid));
    assert!(flags.has(&format!("{}% of MACSE children flagged", before.percent())) && flags.has("Amy Testchild"), "{}", flags.body);
    let r = officer.post_form(&format!("/children/{}/police-flag", m.kid), &[("_csrf", &to), ("flag_date", &iso(-1))]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "yes or no must be chosen");
    let r = officer.post_form(&format!("/children/{}/police-flag", m.kid), &[("_csrf", &to), ("flagged", "yes"), ("flag_date", &iso(-1))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = db.store.police(&officer_reader).children_without_flag().await.unwrap();
    assert!(after.flagged == before.flagged + 1 && !after.without.iter().any(|c| c.child_id == m.kid));
    let flags = officer.get("/police/flags").await;
    assert!(flags.has(&format!("{}% of MACSE children flagged", after.percent())) && !flags.has("Amy Testchild"));
    let (mut spoc, _) = signed_in(&m.app, "spoc@example.org").await;
    assert_eq!(spoc.get("/police/flags").await.status, StatusCode::FORBIDDEN);
}
on_both_engines!(flags, a_police_flag_takes_the_child_off_the_unflagged_list);

async fn an_operation_agreed_at_a_panel_is_police_only(db: &TestDb) {
    let m = macse(db).await;
    let (panel, kid) = (m.panel, m.kid);
    let (mut officer, to) = signed_in(&m.app, "police-cse-officer@example.org").await;
    with_plan(&m).await;
    let r = officer
        .post_form(
            "/operations",
            &[("_csrf", &to), ("name", "Operation Larch"), ("kind", "disruption"), ("lead", "DI Shaw"), ("panel_id", &panel.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let op = r.location().split('?').next().unwrap().to_string();
    assert_eq!(officer.post_form(&format!("{op}/children"), &[("_csrf", &to), ("child_id", &kid.to_string())]).await.status, StatusCode::SEE_OTHER);
    let r = officer.post_form(&format!("{op}/updates"), &[("_csrf", &to), ("update_date", &iso(0)), ("text", "Address visited")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = officer.get(&op).await;
    assert!(page.has("Amy Testchild") && page.has("Address visited"));
    assert!(officer.get(&format!("/panels/{panel}")).await.has("Operation Larch"), "on the police's view of the panel");
    let (mut spoc, _) = signed_in(&m.app, "spoc@example.org").await;
    assert!(!spoc.get(&format!("/panels/{panel}")).await.has("Operation Larch"), "never the SPOC's");
    assert_eq!(spoc.get("/operations").await.status, StatusCode::FORBIDDEN);
}
on_both_engines!(operation, an_operation_agreed_at_a_panel_is_police_only);
