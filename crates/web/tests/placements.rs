//! The placement pages over HTTP, on SQLite and PostgreSQL: the notification officer
//! records a notification with CSE and missing risks, it reaches exactly the police
//! CSE, missing-from-home, CSE analyst, health and education queues and each
//! acknowledges; someone not routed to is refused; bad input saves nothing; a routing
//! rule edited by the partnership manager changes only new notifications; a
//! practitioner of an uninvolved school cannot open the child's placements.

mod common;

use assure_domain::partnership::{Team, Viewer};
use assure_domain::placements::Condition;
use assure_domain::Role;
use assure_storage::on_both_engines;
use assure_storage::testing::TestDb;
use assure_storage::users::NewUser;
use assure_storage::Actor;
use axum::http::StatusCode;
use common::{demo_app, Client, Resp};

const OFFICER: &str = "notification-officer@example.org";

async fn viewer(db: &TestDb, email: &str) -> Viewer {
    let (u, _) = db.store.users().by_email(email).await.unwrap().unwrap();
    db.store.partnership().viewer(u.id).await.unwrap().unwrap()
}

/// A person in one team, placed in a demo agency, who can sign in.
async fn member(db: &TestDb, email: &str, role: Role, agency: &str, team: Team) {
    let sys = Actor::system();
    let hash = assure_web::auth::hash_password(common::PASSWORD);
    let uid = db.store.users().create(&sys, NewUser { name: email, email, role, job_title: "", password_hash: &hash }).await.unwrap();
    let a = db.store.partnership().agencies().await.unwrap().into_iter().find(|a| a.name == agency).unwrap().id;
    db.store.partnership().set_agency(&sys, uid, a).await.unwrap();
    db.store.partnership().add_team_member(&sys, team, uid).await.unwrap();
}

/// The teams' people: the five a CSE-and-missing notification reaches, and the youth offending team it does not.
const ROUTED: [(&str, Role, &str, Team); 5] = [
    ("police-cse@example.org", Role::PoliceCseOfficer, "Merseyside Police", Team::PoliceCse),
    ("missing@example.org", Role::Practitioner, "Merseyside Police", Team::MissingFromHome),
    ("analyst@example.org", Role::CseAnalyst, "Children's Social Care", Team::CseAnalyst),
    ("health-lead-2@example.org", Role::Practitioner, "Community Health NHS Trust", Team::HealthLead),
    ("education-lead-2@example.org", Role::Practitioner, "Early Help Locality Team", Team::EducationLead),
];
const YOT: &str = "yot@example.org";

fn date(days_ago: i64) -> String {
    assure_domain::dates::numeric(common::today() - chrono::Duration::days(days_ago))
}

fn notification_fields(csrf: &str, first: &str, yes: &[&str]) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("_csrf", csrf.to_string()),
        ("child", "new".into()),
        ("first_name", first.into()),
        ("last_name", "Placed".into()),
        ("estimated_age", "15".into()),
        ("placing_authority", "Knowsley".into()),
        ("new_provider", "Brookside Children's Homes Ltd".into()),
        ("home", "Brookside House".into()),
        ("placement_address", "1 Brook Lane".into()),
        ("placement_ward", "Linacre".into()),
        ("start_date", date(3)),
        ("received_date", date(1)),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.clone()))
    .collect();
    for r in ["cse", "missing", "offending", "organised-crime", "substance-misuse", "mental-health"] {
        let y = yes.contains(&r);
        f.push((format!("risk-{r}"), if y { "yes" } else { "no" }.into()));
        f.push((format!("risk-{r}-detail"), if y { "Declared on the placing authority's form".into() } else { String::new() }));
    }
    f
}

fn pairs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The acknowledgement forms' recipient ids on a page.
fn ack_ids(r: &Resp) -> Vec<i64> {
    r.body
        .match_indices("action=\"/notifications/")
        .filter_map(|(i, _)| r.body[i + "action=\"/notifications/".len()..].split('/').next()?.parse().ok())
        .collect()
}

async fn signed_in(app: &axum::Router, email: &str) -> Client {
    let mut c = Client::new(app.clone());
    c.sign_in(email).await;
    c
}

async fn notifications_reach_the_right_queues_and_are_acknowledged(db: &TestDb) {
    let app = demo_app(db).await;
    for (email, role, agency, team) in ROUTED {
        member(db, email, role, agency, team).await;
    }
    member(db, YOT, Role::Practitioner, "Youth Offending Service", Team::YouthOffending).await;
    let officer_v = assure_storage::testing::reader(&db.store, OFFICER).await;
    let mut officer = signed_in(&app, OFFICER).await;
    let form = officer.get("/placements/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.has("<option value=\"Knowsley\"") && form.has("name=\"risk-cse\"") && form.has("found without a notification"));
    let t = form.csrf();
    // The demo's own placements are there already: this test counts and looks for its own.
    let before = db.store.placements(&officer_v).list(None).await.unwrap().len();
    let providers_before = db.store.providers().list().await.unwrap().len();

    // Bad input: an unknown authority, an end before the start, an unreadable date, no risk answers: 422, nothing saved.
    let mut bad: Vec<(String, String)> = notification_fields(&t, "Nova", &[]).into_iter().filter(|(k, _)| !k.starts_with("risk-")).collect();
    bad.retain(|(k, _)| k != "placing_authority" && k != "received_date");
    bad.extend([("placing_authority".into(), "Gotham".into()), ("end_date".into(), date(10)), ("received_date".into(), "31/02/2026".into())]);
    let r = officer.post_form("/placements/new", &pairs(&bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Choose the placing authority from the list"), "unknown authority");
    assert!(r.has("The placement cannot end before it started"));
    assert!(r.has("Enter the date the notification was received as a real date"));
    assert!(r.has("Answer the notification's risk questions"));
    assert!(r.has("value=\"Nova\""), "what was typed is kept");
    assert_eq!(db.store.placements(&officer_v).list(None).await.unwrap().len(), before);
    assert!(
        assure_storage::testing::children_in_reach(&db.store, &viewer(db, "analyst@example.org").await, Some("Nova"), 10, 0).await.0.is_empty(),
        "no child saved"
    );
    assert_eq!(db.store.providers().list().await.unwrap().len(), providers_before, "no provider saved");

    // A notification with CSE and missing risks.
    let r = officer.post_form("/placements/new", &pairs(&notification_fields(&t, "Nova", &["cse", "missing"]))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let child: i64 = r.location().trim_start_matches("/children/").split('/').next().unwrap().parse().unwrap();
    let page = officer.get(r.location()).await;
    assert!(page.has("Placement recorded") && page.has("Knowsley") && page.has("Health lead for looked-after children"));

    // Exactly the five queues show it (each with one line of its own to acknowledge, among
    // the demo's placements); the youth offending team's does not.
    let lines = common::mash_record(db, child).await.notifications().await.unwrap().remove(0).recipients;
    let mut clients = Vec::new();
    for (email, _, _, team) in ROUTED {
        let mut c = signed_in(&app, email).await;
        // (This week's: the queue holds the demo's two hundred too, a page at a time.)
        let q = c.get("/notifications?period=7").await;
        assert_eq!(q.status, StatusCode::OK);
        assert!(q.has("Nova Placed"), "{team:?} queue");
        let mine: Vec<i64> = lines.iter().filter(|l| l.team == team).map(|l| l.id).collect();
        assert_eq!(mine.len(), 1, "{team:?}: one line to acknowledge");
        assert!(ack_ids(&q).contains(&mine[0]), "{team:?}: its line can be acknowledged");
        clients.push((c, mine[0], team));
    }
    let mut yot = signed_in(&app, YOT).await;
    let q = yot.get("/notifications").await;
    assert!(!q.has("Nova Placed") && lines.iter().all(|l| !ack_ids(&q).contains(&l.id)));

    // Someone not routed to cannot acknowledge: refused, nothing changes.
    let health_line = clients[3].1;
    let yt = yot.csrf().await;
    let r = yot.post_form(&format!("/notifications/{health_line}/acknowledge"), &[("_csrf", &yt)]).await;
    // (The youth offending member's agency is not involved with the child: the line reads as no
    // line at all, before the team is named — the same answer as a line that does not exist.)
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let none = yot.post_form("/notifications/99999999/acknowledge", &[("_csrf", &yt)]).await;
    assert_eq!((none.status, &none.body), (r.status, &r.body));
    assert!(r.has("need-to-know basis") && !r.has("Nova"));
    let ot = officer.csrf().await;
    assert_eq!(officer.post_form(&format!("/notifications/{health_line}/acknowledge"), &[("_csrf", &ot)]).await.status, StatusCode::FORBIDDEN);
    let n = common::mash_record(db, child).await.notifications().await.unwrap().remove(0);
    assert!(n.recipients.iter().all(|r| r.acknowledged_at.is_none()));

    // Each team acknowledges its own.
    for (c, line, team) in clients.iter_mut() {
        let t = c.csrf().await;
        let r = c.post_form(&format!("/notifications/{line}/acknowledge"), &[("_csrf", &t)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{team:?}");
        let q = c.get(r.location()).await;
        assert!(q.has("Notification acknowledged") && q.has("Acknowledged ") && !ack_ids(&q).contains(line), "{team:?}");
    }
    let n = common::mash_record(db, child).await.notifications().await.unwrap().remove(0);
    let teams: Vec<Team> = n.recipients.iter().map(|r| r.team).collect();
    assert_eq!(teams.len(), 5);
    assert!(n.recipients.iter().all(|r| r.acknowledged_at.is_some()));

    // A practitioner of an uninvolved school cannot open the child's placements; the refusal is audited.
    let mut outsider = signed_in(&app, "practitioner-2@example.org").await;
    let r = outsider.get(&format!("/children/{child}/placements")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.has("Nova"));
    let log = common::mash_record(db, child).await.access_log(100, 0).await.unwrap().0;
    assert!(log.iter().any(|e| e.action == "child.refused" && e.actor == "practitioner-2@example.org" && e.detail.starts_with("placements")));
    assert!(log.iter().all(|e| !e.detail.contains("Nova") && !e.detail.contains("Brook")), "no personal data in the audit");
}
on_both_engines!(routing_and_acknowledgement, notifications_reach_the_right_queues_and_are_acknowledged, demo = crate::common::password_hash());

/// The routing rules form's fields for the rules in force, plus one extra rule.
fn rules_fields(csrf: &str, rules: &[assure_domain::placements::RoutingRule], extra: (&str, &str, &str, &str)) -> Vec<(String, String)> {
    let mut f = vec![("_csrf".to_string(), csrf.to_string()), ("rows".to_string(), (rules.len() + 1).to_string())];
    for (i, r) in rules.iter().enumerate() {
        let n = i + 1;
        let when = match &r.condition {
            Condition::Always => "always",
            Condition::AnyOf(risks) => {
                f.extend(risks.iter().map(|k| (format!("rule-{n}-risks"), k.slug().to_string())));
                "any-of"
            }
            Condition::MissingBefore => "missing-before",
        };
        f.push((format!("rule-{n}-when"), when.into()));
        f.push((format!("rule-{n}-team"), r.team.clone()));
        f.push((format!("rule-{n}-acknowledge"), r.acknowledge.clone()));
    }
    let n = rules.len() + 1;
    f.extend([
        (format!("rule-{n}-when"), extra.0.to_string()),
        (format!("rule-{n}-risks"), extra.1.to_string()),
        (format!("rule-{n}-team"), extra.2.to_string()),
        (format!("rule-{n}-acknowledge"), extra.3.to_string()),
    ]);
    f
}

async fn an_edited_rule_changes_only_new_notifications(db: &TestDb) {
    let app = demo_app(db).await;
    member(db, YOT, Role::Practitioner, "Youth Offending Service", Team::YouthOffending).await;
    let mut officer = signed_in(&app, OFFICER).await;
    let t = officer.csrf().await;
    let r = officer.post_form("/placements/new", &pairs(&notification_fields(&t, "Early", &["substance-misuse"]))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let early: i64 = r.location().trim_start_matches("/children/").split('/').next().unwrap().parse().unwrap();
    let mut yot = signed_in(&app, YOT).await;
    assert!(!yot.get("/notifications").await.has("Early Placed"));

    let mut manager = signed_in(&app, "partnership-manager@example.org").await;
    let page = manager.get("/partnership/routing-rules").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.has("Version 1 is in use") && page.has("name=\"rule-1-team\""));
    let mt = page.csrf();
    let rules = db.store.routing_rules().current().await.unwrap().rules;
    // A rule naming a team that no longer exists is refused at save, with the message; nothing saved.
    let bad = rules_fields(&mt, &rules, ("any-of", "substance-misuse", "drugs-team-old", "Known to the drugs team"));
    let r = manager.post_form("/partnership/routing-rules", &pairs(&bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.has("Rule 8 names a team that does not exist") && r.has("href=\"#rule-8-team\""), "{}", r.body);
    assert_eq!(db.store.routing_rules().current().await.unwrap().version, 1);
    // Substance misuse now reaches the youth offending team.
    let good = rules_fields(&mt, &rules, ("any-of", "substance-misuse", "youth-offending", "A substance misuse worker is offered"));
    let r = manager.post_form("/partnership/routing-rules", &pairs(&good)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(db.store.routing_rules().current().await.unwrap().version, 2);
    assert!(manager.get(r.location()).await.has("Version 2 is in use"));

    let r = officer.post_form("/placements/new", &pairs(&notification_fields(&t, "Later", &["substance-misuse"]))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let q = yot.get("/notifications").await;
    assert!(q.has("Later Placed") && !q.has("Early Placed"), "only the new notification is routed with the new rule");
    let n = common::mash_record(db, early).await.notifications().await.unwrap().remove(0);
    assert_eq!(n.rules_version, 1);
    assert!(n.recipients.iter().all(|r| r.team != Team::YouthOffending));

    // The officer's lists: the notifications, and the count by authority.
    let list = officer.get("/placements?authority=Knowsley").await;
    assert!(list.has("Early Placed") && list.has("Later Placed") && list.has("Children placed by each authority"));
    let a = officer.get("/placing-authorities?name=Knowsley").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.has("Record an escalation") && a.has("Early Placed"));
    let r = officer
        .post_form("/placing-authorities", &[("_csrf", &t), ("authority", "Knowsley"), ("step", "director-contact"), ("step_date", "not a date")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let d = date(0);
    let r = officer
        .post_form(
            "/placing-authorities",
            &[("_csrf", &t), ("authority", "Knowsley"), ("step", "director-contact"), ("step_date", &d), ("note", "Letter sent")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(officer.get(r.location()).await.has("Contact by the Director of Children"));
    assert_eq!(officer.get("/placing-authorities?name=Gotham").await.status, StatusCode::NOT_FOUND);
}
on_both_engines!(edited_rules, an_edited_rule_changes_only_new_notifications, demo = crate::common::password_hash());
