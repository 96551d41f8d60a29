//! The access matrix, generated rather than hand-picked: every pathway role × team set ×
//! relation to one school, against one child per way the school can be involved with a
//! child (and one it is not involved with), over every child route in the route table —
//! record pages, the API, exports — and the lists and searches. What each viewer should
//! get is computed from the domain's rule (`Role::allows`, `Viewer::may_see_child`,
//! `may_see_section`, `exportable_sections`), never written out by hand.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::sync::Arc;

use assure_domain::panels::{InviteeKind, OperationKind};
use assure_domain::partnership::{AgencyKind, Involvement, InvolvementKind, PathwayRole, Section, Team, Viewer};
use assure_domain::plan::{ActionStatus, PlanAction, PlanVersion, SectionText};
use assure_domain::referral::{ConcernInput, ReferralSource};
use assure_domain::{Permission, Role};
use assure_storage::audit::AuditFilter;
use assure_storage::on_both_engines;
use assure_storage::partnership::ChildInput;
use assure_storage::referrals::{ChildRef, ConcernForm};
use assure_storage::testing::TestDb;
use assure_storage::users::NewUser;
use assure_storage::{Actor, Store};
use assure_web::routes::RouteSpec;
use axum::body::{to_bytes, Body};
use axum::http::{header, Method, Request, StatusCode};
use common::Client;
use tower::ServiceExt;

const SURNAME: &str = "Matrixchild";

/// How a child route decides who may use it, in the domain's terms.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Whoever may see the child and this section of the record.
    Section(Section),
    /// The record (identity) and a seat in the MASH team (merging duplicates).
    MashTeam,
    /// MASH roles may ask for emergency access to any child (the form shows no record).
    BreakGlass,
    /// A SPOC of the agency that raised the referral, who may see its MASH decision.
    SpocOfRaiser,
}

/// Every child route in the route table and the rule it answers to. A child route
/// missing here fails the test, so a new one cannot slip past the matrix.
fn rule_of(method: &Method, path: &str) -> Option<Rule> {
    use Rule::{BreakGlass, MashTeam, SpocOfRaiser};
    use Section as S;
    let sec = Rule::Section;
    Some(match (method.as_str(), path) {
        ("GET", "/children/{id}") => sec(S::Identity),
        ("GET", "/children/{id}/edit") => sec(S::Identity),
        ("POST", "/children/{id}/edit") => sec(S::Identity),
        ("GET", "/children/{id}/access-log") => sec(S::AccessLog),
        ("GET", "/children/{id}/merge") | ("POST", "/children/{id}/merge") => MashTeam,
        ("GET", "/children/{id}/emergency-access") | ("POST", "/children/{id}/emergency-access") => BreakGlass,
        ("GET", "/children/{id}/referrals") => sec(S::Concerns),
        ("GET", "/children/{id}/referrals/{rid}") => sec(S::Screening),
        ("POST", "/children/{id}/referrals/{rid}/checks") => sec(S::MashDecision),
        ("POST", "/children/{id}/referrals/{rid}/decision") => sec(S::MashDecision),
        ("POST", "/children/{id}/referrals/{rid}/acknowledge") => SpocOfRaiser,
        ("GET", "/children/{id}/plan") => sec(S::Profile),
        ("GET", "/children/{id}/plan/edit") | ("POST", "/children/{id}/plan/edit") => sec(S::Profile),
        ("GET", "/children/{id}/plan/versions/{n}") => sec(S::Profile),
        ("GET", "/children/{id}/plan/compare") => sec(S::Profile),
        ("GET", "/children/{id}/plan/download/{format}") => sec(S::Profile),
        ("GET", "/children/{id}/police") => sec(S::Operations),
        ("POST", "/children/{id}/police-flag") => sec(S::Operations),
        ("GET", "/children/{id}/placements") => sec(S::Placements),
        ("GET", "/children/{id}/missing") => sec(S::Missing),
        ("POST", "/children/{id}/missing/{eid}/end") | ("POST", "/children/{id}/missing/{eid}/interview") => sec(S::Missing),
        ("GET", "/api/v1/children/{id}") => sec(S::Identity),
        ("GET", "/api/v1/children/{id}/referrals") => sec(S::Concerns),
        ("GET", "/api/v1/children/{id}/plan") => sec(S::Profile),
        _ => return None,
    })
}

fn is_child_route(path: &str) -> bool {
    path.starts_with("/children/{id}") || path.starts_with("/api/v1/children/{id}")
}

struct Kid {
    id: i64,
    case: Option<InvolvementKind>,
    first: String,
    marker: String,
    rid: i64,
    referral_agency: i64,
    /// The child's missing episode (ended, with a return interview).
    eid: i64,
    /// The child's placement notification's recipient lines (id, team), as routed.
    lines: Vec<(i64, Team)>,
}

struct Person {
    uid: i64,
    email: String,
    role: Role,
    client: Client,
    csrf: String,
}

struct Fixture {
    school: i64,
    police: i64,
    health: i64,
    other: i64,
    kids: Vec<Kid>,
    panel: i64,
    operation: i64,
    /// When the episodes started and ended, and the interviews were offered.
    missing_start: chrono::NaiveDateTime,
    missing_end: chrono::NaiveDateTime,
    offered: chrono::NaiveDateTime,
}

/// The placing authority of every fixture notification.
const AUTHORITY: &str = "Knowsley";

fn actor(uid: i64, email: &str) -> Actor {
    Actor { user_id: Some(uid), label: email.to_string(), ip: String::new() }
}

async fn person(db: &TestDb, hash: &str, email: &str, role: Role, agency: i64) -> i64 {
    let sys = Actor::system();
    let id = db.store.create_user(&sys, NewUser { name: email, email, role, job_title: "Tester", password_hash: hash }).await.unwrap();
    db.store.set_agency(&sys, id, agency).await.unwrap();
    id
}

fn capitalised(slug: &str) -> String {
    let s: String = slug.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    let mut cs = s.chars();
    cs.next().map(|c| c.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
}

fn plan_version(review: chrono::NaiveDate, due: chrono::NaiveDate, marker: &str, prevent_agency: i64, other: i64) -> PlanVersion {
    let sections = [Section::Profile, Section::Prevent, Section::Protect, Section::Prosecute]
        .iter()
        .map(|s| SectionText {
            section: *s,
            discussion: if *s == Section::Prosecute { format!("{marker}-talk") } else { format!("{} discussion", s.slug()) },
        })
        .collect();
    let action = |section, text: String, agency| PlanAction {
        section,
        text,
        owner: "Owner".into(),
        agency_id: Some(agency),
        due: Some(due),
        status: ActionStatus::InProgress,
    };
    PlanVersion {
        number: 0,
        panel_date: None,
        review_date: Some(review),
        sections,
        actions: vec![
            action(Section::Prevent, "Mentoring sessions".into(), prevent_agency),
            action(Section::Prosecute, format!("{marker}-action"), other),
        ],
    }
}

/// The children, one per involvement case of the school and one it is not involved with,
/// each with a referral, two plan versions (with a Prosecute discussion and action), a
/// panel slot, a police flag (recorded "no", so they stay on the police list) and an operation.
async fn fixture(db: &TestDb, hash: &str) -> Fixture {
    let sys = Actor::system();
    let today = common::today();
    let mk = |n: &'static str, k| async move { db.store.create_agency(&Actor::system(), n, Some(k)).await.unwrap() };
    let school = mk("Matrix School", AgencyKind::Education).await;
    let police = mk("Matrix Police", AgencyKind::Police).await;
    let health = mk("Matrix Health", AgencyKind::Health).await;
    let other = mk("Matrix Other Council", AgencyKind::OtherAuthority).await;
    let school_raiser = person(db, hash, "raiser-school@example.org", Role::Practitioner, school).await;
    let other_raiser = person(db, hash, "raiser-other@example.org", Role::Practitioner, other).await;
    let officer = person(db, hash, "officer-other@example.org", Role::NotificationOfficer, other).await;
    // The officer and the school's recorder of missing episodes reach every child through
    // the MASH team (a team no notification is routed to), so neither involves anyone else.
    db.store.add_team_member(&sys, Team::Mash, officer).await.unwrap();
    let officer_v = db.store.viewer(officer).await.unwrap().unwrap();
    let school_recorder = person(db, hash, "missing-school@example.org", Role::Practitioner, school).await;
    db.store.add_team_member(&sys, Team::Mash, school_recorder).await.unwrap();
    let now = assure_storage::missing::local_now();
    let now = now.date().and_hms_opt(chrono::Timelike::hour(&now), chrono::Timelike::minute(&now), 0).unwrap();
    let (missing_start, missing_end, offered) =
        (now - chrono::Duration::minutes(50), now - chrono::Duration::minutes(40), now - chrono::Duration::minutes(30));
    // The notification routed so the school becomes involved waits until a school member
    // sits in a team every notification reaches; every other is routed before that.
    let mut notify_later = None;
    let panel = db
        .store
        .generate_panel_series(&sys, Some(today + chrono::Duration::days(7)), Some(today + chrono::Duration::days(7)), "Town hall")
        .await
        .unwrap()[0];
    let operation = db.store.create_operation(&sys, "Operation Matrix", Some(OperationKind::Disruption), "DI Lead", Some(panel)).await.unwrap();
    let tool = db.store.current_tool().await.unwrap();
    let answers: BTreeMap<String, bool> = tool.indicators().map(|i| (i.key.clone(), false)).collect();
    let cases: Vec<Option<InvolvementKind>> = InvolvementKind::ALL.iter().copied().map(Some).chain([None]).collect();
    let mut kids = Vec::new();
    for (i, case) in cases.into_iter().enumerate() {
        let first = capitalised(case.map(|k| k.slug()).unwrap_or("uninvolved"));
        let (raiser, email, raiser_agency) = if case == Some(InvolvementKind::RaisedConcern) {
            (school_raiser, "raiser-school@example.org", school)
        } else {
            (other_raiser, "raiser-other@example.org", other)
        };
        let viewer = db.store.viewer(raiser).await.unwrap().unwrap();
        let form = ConcernForm {
            child: Some(ChildRef::New(ChildInput {
                first_name: first.clone(),
                last_name: SURNAME.into(),
                estimated_age: Some(14),
                ..Default::default()
            })),
            concern: ConcernInput {
                source: Some(ReferralSource::ProfessionalConcern),
                what_seen: "Seen with older men".into(),
                seen_on: Some(today),
                seen_where: "Town centre".into(),
                seen_by: "Teacher".into(),
                referral_text: "Referral".into(),
            },
            answers: answers.clone(),
        };
        let raised = db.store.raise_concern(&actor(raiser, email), &viewer, &form).await.unwrap();
        let cid = raised.child_id;
        let marker = format!("PROSECUTE-MARKER-{cid}");
        let prevent_agency = if case == Some(InvolvementKind::HoldsAction) { school } else { other };
        let v = plan_version(today + chrono::Duration::days(35), today + chrono::Duration::days(20), &marker, prevent_agency, other);
        db.store.save_plan_version(&sys, cid, 0, Some(panel), &v, None, today).await.unwrap();
        db.store.save_plan_version(&sys, cid, 1, Some(panel), &v, None, today).await.unwrap();
        let start = chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap() + chrono::Duration::minutes(30 * i as i64);
        let slot = db.store.book_slot(&sys, panel, Some(cid), Some(start), Some(30)).await.unwrap();
        let invited = if case == Some(InvolvementKind::InvitedToPanel) { school } else { other };
        db.store.invite(&sys, panel, slot, Some(InviteeKind::Practitioner), None, Some(invited), "", today).await.unwrap();
        db.store.record_police_flag(&sys, cid, Some(false), Some(today), today).await.unwrap();
        db.store.link_operation_child(&sys, operation, Some(cid)).await.unwrap();
        // A placement notification, its declared risks varied by child so the routes differ.
        use assure_domain::placements::Risk;
        let yes: Vec<Risk> = [(i % 2 == 0, Risk::Cse), (i % 3 == 1, Risk::Offending), (i % 4 == 3, Risk::Missing)]
            .iter()
            .filter(|(b, _)| *b)
            .map(|(_, r)| *r)
            .collect();
        let placement = assure_storage::placements::PlacementInput {
            child: Some(ChildRef::Existing(cid)),
            placing_authority: AUTHORITY.into(),
            new_provider: "Matrix Homes Ltd".into(),
            home: "Matrix House".into(),
            address: "1 Matrix Lane".into(),
            ward: "Linacre".into(),
            start_date: Some(today - chrono::Duration::days(3)),
            received_date: Some(today - chrono::Duration::days(2)),
            risks: Risk::ALL
                .iter()
                .map(|r| (*r, Some(yes.contains(r)), if yes.contains(r) { "Declared".to_string() } else { String::new() }))
                .collect(),
            ..Default::default()
        };
        if case == Some(InvolvementKind::NotifiedOfPlacement) {
            notify_later = Some(placement);
        } else {
            db.store.record_notification(&actor(officer, "officer-other@example.org"), &officer_v, &placement, today).await.unwrap();
        }
        // A missing episode, ended, with a return interview: recorded by the school for its case.
        let (recorder, remail) = if case == Some(InvolvementKind::RecordedMissing) {
            (school_recorder, "missing-school@example.org")
        } else {
            (other_raiser, "raiser-other@example.org")
        };
        let rv = db.store.viewer(recorder).await.unwrap().unwrap();
        let ep = assure_storage::missing::EpisodeInput {
            child: Some(ChildRef::Existing(cid)),
            missing_from: Some(assure_domain::missing::MissingFrom::Care),
            started_at: Some(missing_start),
            ended_at: Some(missing_end),
            where_found: "Returned to the home by police".into(),
            police_reference: "MP/MATRIX".into(),
            risk_grading: Some(assure_domain::missing::RiskGrading::Medium),
        };
        let (_, eid) = db.store.record_episode(&actor(recorder, remail), &rv, &ep).await.unwrap();
        let interview = assure_storage::missing::InterviewInput {
            offered_at: Some(offered),
            response: Some(assure_domain::missing::InterviewResponse::Accepted),
            interviewer: "A. Worker".into(),
            provider: "Independent Return Interviews".into(),
            where_and_with_whom: "With friends".into(),
            ..Default::default()
        };
        db.store.record_interview(&actor(recorder, remail), &rv, cid, eid, None, &interview).await.unwrap();
        kids.push(Kid { id: cid, case, first, marker, rid: raised.referral_id, referral_agency: raiser_agency, eid, lines: Vec::new() });
    }
    if let Some(placement) = notify_later {
        let member = person(db, hash, "education-lead-school@example.org", Role::Practitioner, school).await;
        db.store.add_team_member(&sys, Team::EducationLead, member).await.unwrap();
        db.store.record_notification(&actor(officer, "officer-other@example.org"), &officer_v, &placement, today).await.unwrap();
    }
    for k in kids.iter_mut() {
        let ns = db.store.notifications_of_child(k.id).await.unwrap();
        assert_eq!(ns.len(), 1, "one notification per child");
        k.lines = ns[0].recipients.iter().map(|r| (r.id, r.team)).collect();
    }
    // The fixture is what it claims: the school is involved in exactly the one way named.
    for k in &kids {
        let inv = involvements(db, k.id).await;
        let school_kinds: Vec<InvolvementKind> = inv.iter().filter(|i| i.agency_id == school).map(|i| i.kind).collect();
        assert_eq!(school_kinds, k.case.into_iter().collect::<Vec<_>>(), "child {} ({:?}): {inv:?}", k.id, k.case);
        assert!(inv.iter().all(|i| i.agency_id != police && i.agency_id != health), "police and health are involved with no child");
    }
    Fixture { school, police, health, other, kids, panel, operation, missing_start, missing_end, offered }
}

/// A viewer the rule admits to every child (for reading the fixture back without auditing).
fn everyone() -> Viewer {
    Viewer { role: PathwayRole::CseAnalyst, agency_id: 0, teams: vec![Team::CseAnalyst], spoc_for: vec![], emergency_children: vec![] }
}

async fn child_version(db: &TestDb, id: i64) -> i64 {
    db.store.children_for(&everyone(), None, 1000, 0).await.unwrap().0.into_iter().find(|c| c.id == id).map(|c| c.version).unwrap_or(-1)
}

/// The child's involvements as the store holds them (read without auditing a view).
async fn involvements(db: &TestDb, child_id: i64) -> Vec<Involvement> {
    let everyone = everyone();
    let (all, _) = db.store.children_for(&everyone, None, 1000, 0).await.unwrap();
    all.into_iter().find(|c| c.id == child_id).expect("the child").involvements
}

/// The viewers: every pathway role × relation to the school with no team, and every
/// pathway role × each team alone with the relations taken in turn (role index + team
/// index, mod 3) — so every pair of role, team and relation is met at least once (a
/// covering array of strength two over the full product), in 96 viewers, not 240.
#[derive(Debug, Clone, Copy)]
enum Relation {
    SchoolMember,
    PoliceMember,
    HealthMemberSpocOfSchool,
}

async fn viewers(db: &TestDb, app: &axum::Router, hash: &str, fx: &Fixture) -> Vec<Person> {
    let sys = Actor::system();
    let team_sets: Vec<Option<Team>> = std::iter::once(None).chain(Team::ALL.iter().copied().map(Some)).collect();
    let relations = [Relation::SchoolMember, Relation::PoliceMember, Relation::HealthMemberSpocOfSchool];
    let mut out = Vec::new();
    let mut met: BTreeSet<(String, String, String)> = BTreeSet::new();
    for (ri, role) in Role::ALL.iter().copied().filter(|r| r.pathway().is_some()).enumerate() {
        for (ti, team) in team_sets.iter().enumerate() {
            let rels: Vec<Relation> = if team.is_none() { relations.to_vec() } else { vec![relations[(ri + ti) % relations.len()]] };
            for rel in rels {
                met.insert((format!("{role:?}"), format!("{team:?}"), String::new()));
                met.insert((format!("{role:?}"), String::new(), format!("{rel:?}")));
                met.insert((String::new(), format!("{team:?}"), format!("{rel:?}")));
                let email = format!("{}-{}-{:?}@example.org", role.slug(), team.map(|t| t.slug()).unwrap_or("none"), rel).to_lowercase();
                let agency = match rel {
                    Relation::SchoolMember => fx.school,
                    Relation::PoliceMember => fx.police,
                    Relation::HealthMemberSpocOfSchool => fx.health,
                };
                let uid = person(db, hash, &email, role, agency).await;
                if let Some(t) = team {
                    db.store.add_team_member(&sys, *t, uid).await.unwrap();
                }
                if let Relation::HealthMemberSpocOfSchool = rel {
                    db.store.add_spoc(&sys, fx.school, uid).await.unwrap();
                }
                let mut client = Client::new(app.clone());
                client.sign_in(&email).await;
                let csrf = client.csrf().await;
                out.push(Person { uid, email, role, client, csrf });
            }
        }
    }
    let roles = Role::ALL.iter().filter(|r| r.pathway().is_some()).count();
    assert_eq!(
        met.len(),
        roles * team_sets.len() + roles * relations.len() + team_sets.len() * relations.len(),
        "every pair of role, team set and relation is met"
    );
    out
}

struct Got {
    status: StatusCode,
    body: String,
}

/// A GET with the body as text (a DOCX is unzipped to its document.xml).
async fn fetch(c: &mut Client, path: &str) -> Got {
    let cookies = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let resp = c.app.clone().oneshot(Request::get(path).header(header::COOKIE, cookies).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let docx = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").contains("wordprocessingml");
    let bytes = to_bytes(resp.into_body(), 64 * 1024 * 1024).await.unwrap().to_vec();
    let body = if docx {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a DOCX is a zip");
        let mut s = String::new();
        z.by_name("word/document.xml").unwrap().read_to_string(&mut s).unwrap();
        s
    } else {
        String::from_utf8_lossy(&bytes).to_string()
    };
    Got { status, body }
}

/// May this viewer use this route for this child, by the domain's rule?
fn expected(role: Role, perm: Permission, rule: Rule, v: &Viewer, kid: &Kid, inv: &[Involvement]) -> bool {
    if !role.allows(perm) {
        return false;
    }
    let sees = v.may_see_child(kid.id, inv.iter().copied());
    match rule {
        Rule::Section(s) => sees && v.may_see_section(s),
        Rule::MashTeam => sees && v.may_see_section(Section::Identity) && v.teams.contains(&Team::Mash),
        Rule::BreakGlass => v.may_break_glass(),
        Rule::SpocOfRaiser => sees && v.may_see_section(Section::MashDecision) && v.spoc_for.contains(&kid.referral_agency),
    }
}

/// Whether a refusal under this rule is a refused read of the child's record (and so
/// must be in the audit as `child.refused`): the role had the permission and the
/// record or section itself was refused. A role without the permission is stopped by
/// the guard before any child is named; emergency access and the MASH-team check on
/// merge refuse a function, not a read (the record was opened, and audited, first).
fn refused_read(role: Role, perm: Permission, rule: Rule, v: &Viewer, kid: &Kid, inv: &[Involvement]) -> bool {
    if !role.allows(perm) {
        return false;
    }
    let sees = v.may_see_child(kid.id, inv.iter().copied());
    match rule {
        Rule::Section(s) => !(sees && v.may_see_section(s)),
        Rule::MashTeam | Rule::SpocOfRaiser => !sees,
        Rule::BreakGlass => false,
    }
}

fn fill(path: &str, kid: &Kid, format: &str) -> String {
    path.replace("{id}", &kid.id.to_string())
        .replace("{rid}", &kid.rid.to_string())
        .replace("{eid}", &kid.eid.to_string())
        .replace("{n}", "1")
        .replace("{format}", format)
}

async fn audit_counts(db: &TestDb, action: &str) -> BTreeMap<(String, String), usize> {
    let (rows, _) = db.store.list_audit(&AuditFilter { action: Some(action.into()), ..Default::default() }, 1_000_000, 0).await.unwrap();
    let mut m = BTreeMap::new();
    for e in rows {
        *m.entry((e.actor, e.record_id)).or_insert(0) += 1;
    }
    m
}

/// What a write could change about a child: plan version, identity version, referral
/// version and checks, police flags, emergency grants, plan actions, involvements,
/// missing episodes (count, version, interview version, routes), placement
/// notifications (count, acknowledgements).
async fn fingerprint(db: &TestDb, fx: &Fixture) -> Vec<Vec<i64>> {
    let mut out = Vec::new();
    for k in &fx.kids {
        let r = db.store.referral(k.rid).await.unwrap();
        let eps = db.store.episodes_of_child(k.id).await.unwrap();
        let ep = eps.iter().find(|e| e.id == k.eid).expect("the fixture episode");
        let ns = db.store.notifications_of_child(k.id).await.unwrap();
        out.push(vec![
            db.store.current_plan_number(k.id).await.unwrap(),
            child_version(db, k.id).await,
            r.version,
            db.store.mash_checks(k.rid).await.unwrap().len() as i64,
            db.store.police_flags(k.id).await.unwrap().len() as i64,
            db.store.emergency_grants_for_child(k.id).await.unwrap().len() as i64,
            db.store.current_plan(k.id).await.unwrap().map(|p| p.actions.len() as i64).unwrap_or(0),
            involvements(db, k.id).await.len() as i64,
            eps.len() as i64,
            ep.version,
            ep.interview.as_ref().map(|i| i.version).unwrap_or(-1),
            ep.routes.len() as i64,
            ns.len() as i64,
            ns.iter().flat_map(|n| &n.recipients).filter(|r| r.acknowledged_at.is_some()).count() as i64,
        ]);
    }
    out
}

fn names_in(body: &str, fx: &Fixture) -> BTreeSet<i64> {
    fx.kids
        .iter()
        .filter(|k| body.contains(&format!("{} {SURNAME}", k.first)) || body.contains(&format!("{SURNAME}, {}", k.first)))
        .map(|k| k.id)
        .collect()
}

async fn the_access_matrix(db: &TestDb) {
    let started = std::time::Instant::now();
    let hash = assure_web::auth::hash_password(common::PASSWORD);
    let app = assure_web::app(db.store.clone(), assure_web::Config::new(db.dir.clone()));
    let fx = fixture(db, &hash).await;
    let mut people = viewers(db, &app, &hash, &fx).await;
    let table = assure_web::routes::table();

    // Every child route in the table has a rule, and every rule names a route in the table.
    let child_routes: Vec<_> = table.specs.iter().filter(|s| is_child_route(s.path)).cloned().collect();
    for s in &child_routes {
        assert!(rule_of(&s.method, s.path).is_some(), "child route {} {} has no rule in the access matrix: add it to rule_of", s.method, s.path);
    }
    let gets: Vec<_> = child_routes.iter().filter(|s| s.method == Method::GET).cloned().collect();
    let posts: Vec<_> = child_routes.iter().filter(|s| s.method == Method::POST).cloned().collect();
    let mut inv: BTreeMap<i64, Vec<Involvement>> = BTreeMap::new();
    for k in &fx.kids {
        inv.insert(k.id, involvements(db, k.id).await);
    }
    let setup = started.elapsed();

    // ---- reads: every GET child route, every viewer, every child (viewers in a few
    // groups at once: each group's requests run one after another on its own clients).
    let fx = Arc::new(fx);
    let inv = Arc::new(inv);
    let gets = Arc::new(gets);
    let mut groups: Vec<Vec<Person>> = (0..GROUPS).map(|_| Vec::new()).collect();
    for (i, p) in people.drain(..).enumerate() {
        groups[i % GROUPS].push(p);
    }
    let tasks: Vec<_> = groups.into_iter().map(|g| tokio::spawn(read_matrix(db.store.clone(), g, fx.clone(), inv.clone(), gets.clone()))).collect();
    let (mut checked, mut allowed_count) = (0usize, 0usize);
    let mut refused_reads: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut exports: BTreeMap<(String, String), usize> = BTreeMap::new();
    for t in tasks {
        let r = t.await.expect("a group of viewers panicked: see above");
        people.extend(r.people);
        checked += r.checked;
        allowed_count += r.allowed;
        refused_reads.extend(r.refused_reads);
        exports.extend(r.exports);
    }
    let reads_done = started.elapsed();

    // Every refused read is in the audit as child.refused for that child; every allowed
    // download as child.export.
    let refusals = audit_counts(db, "child.refused").await;
    for (key, n) in &refused_reads {
        assert!(refusals.get(key).copied().unwrap_or(0) >= *n, "{key:?}: {n} refused reads, {:?} audited", refusals.get(key));
    }
    let exported = audit_counts(db, "child.export").await;
    for (key, n) in &exports {
        assert_eq!(exported.get(key).copied().unwrap_or(0), *n, "{key:?}: each allowed download audited once");
    }
    assert_eq!(exported.values().sum::<usize>(), exports.values().sum::<usize>(), "no refused download audited as an export");

    // ---- lists and search: exactly the children the rule admits.
    let mut lists = 0usize;
    let this_month = {
        let today = assure_storage::missing::local_now().date();
        chrono::Datelike::month(&fx.missing_start) == chrono::Datelike::month(&today)
            && chrono::Datelike::year(&fx.missing_start) == chrono::Datelike::year(&today)
    };
    for p in people.iter_mut() {
        let v = db.store.viewer(p.uid).await.unwrap().unwrap();
        let admitted: BTreeSet<i64> = fx.kids.iter().filter(|k| v.may_see_child(k.id, inv[&k.id].iter().copied())).map(|k| k.id).collect();
        let pages: Vec<(String, Permission, BTreeSet<i64>)> = vec![
            ("/children".into(), Permission::ViewChildren, admitted.clone()),
            (format!("/children?name={SURNAME}"), Permission::ViewChildren, admitted.clone()),
            ("/children?name=Macksen".into(), Permission::ViewChildren, BTreeSet::new()),
            ("/mash".into(), Permission::DecideReferrals, admitted.clone()),
            (
                "/spoc".into(),
                Permission::ViewChildren,
                fx.kids.iter().filter(|k| admitted.contains(&k.id) && v.spoc_for.contains(&k.referral_agency)).map(|k| k.id).collect(),
            ),
            (format!("/panels/{}", fx.panel), Permission::ViewChildren, admitted.clone()),
            ("/police/flags".into(), Permission::RecordPoliceCse, admitted.clone()),
            (format!("/operations/{}", fx.operation), Permission::RecordPoliceCse, admitted.clone()),
            // The missing monitoring group's lists: every child's episode started this month.
            ("/missing".into(), Permission::ViewChildren, if this_month { admitted.clone() } else { BTreeSet::new() }),
            // The queue: children in reach whose notification was routed to one of the viewer's teams.
            (
                "/notifications".into(),
                Permission::ViewChildren,
                fx.kids.iter().filter(|k| admitted.contains(&k.id) && k.lines.iter().any(|(_, t)| v.teams.contains(t))).map(|k| k.id).collect(),
            ),
            ("/placements".into(), Permission::RecordPlacements, admitted.clone()),
            (format!("/placing-authorities?name={AUTHORITY}"), Permission::RecordPlacements, admitted.clone()),
        ];
        for (path, perm, want) in pages {
            let got = fetch(&mut p.client, &path).await;
            lists += 1;
            if p.role.allows(perm) {
                assert_eq!(got.status, StatusCode::OK, "{} GET {path}", p.email);
                assert_eq!(names_in(&got.body, &fx), want, "{} ({v:?}) GET {path}", p.email);
                for k in &fx.kids {
                    assert!(!got.body.contains(&k.marker), "{} GET {path}: Prosecute on a list", p.email);
                }
            } else {
                assert_eq!(got.status, StatusCode::FORBIDDEN, "{} GET {path}", p.email);
                assert!(names_in(&got.body, &fx).is_empty());
            }
        }
        let got = fetch(&mut p.client, &format!("/api/v1/children?name={SURNAME}")).await;
        lists += 1;
        assert_eq!(got.status, StatusCode::OK, "{} API search", p.email);
        let json: serde_json::Value = serde_json::from_str(&got.body).unwrap();
        let ids: BTreeSet<i64> = json["children"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, admitted, "{} API search", p.email);
        assert_eq!(json["total"].as_i64().unwrap(), admitted.len() as i64);
    }

    // ---- writes: every POST child route, every viewer, every child. A refused write is
    // sent a valid form (so a leak would change something); an allowed one a form that
    // fails validation (422: past every access check, nothing saved).
    let before = fingerprint(db, &fx).await;
    let mut writes = 0usize;
    let today = assure_domain::dates::numeric(common::today());
    let review = assure_domain::dates::numeric(common::today() + chrono::Duration::days(40));
    let mut allowed_writes: BTreeMap<&'static str, Vec<(usize, i64)>> = BTreeMap::new();
    let mut acks: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (pi, p) in people.iter_mut().enumerate() {
        let v = db.store.viewer(p.uid).await.unwrap().unwrap();
        for spec in &posts {
            let rule = rule_of(&spec.method, spec.path).unwrap();
            for k in &fx.kids {
                let path = fill(spec.path, k, "");
                let allow = expected(p.role, spec.permission, rule, &v, k, &inv[&k.id]);
                let (valid, invalid) = forms(spec.path, db, &fx, k, &today, &review).await;
                let fields = if allow { invalid } else { valid };
                let mut pairs: Vec<(&str, &str)> = vec![("_csrf", p.csrf.as_str())];
                pairs.extend(fields.iter().map(|(a, b)| (*a, b.as_str())));
                let r = p.client.post_form(&path, &pairs).await;
                writes += 1;
                if allow {
                    assert_eq!(
                        r.status,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "{} ({v:?}) POST {path}: expected allowed (a 422 for the bad form)\n{}",
                        p.email,
                        &r.body[..r.body.len().min(600)]
                    );
                    allowed_writes.entry(spec.path).or_default().push((pi, k.id));
                } else {
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{} ({v:?}) POST {path}: expected refused", p.email);
                    assert!(!r.body.contains(&k.first) && !r.body.contains(&k.marker));
                }
            }
            // A sub-record of another child is not reached through this child: 404, even with a valid form.
            if spec.path.contains("{eid}") {
                let (a, b) = (&fx.kids[0], &fx.kids[1]);
                if expected(p.role, spec.permission, rule, &v, a, &inv[&a.id]) {
                    let path = fill(spec.path, a, "").replace(&format!("/missing/{}/", a.eid), &format!("/missing/{}/", b.eid));
                    let fields = forms(spec.path, db, &fx, b, &today, &review).await.0;
                    let mut pairs: Vec<(&str, &str)> = vec![("_csrf", p.csrf.as_str())];
                    pairs.extend(fields.iter().map(|(a, b)| (*a, b.as_str())));
                    let r = p.client.post_form(&path, &pairs).await;
                    writes += 1;
                    assert_eq!(r.status, StatusCode::NOT_FOUND, "{} POST {path}: another child's episode through this child", p.email);
                }
            }
        }
        // Acknowledging a notification: a member of a team it was routed to, who may see
        // the child. Per child, the first line routed to one of the viewer's teams (else the first line).
        for k in &fx.kids {
            let (line, team) = *k.lines.iter().find(|(_, t)| v.teams.contains(t)).unwrap_or(&k.lines[0]);
            let allow = p.role.allows(Permission::ViewChildren) && v.teams.contains(&team) && v.may_see_child(k.id, inv[&k.id].iter().copied());
            if allow {
                acks.entry(line).or_default().push(pi);
            } else {
                let r = p.client.post_form(&format!("/notifications/{line}/acknowledge"), &[("_csrf", p.csrf.as_str())]).await;
                writes += 1;
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{} ({v:?}) acknowledge line {line} ({team:?}) of child {}: expected refused",
                    p.email,
                    k.id
                );
                assert!(!r.body.contains(&k.first));
            }
        }
    }
    assert_eq!(fingerprint(db, &fx).await, before, "no refused or invalid write changed anything");
    // Each line some viewer may acknowledge: the first acknowledges it, every other one allowed is told it is done (422).
    assert!(!acks.is_empty(), "no viewer in the matrix may acknowledge a notification");
    for (line, pis) in &acks {
        for (n, pi) in pis.iter().enumerate() {
            let p = &mut people[*pi];
            let r = p.client.post_form(&format!("/notifications/{line}/acknowledge"), &[("_csrf", p.csrf.as_str())]).await;
            writes += 1;
            let want = if n == 0 { StatusCode::SEE_OTHER } else { StatusCode::UNPROCESSABLE_ENTITY };
            assert_eq!(r.status, want, "{} acknowledges line {line}", p.email);
        }
    }

    // One real success per POST route, by a viewer the matrix allowed.
    for spec in &posts {
        let Some(list) = allowed_writes.get(spec.path) else {
            panic!("no viewer in the matrix may POST {}: the matrix proves nothing for it", spec.path)
        };
        // The decision is made on a child whose referral the acknowledgement does not need.
        let (pi, cid) = *list
            .iter()
            .find(|(_, c)| !spec.path.ends_with("/decision") || fx.kids.iter().any(|k| k.id == *c && k.referral_agency != fx.school))
            .unwrap();
        let k = fx.kids.iter().find(|k| k.id == cid).unwrap();
        let p = &mut people[pi];
        let path = fill(spec.path, k, "");
        let mut fields = forms(spec.path, db, &fx, k, &today, &review).await.0;
        if spec.path.ends_with("/acknowledge") {
            // Only a returned referral can be acknowledged: the MASH returns it first.
            let r = db.store.referral(k.rid).await.unwrap();
            let input = assure_domain::referral::DecisionInput {
                decision: Some(assure_domain::referral::MashDecision::NoCseConcern),
                reasons: "No concern found".into(),
                interventions: "Mentoring".into(),
            };
            db.store.decide(&Actor::system(), k.rid, r.version, &input).await.unwrap();
            fields = forms(spec.path, db, &fx, k, &today, &review).await.0;
        }
        if spec.path.ends_with("/merge") {
            continue; // below, on children of its own
        }
        let mut pairs: Vec<(&str, &str)> = vec![("_csrf", p.csrf.as_str())];
        pairs.extend(fields.iter().map(|(a, b)| (*a, b.as_str())));
        let r = p.client.post_form(&path, &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{} POST {path}: a real success\n{}", p.email, &r.body[..r.body.len().min(600)]);
    }
    // Merge: two more children the school raised, merged by a MASH-team viewer the matrix allowed.
    let (pi, _) = allowed_writes["/children/{id}/merge"][0];
    let sys = Actor::system();
    let keep = db
        .store
        .create_child(&sys, &ChildInput { first_name: "Keepme".into(), last_name: "Dupchild".into(), estimated_age: Some(13), ..Default::default() })
        .await
        .unwrap();
    let dup = db
        .store
        .create_child(&sys, &ChildInput { first_name: "Keepmee".into(), last_name: "Dupchild".into(), estimated_age: Some(13), ..Default::default() })
        .await
        .unwrap();
    for c in [keep, dup] {
        db.store.add_involvement(&sys, c, fx.school, InvolvementKind::RaisedConcern, common::today()).await.unwrap();
    }
    let p = &mut people[pi];
    let kv = child_version(db, keep).await.to_string();
    let r = p
        .client
        .post_form(&format!("/children/{keep}/merge"), &[("_csrf", &p.csrf), ("version", &kv), ("other", &dup.to_string()), ("confirm", "yes")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{} merge: a real success\n{}", p.email, &r.body[..r.body.len().min(600)]);

    let total = started.elapsed();
    eprintln!(
        "access matrix: {} viewers; {} child GET routes ({checked} reads, {allowed_count} allowed); {lists} list/search views; {} POST routes ({writes} writes); setup {:?}, reads {:?}, total {:?}",
        people.len(),
        gets.len(),
        posts.len(),
        setup,
        reads_done - setup,
        total
    );
    let _ = (fx.health, fx.other);
}

/// How many groups of viewers read at once.
const GROUPS: usize = 4;

struct Reads {
    people: Vec<Person>,
    checked: usize,
    allowed: usize,
    refused_reads: BTreeMap<(String, String), usize>,
    exports: BTreeMap<(String, String), usize>,
}

/// Every GET child route for these viewers and every child: allowed answers 200 with the
/// record (Prosecute only where the rule lets it through), refused ones 403 with nothing.
async fn read_matrix(
    store: Store,
    mut people: Vec<Person>,
    fx: Arc<Fixture>,
    inv: Arc<BTreeMap<i64, Vec<Involvement>>>,
    gets: Arc<Vec<RouteSpec>>,
) -> Reads {
    let mut checked = 0usize;
    let mut refused_reads: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut exports: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut allowed_count = 0usize;
    for p in people.iter_mut() {
        let v = store.viewer(p.uid).await.unwrap().unwrap();
        for spec in gets.iter() {
            let rule = rule_of(&spec.method, spec.path).unwrap();
            // The download route: both formats, ordinary and police export.
            let variants: Vec<(&str, bool)> =
                if spec.path.contains("{format}") { vec![("csv", false), ("docx", false), ("csv", true), ("docx", true)] } else { vec![("", false)] };
            for k in &fx.kids {
                let kinv = &inv[&k.id];
                for (format, police) in &variants {
                    let mut path = fill(spec.path, k, format);
                    if spec.path.ends_with("/compare") {
                        path.push_str("?from=1&to=2");
                    }
                    if *police {
                        path.push_str("?police=1");
                    }
                    let mut allow = expected(p.role, spec.permission, rule, &v, k, kinv);
                    if *police {
                        allow = allow && v.exportable_sections(true).contains(&Section::Prosecute);
                    }
                    let got = fetch(&mut p.client, &path).await;
                    checked += 1;
                    let who = format!("{} ({:?}) GET {path}", p.email, v);
                    if allow {
                        allowed_count += 1;
                        assert_eq!(got.status, StatusCode::OK, "{who}: expected allowed\n{}", &got.body[..got.body.len().min(600)]);
                        if !v.may_see_section(Section::Prosecute) {
                            assert!(!got.body.contains(&k.marker), "{who}: the Prosecute section leaked");
                        }
                        if spec.path.contains("{format}") {
                            let shows = v.exportable_sections(*police).contains(&Section::Prosecute);
                            assert_eq!(got.body.contains(&k.marker), shows, "{who}: Prosecute in the export only when exportable");
                            assert!(got.body.contains("Mentoring sessions"), "{who}: the export carries the plan");
                            *exports.entry((p.email.clone(), k.id.to_string())).or_insert(0) += 1;
                        }
                        if spec.path == "/children/{id}/plan"
                            || spec.path == "/children/{id}/plan/versions/{n}"
                            || spec.path == "/api/v1/children/{id}/plan"
                        {
                            assert_eq!(
                                got.body.contains(&k.marker),
                                v.may_see_section(Section::Prosecute),
                                "{who}: Prosecute shown exactly to those who may see it"
                            );
                        }
                        // (The API's referrals and plan carry the child's id, not their name.)
                        let names_child =
                            !spec.path.contains("{format}") && !(spec.path.starts_with("/api/") && spec.path != "/api/v1/children/{id}");
                        if matches!(rule, Rule::Section(_) | Rule::MashTeam) && names_child {
                            assert!(got.body.contains(&k.first), "{who}: the record shows the child");
                        }
                    } else {
                        assert_eq!(got.status, StatusCode::FORBIDDEN, "{who}: expected refused\n{}", &got.body[..got.body.len().min(600)]);
                        assert!(
                            !got.body.contains(&k.first) && !got.body.contains(&k.marker) && !got.body.contains(SURNAME),
                            "{who}: a refusal leaked the record"
                        );
                        let mut read_refused = refused_read(p.role, spec.permission, rule, &v, k, kinv);
                        if *police && !read_refused && p.role.allows(spec.permission) {
                            // A police export refused to a non-police viewer is a refused read of Prosecute.
                            read_refused = true;
                        }
                        if read_refused {
                            *refused_reads.entry((p.email.clone(), k.id.to_string())).or_insert(0) += 1;
                        }
                    }
                }
            }
            // A sub-record of another child is not revealed through this child: 404.
            if spec.path == "/children/{id}/referrals/{rid}" {
                let (a, b) = (&fx.kids[0], &fx.kids[1]);
                if expected(p.role, spec.permission, rule, &v, a, &inv[&a.id]) {
                    let got = fetch(&mut p.client, &format!("/children/{}/referrals/{}", a.id, b.rid)).await;
                    assert_eq!(got.status, StatusCode::NOT_FOUND, "{}: another child's referral through this child", p.email);
                    assert!(!got.body.contains(&b.first));
                }
            }
        }
    }
    Reads { people, checked, allowed: allowed_count, refused_reads, exports }
}

/// For a POST child route: (a valid form, a form that fails validation).
async fn forms(
    path: &str,
    db: &TestDb,
    fx: &Fixture,
    k: &Kid,
    today: &str,
    review: &str,
) -> (Vec<(&'static str, String)>, Vec<(&'static str, String)>) {
    let s = |a: &'static str, b: &str| (a, b.to_string());
    let rversion = || async { db.store.referral(k.rid).await.unwrap().version.to_string() };
    let minute = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M").to_string();
    if path.ends_with("/missing/{eid}/end") {
        let v = db.store.episode_of(k.id, k.eid).await.unwrap().version.to_string();
        (
            vec![s("version", &v), s("end", &minute(fx.missing_end)), s("where_found", "Returned to the home by police")],
            vec![s("version", &v), s("end", ""), s("where_found", "")],
        )
    } else if path.ends_with("/missing/{eid}/interview") {
        let v = db.store.episode_of(k.id, k.eid).await.unwrap().interview.map(|i| i.version.to_string()).unwrap_or_default();
        (
            vec![
                s("version", &v),
                s("offered_at", &minute(fx.offered)),
                s("response", "accepted"),
                s("provider", "Independent Return Interviews"),
                s("interviewer", "B. Worker"),
            ],
            vec![s("version", &v), s("offered_at", &minute(fx.offered)), s("response", "accepted"), s("provider", "")],
        )
    } else if path.ends_with("/checks") {
        (vec![s("agency_id", &fx.other.to_string()), s("holds", "Known to the service")], vec![s("holds", "Known to the service")])
    } else if path.ends_with("/decision") {
        let v = rversion().await;
        (
            vec![s("version", &v), s("decision", "macse"), s("reasons", "Risk is high"), s("interventions", "Panel")],
            vec![s("version", &v), s("reasons", "")],
        )
    } else if path.ends_with("/acknowledge") {
        // A referral on the queue cannot be acknowledged (422); a returned one can.
        let v = rversion().await;
        (vec![s("version", &v)], vec![s("version", &v)])
    } else if path.ends_with("/plan/edit") {
        let n = db.store.current_plan_number(k.id).await.unwrap().to_string();
        let base = vec![
            s("version", &n),
            s("rows", "4"),
            s("panel_id", &fx.panel.to_string()),
            s("review_date", review),
            s("discussion-profile", "Updated profile"),
        ];
        let mut bad = base.clone();
        bad.extend([
            s("action-1-section", "prevent"),
            s("action-1-text", "No owner"),
            s("action-1-agency", &fx.other.to_string()),
            s("action-1-due", review),
        ]);
        (base, bad)
    } else if path.ends_with("/police-flag") {
        (vec![s("flagged", "yes"), s("flag_date", today)], vec![s("flag_date", today)])
    } else if path.ends_with("/edit") {
        let v = child_version(db, k.id).await.to_string();
        (
            vec![s("version", &v), s("first_name", &k.first), s("last_name", SURNAME), s("estimated_age", "15"), s("legal_status", "child-in-need")],
            vec![s("version", &v), s("first_name", ""), s("last_name", SURNAME), s("estimated_age", "15")],
        )
    } else if path.ends_with("/merge") {
        let other = fx.kids.iter().find(|o| o.id != k.id).unwrap().id.to_string();
        let v = child_version(db, k.id).await.to_string();
        (vec![s("version", &v), s("duplicate", &other), s("confirm", "yes")], vec![s("version", &v)])
    } else if path.ends_with("/emergency-access") {
        (vec![s("reason", "Police report the child missing overnight")], vec![s("reason", "")])
    } else {
        panic!("no forms for POST {path}: add them to the access matrix")
    }
}

on_both_engines!(access_matrix, the_access_matrix);
