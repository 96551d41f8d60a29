//! Bad input on the partnership pages and the children API, on SQLite and PostgreSQL:
//! every wrong value gets a 4xx, a message that names the problem, and nothing saved.
//! One table per page; each case counts the rows of the table it would have written.

mod common;

use assure_domain::partnership::{InvolvementKind, Scope};
use assure_storage::children::ChildInput;
use assure_storage::on_both_engines;
use assure_storage::testing::{self, TestDb};
use axum::http::StatusCode;
use common::{demo_app, Client};
use sqlx::{AnyConnection, Connection, Row};

fn iso(days: i64) -> String {
    assure_domain::dates::numeric(common::today() + chrono::Duration::days(days))
}

async fn count(db: &TestDb, table: &str) -> i64 {
    let mut c = AnyConnection::connect(&db.url).await.unwrap();
    let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(&mut c).await.unwrap().get::<i64, _>("n");
    c.close().await.unwrap();
    n
}

/// A single value from the database, as text (to see that an update changed nothing).
async fn text(db: &TestDb, sql: &str) -> String {
    let mut c = AnyConnection::connect(&db.url).await.unwrap();
    let v: String = sqlx::query(sql).fetch_one(&mut c).await.unwrap().get::<String, _>(0);
    c.close().await.unwrap();
    v
}

struct Case<'a> {
    what: &'a str,
    path: String,
    fields: Vec<(&'a str, String)>,
    /// Text the answer must contain: the message naming the problem.
    message: &'a str,
    /// The table the form would have written to.
    table: &'a str,
}

fn case<'a>(what: &'a str, path: impl Into<String>, fields: &[(&'a str, &str)], message: &'a str, table: &'a str) -> Case<'a> {
    Case { what, path: path.into(), fields: fields.iter().map(|(k, v)| (*k, v.to_string())).collect(), message, table }
}

/// Post each case as `email`: 422, the GOV.UK error summary with the message, nothing written.
async fn run(db: &TestDb, app: &axum::Router, email: &str, cases: Vec<Case<'_>>) {
    let mut c = Client::new(app.clone());
    c.sign_in(email).await;
    let t = c.csrf().await;
    for k in cases {
        let before = count(db, k.table).await;
        let mut fields: Vec<(&str, &str)> = vec![("_csrf", &t)];
        fields.extend(k.fields.iter().map(|(a, b)| (*a, b.as_str())));
        let r = c.post_form(&k.path, &fields).await;
        let excerpt = &r.body[r.body.find("app-error-summary").unwrap_or(0)..]
            [..r.body.len().saturating_sub(r.body.find("app-error-summary").unwrap_or(0)).min(1500)];
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}: POST {} as {email}\n{excerpt}", k.what, k.path);
        assert!(r.has("app-error-summary"), "{}: no error summary\n{excerpt}", k.what);
        assert!(r.has(k.message), "{}: expected the message {:?}\n{excerpt}", k.what, k.message);
        assert_eq!(count(db, k.table).await, before, "{}: a row was written to {}", k.what, k.table);
    }
}

async fn bad_input_is_refused_with_a_message_and_nothing_saved(db: &TestDb) {
    let app = demo_app(db).await;
    let agencies = db.store.partnership().agencies().await.unwrap();
    let agency = |n: &str| agencies.iter().find(|a| a.name == n).unwrap().id;
    let police = agency("Merseyside Police");
    let kid = testing::new_child(
        &db.store,
        &ChildInput { first_name: "Cara".into(), last_name: "Badinput".into(), estimated_age: Some(14), ..Default::default() },
    )
    .await;
    testing::involve(&db.store, kid, police, InvolvementKind::RaisedConcern, Scope::Agency, common::today()).await;

    // ---------------------------------------------------------------- panels (the analyst)
    let analyst = testing::reader(&db.store, "cse-analyst@example.org").await;
    let panels = db.store.panels(&analyst).list().await.unwrap();
    let mut slot = None;
    for p in &panels {
        if let Some(s) = db.store.panels(&analyst).agenda(p.panel.id).await.unwrap().into_iter().find(|s| !s.invitations.is_empty()) {
            slot = Some(s);
            break;
        }
    }
    let slot = slot.expect("the demo has a slot with invitations");
    let pid = slot.panel_id;
    let panel = db.store.panels(&analyst).get(pid).await.unwrap();
    let v = panel.version.to_string();
    let inv = slot.invitations[0].id.to_string();
    let sp = format!("/panels/{pid}/slots/{}", slot.id);
    let kid_s = kid.to_string();
    run(
        db,
        &app,
        "cse-analyst@example.org",
        vec![
            case(
                "series: an impossible first date",
                "/panels/series",
                &[("first", "31/02/2031"), ("until", &iso(60))],
                "Enter the date of the first panel",
                "panels",
            ),
            case(
                "series: an unreadable end date",
                "/panels/series",
                &[("first", &iso(7)), ("until", "next spring")],
                "Enter the date the series runs until",
                "panels",
            ),
            case("series: longer than two years", "/panels/series", &[("first", &iso(7)), ("until", &iso(7 + 800))], "at most two years", "panels"),
            case(
                "slot: minutes not a number",
                format!("/panels/{pid}/slots"),
                &[("child_id", &kid_s), ("starts_at", "10:00"), ("minutes", "thirty")],
                "minutes",
                "panel_slots",
            ),
            case(
                "slot: an impossible start time",
                format!("/panels/{pid}/slots"),
                &[("child_id", &kid_s), ("starts_at", "25:70"), ("minutes", "30")],
                "start time",
                "panel_slots",
            ),
            case(
                "slot: an unknown child number",
                format!("/panels/{pid}/slots"),
                &[("child_id", "99999999"), ("starts_at", "10:00"), ("minutes", "30")],
                "There is no child with record number 99999999",
                "panel_slots",
            ),
            case(
                "invite: an unknown kind",
                format!("{sp}/invitations"),
                &[("kind", "wizard"), ("name", "Someone")],
                "Select who is being invited",
                "panel_invitations",
            ),
            case(
                "invite: an unknown agency",
                format!("{sp}/invitations"),
                &[("kind", "spoc"), ("agency_id", "99999999")],
                "Select an agency from the list",
                "panel_invitations",
            ),
            case(
                "invite: no name and no agency",
                format!("{sp}/invitations"),
                &[("kind", "spoc"), ("name", "  ")],
                "Enter the name of the person invited, or choose their agency",
                "panel_invitations",
            ),
            case(
                "date: an impossible date",
                format!("/panels/{pid}/date"),
                &[("version", &v), ("meeting_date", "30/02/2031"), ("location", "Town hall")],
                "Enter the panel's date",
                "panels",
            ),
        ],
    )
    .await;
    // Attendance and minutes change a row: an unknown value leaves it as it was.
    let att_before = text(db, &format!("SELECT COALESCE(attendance, '-') FROM panel_invitations WHERE id = {inv}")).await;
    let status_before = text(db, &format!("SELECT status FROM panels WHERE id = {pid}")).await;
    run(
        db,
        &app,
        "cse-analyst@example.org",
        vec![
            case(
                "attendance: an unknown value",
                format!("{sp}/attendance"),
                &[("invitation_id", &inv), ("attendance", "maybe")],
                "Select whether they attended",
                "panel_invitations",
            ),
            case(
                "minutes: an unknown status",
                format!("/panels/{pid}/minutes"),
                &[("version", &v), ("minutes", "Changed minutes"), ("status", "adjourned")],
                "Select the panel's status",
                "panels",
            ),
        ],
    )
    .await;
    assert_eq!(text(db, &format!("SELECT COALESCE(attendance, '-') FROM panel_invitations WHERE id = {inv}")).await, att_before);
    assert_eq!(text(db, &format!("SELECT status FROM panels WHERE id = {pid}")).await, status_before);
    assert_ne!(text(db, &format!("SELECT business FROM panels WHERE id = {pid}")).await, "Changed minutes", "minutes with a bad status were saved");

    // ------------------------------------------------------- police and operations (police CSE)
    let officer = testing::reader(&db.store, "police-cse-officer@example.org").await;
    let op = db.store.police(&officer).operations().await.unwrap().first().expect("the demo has an operation").id;
    run(
        db,
        &app,
        "police-cse-officer@example.org",
        vec![
            case(
                "operation: no name",
                "/operations",
                &[("name", " "), ("kind", "disrupt"), ("lead", "DS Lee")],
                "Enter the operation's name",
                "operations",
            ),
            case(
                "operation: an unknown kind",
                "/operations",
                &[("name", "Op Test"), ("kind", "surveil"), ("lead", "DS Lee")],
                "Select whether the operation is to prevent, prosecute or disrupt",
                "operations",
            ),
            case(
                "operation: an unknown panel",
                "/operations",
                &[("name", "Op Test"), ("kind", "disrupt"), ("lead", "DS Lee"), ("panel_id", "99999999")],
                "Select the panel that decided on the operation",
                "operations",
            ),
            case(
                "update: a future date",
                format!("/operations/{op}/updates"),
                &[("update_date", &iso(3)), ("text", "Visited the address")],
                "must be today or in the past",
                "operation_updates",
            ),
            case(
                "update: an unreadable date",
                format!("/operations/{op}/updates"),
                &[("update_date", "yesterday"), ("text", "Visited the address")],
                "Enter the date of the update",
                "operation_updates",
            ),
            case("link: an unknown child", format!("/operations/{op}/children"), &[("child_id", "99999999")], "99999999", "operation_children"),
            case(
                "flag: neither yes nor no",
                format!("/children/{kid}/police-flag"),
                &[("flagged", "perhaps"), ("flag_date", &iso(0))],
                "Select yes if the child has a police CSE flag",
                "police_flags",
            ),
            case(
                "flag: a future date",
                format!("/children/{kid}/police-flag"),
                &[("flagged", "yes"), ("flag_date", &iso(5))],
                "must be today or in the past",
                "police_flags",
            ),
        ],
    )
    .await;

    // ------------------------------------------- placing authorities and providers (notifications)
    run(
        db,
        &app,
        "notification-officer@example.org",
        vec![
            case(
                "escalation: an unknown step",
                "/placing-authorities",
                &[("authority", "Knowsley"), ("step", "shout"), ("step_date", &iso(0))],
                "Choose the escalation step",
                "authority_escalations",
            ),
            case(
                "escalation: a future date",
                "/placing-authorities",
                &[("authority", "Knowsley"), ("step", "letter"), ("step_date", &iso(4))],
                "cannot be in the future",
                "authority_escalations",
            ),
            case(
                "escalation: an unreadable date",
                "/placing-authorities",
                &[("authority", "Knowsley"), ("step", "letter"), ("step_date", "32/01/2020")],
                "as a real date",
                "authority_escalations",
            ),
            case("provider: no name", "/providers", &[("name", "   ")], "name", "providers"),
            case(
                "concern: no text",
                "/providers/concerns",
                &[("provider_id", "1"), ("raised_on", &iso(0)), ("concern", "  ")],
                "Describe the concern about the provider or home",
                "provider_concerns",
            ),
            case(
                "concern: an unknown provider",
                "/providers/concerns",
                &[("provider_id", "99999999"), ("raised_on", &iso(0)), ("concern", "Staffing")],
                "Choose a provider from the list",
                "provider_concerns",
            ),
            case(
                "concern: Ofsted before raised",
                "/providers/concerns",
                &[("provider_id", "1"), ("raised_on", &iso(0)), ("concern", "Staffing"), ("ofsted_referral_date", &iso(-10))],
                "cannot be before the concern was raised",
                "provider_concerns",
            ),
        ],
    )
    .await;

    // --------------------------------------------------- partnership admin (partnership manager)
    run(
        db,
        &app,
        "partnership-manager@example.org",
        vec![
            case(
                "agency: an unknown kind",
                "/partnership/agencies",
                &[("name", "New Youth Service"), ("kind", "circus")],
                "Select the kind of agency",
                "agencies",
            ),
            case(
                "routing rules: an unknown condition",
                "/partnership/routing-rules",
                &[("rows", "1"), ("rule-1-when", "full-moon"), ("rule-1-team", "missing"), ("rule-1-acknowledge", "Checked")],
                "Rule 1: choose when the rule applies",
                "routing_rule_sets",
            ),
            case(
                "routing rules: an unknown team",
                "/partnership/routing-rules",
                &[("rows", "1"), ("rule-1-when", "always"), ("rule-1-team", "astronauts"), ("rule-1-acknowledge", "Checked")],
                "Rule 1 names a team that does not exist",
                "routing_rule_sets",
            ),
            case(
                "pattern rules: an unknown rule",
                "/partnership/pattern-rules",
                &[("version", "1"), ("rule", "moon:nowhere")],
                "One of the rules was not recognised",
                "pattern_rule_sets",
            ),
        ],
    )
    .await;

    // ----------------------------------------------------------- emergency access (MASH worker)
    run(
        db,
        &app,
        "mash-worker@example.org",
        vec![case(
            "emergency access: a reason too short",
            format!("/children/{kid}/emergency-access"),
            &[("reason", "urgent")],
            "at least 10",
            "emergency_access",
        )],
    )
    .await;
}

on_both_engines!(bad_input, bad_input_is_refused_with_a_message_and_nothing_saved, demo = crate::common::password_hash());

/// The children API: a wrong query parameter is a 400 that names it.
async fn api_children_parameters_are_checked(db: &TestDb) {
    let app = demo_app(db).await;
    let mut c = Client::new(app);
    c.sign_in("mash-worker@example.org").await;
    for (q, names) in [
        ("date_of_birth=31/02/2020", "date_of_birth"),
        ("date_of_birth=2020-02-31", "date_of_birth"),
        ("per_page=0", "per_page"),
        ("per_page=201", "per_page"),
        ("per_page=ten", "per_page"),
        ("page=0", "page"),
        ("page=-3", "page"),
    ] {
        let r = c.get(&format!("/api/v1/children?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.body);
        let j: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("{q}: not JSON: {}", r.body));
        let msg = j.to_string();
        assert!(msg.contains("bad_request") && msg.contains(names), "{q}: the error should name {names}: {msg}");
    }
    // A good query answers (so the refusals above are about the values, not the route).
    let r = c.get("/api/v1/children?name=a&page=1&per_page=5").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(j["per_page"], 5);
    assert!(j["children"].as_array().unwrap().len() <= 5);
}

on_both_engines!(api_children, api_children_parameters_are_checked, demo = crate::common::password_hash());
