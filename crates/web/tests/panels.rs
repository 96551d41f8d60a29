//! MACSE panels, plans and police pages over HTTP, on SQLite and PostgreSQL: the
//! analyst books slots, the co-chair makes a plan with a Prosecute action, the police
//! see it, and the school's SPOC and practitioners never do — on the page or in a download.

mod common;

use std::io::Read;

use assure_domain::partnership::{InvolvementKind, Scope, Section};
use assure_storage::children::ChildInput;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use assure_storage::Reader;
use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use common::{demo_app, Client};
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

fn docx_text(bytes: &[u8]) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
    let mut s = String::new();
    z.by_name("word/document.xml").unwrap().read_to_string(&mut s).unwrap();
    s
}

async fn audit(db: &TestDb, action: &str) -> Vec<assure_domain::audit::AuditEntry> {
    db.store.audit().list(&assure_storage::audit::AuditFilter { action: Some(action.into()), ..Default::default() }, 1000, 0).await.unwrap().0
}

async fn the_macse_pathway_keeps_prosecute_to_the_police(db: &TestDb) {
    let app = demo_app(db).await;
    let hillside = agency(db, "Hillside High School").await;
    let police = agency(db, "Merseyside Police").await;
    let kid = child(db, "Amy", hillside).await;
    let other = child(db, "Ben", hillside).await;

    // The analyst arranges the series and books a slot; a clash is refused, nothing saved.
    let mut analyst = Client::new(app.clone());
    analyst.sign_in("cse-analyst@example.org").await;
    let t = analyst.csrf().await;
    let r = analyst.post_form("/panels/series", &[("_csrf", &t), ("first", &iso(7)), ("until", &iso(1))]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("must run until a date on or after"));
    let r = analyst.post_form("/panels/series", &[("_csrf", &t), ("first", &iso(7)), ("until", &iso(40)), ("location", "Town hall")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The series added three panels (the demo has its own, on other dates).
    let panels: Vec<_> = db.store.panels(&everyone(db).await).list().await.unwrap().into_iter().filter(|p| p.panel.location == "Town hall").collect();
    assert_eq!(panels.len(), 3);
    let panel = panels[0].panel.id;
    let r = analyst
        .post_form(&format!("/panels/{panel}/slots"), &[("_csrf", &t), ("child_id", &kid.to_string()), ("starts_at", "10:00"), ("minutes", "30")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = analyst
        .post_form(&format!("/panels/{panel}/slots"), &[("_csrf", &t), ("child_id", &other.to_string()), ("starts_at", "10:15"), ("minutes", "30")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("clashes with another young person") && r.has("app-error-summary"));
    assert_eq!(db.store.panels(&everyone(db).await).agenda(panel).await.unwrap().len(), 1, "the clash saved nothing");
    let page = analyst.get(&format!("/panels/{panel}")).await;
    assert!(page.has("Amy Testchild") && page.has("10:00–10:30"));
    // Invite the involved agencies' people, police investigators and standing members.
    let slot = db.store.panels(&everyone(db).await).agenda(panel).await.unwrap()[0].id;
    let r = analyst.post_form(&format!("/panels/{panel}/slots/{slot}/invitations"), &[("_csrf", &t), ("propose", "yes")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = analyst.get(&format!("/panels/{panel}")).await;
    assert!(page.has("Grace Turner") && page.has("DC Sam Hughes"), "SPOC and police investigator invited");

    // Minutes: a stale edit is 409 and changes nothing.
    let version = db.store.panels(&everyone(db).await).get(panel).await.unwrap().version.to_string();
    let r = analyst
        .post_form(&format!("/panels/{panel}/minutes"), &[("_csrf", &t), ("version", &version), ("minutes", "Agreed actions"), ("status", "held")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = analyst
        .post_form(&format!("/panels/{panel}/minutes"), &[("_csrf", &t), ("version", &version), ("minutes", "Overwrite"), ("status", "held")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(db.store.panels(&everyone(db).await).get(panel).await.unwrap().business, "Agreed actions");
    // The young person's own part of the minutes is kept with their slot.
    let r = analyst
        .post_form(
            &format!("/panels/{panel}/slots/{slot}/discussion"),
            &[("_csrf", &t), ("version", "1"), ("discussion", "Amy's discussion: mentoring agreed")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r =
        analyst.post_form(&format!("/panels/{panel}/slots/{slot}/discussion"), &[("_csrf", &t), ("version", "1"), ("discussion", "Overwrite")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a stale edit of a young person's minutes");

    // The co-chair makes the plan with a Prosecute action.
    let mut chair = Client::new(app.clone());
    chair.sign_in("macse-co-chair@example.org").await;
    let tc = chair.csrf().await;
    let form = chair.get(&format!("/children/{kid}/plan/edit")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has("Prosecute: discussion") && form.has("Action row 4"));
    let (h, p) = (hillside.to_string(), police.to_string());
    let (due, review) = (iso(20), iso(35));
    let plan_form = |version: &'static str, owner: &'static str| {
        vec![
            ("version", version.to_string()),
            ("rows", "4".into()),
            ("panel_id", panel.to_string()),
            ("review_date", review.clone()),
            ("discussion-profile", "Profile discussion".into()),
            ("discussion-prevent", "Prevent discussion".into()),
            ("discussion-protect", "Protect discussion".into()),
            ("discussion-prosecute", SECRET_TALK.into()),
            ("action-1-section", "prevent".into()),
            ("action-1-text", "Weekly mentoring sessions".into()),
            ("action-1-owner", "Hannah Price".into()),
            ("action-1-agency", h.clone()),
            ("action-1-due", due.clone()),
            ("action-1-status", "not-started".into()),
            ("action-2-section", "prosecute".into()),
            ("action-2-text", SECRET_ACTION.into()),
            ("action-2-owner", owner.into()),
            ("action-2-agency", p.clone()),
            ("action-2-due", due.clone()),
            ("action-2-status", "in-progress".into()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let mut v: Vec<(&str, String)> = vec![("_csrf", tc.clone())];
        v.extend(f);
        v
    };
    // An action with no owner: 422, the row named, nothing saved.
    let fields = post(plan_form("0", ""));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = chair.post_form(&format!("/children/{kid}/plan/edit"), &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Action row 2") && r.has("has no owner") && r.has("href=\"#action-2-owner\""), "{}", r.body);
    assert_eq!(common::mash_record(db, kid).await.plan_number().await.unwrap(), 0, "nothing saved");
    let fields = post(plan_form("0", "DC Sam Hughes"));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = chair.post_form(&format!("/children/{kid}/plan/edit"), &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The same form again, from the stale version 0: 409.
    let r = chair.post_form(&format!("/children/{kid}/plan/edit"), &pairs).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(common::mash_record(db, kid).await.plan_number().await.unwrap(), 1);
    let page = chair.get(&format!("/children/{kid}/plan")).await;
    assert!(page.has(SECRET_ACTION) && page.has(SECRET_TALK), "the co-chair sees Prosecute");

    // The police officer sees it, on the page and in a police export.
    let mut officer = Client::new(app.clone());
    officer.sign_in("police-cse-officer@example.org").await;
    let page = officer.get(&format!("/children/{kid}/plan")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has(SECRET_ACTION) && page.has(">Prosecute<"));
    let csv = officer.get(&format!("/children/{kid}/plan/download/csv?police=1")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.has(SECRET_ACTION));
    let plain = officer.get(&format!("/children/{kid}/plan/download/csv")).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.has("Weekly mentoring sessions") && !plain.has(SECRET_ACTION), "an ordinary export leaves Prosecute out, even for the police");
    assert_eq!(officer.get(&format!("/children/{kid}/police")).await.status, StatusCode::OK);

    // The school's SPOC sees the plan without the Prosecute section — not even its heading.
    let mut spoc = Client::new(app.clone());
    spoc.sign_in("spoc@example.org").await;
    let page = spoc.get(&format!("/children/{kid}/plan")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Weekly mentoring sessions"));
    assert!(!page.has("Prosecute") && !page.has(SECRET_ACTION) && !page.has(SECRET_TALK) && !page.has("police=1"), "{}", page.body);
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
    assert!(exports.iter().any(|e| e.actor == "spoc@example.org" && e.record_id == kid.to_string() && e.detail.contains("docx")));
    assert!(exports.iter().any(|e| e.actor == "police-cse-officer@example.org" && e.detail.contains("police export")));
    assert!(audit(db, "child.refused").await.iter().any(|e| e.actor == "spoc@example.org" && e.detail.starts_with("prosecute")));

    // A second version: the compare page shows the change, and the SPOC's compare has no Prosecute.
    let mut v2 = plan_form("1", "DC Sam Hughes");
    for (k, v) in v2.iter_mut() {
        if *k == "action-1-status" {
            *v = "done".into();
        }
    }
    let fields = post(v2);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(chair.post_form(&format!("/children/{kid}/plan/edit"), &pairs).await.status, StatusCode::SEE_OTHER);
    let cmp = chair.get(&format!("/children/{kid}/plan/compare?from=1&to=2")).await;
    assert!(cmp.has("Actions changed") && cmp.has("done"), "{}", cmp.body);
    let cmp = spoc.get(&format!("/children/{kid}/plan/compare?from=1&to=2")).await;
    assert!(cmp.has("Actions changed") && !cmp.has("Prosecute"));

    // The analyst edits the plan without seeing Prosecute; it is carried over unchanged.
    let form = analyst.get(&format!("/children/{kid}/plan/edit")).await;
    assert!(!form.has(SECRET_ACTION) && !form.has("Prosecute: discussion"));
    let r = analyst
        .post_form(
            &format!("/children/{kid}/plan/edit"),
            &[
                ("_csrf", &t),
                ("version", "2"),
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
            &[("_csrf", &t), ("version", "2"), ("rows", "4"), ("review_date", &review), ("discussion-profile", "Updated profile")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let v3 = common::record_as(db, "macse-co-chair@example.org", kid, Section::Profile).await.plan().await.unwrap().unwrap();
    assert_eq!(v3.number, 3);
    assert!(v3.actions.iter().any(|a| a.text == SECRET_ACTION) && v3.discussion(assure_domain::partnership::Section::Prosecute) == SECRET_TALK);

    // Practitioner-2's agency is involved with nothing: no such child (404) and the attempt audited.
    let mut p2 = Client::new(app.clone());
    p2.sign_in("practitioner-2@example.org").await;
    let r = p2.get(&format!("/children/{kid}/plan")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.has("Weekly mentoring"));
    assert_eq!(p2.get(&format!("/children/{kid}/plan/download/csv")).await.status, StatusCode::NOT_FOUND);
    assert!(audit(db, "child.refused").await.iter().any(|e| e.actor == "practitioner-2@example.org" && e.record_id == kid.to_string()));
    let agenda = p2.get(&format!("/panels/{panel}")).await;
    assert_eq!(agenda.status, StatusCode::OK);
    assert!(!agenda.has("Amy Testchild") && agenda.has("no young people on this agenda that you may see"));
    assert!(!agenda.has("Agreed actions"), "minutes only for the panel's organisers and invitees");
    assert!(!agenda.has("Amy&#39;s discussion") && !agenda.has("mentoring agreed"), "a young person's minutes only with their record");
    let spoc_agenda = spoc.get(&format!("/panels/{panel}")).await;
    assert!(spoc_agenda.has("Agreed actions"), "an invitee reads the general business");
    assert!(spoc_agenda.has("mentoring agreed"), "the SPOC may see Amy: her part of the minutes is on their agenda");

    // Police flags and operations.
    let to = officer.csrf().await;
    let flags = officer.get("/police/flags").await;
    let before = db.store.police(&testing::reader(&db.store, "police-cse-officer@example.org").await).children_without_flag().await.unwrap();
    assert!(before.without.iter().any(|c| c.child_id == kid));
    assert!(flags.has(&format!("{}% of MACSE children flagged", before.percent())) && flags.has("Amy Testchild"), "{}", flags.body);
    let r = officer.post_form(&format!("/children/{kid}/police-flag"), &[("_csrf", &to), ("flag_date", &iso(-1))]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = officer.post_form(&format!("/children/{kid}/police-flag"), &[("_csrf", &to), ("flagged", "yes"), ("flag_date", &iso(-1))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = db.store.police(&testing::reader(&db.store, "police-cse-officer@example.org").await).children_without_flag().await.unwrap();
    assert!(after.flagged == before.flagged + 1 && !after.without.iter().any(|c| c.child_id == kid));
    let flags = officer.get("/police/flags").await;
    assert!(flags.has(&format!("{}% of MACSE children flagged", after.percent())) && !flags.has("Amy Testchild"));
    let r = officer
        .post_form(
            "/operations",
            &[("_csrf", &to), ("name", "Operation Larch"), ("kind", "disruption"), ("lead", "DI Shaw"), ("panel_id", &panel.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let op = r.location().split('?').next().unwrap().to_string();
    let r = officer.post_form(&format!("{op}/children"), &[("_csrf", &to), ("child_id", &kid.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = officer.post_form(&format!("{op}/updates"), &[("_csrf", &to), ("update_date", &iso(0)), ("text", "Address visited")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = officer.get(&op).await;
    assert!(page.has("Amy Testchild") && page.has("Address visited"));
    // An operation agreed at a panel is police-only: on the police's view of the panel, never the SPOC's.
    assert!(officer.get(&format!("/panels/{panel}")).await.has("Operation Larch"));
    assert!(!spoc.get(&format!("/panels/{panel}")).await.has("Operation Larch"));
    assert_eq!(spoc.get("/operations").await.status, StatusCode::FORBIDDEN);
    assert_eq!(spoc.get("/police/flags").await.status, StatusCode::FORBIDDEN);
}
on_both_engines!(macse, the_macse_pathway_keeps_prosecute_to_the_police);
